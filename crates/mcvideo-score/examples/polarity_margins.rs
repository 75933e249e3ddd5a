//! Polarity margins: the automatic dark/bright decision on given clips and on their inversions,
//! with its score (the margin of the decision). Run it as
//!
//! `cargo run -p mcvideo-score --example polarity_margins -- CLIP:UM_PER_PX...`

use mcvideo_vessels::polarity::{invert_frames, polarity_of_frames};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for arg in std::env::args().skip(1) {
        let (path, scale) = arg.rsplit_once(':').ok_or("expected CLIP:UM_PER_PX")?;
        let um_per_px: f64 = scale.parse()?;
        let (info, frames) = mcvideo_decode::read_all(std::path::Path::new(path))?;
        let area = mcvideo_decode::border::content_box(&frames);
        let mut frames = if area == [0, 0, info.width, info.height] {
            frames
        } else {
            mcvideo_decode::border::crop_frames(frames, area)
        };
        let original = polarity_of_frames(&frames, um_per_px);
        invert_frames(&mut frames);
        let inverted = polarity_of_frames(&frames, um_per_px);
        println!(
            "{path}: {} score {:+.3} (curvature {:+.3}, motion {:+.3}); inverted: {} score {:+.3}",
            original.polarity.name(),
            original.score,
            original.curvature,
            original.motion,
            inverted.polarity.name(),
            inverted.score
        );
    }
    Ok(())
}

//! Development aid: per-frame registration status of one synth clip.
//! `inspect_synth SEED ILLUMINATION`

use mcvideo_stabilize::{stabilize, StabilizeParams};
use mcvideo_synth::{render, SynthParams};

fn main() {
    let a: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let p = SynthParams {
        seed: a.first().copied().unwrap_or(31.0) as u64,
        illumination: a.get(1).copied().unwrap_or(1.0),
        duration_s: 5.2,
        ..SynthParams::default()
    };
    let Ok((frames, _)) = render(&p) else { return };
    let Ok(stab) = stabilize(&frames, &StabilizeParams::default()) else {
        return;
    };
    for (t, f) in stab.frames.iter().enumerate() {
        println!(
            "{t} {:?} ncc {:.3} ratio {:.2} sharp {:.1} blur {:.2}",
            f.status, f.ncc, f.peak_ratio, f.sharpness, f.blur_score
        );
    }
}

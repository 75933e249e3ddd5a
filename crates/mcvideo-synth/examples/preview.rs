//! Writes frame 0, frame 1 and the temporal mean of a synthetic clip as PNG, for eyeballing.
//!
//! `cargo run -p mcvideo-synth --example preview -- OUT_DIR [key=value ...]`, where each
//! key is a SynthParams field and each value JSON, e.g. `width=720 defocus_px=2.5`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/synth-preview".into()));
    let mut value = serde_json::to_value(mcvideo_synth::SynthParams::default())?;
    for pair in args {
        let (key, v) = pair.split_once('=').ok_or("arguments are key=value")?;
        value[key] = serde_json::from_str(v)?;
    }
    let params: mcvideo_synth::SynthParams = serde_json::from_value(value)?;
    std::fs::create_dir_all(&out)?;
    let (frames, truth) = mcvideo_synth::render(&params)?;
    frames[0].save(out.join("frame0.png"))?;
    frames[1].save(out.join("frame1.png"))?;
    let (w, h) = frames[0].dimensions();
    let mut mean = image::GrayImage::new(w, h);
    for (i, p) in mean.pixels_mut().enumerate() {
        let s: u32 = frames.iter().map(|f| u32::from(f.as_raw()[i])).sum();
        p.0[0] = (s / frames.len() as u32) as u8;
    }
    mean.save(out.join("mean.png"))?;
    println!(
        "{} vessels, metrics {:?}",
        truth.vessels.len(),
        truth.metrics
    );
    for v in &truth.vessels {
        println!(
            "{} {:?} d={:.1} L={:.0} class={} v={:?} ff={:.2}",
            v.id,
            v.kind,
            v.diameter_um,
            v.length_um,
            v.flow_class,
            v.velocity_um_s,
            v.flowing_fraction
        );
    }
    Ok(())
}

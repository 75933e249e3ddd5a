//! Test clips made at test time: textured gray frames written with mcvideo-encode.

use image::GrayImage;
use mcvideo_encode::{EncodeError, VideoFormat, VideoWriter};
use std::path::{Path, PathBuf};

/// A smooth, textured, moving gray frame (lossy codecs keep it well), seeded by `t`.
pub fn pattern(width: u32, height: u32, t: u32) -> GrayImage {
    GrayImage::from_fn(width, height, |x, y| {
        let (fx, fy, ft) = (x as f32, y as f32, t as f32);
        let wave = 50.0 * ((fx + 2.0 * ft) * 0.11).sin() * ((fy - ft) * 0.07).cos();
        let vessel = if ((fy - 0.4 * fx - 20.0 - ft).abs()) < 5.0 {
            -60.0
        } else {
            0.0
        };
        let hash = (x.wrapping_mul(374_761_393)
            ^ y.wrapping_mul(668_265_263)
            ^ t.wrapping_mul(2_246_822_519))
        .wrapping_mul(3_266_489_917);
        let noise = (hash >> 29) as f32 - 3.5;
        image::Luma([(140.0 + wave + vessel + noise).clamp(0.0, 255.0) as u8])
    })
}

pub fn frames(width: u32, height: u32, count: u32) -> Vec<GrayImage> {
    (0..count).map(|t| pattern(width, height, t)).collect()
}

/// Writes `frames` as `dir/<name>.<ext>` in `format` at 25 frames/s.
pub fn write(
    dir: &Path,
    name: &str,
    format: VideoFormat,
    frames: &[GrayImage],
) -> Result<PathBuf, EncodeError> {
    let path = dir.join(format!("{name}.{}", format.extension()));
    let (width, height) = frames[0].dimensions();
    let mut writer = VideoWriter::create(&path, width, height, 25.0, format)?;
    for frame in frames {
        writer.write_frame(frame)?;
    }
    writer.finish()?;
    Ok(path)
}

/// Mean absolute difference of two equally sized gray images.
pub fn mean_abs_error(a: &GrayImage, b: &GrayImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&p, &q)| u64::from(p.abs_diff(q)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

/// Whether the `ffmpeg` command-line tool runs here.
pub fn ffmpeg_cli() -> bool {
    std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the ffmpeg tool with `args`, panicking with its stderr on failure.
pub fn run_ffmpeg(args: &[&str]) {
    let output = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-y", "-loglevel", "error"])
        .args(args)
        .output()
        .expect("run ffmpeg");
    assert!(
        output.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

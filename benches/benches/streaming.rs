//! Scoring beside FFmpeg's own decode at 720×576 and at CytoCam's 2208×1648, for 5 s and
//! 60 s clips: time, the ratio to `ffmpeg -f null`, and peak memory, which should not grow
//! with the clip's length (targets: ≤ 300 MB at 720×576 and ≤ 600 MB at 2208×1648, at most
//! 10% growth from 5 s to 60 s). Each clip is scored in a fresh child process, so its peak
//! memory is its own.
//!
//! `cargo bench -p mcvideo-benches --bench streaming`

use mcvideo_benches::{cached_clip, data_dir, ffmpeg_null_decode_s, peak_rss_mib, run_self};
use mcvideo_encode::VideoFormat;
use mcvideo_score::{score_clip, ScoreParams};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The 5 s bench clip of `width`×`height` and its 60 s version: the same frames played 12
/// times over (FFmpeg stream copy), so the two differ only in length.
fn clips(width: u32, height: u32) -> Option<(PathBuf, PathBuf)> {
    let short = cached_clip(width, height, 5.0, 25.0, VideoFormat::Ffv1Avi);
    let long = data_dir().join(format!("bench-{width}x{height}-60s-looped.avi"));
    if !long.is_file() {
        let partial = long.with_extension("partial.avi");
        let status = Command::new("ffmpeg")
            .args(["-loglevel", "error", "-y", "-stream_loop", "11", "-i"])
            .arg(&short)
            .args(["-c", "copy"])
            .arg(&partial)
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        std::fs::rename(&partial, &long).ok()?;
    }
    Some((short, long))
}

/// Child: scores `clip` and prints "seconds frames peak_mib".
fn child(clip: &Path) {
    let params = ScoreParams {
        um_per_px: Some(1.0),
        ..ScoreParams::default()
    };
    let started = std::time::Instant::now();
    let scored = score_clip(clip, &params).expect("the bench clip scores");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{seconds} {} {}",
        scored.report.clip.frames,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
}

/// Seconds, frames and peak MiB of scoring `clip` in a child process.
fn run_child(clip: &Path) -> (f64, f64, f64) {
    let text = run_self(&["--child".as_ref(), clip.as_os_str()]);
    let mut values = text
        .split_whitespace()
        .map(|v| v.parse::<f64>().unwrap_or(f64::NAN));
    let mut next = || values.next().unwrap_or(f64::NAN);
    (next(), next(), next())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[i + 1]));
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    println!("| frame size | clip | frames | ffmpeg -f null | score | ratio | peak memory |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (width, height) in [(720, 576), (2208, 1648)] {
        let Some((short, long)) = clips(width, height) else {
            println!("ffmpeg not found: no streaming bench");
            return;
        };
        let mut peaks = Vec::new();
        for (label, clip) in [("5 s", &short), ("60 s", &long)] {
            let ffmpeg = ffmpeg_null_decode_s(clip).unwrap_or(f64::NAN);
            let (seconds, frames, peak) = run_child(clip);
            println!(
                "| {width}×{height} | {label} FFV1 | {frames} | {ffmpeg:.2} s | {seconds:.2} s | {:.2}× | {peak:.0} MiB |",
                seconds / ffmpeg
            );
            peaks.push(peak);
        }
        println!(
            "{width}×{height}: peak memory 60 s / 5 s = {:.3}",
            peaks[1] / peaks[0]
        );
    }
}

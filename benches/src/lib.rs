//! Shared helpers of the whole-pipeline benchmarks: cached bench clips and peak memory.

use mcvideo_encode::VideoFormat;
use mcvideo_synth::{write_clip, SynthParams};
use std::path::{Path, PathBuf};

/// Where bench inputs are cached between runs (under the target directory, never committed).
pub fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A synthetic clip of the given size and duration, rendered once and then reused.
pub fn cached_clip(
    width: u32,
    height: u32,
    duration_s: f64,
    fps: f64,
    format: VideoFormat,
) -> PathBuf {
    let name = format!(
        "bench-{width}x{height}-{duration_s}s-{fps}fps-{}",
        format.name()
    );
    let path = data_dir().join(format!("{name}.{}", format.extension()));
    if !path.is_file() {
        let params = SynthParams {
            width,
            height,
            duration_s,
            fps,
            seed: 2026,
            ..SynthParams::default()
        };
        if let Err(e) = write_clip(&params, &data_dir(), &name, format) {
            panic!("cannot render the bench clip {}: {e}", path.display());
        }
    }
    path
}

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`), if known.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Seconds FFmpeg's own decoder takes on `clip` (`ffmpeg -loglevel error -i CLIP -f null -`),
/// or `None` when the ffmpeg program is missing.
pub fn ffmpeg_null_decode_s(clip: &Path) -> Option<f64> {
    let started = std::time::Instant::now();
    let status = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-i"])
        .arg(clip)
        .args(["-f", "null", "-"])
        .status()
        .ok()?;
    status.success().then(|| started.elapsed().as_secs_f64())
}

/// Runs this bench's own executable again with `args` (a child whose peak memory is its own)
/// and returns its standard output; panics with its standard error when it fails.
pub fn run_self(args: &[&std::ffi::OsStr]) -> String {
    let exe = std::env::current_exe().expect("own path");
    let out = std::process::Command::new(exe)
        .args(args)
        .output()
        .expect("child runs");
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

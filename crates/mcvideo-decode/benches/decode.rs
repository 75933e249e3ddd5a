//! Decode speed: a 20 s 720×576 25 fps clip (FFV1 AVI and H.264 MP4, written once by
//! mcvideo-encode into a temp dir) decoded to gray frames by mcvideo-decode, beside
//! `ffmpeg -loglevel error -i CLIP -f null -` on the same file.
//!
//! Besides criterion's own timing, it runs ours and ffmpeg alternately 5 times each on the same
//! file and prints frames/s, the time ratio ours / ffmpeg (goal: ≤ 1.3) from the median and
//! from the best wall time, and the CPU time of each (steadier on a loaded machine).

use criterion::{criterion_group, criterion_main, Criterion};
use image::GrayImage;
use mcvideo_encode::{VideoFormat, VideoWriter};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const WIDTH: u32 = 720;
const HEIGHT: u32 = 576;
const FPS: f64 = 25.0;
const FRAMES: u32 = 500;

/// A dark-field-like frame: bright noisy background, uneven light, dark curved vessels with
/// darker cells moving along them, the scene drifting by a few pixels.
fn frame(t: u32) -> GrayImage {
    let drift_x = 3.0 * (t as f32 * 0.05).sin();
    let drift_y = 2.0 * (t as f32 * 0.031).cos();
    GrayImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (fx, fy) = (x as f32 + drift_x, y as f32 + drift_y);
        let light = 170.0 - 0.0002 * ((fx - 360.0).powi(2) + (fy - 288.0).powi(2));
        let mut value = light;
        for k in 0..6 {
            let k = k as f32;
            let centre = 60.0 + 90.0 * k + 25.0 * (fx * 0.013 + k).sin();
            let distance = (fy - centre).abs();
            if distance < 4.0 + k {
                let cells = ((fx - 4.0 * t as f32 * (1.0 + k)) * 0.35).sin();
                value -= 60.0 + 30.0 * cells.max(0.0);
            }
        }
        let hash =
            (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663) ^ t.wrapping_mul(83_492_791))
                .wrapping_mul(2_654_435_761);
        let noise = (hash >> 28) as f32 - 8.0;
        image::Luma([(value + noise).clamp(0.0, 255.0) as u8])
    })
}

fn write_clip(dir: &Path, format: VideoFormat) -> PathBuf {
    let path = dir.join(format!("bench.{}", format.extension()));
    let mut writer = VideoWriter::create(&path, WIDTH, HEIGHT, FPS, format).expect("create clip");
    for t in 0..FRAMES {
        writer.write_frame(&frame(t)).expect("write frame");
    }
    writer.finish().expect("finish clip");
    path
}

fn decode_ours(path: &Path) -> u64 {
    let mut count = 0;
    for frame in mcvideo_decode::open(path).expect("open clip") {
        let frame = frame.expect("decode frame");
        std::hint::black_box(&frame);
        count += 1;
    }
    count
}

fn decode_ffmpeg(path: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .status()
        .expect("run ffmpeg");
    assert!(status.success(), "ffmpeg failed on {}", path.display());
}

/// This process's CPU time so far and that of its waited-for children (Linux `/proc`, in
/// seconds at 100 ticks/s), or `None` where `/proc/self/stat` is unreadable.
fn cpu_seconds() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime is field 14 of the whole line.
    let fields: Vec<f64> = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .skip(11)
        .take(4)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let tick = 100.0;
    Some((
        (fields[0] + fields[1]) / tick,
        (fields[2] + fields[3]) / tick,
    ))
}

/// Wall and CPU time of one run of `job`; `child` says whose CPU time counts.
fn timed(child: bool, job: impl FnOnce()) -> (Duration, Option<f64>) {
    let before = cpu_seconds();
    let start = Instant::now();
    job();
    let wall = start.elapsed();
    let cpu = before
        .zip(cpu_seconds())
        .map(|((s0, c0), (s1, c1))| if child { c1 - c0 } else { s1 - s0 });
    (wall, cpu)
}

fn median<T: PartialOrd + Copy>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values[values.len() / 2]
}

/// Runs ours and ffmpeg alternately `runs` times (so load from other processes hits both
/// alike) and prints frames/s from the median and the best wall time, and median CPU time.
fn compare_with_ffmpeg(name: &str, path: &Path, runs: usize) {
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..runs {
        ours.push(timed(false, || {
            decode_ours(path);
        }));
        theirs.push(timed(true, || decode_ffmpeg(path)));
    }
    let fps = |d: Duration| f64::from(FRAMES) / d.as_secs_f64();
    let summary = |runs: &[(Duration, Option<f64>)]| {
        let walls: Vec<Duration> = runs.iter().map(|r| r.0).collect();
        let cpu: Option<Vec<f64>> = runs.iter().map(|r| r.1).collect();
        (
            median(walls.clone()),
            walls.iter().copied().min().unwrap_or_default(),
            cpu.map(median),
        )
    };
    let (our_median, our_best, our_cpu) = summary(&ours);
    let (their_median, their_best, their_cpu) = summary(&theirs);
    println!(
        "{name}: mcvideo-decode {:.0} frames/s (median of {runs}, {:.3} s; best {:.3} s), \
         ffmpeg -f null {:.0} frames/s (median {:.3} s; best {:.3} s); \
         time ratio ours/ffmpeg: median {:.2}, best {:.2}",
        fps(our_median),
        our_median.as_secs_f64(),
        our_best.as_secs_f64(),
        fps(their_median),
        their_median.as_secs_f64(),
        their_best.as_secs_f64(),
        our_median.as_secs_f64() / their_median.as_secs_f64(),
        our_best.as_secs_f64() / their_best.as_secs_f64(),
    );
    if let (Some(ours), Some(theirs)) = (our_cpu, their_cpu) {
        println!(
            "{name}: CPU time per clip (median): ours {ours:.2} s, ffmpeg {theirs:.2} s, ratio {:.2}",
            ours / theirs
        );
    }
}

fn bench_decode(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ffmpeg_available = Command::new("ffmpeg").arg("-version").output().is_ok();
    let mut group = c.benchmark_group("decode_720x576_20s");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(15));
    for format in [VideoFormat::Ffv1Avi, VideoFormat::H264Mp4] {
        let path = write_clip(dir.path(), format);
        assert_eq!(decode_ours(&path), u64::from(FRAMES));
        group.bench_function(format.name(), |b| b.iter(|| decode_ours(&path)));

        if ffmpeg_available {
            compare_with_ffmpeg(format.name(), &path, 5);
        } else {
            println!(
                "{}: the ffmpeg tool is not installed, no comparison",
                format.name()
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);

//! Decode speed: a 20 s 720×576 25 fps clip (FFV1 AVI and H.264 MP4, written once by
//! mcvideo-encode into a temp dir) decoded to gray frames by mcvideo-decode, beside
//! `ffmpeg -loglevel error -i CLIP -f null -` on the same file.
//!
//! Besides criterion's own timing, it prints the median wall time of 5 runs of each decoder
//! (same clock, same file) as frames/s and the ratio ours / ffmpeg (goal: ≤ 1.3).

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

fn median_time(runs: usize, mut job: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            job();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn bench_decode(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ffmpeg_available = Command::new("ffmpeg").arg("-version").output().is_ok();
    let mut group = c.benchmark_group("decode_720x576_20s");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    for format in [VideoFormat::Ffv1Avi, VideoFormat::H264Mp4] {
        let path = write_clip(dir.path(), format);
        assert_eq!(decode_ours(&path), u64::from(FRAMES));
        group.bench_function(format.name(), |b| b.iter(|| decode_ours(&path)));

        let ours = median_time(5, || {
            decode_ours(&path);
        });
        let fps = |d: Duration| f64::from(FRAMES) / d.as_secs_f64();
        if ffmpeg_available {
            let theirs = median_time(5, || decode_ffmpeg(&path));
            println!(
                "{}: mcvideo-decode {:.0} frames/s ({:.3} s), ffmpeg -f null {:.0} frames/s ({:.3} s), \
                 time ratio ours/ffmpeg {:.2}",
                format.name(),
                fps(ours),
                ours.as_secs_f64(),
                fps(theirs),
                theirs.as_secs_f64(),
                ours.as_secs_f64() / theirs.as_secs_f64()
            );
        } else {
            println!(
                "{}: mcvideo-decode {:.0} frames/s; ffmpeg tool not found, no comparison",
                format.name(),
                fps(ours)
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);

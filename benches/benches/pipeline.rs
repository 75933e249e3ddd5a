//! Scoring a whole 20 s 720×576 25 fps clip (speed target: ≤ 5 s on 2 cores), as
//! H.264 MP4 and as lossless FFV1 AVI, each reported beside FFmpeg's own decode of the file.

use criterion::{criterion_group, criterion_main, Criterion};
use mcvideo_benches::{cached_clip, ffmpeg_null_decode_s, peak_rss_mib};
use mcvideo_encode::VideoFormat;
use mcvideo_score::{score_clip, ScoreParams};
use std::time::Duration;

fn score_one(c: &mut Criterion, format: VideoFormat) {
    let clip = cached_clip(720, 576, 20.0, 25.0, format);
    let params = ScoreParams {
        um_per_px: Some(1.2),
        ..ScoreParams::default()
    };
    let mut group = c.benchmark_group("pipeline");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    group.bench_function(
        format!("score 20 s 720x576 25 fps {}", format.name()),
        |b| b.iter(|| score_clip(&clip, &params).expect("the bench clip scores")),
    );
    group.finish();

    // One more run for the stage breakdown and the ratio to FFmpeg's decode.
    let started = std::time::Instant::now();
    let scored = score_clip(&clip, &params).expect("the bench clip scores");
    let ours = started.elapsed().as_secs_f64();
    println!(
        "{}: stage timings (ms): {:?}",
        format.name(),
        scored.report.timings_ms
    );
    println!(
        "{}: score {ours:.2} s for {} frames ({:.0} frames/s), peak RSS so far {:.0} MiB",
        format.name(),
        scored.report.clip.frames,
        scored.report.clip.frames as f64 / ours,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    match ffmpeg_null_decode_s(&clip) {
        Some(ff) => println!(
            "{}: ffmpeg -f null decode {ff:.2} s; score / ffmpeg decode = {:.2}x",
            format.name(),
            ours / ff
        ),
        None => println!("ffmpeg not found: no decode comparison"),
    }
}

fn pipeline(c: &mut Criterion) {
    for format in [VideoFormat::H264Mp4, VideoFormat::Ffv1Avi] {
        score_one(c, format);
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);

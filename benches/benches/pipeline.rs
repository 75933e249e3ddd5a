//! Scoring a whole 20 s 720×576 25 fps clip (issue 5's speed target: ≤ 5 s on 2 cores),
//! reported beside FFmpeg's own decode of the same file.

use criterion::{criterion_group, criterion_main, Criterion};
use mcvideo_benches::{cached_clip, ffmpeg_null_decode_s};
use mcvideo_score::{score_clip, ScoreParams};
use std::time::Duration;

fn pipeline(c: &mut Criterion) {
    let clip = cached_clip(720, 576, 20.0, 25.0);
    let params = ScoreParams {
        um_per_px: Some(1.2),
        ..ScoreParams::default()
    };
    let mut group = c.benchmark_group("pipeline");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    group.bench_function("score 20 s 720x576 25 fps", |b| {
        b.iter(|| score_clip(&clip, &params).expect("the bench clip scores"))
    });
    group.finish();

    // One more run for the stage breakdown and the ratio to FFmpeg's decode.
    let started = std::time::Instant::now();
    let scored = score_clip(&clip, &params).expect("the bench clip scores");
    let ours = started.elapsed().as_secs_f64();
    println!("stage timings (ms): {:?}", scored.report.timings_ms);
    println!(
        "score: {ours:.2} s for {} frames ({:.0} frames/s)",
        scored.report.clip.frames,
        scored.report.clip.frames as f64 / ours
    );
    match ffmpeg_null_decode_s(&clip) {
        Some(ff) => println!(
            "ffmpeg -f null decode: {ff:.2} s; score / ffmpeg decode = {:.1}x",
            ours / ff
        ),
        None => println!("ffmpeg not found: no decode comparison"),
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);

//! Rendering speed: scene build and frames at 720x576, plus one timed 500-frame clip.

use criterion::{criterion_group, criterion_main, Criterion};
use mcvideo_synth::{Renderer, SynthParams};
use std::hint::black_box;
use std::time::Instant;

fn pal_params(duration_s: f64) -> SynthParams {
    SynthParams {
        width: 720,
        height: 576,
        duration_s,
        seed: 1,
        ..SynthParams::default()
    }
}

fn bench_render(c: &mut Criterion) {
    // One full clip as other crates' benches use it: 720x576, 500 frames.
    let start = Instant::now();
    let renderer = Renderer::new(&pal_params(20.0)).expect("valid parameters");
    let built = start.elapsed();
    let mut checksum = 0u64;
    for chunk in (0..renderer.frames()).step_by(50) {
        for frame in renderer.frames_in(chunk..chunk + 50) {
            checksum += u64::from(frame.as_raw()[0]);
        }
    }
    let total = start.elapsed();
    println!(
        "720x576 x {} frames: scene {:.2} s, total {:.2} s ({:.0} frames/s, {} threads, checksum {checksum})",
        renderer.frames(),
        built.as_secs_f64(),
        total.as_secs_f64(),
        renderer.frames() as f64 / (total - built).as_secs_f64(),
        rayon::current_num_threads()
    );

    let mut group = c.benchmark_group("synth");
    group.sample_size(10);
    group.bench_function("scene_720x576_2s", |b| {
        b.iter(|| Renderer::new(black_box(&pal_params(2.0))).expect("valid parameters"))
    });
    let renderer = Renderer::new(&pal_params(2.0)).expect("valid parameters");
    group.bench_function("frames_720x576_x50", |b| {
        b.iter(|| renderer.frames_in(black_box(0..50)))
    });
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);

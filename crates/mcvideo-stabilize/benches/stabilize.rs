//! Criterion bench: stabilize a 500-frame 720×576 clip rendered by mcvideo-synth (20 s at
//! 25 fps, moving probe, flowing cells, default noise), and build its temporal mean.

use criterion::{criterion_group, criterion_main, Criterion};
use mcvideo_stabilize::{mean_image, stabilize, StabilizeParams};
use mcvideo_synth::{render, SynthParams};

fn bench(c: &mut Criterion) {
    let params = SynthParams {
        width: 720,
        height: 576,
        fps: 25.0,
        duration_s: 20.0,
        motion: 5.0,
        seed: 1,
        ..SynthParams::default()
    };
    let (frames, _) = match render(&params) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("cannot render the bench clip: {e}");
            return;
        }
    };
    let stab_params = StabilizeParams::default();
    let mut group = c.benchmark_group("stabilize");
    group.sample_size(10);
    group.bench_function("stabilize 500 frames 720x576", |b| {
        b.iter(|| stabilize(&frames, &stab_params))
    });
    if let Ok(stab) = stabilize(&frames, &stab_params) {
        println!(
            "unregistered {} of {}, residual {:.3} px, threads {}",
            stab.unregistered_frames,
            frames.len(),
            stab.residual_rms_px,
            rayon::current_num_threads()
        );
        group.bench_function("mean_image 500 frames 720x576", |b| {
            b.iter(|| mean_image(&frames, &stab))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

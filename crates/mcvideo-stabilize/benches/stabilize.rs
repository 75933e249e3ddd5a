//! Criterion bench: stabilize a 500-frame 720×576 clip (synthesized here: textured tissue,
//! dark vessels, drifting and shaking probe, sensor noise).

use criterion::{criterion_group, criterion_main, Criterion};
use image::{GrayImage, Luma};
use mcvideo_stabilize::{mean_image, stabilize, StabilizeParams};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Smooth scene value at scene coordinates (x, y): background texture with dark tubes.
fn scene(x: f64, y: f64) -> f64 {
    let texture = 18.0 * (0.071 * x + 0.3).sin() * (0.053 * y).cos() + 10.0 * (0.13 * x - 0.09 * y).sin();
    let mut v = 170.0 + texture;
    for k in 0..6 {
        let k = k as f64;
        let d = (y - 80.0 * k - 25.0 * (0.011 * x + k).sin() - 40.0).abs();
        v -= 90.0 * (-d * d / (2.0 * (3.0 + k).powi(2))).exp();
    }
    v
}

fn clip(frames: usize, w: u32, h: u32) -> Vec<GrayImage> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    (0..frames)
        .map(|t| {
            let tt = t as f64 / 25.0;
            let (sx, sy) = (12.0 * (0.7 * tt).sin() + 2.0 * tt, 9.0 * (0.9 * tt).cos());
            GrayImage::from_fn(w, h, |x, y| {
                let n: f64 = rng.gen_range(-6.0..6.0);
                Luma([(scene(x as f64 + sx, y as f64 + sy) + n).clamp(0.0, 255.0) as u8])
            })
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let frames = clip(500, 720, 576);
    let params = StabilizeParams::default();
    let mut group = c.benchmark_group("stabilize");
    group.sample_size(10);
    group.bench_function("500 frames 720x576", |b| b.iter(|| stabilize(&frames, &params)));
    let stab = stabilize(&frames, &params).ok();
    if let Some(stab) = stab {
        group.bench_function("mean_image 500 frames 720x576", |b| b.iter(|| mean_image(&frames, &stab)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

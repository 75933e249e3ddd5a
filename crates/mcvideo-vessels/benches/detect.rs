//! Criterion bench of vessel enhancement and extraction on a 720x576 synthetic mean image.

use criterion::{criterion_group, criterion_main, Criterion};
use mcvideo_vessels::{detect_vessels, FloatImage, VesselParams};

fn synthetic_mean(width: u32, height: u32) -> FloatImage {
    // Dark sinusoidal tubes of several widths on an unevenly lit background.
    FloatImage::from_fn(width, height, |x, y| {
        let (xf, yf) = (x as f32, y as f32);
        let light = 180.0 + 40.0 * ((xf / width as f32) - 0.5) - 30.0 * ((yf / height as f32) - 0.5).powi(2);
        let mut v = light;
        for k in 0..12 {
            let base = 30.0 + 45.0 * k as f32;
            let centre = base + 12.0 * (xf / 40.0 + k as f32).sin();
            let half = 2.0 + (k % 4) as f32 * 2.5;
            let d = (yf - centre).abs();
            if d < half {
                v *= 0.85;
            }
        }
        image::Luma([v])
    })
}

fn bench_detect(c: &mut Criterion) {
    let mean = synthetic_mean(720, 576);
    let params = VesselParams::default();
    c.bench_function("detect_vessels 720x576 @1.2um/px", |b| {
        b.iter(|| detect_vessels(&mean, 1.2, [0.0, 0.0, 719.0, 575.0], &params))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench_detect
}
criterion_main!(benches);

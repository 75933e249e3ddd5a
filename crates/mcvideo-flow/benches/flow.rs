//! Benchmark: flow of ~60 vessels over a 500-frame 720×576 clip (20 s at 25 fps).

use criterion::{criterion_group, criterion_main, Criterion};
use mcvideo_flow::{measure_vessels, FlowParams};
use mcvideo_testkit::toy::{render, ToyClip, ToyVessel};

/// 60 vessels of 40-160 px in a 10 × 6 grid, mixed speeds and directions.
fn clip() -> ToyClip {
    let mut vessels = Vec::new();
    for i in 0..60 {
        let (col, row) = ((i % 10) as f64, (i / 10) as f64);
        let len = 40.0 + (i * 37 % 120) as f64;
        let (x0, y0) = (10.0 + col * 70.0, 20.0 + row * 90.0);
        let angle = (i as f64 * 0.7).sin();
        let x1 = x0 + len.min(65.0) * angle.cos();
        let y1 = y0 + len * angle.sin().abs().max(0.3);
        vessels.push(ToyVessel {
            centerline_px: vec![[x0, y0], [x1, y1.min(570.0)]],
            diameter_px: 4.0 + (i % 5) as f64,
            speed_px_per_frame: (i % 7) as f64 * 3.0 - 6.0,
            moving: Vec::new(),
            mean_cell_gap_px: 12.0,
        });
    }
    ToyClip {
        width: 720,
        height: 576,
        frames: 500,
        noise_sd: 5.0,
        cell_contrast: 50.0,
        motion_px: 3.0,
        seed: 7,
        vessels,
    }
}

fn bench(c: &mut Criterion) {
    let clip = clip();
    let (frames, shifts) = render(&clip);
    let vessels: Vec<(Vec<[f64; 2]>, f64)> = clip
        .vessels
        .iter()
        .map(|v| (v.centerline_px.clone(), v.diameter_px))
        .collect();
    let params = FlowParams::default();
    let mut group = c.benchmark_group("flow");
    group.sample_size(10);
    group.bench_function("measure_vessels_60x500_720x576", |b| {
        b.iter(|| measure_vessels(&frames, &shifts, &vessels, 25.0, 1.2, &params))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

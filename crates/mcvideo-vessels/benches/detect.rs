//! Criterion bench of vessel enhancement and extraction on the 720x576 temporal mean of a
//! synthetic clip (mcvideo-synth, 1.2 µm/px), with and without the std image's flow evidence.

use criterion::{criterion_group, criterion_main, Criterion};
use mcvideo_synth::SynthParams;
use mcvideo_vessels::{detect_vessels, detect_vessels_with_motion, VesselParams};

fn bench_detect(c: &mut Criterion) {
    let params = SynthParams {
        width: 720,
        height: 576,
        duration_s: 0.4,
        ..SynthParams::default()
    };
    let (mean, std, truth) = mcvideo_testkit::synth_mean::synth_mean_std(&params);
    let vessel_params = VesselParams::default();
    c.bench_function("detect_vessels 720x576 @1.2um/px", |b| {
        b.iter(|| detect_vessels(&mean, 1.2, truth.valid_region, &vessel_params))
    });
    // What `mcvideo score` runs: the mean image plus the flow evidence of the std image.
    c.bench_function("detect_vessels_with_motion 720x576 @1.2um/px", |b| {
        b.iter(|| {
            detect_vessels_with_motion(&mean, Some(&std), 1.2, truth.valid_region, &vessel_params)
        })
    });
    // The same without gap bridging, to show what bridging costs under the same load.
    let unbridged = VesselParams {
        bridge_gap_um: 0.0,
        ..VesselParams::default()
    };
    c.bench_function("detect_vessels 720x576 @1.2um/px, no bridging", |b| {
        b.iter(|| detect_vessels(&mean, 1.2, truth.valid_region, &unbridged))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench_detect
}
criterion_main!(benches);

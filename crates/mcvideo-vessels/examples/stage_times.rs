//! Times the stages of detection on the 720x576 mean of a synth clip
//! (`cargo run --release -p mcvideo-vessels --example stage_times`).
use mcvideo_synth::SynthParams;
use mcvideo_vessels::{background, detect_vessels, ridge, skeleton, VesselParams};
use std::time::Instant;

fn main() {
    let sp = SynthParams {
        width: 720,
        height: 576,
        duration_s: 0.4,
        ..SynthParams::default()
    };
    let (mean, truth) = mcvideo_testkit::synth_mean::synth_mean(&sp);
    let (w, h) = (720usize, 576usize);
    let um = 1.2;
    let p = VesselParams::default();
    for _ in 0..3 {
        let t = Instant::now();
        let c = background::relative_contrast(mean.as_raw(), w, h, 31);
        let t1 = t.elapsed();
        let scales = ridge::scales_for_widths(
            p.min_diameter_um / um,
            p.max_diameter_um / um,
            p.scale_ratio,
        );
        let r = ridge::ridge_map(&c, w, h, &scales, 0.75, 1e-3);
        let t2 = t.elapsed();
        let sig: Vec<f32> = r.score.iter().map(|s| s / 2.5).collect();
        let mut m = skeleton::hysteresis(&sig, w, h, 0.7, 1.0, &vec![true; w * h]);
        let t3 = t.elapsed();
        skeleton::thin(&mut m, w, h);
        let t4 = t.elapsed();
        let found = detect_vessels(&mean, um, truth.valid_region, &p).unwrap();
        let t5 = t.elapsed() - t4;
        println!(
            "background {t1:?} ridges {:?} ({} scales) hysteresis {:?} thin {:?} | detect_vessels {t5:?} ({} segments)",
            t2 - t1,
            scales.len(),
            t3 - t2,
            t4 - t3,
            found.len()
        );
    }
}

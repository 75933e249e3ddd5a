//! Acceptance thresholds (README) on small, short mcvideo-synth clips, with a margin for
//! their few vessels (the full table over seeds, scales and degraded variants is
//! `examples/acceptance.rs`).

use mcvideo_synth::SynthParams;
use mcvideo_testkit::evaluate::compare;
use mcvideo_testkit::synth_mean::{synth_mean_std, true_vessels};
use mcvideo_vessels::{detect_vessels_with_motion, VesselParams};

/// A 240×180 clip of 1.2 s: few vessels, quick to render in a test.
fn small_clip(seed: u64, um_per_px: f64) -> SynthParams {
    SynthParams {
        seed,
        um_per_px,
        width: 240,
        height: 180,
        duration_s: 1.2,
        ..SynthParams::default()
    }
}

#[test]
fn synth_clip_meets_acceptance() {
    for (seed, um) in [(0u64, 1.2), (1, 0.8)] {
        let (mean, std, truth) = synth_mean_std(&small_clip(seed, um));
        let region = truth.valid_region;
        let found =
            detect_vessels_with_motion(&mean, Some(&std), um, region, &VesselParams::default())
                .unwrap();
        let c = compare(
            &true_vessels(&truth),
            &found,
            region,
            20.0 / um,
            [5.0 / um, 30.0 / um],
        );
        let small_len_um: f64 = found
            .iter()
            .filter(|v| v.small)
            .map(|v| v.length_px * um)
            .sum();
        let area_mm2 = (region[2] - region[0]) * (region[3] - region[1]) * um * um * 1e-6;
        let tvd = small_len_um * 1e-3 / area_mm2;
        let tvd_err = tvd / truth.metrics.tvd_mm_per_mm2 - 1.0;
        eprintln!("seed {seed} um {um}: tvd err {tvd_err:+.3} {c:?}");
        assert!(tvd_err.abs() <= 0.15, "seed {seed}: TVD error {tvd_err}");
        assert!(c.small_detected_fraction >= 0.85, "seed {seed}: {c:?}");
        assert!(c.small_false_fraction <= 0.12, "seed {seed}: {c:?}");
        assert!(c.median_position_error_px <= 1.0, "seed {seed}: {c:?}");
        assert!(c.median_diameter_error_px * um <= 2.5, "seed {seed}: {c:?}");
    }
}

/// Free ends stop at the last line point (`end_ridge_offset_px`, module `ends`): on synth
/// clips at 0.8 µm/px, where hysteresis grows the mask furthest past a line's end, the
/// skeleton's tails are false length, so cutting them must remove false length and keep the
/// found length.
#[test]
fn free_ends_stop_at_the_last_line_point() {
    let mut pooled = [[0.0f64; 3]; 2];
    for seed in [1u64, 4] {
        let (mean, std, truth) = synth_mean_std(&small_clip(seed, 0.8));
        let region = truth.valid_region;
        for (k, offset) in [0.0, VesselParams::default().end_ridge_offset_px]
            .into_iter()
            .enumerate()
        {
            let vessel_params = VesselParams {
                end_ridge_offset_px: offset,
                ..VesselParams::default()
            };
            let found =
                detect_vessels_with_motion(&mean, Some(&std), 0.8, region, &vessel_params).unwrap();
            let c = compare(&true_vessels(&truth), &found, region, 25.0, [6.25, 37.5]);
            pooled[k][0] += c.true_small_length_px;
            pooled[k][1] += c.small_detected_fraction * c.true_small_length_px;
            pooled[k][2] += c.small_false_fraction * c.detected_small_length_px;
        }
    }
    let [kept, cut] = pooled;
    eprintln!("skeleton ends {kept:?}, cut at the last line point {cut:?}");
    assert!(
        cut[2] < 0.9 * kept[2],
        "false length {} -> {}",
        kept[2],
        cut[2]
    );
    assert!(
        cut[1] / cut[0] >= kept[1] / kept[0] - 0.01,
        "found {} -> {}",
        kept[1] / kept[0],
        cut[1] / cut[0]
    );
}

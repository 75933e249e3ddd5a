//! Acceptance tier of the whole pipeline: the README's end-to-end targets asserted on the
//! clips it reports, each target holding on the mean over the clips and on at least 90% of
//! them. The known shortfalls (the low-SNR regime, the real clip's flowing share, CytoCam
//! segment length) assert their targets too and are listed in docs/accuracy.md as expected
//! failures with their measured figures. Run in release with the rest of the tier:
//! `tools/acceptance.sh`.

use mcvideo_metrics::FlowClass;
use mcvideo_score::{score_clip, ScoreParams, ScoreReport};
use mcvideo_synth::SynthParams;
use mcvideo_testkit::compare::median;
use mcvideo_testkit::score_suite::{
    default_suite, end_to_end_verdicts, low_snr_suite, low_snr_verdicts, score_case, score_suite,
    Case,
};
use mcvideo_testkit::targets::{assert_verdicts, on_clips, Bound};
use std::path::Path;

#[test]
#[ignore = "acceptance tier: tools/acceptance.sh (release, 288 clips, about 7 minutes)"]
fn end_to_end_targets_on_288_clips() {
    let rows = score_suite(
        &default_suite(288, 100, 320, 240, 3.0),
        &ScoreParams::default(),
    )
    .expect("every clip scores");
    assert_verdicts(
        "end to end, 288 clips (seeds 100-387)",
        &end_to_end_verdicts(&rows),
    );
}

#[test]
#[ignore = "acceptance tier, known shortfall: tools/acceptance.sh (release, about a minute)"]
fn low_snr_regime_targets_on_36_clips() {
    let rows =
        score_suite(&low_snr_suite(36, 500), &ScoreParams::default()).expect("every clip scores");
    assert_verdicts(
        "low-SNR regime, 36 clips (seeds 500-535)",
        &low_snr_verdicts(&rows),
    );
}

/// Share of the small-vessel length whose flow class is sluggish or continuous.
fn flowing_small_share(report: &ScoreReport) -> f64 {
    let small = report.vessels.iter().filter(|v| v.small);
    let total: f64 = small.clone().map(|v| v.length_um).sum();
    let flowing: f64 = small
        .filter(|v| matches!(v.flow_class, FlowClass::Sluggish | FlowClass::Continuous))
        .map(|v| v.length_um)
        .sum();
    flowing / total
}

#[test]
#[ignore = "acceptance tier, known shortfall: tools/acceptance.sh (release, seconds)"]
fn real_clip_small_vessels_read_flowing() {
    // NCFLOWSPEED's recording: every small vessel in it flows (its authors' speed map), so
    // at least 80% of the small-vessel length should read sluggish or continuous.
    let clip =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/real/ncflowspeed/clip.mkv");
    let params = ScoreParams {
        um_per_px: Some(0.77),
        no_overlay: true,
        ..ScoreParams::default()
    };
    let report = score_clip(&clip, &params)
        .expect("the real clip scores")
        .report;
    let share = 100.0 * flowing_small_share(&report);
    assert_verdicts(
        "real clip (fixtures/real/ncflowspeed)",
        &[on_clips(
            "small-vessel length flowing %",
            &[share],
            Bound::AtLeast(80.0),
        )],
    );
}

#[test]
#[ignore = "acceptance tier, known shortfall: tools/acceptance.sh (release, under a minute and 0.7 GB)"]
fn cytocam_sized_clip_keeps_tvd_and_segment_length() {
    let case = Case {
        name: "cytocam s5".into(),
        params: SynthParams {
            seed: 5,
            duration_s: 2.0,
            ..SynthParams::cytocam()
        },
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let params = ScoreParams {
        no_overlay: true,
        ..ScoreParams::default()
    };
    let scored = score_case(&case, dir.path(), "cytocam", &params).expect("the clip scores");
    let measured = median(small_lengths(&scored.scored.report));
    let truth = median(
        scored
            .clip
            .truth
            .vessels
            .iter()
            .filter(|v| v.small)
            .map(|v| v.length_um)
            .collect(),
    );
    let (measured, truth) = (
        measured.expect("small segments"),
        truth.expect("small vessels"),
    );
    let length_err_pct = 100.0 * (measured / truth - 1.0);
    println!("median small segment {measured:.1} um against the truth's {truth:.1} um");
    assert_verdicts(
        "CytoCam-sized clip (2208x1648, seed 5)",
        &[
            on_clips(
                "small-vessel TVD |error| %",
                &[scored.row.tvd_err_pct.abs()],
                Bound::AtMost(8.0),
            ),
            on_clips(
                "median small segment length |error| %",
                &[length_err_pct.abs()],
                Bound::AtMost(20.0),
            ),
        ],
    );
}

fn small_lengths(report: &ScoreReport) -> Vec<f64> {
    report
        .vessels
        .iter()
        .filter(|v| v.small)
        .map(|v| v.length_um)
        .collect()
}

//! Acceptance tier of vessel detection: the README's targets asserted on the 63-clip suite
//! of `mcvideo_testkit::vessel_suite` (seeds 0–2 × 0.8/1.2/1.6 µm/px × 7 variants). Each
//! target must hold on the mean over the clips and on at least 90% of the clips. Run in
//! release with the rest of the tier: `tools/acceptance.sh`.

use mcvideo_testkit::targets::assert_verdicts;
use mcvideo_testkit::vessel_suite::{measure_case, vessel_cases, vessel_verdicts};
use mcvideo_vessels::VesselParams;

#[test]
#[ignore = "acceptance tier: tools/acceptance.sh (release, about 2 minutes)"]
fn vessel_targets_on_63_clips() {
    let clips: Vec<_> = vessel_cases(3, 0, None)
        .iter()
        .map(|case| measure_case(case, &VesselParams::default(), true).expect("detection runs"))
        .collect();
    assert_eq!(clips.len(), 63);
    assert_verdicts("vessels, 63 clips", &vessel_verdicts(&clips));
}

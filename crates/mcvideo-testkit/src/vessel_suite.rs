//! The vessel-detection acceptance suite: seeds × scales × degraded variants of
//! `mcvideo-synth` clips, each detected from its mean and temporal standard deviation images
//! (true shifts) and compared with its truth. Shared by the acceptance test
//! (`mcvideo-vessels/tests/vessels/acceptance.rs`) and the table-printing example
//! (`mcvideo-vessels/examples/acceptance.rs`).

use crate::evaluate::{compare, Comparison};
use crate::synth_mean::{synth_mean_std, true_vessels};
use crate::targets::{on_clips, Bound, Verdict};
use mcvideo_metrics::{site_metrics, FlowClass, MeasuredVessel, MetricsParams};
use mcvideo_synth::{SynthParams, Truth};
use mcvideo_vessels::{
    detect_vessels_with_motion, FloatImage, VesselError, VesselParams, VesselSegment,
};

/// A degraded variant: its name and how it changes the default synth parameters.
pub type Variant = (&'static str, fn(&mut SynthParams));

/// The seven variants of the suite.
pub const VARIANTS: [Variant; 7] = [
    ("clean", |_p| {}),
    ("noise2", |p| p.noise = 2.0),
    ("defocus1.5", |p| p.defocus_px = 1.5),
    ("dark0.5", |p| p.illumination = 0.5),
    ("texture1.5", |p| p.texture = 1.5),
    ("motion3", |p| p.motion = 3.0),
    // Shock flow mix: half the vessels hold static or intermittent cells, so in the mean
    // image they are dotted lines rather than continuous dark ones.
    ("shock", |p| p.flow_mix = [0.25, 0.25, 0.25, 0.25]),
];

/// The scales (µm/px) every variant is rendered at.
pub const SCALES: [f64; 3] = [0.8, 1.2, 1.6];

/// Small vessels are those below this diameter (µm), as in the metrics.
const SMALL_VESSEL_CUTOFF_UM: f64 = 20.0;
/// Diameters are compared for true vessels within this range (µm).
const DIAMETER_RANGE_UM: [f64; 2] = [5.0, 30.0];

/// One clip of the suite.
#[derive(Debug, Clone)]
pub struct VesselCase {
    pub variant: &'static str,
    pub params: SynthParams,
}

/// The suite: every variant whose name starts with `only` (all when `None`), at each of
/// [`SCALES`], for seeds `first_seed..first_seed + seeds`.
pub fn vessel_cases(seeds: u64, first_seed: u64, only: Option<&str>) -> Vec<VesselCase> {
    let mut cases = Vec::new();
    for (name, apply) in VARIANTS {
        if only.is_some_and(|o| !name.starts_with(o)) {
            continue;
        }
        for um in SCALES {
            for seed in first_seed..first_seed + seeds {
                let mut params = SynthParams {
                    seed,
                    um_per_px: um,
                    ..SynthParams::default()
                };
                apply(&mut params);
                cases.push(VesselCase {
                    variant: name,
                    params,
                });
            }
        }
    }
    cases
}

/// One detected clip against its truth.
#[derive(Debug)]
pub struct VesselClip {
    /// Small-vessel TVD error, % of the truth's.
    pub tvd_err_pct: f64,
    pub comparison: Comparison,
    pub found: Vec<VesselSegment>,
    pub mean: FloatImage,
    pub truth: Truth,
}

impl VesselClip {
    /// Median diameter error, µm.
    pub fn diameter_err_um(&self) -> f64 {
        self.comparison.median_diameter_error_px * self.truth.um_per_px
    }
}

/// Renders and detects one clip; `motion` adds the temporal standard deviation image.
pub fn measure_case(
    case: &VesselCase,
    params: &VesselParams,
    motion: bool,
) -> Result<VesselClip, VesselError> {
    let um = case.params.um_per_px;
    let (mean, std, truth) = synth_mean_std(&case.params);
    let region = truth.valid_region;
    let found = detect_vessels_with_motion(&mean, motion.then_some(&std), um, region, params)?;
    let comparison = compare(
        &true_vessels(&truth),
        &found,
        region,
        SMALL_VESSEL_CUTOFF_UM / um,
        [DIAMETER_RANGE_UM[0] / um, DIAMETER_RANGE_UM[1] / um],
    );
    let tvd_err_pct =
        100.0 * (small_vessel_tvd(&found, um, region) / truth.metrics.tvd_mm_per_mm2 - 1.0);
    Ok(VesselClip {
        tvd_err_pct,
        comparison,
        found,
        mean,
        truth,
    })
}

/// Small-vessel TVD (mm/mm²) of detected segments, flow left aside.
pub fn small_vessel_tvd(vessels: &[VesselSegment], um_per_px: f64, region: [f64; 4]) -> f64 {
    let measured: Vec<MeasuredVessel> = vessels
        .iter()
        .map(|v| MeasuredVessel {
            flow_unresolved: false,
            centerline_px: v.centerline_px.clone(),
            diameter_um: v.diameter_um,
            flow_class: FlowClass::Continuous,
            velocity_um_s: None,
        })
        .collect();
    let p = MetricsParams {
        um_per_px,
        small_vessel_cutoff_um: SMALL_VESSEL_CUTOFF_UM,
        valid_region: region,
    };
    site_metrics(&measured, &p)
        .map(|m| m.tvd_mm_per_mm2)
        .unwrap_or(f64::NAN)
}

/// The README's vessel targets on a set of clips: small-vessel TVD within ±8%, small length
/// found ≥ 90%, false ≤ 10%, median centerline error ≤ 1 px, median diameter error ≤ 2 µm.
pub fn vessel_verdicts(clips: &[VesselClip]) -> Vec<Verdict> {
    let per_clip = |f: &dyn Fn(&VesselClip) -> f64| clips.iter().map(f).collect::<Vec<f64>>();
    vec![
        on_clips(
            "small-vessel TVD |error| %",
            &per_clip(&|c| c.tvd_err_pct.abs()),
            Bound::AtMost(8.0),
        ),
        on_clips(
            "small length found %",
            &per_clip(&|c| 100.0 * c.comparison.small_detected_fraction),
            Bound::AtLeast(90.0),
        ),
        on_clips(
            "small length false %",
            &per_clip(&|c| 100.0 * c.comparison.small_false_fraction),
            Bound::AtMost(10.0),
        ),
        on_clips(
            "centerline error px (median per clip)",
            &per_clip(&|c| c.comparison.median_position_error_px),
            Bound::AtMost(1.0),
        ),
        on_clips(
            "diameter error um (median per clip)",
            &per_clip(&VesselClip::diameter_err_um),
            Bound::AtMost(2.0),
        ),
    ]
}

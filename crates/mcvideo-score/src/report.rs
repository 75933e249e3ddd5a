//! The score JSON of SPEC.md (`mcvideo.score.v1`) as Rust types.

use serde::Serialize;
use std::collections::BTreeMap;

/// The schema name every complete score JSON carries.
pub const SCORE_SCHEMA: &str = "mcvideo.score.v1";

/// `mcvideo inspect`: the clip, its scale, its registration and its quality.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    pub schema: String,
    pub version: String,
    pub clip: mcvideo_decode::ClipInfo,
    pub calibration: mcvideo_calibration::Calibration,
    pub stabilization: mcvideo_stabilize::Stabilization,
    pub quality: mcvideo_quality::Quality,
    /// Wall time per stage, in milliseconds (the only part that varies between runs).
    pub timings_ms: BTreeMap<String, f64>,
}

/// One vessel segment as the score JSON reports it.
#[derive(Debug, Clone, Serialize)]
pub struct VesselReport {
    pub id: usize,
    /// Centerline in reference-frame pixels.
    pub centerline_px: Vec<[f64; 2]>,
    pub length_um: f64,
    pub diameter_um: f64,
    /// diameter_um < small_vessel_cutoff_um.
    pub small: bool,
    /// Relative lumen contrast in the mean image (0.1 = 10% darker than the tissue beside it).
    pub contrast: f64,
    /// Mean red-cell speed while flowing; null when there is no flow.
    pub velocity_um_s: Option<f64>,
    /// True when the cells were faster than the measurable range: the speed is then
    /// "at least `velocity_um_s`".
    pub velocity_at_least: bool,
    /// The fastest speed this segment can measure (set by its length and the frame rate).
    pub v_max_um_s: f64,
    /// Share of the clip during which the cells move.
    pub flowing_fraction: f64,
    /// 0 no flow, 1 intermittent, 2 sluggish, 3 continuous.
    pub flow_class: u8,
    /// True when the segment was too short to measure and its flow fields come from the
    /// longest measured vessel sharing one of its ends.
    pub flow_from_neighbour: bool,
    /// Length of the plasma gaps (µm) across which stopped pieces were joined into this
    /// vessel (`VesselParams::join_stopped_gap_um`); 0 for a vessel as detected.
    pub joined_gaps_um: f64,
}

/// `mcvideo score`: the whole score JSON.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreReport {
    pub schema: String,
    pub version: String,
    pub clip: mcvideo_decode::ClipInfo,
    pub calibration: mcvideo_calibration::Calibration,
    pub stabilization: mcvideo_stabilize::Stabilization,
    pub quality: mcvideo_quality::Quality,
    pub vessels: Vec<VesselReport>,
    pub metrics: mcvideo_metrics::SiteMetrics,
    /// Wall time per stage, in milliseconds (the only part that varies between runs).
    pub timings_ms: BTreeMap<String, f64>,
}

//! The score JSON of SPEC.md (`mcvideo.score.v1`) as Rust types.

use crate::ScoreParams;
use mcvideo_vessels::polarity::Polarity;
use serde::Serialize;
use std::collections::BTreeMap;

/// The schema name every complete score JSON carries.
pub const SCORE_SCHEMA: &str = "mcvideo.score.v1";

/// The JSON Schema (draft 2020-12) of the score JSON, generated from [`ScoreReport`] and the
/// types it embeds, pretty-printed with a final newline: the text of `docs/score.schema.json`
/// (`cargo run -p mcvideo-score --example score_schema > docs/score.schema.json`).
///
/// ```
/// let schema: serde_json::Value =
///     serde_json::from_str(&mcvideo_score::report::score_json_schema()).unwrap();
/// assert_eq!(schema["title"], "ScoreReport");
/// assert!(schema["required"].as_array().unwrap().iter().any(|f| f == "vessels"));
/// ```
pub fn score_json_schema() -> String {
    let schema = schemars::schema_for!(ScoreReport);
    // A schema of plain derived types always serializes.
    let mut text = serde_json::to_string_pretty(&schema)
        .unwrap_or_else(|e| unreachable!("a derived JSON Schema serializes: {e}"));
    text.push('\n');
    text
}

/// How the polarity of a clip was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PolaritySource {
    /// Decided from the clip.
    Auto,
    /// Given by `--polarity` or the parameter file.
    Option,
}

/// The clip as decoded ([`mcvideo_decode::ClipInfo`], whose fields it shows in place) and
/// which way round its vessels are.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClipReport {
    #[serde(flatten)]
    pub info: mcvideo_decode::ClipInfo,
    /// `dark` (vessels darker than the tissue, analysed as they are) or `bright` (the frames
    /// were inverted after decoding, so the stages saw dark vessels; coordinates unchanged).
    pub polarity: Polarity,
    /// `auto` (decided from the clip) or `option` (given).
    pub polarity_source: PolaritySource,
    /// The automatic decision's score in [-1, 1], positive for bright vessels; its magnitude
    /// is the margin (`mcvideo_vessels::polarity::polarity_of_mean`). Computed also when the
    /// polarity was given, as a check.
    pub polarity_score: f64,
}

impl std::ops::Deref for ClipReport {
    type Target = mcvideo_decode::ClipInfo;
    fn deref(&self) -> &Self::Target {
        &self.info
    }
}

/// `mcvideo inspect`: the clip, its scale, its registration and its quality.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    pub schema: String,
    pub version: String,
    pub clip: ClipReport,
    pub calibration: mcvideo_calibration::Calibration,
    pub stabilization: mcvideo_stabilize::Stabilization,
    pub quality: mcvideo_quality::Quality,
    /// Wall time per stage, in milliseconds (the only part that varies between runs).
    pub timings_ms: BTreeMap<String, f64>,
    /// Every parameter the run used (the defaults, a parameter file and the options).
    pub params: ScoreParams,
}

/// One vessel segment as the score JSON reports it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    pub flow_class: mcvideo_metrics::FlowClass,
    /// Share of the clip in windows that showed neither a streak nor standing cells of their
    /// own; their state came from the whole clip (see `mcvideo_flow::WindowState`).
    pub unresolved_fraction: f64,
    /// True when nothing in the clip tells whether the vessel flows (no window moved, no
    /// streak over the whole clip, no standing cells visible): `flow_class` is then 0 but is
    /// no finding of no flow, and the vessel is left out of PPV and MFI.
    pub flow_unresolved: bool,
    /// True when the segment was too short to measure and its flow fields come from the
    /// longest measured vessel sharing one of its ends.
    pub flow_from_neighbour: bool,
    /// Length of the plasma gaps (µm) across which stopped pieces were joined into this
    /// vessel (`VesselParams::join_stopped_gap_um`); 0 for a vessel as detected.
    pub joined_gaps_um: f64,
}

/// `mcvideo score`: the whole score JSON.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScoreReport {
    pub schema: String,
    pub version: String,
    pub clip: ClipReport,
    pub calibration: mcvideo_calibration::Calibration,
    pub stabilization: mcvideo_stabilize::Stabilization,
    pub quality: mcvideo_quality::Quality,
    pub vessels: Vec<VesselReport>,
    pub metrics: mcvideo_metrics::SiteMetrics,
    /// Wall time per stage, in milliseconds (the only part that varies between runs).
    pub timings_ms: BTreeMap<String, f64>,
    /// Every parameter the run used (the defaults, a parameter file and the options), with
    /// the scale as the manifest row or command line gave it.
    pub params: ScoreParams,
}

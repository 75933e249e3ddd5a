//! Everything that tunes one clip's scoring, with the defaults each stage documents.

use serde::Serialize;

/// Parameters of the whole pipeline.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScoreParams {
    /// Device preset name (`--device`).
    pub device: Option<String>,
    /// Explicit scale (`--um-per-px`), overriding the preset.
    pub um_per_px: Option<f64>,
    /// Registration.
    pub stabilize: mcvideo_stabilize::StabilizeParams,
    /// Quality grading.
    pub quality: mcvideo_quality::QualityParams,
    /// Vessel detection (holds the small-vessel cutoff).
    pub vessels: mcvideo_vessels::VesselParams,
    /// Red-cell flow and the flow-class rule.
    pub flow: mcvideo_flow::FlowParams,
    /// Skip drawing the overlay (batch runs that do not want pictures).
    pub no_overlay: bool,
    /// FFmpeg decoder threads; 0 lets FFmpeg choose (one per core). A batch scores several
    /// clips at once and sets 1, so that `--jobs` alone decides how many cores are used.
    pub decode_threads: usize,
    /// Interlaced clips: analyse whole frames (default) or each field as an image of its own
    /// at twice the rate (`--fields split`).
    pub fields: mcvideo_decode::FieldMode,
}

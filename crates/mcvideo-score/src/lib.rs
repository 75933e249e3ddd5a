//! One clip end to end: decode, calibrate, stabilize, grade quality, segment vessels, measure flow, score.
//!
//! This crate only composes the stage crates; each stage owns its algorithm. The output is
//! the score JSON of docs/spec.md (`mcvideo.score.v1`) as [`ScoreReport`], plus the overlay
//! picture. [`score_clip`] scores a file; [`score_frames`] scores frames already decoded or
//! made in memory (a live window), through the same stages.

pub mod batch_scorer;
pub mod error;
pub mod overlay;
pub mod params;
pub mod pipeline;
pub mod quality_slots;
pub mod refine;
pub mod report;
pub mod stream;
pub mod summary;

pub use batch_scorer::PipelineScorer;
pub use error::ScoreError;
pub use mcvideo_calibration::UM_PER_PX_RANGE;
pub use mcvideo_decode::{FieldMode, MIN_FRAME_SIDE};
pub use mcvideo_vessels::polarity::Polarity;
pub use params::{PolarityChoice, ScoreParams};
pub use pipeline::{inspect_clip, score_clip, score_frames, FrameClip, ScoredOutput};
pub use refine::RefineParams;
pub use report::{
    ClipReport, InspectReport, PolaritySource, ScoreReport, VesselReport, SCORE_SCHEMA,
};
pub use summary::{inspect_summary, score_summary};

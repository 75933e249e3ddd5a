//! The error type of one clip's scoring: which stage failed, on which file, and why.

use std::path::PathBuf;

/// Why a clip could not be scored. Every message names the clip.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    /// The clip could not be decoded (the decode error names the file already).
    #[error(transparent)]
    Decode(#[from] mcvideo_decode::DecodeError),
    /// The scale is unknown or implausible (the calibration error names the clip already).
    #[error(transparent)]
    Calibration(#[from] mcvideo_calibration::CalibrationError),
    /// A parameter file could not be read or holds something no parameter takes.
    #[error("{path}: {message}")]
    Params { path: PathBuf, message: String },
    /// The clip is too short to tell flow: fewer frames than one flow window.
    #[error(
        "{path}: the clip has {frames} frames; flow needs at least {needed} \
         (one flow window of {window_s} s at {fps:.2} fps), so its flow metrics cannot be measured"
    )]
    TooShort {
        path: PathBuf,
        frames: usize,
        needed: usize,
        fps: f64,
        window_s: f64,
    },
    /// The memory budget is too small for this clip.
    #[error(
        "{path}: a memory budget of {budget_mb:.0} MB cannot score {detail}: it needs at least \
         {needed_mb:.0} MB (--memory-budget)"
    )]
    MemoryBudget {
        path: PathBuf,
        budget_mb: f64,
        needed_mb: f64,
        detail: String,
    },
    /// Frames handed to [`crate::score_frames`] that are no clip (none, of differing sizes,
    /// too small, or at a rate that is not positive).
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    /// A stage failed on this clip.
    #[error("{path}: {stage} failed: {message}")]
    Stage {
        path: PathBuf,
        stage: &'static str,
        message: String,
    },
}

impl ScoreError {
    pub(crate) fn stage(
        path: &std::path::Path,
        stage: &'static str,
        err: impl std::fmt::Display,
    ) -> Self {
        ScoreError::Stage {
            path: path.to_path_buf(),
            stage,
            message: err.to_string(),
        }
    }
}

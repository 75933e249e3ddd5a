//! The error type of synthetic-study generation.

use std::path::PathBuf;

/// Why a synthetic study could not be written.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// A parameter is out of range.
    #[error("bad synthetic-study parameter: {0}")]
    Params(String),
    /// A clip could not be rendered or written.
    #[error("{path}: {message}")]
    Clip { path: PathBuf, message: String },
    /// A file could not be written.
    #[error("{path}: {message}")]
    Write { path: PathBuf, message: String },
}

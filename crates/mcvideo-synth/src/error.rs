//! The error type of mcvideo-synth: every message names the parameter or file and the problem.

use std::path::PathBuf;

/// Why a synthetic clip could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A parameter is out of range.
    #[error("bad parameter {name} = {value}: {problem}")]
    BadParameter {
        name: &'static str,
        value: String,
        problem: &'static str,
    },
    /// The truth metrics could not be computed.
    #[error("truth metrics: {0}")]
    Metrics(#[from] mcvideo_metrics::MetricsError),
    /// Encoding the clip failed.
    #[error(transparent)]
    Encode(#[from] mcvideo_encode::EncodeError),
    /// Writing a file failed.
    #[error("{path}: {step}: {source}")]
    Io {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// Serializing the truth failed.
    #[error("{path}: cannot serialize the truth: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

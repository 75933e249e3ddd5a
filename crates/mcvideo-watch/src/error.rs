//! The error type of live scoring: the source, a window's recording, or the output failed.

use std::path::PathBuf;

/// Why watching stopped. Every message names the source or file.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The source could not be opened or decoded (the decode error names it).
    #[error(transparent)]
    Decode(#[from] mcvideo_decode::DecodeError),
    /// The scale is unknown or implausible (the calibration error names the source).
    #[error(transparent)]
    Calibration(#[from] mcvideo_calibration::CalibrationError),
    /// The best window's frames could not be written (`--record`).
    #[error(transparent)]
    Encode(#[from] mcvideo_encode::EncodeError),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The best window's score JSON could not be written.
    #[error("{0}")]
    Record(String),
    /// A watch parameter is out of range.
    #[error("{0}")]
    Params(String),
    /// The source ended before one window was complete.
    #[error(
        "{source_name}: the stream ended after {frames} frames, fewer than one window of \
         {needed} ({window_s} s at {fps:.2} fps)"
    )]
    TooShort {
        source_name: String,
        frames: u64,
        needed: usize,
        window_s: f64,
        fps: f64,
    },
    /// Writing a window's output failed (a closed pipe, a full disk).
    #[error("writing the output: {0}")]
    Output(std::io::Error),
}

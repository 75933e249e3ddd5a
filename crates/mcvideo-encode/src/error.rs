//! The error type of mcvideo-encode: every message names the file and the problem.

use std::path::PathBuf;

/// Why a clip or frame folder could not be written.
#[derive(thiserror::Error, Debug)]
pub enum EncodeError {
    /// FFmpeg takes paths as UTF-8 C strings: this one is not valid UTF-8 or holds a NUL.
    #[error("{path}: FFmpeg needs a UTF-8 path without NUL characters")]
    BadPath { path: PathBuf },
    /// The frame size cannot be stored in the chosen format.
    #[error("{path}: cannot write a {width}x{height} clip as {format}: {reason}")]
    BadSize {
        path: PathBuf,
        width: u32,
        height: u32,
        format: &'static str,
        reason: &'static str,
    },
    /// The frame rate is not positive/finite, or not one the format allows.
    #[error("{path}: cannot write {fps} frames/s as {format}: {reason}")]
    BadFps {
        path: PathBuf,
        fps: f64,
        format: &'static str,
        reason: &'static str,
    },
    /// A frame does not have the size the writer was created with.
    #[error("{path}: frame {index} is {got_width}x{got_height}, the clip is {width}x{height}")]
    FrameSize {
        path: PathBuf,
        index: u64,
        width: u32,
        height: u32,
        got_width: u32,
        got_height: u32,
    },
    /// This FFmpeg build lacks the encoder.
    #[error("{path}: FFmpeg has no {codec} encoder")]
    MissingEncoder { path: PathBuf, codec: &'static str },
    /// FFmpeg failed while doing `step`.
    #[error("{path}: FFmpeg failed while {step}: {source}")]
    Ffmpeg {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: ffmpeg_next::Error,
    },
    /// A file system operation failed.
    #[error("{path}: {step}: {source}")]
    Io {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The image crate could not write a frame file.
    #[error("{path}: cannot write frame image: {source}")]
    Image {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
}

impl EncodeError {
    /// [`EncodeError::FrameSize`] when `frame`, the clip's frame `index`, is not `size`.
    pub(crate) fn check_frame_size(
        path: &std::path::Path,
        index: u64,
        size: (u32, u32),
        frame: &image::GrayImage,
    ) -> Result<(), EncodeError> {
        if frame.dimensions() == size {
            return Ok(());
        }
        Err(EncodeError::FrameSize {
            path: path.to_path_buf(),
            index,
            width: size.0,
            height: size.1,
            got_width: frame.width(),
            got_height: frame.height(),
        })
    }
}

//! The error type of mcvideo-decode: every message reads `<path>: <problem>`.

use std::path::PathBuf;

/// Why a clip or frame folder could not be decoded.
#[derive(thiserror::Error, Debug)]
pub enum DecodeError {
    /// Neither a file nor a folder exists at the path.
    #[error("{path}: no such file or folder")]
    NotFound { path: PathBuf },
    /// FFmpeg does not recognise the file as a video (or any media) file.
    #[error("{path}: not a video file FFmpeg can read ({detail})")]
    NotAVideo { path: PathBuf, detail: String },
    /// The file is media, but holds no video stream.
    #[error("{path}: the file holds no video stream")]
    NoVideoStream { path: PathBuf },
    /// This FFmpeg build has no decoder for the stream's codec.
    #[error("{path}: FFmpeg has no decoder for the {codec} video codec")]
    UnsupportedCodec { path: PathBuf, codec: String },
    /// The decoder gives pixels in a layout this crate cannot turn into gray values.
    #[error("{path}: unsupported pixel format {format}")]
    UnsupportedPixelFormat { path: PathBuf, format: String },
    /// The container gives no frame rate for the video stream.
    #[error("{path}: the clip stores no frame rate")]
    NoFrameRate { path: PathBuf },
    /// The frames are too small to hold a microcirculation image.
    #[error("{path}: frames are {width}x{height} pixels; at least {min}x{min} are needed")]
    TooSmall {
        path: PathBuf,
        width: u32,
        height: u32,
        min: u32,
    },
    /// The clip holds no decodable frame at all.
    #[error("{path}: the clip holds no decodable video frame")]
    NoFrames { path: PathBuf },
    /// The data stops (or is damaged) before the end the container announces.
    #[error("{path}: truncated or damaged clip: {detail}")]
    Truncated { path: PathBuf, detail: String },
    /// Too many frames decode with errors (see [`crate::DecodeDamage`]).
    #[error("{path}: damaged clip: {detail}")]
    Damaged { path: PathBuf, detail: String },
    /// A frame has a size other than the clip's first frame.
    #[error("{path}: frame {index} is {got_width}x{got_height}, the clip is {width}x{height}")]
    FrameSizeChanged {
        path: PathBuf,
        index: u64,
        width: u32,
        height: u32,
        got_width: u32,
        got_height: u32,
    },
    /// A folder holds no PNG or TIFF frame files.
    #[error("{path}: the folder holds no PNG or TIFF frame files")]
    EmptyFolder { path: PathBuf },
    /// A frame image file of a folder could not be read.
    #[error("{path}: cannot read frame image: {source}")]
    Image {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
    /// A MetaImage (`.mha`/`.mhd`) header is malformed or describes data this crate does
    /// not read.
    #[error("{path}: MetaImage: {problem}")]
    MetaImage { path: PathBuf, problem: String },
    /// A caller-given option is out of range.
    #[error("{path}: {detail}")]
    BadOption { path: PathBuf, detail: String },
    /// FFmpeg failed while doing `step`.
    #[error("{path}: FFmpeg failed while {step}: {source}")]
    Ffmpeg {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: ffmpeg_next::Error,
    },
    /// The frames could not be kept in the temporary folder.
    #[error("{path}: cannot keep the decoded frames in the temporary folder {dir}: {detail}")]
    TempFile {
        path: PathBuf,
        dir: PathBuf,
        detail: String,
    },
    /// A file system operation failed.
    #[error("{path}: {step}: {source}")]
    Io {
        path: PathBuf,
        step: &'static str,
        #[source]
        source: std::io::Error,
    },
}

impl DecodeError {
    /// The file or folder the error is about.
    ///
    /// ```
    /// use std::path::{Path, PathBuf};
    /// let error = mcvideo_decode::DecodeError::NotFound { path: PathBuf::from("a.avi") };
    /// assert_eq!(error.path(), Path::new("a.avi"));
    /// assert_eq!(error.to_string(), "a.avi: no such file or folder");
    /// ```
    pub fn path(&self) -> &std::path::Path {
        match self {
            DecodeError::NotFound { path }
            | DecodeError::NotAVideo { path, .. }
            | DecodeError::NoVideoStream { path }
            | DecodeError::UnsupportedCodec { path, .. }
            | DecodeError::UnsupportedPixelFormat { path, .. }
            | DecodeError::NoFrameRate { path }
            | DecodeError::TooSmall { path, .. }
            | DecodeError::NoFrames { path }
            | DecodeError::Truncated { path, .. }
            | DecodeError::Damaged { path, .. }
            | DecodeError::FrameSizeChanged { path, .. }
            | DecodeError::EmptyFolder { path }
            | DecodeError::Image { path, .. }
            | DecodeError::MetaImage { path, .. }
            | DecodeError::BadOption { path, .. }
            | DecodeError::Ffmpeg { path, .. }
            | DecodeError::TempFile { path, .. }
            | DecodeError::Io { path, .. } => path,
        }
    }
}

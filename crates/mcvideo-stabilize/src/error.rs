//! The error type of mcvideo-stabilize.

/// Why a clip cannot be stabilized.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum StabilizeError {
    #[error("no frames to stabilize")]
    NoFrames,
    #[error("frame {index} is {found_w}x{found_h}, frame 0 is {w}x{h}")]
    SizeMismatch {
        index: usize,
        w: u32,
        h: u32,
        found_w: u32,
        found_h: u32,
    },
    #[error(
        "frames of {w}x{h} are too small to register (need at least 32x32 after downsampling)"
    )]
    TooSmall { w: u32, h: u32 },
    #[error("bad parameter: {0}")]
    BadParams(String),
    #[error("{0}")]
    WorkFile(String),
}

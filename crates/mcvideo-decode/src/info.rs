//! [`ClipInfo`] (clip metadata) and [`DecodeOptions`] (how to decode).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Frames smaller than this in width or height are rejected: no microcirculation image fits.
pub const MIN_FRAME_SIDE: u32 = 16;

/// Frame rate given to frame folders when the caller gives none.
pub const DEFAULT_FOLDER_FPS: f64 = 25.0;

/// What a clip is: its size, rate, length and codec.
///
/// From [`crate::probe`] (and [`crate::FrameReader::info`]) `frames` is what the container
/// announces (for Matroska, which stores no frame count, it is `duration × fps` rounded);
/// from [`crate::read_all`] it is the number of frames actually decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClipInfo {
    /// The file or frame folder.
    pub path: PathBuf,
    /// Number of frames.
    pub frames: u64,
    /// Frames per second.
    pub fps: f64,
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// `frames / fps`, in seconds.
    pub duration_s: f64,
    /// FFmpeg's codec name (`"ffv1"`, `"h264"`, `"mpeg4"`, `"mjpeg"`, `"dvvideo"`, `"rawvideo"`,
    /// ...), or `"png"` / `"tiff"` for frame folders.
    pub codec: String,
    /// Frames woven from two fields exposed 1/(2 fps) s apart (analog PAL/NTSC capture, DV):
    /// FFmpeg's interlaced flag on a decoded frame or the stream's field order. A moving cell
    /// then shows twice in one frame (combing). From [`crate::probe`] it reflects the stream
    /// header alone, from a streaming reader the frames' flags; [`crate::read_all`] also
    /// checks that the two fields differ in time ([`crate::fields::field_time_ratio`]), so
    /// progressive pictures stored as interlaced video read `false`. `false` for frame folders.
    #[serde(default)]
    pub interlaced: bool,
    /// Where the picture lies when the frames hold it inside a blank border, `[x0, y0, x1,
    /// y1]` (exclusive ends), set by whoever cropped the frames to it
    /// ([`crate::border::content_box`]); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_region: Option<[u32; 4]>,
    /// How evenly the frames are spaced in time, from their presentation timestamps (set by
    /// [`crate::read_all`] for video files; `None` for frame folders, single frames and
    /// streams without increasing timestamps, which are taken as evenly spaced at `fps`).
    /// When set, `fps` is the rate velocities are measured at: the effective rate of an
    /// evenly spaced clip, the resampling grid's rate of a variable-rate one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<crate::timing::FrameTiming>,
    /// Frames the decoder reported damaged (see [`DecodeDamage`]).
    #[serde(default)]
    pub decode_errors: DecodeDamage,
    /// Presentation time of each frame in seconds, in display order, as decoded (before any
    /// resampling; from [`crate::read_all`], empty from [`crate::probe`]). Not serialized.
    #[serde(skip)]
    pub frame_times_s: Vec<f64>,
}

/// Frames that did not decode cleanly: FFmpeg returned an error for them (the frame is lost)
/// or logged an error while decoding them and concealed the damage (an FFV1 slice whose CRC
/// does not match is copied from the previous frame; an MJPEG frame with a broken entropy code
/// keeps grey blocks). A clip fails when [`damage_limit`] of its frames, or [`MAX_DAMAGED_RUN`]
/// consecutive frames, are damaged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DecodeDamage {
    /// Damaged frames (lost or concealed).
    pub frames: u64,
    /// Of those, frames lost altogether.
    pub lost: u64,
    /// Longest run of consecutive damaged frames.
    pub longest_run: u64,
    /// The first damaged frame's index in decoding order (lost frames counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_frame: Option<u64>,
}

/// Damaged (or missing) frames a clip of `frames` frames may have: fewer than 2 % of them and
/// fewer than 2. A clip with as many damaged frames fails, as does one with
/// [`MAX_DAMAGED_RUN`] damaged frames in a row; the same count of missing frames makes a clip
/// truncated. One frame in fifty is the tolerance of the ffmpeg tool's users who pass
/// glitches; two at least, because muxers' frame counts can be off by one.
///
/// ```
/// assert_eq!(mcvideo_decode::damage_limit(40), 2);
/// assert_eq!(mcvideo_decode::damage_limit(500), 10);
/// ```
pub fn damage_limit(frames: u64) -> u64 {
    (frames / 50).max(2)
}

/// A clip with this many consecutive damaged frames fails, whatever its length: three frames
/// are 120 ms at 25 fps, longer than a red cell at capillary speed (300-1000 µm/s) takes to
/// cross a typical 40-100 µm segment, so its passage through the segment is lost.
pub const MAX_DAMAGED_RUN: u64 = 3;

/// What to do with interlaced video.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum FieldMode {
    /// Keep each frame whole, its two fields woven together (the default).
    #[default]
    Frames,
    /// When the clip is interlaced, deliver each field as an image of its own at full height,
    /// in the order they were exposed ([`crate::fields::split_fields`]): twice the frames at
    /// twice the rate, each one instant. Done by [`crate::read_all_with`] (the streaming
    /// reader delivers whole frames), and only when the fields really are apart in time
    /// ([`crate::fields::field_time_ratio`]); other clips are not changed.
    Split,
}

/// How [`crate::open_with`] and [`crate::read_all_with`] decode.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DecodeOptions {
    /// Frame rate of a frame folder (folders store none); `None` gives [`DEFAULT_FOLDER_FPS`].
    /// Ignored for video files, which carry their own rate.
    pub folder_fps: Option<f64>,
    /// When `true`, a truncated or damaged clip yields the frames that decode and then ends
    /// quietly; when `false` (the default) the stream ends with [`crate::DecodeError::Truncated`]
    /// if [`damage_limit`] of the frames the container announces are missing (for a container
    /// that stores no frame count, as much of its duration), or if packets failed to decode in
    /// a clip that announces no length, and with [`crate::DecodeError::Damaged`] if
    /// [`damage_limit`] frames, or [`MAX_DAMAGED_RUN`] in a row, decoded with errors.
    /// A clip with no decodable frame is an error either way.
    pub allow_truncated: bool,
    /// Decoder threads; 0 (the default) lets FFmpeg pick one per core, as the `ffmpeg` tool does.
    /// Decoded pixels do not depend on it.
    pub threads: usize,
    /// Interlaced video: whole frames or split fields. Ignored for frame folders.
    pub fields: FieldMode,
}

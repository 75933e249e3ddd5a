//! Live sources: a capture device, standard input, a file still being written, or a network
//! stream, decoded as the frames arrive (no seeking, no announced length).

use crate::{DecodeError, DecodeOptions, FrameReader};
use ffmpeg_next::Dictionary;
use std::path::Path;

/// How FFmpeg is asked to open a live source, and what it is called in messages.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveInput {
    /// The URL FFmpeg opens.
    pub url: String,
    /// The source as the user gave it, for messages and `clip.path`.
    pub label: String,
    /// The source is a regular file read while it grows.
    pub follows_file: bool,
}

/// Maps a source as the user gives it to the URL FFmpeg opens: `-` is standard input; an
/// existing regular file is followed as it grows; anything else (a V4L2 device such as
/// `/dev/video0`, which FFmpeg's device layer recognises, or `rtsp://...`) goes as given.
///
/// ```
/// let stdin = mcvideo_decode::live::live_input("-");
/// assert_eq!((stdin.url.as_str(), stdin.follows_file), ("pipe:0", false));
/// let rtsp = mcvideo_decode::live::live_input("rtsp://10.0.0.2/live");
/// assert_eq!(rtsp.url, "rtsp://10.0.0.2/live");
/// ```
pub fn live_input(source: &str) -> LiveInput {
    let label = source.to_string();
    if source == "-" {
        return LiveInput {
            url: "pipe:0".to_string(),
            label,
            follows_file: false,
        };
    }
    if Path::new(source).is_file() {
        // "file:" keeps names such as "a:b.avi" from being taken for a network protocol.
        return LiveInput {
            url: format!("file:{source}"),
            label,
            follows_file: true,
        };
    }
    LiveInput {
        url: source.to_string(),
        label,
        follows_file: false,
    }
}

/// Opens a live source for decoding frame by frame (see [`live_input`]). The stream has no
/// announced length: it ends when the source does, and a truncated last frame ends it
/// quietly. A growing file ends when nothing has been added to it for `idle_timeout_s`.
/// Probing reads at most `probe_s` of the stream before the first frame comes out.
pub fn open_live(
    source: &str,
    options: &DecodeOptions,
    idle_timeout_s: f64,
    probe_s: f64,
) -> Result<FrameReader, DecodeError> {
    let input = live_input(source);
    let mut ffmpeg_options = Dictionary::new();
    // No `fflags nobuffer`: with it, the packets read while probing are dropped, and the first
    // `probe_s` of the stream never reaches the decoder.
    ffmpeg_options.set(
        "analyzeduration",
        &((probe_s.max(0.0) * 1e6).round() as u64).to_string(),
    );
    if input.follows_file {
        ffmpeg_options.set("follow", "1");
        ffmpeg_options.set(
            "rw_timeout",
            &((idle_timeout_s.max(0.001) * 1e6).round() as u64).to_string(),
        );
    }
    let live = DecodeOptions {
        allow_truncated: true,
        ..options.clone()
    };
    crate::video::VideoSource::open_live(Path::new(&input.label), &input.url, ffmpeg_options, &live)
        .map(FrameReader::video)
}

//! Video files through FFmpeg (ffmpeg-next): container metadata and a streaming decoder that
//! yields one gray frame per decoded picture.

use crate::damage::ErrorCounter;
use crate::pixels::{self, Layout};
use crate::{damage_limit, ClipInfo, DecodeDamage, DecodeError, DecodeOptions, MIN_FRAME_SIDE};
use ff::format::Pixel;
use ff::{codec, decoder, frame, media, Dictionary, Packet, Rational};
use ffmpeg_next as ff;
use image::GrayImage;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Frames that may be missing before a clip counts as truncated ([`damage_limit`]).
fn truncation_tolerance(expected: u64) -> u64 {
    damage_limit(expected)
}

/// An opened container, its video stream and what the container says about it.
struct Container {
    input: ff::format::context::Input,
    stream_index: usize,
    parameters: codec::Parameters,
    time_base: Rational,
    info: ClipInfo,
    /// Frame count the container announces (stored, or from its duration), if any.
    expected_frames: Option<u64>,
    /// Frame count the container stores (AVI, MP4), if it stores one.
    stored_frames: Option<u64>,
    /// The stream's (or else the container's) duration in seconds, if known.
    duration_s: Option<f64>,
    /// The stream header's field order says the top field comes first.
    header_top_first: bool,
}

fn ff_error(path: &Path, step: &'static str) -> impl FnOnce(ff::Error) -> DecodeError + use<> {
    let path = path.to_path_buf();
    move |source| DecodeError::Ffmpeg { path, step, source }
}

/// Opens the container and reads the video stream's metadata (no frame decoded by us).
fn open_container(path: &Path) -> Result<Container, DecodeError> {
    crate::init_ffmpeg().map_err(ff_error(path, "initialising FFmpeg"))?;
    let Some(utf8) = path.to_str().filter(|p| !p.contains('\0')) else {
        return Err(DecodeError::BadOption {
            path: path.to_path_buf(),
            detail: "FFmpeg needs a UTF-8 path without NUL characters".to_string(),
        });
    };
    // "file:" keeps names such as "a:b.avi" from being taken for a network protocol.
    let url = format!("file:{utf8}");
    let input = ff::format::input(&url).map_err(|source| not_a_video(path, source))?;
    read_container(path, input)
}

/// The video stream's metadata of an opened input; `path` names it in errors.
fn read_container(
    path: &Path,
    input: ff::format::context::Input,
) -> Result<Container, DecodeError> {
    let Some(stream) = input.streams().best(media::Type::Video) else {
        return Err(DecodeError::NoVideoStream {
            path: path.to_path_buf(),
        });
    };
    let stream_index = stream.index();
    let parameters = stream.parameters();
    let time_base = stream.time_base();
    // SAFETY: `parameters` wraps a valid AVCodecParameters (a copy owned by the wrapper).
    let (width, height) = unsafe {
        let raw = &*parameters.as_ptr();
        (raw.width.max(0) as u32, raw.height.max(0) as u32)
    };
    let codec = parameters.id().name().to_string();
    // SAFETY: as above. Many containers leave the field order unknown (DV among them); the
    // decoded frames' own flag completes it (`advance`).
    let (header_interlaced, header_top_first) = unsafe {
        use ff::ffi::AVFieldOrder::*;
        let order = (*parameters.as_ptr()).field_order;
        (
            matches!(order, AV_FIELD_TT | AV_FIELD_BB | AV_FIELD_TB | AV_FIELD_BT),
            // TT and TB: the top field is coded and shown first.
            matches!(order, AV_FIELD_TT | AV_FIELD_TB),
        )
    };
    if width < MIN_FRAME_SIDE || height < MIN_FRAME_SIDE {
        return Err(DecodeError::TooSmall {
            path: path.to_path_buf(),
            width,
            height,
            min: MIN_FRAME_SIDE,
        });
    }
    let fps = [stream.avg_frame_rate(), stream.rate()]
        .into_iter()
        .find(|r| r.numerator() > 0 && r.denominator() > 0)
        .map(f64::from)
        .ok_or_else(|| DecodeError::NoFrameRate {
            path: path.to_path_buf(),
        })?;
    let stored_frames = u64::try_from(stream.frames()).ok().filter(|&n| n > 0);
    let seconds = if stream.duration() > 0 {
        Some(stream.duration() as f64 * f64::from(time_base))
    } else if input.duration() > 0 {
        Some(input.duration() as f64 / f64::from(ff::ffi::AV_TIME_BASE))
    } else {
        None
    };
    let expected_frames = stored_frames.or_else(|| seconds.map(|s| (s * fps).round() as u64));
    let frames = expected_frames.unwrap_or(0);
    let info = ClipInfo {
        path: path.to_path_buf(),
        frames,
        fps,
        width,
        height,
        duration_s: frames as f64 / fps,
        codec,
        interlaced: header_interlaced,
        content_region: None,
        timing: None,
        decode_errors: DecodeDamage::default(),
        frame_times_s: Vec::new(),
    };
    Ok(Container {
        input,
        stream_index,
        parameters,
        time_base,
        info,
        expected_frames,
        stored_frames,
        duration_s: seconds,
        header_top_first,
    })
}

/// FFmpeg could not open the file: say whether it is empty, text, or unknown data.
fn not_a_video(path: &Path, source: ff::Error) -> DecodeError {
    // A cut-off MP4/MOV whose index was at the end also lands here, hence "damaged".
    if !path.exists() {
        return DecodeError::NotFound {
            path: path.to_path_buf(),
        };
    }
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    let detail = match read {
        Err(error) => format!("cannot read it: {error}"),
        Ok(0) => "the file is empty".to_string(),
        Ok(_) if looks_like_text(&head) => "it is a text file".to_string(),
        Ok(_) => format!("damaged, truncated or of an unknown format; FFmpeg says: {source}"),
    };
    DecodeError::NotAVideo {
        path: path.to_path_buf(),
        detail,
    }
}

/// UTF-8 text of printable characters and ordinary whitespace (a cut may split the last char).
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(error) if error.error_len().is_none() => {
            // Only the last character is cut off by the 4096-byte window.
            std::str::from_utf8(&head[..error.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\x0c'))
}

/// Container metadata of a video file (see [`crate::probe`]).
pub(crate) fn probe_file(path: &Path) -> Result<ClipInfo, DecodeError> {
    open_container(path).map(|c| c.info)
}

/// swscale context and its output frame, for pixel formats read through a conversion.
struct Converter(ff::software::scaling::Context, frame::Video);

// SAFETY: an SwsContext has no thread affinity; it is owned by one reader and only ever used
// through `&mut`, so moving it to another thread is sound (ffmpeg-next just omits the impl).
unsafe impl Send for Converter {}

/// A video file being decoded frame by frame.
pub(crate) struct VideoSource {
    path: PathBuf,
    input: ff::format::context::Input,
    decoder: decoder::Video,
    stream_index: usize,
    info: ClipInfo,
    expected_frames: Option<u64>,
    stored_frames: Option<u64>,
    duration_s: Option<f64>,
    time_base: Rational,
    allow_truncated: bool,
    /// Reused between frames: the decoder's output, the packet, and a conversion target.
    picture: frame::Video,
    packet: Packet,
    converter: Option<Converter>,
    decoded: u64,
    /// The container is exhausted and the decoder has been told so.
    draining: bool,
    /// Why reading or decoding stopped early, if it did.
    damage: Option<String>,
    done: bool,
    /// The first interlaced frame's field order (top field first), if any frame said.
    frame_top_first: Option<bool>,
    /// Field order from the stream header, for frames that do not carry their own.
    header_top_first: bool,
    /// Error messages the decoder logged (concealed damage), and how many had been logged
    /// when the previous frame came out.
    errors: ErrorCounter,
    errors_seen: u64,
    /// Damaged frames so far, and the current run of them.
    damage_count: DecodeDamage,
    damage_run: u64,
    /// Frames received or lost so far, in decoding order.
    frame_slots: u64,
    /// Presentation times (seconds) of the first and the latest decoded frame.
    first_time_s: Option<f64>,
    last_time_s: Option<f64>,
}

impl VideoSource {
    pub(crate) fn open(path: &Path, options: &DecodeOptions) -> Result<Self, DecodeError> {
        Self::from_container(path, open_container(path)?, options)
    }

    /// A live input opened by FFmpeg from `url` (see [`crate::live`]); `label` names it in
    /// errors and in the clip's `path`.
    pub(crate) fn open_live(
        label: &Path,
        url: &str,
        input_options: Dictionary,
        options: &DecodeOptions,
    ) -> Result<Self, DecodeError> {
        crate::init_ffmpeg().map_err(ff_error(label, "initialising FFmpeg"))?;
        let input = ff::format::input_with_dictionary(&url, input_options)
            .map_err(ff_error(label, "opening the live source"))?;
        Self::from_container(label, read_container(label, input)?, options)
    }

    fn from_container(
        path: &Path,
        container: Container,
        options: &DecodeOptions,
    ) -> Result<Self, DecodeError> {
        let codec_name = container.info.codec.clone();
        let mut context = codec::Context::from_parameters(container.parameters.clone())
            .map_err(ff_error(path, "reading the stream parameters"))?;
        let errors = ErrorCounter::register();
        // SAFETY: plain field writes on a valid, not yet opened codec context; demuxed packets
        // carry timestamps in the stream's time base, and `opaque` (unused by FFmpeg) keys the
        // decoder's error messages to this reader (`damage.rs`).
        unsafe {
            let raw = context.as_mut_ptr();
            (*raw).pkt_timebase = container.time_base.into();
            (*raw).opaque = errors.key() as *mut std::ffi::c_void;
        }
        let Some(codec) = decoder::find(container.parameters.id()) else {
            return Err(DecodeError::UnsupportedCodec {
                path: path.to_path_buf(),
                codec: codec_name,
            });
        };
        let mut decoder_options = Dictionary::new();
        // Frame and slice threads, as the ffmpeg tool uses: one per core unless the caller caps it.
        let threads = if options.threads == 0 {
            "auto".to_string()
        } else {
            options.threads.to_string()
        };
        decoder_options.set("threads", &threads);
        decoder_options.set("thread_type", "frame+slice");
        let decoder = context
            .decoder()
            .open_as_with(codec, decoder_options)
            .and_then(|opened| opened.video())
            .map_err(ff_error(path, "opening the video decoder"))?;
        Ok(VideoSource {
            path: path.to_path_buf(),
            input: container.input,
            decoder,
            stream_index: container.stream_index,
            info: container.info,
            expected_frames: container.expected_frames,
            stored_frames: container.stored_frames,
            duration_s: container.duration_s,
            time_base: container.time_base,
            allow_truncated: options.allow_truncated,
            picture: frame::Video::empty(),
            packet: Packet::empty(),
            converter: None,
            decoded: 0,
            draining: false,
            damage: None,
            done: false,
            frame_top_first: None,
            header_top_first: container.header_top_first,
            errors,
            errors_seen: 0,
            damage_count: DecodeDamage::default(),
            damage_run: 0,
            frame_slots: 0,
            first_time_s: None,
            last_time_s: None,
        })
    }

    /// The unit of the stream's timestamps, in seconds.
    pub(crate) fn tick_s(&self) -> f64 {
        f64::from(self.time_base)
    }

    /// Damaged frames so far (all of them once the stream has ended).
    pub(crate) fn damage(&self) -> &DecodeDamage {
        &self.damage_count
    }

    /// Counts one frame slot, damaged or not; a lost frame takes the messages logged so far.
    fn record_frame(&mut self, damaged: bool, lost: bool) {
        let d = &mut self.damage_count;
        if damaged {
            d.frames += 1;
            d.lost += u64::from(lost);
            d.first_frame.get_or_insert(self.frame_slots);
            self.damage_run += 1;
            d.longest_run = d.longest_run.max(self.damage_run);
        } else {
            self.damage_run = 0;
        }
        if lost {
            self.errors_seen = self.errors.count();
        }
        self.frame_slots += 1;
    }

    pub(crate) fn info(&self) -> &ClipInfo {
        &self.info
    }

    /// The next frame with its presentation time in seconds (if the stream stamps it), the
    /// error that ends the stream, or `None` at a clean end.
    pub(crate) fn next_frame(&mut self) -> Option<Result<(GrayImage, Option<f64>), DecodeError>> {
        if self.done {
            return None;
        }
        let result = self.advance();
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }

    fn advance(&mut self) -> Option<Result<(GrayImage, Option<f64>), DecodeError>> {
        loop {
            match self.decoder.receive_frame(&mut self.picture) {
                Ok(()) => {
                    if self.picture.is_interlaced() {
                        self.info.interlaced = true;
                        self.frame_top_first
                            .get_or_insert(self.picture.is_top_first());
                    }
                    let logged = self.errors.count();
                    // SAFETY: reading plain fields of the frame the decoder just filled.
                    let flagged = unsafe {
                        let raw = &*self.picture.as_ptr();
                        raw.decode_error_flags != 0
                            || raw.flags & ff::ffi::AV_FRAME_FLAG_CORRUPT != 0
                    };
                    self.record_frame(flagged || logged > self.errors_seen, false);
                    self.errors_seen = logged;
                    let time_s = self
                        .picture
                        .timestamp()
                        .map(|t| t as f64 * f64::from(self.time_base))
                        .filter(|t| t.is_finite());
                    let gray = self.picture_to_gray();
                    if gray.is_ok() {
                        self.decoded += 1;
                        if let Some(t) = time_s {
                            self.first_time_s.get_or_insert(t);
                            self.last_time_s = Some(t);
                        }
                    }
                    return Some(gray.map(|g| (g, time_s)));
                }
                Err(ff::Error::Eof) => return self.finish(),
                Err(ff::Error::Other { errno }) if errno == ff::util::error::EAGAIN => {
                    if self.draining {
                        // The decoder wants input after end of stream: nothing more will come.
                        return self.finish();
                    }
                }
                Err(error) => {
                    self.damage.get_or_insert_with(|| {
                        format!("frame {} does not decode: {error}", self.decoded)
                    });
                    self.record_frame(true, true);
                    // Like the ffmpeg tool, skip the bad frame and go on; finish() judges.
                    if self.draining {
                        return self.finish();
                    }
                }
            }
            self.feed_decoder();
        }
    }

    /// Sends the next packet of our stream to the decoder, or end-of-stream.
    fn feed_decoder(&mut self) {
        loop {
            // ffmpeg-next's `Packet::read` calls av_read_frame on the packet as it is, and
            // av_read_frame does not release what the packet held: reusing one packet leaks
            // every packet's data (measured: the compressed clip, per clip). A fresh packet per
            // read frees the previous one on drop.
            self.packet = Packet::empty();
            match self.packet.read(&mut self.input) {
                Ok(()) => {
                    if self.packet.stream() != self.stream_index {
                        continue;
                    }
                    if let Err(error) = self.decoder.send_packet(&self.packet) {
                        self.damage.get_or_insert_with(|| {
                            format!(
                                "a packet after frame {} does not decode: {error}",
                                self.decoded
                            )
                        });
                        self.record_frame(true, true);
                        // Skip the bad packet and go on, as the ffmpeg tool does.
                        continue;
                    }
                    return;
                }
                Err(ff::Error::Eof) => {
                    self.start_draining();
                    return;
                }
                Err(ff::Error::Other { errno }) if errno == ff::util::error::EAGAIN => continue,
                Err(error) => {
                    self.damage.get_or_insert_with(|| {
                        format!("reading stopped after frame {}: {error}", self.decoded)
                    });
                    self.start_draining();
                    return;
                }
            }
        }
    }

    fn start_draining(&mut self) {
        self.draining = true;
        // An error here only means the decoder was already flushed.
        let _ = self.decoder.send_eof();
    }

    /// End of stream: a clean `None`, or the error that says what is missing or damaged.
    fn finish(&mut self) -> Option<Result<(GrayImage, Option<f64>), DecodeError>> {
        if self.decoded == 0 {
            return Some(Err(DecodeError::NoFrames {
                path: self.path.clone(),
            }));
        }
        if self.allow_truncated {
            return None;
        }
        if let Some(detail) = self.missing_frames() {
            return Some(Err(DecodeError::Truncated {
                path: self.path.clone(),
                detail,
            }));
        }
        let d = &self.damage_count;
        let slots = self.frame_slots.max(self.decoded);
        if d.frames >= damage_limit(slots) || d.longest_run >= crate::MAX_DAMAGED_RUN {
            return Some(Err(DecodeError::Damaged {
                path: self.path.clone(),
                detail: damage_detail(d, slots),
            }));
        }
        None
    }

    /// What is missing from the end of the clip, if more than the tolerance is: frames
    /// against a stored count; time against the duration of a container that stores no count
    /// (Matroska), whose frames may be unevenly spaced; or, with neither, any packet that
    /// failed to decode.
    fn missing_frames(&self) -> Option<String> {
        let damage = self
            .damage
            .as_ref()
            .map(|d| format!("; {d}"))
            .unwrap_or_default();
        let spanned = match (self.first_time_s, self.last_time_s) {
            (Some(first), Some(last)) if last > first && self.decoded > 1 => {
                Some((first, last, (last - first) / (self.decoded - 1) as f64))
            }
            _ => None,
        };
        match (self.stored_frames, self.duration_s, spanned) {
            (Some(expected), _, _) => {
                // Frames that decoded with an error are damage, judged on their own.
                let lost = self.damage_count.lost;
                (self.decoded + lost + truncation_tolerance(expected) <= expected).then(|| {
                    format!(
                        "only {} of the {expected} frames the container announces decode{damage}",
                        self.decoded
                    )
                })
            }
            (None, Some(duration), Some((first, last, step))) => {
                // The last frame is shown for one step; two steps or 2 % are forgiven.
                let covered = last - first + step;
                let tolerance = (2.0 * step).max(0.02 * duration);
                (covered + tolerance <= duration).then(|| {
                    format!(
                        "the {} frames that decode span {covered:.2} s of the {duration:.2} s \
                         the container announces{damage}",
                        self.decoded
                    )
                })
            }
            (None, _, _) => match (self.expected_frames, &self.damage) {
                (Some(expected), damage)
                    if self.decoded + truncation_tolerance(expected) <= expected =>
                {
                    Some(format!(
                        "only {} of the {expected} frames the container announces decode{}",
                        self.decoded,
                        damage
                            .as_ref()
                            .map(|d| format!("; {d}"))
                            .unwrap_or_default()
                    ))
                }
                (Some(_), _) | (None, None) => None,
                // No announced length to compare with: any damage may hide a truncation.
                (None, Some(damage)) => Some(format!("{} frames decode; {damage}", self.decoded)),
            },
        }
    }

    /// Whether the top field of an interlaced frame was exposed first: the frames' own
    /// flag, else the stream header's field order.
    pub(crate) fn top_field_first(&self) -> bool {
        self.frame_top_first.unwrap_or(self.header_top_first)
    }

    /// The decoded picture as gray (see [`crate::pixels`]), checked against the clip size.
    fn picture_to_gray(&mut self) -> Result<GrayImage, DecodeError> {
        let (width, height) = (self.picture.width(), self.picture.height());
        if (width, height) != (self.info.width, self.info.height) {
            return Err(DecodeError::FrameSizeChanged {
                path: self.path.clone(),
                index: self.decoded,
                width: self.info.width,
                height: self.info.height,
                got_width: width,
                got_height: height,
            });
        }
        let format = self.picture.format();
        let unsupported = || DecodeError::UnsupportedPixelFormat {
            path: self.path.clone(),
            format: format!("{format:?}"),
        };
        let layout = pixels::layout(format).ok_or_else(unsupported)?;
        let mut gray = Vec::new();
        let extracted = match layout {
            Layout::Convert { rgb } => {
                let target = if rgb { Pixel::RGB24 } else { Pixel::GRAY8 };
                let Converter(scaler, converted) = match &mut self.converter {
                    Some(converter) => converter,
                    empty => {
                        let scaler = ff::software::scaling::Context::get(
                            format,
                            width,
                            height,
                            target,
                            width,
                            height,
                            ff::software::scaling::Flags::POINT,
                        )
                        .map_err(|_| unsupported())?;
                        empty.insert(Converter(scaler, frame::Video::empty()))
                    }
                };
                scaler
                    .run(&self.picture, converted)
                    .map_err(ff_error(&self.path, "converting the pixel format"))?;
                let target_layout = pixels::layout(target).ok_or_else(unsupported)?;
                pixels::extract(converted, target_layout, &mut gray)
            }
            direct => pixels::extract(&self.picture, direct, &mut gray),
        };
        extracted.map_err(|problem| DecodeError::Truncated {
            path: self.path.clone(),
            detail: format!("frame {}: {problem}", self.decoded),
        })?;
        GrayImage::from_raw(width, height, gray).ok_or_else(|| DecodeError::Truncated {
            path: self.path.clone(),
            detail: format!("frame {} has fewer pixels than its size", self.decoded),
        })
    }
}

/// The message of a clip with too many damaged frames.
fn damage_detail(d: &DecodeDamage, slots: u64) -> String {
    let first = d
        .first_frame
        .map(|f| format!(", the first at frame {f}"))
        .unwrap_or_default();
    format!(
        "{} of {slots} frames are damaged ({} lost, the others concealed by the decoder; {} in a \
         row at most{first}); a clip fails at {} damaged frames or {} in a row",
        d.frames,
        d.lost,
        d.longest_run,
        damage_limit(slots),
        crate::MAX_DAMAGED_RUN
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_told_from_binary() {
        assert!(looks_like_text(b"hello\nworld\t1 2 3\r\n"));
        assert!(looks_like_text("dark-field µm\n".as_bytes()));
        assert!(!looks_like_text(b"RIFF\x00\x10\x00\x00AVI LIST"));
        assert!(!looks_like_text(b""));
    }

    #[test]
    fn tolerance_is_two_percent_at_least_two_frames() {
        assert_eq!(truncation_tolerance(10), 2);
        assert_eq!(truncation_tolerance(500), 10);
    }
}

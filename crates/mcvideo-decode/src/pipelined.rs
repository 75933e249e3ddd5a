//! Decoding on a thread of its own, handing frames through a bounded channel, and whole clips
//! decoded into memory or into a temporary file ([`read_clip_with`]).
//!
//! The decoder runs ahead of whoever reads the frames by at most the channel's depth, so
//! decoding and the work done on each frame overlap on two cores, and the frames in flight
//! are bounded whatever the clip's length.

use crate::{fields, timing, ClipInfo, DecodeDamage, DecodeError, DecodeOptions, FieldMode};
use image::GrayImage;
use mcvideo_frames::{ClipFrames, Frames, SpillWriter};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

/// Frames decoded ahead of the reader by default.
pub const DEFAULT_DEPTH: usize = 8;

/// What the decoding thread sends: the clip's metadata first, then frames, then how the
/// stream ended.
enum Message {
    Info(Box<ClipInfo>),
    Frame(GrayImage, Option<f64>),
    Failed(DecodeError),
    End(StreamEnd),
}

/// How a decoded stream ended: what the reader knows only once every frame is out.
#[derive(Debug, Clone, Default)]
pub struct StreamEnd {
    /// Frames that decoded with errors.
    pub damage: DecodeDamage,
    /// The unit of the stream's timestamps in seconds (0 for frame folders).
    pub tick_s: f64,
    /// For interlaced video, whether the top field was exposed first.
    pub top_field_first: bool,
    /// Whether the decoder flagged the frames interlaced (known once frames decode).
    pub interlaced: bool,
}

/// A clip decoded on its own thread; iterate for `(frame, time_s)`, then [`Self::end`].
pub struct PipelinedReader {
    info: ClipInfo,
    frames: Receiver<Message>,
    end: Option<StreamEnd>,
    thread: Option<JoinHandle<()>>,
}

impl PipelinedReader {
    /// Opens `path` on a new thread that decodes up to `depth` frames (at least 1) ahead.
    /// Errors opening the clip are returned here; errors while decoding end the iteration.
    ///
    /// ```
    /// use mcvideo_encode::{VideoFormat, VideoWriter};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("clip.mkv");
    /// let mut writer = VideoWriter::create(&path, 16, 16, 25.0, VideoFormat::Ffv1Mkv).unwrap();
    /// for v in [5u8, 6, 7] {
    ///     writer.write_frame(&image::GrayImage::from_pixel(16, 16, image::Luma([v]))).unwrap();
    /// }
    /// writer.finish().unwrap();
    /// let options = mcvideo_decode::DecodeOptions::default();
    /// let mut reader = mcvideo_decode::pipelined::PipelinedReader::open(&path, &options, 2).unwrap();
    /// let firsts: Vec<u8> = reader.by_ref().map(|f| f.unwrap().0[(0, 0)][0]).collect();
    /// assert_eq!(firsts, [5, 6, 7]);
    /// assert_eq!(reader.end().unwrap().damage.frames, 0);
    /// ```
    pub fn open(
        path: &Path,
        options: &DecodeOptions,
        depth: usize,
    ) -> Result<PipelinedReader, DecodeError> {
        let (sender, frames) = sync_channel(depth.max(1));
        let (path_owned, options) = (path.to_path_buf(), options.clone());
        let thread = std::thread::Builder::new()
            .name("mcvideo-decode".to_string())
            .spawn(move || {
                let mut reader = match crate::open_with(&path_owned, &options) {
                    Ok(reader) => reader,
                    Err(error) => {
                        let _ = sender.send(Message::Failed(error));
                        return;
                    }
                };
                if sender
                    .send(Message::Info(Box::new(reader.info().clone())))
                    .is_err()
                {
                    return;
                }
                while let Some(frame) = reader.next_timed() {
                    let message = match frame {
                        Ok((frame, time_s)) => Message::Frame(frame, time_s),
                        Err(error) => Message::Failed(error),
                    };
                    // The reader hung up: nothing more to decode for.
                    if sender.send(message).is_err() {
                        return;
                    }
                }
                let _ = sender.send(Message::End(StreamEnd {
                    damage: reader.damage(),
                    tick_s: reader.tick_s(),
                    top_field_first: reader.top_field_first(),
                    interlaced: reader.info().interlaced,
                }));
            })
            .map_err(|source| DecodeError::Io {
                path: path.to_path_buf(),
                step: "starting the decoding thread",
                source,
            })?;
        let info = match frames.recv() {
            Ok(Message::Info(info)) => *info,
            Ok(Message::Failed(error)) => {
                let _ = thread.join();
                return Err(error);
            }
            _ => {
                let _ = thread.join();
                return Err(DecodeError::NoFrames {
                    path: path.to_path_buf(),
                });
            }
        };
        Ok(PipelinedReader {
            info,
            frames,
            end: None,
            thread: Some(thread),
        })
    }

    /// The clip's metadata as the container (or folder listing) gives it.
    pub fn info(&self) -> &ClipInfo {
        &self.info
    }

    /// How the stream ended, once the iteration has: `None` before, or when it failed.
    pub fn end(&self) -> Option<&StreamEnd> {
        self.end.as_ref()
    }
}

impl Iterator for PipelinedReader {
    type Item = Result<(GrayImage, Option<f64>), DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.frames.recv().ok()? {
            Message::Frame(frame, time_s) => Some(Ok((frame, time_s))),
            Message::Failed(error) => Some(Err(error)),
            Message::End(end) => {
                self.end = Some(end);
                None
            }
            Message::Info(_) => None,
        }
    }
}

impl Drop for PipelinedReader {
    fn drop(&mut self) {
        // Hanging up first lets a thread blocked on a full channel end.
        let (_, unused) = sync_channel(1);
        drop(std::mem::replace(&mut self.frames, unused));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Where [`read_clip_with`] keeps a clip's frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameStore {
    /// In memory.
    Memory,
    /// In an unnamed temporary file in this folder (see [`mcvideo_frames::SpilledFrames`]).
    Spill(PathBuf),
}

/// Decodes a whole clip, on a thread of its own `depth` frames ahead, into `store`; the
/// frames and metadata are those of [`crate::read_all_with`]. A clip whose frames must be
/// reworked as a whole (resampled from a variable frame rate, or split into fields) is
/// brought into memory for it.
pub fn read_clip_with(
    path: &Path,
    options: &DecodeOptions,
    store: &FrameStore,
    depth: usize,
) -> Result<(ClipInfo, ClipFrames), DecodeError> {
    let result = read_clip_once(path, options, store, depth);
    // Which frame a concealed error is charged to depends on how the decoder's threads
    // interleave; a damaged clip is read again on one thread, so that its count is the same
    // on every run.
    let damaged = match &result {
        Ok((info, _)) => info.decode_errors.frames > 0,
        Err(error) => matches!(error, DecodeError::Damaged { .. }),
    };
    if damaged && options.threads != 1 && !path.is_dir() {
        let single = DecodeOptions {
            threads: 1,
            ..options.clone()
        };
        return read_clip_once(path, &single, store, depth);
    }
    result
}

/// The effective rate of evenly spaced frames is taken as the container's rate when the two
/// agree this closely: the nominal rate is the exact ratio the timestamps were written with,
/// and the difference is their rounding.
const SAME_RATE: f64 = 1e-3;

/// The frames being collected: a vector or a temporary file.
enum Sink {
    Memory(Vec<GrayImage>),
    Spill(SpillWriter),
}

fn read_clip_once(
    path: &Path,
    options: &DecodeOptions,
    store: &FrameStore,
    depth: usize,
) -> Result<(ClipInfo, ClipFrames), DecodeError> {
    let mut reader = PipelinedReader::open(path, options, depth)?;
    let mut info = reader.info().clone();
    let capacity = info.frames.min(100_000) as usize;
    let spill_error = |dir: &Path, e: mcvideo_frames::FramesError| DecodeError::TempFile {
        path: path.to_path_buf(),
        dir: dir.to_path_buf(),
        detail: e.to_string(),
    };
    let mut sink = match store {
        FrameStore::Memory => Sink::Memory(Vec::with_capacity(capacity)),
        FrameStore::Spill(dir) => Sink::Spill(
            SpillWriter::create(dir, info.width, info.height).map_err(|e| spill_error(dir, e))?,
        ),
    };
    let mut stamps: Vec<Option<f64>> = Vec::with_capacity(capacity);
    for frame in reader.by_ref() {
        let (frame, time_s) = frame?;
        match &mut sink {
            Sink::Memory(frames) => frames.push(frame),
            Sink::Spill(writer) => {
                if let FrameStore::Spill(dir) = store {
                    writer.push(&frame).map_err(|e| spill_error(dir, e))?;
                }
            }
        }
        stamps.push(time_s);
    }
    let end = reader.end().cloned().unwrap_or_default();
    if stamps.is_empty() {
        return Err(DecodeError::NoFrames {
            path: path.to_path_buf(),
        });
    }
    let mut frames = match sink {
        Sink::Memory(frames) => ClipFrames::Memory(frames),
        Sink::Spill(writer) => {
            let dir = match store {
                FrameStore::Spill(dir) => dir.as_path(),
                FrameStore::Memory => path,
            };
            ClipFrames::Spilled(writer.finish().map_err(|e| spill_error(dir, e))?)
        }
    };
    info.decode_errors = end.damage.clone();
    // Interlacing shows only once frames decode; a clip flagged interlaced whose two fields
    // show one instant holds progressive pictures and is read as such.
    info.interlaced = end.interlaced
        && fields::field_time_ratio(&frames)
            .is_none_or(|ratio| ratio >= fields::PROGRESSIVE_FIELD_RATIO);
    // Frame folders are evenly spaced by definition; video files say when each frame shows.
    let stamped: Option<Vec<f64>> = if path.is_dir() {
        None
    } else {
        stamps.iter().copied().collect()
    };
    if let Some(stamped) = stamped {
        let start = stamped[0];
        let times: Vec<f64> = stamped.iter().map(|t| t - start).collect();
        info.timing = timing::FrameTiming::from_times(&times, end.tick_s, info.fps);
        if let Some(timing) = &mut info.timing {
            if timing.variable {
                let (even, fps) = timing::resample_even(frames.into_memory(), &times);
                frames = ClipFrames::Memory(even);
                info.fps = fps;
                timing.resampled_fps = Some(fps);
            } else if (timing.effective_fps / info.fps - 1.0).abs() > SAME_RATE {
                info.fps = timing.effective_fps;
            }
        }
        info.frame_times_s = times;
    }
    if info.interlaced && options.fields == FieldMode::Split {
        frames = ClipFrames::Memory(
            frames
                .into_memory()
                .into_iter()
                .flat_map(|frame| fields::split_fields(&frame, end.top_field_first))
                .collect(),
        );
        info.fps *= 2.0;
    }
    info.frames = frames.len() as u64;
    info.duration_s = info.frames as f64 / info.fps;
    Ok((info, frames))
}

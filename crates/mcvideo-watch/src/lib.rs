//! Live scoring while recording: `mcvideo watch SOURCE`.
//!
//! A source is anything FFmpeg opens live (a V4L2 device, standard input, a file still being
//! written, an RTSP URL; see [`mcvideo_decode::live`]). One thread decodes the frames as they
//! arrive and keeps the newest window; every `every_s` of stream another thread scores that
//! window exactly as `mcvideo score` scores a clip of the same frames, and reports the Massey
//! items, TVD, PPV, MFI and velocity ([`WindowReport`]) with how far behind the live edge the
//! score came. Frames that arrive more than `max_lag_s` late are dropped and counted, and a
//! window that a newer one overtakes before the scorer is free is skipped and counted, so
//! scores never fall further behind than one window's scoring time.
//!
//! The view is good to keep once every Massey item has been 0 over `keep_after_s` of
//! consecutive windows ([`KeepTracker`]); `--record` keeps the best window as a lossless clip
//! with its score JSON.

mod error;
mod params;
mod report;
mod run;
pub mod screen;

pub use error::WatchError;
pub use params::WatchParams;
pub use report::{KeepTracker, WindowQuality, WindowReport, WATCH_SCHEMA};
pub use run::{watch, WatchSummary, RECORD_CLIP, RECORD_SCORE};

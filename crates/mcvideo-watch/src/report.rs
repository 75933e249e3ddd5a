//! What each scored window reports (`mcvideo.watch.v1`), and whether the view is good to keep.

use serde::Serialize;

/// The schema every window line carries.
pub const WATCH_SCHEMA: &str = "mcvideo.watch.v1";

/// The Massey items of one window (see the score JSON's `quality`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowQuality {
    pub illumination: u8,
    pub focus: u8,
    pub stability: u8,
    pub duration: u8,
    pub content: Option<u8>,
    pub pressure: Option<u8>,
    pub score: u32,
    pub acceptable: bool,
    pub flags: Vec<String>,
}

impl WindowQuality {
    pub(crate) fn of(report: &mcvideo_score::ScoreReport) -> Self {
        let q = &report.quality;
        WindowQuality {
            illumination: q.illumination,
            focus: q.focus,
            stability: q.stability,
            duration: q.duration,
            content: q.content,
            pressure: q.pressure,
            score: q.score,
            acceptable: q.acceptable,
            flags: q.flags.clone(),
        }
    }

    /// Every graded item is 0 (optimal).
    pub fn all_optimal(&self) -> bool {
        [
            Some(self.illumination),
            Some(self.focus),
            Some(self.stability),
            Some(self.duration),
            self.content,
            self.pressure,
        ]
        .iter()
        .flatten()
        .all(|&item| item == 0)
    }
}

/// One window's line: where it lies in the stream, its score, how live it is, and whether
/// the view is good to keep.
#[derive(Debug, Clone, Serialize)]
pub struct WindowReport {
    pub schema: &'static str,
    /// The source as given.
    pub source: String,
    /// Windows scored so far, this one included.
    pub window: u64,
    /// Index of the window's first frame among the stream's decoded frames (0-based).
    pub first_frame: u64,
    pub frames: usize,
    /// Stream time of the first and last frame, seconds from the stream's first frame.
    pub start_s: f64,
    pub end_s: f64,
    pub fps: f64,
    pub width: u32,
    pub height: u32,
    /// The Massey items; `null` when the window could not be scored (`error` says why).
    pub quality: Option<WindowQuality>,
    /// The score JSON's `metrics` (TVD, PPV, MFI, mean velocity, ...).
    pub metrics: Option<serde_json::Value>,
    /// Why the window could not be scored.
    pub error: Option<String>,
    /// Seconds from the moment the window's last frame was live to the moment its score
    /// came out: how far behind the live edge this score is.
    pub lag_s: f64,
    /// How far behind the live edge the newest decoded frame was when the score came out.
    pub decode_lag_s: f64,
    /// Wall seconds scoring this window took.
    pub scoring_s: f64,
    /// Frames decoded per wall second since the stream started.
    pub input_fps: f64,
    /// Frames decoded so far.
    pub decoded_frames: u64,
    /// Frames dropped so far because they were more than `max_lag_s` behind the live edge.
    pub dropped_frames: u64,
    /// Windows not scored so far because a newer one was ready before the scorer was free.
    pub skipped_windows: u64,
    /// Every Massey item of this window is 0.
    pub all_optimal: bool,
    /// Seconds of stream, up to this window's end, over which every window scored had every
    /// item at 0.
    pub optimal_for_s: f64,
    /// The view has been optimal for `keep_after_s`: good enough to keep.
    pub keep: bool,
    /// The clip `--record` saved this window as (it is the best so far), if it did.
    pub recorded: Option<String>,
}

/// Tracks how long every window has been optimal, across windows that follow each other.
#[derive(Debug, Clone, Default)]
pub struct KeepTracker {
    run_start_s: Option<f64>,
    last_end_s: f64,
}

impl KeepTracker {
    /// Takes a window spanning `start_s..end_s` (stream seconds; `frame_s` one frame's
    /// duration) and whether it was all optimal; returns how long the view has been optimal.
    /// A gap between windows (skipped or dropped) starts the count again.
    ///
    /// ```
    /// let mut keep = mcvideo_watch::KeepTracker::default();
    /// assert_eq!(keep.update(0.0, 4.96, 0.04, true), 5.0);
    /// assert_eq!(keep.update(5.0, 9.96, 0.04, true), 10.0);
    /// assert_eq!(keep.update(10.0, 14.96, 0.04, false), 0.0);
    /// assert_eq!(keep.update(15.0, 19.96, 0.04, true), 5.0);
    /// assert_eq!(keep.update(30.0, 34.96, 0.04, true), 5.0);
    /// ```
    pub fn update(&mut self, start_s: f64, end_s: f64, frame_s: f64, optimal: bool) -> f64 {
        if !optimal {
            self.run_start_s = None;
            return 0.0;
        }
        let follows = self
            .run_start_s
            .is_some_and(|_| start_s <= self.last_end_s + 1.5 * frame_s);
        if !follows {
            self.run_start_s = Some(start_s);
        }
        self.last_end_s = end_s;
        let run_start = self.run_start_s.unwrap_or(start_s);
        // The last frame lasts one frame's duration.
        ((end_s + frame_s - run_start) * 1e3).round() / 1e3
    }
}

//! The parameters of live scoring: window, cadence, when a view is kept, and overload limits.

use serde::{Deserialize, Serialize};

/// How a live source is cut into windows and when a view is good enough to keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchParams {
    /// Seconds of stream between two scored windows (`--every`).
    pub every_s: f64,
    /// Seconds of stream in one window (`--window`). The default is Massey's optimal clip
    /// duration (`quality.duration_s[0]`, 5 s), so that a window can grade duration 0.
    pub window_s: f64,
    /// Seconds of stream with every Massey item at 0 after which the view is good to keep
    /// (`--keep-after`): 20 s, the recording length per site of the round-table consensus
    /// (De Backer et al., Crit Care 2007;11:R101).
    pub keep_after_s: f64,
    /// A decoded frame further than this behind the live edge is dropped (and counted)
    /// rather than analysed, so that the scores stay near the live edge under overload.
    pub max_lag_s: f64,
    /// A growing file ends when nothing has been added to it for this long.
    pub idle_timeout_s: f64,
    /// Seconds of stream FFmpeg may read to identify the stream before the first frame.
    pub probe_s: f64,
}

impl Default for WatchParams {
    fn default() -> Self {
        WatchParams {
            every_s: 5.0,
            window_s: 5.0,
            keep_after_s: 20.0,
            max_lag_s: 1.0,
            idle_timeout_s: 5.0,
            probe_s: 0.5,
        }
    }
}

impl WatchParams {
    /// Checks every field is a finite, positive number.
    ///
    /// ```
    /// let mut p = mcvideo_watch::WatchParams::default();
    /// assert!(p.validate().is_ok());
    /// p.every_s = 0.0;
    /// assert_eq!(p.validate().unwrap_err(), "every_s = 0: must be greater than 0");
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        let fields = [
            ("every_s", self.every_s),
            ("window_s", self.window_s),
            ("keep_after_s", self.keep_after_s),
            ("max_lag_s", self.max_lag_s),
            ("idle_timeout_s", self.idle_timeout_s),
            ("probe_s", self.probe_s),
        ];
        for (name, value) in fields {
            if !(value.is_finite() && value > 0.0) {
                return Err(format!("{name} = {value}: must be greater than 0"));
            }
        }
        Ok(())
    }

    /// Frames in one window, and between two windows, at `fps`.
    pub(crate) fn frames_at(&self, fps: f64) -> (usize, usize) {
        let window = ((self.window_s * fps).round() as usize).max(1);
        let every = ((self.every_s * fps).round() as usize).max(1);
        (window, every)
    }
}

//! When each frame was shown: the clip's effective frame rate from its presentation
//! timestamps, how evenly the frames are spaced, and a variable-rate clip resampled onto an
//! even time grid.
//!
//! Every later stage measures motion per frame step and turns it into a speed with one frame
//! rate. That holds only when the frames are evenly spaced in time. A camera that drops frames,
//! or a recorder that stamps frames as they arrive, writes a variable frame rate (VFR): the
//! container's nominal rate is then wrong for some steps (and Matroska's stated rate is often
//! the finest step, not the mean). [`FrameTiming::from_times`] measures the spacing;
//! [`resample_even`] puts a variable-rate clip on an even grid at its typical step by
//! linear blending of the two frames around each grid time, which is what frame-rate
//! converters that keep motion continuous do (FFmpeg's `framerate` filter). Repeating the
//! nearest frame instead (FFmpeg's `fps` filter) makes cells stand still for one step and jump
//! two the next: on a synthetic clip with every third frame dropped, repeating read the mean
//! red-cell speed 8 % high, reading the frames as evenly spaced at the effective rate 9 % low,
//! blending 1.5 % low (the same content at its full even rate: the reference).

use image::GrayImage;
use serde::{Deserialize, Serialize};

/// Frame intervals may differ by this share of the mean interval (beyond the rounding of the
/// container's time base) and the clip still counts as evenly spaced. A 10 % timing error of
/// one step moves a cell by a tenth of its per-frame displacement, below the sub-pixel
/// precision of the flow measurement at capillary speeds; clips that vary more are resampled.
pub const VARIABLE_RATE_TOLERANCE: f64 = 0.10;

/// A resampled clip holds at most this many times the decoded frames (a clip with a burst of
/// very short steps would otherwise blow up into a huge even grid).
const MAX_RESAMPLE_GROWTH: f64 = 4.0;

/// How a clip's frames are spaced in time, from their presentation timestamps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FrameTiming {
    /// The frame rate the container states (frames per second).
    pub nominal_fps: f64,
    /// `(n − 1) / (t_last − t_first)`: the mean rate at which the frames were shown.
    pub effective_fps: f64,
    /// Shortest and longest interval between consecutive frames, in milliseconds.
    pub interval_ms: [f64; 2],
    /// `(longest − shortest interval − 2 ticks of the time base) / mean interval`, at least 0:
    /// how unevenly the frames are spaced, ignoring the rounding of timestamps to the
    /// container's time base (each stamp is off by at most one tick).
    pub interval_spread: f64,
    /// `interval_spread` exceeds [`VARIABLE_RATE_TOLERANCE`].
    pub variable: bool,
    /// When `variable`, the even rate the frames were resampled to (the clip's typical step,
    /// see [`resample_even`]):
    /// velocities are measured on that grid. `None` when the frames were used as decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resampled_fps: Option<f64>,
}

impl FrameTiming {
    /// The timing of frames shown at `times_s` (seconds, increasing), stamped in units of
    /// `tick_s` (the container's time base). `None` with fewer than two frames, or when the
    /// stamps do not increase (the frames are then taken as evenly spaced at `nominal_fps`).
    ///
    /// ```
    /// use mcvideo_decode::timing::FrameTiming;
    /// // 30 fps stamped in whole milliseconds: 33 and 34 ms steps, evenly spaced.
    /// let even: Vec<f64> = (0..30).map(|i| (i as f64 * 1000.0 / 30.0).round() / 1000.0).collect();
    /// let t = FrameTiming::from_times(&even, 0.001, 30.0).unwrap();
    /// assert!(!t.variable && (t.effective_fps - 30.0).abs() < 0.05);
    /// // 50 fps with every third frame dropped: steps of 20 and 40 ms.
    /// let dropped: Vec<f64> = (0..30).filter(|i| i % 3 != 2).map(|i| i as f64 * 0.02).collect();
    /// let t = FrameTiming::from_times(&dropped, 0.001, 50.0).unwrap();
    /// assert!(t.variable);
    /// assert_eq!(t.interval_ms, [20.0, 40.0]);
    /// assert!((t.effective_fps - 19.0 / 0.56).abs() < 1e-9);
    /// ```
    pub fn from_times(times_s: &[f64], tick_s: f64, nominal_fps: f64) -> Option<FrameTiming> {
        let n = times_s.len();
        if n < 2 || times_s.iter().any(|t| !t.is_finite()) {
            return None;
        }
        let intervals: Vec<f64> = times_s.windows(2).map(|w| w[1] - w[0]).collect();
        if intervals.iter().any(|&d| d <= 0.0) {
            return None;
        }
        let span = times_s[n - 1] - times_s[0];
        let mean = span / (n - 1) as f64;
        let shortest = intervals.iter().copied().fold(f64::INFINITY, f64::min);
        let longest = intervals.iter().copied().fold(0.0, f64::max);
        let tick = if tick_s.is_finite() && tick_s > 0.0 {
            tick_s
        } else {
            0.0
        };
        let interval_spread = ((longest - shortest - 2.0 * tick) / mean).max(0.0);
        let variable = interval_spread > VARIABLE_RATE_TOLERANCE;
        let ms = |s: f64| (s * 1e6).round() / 1e3;
        Some(FrameTiming {
            nominal_fps,
            effective_fps: 1.0 / mean,
            interval_ms: [ms(shortest), ms(longest)],
            interval_spread: (interval_spread * 1e4).round() / 1e4,
            variable,
            resampled_fps: None,
        })
    }
}

/// The clip's own step between frames: the median of the intervals no longer than 1.5 times
/// the 5th percentile interval. Dropped frames only lengthen intervals (to 2, 3, ... steps)
/// and would pull a plain median up (a clip missing every third frame has as many 2-step
/// intervals as 1-step ones); timing jitter spreads intervals both ways around the step, and
/// the 5th percentile keeps a few stray short intervals from setting it.
fn typical_interval(times_s: &[f64]) -> f64 {
    let mut intervals: Vec<f64> = times_s.windows(2).map(|w| w[1] - w[0]).collect();
    intervals.sort_by(f64::total_cmp);
    let Some(&base) = intervals.get(intervals.len() / 20) else {
        return 0.0;
    };
    let near: Vec<f64> = intervals.into_iter().filter(|&d| d <= 1.5 * base).collect();
    let n = near.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        near[n / 2]
    } else {
        0.5 * (near[n / 2 - 1] + near[n / 2])
    }
}

/// Frames shown at `times_s` (increasing) put on an even grid from the first to the last
/// time at the clip's typical step (the median of the intervals near the shortest ones): a grid time that falls within a tenth of an interval of a
/// frame takes that frame as it is, any other the two frames around it blended linearly by
/// their distance in time. Returns the frames and the grid's rate (frames per second); the
/// frames unchanged when there are fewer than two or the times do not increase.
///
/// ```
/// use image::{GrayImage, Luma};
/// use mcvideo_decode::timing::resample_even;
/// // Frames at 0, 20, 40 and 80 ms: the 60 ms grid time lies halfway between the last two.
/// let frames: Vec<GrayImage> = [0u8, 50, 100, 200].iter().map(|&v| GrayImage::from_pixel(2, 2, Luma([v]))).collect();
/// let (even, fps) = resample_even(frames, &[0.0, 0.02, 0.04, 0.08]);
/// assert!((fps - 50.0).abs() < 1e-9);
/// let values: Vec<u8> = even.iter().map(|f| f[(0, 0)][0]).collect();
/// assert_eq!(values, [0, 50, 100, 150, 200]);
/// ```
pub fn resample_even(frames: Vec<GrayImage>, times_s: &[f64]) -> (Vec<GrayImage>, f64) {
    let n = frames.len().min(times_s.len());
    let step = typical_interval(&times_s[..n]);
    let increasing = times_s[..n].windows(2).all(|w| w[1] > w[0]);
    if n < 2 || !increasing || step.is_nan() || step <= 0.0 {
        let fps = if n >= 2 && increasing {
            (n - 1) as f64 / (times_s[n - 1] - times_s[0])
        } else {
            0.0
        };
        return (frames, fps);
    }
    let span = times_s[n - 1] - times_s[0];
    let slots = ((span / step).round() as usize + 1).min((n as f64 * MAX_RESAMPLE_GROWTH) as usize);
    // The step that spans the clip with that many slots (equal to the median up to rounding).
    let step = span / (slots - 1) as f64;
    let mut out = Vec::with_capacity(slots);
    let mut after = 1usize;
    for k in 0..slots {
        let at = times_s[0] + k as f64 * step;
        while after < n - 1 && times_s[after] < at {
            after += 1;
        }
        let before = after - 1;
        let (t0, t1) = (times_s[before], times_s[after]);
        let snap = 0.1 * step;
        if (at - t0).abs() <= snap {
            out.push(frames[before].clone());
        } else if (t1 - at).abs() <= snap {
            out.push(frames[after].clone());
        } else {
            let w = ((at - t0) / (t1 - t0)).clamp(0.0, 1.0) as f32;
            out.push(blend(&frames[before], &frames[after], w));
        }
    }
    (out, 1.0 / step)
}

/// `(1 − w)·a + w·b`, rounded half up.
fn blend(a: &GrayImage, b: &GrayImage, w: f32) -> GrayImage {
    let pixels = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&p, &q)| ((1.0 - w) * f32::from(p) + w * f32::from(q) + 0.5).min(255.0) as u8)
        .collect();
    GrayImage::from_raw(a.width(), a.height(), pixels)
        .unwrap_or_else(|| GrayImage::new(a.width(), a.height()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_within_one_tick_is_even() {
        // 120 fps in milliseconds: 8 and 9 ms steps are rounding, not a variable rate.
        let times: Vec<f64> = (0..60)
            .map(|i| (i as f64 * 1000.0 / 120.0).round() / 1000.0)
            .collect();
        let t = FrameTiming::from_times(&times, 0.001, 120.0).unwrap();
        assert!(!t.variable, "{t:?}");
        assert_eq!(t.interval_ms, [8.0, 9.0]);
        // Without knowing the tick, the same stamps look uneven.
        assert!(
            FrameTiming::from_times(&times, 0.0, 120.0)
                .unwrap()
                .variable
        );
    }

    #[test]
    fn stamps_that_do_not_increase_give_no_timing() {
        assert!(FrameTiming::from_times(&[0.0, 0.04, 0.04], 0.001, 25.0).is_none());
        assert!(FrameTiming::from_times(&[0.0], 0.001, 25.0).is_none());
    }

    #[test]
    fn a_dropped_frame_is_filled_by_a_blend_and_even_clips_are_kept() {
        let frames: Vec<GrayImage> = (0..5u8)
            .map(|v| GrayImage::from_pixel(1, 1, image::Luma([v * 40])))
            .collect();
        // Frame at 0.08 s missing: the grid 0, .04, .08, .12, .16, .20 fills it.
        let times = [0.0, 0.04, 0.12, 0.16, 0.20];
        let (even, fps) = resample_even(frames.clone(), &times);
        assert!((fps - 25.0).abs() < 1e-9);
        let values: Vec<u8> = even.iter().map(|f| f[(0, 0)][0]).collect();
        assert_eq!(values, [0, 40, 60, 80, 120, 160]);
        let times = [0.0, 0.04, 0.08, 0.12, 0.16];
        let (same, _) = resample_even(frames.clone(), &times);
        assert_eq!(same, frames);
    }
}

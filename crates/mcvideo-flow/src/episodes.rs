//! Brief flow episodes: runs of frame steps that change beyond the noise outside the moving
//! windows, to be correlated on their own.
//!
//! A stop-and-go capillary may move for only a few frames at a time (the consensus's
//! intermittent flow, stopped at least half of the time, sets no least length for the moving
//! episodes: Ince C et al. Intensive Care Med 2018;44:281-299). Inside
//! a window of half a second such an episode is outweighed by the standing pattern around
//! it: the window's NCC at rest beats the NCC along the streak, and the window reads as
//! stopped. Taken on its own, the run of frames in which the pattern changes shows the
//! streak plainly.

use crate::motion::{changing_columns, row_similarity, temporal_change};
use crate::{correlate, velocity, FlowParams};
use ndarray::Array2;

/// One brief episode of flow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Episode {
    /// Its first frame.
    pub start: usize,
    /// Frame steps it spans.
    pub steps: usize,
    /// Displacement per frame along the centerline, px/frame (sign = direction).
    pub v_px: f64,
    /// NCC along its streak.
    pub score: f64,
}

/// The diagram's figures an episode is judged by.
#[derive(Debug, Clone, Copy)]
pub struct EpisodeGates {
    /// Noise variance of one diagram pixel (see [`crate::motion::noise_variance`]).
    pub noise: f64,
    /// Largest displacement per frame measured, px.
    pub max_shift: usize,
    /// Velocity floor, px/frame.
    pub v_floor: f64,
}

/// The brief episodes of flow in a background-free diagram `s` (raw diagram `raw`) outside
/// the windows `wins` marked moving: runs of at least `params.episode_min_steps` frame steps
/// that change by twice the noise variance (see [`active_runs`]), correlated at lag 1 on their
/// own. A run is flow when, as for flow beyond range, its change spans at least
/// `params.fast_min_coverage` of the segment (not a neighbour's cells crossing one end) and
/// renews the pattern (row similarity below `params.fast_max_row_similarity`, not static
/// cells flickering with registration jitter), and its streak passes the window test at
/// `params.episode_min_correlation` with the significance `params.lone_streak_min_z` asks of
/// a streak that stands alone.
///
/// ```
/// use mcvideo_flow::episodes::{brief_episodes, EpisodeGates};
/// use mcvideo_flow::{motion::windows, remove_static_background, FlowParams};
/// // 36 frames of a 60-px segment: a train of dark cells that stands still except during
/// // frames 14..18, when it moves 3 px per frame.
/// let offset = |t: usize| 3.0 * (t.clamp(14, 18) - 14) as f64;
/// let raw = ndarray::Array2::from_shape_fn((36, 60), |(t, x)| {
///     let u = x as f64 - offset(t);
///     let cells = (0..6).map(|k| (-(u - 5.0 - 11.0 * k as f64).powi(2) / 4.0).exp()).sum::<f64>();
///     (200.0 - 60.0 * cells) as f32
/// });
/// let mut s = raw.clone();
/// remove_static_background(&mut s);
/// let wins = windows(36, 12);
/// let gates = EpisodeGates { noise: 1.0, max_shift: 30, v_floor: 0.1 };
/// let found = brief_episodes(&s, &raw, &wins, &[false; 3], &gates, &FlowParams::default());
/// assert_eq!(found.len(), 1);
/// assert_eq!((found[0].start, found[0].steps), (14, 4));
/// assert!((found[0].v_px - 3.0).abs() < 0.1, "{:?}", found[0]);
/// // Inside a window already moving, the same frames are that window's.
/// assert!(brief_episodes(&s, &raw, &wins, &[false, true, false], &gates, &FlowParams::default()).is_empty());
/// ```
pub fn brief_episodes(
    s: &Array2<f32>,
    raw: &Array2<f32>,
    wins: &[(usize, usize)],
    window_moving: &[bool],
    gates: &EpisodeGates,
    params: &FlowParams,
) -> Vec<Episode> {
    let steps = s.nrows().saturating_sub(1);
    let mut in_moving = vec![false; steps];
    for (&(start, end), _) in wins.iter().zip(window_moving).filter(|&(_, &m)| m) {
        in_moving[start.min(steps)..end.min(steps)].fill(true);
    }
    let change = 2.0 * gates.noise;
    let runs = active_runs(s, change, &in_moving, params.episode_min_steps);
    if runs.is_empty() {
        return Vec::new();
    }
    let sums = correlate::window_correlations(s, &runs, 1, gates.max_shift);
    runs.iter()
        .zip(sums)
        .filter(|&(&(a, b), _)| {
            changing_columns(s, a, b, change) >= params.fast_min_coverage
                && row_similarity(raw, a, b) < params.fast_max_row_similarity
        })
        .filter_map(|(&(a, b), wc)| {
            velocity::estimate_velocity(&wc.ncc())
                .filter(|e| {
                    e.is_streak(
                        gates.v_floor,
                        params.episode_min_correlation,
                        params.motion_ratio,
                    ) && velocity::streak_z(&wc, e, s.ncols()) >= params.lone_streak_min_z
                })
                .map(|e| Episode {
                    start: a,
                    steps: b - a,
                    v_px: e.v_px,
                    score: e.score,
                })
        })
        .collect()
}

/// Runs `(a, b)` of consecutive frame steps `a..b` (frames `a..=b`) whose frame-to-frame
/// change (see [`temporal_change`]) reaches `threshold`, at least `min_steps` long, leaving
/// out the steps marked in `skip` (steps already inside a moving window). `skip` holds one
/// flag per frame step (`rows - 1`); missing flags count as false.
///
/// ```
/// use mcvideo_flow::episodes::active_runs;
/// // 8 frames x 4 columns, noise-free: the pattern changes at steps 1, 2, 3 and 6.
/// let s = ndarray::Array2::from_shape_fn((8, 4), |(t, x)| {
///     let phase = match t { 0 | 1 => 0, 2 => 1, 3 => 2, 4..=6 => 3, _ => 4 };
///     ((x + phase) % 4) as f32 * 10.0
/// });
/// assert_eq!(active_runs(&s, 1.0, &[], 2), vec![(1, 4)]);
/// assert_eq!(active_runs(&s, 1.0, &[], 1), vec![(1, 4), (6, 7)]);
/// // Step 2 lies in a moving window already: the run breaks there.
/// assert_eq!(active_runs(&s, 1.0, &[false, false, true], 1), vec![(1, 2), (3, 4), (6, 7)]);
/// ```
pub fn active_runs(
    s: &Array2<f32>,
    threshold: f64,
    skip: &[bool],
    min_steps: usize,
) -> Vec<(usize, usize)> {
    let steps = s.nrows().saturating_sub(1);
    let min_steps = min_steps.max(1);
    let mut runs = Vec::new();
    let mut start = None;
    for t in 0..=steps {
        let active = t < steps
            && !skip.get(t).copied().unwrap_or(false)
            && temporal_change(s, t, t + 1) >= threshold;
        match (active, start) {
            (true, None) => start = Some(t),
            (false, Some(a)) => {
                if t - a >= min_steps {
                    runs.push((a, t));
                }
                start = None;
            }
            _ => {}
        }
    }
    runs
}

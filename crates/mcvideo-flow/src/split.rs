//! Junctions that vessel detection missed, found from motion: one detected segment whose
//! cells move along one part and stand still along another.
//!
//! Blood in one unbranched capillary moves as one column (mass conservation), so a segment
//! whose frame-to-frame change is at noise level over one stretch and well above it over the
//! next holds two vessels joined at a branch the detector did not see. Scoring it as one
//! gives the whole length one class, which is how a stopped capillary behind a missed
//! junction reads as flowing. The split point is the change point of the per-position
//! log activity (two-segment least squares, as in binary segmentation; Scott AJ, Knott M.
//! A cluster analysis method for grouping means in the analysis of variance. Biometrics
//! 1974;30:507-512).

use crate::diagram::{remove_static_background, SamplingPlan};
use crate::motion::{column_change, noise_variance, EMPTY_FRAME_RATIO};
use crate::{half_width, window_rows, FlowParams};
use image::GrayImage;
use ndarray::Array2;
use rayon::prelude::*;

/// When to split a segment by motion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MotionSplit {
    /// Shortest piece on either side of a split (px).
    pub min_piece_px: usize,
    /// Least ratio between the median activities of the two sides.
    pub min_ratio: f64,
    /// Least median activity (frame-to-frame change over the noise variance) of the moving
    /// side; the still side must stay below `min_moving / min_ratio`...
    pub min_moving: f64,
    /// ...or, above that but below `min_moving`, be at least this many times less active than
    /// the moving side (0 disables). The diagram's noise estimate comes from neighbouring
    /// columns, which the lumen sampling correlates, and registration jitter makes static
    /// cells flicker: a stretch of stopped cells beside a flowing vessel reads 1.4–3 times
    /// the noise, against 40–140 on the flowing side.
    pub min_ratio_above_noise: f64,
}

/// Frame-to-frame change of each column of a background-free diagram over the whole clip,
/// in units of the diagram's noise variance (1 = noise only).
///
/// ```
/// use mcvideo_flow::split::column_activity;
/// // Columns 0-1 flicker by 4, columns 2-3 stay put; noise variance 1 is given.
/// let s = ndarray::Array2::from_shape_fn((5, 4), |(t, x)| if x < 2 { (t % 2) as f32 * 4.0 } else { 0.0 });
/// assert_eq!(column_activity(&s, 1.0), vec![8.0, 8.0, 0.0, 0.0]);
/// ```
pub fn column_activity(s: &Array2<f32>, noise: f64) -> Vec<f64> {
    let mut activity = column_change(s, 0, s.nrows());
    if noise > 0.0 {
        activity.iter_mut().for_each(|v| *v /= noise);
    } else {
        activity.iter_mut().for_each(|v| *v = 0.0);
    }
    activity
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// The column at which `activity` changes from still to moving (or back), if the two sides
/// differ as `rule` asks: the change point of the log activity that minimises the squared
/// deviation from the two sides' means.
///
/// ```
/// use mcvideo_flow::split::{split_column, MotionSplit};
/// let rule = MotionSplit { min_piece_px: 5, min_ratio: 3.0, min_moving: 4.0, min_ratio_above_noise: 20.0 };
/// let mut activity = vec![1.0; 12];
/// activity.extend(vec![20.0; 10]);
/// assert_eq!(split_column(&activity, &rule), Some(12));
/// // Moving everywhere: nothing to split.
/// assert_eq!(split_column(&vec![20.0; 22], &rule), None);
/// // Still cells that read 1.6 times the noise beside flow at 50: split, but only with the
/// // ratio above noise; at 2.5 against 40 (16-fold) not at all.
/// let mut activity = vec![50.0; 10];
/// activity.extend(vec![1.6; 12]);
/// assert_eq!(split_column(&activity, &rule), Some(10));
/// let at_noise_only = MotionSplit { min_ratio_above_noise: 0.0, ..rule };
/// assert_eq!(split_column(&activity, &at_noise_only), None);
/// let mut activity = vec![40.0; 10];
/// activity.extend(vec![2.5; 12]);
/// assert_eq!(split_column(&activity, &rule), None);
/// ```
pub fn split_column(activity: &[f64], rule: &MotionSplit) -> Option<usize> {
    let n = activity.len();
    let m = rule.min_piece_px.max(2);
    if n < 2 * m {
        return None;
    }
    // Log activity, floored well below noise so a flat stretch does not dominate.
    let logs: Vec<f64> = activity.iter().map(|&a| a.max(0.05).ln()).collect();
    let mut prefix = vec![0.0f64; n + 1];
    let mut prefix_sq = vec![0.0f64; n + 1];
    for (i, &v) in logs.iter().enumerate() {
        prefix[i + 1] = prefix[i] + v;
        prefix_sq[i + 1] = prefix_sq[i] + v * v;
    }
    let cost = |a: usize, b: usize| {
        let k = (b - a) as f64;
        let s = prefix[b] - prefix[a];
        (prefix_sq[b] - prefix_sq[a]) - s * s / k
    };
    let best = (m..=n - m).min_by(|&x, &y| {
        (cost(0, x) + cost(x, n))
            .total_cmp(&(cost(0, y) + cost(y, n)))
            .then(x.cmp(&y))
    })?;
    let (left, right) = (median(&activity[..best]), median(&activity[best..]));
    let (still, moving) = if left < right {
        (left, right)
    } else {
        (right, left)
    };
    let at_noise = still * rule.min_ratio <= moving && still <= rule.min_moving / rule.min_ratio;
    let far_below = rule.min_ratio_above_noise > 0.0
        && still < rule.min_moving
        && still * rule.min_ratio_above_noise <= moving;
    let differs = moving >= rule.min_moving && (at_noise || far_below);
    differs.then_some(best)
}

/// Per window of rows (`windows`, as [`crate::motion::windows`] gives them): each column's
/// frame-to-frame change ([`column_change`]) and mean square (cells in view, stopped or not),
/// both in units of the noise variance.
pub fn window_activity(
    s: &Array2<f32>,
    windows: &[(usize, usize)],
    noise: f64,
) -> Vec<(Vec<f64>, Vec<f64>)> {
    let cols = s.ncols();
    windows
        .iter()
        .map(|&(start, end)| {
            let mut change = column_change(s, start, end);
            let mut energy = vec![0.0f64; cols];
            for t in start..end.min(s.nrows()) {
                for (e, &v) in energy.iter_mut().zip(s.row(t).iter()) {
                    *e += f64::from(v) * f64::from(v);
                }
            }
            let rows = (end.min(s.nrows()) - start.min(end)).max(1) as f64;
            let scale = if noise > 0.0 { 1.0 / noise } else { 0.0 };
            change.iter_mut().for_each(|v| *v *= scale);
            energy.iter_mut().for_each(|v| *v *= scale / rows);
            (change, energy)
        })
        .collect()
}

/// The column at which a segment holds two vessels whose cells stop at different times
/// (an intermittent capillary behind a missed junction with a flowing one): the split that
/// makes the most windows *discordant*, one side moving (geometric mean change at least
/// `rule.min_moving`) while the other holds cells that stand still (change at most
/// `min_moving / min_ratio`, mean square at least [`EMPTY_FRAME_RATIO`]), always the same
/// side. `None` unless at least `min_windows` windows are discordant. Blood in one
/// unbranched vessel stops everywhere at once, and a stretch with no cell in view (a plasma
/// gap, the fading end of a flowing vessel) is empty rather than still, so neither splits.
///
/// ```
/// use mcvideo_flow::split::{split_column_by_windows, MotionSplit};
/// let rule = MotionSplit { min_piece_px: 4, min_ratio: 3.0, min_moving: 4.0, min_ratio_above_noise: 20.0 };
/// // 10 columns, 4 windows: columns 0-5 always move; columns 6-9 hold cells that move in
/// // windows 0 and 2 and stand still in windows 1 and 3.
/// let windows: Vec<(Vec<f64>, Vec<f64>)> = (0..4)
///     .map(|w| {
///         let change = (0..10).map(|x| if x < 6 || w % 2 == 0 { 10.0 } else { 0.5 }).collect();
///         (change, vec![8.0; 10])
///     })
///     .collect();
/// assert_eq!(split_column_by_windows(&windows, &rule, 2), Some(6));
/// // With no cell in view where nothing moves (mean square at noise level): no split.
/// let empty: Vec<(Vec<f64>, Vec<f64>)> = windows
///     .iter()
///     .map(|(c, _)| (c.clone(), c.iter().map(|&v| if v < 1.0 { 1.0 } else { 8.0 }).collect()))
///     .collect();
/// assert_eq!(split_column_by_windows(&empty, &rule, 2), None);
/// ```
pub fn split_column_by_windows(
    windows: &[(Vec<f64>, Vec<f64>)],
    rule: &MotionSplit,
    min_windows: usize,
) -> Option<usize> {
    let n = windows.first()?.0.len();
    let m = rule.min_piece_px.max(2);
    if n < 2 * m || windows.len() < min_windows.max(1) {
        return None;
    }
    let still_max = (rule.min_moving / rule.min_ratio).ln();
    let moving_min = rule.min_moving.ln();
    // Prefix sums per window of log change, its square, and mean square.
    let prefixes: Vec<[Vec<f64>; 3]> = windows
        .iter()
        .map(|(change, energy)| {
            let mut sums = [
                vec![0.0f64; n + 1],
                vec![0.0f64; n + 1],
                vec![0.0f64; n + 1],
            ];
            for x in 0..n {
                let log = change[x].max(0.05).ln();
                sums[0][x + 1] = sums[0][x] + log;
                sums[1][x + 1] = sums[1][x] + log * log;
                sums[2][x + 1] = sums[2][x] + energy[x];
            }
            sums
        })
        .collect();
    // Most discordant windows first, then the least squared deviation of the log change
    // from each side's mean over those windows (binary segmentation, as in [`split_column`]).
    let mut best: Option<(usize, f64, usize)> = None;
    for c in m..=n - m {
        let (nl, nr) = (c as f64, (n - c) as f64);
        let mut sides = [(0usize, 0.0f64); 2];
        for [log_sum, log_sq, energy_sum] in &prefixes {
            let (gl, gr) = (log_sum[c] / nl, (log_sum[n] - log_sum[c]) / nr);
            let (el, er) = (energy_sum[c] / nl, (energy_sum[n] - energy_sum[c]) / nr);
            let side = if gl <= still_max && el >= EMPTY_FRAME_RATIO && gr >= moving_min {
                0
            } else if gr <= still_max && er >= EMPTY_FRAME_RATIO && gl >= moving_min {
                1
            } else {
                continue;
            };
            let cost = (log_sq[c] - log_sum[c] * log_sum[c] / nl) + (log_sq[n] - log_sq[c])
                - (log_sum[n] - log_sum[c]).powi(2) / nr;
            sides[side].0 += 1;
            sides[side].1 += cost;
        }
        let (score, cost) = if sides[0].0 >= sides[1].0 {
            sides[0]
        } else {
            sides[1]
        };
        if score < min_windows.max(1) {
            continue;
        }
        let better = match best {
            None => true,
            Some((top, top_cost, _)) => score > top || (score == top && cost < top_cost),
        };
        if better {
            best = Some((score, cost, c));
        }
    }
    best.map(|(_, _, c)| c)
}

/// For each vessel (centerline in reference-frame px, diameter px), the arc length (px from
/// its first point) at which motion says it holds two vessels, if it does. Lumen sampling as
/// in [`crate::measure_vessels`] (`params.half_width_fraction`), over the whole centerline.
pub fn find_motion_splits(
    frames: &[GrayImage],
    shifts_px: &[[f64; 2]],
    vessels: &[(Vec<[f64; 2]>, f64)],
    fps: f64,
    params: &FlowParams,
    rule: &MotionSplit,
) -> Vec<Option<f64>> {
    vessels
        .par_iter()
        .map(|(centerline, diameter_px)| {
            let plan = SamplingPlan::new(centerline, half_width(*diameter_px, params));
            if plan.columns() < 2 * rule.min_piece_px.max(2) || frames.len() < 3 {
                return None;
            }
            let mut s = plan.diagram(frames, shifts_px);
            remove_static_background(&mut s);
            let noise = noise_variance(&s);
            let activity = column_activity(&s, noise);
            // Columns are 1-px steps of arc length.
            split_column(&activity, rule)
                .or_else(|| {
                    if params.split_min_discordant_windows == 0 {
                        return None;
                    }
                    let wins = crate::motion::windows(s.nrows(), window_rows(params, fps));
                    let per_window = window_activity(&s, &wins, noise);
                    split_column_by_windows(&per_window, rule, params.split_min_discordant_windows)
                })
                .map(|c| c as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A horizontal vessel at y = 10: dark cells every 9 px that move 3 px per frame left of
    /// `moving_until` and stand still right of it, with pseudo-random pixel noise of ±8 grey levels.
    fn frames(moving_until: u32) -> Vec<GrayImage> {
        (0..40u32)
            .map(|t| {
                GrayImage::from_fn(100, 21, |x, y| {
                    // Pixel noise from an integer hash: independent across x, y and t.
                    let h = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663))
                        ^ t.wrapping_mul(83_492_791);
                    let noise = (h.wrapping_mul(2_654_435_761) >> 28) as i32 - 8;
                    let offset = if x < moving_until { 3 * t } else { 0 };
                    let on_cell = (x + 900 - offset) % 9 < 3 && (8..=12).contains(&y);
                    let base = if on_cell { 90 } else { 200 };
                    image::Luma([(base + noise) as u8])
                })
            })
            .collect()
    }

    /// Like [`frames`] over 60 frames, but the cells right of x = 55 move only in the frames
    /// of even 10-frame windows and stand still where they are in odd ones: an intermittent
    /// capillary behind a missed junction with a continuous one. With `together`, the cells on
    /// the left stop and go with them: one vessel with stop-and-go flow.
    fn stop_and_go_frames(together: bool) -> Vec<GrayImage> {
        (0..60u32)
            .map(|t| {
                // Frames moved so far: all of each even window, none of odd ones.
                let moved = (0..t).filter(|k| (k / 10) % 2 == 0).count() as u32;
                GrayImage::from_fn(100, 21, |x, y| {
                    let h = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663))
                        ^ t.wrapping_mul(83_492_791);
                    let noise = (h.wrapping_mul(2_654_435_761) >> 28) as i32 - 8;
                    let offset = if x < 55 && !together {
                        3 * t
                    } else {
                        3 * moved
                    };
                    let on_cell = (x + 900 - offset) % 9 < 3 && (8..=12).contains(&y);
                    let base = if on_cell { 90 } else { 200 };
                    image::Luma([(base + noise) as u8])
                })
            })
            .collect()
    }

    #[test]
    fn cells_stopping_on_one_side_only_split_the_segment_there() {
        let f = stop_and_go_frames(false);
        let shifts = vec![[0.0, 0.0]; f.len()];
        let line = vec![(vec![[2.0, 10.0], [97.0, 10.0]], 5.0)];
        // 0.4 s windows at 25 fps = 10 frames, in step with the stops.
        let params = FlowParams {
            window_s: 0.4,
            ..FlowParams::default()
        };
        // Moving somewhere in every window: the whole-clip test alone does not split.
        let whole_clip_only = FlowParams {
            split_min_discordant_windows: 0,
            ..params.clone()
        };
        assert_eq!(
            find_motion_splits(&f, &shifts, &line, 25.0, &whole_clip_only, &rule())[0],
            None
        );
        let at =
            find_motion_splits(&f, &shifts, &line, 25.0, &params, &rule())[0].expect("split found");
        assert!((at - 53.0).abs() <= 3.0, "split at {at}");
        // One vessel whose cells all stop and go at once: no split.
        let f = stop_and_go_frames(true);
        assert_eq!(
            find_motion_splits(&f, &shifts, &line, 25.0, &params, &rule())[0],
            None
        );
    }

    fn rule() -> MotionSplit {
        MotionSplit {
            min_piece_px: 15,
            min_ratio: 3.0,
            min_moving: 4.0,
            min_ratio_above_noise: 20.0,
        }
    }

    #[test]
    fn a_vessel_moving_on_one_side_only_is_split_where_motion_stops() {
        let f = frames(55);
        let shifts = vec![[0.0, 0.0]; f.len()];
        let line = vec![(vec![[2.0, 10.0], [97.0, 10.0]], 5.0)];
        let split =
            find_motion_splits(&f, &shifts, &line, 25.0, &FlowParams::default(), &rule())[0];
        let at = split.expect("split found");
        // Column 0 is x = 2: motion stops at x = 55, arc length 53.
        assert!((at - 53.0).abs() <= 3.0, "split at {at}");
    }

    #[test]
    fn a_vessel_moving_or_still_all_along_is_not_split() {
        let shifts = vec![[0.0, 0.0]; 40];
        let line = vec![(vec![[2.0, 10.0], [97.0, 10.0]], 5.0)];
        for until in [0, 100] {
            let f = frames(until);
            assert_eq!(
                find_motion_splits(&f, &shifts, &line, 25.0, &FlowParams::default(), &rule())[0],
                None
            );
        }
    }
}

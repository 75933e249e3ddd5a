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
use crate::motion::{column_change, noise_variance};
use crate::{half_width, FlowParams};
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
    /// side; the still side must stay below `min_moving / min_ratio`.
    pub min_moving: f64,
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
/// let rule = MotionSplit { min_piece_px: 5, min_ratio: 3.0, min_moving: 4.0 };
/// let mut activity = vec![1.0; 12];
/// activity.extend(vec![20.0; 10]);
/// assert_eq!(split_column(&activity, &rule), Some(12));
/// // Moving everywhere: nothing to split.
/// assert_eq!(split_column(&vec![20.0; 22], &rule), None);
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
    let differs = moving >= rule.min_moving
        && still * rule.min_ratio <= moving
        && still <= rule.min_moving / rule.min_ratio;
    differs.then_some(best)
}

/// For each vessel (centerline in reference-frame px, diameter px), the arc length (px from
/// its first point) at which motion says it holds two vessels, if it does. Lumen sampling as
/// in [`crate::measure_vessels`] (`params.half_width_fraction`), over the whole centerline.
pub fn find_motion_splits(
    frames: &[GrayImage],
    shifts_px: &[[f64; 2]],
    vessels: &[(Vec<[f64; 2]>, f64)],
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
            split_column(&activity, rule).map(|c| c as f64)
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

    fn rule() -> MotionSplit {
        MotionSplit {
            min_piece_px: 15,
            min_ratio: 3.0,
            min_moving: 4.0,
        }
    }

    #[test]
    fn a_vessel_moving_on_one_side_only_is_split_where_motion_stops() {
        let f = frames(55);
        let shifts = vec![[0.0, 0.0]; f.len()];
        let line = vec![(vec![[2.0, 10.0], [97.0, 10.0]], 5.0)];
        let split = find_motion_splits(&f, &shifts, &line, &FlowParams::default(), &rule())[0];
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
                find_motion_splits(&f, &shifts, &line, &FlowParams::default(), &rule())[0],
                None
            );
        }
    }
}

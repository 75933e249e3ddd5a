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
    let cost = two_segment_cost(activity);
    let best = (m..=n - m).min_by(|&x, &y| cost(x).total_cmp(&cost(y)).then(x.cmp(&y)))?;
    let (left, right) = (median(&activity[..best]), median(&activity[best..]));
    let (still, moving) = if left < right {
        (left, right)
    } else {
        (right, left)
    };
    still_beside_moving(still, moving, rule).then_some(best)
}

/// Whether activity `still` reads as stopped cells beside `moving` as flowing ones, as
/// `rule` asks (both in units of the noise variance).
fn still_beside_moving(still: f64, moving: f64, rule: &MotionSplit) -> bool {
    let at_noise = still * rule.min_ratio <= moving && still <= rule.min_moving / rule.min_ratio;
    let far_below = rule.min_ratio_above_noise > 0.0
        && still < rule.min_moving
        && still * rule.min_ratio_above_noise <= moving;
    moving >= rule.min_moving && (at_noise || far_below)
}

/// `(rows, columns, shortest piece)` of a diagram that can hold two pieces of `rule`, over
/// at least three frames, with a positive noise estimate and a positive `threshold`; `None`
/// otherwise.
fn diagram_shape(
    s: &Array2<f32>,
    noise: f64,
    rule: &MotionSplit,
    threshold: f64,
) -> Option<(usize, usize, usize)> {
    let (rows, n) = s.dim();
    let m = rule.min_piece_px.max(2);
    // NaN fails both comparisons.
    let usable = n >= 2 * m && rows >= 3 && noise > 0.0 && threshold > 0.0;
    usable.then_some((rows, n, m))
}

/// The column at which a segment holds two vessels whose cells stop at different moments,
/// frame step by frame step. A step is discordant at a split column when the cells on one
/// side stand still (see `discordant_step`: cells in view keeping their pattern, change within
/// `rule`'s still reading) while those on the other side move. Of the columns with at least
/// `min_share` of the steps discordant, always on the same side, the split is the one where
/// the whole clip's log activity changes, as in [`split_column`] (near a junction the counts
/// form a noisy plateau); `None` when no column has enough. An intermittent capillary is
/// stopped at least half of the time (Ince et al. 2018), often in short stops between
/// episodes that every window of [`split_column_by_windows`] straddles; blood in one
/// unbranched vessel stops everywhere at once, so one vessel has no such steps.
///
/// ```
/// use mcvideo_flow::split::{split_column_by_steps, MotionSplit};
/// let rule = MotionSplit { min_piece_px: 4, min_ratio: 3.0, min_moving: 4.0, min_ratio_above_noise: 20.0 };
/// // 12 columns, 9 frames: cells (values ±4) on columns 0-6 jump every frame; those on
/// // columns 7-11 move only between frames 0-1 and 1-2 and stand still after (7 of 8 steps
/// // discordant, but only the 6 still ones counted). Noise variance 1.
/// let s = ndarray::Array2::from_shape_fn((9, 12), |(t, x)| {
///     let shift = if x < 7 { t } else { t.min(2) };
///     if (x + shift) % 2 == 0 { 4.0 } else { -4.0 }
/// });
/// assert_eq!(split_column_by_steps(&s, 1.0, &rule, 0.5), Some(7));
/// // All the cells stop together: one vessel.
/// let together = ndarray::Array2::from_shape_fn((9, 12), |(t, x)| {
///     if (x + t.min(2)) % 2 == 0 { 4.0 } else { -4.0 }
/// });
/// assert_eq!(split_column_by_steps(&together, 1.0, &rule, 0.5), None);
/// ```
pub fn split_column_by_steps(
    s: &Array2<f32>,
    noise: f64,
    rule: &MotionSplit,
    min_share: f64,
) -> Option<usize> {
    let (rows, n, m) = diagram_shape(s, noise, rule, min_share)?;
    let steps = rows - 1;
    // Per split column and side, the steps at which that side is still beside a moving other.
    let mut counts = vec![[0usize; 2]; n + 1];
    for_each_step(s, noise, |change, energy| {
        for (c, count) in counts.iter_mut().enumerate().take(n - m + 1).skip(m) {
            let (nl, nr) = (c as f64, (n - c) as f64);
            let (cl, cr) = (change[c] / nl, (change[n] - change[c]) / nr);
            let (el, er) = (energy[c] / nl, (energy[n] - energy[c]) / nr);
            if discordant_step((cl, el), (cr, er), rule) {
                count[0] += 1;
            } else if discordant_step((cr, er), (cl, el), rule) {
                count[1] += 1;
            }
        }
    });
    let need = (min_share * steps as f64).ceil().max(3.0) as usize;
    // Among the columns with enough discordant steps, the change point of the whole clip's
    // log activity, as in [`split_column`]: near the junction the counts form a noisy plateau.
    let cost = two_segment_cost(&column_activity(s, noise));
    (m..=n - m)
        .filter(|&c| counts[c][0].max(counts[c][1]) >= need)
        .min_by(|&x, &y| cost(x).total_cmp(&cost(y)).then(x.cmp(&y)))
}

/// Lag-1 normalised cross-correlation of the rows of a background-free diagram restricted to
/// any stretch of columns, for every displacement up to `max_shift` px per frame: the
/// column sums of Σ_t s_t\[x\]·s_{t+1}\[x + d\] and of the energies, kept as prefix sums so
/// that each stretch costs one subtraction per displacement.
struct StretchCorrelation {
    max_shift: usize,
    /// `[k][x]`, k = d + max_shift: Σ over columns below x of the cross products.
    cross: Vec<Vec<f64>>,
    /// Σ over columns below x of Σ_t s_t\[x\]² (rows 0..T-1) and (rows 1..T).
    energy_a: Vec<f64>,
    energy_b: Vec<f64>,
}

impl StretchCorrelation {
    fn new(s: &Array2<f32>, max_shift: usize) -> Self {
        Self::at_lag(s, max_shift, 1)
    }

    /// The same sums for rows `lag` frames apart.
    fn at_lag(s: &Array2<f32>, max_shift: usize, lag: usize) -> Self {
        let (rows, n) = s.dim();
        let lag = lag.max(1);
        let shifts = 2 * max_shift + 1;
        let mut sums = vec![vec![0.0f64; n]; shifts];
        let (mut col_a, mut col_b) = (vec![0.0f64; n], vec![0.0f64; n]);
        let row = |t: usize| -> Vec<f64> { s.row(t).iter().map(|&v| f64::from(v)).collect() };
        for t in lag..rows {
            let (a, b) = (row(t - lag), row(t));
            for x in 0..n {
                col_a[x] += a[x] * a[x];
                col_b[x] += b[x] * b[x];
            }
            for (k, sum) in sums.iter_mut().enumerate() {
                // Column x of row t against column x + d of row t + 1, on plain slices.
                let d = k as isize - max_shift as isize;
                let (lo, hi) = (
                    (-d).max(0) as usize,
                    (n as isize - d.max(0)).max(0) as usize,
                );
                if lo >= hi {
                    continue;
                }
                let shifted = &b[(lo as isize + d) as usize..(hi as isize + d) as usize];
                for ((acc, &av), &bv) in sum[lo..hi].iter_mut().zip(&a[lo..hi]).zip(shifted) {
                    *acc += av * bv;
                }
            }
        }
        let prefix = |v: &[f64]| {
            let mut p = vec![0.0f64; v.len() + 1];
            for (i, &x) in v.iter().enumerate() {
                p[i + 1] = p[i] + x;
            }
            p
        };
        StretchCorrelation {
            max_shift,
            cross: sums.iter().map(|v| prefix(v)).collect(),
            energy_a: prefix(&col_a),
            energy_b: prefix(&col_b),
        }
    }

    /// NCC of the stretch `[a, b)` at displacement `d`, over the column pairs that both lie in
    /// it; `None` when fewer than `min_overlap` do.
    fn ncc(&self, a: usize, b: usize, d: isize, min_overlap: usize) -> Option<f64> {
        let lo = (a as isize).max(a as isize - d);
        let hi = (b as isize).min(b as isize - d);
        if hi - lo < min_overlap as isize {
            return None;
        }
        let (lo, hi) = (lo as usize, hi as usize);
        let k = (d + self.max_shift as isize) as usize;
        let cross = self.cross[k][hi] - self.cross[k][lo];
        let ea = self.energy_a[hi] - self.energy_a[lo];
        let eb =
            self.energy_b[(hi as isize + d) as usize] - self.energy_b[(lo as isize + d) as usize];
        let den = (ea * eb).sqrt();
        (den > 0.0).then(|| cross / den)
    }

    /// The displacement with the highest NCC over `[a, b)` and that NCC.
    fn peak(&self, a: usize, b: usize, min_overlap: usize) -> Option<(isize, f64)> {
        let m = self.max_shift as isize;
        (-m..=m)
            .filter_map(|d| self.ncc(a, b, d, min_overlap).map(|c| (d, c)))
            .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.abs().cmp(&x.0.abs())))
    }
}

/// The column at which a segment holds two vessels whose cells move at different speeds (a
/// sluggish capillary behind a missed junction with a fast one): one side's rows correlate
/// from frame to frame at a displacement of at least 1 px per frame (NCC at least
/// [`SPEED_SPLIT_MIN_NCC`]) where the other side's do not (NCC at most
/// [`SPEED_SPLIT_MAX_NCC`] there and at rest), the other side holds cells (mean square at
/// least [`EMPTY_FRAME_RATIO`] noise variances), and its own best displacement, if it
/// correlates, is at least `min_ratio` times larger. Displacements up to half the shortest
/// piece are tried. Of the columns where this holds, the one with the largest difference of
/// the two NCCs. Red cells in one unbranched capillary move at one speed (mass conservation),
/// so one vessel never correlates on one side at a displacement where the other does not.
///
/// ```
/// use mcvideo_flow::split::{split_column_by_speed, MotionSplit};
/// let rule = MotionSplit { min_piece_px: 16, min_ratio: 3.0, min_moving: 4.0, min_ratio_above_noise: 20.0 };
/// // 40 columns, 30 frames: a pseudo-random cell pattern that creeps 2 px per frame on
/// // columns 0-19 and is new every frame on columns 20-39.
/// let cell = |i: i64| if (i * 7919).rem_euclid(13) < 5 { 4.0 } else { -2.0 };
/// let s = ndarray::Array2::from_shape_fn((30, 40), |(t, x)| {
///     let (t, x) = (t as i64, x as i64);
///     if x < 20 { cell(x - 2 * t) } else { cell(x + 997 * t) }
/// });
/// assert_eq!(split_column_by_speed(&s, 1.0, &rule, 2.0, 0.25), Some(20));
/// // The same creep all along: one vessel.
/// let one = ndarray::Array2::from_shape_fn((30, 40), |(t, x)| cell(x as i64 - 2 * t as i64));
/// assert_eq!(split_column_by_speed(&one, 1.0, &rule, 2.0, 0.25), None);
/// ```
pub fn split_column_by_speed(
    s: &Array2<f32>,
    noise: f64,
    rule: &MotionSplit,
    min_ratio: f64,
    max_still_share: f64,
) -> Option<usize> {
    let (rows, n, m) = diagram_shape(s, noise, rule, min_ratio)?;
    // A stop-and-go vessel correlates only over its few moving frames, so its halves are not
    // compared by speed: no split where both sides stand still for a share of the steps
    // (where only one does, the segment holds a stop-and-go vessel and a flowing one).
    let still = still_steps(s, noise);
    let max_still = (max_still_share * (rows - 1) as f64).floor() as usize;
    let max_shift = (m / 2).max(1);
    let min_overlap = (m - max_shift).max(2);
    let table = StretchCorrelation::new(s, max_shift);
    let pairs = (rows - 1) as f64;
    let holds_cells = |a: usize, b: usize| {
        (table.energy_a[b] - table.energy_a[a]) / ((b - a) as f64 * pairs * noise)
            >= EMPTY_FRAME_RATIO
    };
    let mut best: Option<(f64, usize)> = None;
    for (c, still_here) in still.iter().enumerate().take(n - m + 1).skip(m) {
        if max_still_share > 0.0 && still_here.iter().all(|&k| k > max_still) {
            continue;
        }
        let sides = [(0, c), (c, n)];
        for (slow, fast) in [(sides[0], sides[1]), (sides[1], sides[0])] {
            let Some((d_slow, ncc_slow)) = table.peak(slow.0, slow.1, min_overlap) else {
                continue;
            };
            if d_slow == 0 || ncc_slow < SPEED_SPLIT_MIN_NCC || !holds_cells(fast.0, fast.1) {
                continue;
            }
            let at = |d: isize| table.ncc(fast.0, fast.1, d, min_overlap);
            let (Some(fast_at_slow), Some(fast_at_rest)) = (at(d_slow), at(0)) else {
                continue;
            };
            if fast_at_slow > SPEED_SPLIT_MAX_NCC || fast_at_rest > SPEED_SPLIT_MAX_NCC {
                continue;
            }
            let fast_peak = table.peak(fast.0, fast.1, min_overlap);
            if fast_peak.is_some_and(|(d, ncc)| {
                ncc >= SPEED_SPLIT_MIN_NCC && (d.abs() as f64) < min_ratio * d_slow.abs() as f64
            }) {
                continue;
            }
            let score = ncc_slow - fast_at_slow;
            if best.is_none_or(|(top, _)| score > top) {
                best = Some((score, c));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// For each split column, the frame steps at which the cells on the left and on the right
/// stand still: in view (mean square at least [`EMPTY_FRAME_RATIO`] noise variances) and
/// keeping their pattern (change at most [`STILL_DECORRELATION`] of the mean square).
fn still_steps(s: &Array2<f32>, noise: f64) -> Vec<[usize; 2]> {
    let n = s.ncols();
    let mut counts = vec![[0usize; 2]; n + 1];
    let still =
        |ch: f64, en: f64, k: f64| en >= EMPTY_FRAME_RATIO * k && ch <= STILL_DECORRELATION * en;
    for_each_step(s, noise, |change, energy| {
        for (c, count) in counts.iter_mut().enumerate().take(n).skip(1) {
            if still(change[c], energy[c], c as f64) {
                count[0] += 1;
            }
            if still(change[n] - change[c], energy[n] - energy[c], (n - c) as f64) {
                count[1] += 1;
            }
        }
    });
    counts
}

/// Calls `visit` once per frame step of `s` with the prefix sums over columns of the step's
/// change, (b − a)², and mean square, a² + b², both halved and in noise variances.
fn for_each_step(s: &Array2<f32>, noise: f64, mut visit: impl FnMut(&[f64], &[f64])) {
    let (rows, n) = s.dim();
    let scale = 1.0 / (2.0 * noise);
    let (mut change, mut energy) = (vec![0.0f64; n + 1], vec![0.0f64; n + 1]);
    for t in 0..rows.saturating_sub(1) {
        for (x, (&a, &b)) in s.row(t).iter().zip(s.row(t + 1).iter()).enumerate() {
            let (a, b) = (f64::from(a), f64::from(b));
            change[x + 1] = change[x] + (b - a) * (b - a) * scale;
            energy[x + 1] = energy[x] + (a * a + b * b) * scale;
        }
        visit(&change, &energy);
    }
}

/// The column at which a segment holds two vessels whose cells move in opposite directions
/// along it, meeting at (or leaving from) one point: flow converging on or diverging from a
/// junction the detector merged through, which the space-time diagram shows as a V. On each
/// side of a candidate column the rows correlate from frame to frame best at a displacement
/// `d ≠ 0` (over one frame, or four for slow flow), of opposite signs on the two sides, and better there than at the mirrored
/// displacement `−d` and than at the other side's displacement by at least `min_z` standard
/// errors (the NCC difference times the square root of the row pairs times the
/// overlapping columns; faint cells give small NCCs that a whole clip still makes
/// significant). Of the columns where this holds, the one where the smallest of these NCC
/// margins is largest: there neither side holds a piece of the other vessel. Red cells in one unbranched vessel move one way
/// at a time, so one vessel never shows both directions at once.
///
/// ```
/// use mcvideo_flow::split::{split_column_by_direction, MotionSplit};
/// let rule = MotionSplit { min_piece_px: 16, min_ratio: 3.0, min_moving: 4.0, min_ratio_above_noise: 20.0 };
/// // 40 columns, 30 frames: a pseudo-random cell pattern that moves 2 px per frame towards
/// // column 20 from both sides.
/// let cell = |i: i64| if (i * 7919).rem_euclid(13) < 5 { 4.0 } else { -2.0 };
/// let s = ndarray::Array2::from_shape_fn((30, 40), |(t, x)| {
///     let (t, x) = (t as i64, x as i64);
///     if x < 20 { cell(x - 2 * t) } else { cell(x + 2 * t + 500) }
/// });
/// assert_eq!(split_column_by_direction(&s, 1.0, &rule, 8.0), Some(20));
/// // The same direction all along: one vessel.
/// let one = ndarray::Array2::from_shape_fn((30, 40), |(t, x)| cell(x as i64 - 2 * t as i64));
/// assert_eq!(split_column_by_direction(&one, 1.0, &rule, 8.0), None);
/// ```
pub fn split_column_by_direction(
    s: &Array2<f32>,
    noise: f64,
    rule: &MotionSplit,
    min_z: f64,
) -> Option<usize> {
    let (rows, n, m) = diagram_shape(s, noise, rule, min_z)?;
    let max_shift = (m / 2).max(1);
    let min_overlap = (m - max_shift).max(2);
    // Lag 1 for fast flow; slow flow creeps too little in one frame for blurred cells to
    // correlate better forwards than backwards, and shows its direction over four.
    [1, 4]
        .into_iter()
        .filter(|&lag| lag < rows)
        .filter_map(|lag| {
            let table = StretchCorrelation::at_lag(s, max_shift, lag);
            direction_split(&table, rows - lag, n, m, min_overlap, min_z)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The best column for [`split_column_by_direction`] on one lag's table, with its score.
fn direction_split(
    table: &StretchCorrelation,
    pairs: usize,
    n: usize,
    m: usize,
    min_overlap: usize,
    min_z: f64,
) -> Option<(f64, usize)> {
    let pairs = pairs as f64;
    // How far the stretch [a, b) correlates better at its own displacement `d` than at
    // `other`, in standard errors.
    // The NCC margin and its significance.
    let beats = |a: usize, b: usize, d: isize, peak: f64, other: isize| -> Option<(f64, f64)> {
        let there = table.ncc(a, b, other, min_overlap)?;
        let overlap = (b - a) as f64 - d.unsigned_abs() as f64;
        Some((peak - there, (peak - there) * (pairs * overlap).sqrt()))
    };
    let mut best: Option<(f64, usize)> = None;
    for c in m..=n - m {
        let (Some((d_left, p_left)), Some((d_right, p_right))) =
            (table.peak(0, c, min_overlap), table.peak(c, n, min_overlap))
        else {
            continue;
        };
        if d_left == 0 || d_right == 0 || d_left.signum() == d_right.signum() {
            continue;
        }
        // Each side beats both its mirrored displacement and the other side's: a periodic
        // train of cells correlates at aliases of both signs, and then neither side does.
        // Every margin significant; the split where the weaker margin is widest, i.e. where
        // neither side holds a piece of the other vessel.
        let weakest = [
            beats(0, c, d_left, p_left, -d_left),
            beats(0, c, d_left, p_left, d_right),
            beats(c, n, d_right, p_right, -d_right),
            beats(c, n, d_right, p_right, d_left),
        ]
        .into_iter()
        .try_fold((f64::INFINITY, f64::INFINITY), |(m, z), b| {
            b.map(|(bm, bz)| (m.min(bm), z.min(bz)))
        });
        if let Some((score, _)) = weakest.filter(|&(_, z)| z >= min_z)
            && best.is_none_or(|(top, _)| score > top)
        {
            best = Some((score, c));
        }
    }
    best
}

/// See [`split_column_by_speed`].
pub const SPEED_SPLIT_MIN_NCC: f64 = 0.5;
/// See [`split_column_by_speed`].
pub const SPEED_SPLIT_MAX_NCC: f64 = 0.2;

/// One frame step of [`split_column_by_steps`]: each side's mean change and mean square per
/// column (noise variances). The still side holds cells and keeps their pattern (change at
/// most [`STILL_DECORRELATION`] of its mean square), the moving side's pattern is renewed
/// (at least [`MOVING_DECORRELATION`]), and the two changes differ as `rule` asks. The
/// ratio of change to mean square is one minus the lag-1 correlation of the side's pattern,
/// whatever its cell density: two stretches of one vessel move by the same step, so neither
/// reads renewed while the other keeps its pattern, even where one holds more cells.
fn discordant_step(still: (f64, f64), moving: (f64, f64), rule: &MotionSplit) -> bool {
    let ((still_change, still_energy), (moving_change, moving_energy)) = (still, moving);
    still_energy >= EMPTY_FRAME_RATIO
        && moving_energy >= EMPTY_FRAME_RATIO
        && still_change <= STILL_DECORRELATION * still_energy
        && moving_change >= MOVING_DECORRELATION * moving_energy
        && still_beside_moving(still_change, moving_change, rule)
}

/// See [`discordant_step`].
pub const STILL_DECORRELATION: f64 = 0.4;
/// See [`discordant_step`].
pub const MOVING_DECORRELATION: f64 = 0.8;

/// The squared deviation of the log activity from the means of its two sides, for a split
/// at each column (binary segmentation, as in [`split_column`]).
fn two_segment_cost(activity: &[f64]) -> impl Fn(usize) -> f64 + use<> {
    let n = activity.len();
    let mut prefix = vec![0.0f64; n + 1];
    let mut prefix_sq = vec![0.0f64; n + 1];
    for (i, &a) in activity.iter().enumerate() {
        // Floored well below noise so a flat stretch does not dominate.
        let v = a.max(0.05).ln();
        prefix[i + 1] = prefix[i] + v;
        prefix_sq[i + 1] = prefix_sq[i] + v * v;
    }
    let side = move |a: usize, b: usize| {
        let k = (b - a).max(1) as f64;
        let s = prefix[b] - prefix[a];
        (prefix_sq[b] - prefix_sq[a]) - s * s / k
    };
    move |c| side(0, c) + side(c, n)
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

/// The first column at which diagram `s` (background removed, noise variance `noise`) holds
/// two vessels, by the whole-clip activity ([`split_column`]), then the windows
/// ([`split_column_by_windows`]), the frame steps ([`split_column_by_steps`]), the speeds
/// ([`split_column_by_speed`]) and the directions ([`split_column_by_direction`]), each tried
/// only if the one before finds nothing.
pub(crate) fn split_diagram(
    s: &Array2<f32>,
    noise: f64,
    fps: f64,
    params: &FlowParams,
    rule: &MotionSplit,
) -> Option<usize> {
    let activity = column_activity(s, noise);
    split_column(&activity, rule)
        .or_else(|| {
            if params.split_min_discordant_windows == 0 {
                return None;
            }
            let wins = crate::motion::windows(s.nrows(), window_rows(params, fps));
            let per_window = window_activity(s, &wins, noise);
            split_column_by_windows(&per_window, rule, params.split_min_discordant_windows)
        })
        .or_else(|| split_column_by_steps(s, noise, rule, params.split_min_still_share))
        .or_else(|| {
            (params.split_min_speed_ratio > 0.0)
                .then(|| {
                    split_column_by_speed(
                        s,
                        noise,
                        rule,
                        params.split_min_speed_ratio,
                        params.split_min_still_share,
                    )
                })
                .flatten()
        })
        .or_else(|| {
            (params.split_min_direction_z > 0.0)
                .then(|| split_column_by_direction(s, noise, rule, params.split_min_direction_z))
                .flatten()
        })
}

/// For each vessel (centerline in reference-frame px, diameter px), the arc length (px from
/// its first point) at which motion says it holds two vessels, if it does: the first split
/// found by the whole-clip activity, the windows, the frame steps and the speeds, in that
/// order. Lumen sampling as in [`crate::measure_vessels`] (`params.half_width_fraction`),
/// over the whole centerline.
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
            // Columns are 1-px steps of arc length.
            split_diagram(&s, noise, fps, params, rule).map(|c| c as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A horizontal vessel at y = 10: dark cells every 9 px that move 3 px per frame left of
    /// `moving_until` and stand still right of it, with pseudo-random pixel noise of ±8 grey levels.
    fn frames(moving_until: u32) -> Vec<GrayImage> {
        let offset = move |x: u32, t: u32| if x < moving_until { 3 * t } else { 0 };
        vessel_frames(40, |_| 9, offset, |_| 90)
    }

    /// Like [`frames`] over 60 frames, but the cells right of x = 55 move only in the frames
    /// of even 10-frame windows and stand still where they are in odd ones: an intermittent
    /// capillary behind a missed junction with a continuous one. With `together`, the cells on
    /// the left stop and go with them: one vessel with stop-and-go flow.
    fn stop_and_go_frames(together: bool) -> Vec<GrayImage> {
        let offset = move |x: u32, t: u32| {
            // Frames moved so far: all of each even window, none of odd ones.
            let moved = (0..t).filter(|k| (k / 10) % 2 == 0).count() as u32;
            if x < 55 && !together {
                3 * t
            } else {
                3 * moved
            }
        };
        vessel_frames(60, |_| 9, offset, |_| 90)
    }

    #[test]
    fn cells_stopping_on_one_side_only_split_the_segment_there() {
        let f = stop_and_go_frames(false);
        // 0.4 s windows at 25 fps = 10 frames, in step with the stops.
        let params = FlowParams {
            window_s: 0.4,
            ..FlowParams::default()
        };
        // Moving somewhere in every window: the whole-clip test alone does not split.
        let whole_clip_only = FlowParams {
            split_min_discordant_windows: 0,
            split_min_still_share: 0.0,
            ..params.clone()
        };
        assert_eq!(split_at(&f, &whole_clip_only), None);
        let at = split_at(&f, &params).expect("split found");
        assert!((at - 53.0).abs() <= 3.0, "split at {at}");
        // One vessel whose cells all stop and go at once: no split.
        let f = stop_and_go_frames(true);
        assert_eq!(split_at(&f, &params), None);
    }

    /// `count` frames of a horizontal vessel at y = 10 with pseudo-random pixel noise of ±8
    /// grey levels (independent across x, y and t): cells 3 px long every `spacing(x)` px,
    /// displaced by `offset(x, t)` px at frame t, of grey `cell_grey(x)` on a background of 200.
    fn vessel_frames(
        count: u32,
        spacing: impl Fn(u32) -> u32,
        offset: impl Fn(u32, u32) -> u32,
        cell_grey: impl Fn(u32) -> i32,
    ) -> Vec<GrayImage> {
        (0..count)
            .map(|t| {
                GrayImage::from_fn(100, 21, |x, y| {
                    let h = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663))
                        ^ t.wrapping_mul(83_492_791);
                    let noise = (h.wrapping_mul(2_654_435_761) >> 28) as i32 - 8;
                    let on_cell =
                        (x + 900 - offset(x, t)) % spacing(x) < 3 && (8..=12).contains(&y);
                    let base = if on_cell { cell_grey(x) } else { 200 };
                    image::Luma([(base + noise) as u8])
                })
            })
            .collect()
    }

    #[test]
    fn short_stops_on_one_side_split_the_segment_step_by_step() {
        // Right of x = 55 the cells move in 2 of every 5 frames (stopped 60% of the time, in
        // stops too short for any 0.4 s window to be still); left of it they move every frame.
        let stop_and_go = |x: u32, t: u32| {
            if x < 55 {
                3 * t
            } else {
                3 * (t / 5 * 2 + (t % 5).min(2))
            }
        };
        let f = vessel_frames(60, |_| 9, stop_and_go, |_| 90);
        let params = FlowParams {
            window_s: 0.4,
            ..FlowParams::default()
        };
        // Without the step test (and the direction test, to which cells exactly 9 px apart
        // moving 12 px in four frames on one side look like 3 px forwards or 6 back): none.
        let windows_only = FlowParams {
            split_min_still_share: 0.0,
            split_min_direction_z: 0.0,
            ..params.clone()
        };
        assert_eq!(split_at(&f, &windows_only), None);
        let at = split_at(&f, &params).expect("split found");
        assert!((at - 53.0).abs() <= 3.0, "split at {at}");
    }

    /// The background-free diagram of [`vessel_frames`] along y = 10 and its noise variance.
    fn diagram_of(frames: &[GrayImage]) -> (Array2<f32>, f64) {
        let plan = SamplingPlan::new(&[[2.0, 10.0], [97.0, 10.0]], 2.5);
        let mut s = plan.diagram(frames, &vec![[0.0, 0.0]; frames.len()]);
        remove_static_background(&mut s);
        let noise = noise_variance(&s);
        (s, noise)
    }

    #[test]
    fn a_slow_vessel_with_faint_cells_on_one_side_is_not_split_step_by_step() {
        // One sluggish vessel whose cells all creep 1 px per frame, dark on the left and
        // faint on the right: the faint stretch changes little, some twenty times less than
        // the dark one, yet both keep their pattern from frame to frame.
        let faint_right = |x: u32| if x < 55 { 90 } else { 190 };
        let (s, noise) = diagram_of(&vessel_frames(60, |_| 9, |_, t| t, faint_right));
        assert_eq!(split_column_by_steps(&s, noise, &rule(), 0.25), None);
        // Dark cells that jump on the left while the faint ones stop and go: split there.
        let jump_left = |x: u32, t: u32| {
            if x < 55 {
                3 * t
            } else {
                t / 5 * 2 + (t % 5).min(2)
            }
        };
        let (s, noise) = diagram_of(&vessel_frames(60, |_| 9, jump_left, faint_right));
        let at = split_column_by_steps(&s, noise, &rule(), 0.25).expect("split found");
        assert!((53..=56).contains(&at), "split at {at}");
    }

    #[test]
    fn a_slow_vessel_behind_a_fast_one_is_split_where_the_speed_changes() {
        // Cells creep 2 px per frame left of x = 55 and rush 13 px per frame right of it.
        let two_speeds = |x: u32, t: u32| if x < 55 { 2 * t } else { 13 * t };
        let f = vessel_frames(60, |_| 9, two_speeds, |_| 90);
        let params = FlowParams::default();
        let at = split_at(&f, &params).expect("split found");
        assert!((at - 53.0).abs() <= 3.0, "split at {at}");
        // The speed test makes this split: without it (and without the direction test, to
        // which the cells every 9 px rushing 13 px per frame look like 4 px back), none.
        let no_speed = FlowParams {
            split_min_speed_ratio: 0.0,
            split_min_direction_z: 0.0,
            ..params.clone()
        };
        assert_eq!(split_at(&f, &no_speed), None);
        // One vessel creeping at 2 px per frame all along: no split.
        let f = vessel_frames(60, |_| 9, |_, t| 2 * t, |_| 90);
        assert_eq!(split_at(&f, &params), None);
    }

    #[test]
    fn flow_meeting_from_both_sides_is_split_where_it_meets() {
        // Cells move 3 px per frame towards x = 50 from both sides.
        let meeting = |x: u32, t: u32| if x < 50 { 3 * t } else { 600 - 3 * t };
        let f = vessel_frames(60, |_| 9, meeting, |_| 90);
        let params = FlowParams {
            split_min_speed_ratio: 0.0,
            ..FlowParams::default()
        };
        let at = split_at(&f, &params).expect("split found");
        assert!((at - 48.0).abs() <= 4.0, "split at {at}");
        let no_direction = FlowParams {
            split_min_direction_z: 0.0,
            ..params
        };
        assert_eq!(split_at(&f, &no_direction), None);
    }

    /// The split point [`find_motion_splits`] gives the vessel of [`vessel_frames`] (y = 10,
    /// x from 2 to 97, 5 px wide) on unmoved frames.
    fn split_at(frames: &[GrayImage], params: &FlowParams) -> Option<f64> {
        let shifts = vec![[0.0, 0.0]; frames.len()];
        let line = vec![(vec![[2.0, 10.0], [97.0, 10.0]], 5.0)];
        find_motion_splits(frames, &shifts, &line, 25.0, params, &rule()).remove(0)
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
        let at = split_at(&f, &FlowParams::default()).expect("split found");
        // Column 0 is x = 2: motion stops at x = 55, arc length 53.
        assert!((at - 53.0).abs() <= 3.0, "split at {at}");
    }

    #[test]
    fn a_vessel_moving_or_still_all_along_is_not_split() {
        for until in [0, 100] {
            let f = frames(until);
            assert_eq!(split_at(&f, &FlowParams::default()), None);
        }
    }
}

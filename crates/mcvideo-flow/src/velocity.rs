//! Streak slope (velocity) from the lagged NCC table: the displacement per frame that best
//! explains the correlation peaks at all lags at once.
//!
//! For a candidate velocity v (px/frame) the score is the mean over lags k of NCC_k(k·v),
//! taken over the lags whose displacement k·|v| stays within the measurable range. Long lags
//! give slow flow sub-pixel precision (the streak slope measured over k frames, as the
//! orientation methods of Dobbe et al. 2008 do over the whole diagram); fast flow is measured
//! at lag 1 alone, up to the range limit (displacement at most a set share of the segment,
//! so that the same cells are seen in both rows). Agreement across lags also suppresses the
//! aliases a quasi-periodic train of cells gives a single lag.

use crate::correlate::{NccTable, WindowCorrelation};

/// The velocity that best explains one NCC table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct VelocityEstimate {
    /// Displacement per frame along the centerline, px/frame (sign = direction).
    pub v_px: f64,
    /// Mean NCC along the streak at `v_px`.
    pub score: f64,
    /// Mean NCC at zero displacement over the same lags: what a static pattern scores.
    pub static_score: f64,
    /// Lags that entered the score.
    pub lags_used: usize,
}

impl VelocityEstimate {
    /// The moving test: a streak at least `v_floor` px/frame steep, with an NCC of at least
    /// `min_correlation`, that explains the pattern `motion_ratio` times better than standing
    /// still does (1 − NCC at rest against 1 − NCC along the streak).
    pub(crate) fn is_streak(&self, v_floor: f64, min_correlation: f64, motion_ratio: f64) -> bool {
        self.v_px.abs() >= v_floor
            && self.score >= min_correlation
            && (1.0 - self.static_score) >= motion_ratio * (1.0 - self.score)
    }
}

/// Mean NCC along a streak of slope v, with the number of lags used.
pub(crate) fn streak_score(ncc: &NccTable, v: f64) -> (f64, usize) {
    let dmax = ncc.max_shift as f64;
    let mut sum = 0.0;
    let mut n = 0;
    for k in 1..=ncc.lags {
        if !ncc.has_lag(k) {
            continue;
        }
        let d = k as f64 * v;
        if d.abs() > dmax {
            break;
        }
        sum += ncc.at(k, d);
        n += 1;
    }
    if n == 0 {
        (f64::NEG_INFINITY, 0)
    } else {
        (sum / n as f64, n)
    }
}

/// Mean NCC at zero displacement over the first `lags` available lags.
pub(crate) fn static_score(ncc: &NccTable, lags: usize) -> f64 {
    let mut sum = 0.0;
    let mut n = 0;
    for k in (1..=ncc.lags).filter(|&k| ncc.has_lag(k)).take(lags) {
        sum += ncc.at_int(k, 0);
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// Searches the whole range on a grid fine enough that no lag misses its peak by more than
/// a quarter pixel (step 1/(2·lags in use)), then refines around the best candidate on a
/// 1/64 px/frame grid and fits a parabola to the refined peak.
pub(crate) fn estimate_velocity(ncc: &NccTable) -> Option<VelocityEstimate> {
    if !ncc.has_lag(1) {
        return None;
    }
    let dmax = ncc.max_shift as f64;
    let mut best_v = 0.0;
    let mut best_step = 0.5;
    let mut best = streak_score(ncc, 0.0).0;
    let mut v = 0.0f64;
    loop {
        let lags = streak_score(ncc, v).1.max(1);
        let step = 0.5 / lags as f64;
        v += step;
        if v > dmax {
            break;
        }
        for cand in [v, -v] {
            let (s, _) = streak_score(ncc, cand);
            if s > best {
                best = s;
                best_v = cand;
                best_step = step;
            }
        }
    }
    const STEPS: i64 = 64;
    let lo = (best_v - best_step).max(-dmax);
    let hi = (best_v + best_step).min(dmax);
    let mut grid = Vec::with_capacity((2 * STEPS + 1) as usize);
    let mut v = lo;
    while v <= hi + 1e-12 {
        grid.push((v, streak_score(ncc, v).0));
        v += 1.0 / STEPS as f64;
    }
    let (i_best, &(mut v_best, mut s_best)) = grid
        .iter()
        .enumerate()
        .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1))?;
    if i_best > 0 && i_best + 1 < grid.len() {
        let (y0, y1, y2) = (grid[i_best - 1].1, grid[i_best].1, grid[i_best + 1].1);
        let den = y0 - 2.0 * y1 + y2;
        if den < 0.0 {
            let delta = (0.5 * (y0 - y2) / den).clamp(-0.5, 0.5);
            v_best += delta / STEPS as f64;
            s_best = y1 - 0.25 * (y0 - y2) * delta;
        }
    }
    let (_, lags_used) = streak_score(ncc, v_best);
    Some(VelocityEstimate {
        v_px: v_best,
        score: s_best,
        static_score: static_score(ncc, lags_used.max(1)),
        lags_used,
    })
}

/// Significance of a streak: its NCC times the square root of the samples behind it (row
/// pairs times overlapping columns, summed over the lags the score used). For noise the NCC
/// of n independent samples has a standard deviation of about 1/sqrt(n).
pub(crate) fn streak_z(wc: &WindowCorrelation, e: &VelocityEstimate, columns: usize) -> f64 {
    e.score * streak_samples(wc, e.v_px, columns).sqrt()
}

/// The samples a streak of slope `v_px` rests on: row pairs times overlapping columns, summed
/// over the lags whose displacement stays within range.
pub(crate) fn streak_samples(wc: &WindowCorrelation, v_px: f64, columns: usize) -> f64 {
    let mut samples = 0.0;
    for k in 1..=wc.lags {
        let shift = k as f64 * v_px.abs();
        if shift > wc.max_shift as f64 {
            break;
        }
        samples += wc.pairs[k - 1] as f64 * (columns as f64 - shift).max(0.0);
    }
    samples
}

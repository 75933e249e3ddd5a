//! Segmented (broken-line) regression with one breakpoint in x, as R's
//! `segmented(lm(y ~ x + covariates), seg.Z = ~x)` (segmented 1.6-2; Muggeo 2003, Stat Med
//! 22:3055-3071): y = X b + beta (x - psi)_+ + e.
//!
//! Muggeo's iteration refits y on [X, U, V] with U = (x - psi)_+ and V = -I(x > psi) and moves
//! psi by gamma/beta with a line search over the step (R's `optimize` on [0, 1]); psi stays
//! within the alpha and 1 - alpha quantiles of x, alpha = max(0.05, 1/n). R escapes local
//! minima by bootstrap restarting (random); here the profile residual sum of squares is
//! minimized exactly on every interval between distinct x values instead (deterministic; in
//! closed form, O(n p) for all intervals together), and the better of the two solutions is
//! polished by undamped Muggeo steps. Every step costs O(n p) in time and memory: the columns
//! of each linearized model are projected on the base design's orthonormal basis, and no
//! n x n matrix is ever formed.
//! The standard error of psi comes from the final linearized model with the column V * beta
//! (R's delta method); its CI uses the t quantile on n - p - 2 df, as `confint.segmented`.

use crate::davies::davies_test;
use crate::error::{DoseError, Result};
use crate::gam::validate;
use crate::linalg::check_triangular_rank;
use crate::optim::brent_min;
use crate::quantile::sorted_unique;
use mcvideo_stats::dist::t_quantile;
use mcvideo_stats::regress::least_squares;
use mcvideo_stats::summary::quantile_sorted;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Options.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SegmentedOptions {
    /// Start value of the breakpoint (default: the median of x, as R).
    pub psi: Option<f64>,
    /// Evaluation points of the Davies test (R's default 10; 0 means 10).
    pub davies_k: usize,
}

/// A fitted one-breakpoint model, in SPEC field names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentedFit {
    /// Rows used.
    pub n: usize,
    /// Breakpoint psi.
    pub breakpoint: f64,
    /// Its standard error (delta method).
    pub breakpoint_se: f64,
    /// 95% CI psi +- t(0.975, n - p - 2) se.
    pub breakpoint_ci: [f64; 2],
    /// Slope of x left of psi.
    pub slope_left: f64,
    /// Its standard error.
    pub slope_left_se: f64,
    /// 95% CI.
    pub slope_left_ci: [f64; 2],
    /// Slope of x right of psi.
    pub slope_right: f64,
    /// Its standard error.
    pub slope_right_se: f64,
    /// 95% CI.
    pub slope_right_ci: [f64; 2],
    /// R^2 of the broken-line model.
    pub r2: f64,
    /// Davies (1987) test p value for a change in slope (k evaluation points, two-sided).
    pub p_davies: f64,
    /// Start value used.
    pub psi_start: f64,
    /// Residual sum of squares.
    pub rss: f64,
    /// Residual degrees of freedom n - p - 2.
    pub df_residual: usize,
}

/// Intervals whose closed-form profile minimum ties the lowest (within 1e-8 relative) that are
/// re-minimized on the explicit profile.
const MAX_REFINED_INTERVALS: usize = 8;

/// The regression design [1, x, covariates].
pub(crate) fn base_design(x: &[f64], covariates: &[(&str, &[f64])]) -> DMatrix<f64> {
    let n = x.len();
    let p = 2 + covariates.len();
    DMatrix::from_fn(n, p, |i, j| match j {
        0 => 1.0,
        1 => x[i],
        _ => covariates[j - 2].1[i],
    })
}

/// Profile residual sum of squares of the broken-line model as a function of psi.
///
/// Everything is projected once on an orthonormal basis Q of the base design, so one
/// evaluation costs O(n p) and no n x n matrix is ever formed.
struct Profile<'a> {
    x: &'a [f64],
    /// Orthonormal basis of the base design's columns (n x p).
    q: DMatrix<f64>,
    /// y residualized on the base design.
    ry: DVector<f64>,
}

impl<'a> Profile<'a> {
    fn new(x: &'a [f64], base: &DMatrix<f64>, y: &DVector<f64>) -> Result<Self> {
        let qr = base.clone().qr();
        check_triangular_rank(&qr.r(), base)?;
        let q = qr.q();
        let ry = y - &q * (q.transpose() * y);
        Ok(Profile { x, q, ry })
    }

    /// `v` minus its projection on the base design.
    fn residualize(&self, v: &DVector<f64>) -> DVector<f64> {
        v - &self.q * (self.q.transpose() * v)
    }

    fn rss(&self, psi: f64) -> f64 {
        let u = DVector::from_iterator(self.x.len(), self.x.iter().map(|&v| (v - psi).max(0.0)));
        let ru = self.residualize(&u);
        let uu = ru.norm_squared();
        let base = self.ry.norm_squared();
        if uu <= 1e-14 * u.norm_squared().max(f64::MIN_POSITIVE) {
            return base;
        }
        let uy = ru.dot(&self.ry);
        base - uy * uy / uu
    }

    /// One linearized fit at psi: the coefficients (beta, gamma) of U = (x - psi)_+ and
    /// V = -I(x > psi) in y ~ [base, U, V], by Frisch-Waugh-Lovell: both columns residualized
    /// on the base design, then a 2 x 2 solve. Fails where the QR of the full design would
    /// (a pivot below 1e-10 of its column norm).
    fn linearized(&self, psi: f64) -> Result<(f64, f64)> {
        let n = self.x.len();
        let u = DVector::from_iterator(n, self.x.iter().map(|&v| (v - psi).max(0.0)));
        let v = DVector::from_iterator(n, self.x.iter().map(|&v| if v > psi { -1.0 } else { 0.0 }));
        let ru = self.residualize(&u);
        let rv = self.residualize(&v);
        let (uu, uv, vv) = (ru.norm_squared(), ru.dot(&rv), rv.norm_squared());
        let singular = || DoseError::Singular("the broken-line columns are collinear".into());
        if uu.is_nan() || uu <= 1e-20 * u.norm_squared() {
            return Err(singular());
        }
        let schur = vv - uv * uv / uu;
        if schur.is_nan() || schur <= 1e-20 * v.norm_squared() {
            return Err(singular());
        }
        let (uy, vy) = (ru.dot(&self.ry), rv.dot(&self.ry));
        let gamma = (vy - uv / uu * uy) / schur;
        let beta = (uy - uv * gamma) / uu;
        Ok((beta, gamma))
    }
}

/// The minimum of the profile RSS on each closed interval [w0, w1] between consecutive cuts,
/// in closed form: on such an interval the rows with x > w0 are fixed, so with
/// U = (x - psi) on those rows the profile is RSS0 - (a1 - a0 psi)^2 / (c2 psi^2 + c1 psi + c0),
/// whose sums are accumulated once over x sorted downwards, and its one interior stationary
/// point solves a linear equation. O(n p) for all intervals together. x is centred and scaled
/// first so that the sums lose few digits; the values only rank the intervals (each winner is
/// re-evaluated exactly by the caller).
fn interval_minima(profile: &Profile, cuts: &[f64]) -> Vec<f64> {
    let n = profile.x.len();
    let p = profile.q.ncols();
    let mean = profile.x.iter().sum::<f64>() / n as f64;
    let sd = (profile.x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64)
        .sqrt()
        .max(f64::MIN_POSITIVE);
    let z = |v: f64| (v - mean) / sd;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| profile.x[b].total_cmp(&profile.x[a]));
    let ryy = profile.ry.norm_squared();
    // Sums over the rows with x > w0: count, z, z^2, ry, z ry, q_i, z q_i.
    let (mut s0, mut s1, mut s2, mut a0, mut a1) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut b0 = vec![0.0; p];
    let mut b1 = vec![0.0; p];
    let mut next = 0;
    let mut out = vec![f64::INFINITY; cuts.len().saturating_sub(1)];
    for w in (0..out.len()).rev() {
        let (lo, hi) = (cuts[w], cuts[w + 1]);
        while next < n && profile.x[order[next]] > lo {
            let i = order[next];
            let zi = z(profile.x[i]);
            s0 += 1.0;
            s1 += zi;
            s2 += zi * zi;
            a0 += profile.ry[i];
            a1 += zi * profile.ry[i];
            for j in 0..p {
                let qij = profile.q[(i, j)];
                b0[j] += qij;
                b1[j] += zi * qij;
            }
            next += 1;
        }
        if hi <= lo {
            continue;
        }
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let c2 = s0 - dot(&b0, &b0);
        let c1 = -2.0 * s1 + 2.0 * dot(&b1, &b0);
        let c0 = s2 - dot(&b1, &b1);
        let rss_at = |t: f64| {
            let uu_raw = s2 - 2.0 * t * s1 + t * t * s0;
            let den = c2 * t * t + c1 * t + c0;
            if den.is_nan() || den <= 1e-12 * uu_raw.max(f64::MIN_POSITIVE) {
                return ryy;
            }
            let num = a1 - a0 * t;
            ryy - num * num / den
        };
        let (tlo, thi) = (z(lo), z(hi));
        let mut best = rss_at(tlo).min(rss_at(thi));
        let slope = a0 * c1 + 2.0 * a1 * c2;
        if slope != 0.0 {
            let t = -(2.0 * a0 * c0 + a1 * c1) / slope;
            if t > tlo && t < thi {
                best = best.min(rss_at(t));
            }
        }
        out[w] = best;
    }
    out
}

/// Fits the one-breakpoint model.
///
/// ```
/// use mcvideo_doseresponse::segmented::{fit_segmented, SegmentedOptions};
/// let x: Vec<f64> = (0..40).map(|i| i as f64 / 10.0).collect();
/// let y: Vec<f64> = x.iter().enumerate()
///     .map(|(i, &v)| 1.0 - 2.0 * (v - 2.05).max(0.0) + 0.01 * ((i * 7 % 5) as f64 - 2.0)).collect();
/// let fit = fit_segmented(&x, &y, &[], &SegmentedOptions::default()).unwrap();
/// assert!((fit.breakpoint - 2.05).abs() < 0.05);
/// assert!((fit.slope_right + 2.0).abs() < 0.05);
/// ```
pub fn fit_segmented(
    x: &[f64],
    y: &[f64],
    covariates: &[(&str, &[f64])],
    opts: &SegmentedOptions,
) -> Result<SegmentedFit> {
    validate(x, y, covariates)?;
    let n = y.len();
    let base = base_design(x, covariates);
    let p = base.ncols();
    if n < p + 3 {
        return Err(DoseError::TooFewData {
            what: "rows",
            have: n,
            need: p + 3,
        });
    }
    let yv = DVector::from_column_slice(y);
    let mut sorted = x.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let alpha = (0.05f64).max(1.0 / n as f64);
    let lim = (
        quantile_sorted(&sorted, alpha),
        quantile_sorted(&sorted, 1.0 - alpha),
    );
    let range = (sorted[0], sorted[n - 1]);
    let psi0 = opts.psi.unwrap_or_else(|| quantile_sorted(&sorted, 0.5));
    if !psi0.is_finite() || psi0 <= lim.0 || psi0 >= lim.1 {
        return Err(DoseError::PsiOutOfRange {
            psi: psi0,
            lo: lim.0,
            hi: lim.1,
        });
    }
    let profile = Profile::new(x, &base, &yv)?;

    // Muggeo's iteration as R (tol 1e-5 on the relative RSS change, it.max 30).
    let mut psi = psi0;
    let mut l0 = profile.rss(psi);
    for _ in 0..30 {
        let (beta, gamma) = match profile.linearized(psi) {
            Ok(v) => v,
            Err(_) => break,
        };
        let target = (psi + gamma / beta).clamp(range.0, range.1);
        if !target.is_finite() {
            break;
        }
        let old = psi;
        let (h, l1) = brent_min(
            |h| profile.rss(target * h + old * (1.0 - h)),
            0.0,
            1.0,
            f64::EPSILON.powf(0.25),
        );
        psi = (target * h + old * (1.0 - h)).clamp(lim.0, lim.1);
        let eps = (l0 - l1) / (l0.abs() + 0.1);
        l0 = l1;
        if eps.abs() <= 1e-5 {
            break;
        }
    }
    let muggeo = (psi, profile.rss(psi));

    // Exact profile minimization on each interval between distinct x (replaces R's
    // random bootstrap restarting as the guard against local minima). The closed-form
    // minima rank the intervals in O(n p); the few best are then minimized on the explicit
    // profile, in interval order, so that ties resolve to the leftmost interval.
    let mut cuts = vec![lim.0];
    cuts.extend(
        sorted_unique(x)
            .into_iter()
            .filter(|&v| v > lim.0 && v < lim.1),
    );
    cuts.push(lim.1);
    let scale = (range.1 - range.0).abs();
    let minima = interval_minima(&profile, &cuts);
    let lowest = minima.iter().copied().fold(f64::INFINITY, f64::min);
    let slack = 1e-8 * lowest.abs() + 1e-12 * profile.ry.norm_squared();
    let mut candidates: Vec<usize> = (0..minima.len())
        .filter(|&w| minima[w] <= lowest + slack)
        .collect();
    candidates.sort_by(|&a, &b| minima[a].total_cmp(&minima[b]));
    candidates.truncate(MAX_REFINED_INTERVALS);
    candidates.sort_unstable();
    let mut best = muggeo;
    for w in candidates.into_iter().map(|w| [cuts[w], cuts[w + 1]]) {
        if w[1] <= w[0] {
            continue;
        }
        let (ps, r) = brent_min(|s| profile.rss(s), w[0], w[1], 1e-12 * scale);
        let (ps, r) = [
            (ps, r),
            (w[0], profile.rss(w[0])),
            (w[1], profile.rss(w[1])),
        ]
        .into_iter()
        .fold((ps, r), |a, b| if b.1 < a.1 { b } else { a });
        if r < best.1 * (1.0 - 1e-12) {
            best = (ps, r);
        }
    }
    // Polish with undamped Muggeo steps while they lower the RSS.
    let mut psi = best.0;
    let mut rss = best.1;
    for _ in 0..50 {
        let Ok((beta, gamma)) = profile.linearized(psi) else {
            break;
        };
        let cand = (psi + gamma / beta).clamp(lim.0, lim.1);
        let r = profile.rss(cand);
        if r.is_nan() || r >= rss || (cand - psi).abs() < 1e-15 * scale {
            break;
        }
        psi = cand;
        rss = r;
    }

    // Final linearized model with the column V * beta (R's vcov for psi).
    let (beta, _) = profile.linearized(psi)?;
    let mut xd = DMatrix::zeros(n, p + 2);
    xd.columns_mut(0, p).copy_from(&base);
    for i in 0..n {
        xd[(i, p)] = (x[i] - psi).max(0.0);
        xd[(i, p + 1)] = if x[i] > psi { -beta } else { 0.0 };
    }
    let fit = least_squares(&xd, &yv)?;
    let df = n - p - 2;
    let sigma2 = fit.rss / df as f64;
    let cov = &fit.xtx_inv * sigma2;
    let tq = t_quantile(0.975, df as f64);
    let se_psi = cov[(p + 1, p + 1)].sqrt();
    let slope_left = fit.coef[1];
    let slope_left_se = cov[(1, 1)].sqrt();
    let slope_right = fit.coef[1] + fit.coef[p];
    let slope_right_se = (cov[(1, 1)] + cov[(p, p)] + 2.0 * cov[(1, p)]).sqrt();
    let ybar = yv.mean();
    let tss: f64 = y.iter().map(|v| (v - ybar).powi(2)).sum();
    let dav = davies_test(
        x,
        y,
        &base,
        if opts.davies_k == 0 {
            10
        } else {
            opts.davies_k
        },
    )?;
    let out = SegmentedFit {
        n,
        breakpoint: psi,
        breakpoint_se: se_psi,
        breakpoint_ci: [psi - tq * se_psi, psi + tq * se_psi],
        slope_left,
        slope_left_se,
        slope_left_ci: [
            slope_left - tq * slope_left_se,
            slope_left + tq * slope_left_se,
        ],
        slope_right,
        slope_right_se,
        slope_right_ci: [
            slope_right - tq * slope_right_se,
            slope_right + tq * slope_right_se,
        ],
        r2: 1.0 - fit.rss / tss,
        p_davies: dav,
        psi_start: psi0,
        rss: fit.rss,
        df_residual: df,
    };
    let vals = [
        out.breakpoint,
        out.breakpoint_se,
        out.slope_left,
        out.slope_right,
        out.slope_left_se,
        out.slope_right_se,
        out.r2,
        out.p_davies,
    ];
    if vals.iter().all(|v| v.is_finite()) {
        Ok(out)
    } else {
        Err(DoseError::Numerical(
            "segmented fit produced a non-finite value (is y constant or the breakpoint at the edge?)".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_interval_minima_equal_the_explicit_profile() {
        let n = 120;
        let x: Vec<f64> = (0..n)
            .map(|i| 50.0 + ((i * 37 % n) as f64 / 7.0).sin() * 3.0 + (i % 11) as f64 * 0.2)
            .collect();
        let cov: Vec<f64> = (0..n).map(|i| ((i * 13 % 17) as f64).sqrt()).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| 0.5 * (x[i] - 50.5).max(0.0) + 0.1 * cov[i] + 0.05 * ((i * 7 % 5) as f64))
            .collect();
        let base = base_design(&x, &[("c", &cov)]);
        let yv = DVector::from_vec(y);
        let profile = Profile::new(&x, &base, &yv).unwrap();
        let mut cuts = vec![48.5];
        cuts.extend(
            sorted_unique(&x)
                .into_iter()
                .filter(|&v| v > 48.5 && v < 52.5),
        );
        cuts.push(52.5);
        let minima = interval_minima(&profile, &cuts);
        for (w, m) in cuts.windows(2).zip(&minima) {
            let (_, r) = brent_min(|s| profile.rss(s), w[0], w[1], 1e-13);
            let r = r.min(profile.rss(w[0])).min(profile.rss(w[1]));
            assert!(
                (m - r).abs() <= 1e-9 * r,
                "[{}, {}]: {m} vs {r}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn linearized_step_equals_the_full_least_squares_fit() {
        let x: Vec<f64> = (0..40).map(|i| i as f64 / 4.0).collect();
        let y: Vec<f64> = x
            .iter()
            .map(|&v| 1.0 + 0.3 * v - 0.8 * (v - 5.2).max(0.0) + 0.02 * (v * 3.1).sin())
            .collect();
        let base = base_design(&x, &[]);
        let yv = DVector::from_vec(y);
        let profile = Profile::new(&x, &base, &yv).unwrap();
        let psi = 4.9;
        let full = DMatrix::from_fn(40, 4, |i, j| match j {
            0 => 1.0,
            1 => x[i],
            2 => (x[i] - psi).max(0.0),
            _ => {
                if x[i] > psi {
                    -1.0
                } else {
                    0.0
                }
            }
        });
        let fit = least_squares(&full, &yv).unwrap();
        let (beta, gamma) = profile.linearized(psi).unwrap();
        assert!((beta - fit.coef[2]).abs() < 1e-10 && (gamma - fit.coef[3]).abs() < 1e-10);
    }
}

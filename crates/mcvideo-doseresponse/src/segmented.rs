//! Segmented (broken-line) regression with one breakpoint in x, as R's
//! `segmented(lm(y ~ x + covariates), seg.Z = ~x)` (segmented 1.6-2; Muggeo 2003, Stat Med
//! 22:3055-3071): y = X b + beta (x - psi)_+ + e.
//!
//! Muggeo's iteration refits y on [X, U, V] with U = (x - psi)_+ and V = -I(x > psi) and moves
//! psi by gamma/beta with a line search over the step (R's `optimize` on [0, 1]); psi stays
//! within the alpha and 1 - alpha quantiles of x, alpha = max(0.05, 1/n). R escapes local
//! minima by bootstrap restarting (random); here the profile residual sum of squares is
//! minimized exactly on every interval between distinct x values instead (deterministic),
//! and the better of the two solutions is polished by undamped Muggeo steps.
//! The standard error of psi comes from the final linearized model with the column V * beta
//! (R's delta method); its CI uses the t quantile on n - p - 2 df, as `confint.segmented`.

use crate::davies::davies_test;
use crate::dist::t_quantile;
use crate::error::{DoseError, Result};
use crate::gam::validate;
use crate::linalg::ols;
use crate::optim::brent_min;
use crate::quantile::{quantile7_sorted, sorted_unique};
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
struct Profile<'a> {
    x: &'a [f64],
    /// Orthonormal basis of the base design's columns.
    q: DMatrix<f64>,
    /// y residualized on the base design.
    ry: DVector<f64>,
}

impl<'a> Profile<'a> {
    fn new(x: &'a [f64], base: &DMatrix<f64>, y: &DVector<f64>) -> Self {
        let q = base.clone().qr().q();
        let ry = y - &q * (q.transpose() * y);
        Profile { x, q, ry }
    }

    fn rss(&self, psi: f64) -> f64 {
        let u = DVector::from_iterator(self.x.len(), self.x.iter().map(|&v| (v - psi).max(0.0)));
        let ru = &u - &self.q * (self.q.transpose() * &u);
        let uu = ru.norm_squared();
        let base = self.ry.norm_squared();
        if uu <= 1e-14 * u.norm_squared().max(f64::MIN_POSITIVE) {
            return base;
        }
        let uy = ru.dot(&self.ry);
        base - uy * uy / uu
    }
}

/// One linearized fit at psi: (beta, gamma) of U and V.
fn linearized(base: &DMatrix<f64>, x: &[f64], y: &DVector<f64>, psi: f64) -> Result<(f64, f64)> {
    let (n, p) = base.shape();
    let mut xd = DMatrix::zeros(n, p + 2);
    xd.columns_mut(0, p).copy_from(base);
    for i in 0..n {
        xd[(i, p)] = (x[i] - psi).max(0.0);
        xd[(i, p + 1)] = if x[i] > psi { -1.0 } else { 0.0 };
    }
    let f = ols(&xd, y)?;
    Ok((f.coef[p], f.coef[p + 1]))
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
        quantile7_sorted(&sorted, alpha),
        quantile7_sorted(&sorted, 1.0 - alpha),
    );
    let range = (sorted[0], sorted[n - 1]);
    let psi0 = opts.psi.unwrap_or_else(|| quantile7_sorted(&sorted, 0.5));
    if !psi0.is_finite() || psi0 <= lim.0 || psi0 >= lim.1 {
        return Err(DoseError::PsiOutOfRange {
            psi: psi0,
            lo: lim.0,
            hi: lim.1,
        });
    }
    let profile = Profile::new(x, &base, &yv);

    // Muggeo's iteration as R (tol 1e-5 on the relative RSS change, it.max 30).
    let mut psi = psi0;
    let mut l0 = profile.rss(psi);
    for _ in 0..30 {
        let (beta, gamma) = match linearized(&base, x, &yv, psi) {
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
    // random bootstrap restarting as the guard against local minima).
    let mut cuts = vec![lim.0];
    cuts.extend(
        sorted_unique(x)
            .into_iter()
            .filter(|&v| v > lim.0 && v < lim.1),
    );
    cuts.push(lim.1);
    let scale = (range.1 - range.0).abs();
    let mut best = muggeo;
    for w in cuts.windows(2) {
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
        let Ok((beta, gamma)) = linearized(&base, x, &yv, psi) else {
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
    let (beta, _) = linearized(&base, x, &yv, psi)?;
    let mut xd = DMatrix::zeros(n, p + 2);
    xd.columns_mut(0, p).copy_from(&base);
    for i in 0..n {
        xd[(i, p)] = (x[i] - psi).max(0.0);
        xd[(i, p + 1)] = if x[i] > psi { -beta } else { 0.0 };
    }
    let fit = ols(&xd, &yv)?;
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

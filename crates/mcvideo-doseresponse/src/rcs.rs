//! Restricted (natural) cubic spline regression (Harrell 2015, Regression Modeling
//! Strategies, 2nd ed., §2.4.5): y = X_cov b + b1 x + sum_j b_{j+1} X_j(x) + e with
//! X_j(x) = [(x-t_j)_+^3 - (x-t_{k-1})_+^3 (t_k-t_j)/(t_k-t_{k-1}) + (x-t_k)_+^3 (t_{k-1}-t_j)/(t_k-t_{k-1})] / (t_k-t_1)^2
//! (Hmisc `rcspline.eval`, norm = 2), fitted by OLS. Knots at Harrell's quantiles (k = 3:
//! .10 .5 .90; 4: .05 .35 .65 .95; 5: .05 .275 .5 .725 .95; 6, 7 as Hmisc), type 7, and, as
//! Hmisc does for n < 100, the outer knots at the 5th smallest and 5th largest x. (Hmisc's
//! extra rule for >= 5% ties at an end of x is not implemented.)
//! The threshold is the maximum-curvature point of the fitted curve, defined exactly as for the
//! GAM (see [`crate::curvature`]), so the methods are comparable; its CI is a case bootstrap.

use crate::bootstrap::bootstrap_ci;
use crate::curvature::{max_curvature, threshold_grid};
use crate::error::{DoseError, Result};
use crate::gam::{validate, BootBasis, CurvePoint, LinearTerm, Threshold};
use crate::quantile::sorted_unique;
use mcvideo_stats::dist::{f_upper, t_two_sided_p};
use mcvideo_stats::regress::least_squares;
use mcvideo_stats::summary::quantile_sorted;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RcsOptions {
    /// Number of knots (3 to 7).
    pub knots: usize,
    /// Bootstrap resamples for the threshold CI (0: none).
    pub boot: usize,
    /// Bootstrap seed.
    pub seed: u64,
}

impl Default for RcsOptions {
    fn default() -> Self {
        RcsOptions {
            knots: 4,
            boot: 1000,
            seed: 1,
        }
    }
}

/// A fitted restricted cubic spline model.
#[derive(Debug, Clone, Serialize)]
pub struct RcsFit {
    /// Rows used.
    pub n: usize,
    /// Knot positions.
    pub knots: Vec<f64>,
    /// R^2.
    pub r2: f64,
    /// Adjusted R^2.
    pub r2_adj: f64,
    /// F test p value of the nonlinear spline terms (H0: the dose effect is linear).
    pub p_nonlinear: f64,
    /// All coefficients: `(Intercept)`, x, x', x'', ..., covariates.
    pub terms: Vec<LinearTerm>,
    /// Curvature threshold.
    pub threshold: Threshold,
    /// The dose term (centred over the data) at 101 points over the range of x.
    pub curve: Vec<CurvePoint>,
}

/// Harrell's default knot quantiles: seq(outer, 1 - outer, length = k) with outer = .1 for
/// k = 3, .05 for k = 4..6 and .025 for k = 7 (Hmisc `rcspline.eval`).
fn knot_probs(k: usize) -> Result<Vec<f64>> {
    let outer = match k {
        3 => 0.10,
        4..=6 => 0.05,
        7 => 0.025,
        _ => {
            return Err(DoseError::InvalidArgument(format!(
                "restricted cubic splines take 3 to 7 knots, got {k}"
            )))
        }
    };
    Ok((0..k)
        .map(|i| outer + (1.0 - 2.0 * outer) * i as f64 / (k - 1) as f64)
        .collect())
}

/// Knots at Harrell's quantiles of `x`.
///
/// ```
/// use mcvideo_doseresponse::rcs::rcs_knots;
/// let x: Vec<f64> = (0..=200).map(|i| i as f64).collect();
/// assert_eq!(rcs_knots(&x, 3).unwrap(), vec![20.0, 100.0, 180.0]);
/// ```
pub fn rcs_knots(x: &[f64], k: usize) -> Result<Vec<f64>> {
    let probs = knot_probs(k)?;
    let mut s = x.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    let mut knots: Vec<f64> = probs.iter().map(|&p| quantile_sorted(&s, p)).collect();
    if (5..100).contains(&n) {
        knots[0] = s[4];
        knots[k - 1] = s[n - 5];
    }
    let distinct = sorted_unique(&knots);
    if distinct.len() < k {
        return Err(DoseError::TooFewData {
            what: "distinct knot positions",
            have: distinct.len(),
            need: k,
        });
    }
    Ok(knots)
}

/// The spline columns [x, X_1(x), ..., X_{k-2}(x)].
///
/// ```
/// use mcvideo_doseresponse::rcs::rcs_row;
/// let r = rcs_row(0.5, &[1.0, 2.0, 3.0]);
/// assert_eq!(r, vec![0.5, 0.0]); // left of the first knot: linear only
/// ```
pub fn rcs_row(x: f64, knots: &[f64]) -> Vec<f64> {
    let k = knots.len();
    let (tk, tk1, t1) = (knots[k - 1], knots[k - 2], knots[0]);
    let norm = (tk - t1) * (tk - t1);
    let c3 = |v: f64| v.max(0.0).powi(3);
    let mut out = Vec::with_capacity(k - 1);
    out.push(x);
    for &tj in &knots[..k - 2] {
        let v = c3(x - tj) - c3(x - tk1) * (tk - tj) / (tk - tk1)
            + c3(x - tk) * (tk1 - tj) / (tk - tk1);
        out.push(v / norm);
    }
    out
}

fn design(x: &[f64], covs: &[Vec<f64>], knots: &[f64]) -> DMatrix<f64> {
    let n = x.len();
    let ns = knots.len() - 1;
    let p = 1 + ns + covs.len();
    let mut d = DMatrix::zeros(n, p);
    for i in 0..n {
        d[(i, 0)] = 1.0;
        for (j, v) in rcs_row(x[i], knots).into_iter().enumerate() {
            d[(i, 1 + j)] = v;
        }
        for (j, c) in covs.iter().enumerate() {
            d[(i, 1 + ns + j)] = c[i];
        }
    }
    d
}

fn curve_values(coef: &DVector<f64>, knots: &[f64], xs: &[f64]) -> Vec<f64> {
    xs.iter()
        .map(|&x| {
            rcs_row(x, knots)
                .iter()
                .enumerate()
                .map(|(j, v)| v * coef[1 + j])
                .sum()
        })
        .collect()
}

fn threshold_of(x: &[f64], y: &[f64], covs: &[Vec<f64>], k: usize) -> Result<(f64, f64)> {
    let knots = rcs_knots(x, k)?;
    let d = design(x, covs, &knots);
    let fit = least_squares(&d, &DVector::from_column_slice(y))?;
    let grid = threshold_grid(x)?;
    max_curvature(&grid, &curve_values(&fit.coef, &knots, &grid))
}

/// Fits the model.
///
/// ```
/// use mcvideo_doseresponse::rcs::{fit_rcs, RcsOptions};
/// let x: Vec<f64> = (0..60).map(|i| i as f64 / 20.0).collect();
/// let y: Vec<f64> = x.iter().enumerate().map(|(i, &v)| -(v - 1.5).max(0.0) + 0.01 * ((i * 7 % 5) as f64)).collect();
/// let fit = fit_rcs(&x, &y, &[], &RcsOptions { boot: 0, ..RcsOptions::default() }).unwrap();
/// assert!(fit.r2 > 0.95 && fit.p_nonlinear < 1e-6);
/// assert!((fit.threshold.x - 1.5).abs() < 0.5);
/// ```
pub fn fit_rcs(
    x: &[f64],
    y: &[f64],
    covariates: &[(&str, &[f64])],
    opts: &RcsOptions,
) -> Result<RcsFit> {
    validate(x, y, covariates)?;
    let n = y.len();
    let covs: Vec<Vec<f64>> = covariates.iter().map(|(_, c)| c.to_vec()).collect();
    let knots = rcs_knots(x, opts.knots)?;
    let d = design(x, &covs, &knots);
    let p = d.ncols();
    if n <= p + 1 {
        return Err(DoseError::TooFewData {
            what: "rows",
            have: n,
            need: p + 2,
        });
    }
    let yv = DVector::from_column_slice(y);
    let fit = least_squares(&d, &yv)?;
    let df = (n - p) as f64;
    let sigma2 = fit.rss / df;
    let cov = &fit.xtx_inv * sigma2;
    let ybar = yv.mean();
    let tss: f64 = y.iter().map(|v| (v - ybar).powi(2)).sum();
    if tss.is_nan() || tss <= 0.0 {
        return Err(DoseError::InvalidArgument("y is constant".into()));
    }
    let r2 = 1.0 - fit.rss / tss;
    let r2_adj = 1.0 - (1.0 - r2) * (n as f64 - 1.0) / df;
    let ns = knots.len() - 1;
    // nonlinearity: drop the k - 2 nonlinear columns
    let keep: Vec<usize> = (0..p).filter(|&j| !(2..1 + ns).contains(&j)).collect();
    let d0 = d.select_columns(&keep);
    let fit0 = least_squares(&d0, &yv)?;
    let q = (ns - 1) as f64;
    let fstat = ((fit0.rss - fit.rss) / q) / sigma2;
    let p_nonlinear = f_upper(fstat.max(0.0), q, df);
    let mut names = vec!["(Intercept)".to_string(), "x".to_string()];
    for j in 1..ns {
        names.push(format!("x{}", "'".repeat(j)));
    }
    names.extend(covariates.iter().map(|(nm, _)| nm.to_string()));
    let terms = names
        .into_iter()
        .enumerate()
        .map(|(j, name)| {
            let se = cov[(j, j)].sqrt();
            let t = fit.coef[j] / se;
            LinearTerm {
                name,
                coef: fit.coef[j],
                se,
                t,
                p: t_two_sided_p(t, df),
            }
        })
        .collect();
    // curve, centred over the data like an mgcv smooth term
    let mean_row: Vec<f64> = (0..ns).map(|j| d.column(1 + j).sum() / n as f64).collect();
    let (xmin, xmax) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let cov_s = cov.view((1, 1), (ns, ns)).into_owned();
    let curve = (0..101)
        .map(|i| {
            let xv = xmin + (xmax - xmin) * i as f64 / 100.0;
            let c = DVector::from_iterator(
                ns,
                rcs_row(xv, &knots)
                    .iter()
                    .zip(&mean_row)
                    .map(|(a, m)| a - m),
            );
            let fitv: f64 = (0..ns).map(|j| c[j] * fit.coef[1 + j]).sum();
            let se = (c.transpose() * &cov_s * &c)[(0, 0)].max(0.0).sqrt();
            CurvePoint {
                x: xv,
                fit: fitv,
                se,
            }
        })
        .collect();
    let grid = threshold_grid(x)?;
    let (tx, tf2) = max_curvature(&grid, &curve_values(&fit.coef, &knots, &grid))?;
    let boot = (opts.boot > 0).then(|| {
        bootstrap_ci(n, opts.boot, opts.seed, |idx| {
            let xb: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
            let yb: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
            let cb: Vec<Vec<f64>> = covs
                .iter()
                .map(|c| idx.iter().map(|&i| c[i]).collect())
                .collect();
            threshold_of(&xb, &yb, &cb, opts.knots).map(|t| t.0)
        })
    });
    let out = RcsFit {
        n,
        knots,
        r2,
        r2_adj,
        p_nonlinear,
        terms,
        threshold: Threshold::new(tx, tf2, boot, Some(BootBasis::Refit)),
        curve,
    };
    let finite = [out.r2, out.r2_adj, out.p_nonlinear, out.threshold.x]
        .iter()
        .chain(
            out.terms
                .iter()
                .flat_map(|t| [t.coef, t.se, t.p])
                .collect::<Vec<_>>()
                .iter(),
        )
        .all(|v| v.is_finite());
    if finite {
        Ok(out)
    } else {
        Err(DoseError::Numerical(
            "restricted cubic spline fit produced a non-finite value".into(),
        ))
    }
}

//! Gaussian additive model y = X_lin b + f(x) + e with one penalized smooth f, smoothing
//! parameter by REML: mgcv's `gam(y ~ s(x, bs = "tp"|"cr", k) + linear, method = "REML")`
//! (Wood 2017, Generalized Additive Models, 2nd ed.). Summary quantities follow
//! `summary.gam` (mgcv 1.8-41): edf = trace of the smooth's block of F = (X'X + S)^-1 X'X,
//! Bayesian covariance Vp = (X'X + S)^-1 phi, t tests on n - sum(edf) df, Wood (2013) smooth test.
//!
//! Cost is linear in n: the n x p design is reduced once by a QR, every REML evaluation then
//! works in the p x p space ([`crate::reml`]), and the tp basis has at most `max_knots` knots
//! ([`crate::tp`]). No n x n matrix is formed.
//!
//! The threshold's bootstrap (Efron & Tibshirani 1993, ch. 6, case resampling) refits each
//! resample as `gam()` would in R, basis rebuilt from the resample's doses, while the basis has
//! at most `boot_refit_max_knots` knots. With more knots the doses already fill the basis
//! densely and a rebuild would cost an eigendecomposition per resample, so resamples keep the
//! full data's basis (knots, eigenbasis, constraint) and re-estimate the coefficients and the
//! smoothing parameter by REML: one QR of the resample's rows.

use crate::bootstrap::{bootstrap_ci, BootCi};
use crate::curvature::{max_curvature, threshold_grid};
use crate::error::{check_finite, DoseError, Result};
use crate::reml::RemlProblem;
use crate::smooth::{BasisKind, Smooth};
use crate::smooth_test::test_stat;
use crate::tp::{TpKnotOptions, DEFAULT_MAX_KNOTS};
use mcvideo_stats::dist::t_two_sided_p;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Default of [`GamOptions::boot_refit_max_knots`]: 1000 refitted resamples of a 500-knot basis
/// take about 10 s on 2 cores.
pub const DEFAULT_BOOT_REFIT_MAX_KNOTS: usize = 500;

/// How bootstrap resamples treat the smooth's basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BootBasis {
    /// Rebuilt from each resample's doses.
    Refit,
    /// The full data's basis, kept.
    Fixed,
}

/// Model options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GamOptions {
    /// Spline basis.
    pub basis: BasisKind,
    /// Basis dimension (mgcv's k).
    pub k: usize,
    /// Bootstrap resamples for the threshold CI (0: none).
    pub boot: usize,
    /// Bootstrap seed.
    pub seed: u64,
    /// tp basis: at most this many knots (mgcv's `max.knots`, 2000); with more distinct x a
    /// seeded random subset of them is used.
    pub max_knots: usize,
    /// tp basis: seed of that knot subset (mgcv's `xt$seed`).
    pub knot_seed: u64,
    /// Bootstrap resamples rebuild the basis from their own doses while the basis has at most
    /// this many knots, and keep the full data's basis beyond (see the module documentation).
    pub boot_refit_max_knots: usize,
}

impl Default for GamOptions {
    fn default() -> Self {
        GamOptions {
            basis: BasisKind::Tp,
            k: 10,
            boot: 1000,
            seed: 1,
            max_knots: DEFAULT_MAX_KNOTS,
            knot_seed: 1,
            boot_refit_max_knots: DEFAULT_BOOT_REFIT_MAX_KNOTS,
        }
    }
}

impl GamOptions {
    fn tp_knots(&self) -> TpKnotOptions {
        TpKnotOptions {
            max_knots: self.max_knots,
            seed: self.knot_seed,
        }
    }
}

/// Where the smooth's knots come from.
#[derive(Debug, Clone, Copy)]
enum Knots<'a> {
    /// Chosen from the data as mgcv does (all distinct x, or a seeded subset).
    FromData(TpKnotOptions),
    /// A given tp knot set.
    Explicit(&'a [f64]),
}

/// One parametric term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinearTerm {
    /// Name (`(Intercept)` for the intercept).
    pub name: String,
    /// Estimate.
    pub coef: f64,
    /// Standard error (Bayesian covariance, as mgcv).
    pub se: f64,
    /// t statistic.
    pub t: f64,
    /// Two-sided p value on n - sum(edf) df.
    pub p: f64,
}

/// One point of the smooth term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Dose.
    pub x: f64,
    /// Smooth term f(x) (centred, without the intercept or covariates).
    pub fit: f64,
    /// Its standard error.
    pub se: f64,
}

/// A curvature threshold with its bootstrap interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// x of maximum curvature.
    pub x: f64,
    /// Always `max_curvature`.
    pub method: &'static str,
    /// x of maximum |f''|.
    pub x_max_abs_f2: f64,
    /// Percentile bootstrap 95% interval of `x` (null without resamples).
    pub ci: Option<[f64; 2]>,
    /// Bootstrap resamples drawn.
    pub boot_resamples: usize,
    /// Bootstrap resamples that failed.
    pub boot_failed: usize,
    /// How the resamples treated the basis (null without resamples).
    pub boot_basis: Option<BootBasis>,
}

impl Threshold {
    pub(crate) fn new(
        x: f64,
        x_max_abs_f2: f64,
        boot: Option<BootCi>,
        boot_basis: Option<BootBasis>,
    ) -> Self {
        let (ci, boot_resamples, boot_failed) = match boot {
            Some(b) => (b.ci, b.resamples, b.failed),
            None => (None, 0, 0),
        };
        Threshold {
            x,
            method: "max_curvature",
            x_max_abs_f2,
            ci,
            boot_resamples,
            boot_failed,
            boot_basis: boot_basis.filter(|_| boot_resamples > 0),
        }
    }
}

/// The fitted model, in SPEC field names.
#[derive(Debug, Clone, Serialize)]
pub struct GamFit {
    /// Rows used.
    pub n: usize,
    /// Basis.
    pub basis: BasisKind,
    /// Basis dimension.
    pub k: usize,
    /// tp: the `max_knots` option; cr: unused.
    pub max_knots: usize,
    /// tp: the seed of the knot subset (used only when the distinct x exceed `max_knots`).
    pub knot_seed: u64,
    /// Knots of the basis fitted to the data (tp: distinct x, at most `max_knots`; cr: k).
    pub knots: usize,
    /// Effective degrees of freedom of the smooth.
    pub edf: f64,
    /// mgcv's alternative edf (trace of 2F - FF) of the smooth, used by the test.
    pub edf_ref: f64,
    /// p value of the smooth (Wood 2013).
    pub p_smooth: f64,
    /// Its statistic.
    pub smooth_stat: f64,
    /// Adjusted R^2 as `summary.gam`.
    pub r2_adj: f64,
    /// Deviance explained.
    pub dev_explained: f64,
    /// REML score (mgcv's `gcv.ubre`).
    pub reml: f64,
    /// Smoothing parameter on this crate's penalty scale (not comparable with mgcv's `sp`).
    pub sp: f64,
    /// Scale estimate (residual variance).
    pub scale: f64,
    /// Residual df n - sum(edf).
    pub residual_df: f64,
    /// Parametric terms.
    pub linear_terms: Vec<LinearTerm>,
    /// Curvature threshold.
    pub threshold: Threshold,
    /// Smooth term at 101 points over the range of x.
    pub curve: Vec<CurvePoint>,
}

pub(crate) fn validate(x: &[f64], y: &[f64], covariates: &[(&str, &[f64])]) -> Result<()> {
    check_finite("x", x)?;
    check_finite("y", y)?;
    if x.len() != y.len() {
        return Err(DoseError::LengthMismatch {
            what: "x".into(),
            have: x.len(),
            need: y.len(),
        });
    }
    for (name, c) in covariates {
        if c.len() != y.len() {
            return Err(DoseError::LengthMismatch {
                what: (*name).to_string(),
                have: c.len(),
                need: y.len(),
            });
        }
        check_finite("a covariate", c)?;
    }
    if let Some(&first) = x.first()
        && x.iter().all(|&v| v == first)
    {
        return Err(DoseError::ConstantX(first));
    }
    Ok(())
}

/// The parts of a fit shared by the full fit and each bootstrap resample.
struct Core {
    smooth: Smooth,
    design: DMatrix<f64>,
    /// The penalty of the whole coefficient vector (p x p; zero on the linear terms).
    penalty: DMatrix<f64>,
    problem: RemlProblem,
    rho: f64,
    n_lin: usize,
}

fn fit_core(
    x: &[f64],
    y: &[f64],
    covariates: &[Vec<f64>],
    basis: BasisKind,
    k: usize,
    knots: Knots,
) -> Result<Core> {
    let n = y.len();
    let smooth = match knots {
        Knots::FromData(opts) => Smooth::with_tp_knots(basis, x, k, &opts)?,
        Knots::Explicit(kn) => Smooth::tp_with_knots(x, kn, k)?,
    };
    let n_lin = 1 + covariates.len();
    let p = n_lin + smooth.ncols();
    if n <= p {
        return Err(DoseError::TooFewData {
            what: "rows",
            have: n,
            need: p + 1,
        });
    }
    let mut design = DMatrix::zeros(n, p);
    for i in 0..n {
        design[(i, 0)] = 1.0;
        for (j, c) in covariates.iter().enumerate() {
            design[(i, j + 1)] = c[i];
        }
    }
    design
        .columns_mut(n_lin, smooth.ncols())
        .copy_from(smooth.design());
    let mut s = DMatrix::zeros(p, p);
    s.view_mut((n_lin, n_lin), (smooth.ncols(), smooth.ncols()))
        .copy_from(smooth.penalty());
    let yv = DVector::from_column_slice(y);
    let problem = RemlProblem::new(&design, &s, smooth.penalty_rank(), &yv)?;
    let rho = problem.optimize();
    Ok(Core {
        smooth,
        design,
        penalty: s,
        problem,
        rho,
        n_lin,
    })
}

fn smooth_values(core: &Core, beta: &DVector<f64>, xs: &[f64]) -> Vec<f64> {
    let xp = core.smooth.predict_matrix(xs);
    let bs = beta.rows(core.n_lin, core.smooth.ncols());
    (xp * bs).iter().copied().collect()
}

/// The curvature threshold of the smooth fitted to (x, y, covariates), basis built from `x`.
fn threshold_of(
    x: &[f64],
    y: &[f64],
    covariates: &[Vec<f64>],
    basis: BasisKind,
    k: usize,
    knots: Knots,
) -> Result<f64> {
    let core = fit_core(x, y, covariates, basis, k, knots)?;
    let beta = core.problem.beta(core.rho);
    let grid = threshold_grid(x)?;
    let f = smooth_values(&core, &beta, &grid);
    max_curvature(&grid, &f).map(|(x, _)| x)
}

/// The curvature threshold refitted on the resample `rows` of the data: the rows of the full
/// design with the full data's basis and penalty, coefficients and smoothing parameter by REML
/// on the resample, the curvature grid over the resample's doses.
fn resample_threshold(core: &Core, x: &[f64], y: &[f64], rows: &[usize]) -> Result<f64> {
    let design = DMatrix::from_fn(rows.len(), core.design.ncols(), |i, j| {
        core.design[(rows[i], j)]
    });
    let yb = DVector::from_iterator(rows.len(), rows.iter().map(|&i| y[i]));
    let problem = RemlProblem::new(&design, &core.penalty, core.smooth.penalty_rank(), &yb)?;
    let beta = problem.beta(problem.optimize());
    let xb: Vec<f64> = rows.iter().map(|&i| x[i]).collect();
    let grid = threshold_grid(&xb)?;
    let f = smooth_values(core, &beta, &grid);
    max_curvature(&grid, &f).map(|(x, _)| x)
}

/// Fits the model. `covariates` are (name, values) linear terms.
///
/// ```
/// use mcvideo_doseresponse::gam::{fit_gam, GamOptions};
/// let x: Vec<f64> = (0..40).map(|i| i as f64 / 39.0).collect();
/// let y: Vec<f64> = x.iter().enumerate().map(|(i, &v)| (3.0 * v).sin() + 0.05 * ((i * 7 % 5) as f64 - 2.0)).collect();
/// let fit = fit_gam(&x, &y, &[], &GamOptions { boot: 0, ..GamOptions::default() }).unwrap();
/// assert!(fit.edf > 1.0 && fit.edf < 9.0);
/// assert_eq!(fit.curve.len(), 101);
/// assert!(fit.dev_explained > 0.9);
/// ```
pub fn fit_gam(
    x: &[f64],
    y: &[f64],
    covariates: &[(&str, &[f64])],
    opts: &GamOptions,
) -> Result<GamFit> {
    fit_gam_on(x, y, covariates, opts, Knots::FromData(opts.tp_knots()))
}

/// [`fit_gam`] with a tp basis on the explicit knot set `knots` (mgcv's
/// `gam(..., knots = list(x = knots))`); `opts.basis` must be tp, and `max_knots` and
/// `knot_seed` are not used.
///
/// ```
/// use mcvideo_doseresponse::gam::{fit_gam_with_knots, GamOptions};
/// let x: Vec<f64> = (0..60).map(|i| i as f64 / 59.0).collect();
/// let y: Vec<f64> = x.iter().map(|&v| (4.0 * v).sin()).collect();
/// let knots: Vec<f64> = x.iter().step_by(3).copied().collect();
/// let opts = GamOptions { boot: 0, ..GamOptions::default() };
/// let fit = fit_gam_with_knots(&x, &y, &[], &opts, &knots).unwrap();
/// assert_eq!(fit.knots, 20);
/// ```
pub fn fit_gam_with_knots(
    x: &[f64],
    y: &[f64],
    covariates: &[(&str, &[f64])],
    opts: &GamOptions,
    knots: &[f64],
) -> Result<GamFit> {
    if opts.basis != BasisKind::Tp {
        return Err(DoseError::InvalidArgument(
            "explicit knots are supported for the tp basis only".into(),
        ));
    }
    check_finite("a knot", knots)?;
    fit_gam_on(x, y, covariates, opts, Knots::Explicit(knots))
}

fn fit_gam_on(
    x: &[f64],
    y: &[f64],
    covariates: &[(&str, &[f64])],
    opts: &GamOptions,
    knots: Knots,
) -> Result<GamFit> {
    validate(x, y, covariates)?;
    let n = y.len();
    let covs: Vec<Vec<f64>> = covariates.iter().map(|(_, c)| c.to_vec()).collect();
    let core = fit_core(x, y, &covs, opts.basis, opts.k, knots)?;
    let fit = core.problem.fit(core.rho);
    let beta = &fit.beta;
    let p = beta.len();
    let ns = core.smooth.ncols();
    let n_lin = core.n_lin;
    let vp = core.problem.inverse_hessian(core.rho) * fit.scale;
    let f = core.problem.influence(core.rho);
    let edf_all: Vec<f64> = (0..p).map(|j| f[(j, j)]).collect();
    let ff = &f * &f;
    let edf1_all: Vec<f64> = (0..p).map(|j| 2.0 * f[(j, j)] - ff[(j, j)]).collect();
    let edf: f64 = edf_all[n_lin..].iter().sum();
    let edf1: f64 = edf1_all[n_lin..].iter().sum();
    let residual_df = n as f64 - edf_all.iter().sum::<f64>();

    let yv = DVector::from_column_slice(y);
    let fitted = &core.design * beta;
    let resid = &yv - &fitted;
    let ybar = yv.mean();
    let tss: f64 = y.iter().map(|v| (v - ybar).powi(2)).sum();
    let rbar = resid.mean();
    let rss_c: f64 = resid.iter().map(|r| (r - rbar).powi(2)).sum();
    let rss = resid.norm_squared();
    if tss.is_nan() || tss <= 0.0 {
        return Err(DoseError::InvalidArgument("y is constant".into()));
    }
    let r2_adj = 1.0 - rss_c * (n as f64 - 1.0) / (tss * residual_df);
    let dev_explained = (tss - rss) / tss;

    let mut names = vec!["(Intercept)".to_string()];
    names.extend(covariates.iter().map(|(nm, _)| nm.to_string()));
    let linear_terms = names
        .into_iter()
        .enumerate()
        .map(|(j, name)| {
            let se = vp[(j, j)].sqrt();
            let t = beta[j] / se;
            LinearTerm {
                name,
                coef: beta[j],
                se,
                t,
                p: t_two_sided_p(t, residual_df),
            }
        })
        .collect();

    let beta_s = beta.rows(n_lin, ns).into_owned();
    let vp_s = vp.view((n_lin, n_lin), (ns, ns)).into_owned();
    let test = test_stat(
        &beta_s,
        core.smooth.design(),
        &vp_s,
        edf1.min(ns as f64),
        residual_df,
    );

    // Curve over the whole range of x.
    let (xmin, xmax) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let xs: Vec<f64> = (0..101)
        .map(|i| xmin + (xmax - xmin) * i as f64 / 100.0)
        .collect();
    let xp = core.smooth.predict_matrix(&xs);
    let fit_vals = &xp * &beta_s;
    let xv = &xp * &vp_s;
    let curve = xs
        .iter()
        .enumerate()
        .map(|(i, &xv_i)| CurvePoint {
            x: xv_i,
            fit: fit_vals[i],
            se: xv.row(i).dot(&xp.row(i)).max(0.0).sqrt(),
        })
        .collect();

    let grid = threshold_grid(x)?;
    let fgrid = smooth_values(&core, beta, &grid);
    let (tx, tf2) = max_curvature(&grid, &fgrid)?;
    let boot_basis = if core.smooth.n_knots() <= opts.boot_refit_max_knots {
        BootBasis::Refit
    } else {
        BootBasis::Fixed
    };
    let boot = (opts.boot > 0).then(|| {
        bootstrap_ci(n, opts.boot, opts.seed, |rows| match boot_basis {
            BootBasis::Refit => {
                let pick = |v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
                let cb: Vec<Vec<f64>> = covs.iter().map(|c| pick(c)).collect();
                threshold_of(&pick(x), &pick(y), &cb, opts.basis, opts.k, knots)
            }
            BootBasis::Fixed => resample_threshold(&core, x, y, rows),
        })
    });
    let out = GamFit {
        n,
        basis: opts.basis,
        k: opts.k,
        max_knots: opts.max_knots,
        knot_seed: opts.knot_seed,
        knots: core.smooth.n_knots(),
        edf,
        edf_ref: edf1,
        p_smooth: test.p,
        smooth_stat: test.stat,
        r2_adj,
        dev_explained,
        reml: fit.reml,
        sp: fit.lambda,
        scale: fit.scale,
        residual_df,
        linear_terms,
        threshold: Threshold::new(tx, tf2, boot, Some(boot_basis)),
        curve,
    };
    check_output(&out)?;
    Ok(out)
}

fn check_output(f: &GamFit) -> Result<()> {
    let mut vals = vec![
        f.edf,
        f.p_smooth,
        f.r2_adj,
        f.dev_explained,
        f.reml,
        f.scale,
        f.threshold.x,
    ];
    vals.extend(f.linear_terms.iter().flat_map(|t| [t.coef, t.se, t.t, t.p]));
    vals.extend(f.curve.iter().flat_map(|c| [c.x, c.fit, c.se]));
    if vals.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(DoseError::Numerical(
            "the GAM fit produced a non-finite value (is y or a covariate degenerate?)".into(),
        ))
    }
}

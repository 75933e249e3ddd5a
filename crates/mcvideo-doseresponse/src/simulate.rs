//! Simulation study: how well does each method recover a planted dose threshold from a cohort
//! of n = 66? Cohorts mimic `cohort_a.csv`: ne_dose log-normal (meanlog -0.695, sdlog 0.729,
//! the cohort's own log-moments) clipped to [0.05, 2.5] and rounded to 3 decimals; APACHE II,
//! heart rate and log IL-6 normal with the cohort's means and SDs; an MFI-like outcome flat
//! (slope -0.04) up to the breakpoint and falling with slope -0.62 past it (the cohort's
//! segmented fit), plus 0.008 log IL-6 and N(0, 0.05^2) noise (the cohort's residual SD).

use crate::error::Result;
use crate::gam::{fit_gam, GamOptions};
use crate::rcs::{fit_rcs, RcsOptions};
use crate::segmented::{fit_segmented, SegmentedOptions};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal};
use rayon::prelude::*;
use serde::Serialize;

/// One simulated cohort.
#[derive(Debug, Clone)]
pub struct Cohort {
    /// Dose.
    pub x: Vec<f64>,
    /// Outcome.
    pub y: Vec<f64>,
    /// apache2, heart_rate, log_il6.
    pub covariates: [Vec<f64>; 3],
}

/// Study settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimConfig {
    /// Cohorts per breakpoint.
    pub cohorts: usize,
    /// Patients per cohort.
    pub n: usize,
    /// Planted breakpoint.
    pub breakpoint: f64,
    /// Residual SD.
    pub sigma: f64,
    /// Bootstrap resamples per cohort for the GAM and RCS CIs (0: no CIs).
    pub boot: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            cohorts: 200,
            n: 66,
            breakpoint: 0.80,
            sigma: 0.05,
            boot: 200,
            seed: 2026,
        }
    }
}

/// Draws cohort `index` (ChaCha8 stream `index`, so cohorts do not depend on thread count).
///
/// ```
/// use mcvideo_doseresponse::simulate::{simulate_cohort, SimConfig};
/// let c = simulate_cohort(&SimConfig::default(), 3);
/// assert_eq!(c.x.len(), 66);
/// assert_eq!(c.y, simulate_cohort(&SimConfig::default(), 3).y);
/// ```
pub fn simulate_cohort(cfg: &SimConfig, index: u64) -> Cohort {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    rng.set_stream(index);
    let lognormal: LogNormal<f64> = LogNormal::new(-0.695, 0.729).expect("valid log-normal");
    let std: Normal<f64> = Normal::new(0.0, 1.0).expect("valid normal");
    let mut x = Vec::with_capacity(cfg.n);
    let mut y = Vec::with_capacity(cfg.n);
    let mut cov = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..cfg.n {
        let dose = (lognormal.sample(&mut rng).clamp(0.05, 2.5) * 1000.0).round() / 1000.0;
        let apache = (25.4 + 5.8 * std.sample(&mut rng)).round();
        let hr = (97.7 + 17.8 * std.sample(&mut rng)).round();
        let il6 = 6.43 + 1.55 * std.sample(&mut rng);
        let mean = 2.95 - 0.04 * dose - 0.62 * (dose - cfg.breakpoint).max(0.0) + 0.008 * il6;
        x.push(dose);
        y.push(mean + cfg.sigma * std.sample(&mut rng));
        cov[0].push(apache);
        cov[1].push(hr);
        cov[2].push(il6);
    }
    Cohort {
        x,
        y,
        covariates: cov,
    }
}

/// Accuracy of one method over the cohorts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodSummary {
    /// Method name.
    pub method: String,
    /// Planted breakpoint.
    pub truth: f64,
    /// Cohorts where the estimate succeeded.
    pub n_ok: usize,
    /// Mean estimate - truth.
    pub bias: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Median absolute error.
    pub median_abs_error: f64,
    /// Share of CIs containing the truth (NaN without CIs).
    pub coverage: f64,
    /// Median CI width.
    pub median_ci_width: f64,
    /// Share of cohorts where the fit or its CI failed.
    pub failure_rate: f64,
}

type Estimate = Option<(f64, Option<[f64; 2]>)>;

fn summarize(method: &str, truth: f64, est: &[Estimate]) -> MethodSummary {
    let ok: Vec<(f64, Option<[f64; 2]>)> = est.iter().flatten().copied().collect();
    let n_ok = ok.len();
    let errs: Vec<f64> = ok.iter().map(|(e, _)| e - truth).collect();
    let bias = errs.iter().sum::<f64>() / n_ok.max(1) as f64;
    let rmse = (errs.iter().map(|e| e * e).sum::<f64>() / n_ok.max(1) as f64).sqrt();
    let abs: Vec<f64> = errs.iter().map(|e| e.abs()).collect();
    let cis: Vec<[f64; 2]> = ok.iter().filter_map(|(_, c)| *c).collect();
    let coverage = if cis.is_empty() {
        f64::NAN
    } else {
        cis.iter()
            .filter(|c| c[0] <= truth && truth <= c[1])
            .count() as f64
            / cis.len() as f64
    };
    let widths: Vec<f64> = cis.iter().map(|c| c[1] - c[0]).collect();
    let failed = est
        .iter()
        .filter(|e| e.is_none_or(|(_, c)| c.is_none()))
        .count();
    MethodSummary {
        method: method.to_string(),
        truth,
        n_ok,
        bias,
        rmse,
        median_abs_error: mcvideo_stats::summary::median(&abs),
        coverage,
        median_ci_width: if widths.is_empty() {
            f64::NAN
        } else {
            mcvideo_stats::summary::median(&widths)
        },
        failure_rate: failed as f64 / est.len().max(1) as f64,
    }
}

fn estimates(c: &Cohort, boot: usize, seed: u64) -> [Estimate; 3] {
    let covs: Vec<(&str, &[f64])> = vec![
        ("apache2", &c.covariates[0]),
        ("heart_rate", &c.covariates[1]),
        ("log_il6", &c.covariates[2]),
    ];
    let want_ci = boot > 0;
    let keep = |t: f64, ci: Option<[f64; 2]>| {
        Some((
            t,
            if want_ci {
                ci
            } else {
                Some([f64::NEG_INFINITY, f64::INFINITY])
            },
        ))
    };
    let gam: Result<_> = fit_gam(
        &c.x,
        &c.y,
        &covs,
        &GamOptions {
            boot,
            seed,
            ..GamOptions::default()
        },
    );
    let seg = fit_segmented(&c.x, &c.y, &covs, &SegmentedOptions::default());
    let rcs = fit_rcs(
        &c.x,
        &c.y,
        &covs,
        &RcsOptions {
            boot,
            seed,
            ..RcsOptions::default()
        },
    );
    [
        gam.ok().and_then(|f| keep(f.threshold.x, f.threshold.ci)),
        seg.ok().map(|f| (f.breakpoint, Some(f.breakpoint_ci))),
        rcs.ok().and_then(|f| keep(f.threshold.x, f.threshold.ci)),
    ]
}

/// Runs the study for one planted breakpoint: GAM curvature, segmented, RCS curvature.
/// Without bootstrap (`boot = 0`) the GAM and RCS coverages are reported as NaN.
pub fn run_study(cfg: &SimConfig) -> Vec<MethodSummary> {
    let all: Vec<[Estimate; 3]> = (0..cfg.cohorts as u64)
        .into_par_iter()
        .map(|i| {
            let c = simulate_cohort(cfg, i);
            estimates(&c, cfg.boot, cfg.seed.wrapping_add(i))
        })
        .collect();
    let names = [
        "GAM max curvature",
        "segmented",
        "RCS (4 knots) max curvature",
    ];
    let mut out: Vec<MethodSummary> = names
        .iter()
        .enumerate()
        .map(|(m, name)| {
            let col: Vec<Estimate> = all.iter().map(|e| e[m]).collect();
            summarize(name, cfg.breakpoint, &col)
        })
        .collect();
    if cfg.boot == 0 {
        for s in out.iter_mut().filter(|s| s.method != "segmented") {
            s.coverage = f64::NAN;
            s.median_ci_width = f64::NAN;
        }
    }
    out
}

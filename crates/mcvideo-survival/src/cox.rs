//! Cox proportional hazards regression (Cox 1972) with Efron (1977) or Breslow ties, fitted by
//! Newton–Raphson with step halving exactly as R's `survival::coxph` (coxph.fit / coxfit6,
//! Therneau & Grambsch 2000): centred and scaled covariates, convergence when the relative change
//! of the log partial likelihood is ≤ 1e-9, at most 20 iterations, and coxph's warnings for
//! coefficients that may be infinite (separation) or a fit that did not converge.

use crate::concordance::concordance;
use crate::validate::{check_finite, check_len, check_time_event, timefix};
use crate::SurvivalError;
use mcvideo_stats::dist;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How tied event times enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ties {
    /// Efron's approximation (coxph's default).
    #[default]
    Efron,
    /// Breslow's approximation.
    Breslow,
}

impl FromStr for Ties {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "efron" => Ok(Ties::Efron),
            "breslow" => Ok(Ties::Breslow),
            other => Err(format!(
                "unknown ties method {other:?}: use efron or breslow"
            )),
        }
    }
}

impl fmt::Display for Ties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ties::Efron => "efron",
            Ties::Breslow => "breslow",
        })
    }
}

/// Fitting controls, as `coxph.control()`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CoxOptions {
    /// Tie handling.
    pub ties: Ties,
    /// Newton–Raphson iterations at most (`iter.max`, 20).
    pub max_iter: usize,
    /// Convergence: |1 − loglik_old / loglik_new| ≤ eps (`eps`, 1e-9).
    pub eps: f64,
    /// Pivots below this times the largest diagonal mark a covariate as collinear (`toler.chol`).
    pub toler_chol: f64,
    /// A coefficient may be infinite when a further Newton step exceeds this times |coef| (`toler.inf`).
    pub toler_inf: f64,
    /// Confidence level of `hr_ci`.
    pub conf_level: f64,
}

impl Default for CoxOptions {
    fn default() -> Self {
        let eps = 1e-9;
        CoxOptions {
            ties: Ties::Efron,
            max_iter: 20,
            eps,
            toler_chol: f64::EPSILON.powf(0.75),
            toler_inf: eps.sqrt(),
            conf_level: 0.95,
        }
    }
}

/// One covariate of a fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxTerm {
    /// Covariate name.
    pub name: String,
    /// Log hazard ratio per unit.
    pub coef: f64,
    /// Standard error of `coef` (inverse information).
    pub se: f64,
    /// Hazard ratio exp(coef).
    pub hr: f64,
    /// Wald confidence interval of the hazard ratio.
    pub hr_ci: [f64; 2],
    /// Wald z = coef / se.
    pub z: f64,
    /// Two-sided Wald p value.
    pub p: f64,
}

/// A chi-square test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChiSquareTest {
    /// Statistic.
    pub chi2: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// Upper-tail p value.
    pub p: f64,
}

impl ChiSquareTest {
    fn new(chi2: f64, df: usize) -> Self {
        ChiSquareTest {
            chi2,
            df,
            p: dist::chisq_upper_p(chi2, df as f64),
        }
    }
}

/// A fitted Cox model: the fields of SPEC.md's `stats cox` JSON and a few more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxFit {
    /// Observations used.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Tie handling used.
    pub ties: Ties,
    /// Estimable covariates, in the order given.
    pub terms: Vec<CoxTerm>,
    /// Covariates left out because they are constant or collinear with earlier ones (R reports NA).
    pub aliased: Vec<String>,
    /// Log partial likelihood with all coefficients 0.
    pub loglik_null: f64,
    /// Log partial likelihood at the estimate.
    pub loglik: f64,
    /// Likelihood-ratio test against the null model.
    pub lr_test: ChiSquareTest,
    /// Wald test of all coefficients.
    pub wald_test: ChiSquareTest,
    /// Score (log-rank) test at coefficients 0.
    pub score_test: ChiSquareTest,
    /// Harrell's C of the linear predictor (as coxph reports it).
    pub concordance: f64,
    /// Newton–Raphson iterations taken.
    pub iterations: usize,
    /// False when the iteration limit was reached first.
    pub converged: bool,
    /// Covariates whose coefficient may be infinite (separation: the log-likelihood converged
    /// while the coefficient kept growing).
    pub infinite: Vec<String>,
    /// Warnings in coxph's words (empty for a clean fit).
    pub warnings: Vec<String>,
}

/// Cox model of `time`/`event` on named covariates with coxph's default controls.
///
/// ```
/// use mcvideo_survival::{cox, Ties};
/// let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let event = [true, true, true, false, true, true];
/// let x = [2.0, 0.0, 1.0, 0.0, 1.0, 0.0];
/// let fit = cox(&time, &event, &[("x", &x)], Ties::Efron).unwrap();
/// assert_eq!(fit.events, 5);
/// assert!(fit.converged && fit.warnings.is_empty());
/// assert!(fit.terms[0].coef > 0.0); // higher x, earlier death
/// assert_eq!(fit.lr_test.df, 1);
/// ```
pub fn cox(
    time: &[f64],
    event: &[bool],
    covariates: &[(&str, &[f64])],
    ties: Ties,
) -> Result<CoxFit, SurvivalError> {
    cox_with(
        time,
        event,
        covariates,
        &CoxOptions {
            ties,
            ..CoxOptions::default()
        },
    )
}

/// [`cox`] with explicit controls.
///
/// ```
/// use mcvideo_survival::{cox_with, CoxOptions, Ties};
/// let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let event = [true, true, true, false, true, true];
/// let x = [2.0, 0.0, 1.0, 0.0, 1.0, 0.0];
/// let opts = CoxOptions { ties: Ties::Breslow, max_iter: 1, ..CoxOptions::default() };
/// let fit = cox_with(&time, &event, &[("x", &x)], &opts).unwrap();
/// assert_eq!(fit.iterations, 1);
/// assert!(!fit.converged);
/// ```
pub fn cox_with(
    time: &[f64],
    event: &[bool],
    covariates: &[(&str, &[f64])],
    opts: &CoxOptions,
) -> Result<CoxFit, SurvivalError> {
    check_time_event(time, event)?;
    let fixed = timefix(time);
    let time = fixed.as_slice();
    if covariates.is_empty() {
        return Err(SurvivalError::NoCovariates);
    }
    for (name, values) in covariates {
        check_len(name, values.len(), time.len())?;
        check_finite(name, values)?;
    }
    let events = event.iter().filter(|&&e| e).count();
    if events == 0 {
        return Err(SurvivalError::NoEvents);
    }
    let n = time.len();

    // Sort by decreasing time: risk sets then grow as we walk the rows.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| time[b].total_cmp(&time[a]));
    let sorted_time: Vec<f64> = order.iter().map(|&i| time[i]).collect();
    let sorted_event: Vec<bool> = order.iter().map(|&i| event[i]).collect();

    // coxfit6 centres each covariate and scales it by 1 / mean|x − mean|, except 0/±1 indicators
    // (coxph's nocenter); Newton–Raphson is affine invariant, so this only helps the numerics.
    let all = prepare_covariates(covariates, &order);
    let full = PartialLikelihood {
        time: &sorted_time,
        event: &sorted_event,
        x: &all.x,
        p: covariates.len(),
        ties: opts.ties,
    };
    let zero = vec![0.0; full.p];
    let null_eval = full.evaluate(&zero);

    // Covariates that are constant or collinear with earlier ones: cholesky2's zero pivots (R: NA).
    let keep = nonsingular_columns(&null_eval.information, opts.toler_chol);
    let aliased: Vec<String> = (0..full.p)
        .filter(|j| !keep.contains(j))
        .map(|j| covariates[j].0.to_string())
        .collect();
    if keep.is_empty() {
        return Err(SurvivalError::NoEstimableCovariate {
            names: aliased.join(", "),
        });
    }
    let p = keep.len();
    let x_kept: Vec<f64> = (0..n)
        .flat_map(|row| keep.iter().map(move |&j| (row, j)))
        .map(|(row, j)| all.x[row * full.p + j])
        .collect();
    let model = PartialLikelihood {
        x: &x_kept,
        p,
        ..full
    };
    let scale: Vec<f64> = keep.iter().map(|&j| all.scale[j]).collect();
    let mean: Vec<f64> = keep.iter().map(|&j| all.mean[j]).collect();

    let fit = newton_raphson(&model, opts)?;
    let loglik_null = fit.loglik_null;

    let mut warnings = Vec::new();
    for name in &aliased {
        warnings.push(format!(
            "{name} is constant or collinear with earlier covariates: coefficient not estimable (R: NA)"
        ));
    }
    // coxph.fit's checks on the one further Newton step I⁻¹u, in the covariates' own units
    // (scaled units: β = β_s·scale, so the step scales the same way).
    let further_step: Vec<f64> = (&fit.inverse_information * &fit.score)
        .iter()
        .zip(&scale)
        .map(|(step, s)| step * s)
        .collect();
    let coef_std = &fit.beta;
    let coef_own: Vec<f64> = coef_std.iter().zip(&scale).map(|(b, s)| b * s).collect();
    let mut infinite = Vec::new();
    if opts.max_iter > 1 {
        if !fit.converged {
            warnings.push("Ran out of iterations and did not converge".to_string());
            let max_lp = (0..n)
                .map(|row| {
                    (0..p)
                        .map(|j| x_kept[row * p + j] * coef_std[j])
                        .sum::<f64>()
                })
                .fold(f64::NEG_INFINITY, f64::max);
            if max_lp > 500.0 || further_step.iter().any(|v| !v.is_finite()) {
                warnings.push("one or more coefficients may be infinite".to_string());
            }
        } else {
            for j in 0..p {
                let step = further_step[j].abs();
                if !fit.score[j].is_finite()
                    || (step > opts.eps && step > opts.toler_inf * coef_own[j].abs())
                {
                    infinite.push(covariates[keep[j]].0.to_string());
                }
            }
            if !infinite.is_empty() {
                warnings.push(format!(
                    "Loglik converged before variable {}; coefficient may be infinite (separation)",
                    infinite.join(",")
                ));
            }
        }
    }

    // Back to the covariates' own units.
    let z_crit = dist::normal_quantile(1.0 - (1.0 - opts.conf_level) / 2.0);
    let coef = coef_own;
    let var = DMatrix::from_fn(p, p, |a, b| {
        fit.inverse_information[(a, b)] * scale[a] * scale[b]
    });
    let terms: Vec<CoxTerm> = (0..p)
        .map(|j| {
            let se = var[(j, j)].sqrt();
            let z = coef[j] / se;
            CoxTerm {
                name: covariates[keep[j]].0.to_string(),
                coef: coef[j],
                se,
                hr: coef[j].exp(),
                hr_ci: [(coef[j] - z_crit * se).exp(), (coef[j] + z_crit * se).exp()],
                z,
                p: dist::normal_two_sided_p(z),
            }
        })
        .collect();
    let beta = DVector::from_vec(coef.clone());
    let wald = match var.clone().cholesky() {
        Some(ch) => ch.solve(&beta).dot(&beta),
        None => f64::NAN,
    };
    // Linear predictor in the covariates' own units (centring does not change the ranking).
    let lp: Vec<f64> = (0..n)
        .map(|i| {
            (0..p)
                .map(|k| coef[k] * (covariates[keep[k]].1[i] - mean[k]))
                .sum()
        })
        .collect();
    let c = concordance(time, event, &lp)?.c;
    Ok(CoxFit {
        n,
        events,
        ties: opts.ties,
        terms,
        aliased,
        loglik_null,
        loglik: fit.loglik,
        lr_test: ChiSquareTest::new(2.0 * (fit.loglik - loglik_null), p),
        wald_test: ChiSquareTest::new(wald, p),
        score_test: ChiSquareTest::new(fit.score_test, p),
        concordance: c,
        iterations: fit.iterations,
        converged: fit.converged,
        infinite,
        warnings,
    })
}

/// Covariates in time order, centred and scaled as coxfit6 does (row-major, n × p).
struct PreparedCovariates {
    x: Vec<f64>,
    mean: Vec<f64>,
    scale: Vec<f64>,
}

fn prepare_covariates(covariates: &[(&str, &[f64])], order: &[usize]) -> PreparedCovariates {
    let p = covariates.len();
    let n = order.len();
    let mut x = vec![0.0; n * p];
    let mut mean = vec![0.0; p];
    let mut scale = vec![1.0; p];
    for (j, (_, values)) in covariates.iter().enumerate() {
        let indicator = values.iter().all(|&v| v == 0.0 || v == 1.0 || v == -1.0);
        if !indicator {
            mean[j] = values.iter().sum::<f64>() / n as f64;
            let mad = values.iter().map(|v| (v - mean[j]).abs()).sum::<f64>();
            scale[j] = if mad > 0.0 { n as f64 / mad } else { 1.0 };
        }
        for (row, &i) in order.iter().enumerate() {
            x[row * p + j] = (values[i] - mean[j]) * scale[j];
        }
    }
    PreparedCovariates { x, mean, scale }
}

/// Indices of the columns that cholesky2 (survival's C code) keeps: pivots ≥ toler × max diagonal.
fn nonsingular_columns(information: &DMatrix<f64>, toler: f64) -> Vec<usize> {
    let p = information.nrows();
    let mut m = information.clone();
    let max_diag = (0..p).map(|i| m[(i, i)]).fold(0.0, f64::max);
    let eps = if max_diag == 0.0 {
        toler
    } else {
        max_diag * toler
    };
    let mut keep = Vec::new();
    for i in 0..p {
        let pivot = m[(i, i)];
        if !pivot.is_finite() || pivot < eps {
            continue;
        }
        keep.push(i);
        for j in (i + 1)..p {
            let temp = m[(j, i)] / pivot;
            m[(j, i)] = temp;
            m[(j, j)] -= temp * temp * pivot;
            for k in (j + 1)..p {
                m[(k, j)] -= temp * m[(k, i)];
            }
        }
    }
    keep
}

/// The data of a partial likelihood, rows sorted by decreasing time.
#[derive(Clone, Copy)]
struct PartialLikelihood<'a> {
    time: &'a [f64],
    event: &'a [bool],
    /// Row-major n × p covariates.
    x: &'a [f64],
    p: usize,
    ties: Ties,
}

/// Log partial likelihood, score and information at one β.
struct Evaluation {
    loglik: f64,
    score: DVector<f64>,
    information: DMatrix<f64>,
}

impl PartialLikelihood<'_> {
    /// coxfit6's pass over the risk sets (Efron: the k-th of d tied deaths sees the risk set minus
    /// k/d of the dying; Breslow: the whole risk set).
    fn evaluate(&self, beta: &[f64]) -> Evaluation {
        let p = self.p;
        let n = self.time.len();
        let mut loglik = 0.0;
        let mut score = DVector::<f64>::zeros(p);
        let mut information = DMatrix::<f64>::zeros(p, p);
        // Risk-set sums of r, r·x and r·x·xᵀ; the same over the deaths at the current time.
        let mut denom = 0.0;
        let mut a = vec![0.0; p];
        let mut cmat = vec![0.0; p * p];
        let mut a_dead = vec![0.0; p];
        let mut c_dead = vec![0.0; p * p];
        let mut mean = vec![0.0; p];
        let mut row = 0;
        while row < n {
            let t = self.time[row];
            let mut n_dead = 0usize;
            let mut denom_dead = 0.0;
            a_dead.iter_mut().for_each(|v| *v = 0.0);
            c_dead.iter_mut().for_each(|v| *v = 0.0);
            while row < n && self.time[row] == t {
                let xi = &self.x[row * p..(row + 1) * p];
                let eta: f64 = xi.iter().zip(beta).map(|(x, b)| x * b).sum();
                let risk = eta.exp();
                denom += risk;
                for i in 0..p {
                    a[i] += risk * xi[i];
                    for j in 0..=i {
                        cmat[i * p + j] += risk * xi[i] * xi[j];
                    }
                }
                if self.event[row] {
                    n_dead += 1;
                    denom_dead += risk;
                    loglik += eta;
                    for i in 0..p {
                        score[i] += xi[i];
                        a_dead[i] += risk * xi[i];
                        for j in 0..=i {
                            c_dead[i * p + j] += risk * xi[i] * xi[j];
                        }
                    }
                }
                row += 1;
            }
            if n_dead == 0 {
                continue;
            }
            let d = n_dead as f64;
            let (steps, weight) = match self.ties {
                Ties::Breslow => (1, d),
                Ties::Efron => (n_dead, 1.0),
            };
            for k in 0..steps {
                let frac = match self.ties {
                    Ties::Breslow => 0.0,
                    Ties::Efron => k as f64 / d,
                };
                let d2 = denom - frac * denom_dead;
                loglik -= weight * d2.ln();
                for i in 0..p {
                    mean[i] = (a[i] - frac * a_dead[i]) / d2;
                    score[i] -= weight * mean[i];
                }
                for i in 0..p {
                    for j in 0..=i {
                        let c = (cmat[i * p + j] - frac * c_dead[i * p + j]) / d2;
                        information[(i, j)] += weight * (c - mean[i] * mean[j]);
                    }
                }
            }
        }
        for i in 0..p {
            for j in 0..i {
                information[(j, i)] = information[(i, j)];
            }
        }
        Evaluation {
            loglik,
            score,
            information,
        }
    }
}

/// The outcome of the Newton–Raphson iterations (scaled covariate units).
struct NewtonFit {
    beta: Vec<f64>,
    loglik_null: f64,
    loglik: f64,
    score: DVector<f64>,
    inverse_information: DMatrix<f64>,
    score_test: f64,
    iterations: usize,
    converged: bool,
}

/// Solves I·s = u by Cholesky; `None` when I is not positive definite.
fn newton_step(information: &DMatrix<f64>, score: &DVector<f64>) -> Option<DVector<f64>> {
    information.clone().cholesky().map(|ch| ch.solve(score))
}

/// coxfit6's iteration: Newton steps from β = 0; a step that lowers the log-likelihood (or
/// overflows) is halved towards the last good β; converged when |1 − ℓ_old/ℓ_new| ≤ eps after a
/// full step.
fn newton_raphson(
    model: &PartialLikelihood,
    opts: &CoxOptions,
) -> Result<NewtonFit, SurvivalError> {
    let not_pd = || SurvivalError::NotPositiveDefinite {
        what: "Cox information matrix".into(),
    };
    let p = model.p;
    let mut beta = vec![0.0; p];
    let start = model.evaluate(&beta);
    let loglik_null = start.loglik;
    let first_step = newton_step(&start.information, &start.score).ok_or_else(not_pd)?;
    let score_test = first_step.dot(&start.score);
    let mut loglik = start.loglik;
    let mut current = start;
    let mut new_beta: Vec<f64> = (0..p).map(|j| beta[j] + first_step[j]).collect();
    let mut halving = 0usize;
    let mut iterations = 0;
    let mut converged = false;
    if opts.max_iter == 0 {
        new_beta.clone_from(&beta);
    }
    for iter in 1..=opts.max_iter {
        iterations = iter;
        let trial = model.evaluate(&new_beta);
        let finite = trial.loglik.is_finite()
            && trial.score.iter().all(|v| v.is_finite())
            && trial.information.iter().all(|v| v.is_finite());
        if finite && (1.0 - loglik / trial.loglik).abs() <= opts.eps && halving == 0 {
            beta.clone_from(&new_beta);
            loglik = trial.loglik;
            current = trial;
            converged = true;
            break;
        }
        if iter == opts.max_iter {
            // Out of iterations: coxfit6 reports the last β tried when it is usable.
            if finite {
                beta.clone_from(&new_beta);
                loglik = trial.loglik;
                current = trial;
            }
            break;
        }
        if !finite || trial.loglik < loglik {
            halving += 1;
            for j in 0..p {
                new_beta[j] = (new_beta[j] + beta[j]) / 2.0;
            }
        } else {
            halving = 0;
            loglik = trial.loglik;
            let step = newton_step(&trial.information, &trial.score).ok_or_else(not_pd)?;
            current = trial;
            beta.clone_from(&new_beta);
            for j in 0..p {
                new_beta[j] = beta[j] + step[j];
            }
        }
    }
    let inverse_information = current
        .information
        .clone()
        .cholesky()
        .map(|ch| ch.inverse())
        .ok_or_else(not_pd)?;
    Ok(NewtonFit {
        beta,
        loglik_null,
        loglik,
        score: current.score,
        inverse_information,
        score_test,
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_parse_and_print() {
        assert_eq!("Breslow".parse::<Ties>(), Ok(Ties::Breslow));
        assert_eq!(Ties::Efron.to_string(), "efron");
        assert!("exact".parse::<Ties>().is_err());
    }

    #[test]
    fn collinear_column_is_dropped() {
        let m = DMatrix::from_row_slice(3, 3, &[4.0, 2.0, 4.0, 2.0, 3.0, 2.0, 4.0, 2.0, 4.0]);
        assert_eq!(nonsingular_columns(&m, 1e-12), vec![0, 1]);
    }
}

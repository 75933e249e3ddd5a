//! The proportional-hazards test of a fitted Cox model, as R's `survival::cox.zph` (survival ≥ 3.0,
//! Grambsch & Therneau 1994): a score test of adding g(t)·x for each covariate x, with g the
//! left-continuous Kaplan–Meier transform of time ("km", R's default), per covariate and global;
//! and the scaled Schoenfeld residuals β + V⁻¹ r(t) that `plot.cox.zph` draws.
//!
//! The computation follows survival's `cox.zph` R code and its C routine `zph1`, for right-censored
//! data without strata or weights: one pass backwards in time accumulates the score of the
//! time-weighted covariates and the 2p × 2p information at the fitted coefficients (Efron or
//! Breslow ties), and the Schoenfeld residuals of each death.

use crate::cox::{CoxFit, Ties};
use crate::validate::{check_finite, check_len, check_time_event, order_by_time, timefix};
use crate::SurvivalError;
use mcvideo_stats::dist;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// One row of the cox.zph table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZphTest {
    /// Covariate name, or `GLOBAL`.
    pub term: String,
    /// Score chi-square.
    pub chi2: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// Upper-tail p value.
    pub p: f64,
}

/// The result of [`cox_zph`] (the fields of R's `cox.zph` object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxZph {
    /// Transform of time: always `km`.
    pub transform: String,
    /// One test per covariate, in the model's order.
    pub terms: Vec<ZphTest>,
    /// The global test (df = number of covariates).
    pub global: ZphTest,
    /// Event times, ascending (R's `time`).
    pub time: Vec<f64>,
    /// Transformed event times (R's `x`): 1 − KM(t−).
    pub x: Vec<f64>,
    /// Scaled Schoenfeld residuals, `residuals[term][death]` (R's `y`, one column per term).
    pub residuals: Vec<Vec<f64>>,
    /// Variance matrix for the plot's band (R's `var`), row-major p × p.
    pub var: Vec<Vec<f64>>,
}

/// The cox.zph test of `fit`, a model fitted on the same `time`, `event` and `covariates`.
///
/// Covariates that the fit left out as aliased are skipped, like R's NA coefficients.
///
/// ```
/// use mcvideo_survival::{cox, cox_zph, Ties};
/// let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let event = [true, true, true, false, true, true, false, true];
/// let x = [2.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 2.0];
/// let fit = cox(&time, &event, &[("x", &x)], Ties::Efron).unwrap();
/// let zph = cox_zph(&time, &event, &[("x", &x)], &fit).unwrap();
/// assert_eq!(zph.terms[0].df, 1);
/// // With one covariate the global test is the covariate's test.
/// assert!((zph.global.chi2 - zph.terms[0].chi2).abs() < 1e-12);
/// assert_eq!(zph.time.len(), 6);
/// ```
pub fn cox_zph(
    time: &[f64],
    event: &[bool],
    covariates: &[(&str, &[f64])],
    fit: &CoxFit,
) -> Result<CoxZph, SurvivalError> {
    check_time_event(time, event)?;
    let fixed = timefix(time);
    let time = fixed.as_slice();
    let n = time.len();
    let mut columns: Vec<(&str, &[f64], f64)> = Vec::new();
    for term in &fit.terms {
        let (name, values) = covariates
            .iter()
            .find(|(name, _)| *name == term.name)
            .ok_or_else(|| SurvivalError::LengthMismatch {
                what: format!("covariate `{}` of the fit", term.name),
                got: 0,
                expected: n,
            })?;
        check_len(name, values.len(), n)?;
        check_finite(name, values)?;
        columns.push((name, values, term.coef));
    }
    let p = columns.len();
    if p == 0 {
        return Err(SurvivalError::NoCovariates);
    }
    let deaths = event.iter().filter(|&&e| e).count();
    if deaths == 0 {
        return Err(SurvivalError::NoEvents);
    }
    // zph1 recentres X by its column means; the risk scores use the fitted coefficients
    // (a constant shift of η cancels in every ratio).
    let x: Vec<Vec<f64>> = columns
        .iter()
        .map(|(_, v, _)| {
            let mean = v.iter().sum::<f64>() / n as f64;
            v.iter().map(|a| a - mean).collect()
        })
        .collect();
    let beta: Vec<f64> = columns.iter().map(|c| c.2).collect();
    let eta: Vec<f64> = (0..n)
        .map(|i| (0..p).map(|j| x[j][i] * beta[j]).sum())
        .collect();

    // "km" transform: 1 − S(t−), S the Kaplan–Meier curve of all rows, centred on the deaths' mean.
    let order = order_by_time(time);
    let km_before = left_continuous_km(time, event, &order);
    let ttimes: Vec<f64> = km_before.iter().map(|s| 1.0 - s).collect();
    let death_mean = (0..n).filter(|&i| event[i]).map(|i| ttimes[i]).sum::<f64>() / deaths as f64;
    let gtime: Vec<f64> = ttimes.iter().map(|t| t - death_mean).collect();

    let mut u = vec![0.0; 2 * p];
    let mut imat = DMatrix::<f64>::zeros(2 * p, 2 * p);
    let mut schoen = vec![vec![0.0; p]; deaths];
    let mut a = vec![0.0; p];
    let mut a2 = vec![0.0; p];
    let mut cmat = DMatrix::<f64>::zeros(p, p);
    let mut cmat2 = DMatrix::<f64>::zeros(p, p);
    let mut denom = 0.0;
    let mut slot = deaths;
    let mut ip = n;
    while ip > 0 {
        let t = time[order[ip - 1]];
        let timewt = gtime[order[ip - 1]];
        let (mut ndead, mut denom2) = (0usize, 0.0);
        while ip > 0 && time[order[ip - 1]] == t {
            let person = order[ip - 1];
            ip -= 1;
            let risk = eta[person].exp();
            if event[person] {
                ndead += 1;
                denom2 += risk;
                slot -= 1;
                for i in 0..p {
                    schoen[slot][i] = x[i][person];
                    u[i] += x[i][person];
                    u[i + p] += timewt * x[i][person];
                    a2[i] += risk * x[i][person];
                    for j in 0..=i {
                        cmat2[(i, j)] += risk * x[i][person] * x[j][person];
                    }
                }
            } else {
                denom += risk;
                for i in 0..p {
                    a[i] += risk * x[i][person];
                    for j in 0..=i {
                        cmat[(i, j)] += risk * x[i][person] * x[j][person];
                    }
                }
            }
        }
        if ndead == 0 {
            continue;
        }
        let d = ndead as f64;
        let mut add_information = |a: &[f64], cmat: &DMatrix<f64>, denom: f64, wt: f64| {
            for i in 0..p {
                let mean_i = a[i] / denom;
                u[i] -= wt * mean_i;
                u[i + p] -= timewt * wt * mean_i;
                for j in 0..=i {
                    let v = wt * (cmat[(i, j)] - mean_i * a[j]) / denom;
                    imat[(j, i)] += v;
                    imat[(j, i + p)] += v * timewt;
                    imat[(j + p, i + p)] += v * timewt * timewt;
                }
            }
        };
        match fit.ties {
            Ties::Breslow => {
                denom += denom2;
                for i in 0..p {
                    a[i] += a2[i];
                    for j in 0..=i {
                        cmat[(i, j)] += cmat2[(i, j)];
                    }
                }
                add_information(&a, &cmat, denom, d);
                for i in 0..p {
                    let mean_i = a[i] / denom;
                    for row in schoen.iter_mut().skip(slot).take(ndead) {
                        row[i] -= mean_i;
                    }
                }
            }
            Ties::Efron => {
                // The residual subtracts the mean of the d partial-risk-set means.
                for i in 0..p {
                    let mut tmean = 0.0;
                    for k in 0..ndead {
                        let frac = (k + 1) as f64 / d;
                        tmean += (a[i] + a2[i] * frac) / (denom + denom2 * frac);
                    }
                    for row in schoen.iter_mut().skip(slot).take(ndead) {
                        row[i] -= tmean / d;
                    }
                }
                for _ in 0..ndead {
                    denom += denom2 / d;
                    for i in 0..p {
                        a[i] += a2[i] / d;
                        for j in 0..=i {
                            cmat[(i, j)] += cmat2[(i, j)] / d;
                        }
                    }
                    add_information(&a, &cmat, denom, 1.0);
                }
            }
        }
        a2.iter_mut().for_each(|v| *v = 0.0);
        cmat2.fill(0.0);
    }
    // Complete the matrix from the triangles accumulated above, as zph1 does.
    for i in 0..p {
        for j in 0..i {
            imat[(i, j)] = imat[(j, i)];
            imat[(i, j + p)] = imat[(j, i + p)];
            imat[(i + p, j + p)] = imat[(j + p, i + p)];
        }
    }
    for i in 0..p {
        for j in 0..p {
            imat[(i + p, j)] = imat[(j, i + p)];
        }
    }

    let solve = |m: DMatrix<f64>, v: DVector<f64>, what: &str| -> Result<f64, SurvivalError> {
        let chol = m
            .cholesky()
            .ok_or_else(|| SurvivalError::NotPositiveDefinite {
                what: what.to_string(),
            })?;
        Ok(chol.solve(&v).dot(&v))
    };
    let mut terms = Vec::with_capacity(p);
    for (jj, column) in columns.iter().enumerate() {
        let keep: Vec<usize> = (0..p).chain(std::iter::once(p + jj)).collect();
        let sub = imat.select_rows(&keep).select_columns(&keep);
        let mut v = DVector::zeros(p + 1);
        v[p] = u[p + jj];
        let chi2 = solve(sub, v, "the information matrix of the zph test")?;
        terms.push(ZphTest {
            term: column.0.to_string(),
            chi2,
            df: 1,
            p: dist::chisq_upper_p(chi2, 1.0),
        });
    }
    let mut v = DVector::zeros(2 * p);
    for j in 0..p {
        v[p + j] = u[p + j];
    }
    let chi2 = solve(imat.clone(), v, "the information matrix of the zph test")?;
    let global = ZphTest {
        term: "GLOBAL".to_string(),
        chi2,
        df: p,
        p: dist::chisq_upper_p(chi2, p as f64),
    };

    // Scaled residuals: V⁻¹ r + β, with V the information per death.
    let vmean = imat.view((0, 0), (p, p)).into_owned() / deaths as f64;
    let var = vmean
        .clone()
        .try_inverse()
        .ok_or_else(|| SurvivalError::NotPositiveDefinite {
            what: "the information matrix of the fit".to_string(),
        })?;
    let mut residuals = vec![Vec::with_capacity(deaths); p];
    for row in &schoen {
        let scaled = &var * DVector::from_column_slice(row);
        for j in 0..p {
            residuals[j].push(scaled[j] + beta[j]);
        }
    }
    let death_rows: Vec<usize> = order.iter().copied().filter(|&i| event[i]).collect();
    Ok(CoxZph {
        transform: "km".to_string(),
        terms,
        global,
        time: death_rows.iter().map(|&i| time[i]).collect(),
        x: death_rows.iter().map(|&i| ttimes[i]).collect(),
        residuals,
        var: (0..p)
            .map(|i| (0..p).map(|j| var[(i, j)]).collect())
            .collect(),
    })
}

/// Kaplan–Meier survival just before each row's time (1 before the first death).
fn left_continuous_km(time: &[f64], event: &[bool], order: &[usize]) -> Vec<f64> {
    let n = time.len();
    let mut before = vec![1.0; n];
    let mut survival = 1.0;
    let mut at_risk = n;
    let mut k = 0;
    while k < n {
        let t = time[order[k]];
        let start = k;
        let mut deaths = 0;
        while k < n && time[order[k]] == t {
            deaths += usize::from(event[order[k]]);
            k += 1;
        }
        for &row in &order[start..k] {
            before[row] = survival;
        }
        if deaths > 0 {
            survival *= (at_risk - deaths) as f64 / at_risk as f64;
        }
        at_risk -= k - start;
    }
    before
}

//! Ordinary least squares by Householder QR (nalgebra): coefficients, SE, 95% CI, t, p, R²,
//! as R's `summary(lm(y ~ x + covariates))` and `confint`.

use crate::data::Table;
use crate::error::StatsError;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// One model term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// Column name, or `(Intercept)`.
    pub name: String,
    pub coef: f64,
    pub se: f64,
    /// 95% confidence interval, coef ± t_{0.975, df}·se.
    pub ci: [f64; 2],
    pub t: f64,
    pub p: f64,
}

/// A fitted linear model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Regression {
    pub method: String,
    pub y: String,
    pub n: usize,
    /// Rows dropped for a missing value in y or a predictor.
    pub dropped: usize,
    pub df_residual: usize,
    pub r2: f64,
    pub r2_adj: f64,
    /// Residual standard error.
    pub sigma: f64,
    /// Overall F test of all non-intercept terms.
    pub f_statistic: f64,
    pub f_p: f64,
    pub terms: Vec<Term>,
}

/// Fits y = b0 + Σ b_j x_j by least squares; `predictors` are (name, values) of equal length.
///
/// ```
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0];
/// let y = [3.1, 4.9, 7.2, 8.8, 11.1];
/// let fit = mcvideo_stats::regress::ols("y", &y, &[("x", &x)]).unwrap();
/// assert_eq!(fit.terms[0].name, "(Intercept)");
/// assert!((fit.terms[1].coef - 1.99).abs() < 1e-12);
/// ```
pub fn ols(
    y_name: &str,
    y: &[f64],
    predictors: &[(&str, &[f64])],
) -> Result<Regression, StatsError> {
    let what = format!("linear regression of {y_name}");
    let n = y.len();
    let p = predictors.len() + 1;
    if let Some((name, _)) = predictors.iter().find(|(_, v)| v.len() != n) {
        return Err(StatsError::invalid(
            what,
            format!("`{name}` differs in length from y"),
        ));
    }
    if n <= p {
        return Err(StatsError::TooFew {
            what,
            n,
            need: p + 1,
        });
    }
    let design = DMatrix::from_fn(
        n,
        p,
        |i, j| if j == 0 { 1.0 } else { predictors[j - 1].1[i] },
    );
    let response = DVector::from_column_slice(y);
    let qr = design.clone().qr();
    let r = qr.r();
    // rank check, as lm's tolerance 1e-7 on the pivots relative to the column norms
    for j in 0..p {
        let column_norm = design.column(j).norm();
        if r[(j, j)].abs() <= 1e-7 * column_norm.max(f64::MIN_POSITIVE) {
            let name = if j == 0 {
                "(Intercept)"
            } else {
                predictors[j - 1].0
            };
            return Err(StatsError::invalid(
                what,
                format!("`{name}` is collinear with the terms before it (or constant)"),
            ));
        }
    }
    let qty = qr.q().transpose() * &response;
    let coef = r
        .solve_upper_triangular(&qty)
        .ok_or_else(|| StatsError::invalid(&what, "singular design"))?;
    let residuals = &response - &design * &coef;
    let rss = residuals.norm_squared();
    let df = n - p;
    let sigma2 = rss / df as f64;
    let r_inverse = r
        .solve_upper_triangular(&DMatrix::identity(p, p))
        .ok_or_else(|| StatsError::invalid(&what, "singular design"))?;
    let unscaled = &r_inverse * r_inverse.transpose(); // (X'X)^-1
    let y_mean = crate::summary::mean(y);
    let tss: f64 = y.iter().map(|v| (v - y_mean) * (v - y_mean)).sum();
    let r2 = 1.0 - rss / tss;
    let r2_adj = 1.0 - (1.0 - r2) * (n - 1) as f64 / df as f64;
    let q = crate::dist::t_quantile(0.975, df as f64);
    if !q.is_finite() {
        return Err(StatsError::invalid(&what, "no t quantile"));
    }
    let terms = (0..p)
        .map(|j| {
            let se = (sigma2 * unscaled[(j, j)]).sqrt();
            let t = coef[j] / se;
            Term {
                name: if j == 0 {
                    "(Intercept)".to_string()
                } else {
                    predictors[j - 1].0.to_string()
                },
                coef: coef[j],
                se,
                ci: [coef[j] - q * se, coef[j] + q * se],
                t,
                p: crate::dist::t_two_sided_p(t, df as f64),
            }
        })
        .collect();
    let df_model = (p - 1) as f64;
    let f_statistic = ((tss - rss) / df_model) / sigma2;
    let f_p = statrs::distribution::FisherSnedecor::new(df_model, df as f64)
        .map(|f| statrs::distribution::ContinuousCDF::sf(&f, f_statistic))
        .unwrap_or(f64::NAN);
    Ok(Regression {
        method: "regress".into(),
        y: y_name.to_string(),
        n,
        dropped: 0,
        df_residual: df,
        r2,
        r2_adj,
        sigma: sigma2.sqrt(),
        f_statistic,
        f_p,
        terms,
    })
}

/// `lm(y ~ x1 + x2 + ...)` on the complete rows of a table.
///
/// ```
/// use mcvideo_stats::data::Table;
/// let t = Table::from_reader("y,x\n1,0\n3,1\n5,2\nNA,3\n7,3\n".as_bytes(), "x.csv").unwrap();
/// let fit = mcvideo_stats::regress::regress(&t, "y", &["x"]).unwrap();
/// assert_eq!((fit.n, fit.dropped), (4, 1));
/// assert!((fit.terms[1].coef - 2.0).abs() < 1e-12 && (fit.r2 - 1.0).abs() < 1e-12);
/// ```
pub fn regress(table: &Table, y: &str, xs: &[&str]) -> Result<Regression, StatsError> {
    let mut names = vec![y];
    names.extend_from_slice(xs);
    let (columns, dropped) = table.complete_numeric(&names)?;
    let predictors: Vec<(&str, &[f64])> = xs
        .iter()
        .zip(&columns[1..])
        .map(|(name, values)| (*name, values.as_slice()))
        .collect();
    let mut fit = ols(y, &columns[0], &predictors)
        .map_err(|e| StatsError::invalid(table.name(), e.to_string()))?;
    fit.dropped = dropped;
    Ok(fit)
}

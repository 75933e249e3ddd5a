//! Ordinary least squares by Householder QR (nalgebra), the one routine of the workspace:
//! [`least_squares`] on a design matrix (the dose-response fits use it too) with lm's
//! collinearity rule ([`first_collinear_column`]), and [`ols`]/[`regress`] on named columns
//! with coefficients, SE, 95% CI, t, p and R², as R's `summary(lm(y ~ x + covariates))` and
//! `confint`.

use crate::data::Table;
use crate::error::StatsError;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// lm's collinearity tolerance (`lm.fit(tol = 1e-7)`, passed to `qr`): a column whose part
/// orthogonal to the columns before it is at most this fraction of its own norm counts as a
/// linear combination of them.
pub const COLLINEARITY_TOLERANCE: f64 = 1e-7;

/// The first column of `x` that is (nearly) a linear combination of the columns before it,
/// given `r`, the R factor of a Householder QR of `x` without pivoting.
///
/// |r_jj| is the norm of column j's part orthogonal to columns 0..j, so the test
/// |r_jj| ≤ [`COLLINEARITY_TOLERANCE`] · ‖x_j‖ is the one LINPACK's `dqrdc2` makes for `lm`
/// (Chambers 1992, *Statistical Models in S*, §4.2.2). R then drops the column and reports an
/// `NA` coefficient; here the caller turns the column into an error naming it. A zero column
/// and a NaN pivot count as collinear.
///
/// ```
/// use nalgebra::DMatrix;
/// use mcvideo_stats::regress::first_collinear_column;
/// // the third column is the sum of the first two, up to 1e-9
/// let x = DMatrix::from_row_slice(4, 3, &[1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 2.0, 3.0 + 1e-9, 1.0, 3.0, 4.0]);
/// assert_eq!(first_collinear_column(&x.clone().qr().r(), &x), Some(2));
/// let x = x.columns(0, 2).into_owned();
/// assert_eq!(first_collinear_column(&x.clone().qr().r(), &x), None);
/// ```
pub fn first_collinear_column(r: &DMatrix<f64>, x: &DMatrix<f64>) -> Option<usize> {
    (0..r.ncols().min(r.nrows())).find(|&j| {
        let pivot = r[(j, j)].abs();
        let scale = x.column(j).norm().max(f64::MIN_POSITIVE);
        pivot.is_nan() || pivot <= COLLINEARITY_TOLERANCE * scale
    })
}

/// A least-squares fit of y on the columns of a design matrix.
#[derive(Debug, Clone)]
pub struct LeastSquares {
    /// Coefficients, in the column order of the design.
    pub coef: DVector<f64>,
    /// Residual sum of squares.
    pub rss: f64,
    /// (X'X)⁻¹ = R⁻¹R⁻ᵀ.
    pub xtx_inv: DMatrix<f64>,
    /// Residuals y − Xb.
    pub residuals: DVector<f64>,
}

/// Least squares of `y` on the columns of `x` by Householder QR; an error when x has fewer
/// rows than columns ([`StatsError::TooFew`]) or a column is collinear with the columns before
/// it by lm's rule ([`StatsError::Collinear`], see [`first_collinear_column`]).
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use mcvideo_stats::regress::least_squares;
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 0.0, 1.0, 1.0, 1.0, 2.0]);
/// let y = DVector::from_vec(vec![1.0, 3.0, 5.0]);
/// let fit = least_squares(&x, &y).unwrap();
/// assert!((fit.coef[0] - 1.0).abs() < 1e-12 && (fit.coef[1] - 2.0).abs() < 1e-12);
/// let constant = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0]);
/// assert!(least_squares(&constant, &y).is_err());
/// ```
pub fn least_squares(x: &DMatrix<f64>, y: &DVector<f64>) -> Result<LeastSquares, StatsError> {
    let what = "least squares";
    let (n, p) = x.shape();
    if n < p {
        return Err(StatsError::TooFew {
            what: what.into(),
            n,
            need: p,
        });
    }
    if y.len() != n {
        return Err(StatsError::invalid(
            what,
            format!("y has {} values, the design {n} rows", y.len()),
        ));
    }
    let qr = x.clone().qr();
    let r = qr.r();
    if let Some(column) = first_collinear_column(&r, x) {
        return Err(StatsError::Collinear {
            what: what.into(),
            column,
        });
    }
    let qty = qr.q().transpose() * y;
    let singular = || StatsError::invalid(what, "singular triangular factor");
    let coef = r.solve_upper_triangular(&qty).ok_or_else(singular)?;
    let residuals = y - x * &coef;
    let rss = residuals.norm_squared();
    let r_inverse = r
        .solve_upper_triangular(&DMatrix::identity(p, p))
        .ok_or_else(singular)?;
    let xtx_inv = &r_inverse * r_inverse.transpose();
    Ok(LeastSquares {
        coef,
        rss,
        xtx_inv,
        residuals,
    })
}

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
    let term_name = |j: usize| {
        if j == 0 {
            "(Intercept)"
        } else {
            predictors[j - 1].0
        }
    };
    let fit = least_squares(&design, &response).map_err(|e| match e {
        StatsError::Collinear { column, .. } => StatsError::invalid(
            &what,
            format!(
                "`{}` is collinear with the terms before it (or constant)",
                term_name(column)
            ),
        ),
        other => StatsError::invalid(&what, other.to_string()),
    })?;
    let coef = &fit.coef;
    let rss = fit.rss;
    let df = n - p;
    let sigma2 = rss / df as f64;
    let unscaled = &fit.xtx_inv;
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
                name: term_name(j).to_string(),
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
    let f_p = crate::dist::f_upper(f_statistic, df_model, df as f64);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// x3 = x1 + x2 + eps·e: R's `lm(y ~ x1 + x2 + x3)$rank` is 4 for eps = 1e-5 and 1e-6,
    /// 3 (x3 dropped as collinear) for 1e-8 and 1e-9.
    #[test]
    fn collinearity_follows_lm() {
        let x1 = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let x2 = [1.0, 0.0, 2.0, 1.0, 3.0, 2.0];
        let e = [1.0, -1.0, 0.0, 1.0, -1.0, 0.0];
        let y = [1.0, 2.0, 2.0, 4.0, 5.0, 5.0];
        for (eps, r_rank) in [(1e-5, 4), (1e-6, 4), (1e-8, 3), (1e-9, 3)] {
            let x3: Vec<f64> = (0..6).map(|i| x1[i] + x2[i] + eps * e[i]).collect();
            let fit = ols("y", &y, &[("x1", &x1), ("x2", &x2), ("x3", &x3)]);
            match r_rank {
                4 => assert!(fit.is_ok(), "eps {eps}: {fit:?}"),
                _ => {
                    let message = fit.unwrap_err().to_string();
                    assert!(
                        message.contains("`x3` is collinear"),
                        "eps {eps}: {message}"
                    );
                }
            }
        }
    }
}

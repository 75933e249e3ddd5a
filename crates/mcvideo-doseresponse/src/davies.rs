//! Davies' test for a change in the slope (Davies 1987, Biometrika 74:33-43), as R's
//! `davies.test(lm_fit, seg.Z = ~x, k = 10)` for a linear model (segmented 1.6-2, n <= 300):
//! t statistics of (x - p)_+ added to the model at k points from the 2nd smallest to the 2nd
//! largest x, and the upper bound p = 2 [P(T > M) + V (1-u)^((df-1)/2) Gamma(df/2 + 1/2) /
//! (2 Gamma(df/2) sqrt(pi))] with M the largest |t| and V the total variation of
//! asin(sqrt(Z^2/(Z^2 + RSS))) over the points.

use crate::error::{DoseError, Result};
use mcvideo_stats::dist::t_upper;
use mcvideo_stats::regress::least_squares;
use nalgebra::{DMatrix, DVector};
use statrs::function::gamma::ln_gamma;

/// Two-sided Davies p value. `base` is the null model's design (intercept, x, covariates).
///
/// ```
/// use nalgebra::DMatrix;
/// use mcvideo_doseresponse::davies::davies_test;
/// let x: Vec<f64> = (0..30).map(|i| i as f64).collect();
/// let y: Vec<f64> = x.iter().map(|&v| (v - 15.0).max(0.0) + 0.1 * (v * 1.7).sin()).collect();
/// let base = DMatrix::from_fn(30, 2, |i, j| if j == 0 { 1.0 } else { x[i] });
/// assert!(davies_test(&x, &y, &base, 10).unwrap() < 1e-6);
/// ```
pub fn davies_test(x: &[f64], y: &[f64], base: &DMatrix<f64>, k: usize) -> Result<f64> {
    let n = x.len();
    if k < 2 || n < 4 {
        return Err(DoseError::InvalidArgument(
            "Davies test needs k >= 2 and n >= 4".into(),
        ));
    }
    let mut s = x.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let (lo, hi) = (s[1], s[n - 2]);
    let p = base.ncols();
    let df = (n - p - 1) as f64;
    let yv = DVector::from_column_slice(y);
    let mut tvals = Vec::with_capacity(k);
    let mut ris2 = Vec::with_capacity(k);
    for i in 0..k {
        let psi = lo + (hi - lo) * i as f64 / (k - 1) as f64;
        let mut xd = DMatrix::zeros(n, p + 1);
        for r in 0..n {
            xd[(r, 0)] = (x[r] - psi).max(0.0);
        }
        xd.columns_mut(1, p).copy_from(base);
        let Ok(fit) = least_squares(&xd, &yv) else {
            continue;
        };
        let sigma = (fit.rss / df).sqrt();
        let z = fit.coef[0] / fit.xtx_inv[(0, 0)].sqrt();
        tvals.push(z / sigma);
        ris2.push(z * z / (z * z + fit.rss));
    }
    if tvals.is_empty() {
        return Err(DoseError::Singular(
            "every Davies evaluation point failed".into(),
        ));
    }
    let v: f64 = ris2
        .windows(2)
        .map(|w| (w[1].sqrt().asin() - w[0].sqrt().asin()).abs())
        .sum();
    let m = tvals.iter().fold(0.0f64, |a, t| a.max(t.abs()));
    let p_naive = t_upper(m, df);
    let u = m * m / (df + m * m);
    let approx = v
        * (1.0 - u).powf((df - 1.0) / 2.0)
        * (ln_gamma(df / 2.0 + 0.5) - ln_gamma(df / 2.0)).exp()
        / (2.0 * std::f64::consts::PI.sqrt());
    Ok((2.0 * (p_naive + approx)).min(1.0))
}

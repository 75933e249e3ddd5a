//! The distributions every statistics crate uses (statrs underneath): tail probabilities and
//! quantiles of the t, F, chi-square and normal distributions, as R's `pt`/`qt`/`pf`/
//! `pchisq`/`pnorm`/`qnorm` give them.
//!
//! Each is a function of numbers, so it follows the crate's rule for those: an argument
//! outside the distribution's domain (NaN, a non-positive degree of freedom, a probability
//! outside [0, 1]) gives NaN, as R gives NaN, and the caller decides whether that is an error.

use statrs::distribution::{
    ChiSquared, Continuous, ContinuousCDF, FisherSnedecor, Normal, StudentsT,
};
use statrs::function::beta::beta_reg;

/// Two-sided p value of a t statistic with `df` degrees of freedom, 2·P(T > |t|).
///
/// Computed as I_{df/(df+t²)}(df/2, 1/2), which keeps full relative precision for tiny p.
///
/// ```
/// let p = mcvideo_stats::dist::t_two_sided_p(2.0, 10.0);
/// assert!((p - 0.07338803477074).abs() < 1e-12);
/// assert!(mcvideo_stats::dist::t_two_sided_p(2.0, 0.0).is_nan());
/// ```
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    beta_reg(df / 2.0, 0.5, df / (df + t * t))
}

/// Upper tail P(T > t) of Student's t with `df` degrees of freedom (R's `pt(t, df, lower = FALSE)`).
///
/// ```
/// let p = mcvideo_stats::dist::t_upper(2.0, 10.0);
/// assert!((p - 0.03669401738537).abs() < 1e-12);
/// ```
pub fn t_upper(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) if !t.is_nan() => d.sf(t),
        _ => f64::NAN,
    }
}

/// The `prob` quantile of Student's t with `df` degrees of freedom (R's `qt`).
///
/// statrs inverts the incomplete beta function; three Newton steps on the CDF bring the
/// result to full double precision.
///
/// ```
/// let q = mcvideo_stats::dist::t_quantile(0.975, 24.0);
/// assert!((q - 2.063898561628).abs() < 1e-11);
/// assert!(mcvideo_stats::dist::t_quantile(1.5, 24.0).is_nan());
/// ```
pub fn t_quantile(prob: f64, df: f64) -> f64 {
    if !(0.0..=1.0).contains(&prob) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    let Ok(dist) = StudentsT::new(0.0, 1.0, df) else {
        return f64::NAN;
    };
    let mut q = dist.inverse_cdf(prob);
    if !q.is_finite() {
        return q;
    }
    for _ in 0..3 {
        // work on the smaller tail for precision
        let error = if q > 0.0 {
            (1.0 - prob) - dist.sf(q)
        } else {
            dist.cdf(q) - prob
        };
        let density = dist.pdf(q);
        if density <= 0.0 || !error.is_finite() {
            break;
        }
        let step = if q > 0.0 {
            -error / density
        } else {
            error / density
        };
        q -= step;
    }
    q
}

/// Upper tail P(F > x) of the F distribution with `df1` and `df2` degrees of freedom.
///
/// ```
/// // R: pf(3, 2, 10, lower.tail = FALSE), in closed form (1 + 2·3/10)^(-5)
/// let p = mcvideo_stats::dist::f_upper(3.0, 2.0, 10.0);
/// assert!((p - 1.6f64.powi(-5)).abs() < 1e-12);
/// ```
pub fn f_upper(x: f64, df1: f64, df2: f64) -> f64 {
    match FisherSnedecor::new(df1, df2) {
        Ok(d) if !x.is_nan() => d.sf(x),
        _ => f64::NAN,
    }
}

/// Upper tail P(X > x) of the chi-square distribution with `df` degrees of freedom; 1 for
/// x ≤ 0.
///
/// ```
/// // R: pchisq(30.5006687731566, 3, lower = FALSE)
/// let p = mcvideo_stats::dist::chisq_upper_p(30.5006687731566, 3.0);
/// assert!((p / 1.0828176991987e-06 - 1.0).abs() < 1e-9);
/// assert!(mcvideo_stats::dist::chisq_upper_p(1.0, 0.0).is_nan());
/// ```
pub fn chisq_upper_p(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    match ChiSquared::new(df) {
        Ok(d) => d.sf(x),
        Err(_) => f64::NAN,
    }
}

/// The standard normal distribution.
fn standard_normal() -> Normal {
    // Mean 0 and sd 1 are always valid parameters; the fallback is never taken.
    Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!("N(0, 1) is valid"))
}

/// Two-sided normal p value of a z statistic: 2·P(Z > |z|).
///
/// ```
/// // R: 2 * pnorm(-3.29447664826157)
/// let p = mcvideo_stats::dist::normal_two_sided_p(-3.29447664826157);
/// assert!((p / 0.000986051372138453 - 1.0).abs() < 1e-9);
/// ```
pub fn normal_two_sided_p(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    2.0 * standard_normal().sf(z.abs())
}

/// The standard normal quantile q with P(Z ≤ q) = p (R's `qnorm`).
///
/// ```
/// let q = mcvideo_stats::dist::normal_quantile(0.975);
/// assert!((q - 1.959963984540054).abs() < 1e-13);
/// assert!(mcvideo_stats::dist::normal_quantile(-0.1).is_nan());
/// ```
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    standard_normal().inverse_cdf(p)
}

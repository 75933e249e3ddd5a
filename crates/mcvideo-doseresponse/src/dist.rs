//! Tail probabilities and quantiles of the t, F and chi-square distributions (statrs).

use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, StudentsT};

/// Two-sided p value of a t statistic with `df` degrees of freedom.
///
/// ```
/// use mcvideo_doseresponse::dist::t_two_sided;
/// assert!((t_two_sided(2.0, 10.0) - 0.07338803477074).abs() < 1e-10);
/// ```
pub fn t_two_sided(t: f64, df: f64) -> f64 {
    2.0 * t_upper(t.abs(), df)
}

/// Upper tail P(T > t).
pub fn t_upper(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.sf(t),
        Err(_) => f64::NAN,
    }
}

/// The `p` quantile of Student's t.
///
/// ```
/// use mcvideo_doseresponse::dist::t_quantile;
/// assert!((t_quantile(0.975, 24.0) - 2.063898561628).abs() < 1e-9);
/// ```
pub fn t_quantile(p: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Upper tail of the F distribution.
pub fn f_upper(x: f64, df1: f64, df2: f64) -> f64 {
    match FisherSnedecor::new(df1, df2) {
        Ok(d) => d.sf(x),
        Err(_) => f64::NAN,
    }
}

/// Chi-square CDF (`lower`) or survival function.
pub fn chisq(x: f64, df: f64, lower: bool) -> f64 {
    match ChiSquared::new(df) {
        Ok(d) if lower => d.cdf(x),
        Ok(d) => d.sf(x),
        Err(_) => f64::NAN,
    }
}

/// Chi-square quantile.
pub fn chisq_quantile(p: f64, df: f64) -> f64 {
    match ChiSquared::new(df) {
        Ok(d) => d.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

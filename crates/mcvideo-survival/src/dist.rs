//! Normal and chi-square tail probabilities (statrs), as R's pnorm/pchisq/qnorm give them.

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// The standard normal distribution.
fn standard_normal() -> Normal {
    // Mean 0 and sd 1 are always valid parameters; the fallback is never taken.
    Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!("N(0, 1) is valid"))
}

/// Two-sided normal p value of a z statistic: 2·P(Z > |z|).
pub(crate) fn normal_two_sided_p(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    2.0 * standard_normal().sf(z.abs())
}

/// The standard normal quantile q with P(Z ≤ q) = p.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    standard_normal().inverse_cdf(p)
}

/// Upper tail of the chi-square distribution: P(X > x) with `df` degrees of freedom.
pub(crate) fn chisq_upper_p(x: f64, df: usize) -> f64 {
    if df == 0 || x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    match ChiSquared::new(df as f64) {
        Ok(dist) => dist.sf(x),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_r_tails() {
        // qnorm(0.975), 2*pnorm(-3.29447664826157), pchisq(30.5006687731566, 3, lower = FALSE)
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-13);
        let p = normal_two_sided_p(-3.29447664826157);
        assert!((p / 0.000986051372138453 - 1.0).abs() < 1e-9, "{p}");
        let q = chisq_upper_p(30.5006687731566, 3);
        assert!((q / 1.0828176991987e-06 - 1.0).abs() < 1e-9, "{q}");
    }
}

//! Wilcoxon rank-sum (Mann–Whitney) test, normal approximation with continuity and tie
//! correction, as R's `wilcox.test(x, y, exact = FALSE)` (Hollander & Wolfe 1973).

use crate::error::StatsError;
use crate::summary::{ranks, tie_sizes};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// Result of a rank-sum test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankSum {
    /// R's W: rank sum of x minus nx(nx+1)/2.
    pub w: f64,
    /// Standardized statistic after continuity correction.
    pub z: f64,
    pub p: f64,
}

/// Two-sided rank-sum test of x against y.
///
/// ```
/// let r = mcvideo_stats::wilcoxon::rank_sum(&[1.0, 2.0, 3.0, 4.0], &[5.0, 6.0, 7.0, 8.0]).unwrap();
/// assert_eq!(r.w, 0.0);
/// // R: wilcox.test(1:4, 5:8, exact = FALSE)$p.value = 0.0303828219765775
/// assert!((r.p - 0.0303828219765775).abs() < 1e-11);
/// ```
pub fn rank_sum(x: &[f64], y: &[f64]) -> Result<RankSum, StatsError> {
    if x.is_empty() || y.is_empty() {
        return Err(StatsError::TooFew {
            what: "Wilcoxon rank-sum test".into(),
            n: 0,
            need: 1,
        });
    }
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let r = ranks(&all);
    let w = r[..x.len()].iter().sum::<f64>() - nx * (nx + 1.0) / 2.0;
    let ties: f64 = tie_sizes(&all)
        .iter()
        .map(|&t| {
            let t = t as f64;
            t * t * t - t
        })
        .sum();
    let z0 = w - nx * ny / 2.0;
    let sigma =
        ((nx * ny / 12.0) * ((nx + ny + 1.0) - ties / ((nx + ny) * (nx + ny - 1.0)))).sqrt();
    if sigma <= 0.0 || !sigma.is_finite() {
        return Err(StatsError::invalid(
            "Wilcoxon rank-sum test",
            "all values are tied",
        ));
    }
    let correction = 0.5 * z0.signum() * if z0 == 0.0 { 0.0 } else { 1.0 };
    let z = (z0 - correction) / sigma;
    let normal = Normal::standard();
    let p = (2.0 * normal.cdf(z).min(normal.sf(z))).min(1.0);
    Ok(RankSum { w, z, p })
}

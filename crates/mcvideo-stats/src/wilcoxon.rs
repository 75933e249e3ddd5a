//! Wilcoxon rank-sum (Mann–Whitney) test, as R's `wilcox.test` (Hollander & Wolfe 1973): the
//! normal approximation with continuity and tie correction (`exact = FALSE`), and the exact
//! null distribution for samples without ties (R's default when both n < 50).

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

/// Exact two-sided rank-sum test (no ties allowed), as `wilcox.test(x, y, exact = TRUE)`:
/// p = 2·min(P(W ≤ w), P(W ≥ w)) under the permutation distribution, capped at 1.
///
/// ```
/// // R: wilcox.test(c(3.1, 4.2, 5.5), c(1.2, 0.4, 2.2, 0.9, 6.1, 0.33)) gives W = 15, p = 1/6
/// let r = mcvideo_stats::wilcoxon::rank_sum_exact(&[3.1, 4.2, 5.5], &[1.2, 0.4, 2.2, 0.9, 6.1, 0.33]).unwrap();
/// assert_eq!(r.w, 15.0);
/// assert!((r.p - 1.0 / 6.0).abs() < 1e-15);
/// ```
pub fn rank_sum_exact(x: &[f64], y: &[f64]) -> Result<RankSum, StatsError> {
    let what = "exact Wilcoxon rank-sum test";
    if x.is_empty() || y.is_empty() {
        return Err(StatsError::TooFew {
            what: what.into(),
            n: 0,
            need: 1,
        });
    }
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    if !tie_sizes(&all).is_empty() {
        return Err(StatsError::invalid(
            what,
            "cannot compute an exact p value with ties",
        ));
    }
    let (m, n) = (x.len(), y.len());
    if m * n > 250_000 {
        return Err(StatsError::invalid(
            what,
            "samples too large for the exact distribution",
        ));
    }
    let r = ranks(&all);
    let w = r[..m].iter().sum::<f64>() - (m * (m + 1) / 2) as f64;
    // counts[k][u]: subsets of size k of the ranks seen so far with U statistic u
    // (rank sum minus k(k+1)/2); built one rank at a time, as R's cwilcox counts.
    let max_u = m * n;
    let mut counts = vec![vec![0.0f64; max_u + 1]; m + 1];
    counts[0][0] = 1.0;
    for item in 1..=(m + n) {
        for k in (1..=m.min(item)).rev() {
            // adding rank `item` as the k-th chosen element raises U by item - k
            let shift = item - k;
            let (lower, upper) = counts.split_at_mut(k);
            let previous = &lower[k - 1];
            for u in (shift..=max_u).rev() {
                upper[0][u] += previous[u - shift];
            }
        }
    }
    let distribution = &counts[m];
    let total: f64 = distribution.iter().sum();
    let w_index = w.round() as usize;
    let lower: f64 = distribution[..=w_index].iter().sum::<f64>() / total;
    let upper: f64 = distribution[w_index..].iter().sum::<f64>() / total;
    let p = (2.0 * lower.min(upper)).min(1.0);
    let mean = (m * n) as f64 / 2.0;
    let sd = ((m * n * (m + n + 1)) as f64 / 12.0).sqrt();
    Ok(RankSum {
        w,
        z: (w - mean) / sd,
        p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against R 4.2.2 `wilcox.test(x, y)` (exact: no ties, n < 50), printed with 17 digits.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn exact_matches_r() {
        let x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
        let y = [1.15, 0.88, 0.90, 0.74, 1.21];
        let r = rank_sum_exact(&x, &y).unwrap();
        assert_eq!(r.w, 35.0);
        assert!((r.p - 0.2544122544122544).abs() < 1e-14);
        let x = [
            2.2872, -1.1968, -0.6943, -0.4123, -0.9707, -0.9473, 0.7481, -0.117, 0.1527, 2.19,
            0.357, 2.7168, 2.2815, 0.324, 1.8961,
        ];
        let y = [
            1.2677, -0.0938, 0.4927, 0.7952, 1.7882, 1.6398, 1.5053, 2.106, -0.588, 2.0729, 0.9842,
            1.5523,
        ];
        let r = rank_sum_exact(&x, &y).unwrap();
        assert_eq!(r.w, 69.0);
        assert!((r.p - 0.32285706396623076).abs() < 1e-13);
        let r = rank_sum_exact(&y, &x).unwrap();
        assert_eq!(r.w, 111.0);
        assert!((r.p - 0.32285706396623076).abs() < 1e-13);
    }

    #[test]
    fn exact_refuses_ties() {
        assert!(rank_sum_exact(&[1.0, 2.0], &[2.0, 3.0]).is_err());
    }
}

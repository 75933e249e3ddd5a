//! Tests of more than two groups: one-way ANOVA (equal variances, as `anova(lm(x ~ g))`) and
//! the Kruskal–Wallis rank-sum test with tie correction (as `kruskal.test`).

use crate::error::StatsError;
use crate::summary::{mean, ranks, tie_sizes};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

/// Statistic, degrees of freedom and p of a k-group test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupsTest {
    pub statistic: f64,
    /// (numerator, denominator) df for F; (k − 1, 0) for the chi-square of Kruskal–Wallis.
    pub df: [f64; 2],
    pub p: f64,
}

fn check(groups: &[&[f64]], what: &str) -> Result<(usize, usize), StatsError> {
    let k = groups.len();
    let n: usize = groups.iter().map(|g| g.len()).sum();
    if k < 2 || groups.iter().any(|g| g.is_empty()) || n <= k {
        return Err(StatsError::invalid(
            what,
            "needs two or more non-empty groups and more values than groups",
        ));
    }
    Ok((k, n))
}

/// One-way analysis of variance, F = (SS_between/(k−1)) / (SS_within/(n−k)).
///
/// ```
/// let r = mcvideo_stats::anova::one_way_anova(&[&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0], &[5.0, 6.0, 7.0]]).unwrap();
/// assert_eq!(r.df, [2.0, 6.0]);
/// assert!((r.statistic - 13.0).abs() < 1e-12);
/// ```
pub fn one_way_anova(groups: &[&[f64]]) -> Result<GroupsTest, StatsError> {
    let what = "one-way ANOVA";
    let (k, n) = check(groups, what)?;
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let grand = mean(&all);
    let mut between = 0.0;
    let mut within = 0.0;
    for g in groups {
        let m = mean(g);
        between += g.len() as f64 * (m - grand) * (m - grand);
        within += g.iter().map(|v| (v - m) * (v - m)).sum::<f64>();
    }
    let (df1, df2) = ((k - 1) as f64, (n - k) as f64);
    if within <= 0.0 {
        return Err(StatsError::invalid(what, "no variation within groups"));
    }
    let statistic = (between / df1) / (within / df2);
    let p = FisherSnedecor::new(df1, df2)
        .map_err(|e| StatsError::invalid(what, e.to_string()))?
        .sf(statistic);
    Ok(GroupsTest {
        statistic,
        df: [df1, df2],
        p,
    })
}

/// Kruskal–Wallis H with the tie correction, chi-square with k − 1 df.
///
/// ```
/// let r = mcvideo_stats::anova::kruskal_wallis(&[&[1.0, 2.0], &[3.0, 4.0], &[5.0, 6.0]]).unwrap();
/// assert!((r.statistic - 32.0 / 7.0).abs() < 1e-12);
/// ```
pub fn kruskal_wallis(groups: &[&[f64]]) -> Result<GroupsTest, StatsError> {
    let what = "Kruskal-Wallis test";
    let (k, n) = check(groups, what)?;
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let r = ranks(&all);
    let mut start = 0;
    let mut sum = 0.0;
    for g in groups {
        let rank_sum: f64 = r[start..start + g.len()].iter().sum();
        sum += rank_sum * rank_sum / g.len() as f64;
        start += g.len();
    }
    let nf = n as f64;
    let ties: f64 = tie_sizes(&all)
        .iter()
        .map(|&t| (t * t * t - t) as f64)
        .sum();
    let correction = 1.0 - ties / (nf * nf * nf - nf);
    if correction <= 0.0 {
        return Err(StatsError::invalid(what, "all values are tied"));
    }
    let statistic = (12.0 * sum / (nf * (nf + 1.0)) - 3.0 * (nf + 1.0)) / correction;
    let df = (k - 1) as f64;
    let p = ChiSquared::new(df)
        .map_err(|e| StatsError::invalid(what, e.to_string()))?
        .sf(statistic);
    Ok(GroupsTest {
        statistic,
        df: [df, 0.0],
        p,
    })
}

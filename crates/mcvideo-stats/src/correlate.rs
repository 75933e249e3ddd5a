//! Pearson and Spearman correlation with t-approximation p values, and the correlation of one
//! x with several outcomes with Benjamini–Hochberg FDR (the `stats correlate` command).

use crate::data::Table;
use crate::error::StatsError;
use crate::summary::{mean, ranks};
use serde::{Deserialize, Serialize};

/// Pearson's product-moment or Spearman's rank correlation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CorrelationKind {
    /// Rank correlation; ties get average ranks.
    #[default]
    Spearman,
    Pearson,
}

impl std::str::FromStr for CorrelationKind {
    type Err = StatsError;
    fn from_str(s: &str) -> Result<Self, StatsError> {
        match s {
            "spearman" => Ok(CorrelationKind::Spearman),
            "pearson" => Ok(CorrelationKind::Pearson),
            other => Err(StatsError::invalid(
                "correlation",
                format!("unknown kind `{other}` (spearman or pearson)"),
            )),
        }
    }
}

/// One correlation and its test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Correlation {
    pub n: usize,
    pub r: f64,
    /// r·√((n−2)/(1−r²))
    pub t: f64,
    pub df: f64,
    /// Two-sided p from Student's t with n − 2 df (`cor.test` for Pearson; for Spearman the
    /// approximation SciPy and SPSS use, not R's AS 89 p, except for small n without ties,
    /// where it is the exact permutation p as R's).
    pub p: f64,
}

/// Pearson's r of paired samples with its t-test p value.
///
/// ```
/// let c = mcvideo_stats::correlate::pearson(&[1.0, 2.0, 3.0, 4.0], &[2.0, 4.0, 6.0, 8.0]).unwrap();
/// assert_eq!((c.r, c.p), (1.0, 0.0));
/// ```
pub fn pearson(x: &[f64], y: &[f64]) -> Result<Correlation, StatsError> {
    let what = "correlation";
    if x.len() != y.len() {
        return Err(StatsError::invalid(what, "x and y differ in length"));
    }
    let n = x.len();
    if n < 3 {
        return Err(StatsError::TooFew {
            what: what.into(),
            n,
            need: 3,
        });
    }
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return Err(StatsError::invalid(
            what,
            "one of the variables is constant",
        ));
    }
    let r = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
    let df = (n - 2) as f64;
    let t = if r.abs() == 1.0 {
        r.signum() * f64::INFINITY
    } else {
        r * (df / (1.0 - r * r)).sqrt()
    };
    Ok(Correlation {
        n,
        r,
        t,
        df,
        p: crate::dist::t_two_sided_p(t, df),
    })
}

/// Largest n for which Spearman's p is the exact permutation p (as R's `prho`, AS 89, which is
/// exact up to n = 9); the t approximation is unusable there (|r| = 1 has probability 2/n!).
pub const SPEARMAN_EXACT_MAX_N: usize = 9;

/// Spearman's rank correlation (Pearson's r of average ranks). p is the t approximation on
/// n - 2 df, except without ties and n <= [`SPEARMAN_EXACT_MAX_N`], where it is the exact
/// two-sided permutation p of `cor.test(method = "spearman")`.
///
/// ```
/// let c = mcvideo_stats::correlate::spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 8.0, 27.0, 64.0]).unwrap();
/// assert_eq!(c.r, 1.0);
/// assert!((c.p - 2.0 / 24.0).abs() < 1e-15); // R: 0.08333
/// ```
pub fn spearman(x: &[f64], y: &[f64]) -> Result<Correlation, StatsError> {
    let (rx, ry) = (ranks(x), ranks(y));
    let mut c = pearson(&rx, &ry)?;
    let no_ties = |r: &[f64]| r.iter().all(|v| v.fract() == 0.0);
    if c.n <= SPEARMAN_EXACT_MAX_N && no_ties(&rx) && no_ties(&ry) {
        let s: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - b) * (a - b)).sum();
        c.p = spearman_exact_p(s.round() as u64, c.n);
    }
    Ok(c)
}

/// Two-sided exact p of Spearman's S = sum d^2 for n distinct ranks, as R's `cor.test`:
/// min(1, 2 P(S <= s)) below the null mean (n^3 - n)/6, min(1, 2 P(S >= s)) above it,
/// the law of S counted over all n! rank permutations.
fn spearman_exact_p(s: u64, n: usize) -> f64 {
    let n64 = n as u64;
    let max_s = (n64 * n64 * n64 - n64) / 3;
    let mut counts = vec![0u64; max_s as usize + 1];
    let mut perm: Vec<u64> = (1..=n64).collect();
    let mut total = 0u64;
    // Heap's algorithm visits every permutation once.
    let mut c = vec![0usize; n];
    let tally = |perm: &[u64], counts: &mut Vec<u64>| {
        let s: u64 = perm
            .iter()
            .enumerate()
            .map(|(i, &p)| (i as u64 + 1).abs_diff(p).pow(2))
            .sum();
        counts[s as usize] += 1;
    };
    tally(&perm, &mut counts);
    total += 1;
    let mut i = 0;
    while i < n {
        if c[i] < i {
            if i % 2 == 0 {
                perm.swap(0, i);
            } else {
                perm.swap(c[i], i);
            }
            tally(&perm, &mut counts);
            total += 1;
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    let s = s.min(max_s) as usize;
    let tail: u64 = if 6 * s as u64 > n64 * n64 * n64 - n64 {
        counts[s..].iter().sum()
    } else {
        counts[..=s].iter().sum()
    };
    (2.0 * tail as f64 / total as f64).min(1.0)
}

/// Pearson or Spearman by `kind`.
///
/// ```
/// use mcvideo_stats::correlate::{correlation, CorrelationKind};
/// let c = correlation(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], CorrelationKind::Spearman).unwrap();
/// assert_eq!(c.r, -1.0);
/// ```
pub fn correlation(x: &[f64], y: &[f64], kind: CorrelationKind) -> Result<Correlation, StatsError> {
    match kind {
        CorrelationKind::Spearman => spearman(x, y),
        CorrelationKind::Pearson => pearson(x, y),
    }
}

/// One outcome of [`correlate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelateRow {
    pub y: String,
    /// Complete (x, y) pairs used.
    pub n: usize,
    /// Rows dropped for a missing x or y.
    pub dropped: usize,
    pub r: f64,
    pub p: f64,
    /// Benjamini–Hochberg over the listed outcomes.
    pub p_fdr: f64,
}

/// The `stats correlate` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelateResult {
    pub method: String,
    pub kind: CorrelationKind,
    /// How p is computed.
    pub p_method: String,
    pub x: String,
    /// Rows used by at least one correlation.
    pub n: usize,
    /// Rows used by none (missing x, or every y missing).
    pub dropped: usize,
    pub results: Vec<CorrelateRow>,
}

/// Correlates column `x` with each column of `ys` on pairwise complete rows, with BH FDR over `ys`.
///
/// ```
/// use mcvideo_stats::{correlate::{correlate, CorrelationKind}, data::Table};
/// let t = Table::from_reader("d,a,b\n1,2,9\n2,3,7\n3,5,8\n4,4,1\nNA,1,1\n".as_bytes(), "x.csv").unwrap();
/// let r = correlate(&t, "d", &["a", "b"], CorrelationKind::Spearman).unwrap();
/// assert_eq!((r.n, r.dropped), (4, 1));
/// assert_eq!(r.results[0].r, 0.8);
/// ```
pub fn correlate(
    table: &Table,
    x: &str,
    ys: &[&str],
    kind: CorrelationKind,
) -> Result<CorrelateResult, StatsError> {
    if ys.is_empty() {
        return Err(StatsError::invalid("correlate", "no outcome columns given"));
    }
    let x_values = table.numeric(x)?;
    let mut used = vec![false; table.n_rows()];
    let mut rows = Vec::with_capacity(ys.len());
    for &y in ys {
        let y_values = table.numeric(y)?;
        let (mut xs, mut yv) = (Vec::new(), Vec::new());
        for (row, (a, b)) in x_values.iter().zip(&y_values).enumerate() {
            if let (Some(a), Some(b)) = (a, b) {
                xs.push(*a);
                yv.push(*b);
                used[row] = true;
            }
        }
        let c = correlation(&xs, &yv, kind).map_err(|e| {
            StatsError::invalid(
                format!("{}: correlation of {x} with {y}", table.name()),
                e.to_string(),
            )
        })?;
        rows.push(CorrelateRow {
            y: y.to_string(),
            n: c.n,
            dropped: table.n_rows() - c.n,
            r: c.r,
            p: c.p,
            p_fdr: f64::NAN,
        });
    }
    let raw: Vec<f64> = rows.iter().map(|r| r.p).collect();
    for (row, q) in rows.iter_mut().zip(crate::fdr::benjamini_hochberg(&raw)) {
        row.p_fdr = q;
    }
    let n = used.iter().filter(|&&u| u).count();
    Ok(CorrelateResult {
        method: "correlate".into(),
        kind,
        p_method: match kind {
            CorrelationKind::Pearson => "t approximation, n-2 df".into(),
            CorrelationKind::Spearman => format!(
                "t approximation, n-2 df; exact permutation p without ties and n <= {SPEARMAN_EXACT_MAX_N}"
            ),
        },
        x: x.to_string(),
        n,
        dropped: table.n_rows() - n,
        results: rows,
    })
}

//! Tests on contingency tables: Pearson's chi-square (Yates' correction for 2×2, as R's
//! `chisq.test`) and Fisher's exact test (two-sided, as R's `fisher.test`).

use crate::error::StatsError;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::factorial::ln_factorial;

/// Result of Pearson's chi-square test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChiSquare {
    pub statistic: f64,
    pub df: f64,
    pub p: f64,
    /// Yates' continuity correction applied (2×2 tables).
    pub yates: bool,
    /// Smallest expected count.
    pub min_expected: f64,
}

/// Result of Fisher's exact test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FisherExact {
    pub p: f64,
    /// Number of tables with the observed margins that were enumerated.
    pub tables: u64,
}

fn check_table(table: &[Vec<u64>], what: &str) -> Result<(Vec<u64>, Vec<u64>, u64), StatsError> {
    let rows = table.len();
    let cols = table.first().map_or(0, Vec::len);
    if rows < 2 || cols < 2 || table.iter().any(|r| r.len() != cols) {
        return Err(StatsError::invalid(
            what,
            format!("needs a rectangular table of at least 2×2, got {rows} rows"),
        ));
    }
    let row_sums: Vec<u64> = table.iter().map(|r| r.iter().sum()).collect();
    let col_sums: Vec<u64> = (0..cols)
        .map(|j| table.iter().map(|r| r[j]).sum())
        .collect();
    if row_sums.contains(&0) || col_sums.contains(&0) {
        return Err(StatsError::invalid(
            what,
            "a row or column of the table is empty",
        ));
    }
    Ok((row_sums, col_sums, table.iter().flatten().sum()))
}

/// Expected counts under independence, row sum × column sum / total.
///
/// ```
/// let e = mcvideo_stats::contingency::expected_counts(&[vec![2, 8], vec![8, 2]]);
/// assert_eq!(e, vec![vec![5.0, 5.0], vec![5.0, 5.0]]);
/// ```
pub fn expected_counts(table: &[Vec<u64>]) -> Vec<Vec<f64>> {
    let total: u64 = table.iter().flatten().sum();
    let cols = table.first().map_or(0, Vec::len);
    let col_sums: Vec<u64> = (0..cols)
        .map(|j| table.iter().map(|r| r[j]).sum())
        .collect();
    table
        .iter()
        .map(|r| {
            let row_sum: u64 = r.iter().sum();
            col_sums
                .iter()
                .map(|&c| row_sum as f64 * c as f64 / total as f64)
                .collect()
        })
        .collect()
}

/// Pearson's chi-square test of independence; Yates' correction on 2×2 tables as `chisq.test`
/// (correction = min(0.5, |O − E|) over all cells).
///
/// ```
/// let r = mcvideo_stats::contingency::chi_square(&[vec![12, 5], vec![7, 9]]).unwrap();
/// assert!(r.yates);
/// // chisq.test(matrix(c(12, 7, 5, 9), 2))$p.value = 0.22756821457581
/// assert!((r.p - 0.22756821457581).abs() < 1e-12);
/// ```
pub fn chi_square(table: &[Vec<u64>]) -> Result<ChiSquare, StatsError> {
    let what = "chi-square test";
    check_table(table, what)?;
    let expected = expected_counts(table);
    let yates = table.len() == 2 && table[0].len() == 2;
    let correction = if yates {
        table
            .iter()
            .flatten()
            .zip(expected.iter().flatten())
            .map(|(&o, &e)| (o as f64 - e).abs())
            .fold(0.5, f64::min)
    } else {
        0.0
    };
    let statistic: f64 = table
        .iter()
        .flatten()
        .zip(expected.iter().flatten())
        .map(|(&o, &e)| {
            let d = (o as f64 - e).abs() - correction;
            d * d / e
        })
        .sum();
    let df = ((table.len() - 1) * (table[0].len() - 1)) as f64;
    let p = ChiSquared::new(df)
        .map_err(|e| StatsError::invalid(what, e.to_string()))?
        .sf(statistic);
    let min_expected = expected
        .iter()
        .flatten()
        .copied()
        .fold(f64::INFINITY, f64::min);
    Ok(ChiSquare {
        statistic,
        df,
        p,
        yates,
        min_expected,
    })
}

/// At most this many tables are enumerated for an r×c Fisher test.
pub const FISHER_MAX_TABLES: u64 = 20_000_000;

/// Fisher's exact test, two-sided: the probability of all tables with the observed margins
/// that are no more likely than the observed one (relative tolerance 1e-7, as `fisher.test`).
/// 2×2 tables sum over the hypergeometric support; larger tables are enumerated in full
/// (up to [`FISHER_MAX_TABLES`]) instead of R's network algorithm, which gives the same p.
///
/// ```
/// // Fisher's tea-tasting experiment: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value
/// let r = mcvideo_stats::contingency::fisher_exact(&[vec![3, 1], vec![1, 3]]).unwrap();
/// assert!((r.p - 0.4857142857142857).abs() < 1e-12);
/// ```
pub fn fisher_exact(table: &[Vec<u64>]) -> Result<FisherExact, StatsError> {
    let what = "Fisher's exact test";
    let (row_sums, col_sums, total) = check_table(table, what)?;
    // log P(table) = Σ log r_i! + Σ log c_j! − log N! − Σ log n_ij!
    let constant: f64 = row_sums.iter().map(|&r| ln_factorial(r)).sum::<f64>()
        + col_sums.iter().map(|&c| ln_factorial(c)).sum::<f64>()
        - ln_factorial(total);
    let observed = constant
        - table
            .iter()
            .flatten()
            .map(|&n| ln_factorial(n))
            .sum::<f64>();
    let threshold = observed + (1e-7f64).ln_1p();
    let mut state = Enumeration {
        rows: row_sums.len(),
        cols: col_sums.len(),
        threshold,
        constant,
        p: 0.0,
        tables: 0,
        overflow: false,
    };
    let mut remaining_rows = row_sums.clone();
    state.column(0, &col_sums, &mut remaining_rows, 0.0);
    if state.overflow {
        return Err(StatsError::invalid(
            what,
            format!("more than {FISHER_MAX_TABLES} tables to enumerate"),
        ));
    }
    Ok(FisherExact {
        p: state.p.min(1.0),
        tables: state.tables,
    })
}

/// Depth-first enumeration of the tables with given margins, column by column.
struct Enumeration {
    rows: usize,
    cols: usize,
    threshold: f64,
    constant: f64,
    p: f64,
    tables: u64,
    overflow: bool,
}

impl Enumeration {
    /// Fills column `j`; `log_cells` is Σ log n! over the cells filled so far.
    fn column(&mut self, j: usize, col_sums: &[u64], remaining: &mut [u64], log_cells: f64) {
        if self.overflow {
            return;
        }
        if j + 1 == self.cols {
            // the last column is forced by the remaining row sums
            let last: f64 = remaining.iter().map(|&n| ln_factorial(n)).sum();
            let log_p = self.constant - log_cells - last;
            self.tables += 1;
            if self.tables > FISHER_MAX_TABLES {
                self.overflow = true;
            }
            if log_p <= self.threshold {
                self.p += log_p.exp();
            }
            return;
        }
        self.cell(j, 0, col_sums[j], col_sums, remaining, log_cells);
    }

    /// Fills cell (i, j) with `left` still to place in column j.
    fn cell(
        &mut self,
        j: usize,
        i: usize,
        left: u64,
        col_sums: &[u64],
        remaining: &mut [u64],
        log_cells: f64,
    ) {
        if i + 1 == self.rows {
            if left > remaining[i] {
                return;
            }
            remaining[i] -= left;
            self.column(j + 1, col_sums, remaining, log_cells + ln_factorial(left));
            remaining[i] += left;
            return;
        }
        // rows below i must be able to absorb what is left
        let capacity_below: u64 = remaining[i + 1..].iter().sum();
        let low = left.saturating_sub(capacity_below);
        let high = left.min(remaining[i]);
        for n in low..=high {
            remaining[i] -= n;
            self.cell(
                j,
                i + 1,
                left - n,
                col_sums,
                remaining,
                log_cells + ln_factorial(n),
            );
            remaining[i] += n;
            if self.overflow {
                return;
            }
        }
    }
}

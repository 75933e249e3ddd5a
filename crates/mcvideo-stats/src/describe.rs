//! The baseline table (the paper's Table 1): per variable and group, mean ± SD or median [Q1, Q3]
//! chosen by the Shapiro–Wilk test, and the group comparison R would run.
//!
//! Numeric variables: normal (Shapiro–Wilk p > alpha in every group) → mean ± SD and a t test
//! (Welch by default, as R's `t.test`; Student on request), otherwise median [Q1, Q3] and the
//! Wilcoxon rank-sum test (`wilcox.test(exact = FALSE)`). With more than two groups: one-way
//! ANOVA or Kruskal–Wallis. Categorical variables: n (%) per group, Pearson's chi-square (Yates
//! on 2×2, as `chisq.test`), or Fisher's exact test when an expected count is below 5.
//! Each variable uses the rows where it and the group are present (available cases).

use crate::contingency::{chi_square, expected_counts, fisher_exact};
use crate::data::Table;
use crate::error::StatsError;
use crate::shapiro::shapiro_wilk;
use crate::summary::{summarize, Summary};
use crate::ttest::{t_test, TTestKind};
use serde::{Deserialize, Serialize};

/// How to build the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DescribeOptions {
    /// Column that splits the rows into groups (categorical, or numeric with `cutoff`).
    pub group: Option<String>,
    /// Split a numeric group column into `<= cutoff` and `> cutoff` (the boundary goes low).
    pub cutoff: Option<f64>,
    /// Variables to treat as categorical even though they hold numbers (e.g. 0/1 outcomes).
    /// Variables with any non-numeric text are categorical anyway.
    pub categorical: Vec<String>,
    /// Normal when the Shapiro–Wilk p exceeds this in every group.
    pub normality_alpha: f64,
    /// Which t test compares normal variables.
    pub t_test: TTestKind,
    /// Fisher's exact test replaces chi-square when an expected count is below this.
    pub min_expected: f64,
    /// Wilcoxon p as R's default `wilcox.test`: exact when both groups have < 50 values and
    /// there are no ties. Off (the default): always the normal approximation (`exact = FALSE`).
    pub wilcoxon_exact: bool,
}

impl Default for DescribeOptions {
    fn default() -> Self {
        DescribeOptions {
            group: None,
            cutoff: None,
            categorical: Vec::new(),
            normality_alpha: 0.05,
            t_test: TTestKind::Welch,
            min_expected: 5.0,
            wilcoxon_exact: false,
        }
    }
}

/// Numeric summary of one sample with its normality test and the Table 1 text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericDescription {
    #[serde(flatten)]
    pub summary: Summary,
    /// None when n < 3 or all values are equal.
    pub shapiro_w: Option<f64>,
    pub shapiro_p: Option<f64>,
    /// "mean ± SD" or "median [Q1, Q3]" (2 decimals), per the variable's display choice.
    pub formatted: String,
}

/// One group's numeric summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupDescription {
    pub group: String,
    #[serde(flatten)]
    pub description: NumericDescription,
}

/// Count and percent of one category within one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCount {
    pub group: String,
    pub n: u64,
    /// Percent of the group.
    pub pct: f64,
}

/// One level of a categorical variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelCount {
    pub level: String,
    pub n: u64,
    /// Percent of all rows used.
    pub pct: f64,
    pub groups: Vec<GroupCount>,
}

/// The group comparison chosen for a variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupComparison {
    /// "t", "wilcoxon", "anova", "kruskal", "chisq" or "fisher".
    pub test: String,
    /// "welch"/"student" for t, "yates" for a corrected 2×2 chi-square, "exact" for Fisher.
    pub test_variant: Option<String>,
    pub statistic: Option<f64>,
    pub df: Option<f64>,
    pub p: f64,
}

/// One row block of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariableDescription {
    pub name: String,
    /// "numeric" or "categorical".
    pub kind: String,
    /// Rows with the variable (and the group) present.
    pub n: usize,
    pub dropped: usize,
    /// Numeric: all groups together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overall: Option<NumericDescription>,
    /// Numeric: per group, in group order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupDescription>,
    /// Numeric: Shapiro–Wilk p > alpha in every group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normal: Option<bool>,
    /// Numeric: "mean_sd" or "median_iqr".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// Categorical: counts per level.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<LevelCount>,
    /// Categorical: smallest expected count of the contingency table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_expected: Option<f64>,
    /// With a group: the comparison (`test`, `p`, ...).
    #[serde(flatten)]
    pub comparison: Option<GroupComparison>,
    /// Why no group test could be run (e.g. all values tied), when that happens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_note: Option<String>,
}

/// The `stats describe` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Describe {
    pub method: String,
    /// Rows used by at least one variable.
    pub n: usize,
    /// Rows used by none.
    pub dropped: usize,
    pub group: Option<String>,
    pub cutoff: Option<f64>,
    /// Group labels in order.
    pub group_levels: Vec<String>,
    pub t_test: TTestKind,
    pub normality_alpha: f64,
    pub variables: Vec<VariableDescription>,
}

/// Orders labels numerically when they all are numbers, else as text.
fn sort_levels(levels: &mut [String]) {
    let numbers: Option<Vec<f64>> = levels.iter().map(|l| l.parse::<f64>().ok()).collect();
    if numbers.is_some() {
        levels.sort_by(|a, b| {
            let (x, y) = (
                a.parse::<f64>().unwrap_or(0.0),
                b.parse::<f64>().unwrap_or(0.0),
            );
            x.total_cmp(&y)
        });
    } else {
        levels.sort();
    }
}

fn unique_sorted(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut levels: Vec<String> = values.collect();
    levels.sort();
    levels.dedup();
    sort_levels(&mut levels);
    levels
}

/// Formats a number with 2 decimals for the Table 1 text.
fn fmt2(v: f64) -> String {
    format!("{v:.2}")
}

fn numeric_description(x: &[f64], mean_sd: bool) -> NumericDescription {
    let summary = summarize(x);
    let sw = shapiro_wilk(x).ok();
    let formatted = if mean_sd {
        format!("{} ± {}", fmt2(summary.mean), fmt2(summary.sd))
    } else {
        format!(
            "{} [{}, {}]",
            fmt2(summary.median),
            fmt2(summary.q1),
            fmt2(summary.q3)
        )
    };
    NumericDescription {
        summary,
        shapiro_w: sw.map(|s| s.w),
        shapiro_p: sw.map(|s| s.p),
        formatted,
    }
}

/// Group label of every row (None = missing group, row not used).
fn group_labels(
    table: &Table,
    options: &DescribeOptions,
) -> Result<Option<Vec<Option<String>>>, StatsError> {
    let Some(group) = &options.group else {
        return Ok(None);
    };
    Ok(Some(match options.cutoff {
        Some(cutoff) => table
            .numeric(group)?
            .into_iter()
            .map(|v| {
                v.map(|v| {
                    if v <= cutoff {
                        format!("<= {cutoff}")
                    } else {
                        format!("> {cutoff}")
                    }
                })
            })
            .collect(),
        None => table.text(group)?,
    }))
}

/// Builds the baseline table of `vars`, split by `options.group` if given.
///
/// ```
/// use mcvideo_stats::{data::Table, describe::{describe, DescribeOptions}};
/// let csv = "x,g\n1.1,a\n2.3,a\n1.9,a\n3.2,a\n2.8,b\n3.9,b\n4.1,b\n3.3,b\n";
/// let t = Table::from_reader(csv.as_bytes(), "x.csv").unwrap();
/// let opts = DescribeOptions { group: Some("g".into()), ..Default::default() };
/// let d = describe(&t, &["x"], &opts).unwrap();
/// assert_eq!(d.group_levels, vec!["a", "b"]);
/// assert_eq!(d.variables[0].comparison.as_ref().unwrap().test, "t");
/// assert_eq!(d.variables[0].groups[0].description.formatted, "2.12 ± 0.87");
/// ```
pub fn describe(
    table: &Table,
    vars: &[&str],
    options: &DescribeOptions,
) -> Result<Describe, StatsError> {
    if vars.is_empty() {
        return Err(StatsError::invalid("describe", "no variables given"));
    }
    let labels = group_labels(table, options)?;
    let group_levels = match &labels {
        Some(labels) => unique_sorted(labels.iter().flatten().cloned()),
        None => Vec::new(),
    };
    if labels.is_some() && group_levels.len() < 2 {
        return Err(StatsError::invalid(
            format!("{}: describe", table.name()),
            format!(
                "the group column has {} level(s), at least 2 needed",
                group_levels.len()
            ),
        ));
    }
    let mut used = vec![false; table.n_rows()];
    let mut variables = Vec::with_capacity(vars.len());
    for &var in vars {
        let categorical = options.categorical.iter().any(|c| c == var) || !table.is_numeric(var)?;
        let label_of = |row: usize| -> Option<Option<&String>> {
            match &labels {
                Some(labels) => labels[row].as_ref().map(Some),
                None => Some(None),
            }
        };
        let description = if categorical {
            let values = table.text(var)?;
            let mut rows = Vec::new();
            for (row, value) in values.iter().enumerate() {
                if let (Some(value), Some(label)) = (value, label_of(row)) {
                    rows.push((value.clone(), label.cloned()));
                    used[row] = true;
                }
            }
            describe_categorical(table, var, &rows, &group_levels, options)?
        } else {
            let values = table.numeric(var)?;
            let mut rows = Vec::new();
            for (row, value) in values.iter().enumerate() {
                if let (Some(value), Some(label)) = (value, label_of(row)) {
                    rows.push((*value, label.cloned()));
                    used[row] = true;
                }
            }
            describe_numeric(table, var, &rows, &group_levels, options)?
        };
        variables.push(description);
    }
    let n = used.iter().filter(|&&u| u).count();
    Ok(Describe {
        method: "describe".into(),
        n,
        dropped: table.n_rows() - n,
        group: options.group.clone(),
        cutoff: options.cutoff,
        group_levels,
        t_test: options.t_test,
        normality_alpha: options.normality_alpha,
        variables,
    })
}

/// A failed group test does not fail the table: it leaves the test out and says why.
fn split_comparison(
    comparison: Result<Option<GroupComparison>, StatsError>,
) -> (Option<GroupComparison>, Option<String>) {
    match comparison {
        Ok(c) => (c, None),
        Err(e) => (None, Some(e.to_string())),
    }
}

fn describe_numeric(
    table: &Table,
    var: &str,
    rows: &[(f64, Option<String>)],
    group_levels: &[String],
    options: &DescribeOptions,
) -> Result<VariableDescription, StatsError> {
    let what = format!("{}: describe `{var}`", table.name());
    if rows.is_empty() {
        return Err(StatsError::invalid(what, "no values"));
    }
    let all: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let samples: Vec<Vec<f64>> = group_levels
        .iter()
        .map(|level| {
            rows.iter()
                .filter(|r| r.1.as_deref() == Some(level.as_str()))
                .map(|r| r.0)
                .collect()
        })
        .collect();
    let is_normal = |x: &[f64]| shapiro_wilk(x).is_ok_and(|s| s.p > options.normality_alpha);
    let normal = if group_levels.is_empty() {
        is_normal(&all)
    } else {
        samples.iter().all(|s| is_normal(s))
    };
    let groups = group_levels
        .iter()
        .zip(&samples)
        .map(|(level, sample)| GroupDescription {
            group: level.clone(),
            description: numeric_description(sample, normal),
        })
        .collect();
    let comparison = (|| -> Result<Option<GroupComparison>, StatsError> {
        Ok(match samples.len() {
            0 => None,
            2 if normal => {
                let t = t_test(&samples[0], &samples[1], options.t_test)?;
                Some(GroupComparison {
                    test: "t".into(),
                    test_variant: Some(
                        match options.t_test {
                            TTestKind::Welch => "welch",
                            TTestKind::Student => "student",
                        }
                        .into(),
                    ),
                    statistic: Some(t.t),
                    df: Some(t.df),
                    p: t.p,
                })
            }
            2 => {
                let exact = options.wilcoxon_exact
                    && samples[0].len() < 50
                    && samples[1].len() < 50
                    && crate::summary::tie_sizes(&all).is_empty();
                let (w, variant) = if exact {
                    (
                        crate::wilcoxon::rank_sum_exact(&samples[0], &samples[1])?,
                        "exact",
                    )
                } else {
                    (
                        crate::wilcoxon::rank_sum(&samples[0], &samples[1])?,
                        "normal approximation, continuity and tie correction",
                    )
                };
                Some(GroupComparison {
                    test: "wilcoxon".into(),
                    test_variant: Some(variant.into()),
                    statistic: Some(w.w),
                    df: None,
                    p: w.p,
                })
            }
            _ => {
                let refs: Vec<&[f64]> = samples.iter().map(Vec::as_slice).collect();
                let (name, result) = if normal {
                    ("anova", crate::anova::one_way_anova(&refs))
                } else {
                    ("kruskal", crate::anova::kruskal_wallis(&refs))
                };
                let result = result?;
                Some(GroupComparison {
                    test: name.into(),
                    test_variant: None,
                    statistic: Some(result.statistic),
                    df: Some(result.df[0]),
                    p: result.p,
                })
            }
        })
    })();
    let (comparison, test_note) = split_comparison(comparison);
    Ok(VariableDescription {
        name: var.to_string(),
        kind: "numeric".into(),
        n: rows.len(),
        dropped: table.n_rows() - rows.len(),
        overall: Some(numeric_description(&all, normal)),
        groups,
        normal: Some(normal),
        display: Some(if normal { "mean_sd" } else { "median_iqr" }.into()),
        levels: Vec::new(),
        min_expected: None,
        comparison,
        test_note,
    })
}

fn describe_categorical(
    table: &Table,
    var: &str,
    rows: &[(String, Option<String>)],
    group_levels: &[String],
    options: &DescribeOptions,
) -> Result<VariableDescription, StatsError> {
    let what = format!("{}: describe `{var}`", table.name());
    if rows.is_empty() {
        return Err(StatsError::invalid(what, "no values"));
    }
    let levels = unique_sorted(rows.iter().map(|r| r.0.clone()));
    let total = rows.len() as u64;
    let group_totals: Vec<u64> = group_levels
        .iter()
        .map(|g| {
            rows.iter()
                .filter(|r| r.1.as_deref() == Some(g.as_str()))
                .count() as u64
        })
        .collect();
    let mut counts = vec![vec![0u64; group_levels.len()]; levels.len()];
    let mut level_counts = Vec::with_capacity(levels.len());
    for (i, level) in levels.iter().enumerate() {
        let n = rows.iter().filter(|r| &r.0 == level).count() as u64;
        let groups = group_levels
            .iter()
            .enumerate()
            .map(|(j, g)| {
                let c = rows
                    .iter()
                    .filter(|r| &r.0 == level && r.1.as_deref() == Some(g.as_str()))
                    .count() as u64;
                counts[i][j] = c;
                GroupCount {
                    group: g.clone(),
                    n: c,
                    pct: 100.0 * c as f64 / group_totals[j] as f64,
                }
            })
            .collect();
        level_counts.push(LevelCount {
            level: level.clone(),
            n,
            pct: 100.0 * n as f64 / total as f64,
            groups,
        });
    }
    let (min_expected, comparison) = if group_levels.is_empty() || levels.len() < 2 {
        (None, Ok(None))
    } else {
        let min_expected = expected_counts(&counts)
            .iter()
            .flatten()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let comparison = (|| -> Result<GroupComparison, StatsError> {
            Ok(if min_expected < options.min_expected {
                let f = fisher_exact(&counts)?;
                GroupComparison {
                    test: "fisher".into(),
                    test_variant: Some("exact".into()),
                    statistic: None,
                    df: None,
                    p: f.p,
                }
            } else {
                let c = chi_square(&counts)?;
                GroupComparison {
                    test: "chisq".into(),
                    test_variant: c.yates.then(|| "yates".to_string()),
                    statistic: Some(c.statistic),
                    df: Some(c.df),
                    p: c.p,
                }
            })
        })();
        (Some(min_expected), comparison.map(Some))
    };
    let (comparison, test_note) = split_comparison(comparison);
    Ok(VariableDescription {
        name: var.to_string(),
        kind: "categorical".into(),
        n: rows.len(),
        dropped: table.n_rows() - rows.len(),
        overall: None,
        groups: Vec::new(),
        normal: None,
        display: None,
        levels: level_counts,
        min_expected,
        comparison,
        test_note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Table {
        Table::from_reader(csv.as_bytes(), "t.csv").unwrap()
    }

    #[test]
    fn a_test_that_cannot_run_leaves_a_note_not_an_error() {
        // x is constant: no Shapiro-Wilk, not normal, and the rank-sum test has no variance
        let t = table("x,y,g\n1,1,a\n1,2,a\n1,3,a\n1,4,b\n1,5,b\n1,6,b\n");
        let opts = DescribeOptions {
            group: Some("g".into()),
            ..Default::default()
        };
        let d = describe(&t, &["x", "y"], &opts).unwrap();
        let x = &d.variables[0];
        assert_eq!(x.comparison, None);
        assert!(x
            .test_note
            .as_deref()
            .unwrap()
            .contains("all values are tied"));
        assert_eq!(x.groups[0].description.shapiro_w, None);
        assert!(d.variables[1].comparison.is_some());
    }

    #[test]
    fn missing_group_and_values_are_counted() {
        let t = table("x,g\n1,a\n2,a\nNA,a\n4,\n5,b\n6,b\n7,b\n");
        let opts = DescribeOptions {
            group: Some("g".into()),
            ..Default::default()
        };
        let d = describe(&t, &["x"], &opts).unwrap();
        assert_eq!((d.n, d.dropped), (5, 2));
        assert_eq!((d.variables[0].n, d.variables[0].dropped), (5, 2));
        assert_eq!(d.variables[0].groups[0].description.summary.n, 2);
    }

    #[test]
    #[allow(clippy::excessive_precision)]
    fn exact_wilcoxon_on_request_matches_r_default() {
        // R: wilcox.test(x, y) is exact here (no ties, n < 50): W = 35, p = 0.2544122544122544;
        // alpha = 1 forces the rank test
        let x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
        let y = [1.15, 0.88, 0.90, 0.74, 1.21];
        let mut csv = String::from("v,g\n");
        for v in x {
            csv.push_str(&format!("{v},a\n"));
        }
        for v in y {
            csv.push_str(&format!("{v},b\n"));
        }
        let t = table(&csv);
        let mut opts = DescribeOptions {
            group: Some("g".into()),
            normality_alpha: 1.0,
            wilcoxon_exact: true,
            ..Default::default()
        };
        let d = describe(&t, &["v"], &opts).unwrap();
        let c = d.variables[0].comparison.clone().unwrap();
        assert_eq!(
            (c.test.as_str(), c.test_variant.as_deref()),
            ("wilcoxon", Some("exact"))
        );
        assert!((c.p - 0.2544122544122544).abs() < 1e-14);
        opts.wilcoxon_exact = false;
        let d = describe(&t, &["v"], &opts).unwrap();
        let c = d.variables[0].comparison.clone().unwrap();
        assert_ne!(c.test_variant.as_deref(), Some("exact"));
    }

    #[test]
    fn one_group_level_is_an_error() {
        let t = table("x,g\n1,a\n2,a\n3,a\n");
        let opts = DescribeOptions {
            group: Some("g".into()),
            ..Default::default()
        };
        let err = describe(&t, &["x"], &opts).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("t.csv: describe: the group column has 1 level"));
    }
}

//! The baseline table (the paper's Table 1): mcvideo-stats `describe` split at the dose cutoff,
//! with 0/1 columns treated as categories, laid out as rows of text.

use crate::analysis::{cutoff_label, Analysis};
use crate::config::StudyConfig;
use crate::error::{Result, StudyError};
use crate::output::num;
use mcvideo_stats::data::Table;
use mcvideo_stats::describe::{describe, Describe, DescribeOptions};

/// The baseline table as computed by `describe`.
pub type Baseline = Describe;

/// Runs `describe` on the baseline variables split at `baseline.cutoff` of the dose. Variables
/// holding only 0 and 1 (and those in `baseline.categorical`) are categorical.
pub fn baseline(config: &StudyConfig, table: &Table) -> Result<Baseline> {
    let vars: Vec<&str> = config
        .baseline
        .variables
        .iter()
        .map(String::as_str)
        .collect();
    let mut categorical = config.baseline.categorical.clone();
    for v in &vars {
        let is_binary = table.is_numeric(v).unwrap_or(false)
            && table
                .numeric(v)
                .map(|c| c.iter().flatten().all(|&x| x == 0.0 || x == 1.0))
                .unwrap_or(false);
        if is_binary && !categorical.iter().any(|c| c == v) {
            categorical.push(v.to_string());
        }
    }
    let options = DescribeOptions {
        group: Some(config.dose.clone()),
        cutoff: Some(config.baseline.cutoff),
        categorical,
        ..DescribeOptions::default()
    };
    describe(table, &vars, &options).map_err(|e| StudyError::Method {
        what: format!(
            "baseline table split at {} {}",
            config.dose,
            cutoff_label(config.baseline.cutoff)
        ),
        message: e.to_string(),
    })
}

/// The table as text: a header (characteristic, overall, each group with its n, test, p) and
/// one row per numeric variable or per level of a categorical one. Empty when the table was skipped.
pub fn table(a: &Analysis) -> (Vec<String>, Vec<Vec<String>>) {
    let Some(b) = &a.baseline else {
        return (vec!["characteristic".to_string()], Vec::new());
    };
    let config = &a.config;
    let group_n: Vec<usize> = b
        .group_levels
        .iter()
        .map(|g| {
            b.variables
                .iter()
                .filter_map(|v| v.groups.iter().find(|d| &d.group == g))
                .map(|d| d.description.summary.n)
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut header = vec![
        "characteristic".to_string(),
        format!("overall (n = {})", b.n),
    ];
    for (g, n) in b.group_levels.iter().zip(&group_n) {
        header.push(format!("{} {g} (n = {n})", config.dose));
    }
    header.push("test".to_string());
    header.push("p".to_string());
    let mut rows = Vec::new();
    for v in &b.variables {
        let (test, p) = v
            .comparison
            .as_ref()
            .map_or(("".to_string(), "".to_string()), |c| {
                // Short variants (welch, yates, exact) are shown; long descriptions stay in analysis.json.
                let name = match &c.test_variant {
                    Some(variant) if variant.len() <= 12 => format!("{} ({variant})", c.test),
                    _ => c.test.clone(),
                };
                (name, crate::figures::format_p(c.p))
            });
        let label = config.label(&v.name).to_string();
        if let Some(overall) = &v.overall {
            let mut row = vec![label, overall.formatted.clone()];
            for g in &b.group_levels {
                row.push(
                    v.groups
                        .iter()
                        .find(|d| &d.group == g)
                        .map_or("".to_string(), |d| d.description.formatted.clone()),
                );
            }
            row.push(test);
            row.push(p);
            rows.push(row);
        } else {
            // Categorical: one row per level; a 0/1 variable shows its level 1 only.
            let binary =
                v.levels.len() <= 2 && v.levels.iter().all(|l| l.level == "0" || l.level == "1");
            let levels: Vec<_> = v
                .levels
                .iter()
                .filter(|l| !binary || l.level == "1")
                .collect();
            for (i, l) in levels.iter().enumerate() {
                let name = if binary {
                    format!("{label}, n (%)")
                } else {
                    format!("{label} = {}, n (%)", l.level)
                };
                let mut row = vec![name, format!("{} ({}%)", l.n, num(l.pct, 1))];
                for g in &b.group_levels {
                    row.push(
                        l.groups
                            .iter()
                            .find(|c| &c.group == g)
                            .map_or("".to_string(), |c| format!("{} ({}%)", c.n, num(c.pct, 1))),
                    );
                }
                if i == 0 {
                    row.push(test.clone());
                    row.push(p.clone());
                } else {
                    row.push(String::new());
                    row.push(String::new());
                }
                rows.push(row);
            }
        }
    }
    (header, rows)
}

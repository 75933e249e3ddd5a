//! `mcvideo stats km|cox`: Kaplan–Meier curves with the log-rank test, and Cox models
//! (mcvideo-survival) on a CSV, JSON on stdout (SPEC.md).

use super::options;
use anyhow::{bail, Context, Result};
use clap::Args;
use mcvideo_stats::data::Table;
use mcvideo_survival::{cox_with, km_indexed, CoxOptions, Ties};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `stats km`: Kaplan–Meier curves (survfit's defaults) and the log-rank test (survdiff).
#[derive(Args, Debug)]
pub struct KmArgs {
    /// The data CSV.
    pub data: PathBuf,
    /// Follow-up time column.
    #[arg(long)]
    pub time: String,
    /// Event column: 1 = event, 0 = censored (or R's 2 = event, 1 = censored).
    #[arg(long)]
    pub event: String,
    /// Group column (numbers or text); one curve per value.
    #[arg(long, conflicts_with = "cutoff")]
    pub group: Option<String>,
    /// Two groups split at a cutoff of a numeric column: COL:X gives COL <= X and COL > X.
    #[arg(long, value_name = "COL:X", value_parser = options::column_cutoff)]
    pub cutoff: Option<(String, f64)>,
    /// Confidence level of the pointwise log-type intervals (strictly between 0 and 1).
    #[arg(long, default_value_t = 0.95, value_parser = options::open_unit)]
    pub conf_level: f64,
}

/// `stats cox`: Cox proportional hazards (coxph's Newton–Raphson), Efron or Breslow ties.
#[derive(Args, Debug)]
pub struct CoxArgs {
    /// The data CSV.
    pub data: PathBuf,
    /// Follow-up time column.
    #[arg(long)]
    pub time: String,
    /// Event column: 1 = event, 0 = censored (or R's 2 = event, 1 = censored).
    #[arg(long)]
    pub event: String,
    /// Covariates, comma separated (numeric columns).
    #[arg(long, value_delimiter = ',', required = true)]
    pub covariates: Vec<String>,
    /// Handling of tied event times.
    #[arg(long, default_value = "efron", value_parser = ["efron", "breslow"])]
    pub ties: String,
    /// Newton–Raphson iterations at most (coxph's iter.max), 1 to 1000.
    #[arg(long, default_value_t = 20, value_parser = options::iterations)]
    pub max_iter: usize,
}

/// How rows are split into groups for `stats km`.
enum Grouping {
    None,
    Column(String),
    Cutoff { column: String, cutoff: f64 },
}

/// Runs `stats km`.
pub fn run_km(args: KmArgs) -> Result<()> {
    let path = &args.data;
    let grouping = match (&args.group, &args.cutoff) {
        (Some(column), _) => Grouping::Column(column.clone()),
        (None, Some((column, cutoff))) => Grouping::Cutoff {
            column: column.clone(),
            cutoff: *cutoff,
        },
        (None, None) => Grouping::None,
    };
    let table = read_table(path)?;
    let time = time_column(&table, path, &args.time)?;
    let event = event_column(&table, path, &args.event)?;
    // One label per row (None = missing), and the label order.
    let (labels, order): (Vec<Option<String>>, Vec<String>) = match &grouping {
        Grouping::None => (
            vec![Some("all".to_string()); time.len()],
            vec!["all".into()],
        ),
        Grouping::Column(column) => group_labels(&table, column)?,
        Grouping::Cutoff { column, cutoff } => {
            let values = table.numeric(column)?;
            let low = format!("{column} <= {cutoff}");
            let high = format!("{column} > {cutoff}");
            let labels = values
                .iter()
                .map(|v| {
                    v.map(|v| {
                        if v > *cutoff {
                            high.clone()
                        } else {
                            low.clone()
                        }
                    })
                })
                .collect();
            (labels, vec![low, high])
        }
    };
    let mut times = Vec::new();
    let mut events = Vec::new();
    let mut index = Vec::new();
    let mut dropped = 0;
    for ((t, e), label) in time.iter().zip(&event).zip(&labels) {
        match (t, e, label) {
            (Some(t), Some(e), Some(label)) => {
                times.push(*t);
                events.push(*e);
                index.push(order.iter().position(|l| l == label).unwrap_or(0));
            }
            _ => dropped += 1,
        }
    }
    let km = km_indexed(&times, &events, &index, &order, args.conf_level).with_context(|| {
        format!(
            "{}: Kaplan-Meier of {} / {}",
            path.display(),
            args.time,
            args.event
        )
    })?;
    print_json("km", km.n, dropped, &km)
}

/// Runs `stats cox`.
pub fn run_cox(args: CoxArgs) -> Result<()> {
    let path = &args.data;
    let ties: Ties = args.ties.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    let table = read_table(path)?;
    let time = time_column(&table, path, &args.time)?;
    let event = event_column(&table, path, &args.event)?;
    let covariates = args
        .covariates
        .iter()
        .map(|name| table.numeric(name))
        .collect::<Result<Vec<_>, _>>()?;
    let mut times = Vec::new();
    let mut events = Vec::new();
    let mut columns = vec![Vec::new(); covariates.len()];
    let mut dropped = 0;
    for (row, (t, e)) in time.iter().zip(&event).enumerate() {
        match (t, e) {
            (Some(t), Some(e)) if covariates.iter().all(|c| c[row].is_some()) => {
                times.push(*t);
                events.push(*e);
                for (out, column) in columns.iter_mut().zip(&covariates) {
                    out.extend(column[row]);
                }
            }
            _ => dropped += 1,
        }
    }
    let named: Vec<(&str, &[f64])> = args
        .covariates
        .iter()
        .zip(&columns)
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let opts = CoxOptions {
        ties,
        max_iter: args.max_iter,
        ..CoxOptions::default()
    };
    let fit = cox_with(&times, &events, &named, &opts).with_context(|| {
        format!(
            "{}: Cox model of {} / {} on {}",
            path.display(),
            args.time,
            args.event,
            args.covariates.join(", ")
        )
    })?;
    for warning in &fit.warnings {
        eprintln!("warning: {}: {warning}", path.display());
    }
    print_json("cox", fit.n, dropped, &fit)
}

fn read_table(path: &Path) -> Result<Table> {
    Table::from_path(path).with_context(|| format!("{}: cannot read the data", path.display()))
}

/// The follow-up time column; a negative time is an error naming the file, row and value (the
/// table already refuses NaN and infinite cells).
fn time_column(table: &Table, path: &Path, name: &str) -> Result<Vec<Option<f64>>> {
    let values = table.numeric(name)?;
    if let Some((row, value)) = values
        .iter()
        .enumerate()
        .find_map(|(row, v)| v.filter(|t| *t < 0.0).map(|t| (row, t)))
    {
        bail!(
            "{}: row {}, column `{name}`: follow-up time must be 0 or more, got {value}",
            path.display(),
            row + 1
        );
    }
    Ok(values)
}

/// The event column as booleans: 0/1 (1 = event), or R's 1/2 coding (2 = event) when every
/// value is 1 or 2 and some are 2. Anything else is an error naming the file, row and value.
fn event_column(table: &Table, path: &Path, name: &str) -> Result<Vec<Option<bool>>> {
    let values = table.numeric(name)?;
    let present = || values.iter().flatten();
    let one_two = present().all(|&v| v == 1.0 || v == 2.0) && present().any(|&v| v == 2.0);
    values
        .iter()
        .enumerate()
        .map(|(row, v)| match *v {
            None => Ok(None),
            Some(v) if one_two => Ok(Some(v == 2.0)),
            Some(v) if v == 0.0 || v == 1.0 => Ok(Some(v == 1.0)),
            Some(v) => bail!(
                "{}: row {}, column `{name}`: event must be 0 (censored) or 1 (event), got {v}",
                path.display(),
                row + 1
            ),
        })
        .collect()
}

/// Group labels per row and their order: numeric columns print as R prints numbers (1, not 1.0)
/// and sort numerically; text columns sort alphabetically.
fn group_labels(table: &Table, column: &str) -> Result<(Vec<Option<String>>, Vec<String>)> {
    let numeric = table.is_numeric(column)?;
    if numeric {
        let values = table.numeric(column)?;
        let mut distinct: Vec<f64> = values.iter().flatten().copied().collect();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let labels = values.iter().map(|v| v.map(|v| v.to_string())).collect();
        Ok((labels, distinct.iter().map(f64::to_string).collect()))
    } else {
        let labels = table.text(column)?;
        let mut distinct: Vec<String> = labels.iter().flatten().cloned().collect();
        distinct.sort();
        distinct.dedup();
        Ok((labels, distinct))
    }
}

/// Prints `result` as JSON with `method`, `n` and `dropped` first.
fn print_json<T: Serialize>(method: &str, n: usize, dropped: usize, result: &T) -> Result<()> {
    let mut out = serde_json::Map::new();
    out.insert("method".into(), Value::from(method));
    out.insert("n".into(), Value::from(n));
    out.insert("dropped".into(), Value::from(dropped));
    if let Value::Object(fields) = serde_json::to_value(result)? {
        for (k, v) in fields {
            out.entry(k).or_insert(v);
        }
    }
    println!("{}", serde_json::to_string(&Value::Object(out))?);
    Ok(())
}

//! `mcvideo stats describe`: the baseline table (Table 1) of mcvideo-stats on a CSV, JSON on stdout.

use super::options;
use anyhow::Result;
use clap::Args;
use mcvideo_stats::data::Table;
use mcvideo_stats::describe::{describe, DescribeOptions};
use mcvideo_stats::ttest::TTestKind;
use std::path::PathBuf;

/// `stats describe`: per variable and group n, mean, SD, median, quartiles, Shapiro–Wilk, and the group test.
#[derive(Args, Debug)]
pub struct DescribeArgs {
    /// The data CSV.
    pub data: PathBuf,
    /// Variables to describe, comma separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub vars: Vec<String>,
    /// Column that splits the rows into groups.
    #[arg(long)]
    pub group: Option<String>,
    /// Split the numeric group column at X: `<= X` (the boundary) versus `> X`.
    #[arg(long, requires = "group", value_parser = options::finite)]
    pub cutoff: Option<f64>,
    /// Variables to treat as categorical although they hold numbers (e.g. 0/1), comma separated.
    #[arg(long, value_delimiter = ',')]
    pub categorical: Vec<String>,
    /// Compare normal variables with Student's t test instead of Welch's (R's default).
    #[arg(long)]
    pub student: bool,
    /// Wilcoxon p as R's default wilcox.test: exact when both groups have < 50 values and no
    /// ties (default: always the normal approximation, as wilcox.test(exact = FALSE)).
    #[arg(long)]
    pub wilcoxon_exact: bool,
    /// Shapiro–Wilk level: normal when p > alpha in every group (strictly between 0 and 1).
    #[arg(long, default_value_t = 0.05, value_parser = options::open_unit)]
    pub alpha: f64,
}

/// Runs `stats describe`.
pub fn run(args: DescribeArgs) -> Result<()> {
    let table = Table::from_path(&args.data)?;
    let options = DescribeOptions {
        group: args.group,
        cutoff: args.cutoff,
        categorical: args.categorical,
        normality_alpha: args.alpha,
        t_test: if args.student {
            TTestKind::Student
        } else {
            TTestKind::Welch
        },
        wilcoxon_exact: args.wilcoxon_exact,
        ..Default::default()
    };
    let vars: Vec<&str> = args.vars.iter().map(String::as_str).collect();
    let result = describe(&table, &vars, &options)?;
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}

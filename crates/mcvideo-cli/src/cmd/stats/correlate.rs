//! `mcvideo stats correlate`: Spearman or Pearson correlations of one x with several outcomes, BH FDR.

use anyhow::Result;
use clap::Args;
use mcvideo_stats::correlate::{correlate, CorrelationKind};
use mcvideo_stats::data::Table;
use std::path::PathBuf;

/// `stats correlate`: r and p (t approximation, n − 2 df) of x with each y, and BH-adjusted p.
#[derive(Args, Debug)]
pub struct CorrelateArgs {
    /// The data CSV.
    pub data: PathBuf,
    /// The exposure column.
    #[arg(long)]
    pub x: String,
    /// Outcome columns, comma separated (the FDR family).
    #[arg(long, value_delimiter = ',', required = true)]
    pub y: Vec<String>,
    /// spearman (average ranks for ties) or pearson.
    #[arg(long, default_value = "spearman", value_parser = ["spearman", "pearson"])]
    pub kind: String,
}

/// Runs `stats correlate`.
pub fn run(args: CorrelateArgs) -> Result<()> {
    let table = Table::from_path(&args.data)?;
    let kind: CorrelationKind = args.kind.parse()?;
    let ys: Vec<&str> = args.y.iter().map(String::as_str).collect();
    let result = correlate(&table, &args.x, &ys, kind)?;
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}

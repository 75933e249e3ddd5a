//! `mcvideo stats regress`: ordinary least squares (as R's `lm` and `confint`), JSON on stdout.

use anyhow::Result;
use clap::Args;
use mcvideo_stats::data::Table;
use mcvideo_stats::regress::regress;
use std::path::PathBuf;

/// `stats regress`: coefficients, SE, 95% CI, t, p, R² and adjusted R² of y ~ x + covariates.
#[derive(Args, Debug)]
pub struct RegressArgs {
    /// The data CSV.
    pub data: PathBuf,
    /// Outcome column.
    #[arg(long)]
    pub y: String,
    /// Main predictor column.
    #[arg(long)]
    pub x: String,
    /// Covariates, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub covariates: Vec<String>,
}

/// Runs `stats regress`.
pub fn run(args: RegressArgs) -> Result<()> {
    let table = Table::from_path(&args.data)?;
    let mut xs = vec![args.x.as_str()];
    xs.extend(args.covariates.iter().map(String::as_str));
    let fit = regress(&table, &args.y, &xs)?;
    println!("{}", serde_json::to_string(&fit)?);
    Ok(())
}

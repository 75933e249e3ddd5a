//! `mcvideo stats METHOD DATA.csv ...`: one statistical method on a CSV, JSON on stdout (SPEC.md).

pub mod correlate;
pub mod describe;
pub mod dose;
pub mod options;
pub mod regress;
pub mod survival;

use anyhow::Result;
use clap::Subcommand;

/// The statistical methods; each prints one JSON object with `method`, `n` and `dropped`.
#[derive(Subcommand, Debug)]
pub enum StatsCommand {
    /// Baseline table: summaries, Shapiro-Wilk and group tests (t, Wilcoxon, chi-square, Fisher).
    Describe(describe::DescribeArgs),
    /// Spearman or Pearson correlations of one x with several outcomes, BH FDR.
    Correlate(correlate::CorrelateArgs),
    /// Ordinary least squares with covariates, as lm.
    Regress(regress::RegressArgs),
    /// Penalized regression spline (REML) with a maximum-curvature dose threshold.
    Gam(dose::GamArgs),
    /// One-breakpoint segmented regression (Muggeo) with the Davies test.
    Segmented(dose::SegmentedArgs),
    /// Restricted cubic spline regression (Harrell) with a curvature threshold.
    Rcs(dose::RcsArgs),
    /// Kaplan-Meier curves (survfit's defaults) and the log-rank test.
    Km(survival::KmArgs),
    /// Cox proportional hazards (Efron or Breslow ties), as coxph.
    Cox(survival::CoxArgs),
}

/// Runs one statistical method.
pub fn run(command: StatsCommand) -> Result<()> {
    match command {
        StatsCommand::Describe(args) => describe::run(args),
        StatsCommand::Correlate(args) => correlate::run(args),
        StatsCommand::Regress(args) => regress::run(args),
        StatsCommand::Gam(args) => dose::run_gam(args),
        StatsCommand::Segmented(args) => dose::run_segmented(args),
        StatsCommand::Rcs(args) => dose::run_rcs(args),
        StatsCommand::Km(args) => survival::run_km(args),
        StatsCommand::Cox(args) => survival::run_cox(args),
    }
}

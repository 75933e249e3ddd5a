//! `mcvideo stats METHOD DATA.csv ...`: one statistical method on a CSV, JSON on stdout (SPEC.md).

pub mod dose;

use anyhow::Result;
use clap::Subcommand;

/// The statistical methods; each prints one JSON object with `method`, `n` and `dropped`.
#[derive(Subcommand, Debug)]
pub enum StatsCommand {
    /// Penalized regression spline (REML) with a maximum-curvature dose threshold.
    Gam(dose::GamArgs),
    /// One-breakpoint segmented regression (Muggeo) with the Davies test.
    Segmented(dose::SegmentedArgs),
    /// Restricted cubic spline regression (Harrell) with a curvature threshold.
    Rcs(dose::RcsArgs),
}

/// Runs one statistical method.
pub fn run(command: StatsCommand) -> Result<()> {
    match command {
        StatsCommand::Gam(args) => dose::run_gam(args),
        StatsCommand::Segmented(args) => dose::run_segmented(args),
        StatsCommand::Rcs(args) => dose::run_rcs(args),
    }
}

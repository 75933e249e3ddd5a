//! `mcvideo stats gam|segmented|rcs`: the dose-response models of mcvideo-doseresponse on a CSV, JSON on stdout.

use super::options;
use anyhow::{Context, Result};
use clap::Args;
use mcvideo_doseresponse::{
    fit_gam, fit_rcs, fit_segmented, BasisKind, GamOptions, RcsOptions, SegmentedOptions,
};
use mcvideo_stats::data::Table;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `stats gam`: penalized regression spline (mgcv-compatible, REML) with a curvature threshold.
#[derive(Args, Debug)]
pub struct GamArgs {
    /// The data CSV.
    pub data: PathBuf,
    /// Outcome column.
    #[arg(long)]
    pub y: String,
    /// Dose column (the smooth term).
    #[arg(long)]
    pub smooth: String,
    /// Linear covariates, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub linear: Vec<String>,
    /// Spline basis: tp (thin plate, mgcv's default) or cr (cubic regression).
    #[arg(long, default_value = "tp", value_parser = ["tp", "cr"])]
    pub basis: String,
    /// Basis dimension (mgcv's k), 3 to 500.
    #[arg(long, default_value_t = 10, value_parser = options::basis_dimension)]
    pub k: usize,
    /// Bootstrap resamples for the threshold CI (0 to 100000).
    #[arg(long, default_value_t = 1000, value_parser = options::boot_count)]
    pub boot: usize,
    /// Bootstrap seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// tp basis: at most this many knots (mgcv's max.knots); with more distinct doses a seeded
    /// random subset of them is used (3 to 20000, at least --k).
    #[arg(long, default_value_t = 2000, value_parser = options::max_knots)]
    pub max_knots: usize,
    /// tp basis: seed of that knot subset (mgcv's xt$seed).
    #[arg(long, default_value_t = 1)]
    pub knot_seed: u64,
    /// Bootstrap resamples rebuild the basis from their own doses while it has at most this many
    /// knots, as refitting gam() in R would; beyond, they keep the full data's basis
    /// (0 to 20000; 0 always keeps it).
    #[arg(long, default_value_t = mcvideo_doseresponse::gam::DEFAULT_BOOT_REFIT_MAX_KNOTS, value_parser = options::refit_max_knots)]
    pub boot_refit_max_knots: usize,
}

/// `stats segmented`: one-breakpoint segmented regression (Muggeo) with the Davies test.
#[derive(Args, Debug)]
pub struct SegmentedArgs {
    /// The data CSV.
    pub data: PathBuf,
    /// Outcome column.
    #[arg(long)]
    pub y: String,
    /// Dose column (the segmented variable).
    #[arg(long)]
    pub x: String,
    /// Covariates, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub covariates: Vec<String>,
    /// Start value of the breakpoint (default: the median of x).
    #[arg(long, value_parser = options::finite)]
    pub psi: Option<f64>,
}

/// `stats rcs`: restricted cubic spline regression (Harrell) with a curvature threshold.
#[derive(Args, Debug)]
pub struct RcsArgs {
    /// The data CSV.
    pub data: PathBuf,
    /// Outcome column.
    #[arg(long)]
    pub y: String,
    /// Dose column.
    #[arg(long)]
    pub x: String,
    /// Covariates, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub covariates: Vec<String>,
    /// Number of knots (3 to 7).
    #[arg(long, default_value_t = 4, value_parser = options::rcs_knots)]
    pub knots: usize,
    /// Bootstrap resamples for the threshold CI (0 to 100000).
    #[arg(long, default_value_t = 1000, value_parser = options::boot_count)]
    pub boot: usize,
    /// Bootstrap seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Complete cases of the named columns: (columns in the order asked, rows dropped).
fn load(path: &Path, names: &[&str]) -> Result<(Vec<Vec<f64>>, usize)> {
    let table = Table::from_path(path)
        .with_context(|| format!("{}: cannot read the data", path.display()))?;
    let (cols, dropped) = table
        .complete_numeric(names)
        .with_context(|| format!("{}: bad column", path.display()))?;
    Ok((cols, dropped))
}

/// Prints `fit` as JSON with `method`, `n` and `dropped` first.
fn print_json<T: Serialize>(method: &str, n: usize, dropped: usize, fit: &T) -> Result<()> {
    let mut out = serde_json::Map::new();
    out.insert("method".into(), Value::from(method));
    out.insert("n".into(), Value::from(n));
    out.insert("dropped".into(), Value::from(dropped));
    if let Value::Object(fields) = serde_json::to_value(fit)? {
        for (k, v) in fields {
            out.entry(k).or_insert(v);
        }
    }
    println!("{}", serde_json::to_string(&Value::Object(out))?);
    Ok(())
}

/// Complete cases of y, x and the covariates, in that order: (columns, rows dropped).
fn model_columns(
    data: &Path,
    y: &str,
    x: &str,
    covariates: &[String],
) -> Result<(Vec<Vec<f64>>, usize)> {
    let mut names = vec![y, x];
    names.extend(covariates.iter().map(String::as_str));
    load(data, &names)
}

fn covariate_refs<'a>(names: &'a [String], cols: &'a [Vec<f64>]) -> Vec<(&'a str, &'a [f64])> {
    names
        .iter()
        .zip(cols)
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect()
}

/// Runs `stats gam`.
pub fn run_gam(args: GamArgs) -> Result<()> {
    let (cols, dropped) = model_columns(&args.data, &args.y, &args.smooth, &args.linear)?;
    let basis: BasisKind = args.basis.parse()?;
    if args.max_knots < args.k {
        let message = format!(
            "--max-knots {} is below the basis dimension --k {}",
            args.max_knots, args.k
        );
        // A command-line error like any other clap rejects: message and exit 2.
        clap::Error::raw(
            clap::error::ErrorKind::ArgumentConflict,
            format!("{message}\n"),
        )
        .exit();
    }
    let opts = GamOptions {
        basis,
        k: args.k,
        boot: args.boot,
        seed: args.seed,
        max_knots: args.max_knots,
        knot_seed: args.knot_seed,
        boot_refit_max_knots: args.boot_refit_max_knots,
    };
    let covs = covariate_refs(&args.linear, &cols[2..]);
    let fit = fit_gam(&cols[1], &cols[0], &covs, &opts).with_context(|| {
        format!(
            "{}: GAM of {} on s({})",
            args.data.display(),
            args.y,
            args.smooth
        )
    })?;
    print_json("gam", fit.n, dropped, &fit)
}

/// Runs `stats segmented`.
pub fn run_segmented(args: SegmentedArgs) -> Result<()> {
    let (cols, dropped) = model_columns(&args.data, &args.y, &args.x, &args.covariates)?;
    let covs = covariate_refs(&args.covariates, &cols[2..]);
    let opts = SegmentedOptions {
        psi: args.psi,
        davies_k: 10,
    };
    let fit = fit_segmented(&cols[1], &cols[0], &covs, &opts).with_context(|| {
        format!(
            "{}: segmented regression of {} on {}",
            args.data.display(),
            args.y,
            args.x
        )
    })?;
    print_json("segmented", fit.n, dropped, &fit)
}

/// Runs `stats rcs`.
pub fn run_rcs(args: RcsArgs) -> Result<()> {
    let (cols, dropped) = model_columns(&args.data, &args.y, &args.x, &args.covariates)?;
    let covs = covariate_refs(&args.covariates, &cols[2..]);
    let opts = RcsOptions {
        knots: args.knots,
        boot: args.boot,
        seed: args.seed,
    };
    let fit = fit_rcs(&cols[1], &cols[0], &covs, &opts).with_context(|| {
        format!(
            "{}: restricted cubic spline of {} on {}",
            args.data.display(),
            args.y,
            args.x
        )
    })?;
    print_json("rcs", fit.n, dropped, &fit)
}

//! `mcvideo merge DIR... --out DIR`: joins shard outputs into one set of tables.

use anyhow::Context;
use std::path::PathBuf;

/// Arguments of `mcvideo merge`.
#[derive(clap::Args)]
pub struct Args {
    /// Output folders of `mcvideo batch --shard K/N` runs.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Where to write the joined sites.csv, patients.csv and failures.csv.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `mcvideo merge`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let summary = mcvideo_batch::merge_outputs(&args.shards, &args.out)
        .with_context(|| format!("merging into {}", args.out.display()))?;
    println!(
        "merged {} shards: {} sites, {} failures -> {}",
        summary.shards,
        summary.sites,
        summary.failures,
        args.out.display()
    );
    Ok(())
}

//! `mcvideo merge DIR... --out DIR`: joins shard outputs into one set of tables.

use anyhow::Context;
use std::path::PathBuf;

/// Arguments of `mcvideo merge`.
#[derive(clap::Args)]
pub struct Args {
    /// Output folders of `mcvideo batch --shard K/N` runs.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Where to write the joined sites.csv, patients.csv, failures.csv and run.json.
    #[arg(long)]
    out: PathBuf,
    /// Merge even if shards are missing (recorded in the merged run.json). Shards scored with
    /// other settings, from another archive or given twice are never merged.
    #[arg(long)]
    allow_incomplete: bool,
}

/// Runs `mcvideo merge`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let options = mcvideo_batch::MergeOptions {
        allow_incomplete: args.allow_incomplete,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let summary = mcvideo_batch::merge_outputs(&args.shards, &args.out, &options)
        .with_context(|| format!("merging into {}", args.out.display()))?;
    for missing in &summary.incomplete {
        eprintln!("warning: merged an incomplete set of shards (--allow-incomplete): {missing}");
    }
    println!(
        "merged {} shards: {} sites, {} failures -> {}",
        summary.shards,
        summary.sites,
        summary.failures,
        args.out.display()
    );
    Ok(())
}

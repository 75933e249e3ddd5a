//! `mcvideo batch INPUT --out DIR`: many clips in parallel, resumable, shardable.

use anyhow::Context;
use mcvideo_batch::{load_manifest, run_batch, scan_folder, BatchOptions, Shard, DEFAULT_PATTERN};
use mcvideo_score::PipelineScorer;
use std::path::PathBuf;

/// Arguments of `mcvideo batch`.
#[derive(clap::Args)]
pub struct Args {
    /// A manifest CSV (path,patient,day,site[,device,um_per_px]) or a folder of clips.
    input: PathBuf,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Device preset for clips whose manifest row gives none.
    #[arg(long)]
    device: Option<String>,
    /// Scale for clips whose manifest row gives none (µm per pixel).
    #[arg(long, value_parser = super::numbers::um_per_px)]
    um_per_px: Option<f64>,
    #[command(flatten)]
    tuning: super::tuning::TuningArgs,
    /// Clips scored at once (default: all cores).
    #[arg(long, value_parser = super::numbers::at_least_one)]
    jobs: Option<usize>,
    /// Score only part K of N of the archive (1-based), e.g. for a SLURM job array.
    #[arg(long, value_parser = super::numbers::shard)]
    shard: Option<String>,
    /// Reuse stored scores whose clip (SHA-256 of its bytes) and settings are unchanged;
    /// re-score the others and say so.
    #[arg(long)]
    resume: bool,
    /// Folder layout: where patient, day and site sit in the path.
    #[arg(long, default_value = DEFAULT_PATTERN)]
    pattern: String,
    /// Do not draw overlay PNGs.
    #[arg(long)]
    no_overlay: bool,
    #[command(flatten)]
    scoring: super::tuning::ScoringArgs,
    /// Seconds between progress lines when stderr is not a terminal.
    #[arg(long, hide = true, value_parser = super::numbers::positive, default_value_t = mcvideo_batch::DEFAULT_PROGRESS_EVERY.as_secs_f64())]
    progress_every: f64,
}

/// Runs `mcvideo batch`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let archive = if args.input.is_dir() {
        scan_folder(&args.input, &args.pattern)?
    } else {
        load_manifest(&args.input)?
    };
    for warning in &archive.warnings {
        eprintln!("warning: {warning}");
    }
    for skipped in &archive.skipped {
        eprintln!("warning: {}: {}", skipped.path, skipped.reason);
    }
    let shard = args.shard.as_deref().map(Shard::parse).transpose()?;
    let threads = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let mut params = args.tuning.params()?;
    let scale = super::scale::ScaleArgs {
        device: args.device.clone(),
        um_per_px: args.um_per_px,
    };
    scale.apply(&mut params);
    params.no_overlay |= args.no_overlay;
    // Parallelism comes from scoring clips side by side (`--jobs`); a multi-threaded
    // decoder per clip would only add threads beyond the cores asked for.
    params.decode_threads = 1;
    args.scoring.apply(&mut params);
    // Jobs share the memory budget: the one given, else the memory available now.
    let batch_budget = params
        .memory_budget_bytes
        .unwrap_or_else(|| mcvideo_score::stream::clip_budget(None));
    params.memory_budget_bytes = Some(batch_budget / threads as u64);
    // The whole parameter set and its hash: two runs scored alike exactly when the hashes
    // agree (a manifest row's own scale still applies to its clip).
    let parameters = serde_json::json!({
        "input": args.input,
        "device": params.device,
        "um_per_px": params.um_per_px,
        "shard": args.shard,
        "pattern": args.pattern,
        "small_vessel_cutoff_um": params.vessels.small_vessel_cutoff_um,
        "sluggish_below_um_s": params.flow.rule.sluggish_below_um_s,
        "overlay": !params.no_overlay,
        "fields": params.fields,
        "polarity": params.polarity,
        "memory_budget_bytes": batch_budget,
        "params_file": args.tuning.params,
        "params_sha256": params.sha256(),
        "params": params,
    });
    let options = BatchOptions {
        out_dir: args.out.clone(),
        jobs: threads,
        resume: args.resume,
        shard,
        parameters,
        // Everything that changes a clip's result is in the scoring parameters.
        settings_sha256: params.sha256(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        progress: true,
        progress_every: std::time::Duration::from_secs_f64(args.progress_every),
    };
    let scorer = PipelineScorer { params };
    let summary = run_batch(&archive, &options, &scorer)
        .with_context(|| format!("batch into {}", args.out.display()))?;
    super::review::keep_corrections(&args.out)?;
    let rescored = if summary.rescored > 0 {
        format!(
            ", {} re-scored because their clip or settings changed",
            summary.rescored
        )
    } else {
        String::new()
    };
    let skipped = if summary.skipped > 0 {
        format!(
            "; {} folder entries match no pattern (see failures.csv)",
            summary.skipped
        )
    } else {
        String::new()
    };
    eprintln!(
        "batch done: {} clips in this run ({} scored, {} resumed, {} failed, {} acceptable{rescored}) in {:.1} s{skipped} -> {}",
        summary.in_shard,
        summary.scored,
        summary.resumed,
        summary.failed,
        summary.acceptable,
        summary.elapsed_s,
        args.out.display()
    );
    if summary.in_shard > 0 && summary.failed == summary.in_shard {
        anyhow::bail!(
            "no clip could be scored: all {} failed; the reasons are in {}",
            summary.in_shard,
            args.out.join("failures.csv").display()
        );
    }
    Ok(())
}

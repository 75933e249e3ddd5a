//! `mcvideo analyze --config study.toml --out DIR`: the dose-response study (mcvideo-study).

use std::path::PathBuf;

/// Arguments of `mcvideo analyze`.
#[derive(clap::Args)]
pub struct Args {
    /// The study config (TOML; see fixtures/study/cohort_a.toml).
    #[arg(long)]
    config: PathBuf,
    /// Output folder: analysis.json, CSV tables, SVG figures, report.html.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `mcvideo analyze`.
pub fn run(args: Args) -> anyhow::Result<()> {
    // The study's errors already name the file, key or column.
    let summary = mcvideo_study::run(&args.config, &args.out)?;
    let a = &summary.analysis;
    for t in &a.thresholds {
        println!(
            "{}: GAM threshold {:.3}{}",
            t.outcome,
            t.gam.threshold.x,
            t.segmented.as_ref().map_or(String::new(), |s| format!(
                ", segmented breakpoint {:.3}",
                s.breakpoint
            ))
        );
    }
    println!(
        "{} files -> {} (open {})",
        summary.files.len(),
        args.out.display(),
        args.out.join("report.html").display()
    );
    Ok(())
}

//! `mcvideo analyze --config study.toml --out DIR`: the dose-response study (mcvideo-study).

use std::path::PathBuf;

/// Arguments of `mcvideo analyze`.
#[derive(clap::Args)]
pub struct Args {
    /// The study config (TOML). `--example-config` prints a complete, commented one to start from.
    #[arg(long, required_unless_present = "example_config")]
    config: Option<PathBuf>,
    /// Output folder: report.html, analysis.json, CSV tables, analysis_data.csv, refit.R, SVG figures.
    #[arg(long, required_unless_present = "example_config")]
    out: Option<PathBuf>,
    /// Print a documented example config to stdout and exit.
    #[arg(long, conflicts_with_all = ["config", "out"])]
    example_config: bool,
}

/// Runs `mcvideo analyze`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if args.example_config {
        print!("{}", mcvideo_study::config::EXAMPLE_CONFIG);
        return Ok(());
    }
    let (Some(config), Some(out)) = (args.config, args.out) else {
        anyhow::bail!("--config and --out are required (or give --example-config)");
    };
    // The study's errors already name the file, key or column.
    let summary = mcvideo_study::run(&config, &out)?;
    let a = &summary.analysis;
    for t in &a.thresholds {
        let gam = match &t.gam {
            Some(g) if t.gam_threshold_reportable => format!("GAM threshold {:.3}", g.threshold.x),
            Some(_) => "GAM threshold flagged (not a finding)".to_string(),
            None => "GAM not fitted".to_string(),
        };
        println!(
            "{}: {gam}{}",
            t.outcome,
            t.segmented.as_ref().map_or(String::new(), |s| format!(
                ", segmented breakpoint {:.3}",
                s.breakpoint
            ))
        );
    }
    for n in &a.notes {
        println!("note: {} {}: {}", n.analysis, n.action, n.reason);
    }
    println!(
        "{} files -> {} (open {})",
        summary.files.len(),
        out.display(),
        out.join("report.html").display()
    );
    Ok(())
}

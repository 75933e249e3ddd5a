//! The `mcvideo` binary: parses the command line and hands each subcommand to its stage crates.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Sublingual microcirculation video: scoring, batch processing and the dose-response study.
#[derive(Parser)]
#[command(name = "mcvideo", version, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The dose-response study: tables, thresholds, survival, figures and report.html.
    Analyze(cmd::analyze::Args),
    /// Many clips in parallel: per-clip score JSON and overlays, sites.csv, patients.csv, failures.csv.
    Batch(cmd::batch::Args),
    /// Decode, stabilize and grade quality only: the quick check before scoring.
    Inspect(cmd::inspect::Args),
    /// Join the outputs of sharded batch runs into one sites.csv/patients.csv/failures.csv.
    Merge(cmd::merge::Args),
    /// Review and correct scored clips in the browser; `--export` rewrites the tables.
    Review(cmd::review::Args),
    /// One clip end to end: vessels, flow, consensus metrics, overlay.
    Score(cmd::score::Args),
    /// One statistical method on a CSV; JSON on stdout.
    #[command(subcommand)]
    Stats(cmd::stats::StatsCommand),
    /// A synthetic clip with its ground truth, for tests and demos.
    Synth(cmd::synth::Args),
    /// A synthetic study shaped like the paper: clinical table, clips per patient, day and site, truth.
    SynthStudy(cmd::synth_study::Args),
    /// Print the version.
    Version,
    /// Live scoring while recording: a rolling window of a device, pipe, growing file or stream.
    Watch(cmd::watch::Args),
}

fn main() -> ExitCode {
    // clap exits with code 2 on a bad command line, as SPEC.md requires.
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => cmd::analyze::run(args),
        Command::Batch(args) => cmd::batch::run(args),
        Command::Inspect(args) => cmd::inspect::run(args),
        Command::Merge(args) => cmd::merge::run(args),
        Command::Review(args) => cmd::review::run(args),
        Command::Score(args) => cmd::score::run(args),
        Command::Stats(command) => cmd::stats::run(command),
        Command::Synth(args) => cmd::synth::run(args),
        Command::SynthStudy(args) => cmd::synth_study::run(args),
        Command::Version => cmd::version::run(),
        Command::Watch(args) => cmd::watch::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Exit 1: the input was bad or unreadable; the message names the file and the problem.
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

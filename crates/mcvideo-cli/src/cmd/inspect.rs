//! `mcvideo inspect CLIP`: decode, stabilize and grade quality only — the quick check before scoring.

use anyhow::Context;
use mcvideo_score::{inspect_clip, inspect_summary};
use std::path::PathBuf;

/// Arguments of `mcvideo inspect`.
#[derive(clap::Args)]
pub struct Args {
    /// The clip: any video FFmpeg reads, or a folder of numbered PNG/TIFF frames.
    clip: PathBuf,
    #[command(flatten)]
    scale: super::scale::ScaleArgs,
    #[command(flatten)]
    tuning: super::tuning::TuningArgs,
    /// Print the clip, calibration, stabilization and quality parts of the score JSON.
    #[arg(long)]
    json: bool,
    /// Interlaced video (analog capture, DV): analyse whole frames, or split each frame into
    /// its two fields at twice the rate (more fast vessels get a measured speed)
    /// [default: frames].
    #[arg(long, value_enum)]
    fields: Option<super::fields::Fields>,
}

/// Runs `mcvideo inspect`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let mut params = args.tuning.params()?;
    args.scale.apply(&mut params);
    params.no_overlay = true;
    if let Some(fields) = args.fields {
        params.fields = fields.mode();
    }
    let report = inspect_clip(&args.clip, &params)?;
    if args.json {
        let json = serde_json::to_string_pretty(&report).context("serializing the report")?;
        println!("{json}");
    } else {
        print!("{}", inspect_summary(&report));
    }
    Ok(())
}

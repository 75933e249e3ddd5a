//! `mcvideo inspect CLIP`: decode, stabilize and grade quality only — the quick check before scoring.

use anyhow::Context;
use mcvideo_score::{inspect_clip, inspect_summary, ScoreParams};
use std::path::PathBuf;

/// Arguments of `mcvideo inspect`.
#[derive(clap::Args)]
pub struct Args {
    /// The clip: any video FFmpeg reads, or a folder of numbered PNG/TIFF frames.
    clip: PathBuf,
    #[command(flatten)]
    scale: super::scale::ScaleArgs,
    /// Print the clip, calibration, stabilization and quality parts of the score JSON.
    #[arg(long)]
    json: bool,
    /// Interlaced video (analog capture, DV): analyse whole frames, or split each frame into
    /// its two fields at twice the rate (more fast vessels get a measured speed).
    #[arg(long, value_enum, default_value_t = super::fields::Fields::Frames)]
    fields: super::fields::Fields,
}

/// Runs `mcvideo inspect`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let params = ScoreParams {
        device: args.scale.device,
        um_per_px: args.scale.um_per_px,
        no_overlay: true,
        fields: args.fields.mode(),
        ..ScoreParams::default()
    };
    let report = inspect_clip(&args.clip, &params)?;
    if args.json {
        let json = serde_json::to_string_pretty(&report).context("serializing the report")?;
        println!("{json}");
    } else {
        print!("{}", inspect_summary(&report));
    }
    Ok(())
}

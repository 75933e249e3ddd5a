//! `mcvideo score CLIP`: one clip end to end, a human summary, and the score JSON on request.

use anyhow::Context;
use mcvideo_score::{score_clip, score_summary, ScoreParams};
use std::path::PathBuf;

/// Arguments of `mcvideo score`.
#[derive(clap::Args)]
pub struct Args {
    /// The clip: any video FFmpeg reads, or a folder of numbered PNG/TIFF frames.
    clip: PathBuf,
    #[command(flatten)]
    scale: super::scale::ScaleArgs,
    /// Write DIR/<stem>.score.json and DIR/<stem>.overlay.png.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the score JSON on stdout instead of the summary.
    #[arg(long)]
    json: bool,
    /// Vessels with a diameter below this are small (µm).
    #[arg(long, default_value_t = mcvideo_metrics::DEFAULT_SMALL_VESSEL_CUTOFF_UM)]
    small_vessel_cutoff_um: f64,
    /// Flowing vessels slower than this are sluggish, faster ones continuous (µm/s).
    #[arg(long, default_value_t = mcvideo_metrics::FlowClassRule::default().sluggish_below_um_s)]
    sluggish_below_um_s: f64,
    /// Interlaced video (analog capture, DV): analyse whole frames, or split each frame into
    /// its two fields at twice the rate (more fast vessels get a measured speed).
    #[arg(long, value_enum, default_value_t = super::fields::Fields::Frames)]
    fields: super::fields::Fields,
}

/// Runs `mcvideo score`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let mut params = ScoreParams {
        device: args.scale.device,
        um_per_px: args.scale.um_per_px,
        no_overlay: args.out.is_none(),
        fields: args.fields.mode(),
        ..ScoreParams::default()
    };
    params.vessels.small_vessel_cutoff_um = args.small_vessel_cutoff_um;
    params.flow.rule.sluggish_below_um_s = args.sluggish_below_um_s;
    let scored = score_clip(&args.clip, &params)?;
    let json = serde_json::to_vec_pretty(&scored.report).context("serializing the score JSON")?;
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        let stem = args
            .clip
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "clip".to_string());
        if let Some(png) = &scored.overlay_png {
            mcvideo_batch::atomic::write_atomic(&dir.join(format!("{stem}.overlay.png")), png)?;
        }
        mcvideo_batch::atomic::write_atomic(&dir.join(format!("{stem}.score.json")), &json)?;
    }
    if args.json {
        println!("{}", String::from_utf8_lossy(&json));
    } else {
        print!("{}", score_summary(&scored.report));
    }
    Ok(())
}

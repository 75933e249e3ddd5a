//! `mcvideo score CLIP`: one clip end to end, a human summary, and the score JSON on request.

use anyhow::Context;
use mcvideo_score::{score_clip, score_summary};
use std::path::PathBuf;

/// Arguments of `mcvideo score`.
#[derive(clap::Args)]
pub struct Args {
    /// The clip: any video FFmpeg reads, or a folder of numbered PNG/TIFF frames.
    #[arg(required_unless_present = "print_params")]
    clip: Option<PathBuf>,
    #[command(flatten)]
    scale: super::scale::ScaleArgs,
    #[command(flatten)]
    tuning: super::tuning::TuningArgs,
    /// Print the parameters that would be used (the defaults, with `--params` and the
    /// options laid over them) as a TOML parameter file, and exit.
    #[arg(long)]
    print_params: bool,
    /// Write DIR/<stem>.score.json and DIR/<stem>.overlay.png.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the score JSON on stdout instead of the summary.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    scoring: super::tuning::ScoringArgs,
}

/// Runs `mcvideo score`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let mut params = args.tuning.params()?;
    args.scale.apply(&mut params);
    args.scoring.apply(&mut params);
    let Some(clip) = args.clip.filter(|_| !args.print_params) else {
        print!("{}", params.to_toml().map_err(anyhow::Error::msg)?);
        return Ok(());
    };
    params.no_overlay = args.out.is_none();
    let scored = score_clip(&clip, &params)?;
    let json = serde_json::to_vec_pretty(&scored.report).context("serializing the score JSON")?;
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        let stem = clip
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

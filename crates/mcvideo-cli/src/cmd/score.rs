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
    /// Write DIR/<name>.score.json, DIR/<name>.overlay.png and DIR/<name>.mean.png (the
    /// stabilized mean image the review page opens on), <name> being the clip's path
    /// without its extension, folders joined by `_` (clips/P1/S2.avi -> clips_P1_S2), so that
    /// clips of the same file name in different folders do not overwrite each other.
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
        let stem = output_stem(&clip);
        if let Some(png) = &scored.overlay_png {
            mcvideo_batch::atomic::write_atomic(&dir.join(format!("{stem}.overlay.png")), png)?;
        }
        if let Some(png) = &scored.mean_png {
            mcvideo_batch::atomic::write_atomic(&dir.join(format!("{stem}.mean.png")), png)?;
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

/// The output name of a clip: its path as given, without the extension, with the folders
/// joined by `_` (root, `.` and `..` dropped; other characters than letters, digits, `-`, `_`
/// and `.` become `_`).
fn output_stem(clip: &std::path::Path) -> String {
    use std::path::Component;
    let mut parts: Vec<String> = clip
        .with_extension("")
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        parts.push("clip".to_string());
    }
    parts
        .join("_")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod output_name_tests {
    use super::output_stem;
    use std::path::Path;

    #[test]
    fn clips_of_one_name_in_two_folders_get_two_names() {
        let a = output_stem(Path::new("clips/P001/1/S2.avi"));
        let b = output_stem(Path::new("clips/P002/1/S2.avi"));
        assert_eq!(a, "clips_P001_1_S2");
        assert_ne!(a, b);
        assert_eq!(output_stem(Path::new("/data/../x/S 1.mp4")), "data_x_S_1");
        assert_eq!(output_stem(Path::new("S2.avi")), "S2");
    }
}

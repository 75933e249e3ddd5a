//! `mcvideo synth-study --out DIR --patients N --seed S`: a synthetic cohort shaped like the paper.

use anyhow::Context;
use mcvideo_encode::VideoFormat;
use mcvideo_synth_study::{write_study, PlantedThresholds, StudyParams};
use std::path::PathBuf;

/// Arguments of `mcvideo synth-study`.
#[derive(clap::Args)]
pub struct Args {
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Number of patients (the paper: 66).
    #[arg(long, default_value_t = 20)]
    patients: usize,
    /// Seed; the same seed gives the same study.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Sites per patient, as MIN-MAX.
    #[arg(long, default_value = "3-5")]
    sites: String,
    /// Clip width and height in pixels.
    #[arg(long, default_value_t = 320)]
    width: u32,
    #[arg(long, default_value_t = 240)]
    height: u32,
    /// Frames per second.
    #[arg(long, default_value_t = 25.0)]
    fps: f64,
    /// Clip duration in seconds (quality grading wants at least 3 s of registered video,
    /// Massey 2013; 4 s leaves room for the frames registration drops).
    #[arg(long, default_value_t = 4.0)]
    duration: f64,
    /// Planted thresholds (µg/kg/min) for the perfused share, the continuous share and the
    /// site spread, as PPV,MFI,HI.
    #[arg(long, default_value = "0.71,0.80,0.72")]
    thresholds: String,
    /// Clip format: ffv1-avi, h264-mp4, mpeg4-mp4, ffv1-mkv, ...
    #[arg(long, default_value = "ffv1-avi")]
    format: String,
}

fn parse_pair(text: &str) -> anyhow::Result<[usize; 2]> {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    Ok([
        a.trim()
            .parse()
            .with_context(|| format!("--sites '{text}': expected MIN-MAX"))?,
        b.trim()
            .parse()
            .with_context(|| format!("--sites '{text}': expected MIN-MAX"))?,
    ])
}

/// Runs `mcvideo synth-study`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let t: Vec<f64> = args
        .thresholds
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("--thresholds '{}': expected PPV,MFI,HI", args.thresholds))?;
    let [ppv, mfi, hi] = t[..] else {
        anyhow::bail!(
            "--thresholds '{}': expected three numbers PPV,MFI,HI",
            args.thresholds
        );
    };
    let format = VideoFormat::from_name(&args.format)
        .with_context(|| format!("--format '{}': unknown clip format", args.format))?;
    let params = StudyParams {
        patients: args.patients,
        seed: args.seed,
        sites: parse_pair(&args.sites)?,
        width: args.width,
        height: args.height,
        fps: args.fps,
        duration_s: args.duration,
        planted: PlantedThresholds { ppv, mfi, hi },
        ..StudyParams::default()
    };
    let started = std::time::Instant::now();
    let out = write_study(&params, &args.out, format)?;
    println!(
        "synthetic study: {} patients, {} clips in {:.1} s -> {}\n  manifest {}\n  clinical {}\n  truth    {}",
        args.patients,
        out.clips,
        started.elapsed().as_secs_f64(),
        args.out.display(),
        out.manifest.display(),
        out.clinical.display(),
        out.truth_patients.display()
    );
    Ok(())
}

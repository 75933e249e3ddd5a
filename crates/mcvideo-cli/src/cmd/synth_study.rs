//! `mcvideo synth-study --out DIR --patients N --seed S`: a synthetic cohort shaped like the paper.

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
    #[arg(long, default_value_t = 20, value_parser = super::numbers::at_least_one)]
    patients: usize,
    /// Seed; the same seed gives the same study.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Sites per patient, as MIN-MAX (or one number), 1 <= MIN <= MAX.
    #[arg(long, default_value = "3-5", value_parser = parse_sites)]
    sites: [usize; 2],
    /// Clip width and height in pixels.
    #[arg(long, default_value_t = 320, value_parser = super::numbers::frame_side)]
    width: u32,
    #[arg(long, default_value_t = 240, value_parser = super::numbers::frame_side)]
    height: u32,
    /// Frames per second.
    #[arg(long, default_value_t = 25.0, value_parser = super::numbers::positive)]
    fps: f64,
    /// Clip duration in seconds (quality grading wants at least 3 s of registered video,
    /// Massey 2013; 4 s leaves room for the frames registration drops).
    #[arg(long, default_value_t = 4.0, value_parser = super::numbers::positive)]
    duration: f64,
    /// Planted thresholds (µg/kg/min) for the perfused share, the continuous share and the
    /// site spread, as PPV,MFI,HI.
    #[arg(long, default_value = "0.71,0.80,0.72", value_parser = parse_thresholds)]
    thresholds: [f64; 3],
    /// Clip format: ffv1-avi, h264-mp4, mpeg4-mp4, ffv1-mkv, ...
    #[arg(long, default_value = "ffv1-avi", value_parser = parse_format)]
    format: VideoFormat,
}

/// `MIN-MAX` sites per patient (or one number for both), 1 <= MIN <= MAX.
fn parse_sites(text: &str) -> Result<[usize; 2], String> {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let number = |t: &str| {
        t.trim()
            .parse::<usize>()
            .map_err(|_| format!("{text:?}: expected MIN-MAX, two whole numbers"))
    };
    let (min, max) = (number(a)?, number(b)?);
    if min == 0 || min > max {
        return Err(format!("{text:?}: need 1 <= MIN <= MAX"));
    }
    Ok([min, max])
}

/// `PPV,MFI,HI`: three positive planted thresholds (µg/kg/min).
fn parse_thresholds(text: &str) -> Result<[f64; 3], String> {
    let values = text
        .split(',')
        .map(super::numbers::positive)
        .collect::<Result<Vec<f64>, String>>()
        .map_err(|e| format!("{text:?}: {e}"))?;
    values
        .try_into()
        .map_err(|_| format!("{text:?}: expected three numbers PPV,MFI,HI"))
}

/// A clip format name ([`VideoFormat::from_name`]).
fn parse_format(name: &str) -> Result<VideoFormat, String> {
    VideoFormat::from_name(name).ok_or_else(|| {
        format!("unknown clip format {name:?}: use ffv1-avi, h264-mp4, mpeg4-mp4, ffv1-mkv, ...")
    })
}

/// Runs `mcvideo synth-study`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let [ppv, mfi, hi] = args.thresholds;
    let format = args.format;
    let params = StudyParams {
        patients: args.patients,
        seed: args.seed,
        sites: args.sites,
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

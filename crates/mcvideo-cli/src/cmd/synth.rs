//! `mcvideo synth --out DIR --seed N ...`: a synthetic clip with its ground truth.

use anyhow::Context;
use mcvideo_encode::VideoFormat;
use mcvideo_synth::{Polarity, SynthParams};
use std::path::PathBuf;

/// Arguments of `mcvideo synth`. Options left out keep the values of `--params` (if given)
/// or the defaults.
#[derive(clap::Args)]
pub struct Args {
    /// Folder to write `<name>.<ext>` and `<name>.truth.json` into.
    #[arg(long)]
    out: PathBuf,
    /// Random seed (same seed, same clip); default 0, or the seed of `--params`.
    #[arg(long)]
    seed: Option<u64>,
    /// Base name of the files (default `synth-<seed>`).
    #[arg(long)]
    name: Option<String>,
    /// Start from these parameters: a JSON SynthParams object or a truth file's `params`.
    #[arg(long, value_name = "FILE.json")]
    params: Option<PathBuf>,
    /// Start from a preset instead of the defaults: low-snr (faint diffuse cells near the
    /// noise, 425x110 at 120 fps and 0.77 µm/px, slow dense flow, bright polarity) or cytocam
    /// (2208x1648 at 0.71 µm/px, blurred low-contrast capillaries).
    #[arg(long, value_parser = parse_preset, conflicts_with = "params", value_name = "NAME")]
    preset: Option<fn() -> SynthParams>,
    /// Which is bright: dark (dark field: dark vessels on bright tissue) or bright
    /// (negative-contrast fluorescence: bright plasma, dark cell shadows, dark tissue).
    #[arg(long, value_parser = parse_polarity)]
    polarity: Option<Polarity>,
    /// Multiplier of the red cells' absorbance (1 crisp dark-field cells, 0.2 faint).
    #[arg(long, value_parser = super::numbers::non_negative)]
    cell_contrast: Option<f64>,
    /// Extra blur of the red cells only, Gaussian sigma in px (diffuse cells).
    #[arg(long, value_name = "PX", value_parser = super::numbers::non_negative)]
    cell_blur: Option<f64>,
    /// Optical blur of the whole image, Gaussian sigma in px (default 0.7).
    #[arg(long, value_name = "PX", value_parser = super::numbers::non_negative)]
    blur: Option<f64>,
    /// Multiplier of the signal-dependent (shot) noise variance (1 typical, 6 photon-starved).
    #[arg(long, value_parser = super::numbers::non_negative)]
    shot_noise: Option<f64>,
    /// Clip format: ffv1 (lossless AVI, default), h264 (MP4; MPEG-4 if libx264 is missing),
    /// mpeg4, mjpeg, rawvideo, dv, mkv, mha (CytoCam's MetaImage export, raw; the scale in
    /// its header), mha-zlib (compressed), or a full name such as h264-mov.
    #[arg(long, default_value = "ffv1", value_parser = parse_format)]
    format: VideoFormat,
    /// Frame width in pixels.
    #[arg(long, value_parser = super::numbers::frame_side)]
    width: Option<u32>,
    /// Frame height in pixels.
    #[arg(long, value_parser = super::numbers::frame_side)]
    height: Option<u32>,
    /// Frames per second.
    #[arg(long, value_parser = super::numbers::positive)]
    fps: Option<f64>,
    /// Duration in seconds (short clips degrade the duration grade).
    #[arg(long, value_parser = super::numbers::positive)]
    duration: Option<f64>,
    /// Scale in µm per pixel.
    #[arg(long, value_parser = super::numbers::um_per_px)]
    um_per_px: Option<f64>,
    /// Sensor noise multiplier (1 typical, 0 none, 3 very noisy).
    #[arg(long, value_parser = super::numbers::non_negative)]
    noise: Option<f64>,
    /// Extra defocus blur, Gaussian sigma in px (2.5 when given without a value).
    #[arg(long, num_args = 0..=1, default_missing_value = "2.5", value_parser = super::numbers::non_negative)]
    defocus: Option<f64>,
    /// Too dark: illumination 0.3.
    #[arg(long, conflicts_with_all = ["saturated", "illumination"])]
    dark: bool,
    /// Saturated: illumination 1.9.
    #[arg(long, conflicts_with = "illumination")]
    saturated: bool,
    /// Light-source gain (1 well exposed).
    #[arg(long, value_parser = super::numbers::non_negative)]
    illumination: Option<f64>,
    /// Unstable probe: motion x6 and 3 sudden jumps.
    #[arg(long)]
    shake: bool,
    /// Camera motion multiplier (1 a steady hand).
    #[arg(long, value_parser = super::numbers::non_negative)]
    motion: Option<f64>,
    /// Number of sudden jumps of the field.
    #[arg(long)]
    jumps: Option<usize>,
    /// Interlaced, as an analog capture: rendered at twice the rate, each pair of images woven
    /// into one frame (bottom field first). Use with `--format dv`, the format that says so.
    #[arg(long)]
    interlaced: bool,
    /// Shares of flow classes 0,1,2,3 (none, intermittent, sluggish, continuous) among capillaries.
    #[arg(long, value_parser = parse_flow_mix, value_name = "A,B,C,D")]
    flow_mix: Option<[f64; 4]>,
    /// Capillary density target in mm/mm².
    #[arg(long, value_parser = super::numbers::non_negative)]
    density: Option<f64>,
    /// Number of venules.
    #[arg(long)]
    venules: Option<usize>,
    /// Out-of-focus deeper vessels (faint, blurred, not in the truth).
    #[arg(long)]
    deep_vessels: Option<usize>,
    /// Print the truth JSON on stdout instead of the summary.
    #[arg(long)]
    json: bool,
}

/// The clip format named on the command line (a bad name is a command-line error: exit 2).
fn parse_format(name: &str) -> Result<VideoFormat, String> {
    Ok(match name {
        "ffv1" | "avi" => VideoFormat::Ffv1Avi,
        "h264" | "mp4" => VideoFormat::H264Mp4,
        "mpeg4" => VideoFormat::Mpeg4Mp4,
        "mjpeg" => VideoFormat::MjpegAvi,
        "rawvideo" | "raw" => VideoFormat::RawvideoAvi,
        "dv" => VideoFormat::DvAvi,
        "mkv" => VideoFormat::Ffv1Mkv,
        "mov" => VideoFormat::H264Mov,
        other => {
            return VideoFormat::from_name(other).ok_or_else(|| {
                format!(
                "unknown format {other:?}: use ffv1, h264, mpeg4, mjpeg, rawvideo, dv, mkv, mov, mha, mha-zlib"
            )
            })
        }
    })
}

/// The preset named on the command line.
fn parse_preset(name: &str) -> Result<fn() -> SynthParams, String> {
    match name {
        "low-snr" | "low_snr" => Ok(SynthParams::low_snr),
        "cytocam" => Ok(SynthParams::cytocam),
        other => Err(format!("unknown preset {other:?}: use low-snr or cytocam")),
    }
}

/// The polarity named on the command line.
fn parse_polarity(name: &str) -> Result<Polarity, String> {
    match name {
        "dark" => Ok(Polarity::Dark),
        "bright" => Ok(Polarity::Bright),
        other => Err(format!("unknown polarity {other:?}: use dark or bright")),
    }
}

/// Four non-negative shares `a,b,c,d` (a bad value is a command-line error: exit 2).
fn parse_flow_mix(text: &str) -> Result<[f64; 4], String> {
    let values: Vec<f64> = text
        .split(',')
        .map(|v| v.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{text:?}: {e}"))?;
    let mix: [f64; 4] = values
        .try_into()
        .map_err(|_| format!("{text:?}: give four shares a,b,c,d for classes 0,1,2,3"))?;
    if mix.iter().any(|v| !(v.is_finite() && *v >= 0.0)) || mix.iter().sum::<f64>() <= 0.0 {
        return Err(format!(
            "{text:?}: shares must be non-negative with a positive sum"
        ));
    }
    Ok(mix)
}

/// The parameters: `--params` or defaults, then each option given.
fn build_params(args: &Args) -> anyhow::Result<SynthParams> {
    let mut p = match &args.params {
        None => args
            .preset
            .map_or_else(SynthParams::default, |preset| preset()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the parameters", path.display()))?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{}: not JSON", path.display()))?;
            let inner = value.get("params").cloned().unwrap_or(value);
            serde_json::from_value(inner)
                .with_context(|| format!("{}: not a SynthParams object", path.display()))?
        }
    };
    if let Some(seed) = args.seed {
        p.seed = seed;
    }
    let set = |target: &mut f64, value: Option<f64>| {
        if let Some(v) = value {
            *target = v;
        }
    };
    if let Some(w) = args.width {
        p.width = w;
    }
    if let Some(h) = args.height {
        p.height = h;
    }
    set(&mut p.fps, args.fps);
    set(&mut p.duration_s, args.duration);
    set(&mut p.um_per_px, args.um_per_px);
    set(&mut p.noise, args.noise);
    set(&mut p.defocus_px, args.defocus);
    set(&mut p.illumination, args.illumination);
    set(&mut p.capillary_density_mm_per_mm2, args.density);
    set(&mut p.cell_contrast, args.cell_contrast);
    set(&mut p.cell_blur_px, args.cell_blur);
    set(&mut p.blur_px, args.blur);
    set(&mut p.shot_noise, args.shot_noise);
    if let Some(polarity) = args.polarity {
        p.polarity = polarity;
    }
    if args.dark {
        p.illumination = 0.3;
    }
    if args.saturated {
        p.illumination = 1.9;
    }
    if args.shake {
        p.motion = 6.0;
        p.jumps = 3;
    }
    set(&mut p.motion, args.motion);
    if let Some(j) = args.jumps {
        p.jumps = j;
    }
    if args.interlaced {
        p.interlaced = true;
    }
    if let Some(v) = args.venules {
        p.venules = v;
    }
    if let Some(d) = args.deep_vessels {
        p.deep_vessels = d;
    }
    if let Some(mix) = args.flow_mix {
        p.flow_mix = mix;
    }
    p.validate()?;
    Ok(p)
}

/// Runs `mcvideo synth`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let format = args.format;
    let params = build_params(&args)?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("synth-{}", params.seed));
    let out = mcvideo_synth::write_clip(&params, &args.out, &name, format)
        .with_context(|| format!("writing the synthetic clip into {}", args.out.display()))?;
    if let Some(note) = &out.note {
        eprintln!("note: {note}");
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out.truth)?);
        return Ok(());
    }
    let t = &out.truth;
    let m = &t.metrics;
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.2}"));
    println!(
        "clip:  {} ({}, {} frames, {}x{}, {} fps)",
        out.clip_path.display(),
        out.format.name(),
        t.frames,
        t.width,
        t.height,
        t.fps
    );
    println!("truth: {}", out.truth_path.display());
    println!(
        "{} vessel segments; TVD {:.2} mm/mm², PVD {:.2} mm/mm², PPV {}%, MFI {}",
        t.vessels.len(),
        m.tvd_mm_per_mm2,
        m.pvd_mm_per_mm2,
        opt(m.ppv_pct),
        opt(m.mfi)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn params(line: &[&str]) -> anyhow::Result<SynthParams> {
        let cli = Cli::try_parse_from(["synth", "--out", "x"].iter().chain(line))?;
        build_params(&cli.args)
    }

    #[test]
    fn presets_and_regime_flags_set_the_parameters() {
        assert_eq!(params(&[]).unwrap(), SynthParams::default());
        let p = params(&["--preset", "low-snr", "--seed", "4"]).unwrap();
        assert_eq!(
            p,
            SynthParams {
                seed: 4,
                ..SynthParams::low_snr()
            }
        );
        let p = params(&["--preset", "cytocam", "--width", "640"]).unwrap();
        assert_eq!((p.width, p.height, p.um_per_px), (640, 1648, 0.71));
        let p = params(&[
            "--polarity",
            "bright",
            "--cell-contrast",
            "0.3",
            "--cell-blur",
            "2",
            "--blur",
            "1.6",
            "--shot-noise",
            "5",
        ])
        .unwrap();
        assert_eq!(p.polarity, Polarity::Bright);
        assert_eq!(
            (p.cell_contrast, p.cell_blur_px, p.blur_px, p.shot_noise),
            (0.3, 2.0, 1.6, 5.0)
        );
        let p = params(&["--preset", "low-snr", "--polarity", "dark"]).unwrap();
        assert_eq!(p.polarity, Polarity::Dark);
    }

    #[test]
    fn bad_regime_values_are_refused() {
        assert!(params(&["--preset", "sdf"]).is_err());
        assert!(params(&["--polarity", "inverted"]).is_err());
        assert!(params(&["--preset", "cytocam", "--params", "a.json"]).is_err());
        let err = params(&["--cell-contrast=-1"]).unwrap_err().to_string();
        assert!(err.contains("cell-contrast"), "{err}");
    }
}

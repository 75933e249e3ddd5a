//! The options that tune scoring on every clip command: `--params FILE.toml` and `--polarity`,
//! and how they combine with the defaults (explicit options win over the file).

use mcvideo_score::{PolarityChoice, ScoreParams};
use std::path::PathBuf;

/// `--polarity`: which way round the vessels are.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    /// Decide from the clip.
    Auto,
    /// Vessels darker than the tissue (dark field).
    Dark,
    /// Vessels brighter than the tissue (fluorescence with negative contrast).
    Bright,
}

impl Polarity {
    /// The pipeline's setting.
    pub fn choice(self) -> PolarityChoice {
        match self {
            Polarity::Auto => PolarityChoice::Auto,
            Polarity::Dark => PolarityChoice::Dark,
            Polarity::Bright => PolarityChoice::Bright,
        }
    }
}

/// `--params` and `--polarity`, flattened into `score`, `inspect` and `batch`.
#[derive(clap::Args, Debug, Clone)]
pub struct TuningArgs {
    /// A TOML file of scoring parameters (any subset of `mcvideo score --print-params`);
    /// options given on the command line override it.
    #[arg(long, value_name = "FILE.toml")]
    pub params: Option<PathBuf>,
    /// Vessels darker (dark field) or brighter (negative-contrast fluorescence) than the
    /// tissue, or decided from each clip [default: auto].
    #[arg(long, value_enum)]
    pub polarity: Option<Polarity>,
}

impl TuningArgs {
    /// The defaults with the parameter file laid over them and `--polarity` over that.
    pub fn params(&self) -> anyhow::Result<ScoreParams> {
        let mut params = match &self.params {
            // The error names the file and, for a bad key or value, the key and its line.
            Some(path) => ScoreParams::from_toml_file(path)?,
            None => ScoreParams::default(),
        };
        if let Some(p) = self.polarity {
            params.polarity = p.choice();
        }
        Ok(params)
    }
}

/// The options of `score` and `batch` that set single scoring parameters over `--params`.
#[derive(clap::Args, Debug, Clone)]
pub struct ScoringArgs {
    /// Vessels with a diameter below this are small (µm) [default: 20].
    #[arg(long, value_parser = super::numbers::positive)]
    pub small_vessel_cutoff_um: Option<f64>,
    /// Flowing vessels slower than this are sluggish, faster ones continuous (µm/s)
    /// [default: 300].
    #[arg(long, value_parser = super::numbers::positive)]
    pub sluggish_below_um_s: Option<f64>,
    /// Interlaced video (analog capture, DV): analyse whole frames, or split each frame into
    /// its two fields at twice the rate (more fast vessels get a measured speed)
    /// [default: frames].
    #[arg(long, value_enum)]
    pub fields: Option<super::fields::Fields>,
    /// Memory the scoring may use, e.g. 600M or 2G (a batch shares it among its jobs)
    /// [default: the available memory, shared among the jobs].
    #[arg(long, value_parser = super::numbers::memory_budget)]
    pub memory_budget: Option<u64>,
}

impl ScoringArgs {
    /// Lays the options given over `params`.
    pub fn apply(&self, params: &mut ScoreParams) {
        if let Some(fields) = self.fields {
            params.fields = fields.mode();
        }
        if let Some(cutoff) = self.small_vessel_cutoff_um {
            params.vessels.small_vessel_cutoff_um = cutoff;
        }
        if let Some(sluggish) = self.sluggish_below_um_s {
            params.flow.rule.sluggish_below_um_s = sluggish;
        }
        if let Some(budget) = self.memory_budget {
            params.memory_budget_bytes = Some(budget);
        }
    }
}

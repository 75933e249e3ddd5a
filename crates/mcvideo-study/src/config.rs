//! The study config (`study.toml`): which table, which columns, which cutoffs. Unknown keys are errors.

use crate::error::{Result, StudyError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The whole config. Paths are relative to the config file's folder.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StudyConfig {
    /// Report title.
    #[serde(default = "default_title")]
    pub title: String,
    /// Input tables.
    pub data: DataConfig,
    /// The dose column (e.g. `ne_dose`).
    pub dose: String,
    /// Microcirculation outcomes: correlations, regressions, GAM thresholds, change analysis.
    pub outcomes: Vec<String>,
    /// Further variables correlated with and regressed on the dose (e.g. `lactate`); no threshold.
    #[serde(default)]
    pub secondary: Vec<String>,
    /// Covariates of the adjusted models (regressions, GAM, segmented, RCS, Cox).
    #[serde(default)]
    pub covariates: Vec<String>,
    /// Display names of columns, e.g. `{ ne_dose = "NE dose (µg/kg/min)" }`; units written in
    /// ASCII (`ug/kg/min`, `mm/mm2`) are typeset when the config is read.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The baseline table.
    pub baseline: BaselineConfig,
    /// Correlation options.
    #[serde(default)]
    pub correlation: CorrelationConfig,
    /// GAM / segmented / RCS options.
    #[serde(default)]
    pub threshold: ThresholdConfig,
    /// Kaplan–Meier and Cox.
    pub survival: SurvivalConfig,
    /// The Day-to-Day change analysis (optional).
    pub change: Option<ChangeConfig>,
}

fn default_title() -> String {
    "Norepinephrine dose, sublingual microcirculation and mortality".to_string()
}

/// Where the data are.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// The clinical table (CSV, one row per patient, or per patient and day with a day column).
    pub clinical: PathBuf,
    /// Optional `patients.csv` of `mcvideo batch`, joined by patient and day.
    pub batch: Option<PathBuf>,
    /// Patient id column (in both tables).
    #[serde(default = "default_patient")]
    pub patient_column: String,
    /// Day column; a table without it holds `main_day` only.
    #[serde(default = "default_day")]
    pub day_column: String,
    /// The day of the main (cross-sectional) analysis.
    #[serde(default = "default_main_day")]
    pub main_day: i64,
}

fn default_patient() -> String {
    "patient".to_string()
}
fn default_day() -> String {
    "day".to_string()
}
fn default_main_day() -> i64 {
    1
}

/// The baseline table split at a dose cutoff.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineConfig {
    /// Group cutoff: dose > cutoff is the high-dose group.
    pub cutoff: f64,
    /// Variables of the table (numeric; 0/1 columns are tested as categories).
    pub variables: Vec<String>,
    /// Further variables to treat as categorical.
    #[serde(default)]
    pub categorical: Vec<String>,
}

/// Correlation kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CorrelationKind {
    /// Spearman rank correlation (the paper's).
    #[default]
    Spearman,
    /// Pearson correlation.
    Pearson,
}

/// Correlation options.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CorrelationConfig {
    /// Spearman (default) or Pearson.
    #[serde(default)]
    pub kind: CorrelationKind,
}

/// GAM, segmented and RCS options.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdConfig {
    /// Spline basis `tp` or `cr`.
    #[serde(default = "default_basis")]
    pub basis: String,
    /// Basis dimension.
    #[serde(default = "default_k")]
    pub k: usize,
    /// RCS knots.
    #[serde(default = "default_knots")]
    pub rcs_knots: usize,
    /// Bootstrap resamples of the threshold CI (0–100000).
    #[serde(default = "default_boot")]
    pub bootstrap: usize,
    /// Bootstrap seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The outcome whose GAM threshold is the survival cutoff `"threshold"` (the paper: MFI).
    pub primary: Option<String>,
}

fn default_basis() -> String {
    "tp".to_string()
}
fn default_k() -> usize {
    10
}
fn default_knots() -> usize {
    4
}
fn default_boot() -> usize {
    1000
}
fn default_seed() -> u64 {
    2026
}

impl Default for ThresholdConfig {
    fn default() -> Self {
        ThresholdConfig {
            basis: default_basis(),
            k: default_k(),
            rcs_knots: default_knots(),
            bootstrap: default_boot(),
            seed: default_seed(),
            primary: None,
        }
    }
}

/// One survival horizon (e.g. 28 days).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Horizon {
    /// Label, e.g. `28-day`.
    pub label: String,
    /// Follow-up time column.
    pub time: String,
    /// Event column (1 = death).
    pub event: String,
}

/// A survival cutoff: a number or `"threshold"` (the GAM threshold of the primary outcome).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Cutoff {
    /// A fixed dose.
    Value(f64),
    /// The GAM threshold found.
    Threshold,
}

impl<'de> Deserialize<'de> for Cutoff {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(f64),
            Text(String),
        }
        match Raw::deserialize(d) {
            Ok(Raw::Num(v)) => Ok(Cutoff::Value(v)),
            Ok(Raw::Text(t)) if t == "threshold" => Ok(Cutoff::Threshold),
            _ => Err(serde::de::Error::custom(
                "a cutoff is a number or the string \"threshold\"",
            )),
        }
    }
}

/// Ties method of the Cox model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Ties {
    /// Efron (R's default).
    #[default]
    Efron,
    /// Breslow.
    Breslow,
}

/// Kaplan–Meier and Cox.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SurvivalConfig {
    /// Horizons, e.g. 28 and 90 days.
    pub horizons: Vec<Horizon>,
    /// Dose cutoffs (dose > cutoff = high), e.g. `[0.5, "threshold"]`.
    pub cutoffs: Vec<Cutoff>,
    /// Cox ties.
    #[serde(default)]
    pub ties: Ties,
    /// Days at which the survival of each group is reported with its CI (default 28 and 90).
    #[serde(default = "default_times")]
    pub times: Vec<f64>,
}

fn default_times() -> Vec<f64> {
    vec![28.0, 90.0]
}

/// The change analysis: Δ = value on `day_to` − value on `day_from`, per patient.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeConfig {
    /// First day.
    pub day_from: i64,
    /// Second day.
    pub day_to: i64,
    /// Variables whose change is related to the dose change (default: outcomes and secondary).
    #[serde(default)]
    pub variables: Vec<String>,
}

/// A complete config with every key explained, as `mcvideo analyze --example-config` prints it.
///
/// ```
/// use mcvideo_study::config::{StudyConfig, EXAMPLE_CONFIG};
/// let c = StudyConfig::from_toml(EXAMPLE_CONFIG, "example.toml".as_ref()).unwrap();
/// assert_eq!(c.survival.times, vec![28.0, 90.0]);
/// assert!(c.change.is_some());
/// ```
pub const EXAMPLE_CONFIG: &str = include_str!("example_config.toml");

/// `base/p`, canonical when it exists.
fn resolve(base: &Path, p: &Path) -> PathBuf {
    let joined = base.join(p);
    std::fs::canonicalize(&joined).unwrap_or(joined)
}

impl StudyConfig {
    /// Parses TOML text; `path` names the file in errors.
    ///
    /// ```
    /// use mcvideo_study::config::StudyConfig;
    /// let text = r#"
    /// dose = "ne_dose"
    /// outcomes = ["mfi"]
    /// [data]
    /// clinical = "cohort.csv"
    /// [baseline]
    /// cutoff = 0.5
    /// variables = ["mfi"]
    /// [survival]
    /// horizons = [{ label = "28-day", time = "time28", event = "death28" }]
    /// cutoffs = [0.5, "threshold"]
    /// "#;
    /// let config = StudyConfig::from_toml(text, "study.toml".as_ref()).unwrap();
    /// assert_eq!(config.dose, "ne_dose");
    /// assert_eq!(config.threshold.k, 10);
    /// let err = StudyConfig::from_toml(&text.replace("dose =", "dosse ="), "study.toml".as_ref()).unwrap_err();
    /// assert!(err.to_string().contains("unknown field `dosse`"));
    /// ```
    pub fn from_toml(text: &str, path: &Path) -> Result<StudyConfig> {
        let config: StudyConfig = toml::from_str(text).map_err(|e| StudyError::Config {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', "\n  "),
        })?;
        config.validate(path)?;
        // Units are typeset once here, so every table, caption and figure shows µg and mm².
        let mut config = config;
        for label in config.labels.values_mut() {
            *label = crate::figures::typeset_units(label);
        }
        Ok(config)
    }

    /// Reads and parses a config file; relative data paths are resolved against its folder.
    pub fn from_path(path: &Path) -> Result<StudyConfig> {
        let text = std::fs::read_to_string(path).map_err(|cause| StudyError::Io {
            path: path.to_path_buf(),
            action: "cannot read the config",
            cause,
        })?;
        let mut config = StudyConfig::from_toml(&text, path)?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        // Canonical paths read better in the report; a file that does not exist is reported later.
        config.data.clinical = resolve(base, &config.data.clinical);
        config.data.batch = config.data.batch.as_deref().map(|b| resolve(base, b));
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let bad = |key: &str, problem: String| StudyError::ConfigValue {
            path: path.to_path_buf(),
            key: key.to_string(),
            problem,
        };
        if self.outcomes.is_empty() {
            return Err(bad("outcomes", "lists no column".to_string()));
        }
        if !self.baseline.cutoff.is_finite() {
            return Err(bad("baseline.cutoff", "is not a finite number".to_string()));
        }
        if self.threshold.basis != "tp" && self.threshold.basis != "cr" {
            return Err(bad(
                "threshold.basis",
                format!("`{}` is not `tp` or `cr`", self.threshold.basis),
            ));
        }
        if !(3..=20).contains(&self.threshold.k) {
            return Err(bad(
                "threshold.k",
                format!("{} is not in 3..=20", self.threshold.k),
            ));
        }
        // The same bound as `stats --boot`: beyond it a run takes hours and its resamples'
        // storage overflows.
        if self.threshold.bootstrap > 100_000 {
            return Err(bad(
                "threshold.bootstrap",
                format!("{} is not in 0..=100000", self.threshold.bootstrap),
            ));
        }
        if !(3..=7).contains(&self.threshold.rcs_knots) {
            return Err(bad(
                "threshold.rcs_knots",
                format!("{} is not in 3..=7", self.threshold.rcs_knots),
            ));
        }
        if let Some(primary) = &self.threshold.primary
            && !self.outcomes.contains(primary)
        {
            return Err(bad(
                "threshold.primary",
                format!("`{primary}` is not one of `outcomes`"),
            ));
        }
        if self.survival.horizons.is_empty() {
            return Err(bad("survival.horizons", "lists no horizon".to_string()));
        }
        if let Some(t) = self
            .survival
            .times
            .iter()
            .find(|t| !(t.is_finite() && **t >= 0.0))
        {
            return Err(bad("survival.times", format!("{t} is not a time ≥ 0")));
        }
        for cutoff in &self.survival.cutoffs {
            if let Cutoff::Value(v) = cutoff
                && !v.is_finite()
            {
                return Err(bad("survival.cutoffs", format!("{v} is not finite")));
            }
        }
        if let Some(change) = &self.change
            && change.day_from == change.day_to
        {
            return Err(bad(
                "change.day_to",
                format!("equals change.day_from ({})", change.day_from),
            ));
        }
        Ok(())
    }

    /// The outcome whose GAM threshold defines the `"threshold"` cutoff: `threshold.primary`, else the first outcome.
    ///
    /// ```
    /// use mcvideo_study::config::StudyConfig;
    /// let text = "dose = \"d\"\noutcomes = [\"ppv\", \"mfi\"]\n[labels]\nd = \"NE dose\"\n[data]\nclinical = \"c.csv\"\n\
    ///             [baseline]\ncutoff = 0.5\nvariables = []\n[survival]\ncutoffs = [0.5]\n\
    ///             horizons = [{ label = \"28-day\", time = \"t\", event = \"e\" }]\n";
    /// let c = StudyConfig::from_toml(text, "s.toml".as_ref()).unwrap();
    /// assert_eq!(c.primary_outcome(), "ppv");
    /// assert_eq!((c.label("d"), c.label("mfi")), ("NE dose", "mfi"));
    /// assert_eq!(c.change_variables(), vec!["ppv", "mfi"]);
    /// ```
    pub fn primary_outcome(&self) -> &str {
        self.threshold
            .primary
            .as_deref()
            .unwrap_or(&self.outcomes[0])
    }

    /// The display name of a column (its label, else the name itself).
    pub fn label<'a>(&'a self, column: &'a str) -> &'a str {
        self.labels
            .get(column)
            .map(String::as_str)
            .unwrap_or(column)
    }

    /// Variables of the change analysis.
    pub fn change_variables(&self) -> Vec<String> {
        match &self.change {
            Some(c) if !c.variables.is_empty() => c.variables.clone(),
            _ => self
                .outcomes
                .iter()
                .chain(&self.secondary)
                .cloned()
                .collect(),
        }
    }
}

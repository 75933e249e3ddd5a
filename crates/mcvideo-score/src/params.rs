//! Everything that tunes one clip's scoring, with the defaults each stage documents, and its
//! TOML form: reading a (partial) parameter file, printing the defaults, a stable hash.

use crate::ScoreError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Which way round the vessels are (`--polarity`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PolarityChoice {
    /// Decide from the clip ([`mcvideo_vessels::polarity::polarity_of_frames`]).
    #[default]
    Auto,
    /// Vessels darker than the tissue (dark field).
    Dark,
    /// Vessels brighter than the tissue (fluorescence with negative contrast); the frames
    /// are inverted after decoding, so every stage sees dark vessels.
    Bright,
}

/// Parameters of the whole pipeline. A parameter file holds any subset of these fields in
/// TOML (`[vessels]`, `[flow.rule]`, ...); fields it leaves out keep their defaults and
/// unknown keys are an error ([`ScoreParams::from_toml_str`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreParams {
    /// Device preset name (`--device`).
    pub device: Option<String>,
    /// Explicit scale (`--um-per-px`), overriding the preset.
    pub um_per_px: Option<f64>,
    /// Vessels darker or brighter than the tissue, or decided per clip (`--polarity`).
    pub polarity: PolarityChoice,
    /// Registration.
    pub stabilize: mcvideo_stabilize::StabilizeParams,
    /// Quality grading.
    pub quality: mcvideo_quality::QualityParams,
    /// Vessel detection (holds the small-vessel cutoff).
    pub vessels: mcvideo_vessels::VesselParams,
    /// Red-cell flow and the flow-class rule.
    pub flow: mcvideo_flow::FlowParams,
    /// Vessel refinement once flow is known (split, inherited flow, joined stopped pieces).
    pub refine: crate::refine::RefineParams,
    /// Skip drawing the overlay (batch runs that do not want pictures).
    pub no_overlay: bool,
    /// FFmpeg decoder threads; 0 lets FFmpeg choose (one per core). A batch scores several
    /// clips at once and sets 1, so that `--jobs` alone decides how many cores are used.
    pub decode_threads: usize,
    /// Interlaced clips: analyse whole frames (default) or each field as an image of its own
    /// at twice the rate (`--fields split`).
    pub fields: mcvideo_decode::FieldMode,
    /// Memory one clip may use, in bytes (`--memory-budget`); none: the memory available
    /// when the clip starts. It decides how many vessels' space-time diagrams are sampled in
    /// one pass over the frames, and refuses a clip that cannot fit; results do not depend
    /// on it.
    pub memory_budget_bytes: Option<u64>,
}

/// Lays `over` onto `base`: tables merge key by key, any other value replaces.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

impl ScoreParams {
    /// Parses a parameter file's text: the defaults with the file's fields laid over them.
    ///
    /// A nested table that is only partly given keeps the pipeline's defaults for the rest
    /// (the flow stage's own `[flow.rule]` defaults differ from the bare rule's), and a key
    /// no parameter has is an error that names it.
    ///
    /// ```
    /// use mcvideo_score::ScoreParams;
    /// let p = ScoreParams::from_toml_str("polarity = \"bright\"\n[flow.rule]\nsluggish_below_um_s = 250\n").unwrap();
    /// assert_eq!(p.flow.rule.sluggish_below_um_s, 250.0);
    /// assert_eq!(p.flow.rule.no_flow_max_flowing_fraction, 0.03);
    /// assert_eq!(p.vessels, mcvideo_vessels::VesselParams::default());
    /// let err = ScoreParams::from_toml_str("[vessels]\nmin_diam = 3\n").unwrap_err();
    /// assert!(err.contains("unknown field `min_diam`"), "{err}");
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Self, String> {
        // Parsed on its own first, for the error messages (line, column and the key).
        toml::from_str::<ScoreParams>(text).map_err(|e| e.to_string().trim().to_string())?;
        let given: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut merged =
            toml::Table::try_from(ScoreParams::default()).map_err(|e| e.to_string())?;
        merge(&mut merged, given);
        let params: ScoreParams = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| e.to_string())?;
        params.validate()?;
        Ok(params)
    }

    /// Checks every number: finite everywhere; not negative (no parameter is a signed
    /// quantity); greater than zero where zero means nothing (scales, the velocity boundary,
    /// window lengths, Gaussian sigmas); at most 1 for shares, quantiles and correlations;
    /// `[optimal, acceptable]` limits in the order their grade needs. The error names the
    /// key as the parameter file writes it (`flow.rule.sluggish_below_um_s`).
    ///
    /// ```
    /// use mcvideo_score::ScoreParams;
    /// assert!(ScoreParams::default().validate().is_ok());
    /// let mut p = ScoreParams::default();
    /// p.flow.rule.sluggish_below_um_s = f64::NAN;
    /// assert!(p.validate().unwrap_err().starts_with("flow.rule.sluggish_below_um_s"));
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        let table = toml::Table::try_from(self).map_err(|e| e.to_string())?;
        check_numbers("", &toml::Value::Table(table))?;
        // Pairs whose first value is the optimal limit of a larger-is-better measure, and
        // pairs of a smaller-is-better one.
        let q = &self.quality;
        let descending = [
            ("quality.contrast", q.contrast),
            ("quality.duration_s", q.duration_s),
            ("quality.focus", q.focus),
            ("quality.valid_area_fraction", q.valid_area_fraction),
            ("quality.tvd_small_mm_per_mm2", q.tvd_small_mm_per_mm2),
        ];
        let ascending = [
            ("quality.brightness_optimal", q.brightness_optimal),
            ("quality.brightness_acceptable", q.brightness_acceptable),
            ("quality.dark_fraction", q.dark_fraction),
            ("quality.saturated_fraction", q.saturated_fraction),
            ("quality.movement_fraction", q.movement_fraction),
            ("quality.unregistered_fraction", q.unregistered_fraction),
            ("quality.blurred_fraction", q.blurred_fraction),
            ("quality.jump_fraction", q.jump_fraction),
            ("quality.looped_fraction", q.looped_fraction),
            ("quality.occluded_fraction", q.occluded_fraction),
            (
                "quality.impaired_venule_fraction",
                q.impaired_venule_fraction,
            ),
        ];
        for (key, [a, b]) in descending {
            if a < b {
                return Err(format!(
                    "{key} = [{a}, {b}]: the optimal limit must not be below the acceptable one"
                ));
            }
        }
        for (key, [a, b]) in ascending {
            if a > b {
                return Err(format!(
                    "{key} = [{a}, {b}]: the first limit must not exceed the second"
                ));
            }
        }
        let v = &self.vessels;
        if v.min_diameter_um > v.max_diameter_um {
            return Err(format!(
                "vessels.min_diameter_um = {} exceeds vessels.max_diameter_um = {}",
                v.min_diameter_um, v.max_diameter_um
            ));
        }
        if self.refine.join_max_diameter_ratio < 1.0 {
            return Err(format!(
                "refine.join_max_diameter_ratio = {}: must be at least 1",
                self.refine.join_max_diameter_ratio
            ));
        }
        if let Some(scale) = self.um_per_px {
            let (min, max) = mcvideo_calibration::UM_PER_PX_RANGE;
            if !(min..=max).contains(&scale) {
                return Err(format!(
                    "um_per_px = {scale}: not a plausible scale (expected {min} to {max} µm per pixel)"
                ));
            }
        }
        Ok(())
    }

    /// Reads a parameter file (`--params FILE.toml`).
    pub fn from_toml_file(path: &Path) -> Result<Self, ScoreError> {
        let error = |message: String| ScoreError::Params {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        Self::from_toml_str(&text).map_err(error)
    }

    /// The parameters as a TOML file that [`ScoreParams::from_toml_str`] reads back.
    /// Unset options (`device`, `um_per_px`, `stabilize.downsample`,
    /// `stabilize.refine_stride`) are left out; the header names them.
    pub fn to_toml(&self) -> Result<String, String> {
        let body = toml::to_string(self).map_err(|e| e.to_string())?;
        Ok(format!(
            "# mcvideo score parameters (a file may hold any subset; the rest keep these values).\n\
             # Optional keys not set here: device = \"cytocam\", um_per_px = 1.2,\n\
             # [stabilize] downsample = 2, refine_stride = 3 (chosen from the frame size when absent).\n\n{body}"
        ))
    }

    /// The parameters as canonical JSON: keys sorted, no spaces (the input of
    /// [`ScoreParams::sha256`]).
    pub fn canonical_json(&self) -> String {
        // serde_json's map keeps keys sorted (no `preserve_order`), so the text is canonical.
        serde_json::to_value(self)
            .map(|v| v.to_string())
            .unwrap_or_default()
    }

    /// SHA-256 of [`ScoreParams::canonical_json`], in hex: equal for equal parameters. The
    /// memory budget is left out: it schedules the work and never changes a result, so a
    /// batch resumed with another budget (or on another machine) reuses its scores.
    pub fn sha256(&self) -> String {
        let scheduling_free = ScoreParams {
            memory_budget_bytes: None,
            ..self.clone()
        };
        Sha256::digest(scheduling_free.canonical_json().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Keys (dotted, as the parameter file writes them) that must be greater than zero.
const POSITIVE_KEYS: [&str; 12] = [
    "um_per_px",
    "quality.um_per_px",
    "quality.focus_sigmas_um",
    "quality.sample_frames",
    "vessels.small_vessel_cutoff_um",
    "vessels.max_diameter_um",
    "vessels.min_diameter_um",
    "vessels.scale_ratio",
    "flow.window_s",
    "flow.max_lag",
    "flow.rule.sluggish_below_um_s",
    "stabilize.max_window",
];

/// Whether a key names a share, quantile or correlation (at most 1).
fn at_most_one(key: &str) -> bool {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    leaf.ends_with("_fraction")
        || leaf.ends_with("_quantile")
        || leaf.ends_with("_share")
        || matches!(
            leaf,
            "whitening"
                | "min_ncc"
                | "min_relative_ncc"
                | "min_correlation"
                | "episode_min_correlation"
                | "bridge_min_cos"
                | "fast_max_row_similarity"
                | "stop_min_persistence"
        )
        // Quality's fraction limits are checked with the rest of their pair.
        || (key.starts_with("quality.") && leaf.ends_with("fraction"))
}

/// Walks the parameters as TOML (which, unlike JSON, keeps NaN and infinities and leaves
/// unset options out), checking each number against its key's range.
fn check_numbers(key: &str, value: &toml::Value) -> Result<(), String> {
    let x = match value {
        toml::Value::Table(table) => {
            for (name, inner) in table {
                let path = if key.is_empty() {
                    name.clone()
                } else {
                    format!("{key}.{name}")
                };
                check_numbers(&path, inner)?;
            }
            return Ok(());
        }
        toml::Value::Array(items) => {
            return items.iter().try_for_each(|v| check_numbers(key, v));
        }
        toml::Value::Float(x) => *x,
        toml::Value::Integer(i) => *i as f64,
        _ => return Ok(()),
    };
    if !x.is_finite() {
        Err(format!("{key} = {x}: not a finite number"))
    } else if x < 0.0 {
        Err(format!("{key} = {x}: must not be negative"))
    } else if x == 0.0 && POSITIVE_KEYS.contains(&key) {
        Err(format!("{key} = 0: must be greater than 0"))
    } else if x > 1.0 && at_most_one(key) {
        Err(format!("{key} = {x}: a share, at most 1"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_defaults_read_back_as_the_defaults() {
        let text = ScoreParams::default().to_toml().unwrap();
        assert_eq!(
            ScoreParams::from_toml_str(&text).unwrap(),
            ScoreParams::default()
        );
        assert!(text.contains("[flow.rule]"), "{text}");
    }

    #[test]
    fn an_empty_file_is_the_defaults_and_options_read_back() {
        assert_eq!(
            ScoreParams::from_toml_str("").unwrap(),
            ScoreParams::default()
        );
        let p = ScoreParams::from_toml_str(
            "device = \"cytocam\"\nfields = \"split\"\n[stabilize]\ndownsample = 2\n",
        )
        .unwrap();
        assert_eq!(p.device.as_deref(), Some("cytocam"));
        assert_eq!(p.fields, mcvideo_decode::FieldMode::Split);
        assert_eq!(p.stabilize.downsample, Some(2));
        assert_eq!(p.stabilize.max_window, 256);
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_named() {
        let err = ScoreParams::from_toml_str("[flow.rule]\nsluggish = 3\n").unwrap_err();
        assert!(err.contains("sluggish"), "{err}");
        let err = ScoreParams::from_toml_str("polarity = \"purple\"\n").unwrap_err();
        assert!(err.contains("purple"), "{err}");
        let err = ScoreParams::from_toml_str("[vessels]\nmin_contrast = \"low\"\n").unwrap_err();
        assert!(err.contains("min_contrast"), "{err}");
    }

    #[test]
    fn out_of_range_values_are_named() {
        for (text, key) in [
            (
                "[flow.rule]\nsluggish_below_um_s = nan\n",
                "flow.rule.sluggish_below_um_s",
            ),
            (
                "[flow.rule]\nsluggish_below_um_s = -1\n",
                "flow.rule.sluggish_below_um_s",
            ),
            (
                "[flow.rule]\nsluggish_below_um_s = 0\n",
                "flow.rule.sluggish_below_um_s",
            ),
            (
                "[flow.rule]\nsluggish_below_um_s = inf\n",
                "flow.rule.sluggish_below_um_s",
            ),
            ("um_per_px = 0\n", "um_per_px"),
            ("um_per_px = 400\n", "um_per_px"),
            (
                "[vessels]\nsmall_vessel_cutoff_um = -20\n",
                "vessels.small_vessel_cutoff_um",
            ),
            ("[stabilize]\nmin_ncc = 1.5\n", "stabilize.min_ncc"),
            ("[quality]\nduration_s = [3.0, 5.0]\n", "quality.duration_s"),
            (
                "[quality]\nfocus_sigmas_um = [1.0, 0.0, 4.0]\n",
                "quality.focus_sigmas_um",
            ),
            (
                "[vessels]\nmin_diameter_um = 80\n",
                "vessels.min_diameter_um",
            ),
        ] {
            let err = ScoreParams::from_toml_str(text).unwrap_err();
            assert!(err.starts_with(key), "{text}: {err}");
        }
        // Zero where zero is meaningful stays allowed.
        let p = ScoreParams::from_toml_str("[vessels]\nmotion_evidence = 0\n").unwrap();
        assert_eq!(p.vessels.motion_evidence, 0.0);
    }

    #[test]
    fn the_hash_follows_the_values() {
        let a = ScoreParams::default();
        let mut b = a.clone();
        assert_eq!(a.sha256(), b.sha256());
        assert_eq!(a.sha256().len(), 64);
        b.vessels.min_contrast += 0.01;
        assert_ne!(a.sha256(), b.sha256());
    }
}

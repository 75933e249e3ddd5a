//! Everything that tunes one clip's scoring, with the defaults each stage documents, and its
//! TOML form: reading a (partial) parameter file, printing the defaults, a stable hash.

use crate::ScoreError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Which way round the vessels are (`--polarity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// Skip drawing the overlay (batch runs that do not want pictures).
    pub no_overlay: bool,
    /// FFmpeg decoder threads; 0 lets FFmpeg choose (one per core). A batch scores several
    /// clips at once and sets 1, so that `--jobs` alone decides how many cores are used.
    pub decode_threads: usize,
    /// Interlaced clips: analyse whole frames (default) or each field as an image of its own
    /// at twice the rate (`--fields split`).
    pub fields: mcvideo_decode::FieldMode,
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
        toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| e.to_string())
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

    /// SHA-256 of [`ScoreParams::canonical_json`], in hex: equal for equal parameters.
    pub fn sha256(&self) -> String {
        Sha256::digest(self.canonical_json().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
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
    fn the_hash_follows_the_values() {
        let a = ScoreParams::default();
        let mut b = a.clone();
        assert_eq!(a.sha256(), b.sha256());
        assert_eq!(a.sha256().len(), 64);
        b.vessels.min_contrast += 0.01;
        assert_ne!(a.sha256(), b.sha256());
    }
}

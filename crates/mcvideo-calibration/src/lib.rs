//! Microscope device presets and the micrometre-per-pixel scale of a clip.
//!
//! A handheld vital microscope images a fixed field of view onto its sensor; a clip exported
//! at `W` pixels across therefore has a scale of `field_of_view_width_um / W` µm per pixel.
//! Presets store the published field of view, so the same preset serves full-resolution and
//! downscaled exports. `--um-per-px` always overrides a preset, and a clip whose scale is
//! unknown is an error that asks for it: every density and velocity depends on it.
//!
//! ```
//! use mcvideo_calibration::{resolve, Device};
//! use std::path::Path;
//!
//! // MicroScan SDF: 940 µm field of view over a 720-pixel PAL frame.
//! let cal = resolve(Some("microscan"), None, Path::new("clip.avi"), 720).unwrap();
//! assert_eq!(cal.device.as_deref(), Some("MicroScan"));
//! assert!((cal.um_per_px - 940.0 / 720.0).abs() < 1e-12);
//!
//! // An explicit scale wins over the preset.
//! let cal = resolve(Some("cytocam"), Some(1.2), Path::new("clip.avi"), 720).unwrap();
//! assert_eq!(cal.um_per_px, 1.2);
//!
//! // No scale at all is a clear error naming the clip.
//! let err = resolve(None, None, Path::new("clip.avi"), 720).unwrap_err();
//! assert!(err.to_string().contains("clip.avi"));
//! assert_eq!(Device::from_name("Microsee V100").unwrap(), Device::MicroseeV100);
//! ```

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Smallest and largest plausible scales; outside them the number is almost surely a typo
/// (for example pixels per µm given instead of µm per pixel).
pub const UM_PER_PX_RANGE: (f64, f64) = (0.05, 50.0);

/// Errors of the calibration stage.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CalibrationError {
    /// Neither a device nor an explicit scale was given.
    #[error(
        "{path}: the image scale is unknown; pass --um-per-px X (micrometres per pixel) or \
         --device NAME (one of: {devices})"
    )]
    UnknownScale { path: PathBuf, devices: String },
    /// The device name matches no preset.
    #[error("unknown device '{name}'; known devices: {devices}")]
    UnknownDevice { name: String, devices: String },
    /// The explicit scale is not a plausible number.
    #[error("--um-per-px {value} is not a plausible scale (expected {min} to {max} µm per pixel)")]
    ImplausibleScale { value: f64, min: f64, max: f64 },
    /// The frame width is zero, so no preset scale can be derived.
    #[error("{path}: frame width is 0 pixels, cannot derive the scale from a device preset")]
    ZeroWidth { path: PathBuf },
}

/// A handheld vital microscope with a published field of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// MicroScan (MicroVision Medical), sidestream dark field, 5× objective.
    MicroScan,
    /// CytoCam (Braedius Medical), incident dark field.
    CytoCam,
    /// Microsee V100 (Medsoft, Guangzhou), sidestream dark field; the device of Dai et al. 2026.
    MicroseeV100,
}

impl Device {
    /// Every preset, in the order the help text lists them.
    pub const ALL: [Device; 3] = [Device::MicroScan, Device::CytoCam, Device::MicroseeV100];

    /// The display name.
    pub fn name(self) -> &'static str {
        match self {
            Device::MicroScan => "MicroScan",
            Device::CytoCam => "CytoCam",
            Device::MicroseeV100 => "Microsee V100",
        }
    }

    /// Width of the imaged field of view in micrometres.
    pub fn field_of_view_width_um(self) -> f64 {
        match self {
            // Goedhart PT et al. Sidestream Dark Field (SDF) imaging: a novel stroboscopic
            // LED ring-based imaging modality. Opt Express 2007;15:15101-14: 0.94 x 0.75 mm
            // field with the 5x objective, recorded as 720 x 576 PAL video (1.31 µm/px).
            Device::MicroScan => 940.0,
            // Aykut G et al. Cytocam-IDF imaging for bedside monitoring of the
            // microcirculation. Intensive Care Med Exp 2015;3:4; and Hutchings S et al. BMC
            // Med Imaging 2015;15:59: field of view 1.55 x 1.16 mm.
            Device::CytoCam => 1550.0,
            // No calibration has been published for the Microsee V100. It is an SDF device
            // built to the MicroScan design (5x optics), so its field is assumed equal to
            // MicroScan's; `Calibration::note` says so. Measure a stage micrometre and pass
            // --um-per-px for quantitative work.
            Device::MicroseeV100 => 940.0,
        }
    }

    /// Whether the preset rests on an assumption rather than a published number.
    pub fn is_assumed(self) -> bool {
        matches!(self, Device::MicroseeV100)
    }

    /// Parses a device name, ignoring case, spaces, dashes and underscores.
    pub fn from_name(name: &str) -> Result<Device, CalibrationError> {
        let key: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match key.as_str() {
            "microscan" | "sdf" => Ok(Device::MicroScan),
            "cytocam" | "idf" => Ok(Device::CytoCam),
            "microseev100" | "microsee" | "v100" => Ok(Device::MicroseeV100),
            _ => Err(CalibrationError::UnknownDevice {
                name: name.to_string(),
                devices: device_list(),
            }),
        }
    }
}

/// The scale applied to a clip, as the score JSON reports it (`calibration`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Calibration {
    /// Device preset name, when one was given.
    pub device: Option<String>,
    /// Micrometres per pixel.
    pub um_per_px: f64,
    /// Where the scale came from: `"--um-per-px"`, `"file header"` (a MetaImage clip's
    /// `ElementSpacing`) or `"preset"`.
    pub source: String,
    /// A caveat the user should see, e.g. an assumed preset.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

fn device_list() -> String {
    Device::ALL
        .iter()
        .map(|d| d.name().to_lowercase().replace(' ', "-"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Resolves the scale of the clip at `clip` whose frames are `frame_width` pixels wide.
///
/// An explicit `um_per_px` wins; otherwise the device preset's field of view is divided by the
/// frame width. Neither given is [`CalibrationError::UnknownScale`].
pub fn resolve(
    device: Option<&str>,
    um_per_px: Option<f64>,
    clip: &Path,
    frame_width: u32,
) -> Result<Calibration, CalibrationError> {
    let device = device.map(Device::from_name).transpose()?;
    if let Some(value) = um_per_px {
        let (min, max) = UM_PER_PX_RANGE;
        if !(value.is_finite() && (min..=max).contains(&value)) {
            return Err(CalibrationError::ImplausibleScale { value, min, max });
        }
        return Ok(Calibration {
            device: device.map(|d| d.name().to_string()),
            um_per_px: value,
            source: "--um-per-px".to_string(),
            note: None,
        });
    }
    let Some(device) = device else {
        return Err(CalibrationError::UnknownScale {
            path: clip.to_path_buf(),
            devices: device_list(),
        });
    };
    if frame_width == 0 {
        return Err(CalibrationError::ZeroWidth {
            path: clip.to_path_buf(),
        });
    }
    let note = device.is_assumed().then(|| {
        format!(
            "{} has no published calibration; assumed a {:.0} µm wide field like MicroScan. \
             Pass --um-per-px from a stage micrometre for quantitative work.",
            device.name(),
            device.field_of_view_width_um()
        )
    });
    Ok(Calibration {
        device: Some(device.name().to_string()),
        um_per_px: device.field_of_view_width_um() / f64::from(frame_width),
        source: "preset".to_string(),
        note,
    })
}

/// [`resolve`] for a clip whose file states its own scale (`header_um_per_px`, e.g. a
/// MetaImage `ElementSpacing`): an explicit `um_per_px` wins, then the file's scale, then the
/// device preset.
///
/// ```
/// use std::path::Path;
/// let c = mcvideo_calibration::resolve_with_header(None, None, Some(0.71), Path::new("a.mha"), 2208).unwrap();
/// assert_eq!((c.um_per_px, c.source.as_str()), (0.71, "file header"));
/// let c = mcvideo_calibration::resolve_with_header(None, Some(1.0), Some(0.71), Path::new("a.mha"), 2208).unwrap();
/// assert_eq!((c.um_per_px, c.source.as_str()), (1.0, "--um-per-px"));
/// ```
pub fn resolve_with_header(
    device: Option<&str>,
    um_per_px: Option<f64>,
    header_um_per_px: Option<f64>,
    clip: &Path,
    frame_width: u32,
) -> Result<Calibration, CalibrationError> {
    match (um_per_px, header_um_per_px) {
        (None, Some(value)) => {
            let (min, max) = UM_PER_PX_RANGE;
            if !(value.is_finite() && (min..=max).contains(&value)) {
                return Err(CalibrationError::ImplausibleScale { value, min, max });
            }
            let device = device.map(Device::from_name).transpose()?;
            Ok(Calibration {
                device: device.map(|d| d.name().to_string()),
                um_per_px: value,
                source: "file header".to_string(),
                note: None,
            })
        }
        _ => resolve(device, um_per_px, clip, frame_width),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_loosely() {
        for name in ["MicroScan", "micro-scan", "MICROSCAN", "sdf"] {
            assert_eq!(Device::from_name(name).unwrap(), Device::MicroScan);
        }
        for name in ["CytoCam", "cyto_cam", "idf"] {
            assert_eq!(Device::from_name(name).unwrap(), Device::CytoCam);
        }
        for name in ["microsee-v100", "Microsee V100", "v100"] {
            assert_eq!(Device::from_name(name).unwrap(), Device::MicroseeV100);
        }
        assert!(matches!(
            Device::from_name("hamamatsu"),
            Err(CalibrationError::UnknownDevice { .. })
        ));
    }

    #[test]
    fn preset_scales_follow_frame_width() {
        let full = resolve(Some("cytocam"), None, Path::new("a.avi"), 1550).unwrap();
        assert!((full.um_per_px - 1.0).abs() < 1e-12);
        let half = resolve(Some("cytocam"), None, Path::new("a.avi"), 775).unwrap();
        assert!((half.um_per_px - 2.0).abs() < 1e-12);
        assert_eq!(full.source, "preset");
        assert!(full.note.is_none());
    }

    #[test]
    fn assumed_preset_carries_a_note() {
        let cal = resolve(Some("microsee-v100"), None, Path::new("a.avi"), 720).unwrap();
        assert!(cal.note.unwrap().contains("no published calibration"));
    }

    #[test]
    fn implausible_scales_are_rejected() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 100.0] {
            assert!(matches!(
                resolve(None, Some(bad), Path::new("a.avi"), 720),
                Err(CalibrationError::ImplausibleScale { .. })
            ));
        }
    }

    #[test]
    fn missing_scale_names_the_clip_and_the_flags() {
        let msg = resolve(None, None, Path::new("/data/p1/site3.avi"), 720)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("/data/p1/site3.avi"));
        assert!(msg.contains("--um-per-px"));
        assert!(msg.contains("--device"));
    }

    #[test]
    fn zero_width_is_an_error_with_a_preset() {
        assert!(matches!(
            resolve(Some("microscan"), None, Path::new("a.avi"), 0),
            Err(CalibrationError::ZeroWidth { .. })
        ));
    }
}

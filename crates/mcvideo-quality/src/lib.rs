//! Image-quality grading after Massey et al. 2013 (MIQS).
//!
//! Massey MJ, Larochelle E, Najarro G, et al. "The microcirculation image quality score:
//! development and preliminary evaluation of a proposed approach to grading quality of
//! image acquisition for bedside videomicroscopy." J Crit Care 2013;28(6):913–917.
//! Six items (illumination, duration, focus, content, stability, pressure) are each scored
//! 0 (optimal), 1 (acceptable) or 10 (unacceptable); the score is their sum and a clip is
//! acceptable when no item scored 10. The paper grades by eye; this crate turns each item
//! into measured quantities with documented thresholds ([`QualityParams`]).
//! [`grade_clip`] grades the four items that need only the frames and the stabilization;
//! [`grade_content`] and [`grade_pressure`] fill the two slots that need vessels and flow.

mod content;
mod duration;
mod focus;
mod illumination;
mod pressure;
mod stability;

pub use content::{grade_content, ContentInput};
pub use focus::{focus_measure, FocusMeasure};
pub use pressure::{grade_pressure, PressureInput};

use mcvideo_frames::Frames;
use mcvideo_stabilize::Stabilization;
use serde::{Deserialize, Serialize};

/// Item score: optimal.
pub const OPTIMAL: u8 = 0;
/// Item score: acceptable.
pub const ACCEPTABLE: u8 = 1;
/// Item score: unacceptable.
pub const UNACCEPTABLE: u8 = 10;

/// Thresholds of every item. Pairs are `[optimal limit, acceptable limit]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct QualityParams {
    /// Frames graded for illumination and focus (evenly spaced kept frames).
    pub sample_frames: usize,
    /// Pixels at or below this level are "dark" (u8).
    pub dark_level: u8,
    /// Pixels at or above this level are "saturated" (u8).
    pub saturated_level: u8,
    /// Mean brightness range that is optimal, and the wider range that is acceptable.
    pub brightness_optimal: [f64; 2],
    pub brightness_acceptable: [f64; 2],
    /// Largest dark fraction: optimal, acceptable.
    pub dark_fraction: [f64; 2],
    /// Largest saturated fraction: optimal, acceptable.
    pub saturated_fraction: [f64; 2],
    /// Smallest contrast (median − 2nd percentile)/median: optimal, acceptable. Vessels must
    /// stand out from the tissue background.
    pub contrast: [f64; 2],
    /// Largest unevenness (1 − darkest/brightest of a 4×4 grid of block means) still optimal.
    pub unevenness_optimal: f64,
    /// Analysable duration in seconds: optimal at or above `[0]`, acceptable at or above `[1]`
    /// (Massey: ≥ 5 s optimal, 3–5 s acceptable, < 3 s unacceptable).
    pub duration_s: [f64; 2],
    /// Focus: smallest noise-corrected fine/coarse band energy ratio ([`focus_measure`]):
    /// optimal, acceptable.
    pub focus: [f64; 2],
    /// Gaussian sigmas (µm) of the focus bands: fine = G(s0) − G(s1), coarse = G(s1) − G(s2);
    /// in µm so that the measure does not depend on the device's magnification.
    pub focus_sigmas_um: [f64; 3],
    /// Scale of the clip (µm per pixel), to turn `focus_sigmas_um` into pixels. Set it from
    /// the device calibration; the default is that of the synthetic clips.
    pub um_per_px: f64,
    /// Movement as a fraction of the field of view: optimal, acceptable (Massey: within ¼,
    /// within ½).
    pub movement_fraction: [f64; 2],
    /// Fraction of unregistered frames: optimal, acceptable.
    pub unregistered_fraction: [f64; 2],
    /// Fraction of motion-blurred frames: optimal, acceptable (Massey: no motion blur).
    pub blurred_fraction: [f64; 2],
    /// Largest displacement between consecutive frames as a fraction of the smaller frame
    /// side: optimal, acceptable. Not in Massey's table: a sudden slip of the probe smears
    /// the frames of a real camera (motion blur) and brings a different field into view.
    pub jump_fraction: [f64; 2],
    /// Content: looped-vessel fraction, optimal below `[0]`, acceptable up to `[1]`
    /// (Massey: < 30 %, 30–50 %, > 50 %).
    pub looped_fraction: [f64; 2],
    /// Content: occluded (saliva, bubbles) fraction of the field: optimal, acceptable
    /// ("free of occlusions", "a few artefacts", "most of the field").
    pub occluded_fraction: [f64; 2],
    /// Content: smallest valid (stabilized) area fraction of the frame: optimal, acceptable.
    pub valid_area_fraction: [f64; 2],
    /// Content: smallest small-vessel density (mm/mm²): optimal, acceptable.
    pub tvd_small_mm_per_mm2: [f64; 2],
    /// Pressure: largest fraction of venules without continuous flow: optimal, acceptable.
    pub impaired_venule_fraction: [f64; 2],
    /// Content: the smallest field of view (µm, each side of the analysed picture) that can be
    /// scored; a smaller field is unacceptable. MFI scores four quadrants and the De Backer
    /// score counts crossings of three lines each way, so each quadrant must be able to hold
    /// a capillary: sublingual capillaries lie 40-70 µm apart (1/TVD at the normal 15-25
    /// mm/mm², Ince et al. 2018, Intensive Care Med 44:281), so a quadrant narrower than
    /// 40 µm, a field under 80 µm, holds on average less than one.
    pub min_field_um: f64,
}

impl Default for QualityParams {
    fn default() -> Self {
        QualityParams {
            sample_frames: 16,
            dark_level: 15,
            saturated_level: 250,
            brightness_optimal: [70.0, 210.0],
            brightness_acceptable: [55.0, 235.0],
            dark_fraction: [0.05, 0.30],
            saturated_fraction: [0.01, 0.10],
            contrast: [0.15, 0.07],
            unevenness_optimal: 0.6,
            duration_s: [5.0, 3.0],
            focus: [0.24, 0.205],
            focus_sigmas_um: [1.0, 2.0, 4.0],
            um_per_px: 1.2,
            movement_fraction: [0.25, 0.5],
            unregistered_fraction: [0.05, 0.25],
            blurred_fraction: [0.02, 0.10],
            jump_fraction: [0.05, 0.15],
            looped_fraction: [0.3, 0.5],
            occluded_fraction: [0.1, 0.5],
            valid_area_fraction: [0.75, 0.5],
            tvd_small_mm_per_mm2: [10.0, 5.0],
            impaired_venule_fraction: [0.0, 0.5],
            min_field_um: 80.0,
        }
    }
}

/// The quantities behind the grades.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
pub struct QualityMeasures {
    pub frames: usize,
    pub kept_frames: usize,
    pub fps: f64,
    pub duration_s: f64,
    /// Longest run of consecutive kept frames, in seconds.
    pub analysable_s: f64,
    pub mean_brightness: f64,
    pub dark_fraction: f64,
    pub saturated_fraction: f64,
    pub contrast: f64,
    pub unevenness: f64,
    pub focus: f64,
    pub noise_sigma: f64,
    pub movement_fraction: f64,
    pub unregistered_fraction: f64,
    pub blurred_fraction: f64,
    /// Largest displacement between consecutive frames with trusted shifts (px).
    pub max_jump_px: f64,
    pub residual_rms_px: f64,
    /// Width and height of the analysed picture in µm.
    #[serde(default)]
    pub field_um: [f64; 2],
    /// How unevenly the frames are spaced in time: (longest − shortest interval) / mean
    /// interval, beyond the rounding of the timestamps; null when the clip's timestamps were
    /// not read (frame folders).
    #[serde(default)]
    pub frame_interval_spread: Option<f64>,
    /// The spacing varies beyond the decoder's tolerance: the frames were resampled onto an
    /// even time grid before velocities were measured.
    #[serde(default)]
    pub variable_frame_rate: bool,
    /// Frames the decoder reported damaged (lost, or decoded with concealed errors).
    #[serde(default)]
    pub damaged_frames: u64,
}

/// The MIQS grades of one clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Quality {
    pub illumination: u8,
    pub focus: u8,
    pub stability: u8,
    pub duration: u8,
    pub content: Option<u8>,
    pub pressure: Option<u8>,
    /// Each item left ungraded (`content`, `pressure`: null above) with the reason: they are
    /// graded from the detected vessels and their flow, which `inspect` does not compute.
    /// Empty once every item is graded, as in a score.
    #[serde(default)]
    pub not_graded: std::collections::BTreeMap<String, String>,
    /// Sum of the graded items.
    pub score: u32,
    /// No graded item is unacceptable (10).
    pub acceptable: bool,
    /// One reason per item scored 1 or 10, `"<item>: <why>"`.
    pub flags: Vec<String>,
    pub measures: QualityMeasures,
}

impl Quality {
    /// Recomputes `score` and `acceptable` from the items.
    fn update_total(&mut self) {
        let items = [
            Some(self.illumination),
            Some(self.focus),
            Some(self.stability),
            Some(self.duration),
            self.content,
            self.pressure,
        ];
        self.score = items.iter().flatten().map(|&v| u32::from(v)).sum();
        self.acceptable = items.iter().flatten().all(|&v| v < UNACCEPTABLE);
    }

    /// Sets an item's flag when the grade is not optimal.
    fn flag(&mut self, item: &str, grade: u8, why: String) {
        if grade > OPTIMAL {
            let level = if grade >= UNACCEPTABLE {
                "unacceptable"
            } else {
                "acceptable"
            };
            self.flags.push(format!("{item} {level}: {why}"));
        }
    }
}

/// Why content is ungraded until [`grade_content`] runs.
pub const NOT_GRADED_CONTENT: &str =
    "needs the detected vessels (small-vessel density, analysable area), found when the clip is scored";
/// Why pressure is ungraded until [`grade_pressure`] runs.
pub const NOT_GRADED_PRESSURE: &str =
    "needs the flow in the venules, measured when the clip is scored";

/// Grade of a value that is better when larger: `limits = [optimal, acceptable]`.
pub(crate) fn grade_at_least(value: f64, limits: [f64; 2]) -> u8 {
    if value >= limits[0] {
        OPTIMAL
    } else if value >= limits[1] {
        ACCEPTABLE
    } else {
        UNACCEPTABLE
    }
}

/// Grade of a value that is better when smaller: `limits = [optimal, acceptable]`.
pub(crate) fn grade_at_most(value: f64, limits: [f64; 2]) -> u8 {
    if value <= limits[0] {
        OPTIMAL
    } else if value <= limits[1] {
        ACCEPTABLE
    } else {
        UNACCEPTABLE
    }
}

/// Grades illumination, focus, stability and duration of a clip; content and pressure
/// stay `None` until [`grade_content`] and [`grade_pressure`], except that a field of view
/// too small to score ([`QualityParams::min_field_um`]) makes content unacceptable at once.
///
/// ```
/// use image::{GrayImage, Luma};
/// use mcvideo_quality::{grade_clip, QualityParams};
/// use mcvideo_stabilize::{stabilize, StabilizeParams};
/// // One second of a sharp, well-lit, still texture: too short, everything else optimal.
/// let frame = GrayImage::from_fn(96, 96, |x, y| Luma([if (x / 3 + y / 5) % 2 == 0 { 90 } else { 170 }]));
/// let frames = vec![frame; 25];
/// let stab = stabilize(&frames, &StabilizeParams::default()).unwrap();
/// let q = grade_clip(&frames, 25.0, &stab, &QualityParams::default());
/// assert_eq!((q.illumination, q.focus, q.stability, q.duration), (0, 0, 0, 10));
/// assert_eq!((q.score, q.acceptable), (10, false));
/// assert_eq!(q.flags.len(), 1);
/// // Content and pressure wait for the vessels, and say so.
/// assert_eq!((q.content, q.pressure), (None, None));
/// assert_eq!(q.not_graded.keys().collect::<Vec<_>>(), ["content", "pressure"]);
/// ```
pub fn grade_clip<F: Frames + ?Sized>(
    frames: &F,
    fps: f64,
    stab: &Stabilization,
    params: &QualityParams,
) -> Quality {
    let mut q = Quality {
        illumination: OPTIMAL,
        focus: OPTIMAL,
        stability: OPTIMAL,
        duration: OPTIMAL,
        content: None,
        pressure: None,
        not_graded: [
            ("content", NOT_GRADED_CONTENT),
            ("pressure", NOT_GRADED_PRESSURE),
        ]
        .into_iter()
        .map(|(item, why)| (item.to_string(), why.to_string()))
        .collect(),
        score: 0,
        acceptable: true,
        flags: Vec::new(),
        measures: QualityMeasures::default(),
    };
    let sample = sample_frames(frames, stab, params.sample_frames);
    content::grade_field(&mut q, frames, params);
    illumination::grade(&mut q, frames, &sample, params);
    focus::grade(&mut q, frames, &sample, params);
    stability::grade(&mut q, stab, params);
    duration::grade(&mut q, frames.len(), fps, stab, params);
    q.update_total();
    q
}

/// Up to `n` evenly spaced kept frames (all frames when none is kept).
fn sample_frames<F: Frames + ?Sized>(frames: &F, stab: &Stabilization, n: usize) -> Vec<usize> {
    let kept: Vec<usize> = (0..frames.len())
        .filter(|&t| stab.kept.get(t).copied().unwrap_or(false))
        .collect();
    let pool: Vec<usize> = if kept.is_empty() {
        (0..frames.len()).collect()
    } else {
        kept
    };
    let n = n.max(1).min(pool.len());
    (0..n)
        .map(|i| pool[(i * pool.len()) / n + pool.len() / (2 * n)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grading_helpers() {
        assert_eq!(grade_at_least(5.0, [5.0, 3.0]), 0);
        assert_eq!(grade_at_least(4.0, [5.0, 3.0]), 1);
        assert_eq!(grade_at_least(2.9, [5.0, 3.0]), 10);
        assert_eq!(grade_at_most(0.25, [0.25, 0.5]), 0);
        assert_eq!(grade_at_most(0.3, [0.25, 0.5]), 1);
        assert_eq!(grade_at_most(0.6, [0.25, 0.5]), 10);
    }
}

//! The parameters of a synthetic clip ([`SynthParams`]) and their validation.

use crate::error::SynthError;
use mcvideo_metrics::FlowClassRule;
use serde::{Deserialize, Serialize};

/// Everything that defines a synthetic clip. The same parameters (seed included) always give
/// the same frames and truth, whatever the number of threads.
///
/// Ranges `[lo, hi]` are sampled uniformly per vessel. Degradations: `defocus_px` (focus),
/// `illumination` (too dark below about 0.5, saturated above about 1.5), `duration_s`,
/// `motion` and `jumps` (stability), `noise`.
///
/// The fields after `interlaced` (cell contrast and blur, shot noise, polarity) are left out
/// of the JSON at their defaults, so a default clip's truth file reads as it always did, and
/// files written without them load with the defaults (the container's `serde(default)`).
/// [`SynthParams::low_snr`] and [`SynthParams::cytocam`] are presets for other regimes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SynthParams {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Frames per second.
    pub fps: f64,
    /// Clip duration in seconds; frames = round(duration_s * fps).
    pub duration_s: f64,
    /// Scale in micrometres per pixel.
    pub um_per_px: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Sensor noise multiplier: 1 typical (read noise about 2 DN plus shot noise), 0 none.
    pub noise: f64,
    /// Optical blur (Gaussian sigma, px) present in every clip.
    pub blur_px: f64,
    /// Extra defocus blur (Gaussian sigma, px); 0 in focus, 2 or more clearly out of focus.
    pub defocus_px: f64,
    /// Light-source gain: 1 well exposed, 0.3 too dark, 1.9 saturated.
    pub illumination: f64,
    /// Amplitude of the smooth uneven illumination across the field (0..0.5).
    pub uneven_illumination: f64,
    /// Darkening at the corners by vignetting (0..0.8).
    pub vignetting: f64,
    /// Contrast multiplier of the tissue background texture.
    pub texture: f64,
    /// Camera motion multiplier (random-walk drift plus tremor); 1 is a steady hand.
    pub motion: f64,
    /// Tremor frequency range in Hz.
    pub tremor_hz: [f64; 2],
    /// Number of sudden jumps of the whole field (pressure or probe slips).
    pub jumps: usize,
    /// Size of each jump in pixels.
    pub jump_px: f64,
    /// Shares of flow classes 0 (no flow), 1 (intermittent), 2 (sluggish), 3 (continuous)
    /// among capillary segments, by count. Need not sum to 1.
    pub flow_mix: [f64; 4],
    /// Target capillary density (mm of capillary per mm² of field).
    pub capillary_density_mm_per_mm2: f64,
    /// Capillary lumen diameter range in µm.
    pub capillary_diameter_um: [f64; 2],
    /// Number of venules crossing the field.
    pub venules: usize,
    /// Out-of-focus deeper vessels: faint, strongly blurred, static and absent from the
    /// truth (analysts ignore them). 0 by default; a few make vessel detection harder.
    pub deep_vessels: usize,
    /// Venule diameter range in µm.
    pub venule_diameter_um: [f64; 2],
    /// Red-cell size in µm (diameter of the disc).
    pub cell_um: f64,
    /// Line haematocrit range of capillaries (share of the lumen length filled by cells).
    pub haematocrit: [f64; 2],
    /// Continuous-flow capillary velocity range (µm/s).
    pub continuous_um_s: [f64; 2],
    /// Sluggish-flow capillary velocity range (µm/s).
    pub sluggish_um_s: [f64; 2],
    /// Velocity of intermittent capillaries while they move (µm/s).
    pub intermittent_um_s: [f64; 2],
    /// Share of the clip during which intermittent capillaries move (at most 0.5).
    pub intermittent_flowing_fraction: [f64; 2],
    /// Venule centreline velocity range (µm/s).
    pub venule_um_s: [f64; 2],
    /// The rule that turns the true flowing fraction and velocity into a flow class.
    pub flow_rule: FlowClassRule,
    /// Small-vessel cutoff of the truth metrics (µm).
    pub small_vessel_cutoff_um: f64,
    /// Write the clip interlaced, as an analog capture records it: the scene is rendered at
    /// twice `fps` and each pair of images woven into one frame, the earlier one in the bottom
    /// field (odd rows), as PAL DV stores it. Only DV carries the interlaced flag for a
    /// decoder to see. The truth then describes the fields (`fps` doubled, a shift per field).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interlaced: bool,
    /// Multiplier of the absorbance of every moving red cell (capillaries and venules): 1 the
    /// crisp SDF cells, about 0.1 cells as faint as the noise. The static lumen is unchanged.
    #[serde(skip_serializing_if = "is_one")]
    pub cell_contrast: f64,
    /// Extra Gaussian blur (sigma, px) of the red cells only, added in quadrature to the
    /// optical blur: diffuse cells, as when they lie slightly above or below the focal plane
    /// or scatter. Each cell keeps its integrated absorbance, so its peak falls. 0: none.
    #[serde(skip_serializing_if = "is_zero")]
    pub cell_blur_px: f64,
    /// Multiplier of the signal-dependent (Poisson-like) part of the noise variance, on top
    /// of `noise`: variance `noise² (2² + 0.12 shot_noise I)` grey levels² at grey level I.
    /// 1 typical; 4 to 8 a photon-starved fluorescence camera.
    #[serde(skip_serializing_if = "is_one")]
    pub shot_noise: f64,
    /// What is bright: `dark` (default) the dark-field image (bright tissue, dark vessels and
    /// cells); `bright` negative-contrast fluorescence (bright plasma in the lumen, red cells
    /// dark shadows in it, dark tissue).
    #[serde(skip_serializing_if = "Polarity::is_dark")]
    pub polarity: Polarity,
}

/// Which of tissue and vessel lumen is bright.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    /// Dark field (SDF, IDF): light scattered back by the tissue, absorbed by haemoglobin.
    /// Vessels and red cells dark on bright tissue.
    #[default]
    Dark,
    /// Negative-contrast intravital fluorescence: a plasma dye lights the lumen, red cells
    /// exclude it and show as dark shadows, the tissue around stays dark.
    Bright,
}

impl Polarity {
    /// `true` for [`Polarity::Dark`].
    ///
    /// ```
    /// use mcvideo_synth::Polarity;
    /// assert!(Polarity::Dark.is_dark() && !Polarity::Bright.is_dark());
    /// assert_eq!(serde_json::to_string(&Polarity::Bright).unwrap(), "\"bright\"");
    /// ```
    pub fn is_dark(&self) -> bool {
        *self == Polarity::Dark
    }
}

fn is_one(v: &f64) -> bool {
    *v == 1.0
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            width: 320,
            height: 240,
            fps: 25.0,
            duration_s: 2.0,
            um_per_px: 1.2,
            seed: 0,
            noise: 1.0,
            blur_px: 0.7,
            defocus_px: 0.0,
            illumination: 1.0,
            uneven_illumination: 0.2,
            vignetting: 0.3,
            texture: 1.0,
            motion: 1.0,
            tremor_hz: [3.0, 8.0],
            jumps: 0,
            jump_px: 20.0,
            flow_mix: [0.1, 0.1, 0.2, 0.6],
            capillary_density_mm_per_mm2: 20.0,
            capillary_diameter_um: [4.0, 12.0],
            venules: 1,
            deep_vessels: 0,
            venule_diameter_um: [20.0, 60.0],
            cell_um: 7.0,
            haematocrit: [0.15, 0.5],
            continuous_um_s: [350.0, 1200.0],
            sluggish_um_s: [50.0, 250.0],
            intermittent_um_s: [100.0, 700.0],
            intermittent_flowing_fraction: [0.1, 0.45],
            venule_um_s: [800.0, 2500.0],
            flow_rule: FlowClassRule::default(),
            small_vessel_cutoff_um: mcvideo_metrics::DEFAULT_SMALL_VESSEL_CUTOFF_UM,
            interlaced: false,
            cell_contrast: 1.0,
            cell_blur_px: 0.0,
            shot_noise: 1.0,
            polarity: Polarity::Dark,
        }
    }
}

impl SynthParams {
    /// Number of frames: `round(duration_s * fps)`.
    ///
    /// ```
    /// let p = mcvideo_synth::SynthParams::default();
    /// assert_eq!(p.frame_count(), 50);
    /// ```
    pub fn frame_count(&self) -> usize {
        (self.duration_s * self.fps).round().max(0.0) as usize
    }

    /// The regime of in-vivo capillary clips filmed fast and close, such as mouse capillaries
    /// in negative-contrast intravital fluorescence (425x110, 120 fps, 0.77 µm/px): red cells
    /// faint and diffuse (peak contrast about the noise sigma), blurred (optics 1.6 px plus
    /// 1.5 px on the cells), densely packed (line haematocrit 0.35-0.6), photon-limited noise,
    /// and slow flow, 100-450 µm/s or about 1-5 px per frame, with no venule in the field.
    /// Polarity `bright` as in that clip; set `polarity: Polarity::Dark` for the same regime
    /// in dark field.
    ///
    /// Under the default `flow_rule` (sluggish below 300 µm/s) sluggish vessels move at
    /// 100-250 µm/s and continuous ones at 350-450 µm/s: speeds within a few percent of the
    /// boundary would make the truth class a coin flip for any measurement a few percent off.
    ///
    /// ```
    /// use mcvideo_synth::{Polarity, SynthParams};
    /// let p = SynthParams::low_snr();
    /// assert!(p.validate().is_ok());
    /// assert_eq!((p.width, p.height, p.fps, p.um_per_px), (425, 110, 120.0, 0.77));
    /// assert_eq!(p.polarity, Polarity::Bright);
    /// assert_eq!((p.cell_contrast, p.cell_blur_px, p.blur_px, p.shot_noise), (0.2, 1.5, 1.6, 6.0));
    /// // px per frame at the ends of the flowing ranges: 1.08 to 4.87.
    /// let px = |um_s: f64| um_s / (p.fps * p.um_per_px);
    /// assert_eq!(format!("{:.2} {:.2}", px(p.sluggish_um_s[0]), px(p.continuous_um_s[1])), "1.08 4.87");
    /// ```
    pub fn low_snr() -> SynthParams {
        SynthParams {
            width: 425,
            height: 110,
            fps: 120.0,
            duration_s: 2.0,
            um_per_px: 0.77,
            noise: 1.0,
            shot_noise: 6.0,
            blur_px: 1.6,
            cell_blur_px: 1.5,
            cell_contrast: 0.2,
            polarity: Polarity::Bright,
            illumination: 0.8,
            texture: 0.5,
            // A stage-mounted preparation: breathing, no hand tremor.
            motion: 0.3,
            flow_mix: [0.05, 0.1, 0.55, 0.3],
            capillary_diameter_um: [4.0, 8.0],
            venules: 0,
            // Mouse red cells are smaller than human ones.
            cell_um: 6.0,
            haematocrit: [0.35, 0.6],
            // Flowing speeds kept clear of the 300 µm/s sluggish/continuous boundary: a truth
            // class set by a speed within a few percent of it would be a coin flip for any
            // measurement a few percent off.
            continuous_um_s: [350.0, 450.0],
            sluggish_um_s: [100.0, 250.0],
            intermittent_um_s: [100.0, 300.0],
            venule_um_s: [300.0, 600.0],
            ..SynthParams::default()
        }
    }

    /// A CytoCam (incident dark field) clip at its native 2208x1648 pixels, 0.71 µm/px
    /// (field about 1.57 x 1.17 mm), 25 fps: capillaries slightly deep in the tissue, so blurred
    /// (optics 1.4 px, cells 1.0 px more) and low in contrast (cells at 0.5), with a few
    /// out-of-focus deeper vessels. Flow and anatomy are the human defaults. A full clip is
    /// large (3.6 Mpx per frame): [`crate::Renderer`] or [`crate::write_clip`] render it in
    /// bounded memory.
    ///
    /// ```
    /// use mcvideo_synth::{Polarity, SynthParams};
    /// let p = SynthParams::cytocam();
    /// assert!(p.validate().is_ok());
    /// assert_eq!((p.width, p.height, p.um_per_px, p.fps), (2208, 1648, 0.71, 25.0));
    /// assert_eq!((p.cell_contrast, p.cell_blur_px, p.blur_px, p.deep_vessels), (0.5, 1.0, 1.4, 4));
    /// assert_eq!(p.polarity, Polarity::Dark);
    /// ```
    pub fn cytocam() -> SynthParams {
        SynthParams {
            width: 2208,
            height: 1648,
            fps: 25.0,
            um_per_px: 0.71,
            blur_px: 1.4,
            cell_blur_px: 1.0,
            cell_contrast: 0.5,
            deep_vessels: 4,
            ..SynthParams::default()
        }
    }

    /// Checks that every number is usable; the error names the parameter and the problem.
    ///
    /// ```
    /// let mut p = mcvideo_synth::SynthParams::default();
    /// assert!(p.validate().is_ok());
    /// p.fps = 0.0;
    /// assert_eq!(p.validate().unwrap_err().to_string(), "bad parameter fps = 0: must be positive and finite");
    /// ```
    pub fn validate(&self) -> Result<(), SynthError> {
        let bad = |name: &'static str, value: String, problem: &'static str| {
            Err(SynthError::BadParameter {
                name,
                value,
                problem,
            })
        };
        let positive = [
            ("fps", self.fps),
            ("duration_s", self.duration_s),
            ("um_per_px", self.um_per_px),
            ("cell_um", self.cell_um),
            ("small_vessel_cutoff_um", self.small_vessel_cutoff_um),
        ];
        for (name, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return bad(name, value.to_string(), "must be positive and finite");
            }
        }
        let non_negative = [
            ("noise", self.noise),
            ("blur_px", self.blur_px),
            ("defocus_px", self.defocus_px),
            ("illumination", self.illumination),
            ("uneven_illumination", self.uneven_illumination),
            ("vignetting", self.vignetting),
            ("texture", self.texture),
            ("motion", self.motion),
            ("jump_px", self.jump_px),
            (
                "capillary_density_mm_per_mm2",
                self.capillary_density_mm_per_mm2,
            ),
            ("cell_contrast", self.cell_contrast),
            ("cell_blur_px", self.cell_blur_px),
            ("shot_noise", self.shot_noise),
        ];
        for (name, value) in non_negative {
            if !(value.is_finite() && value >= 0.0) {
                return bad(name, value.to_string(), "must be finite and not negative");
            }
        }
        if self.width < 16 || self.height < 16 || self.width > 8192 || self.height > 8192 {
            return bad(
                "width x height",
                format!("{}x{}", self.width, self.height),
                "each side must be 16 to 8192 pixels",
            );
        }
        if self.frame_count() < 2 {
            return bad(
                "duration_s * fps",
                format!("{} * {}", self.duration_s, self.fps),
                "must give at least 2 frames",
            );
        }
        if self.vignetting > 0.9 {
            return bad(
                "vignetting",
                self.vignetting.to_string(),
                "must be at most 0.9",
            );
        }
        let ranges = [
            ("tremor_hz", self.tremor_hz),
            ("capillary_diameter_um", self.capillary_diameter_um),
            ("venule_diameter_um", self.venule_diameter_um),
            ("haematocrit", self.haematocrit),
            ("continuous_um_s", self.continuous_um_s),
            ("sluggish_um_s", self.sluggish_um_s),
            ("intermittent_um_s", self.intermittent_um_s),
            (
                "intermittent_flowing_fraction",
                self.intermittent_flowing_fraction,
            ),
            ("venule_um_s", self.venule_um_s),
        ];
        for (name, [lo, hi]) in ranges {
            if !(lo.is_finite() && hi.is_finite() && lo >= 0.0 && hi >= lo) {
                return bad(
                    name,
                    format!("[{lo}, {hi}]"),
                    "must be a range [lo, hi] with 0 <= lo <= hi",
                );
            }
        }
        if self.capillary_diameter_um[0] <= 0.0 || self.venule_diameter_um[0] <= 0.0 {
            return bad(
                "capillary_diameter_um / venule_diameter_um",
                format!(
                    "{:?} / {:?}",
                    self.capillary_diameter_um, self.venule_diameter_um
                ),
                "diameters must be positive",
            );
        }
        if self.haematocrit[0] <= 0.0 || self.haematocrit[1] >= 1.0 {
            return bad(
                "haematocrit",
                format!("{:?}", self.haematocrit),
                "must lie strictly between 0 and 1",
            );
        }
        if self.intermittent_flowing_fraction[1] > 0.5 {
            return bad(
                "intermittent_flowing_fraction",
                format!("{:?}", self.intermittent_flowing_fraction),
                "intermittent vessels flow at most half of the time",
            );
        }
        if self.flow_mix.iter().any(|s| !(s.is_finite() && *s >= 0.0))
            || self.flow_mix.iter().sum::<f64>() <= 0.0
        {
            return bad(
                "flow_mix",
                format!("{:?}", self.flow_mix),
                "shares must be non-negative with a positive sum",
            );
        }
        Ok(())
    }
}

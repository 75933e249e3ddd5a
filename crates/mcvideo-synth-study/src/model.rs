//! The planted dose–response: how the NE dose sets the flow-class mix of a clip.
//!
//! Microcirculation is flat at low doses and worsens linearly past a threshold (a broken
//! line, as the segmented fits of Dai et al. 2026 describe it): the perfused share of
//! capillaries falls past `ppv`, the continuous share of the perfused ones falls past `mfi`,
//! and the spread between sites of one patient grows past `hi`.

use serde::{Deserialize, Serialize};

/// Doses (µg/kg/min) past which each outcome starts to worsen. Defaults: the paper's values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlantedThresholds {
    /// Perfused share (drives PPV and PVD).
    pub ppv: f64,
    /// Continuous share among perfused vessels (drives MFI).
    pub mfi: f64,
    /// Site-to-site spread (drives HI).
    pub hi: f64,
}

impl Default for PlantedThresholds {
    fn default() -> Self {
        PlantedThresholds {
            ppv: 0.71,
            mfi: 0.80,
            hi: 0.72,
        }
    }
}

fn hinge(x: f64, knot: f64) -> f64 {
    (x - knot).max(0.0)
}

/// Perfused share of capillaries at `dose` for a site offset `site_effect`.
///
/// ```
/// use mcvideo_synth_study::model::{perfused_share, PlantedThresholds};
/// let t = PlantedThresholds::default();
/// assert!((perfused_share(0.2, 0.0, &t) - 0.924).abs() < 1e-12);
/// assert!(perfused_share(1.5, 0.0, &t) < 0.3);
/// ```
pub fn perfused_share(dose: f64, site_effect: f64, planted: &PlantedThresholds) -> f64 {
    (0.93 - 0.03 * dose - 0.85 * hinge(dose, planted.ppv) + site_effect).clamp(0.12, 0.97)
}

/// Continuous share among the perfused capillaries.
///
/// ```
/// use mcvideo_synth_study::model::{continuous_share, PlantedThresholds};
/// let t = PlantedThresholds::default();
/// assert!((continuous_share(0.5, 0.0, &t) - 0.90).abs() < 1e-12);
/// ```
pub fn continuous_share(dose: f64, site_effect: f64, planted: &PlantedThresholds) -> f64 {
    (0.92 - 0.04 * dose - 1.1 * hinge(dose, planted.mfi) + 0.5 * site_effect).clamp(0.05, 0.97)
}

/// Standard deviation of the site offsets of one patient at `dose`: small, and growing
/// past the HI threshold, so that MFI differs more between sites.
///
/// ```
/// use mcvideo_synth_study::model::{site_spread, PlantedThresholds};
/// let t = PlantedThresholds::default();
/// assert_eq!(site_spread(0.5, &t), 0.03);
/// ```
pub fn site_spread(dose: f64, planted: &PlantedThresholds) -> f64 {
    0.03 + 0.30 * hinge(dose, planted.hi)
}

/// Shares of flow classes 0..3 (no flow, intermittent, sluggish, continuous) among the
/// capillaries of a clip, summing to 1.
///
/// ```
/// use mcvideo_synth_study::{flow_mix, PlantedThresholds};
/// let mix = flow_mix(0.3, 0.0, &PlantedThresholds::default());
/// assert!((mix.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// assert!(mix[3] > 0.7);
/// ```
pub fn flow_mix(dose: f64, site_effect: f64, planted: &PlantedThresholds) -> [f64; 4] {
    let perfused = perfused_share(dose, site_effect, planted);
    let continuous = continuous_share(dose, site_effect, planted);
    [
        (1.0 - perfused) * 0.45,
        (1.0 - perfused) * 0.55,
        perfused * (1.0 - continuous),
        perfused * continuous,
    ]
}

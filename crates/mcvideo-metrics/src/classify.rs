//! The consensus flow classes from a vessel's flowing fraction and velocity.
//!
//! Ince C et al. Second consensus on the assessment of sublingual microcirculation in
//! critically ill patients. Intensive Care Med 2018;44:281-299: 0 no flow, 1 intermittent
//! (no flow for at least half of the time), 2 sluggish, 3 continuous. The consensus names the
//! classes but gives no velocity for the sluggish/continuous boundary, so it is configurable.

use serde::{Deserialize, Serialize};

/// Thresholds that turn measurements into classes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowClassRule {
    /// Flowing vessels slower than this are sluggish (class 2), faster ones continuous (3).
    /// Default 300 µm/s: the lower end of the range of continuous red-cell velocity usually
    /// reported for sublingual capillaries (about 300 to over 1000 µm/s; quantitative
    /// velocity in healthy volunteers and septic shock: Edul VSK et al. Crit Care Med
    /// 2012;40:1443-8). It is a project choice, not a consensus number: set it per study.
    pub sluggish_below_um_s: f64,
    /// A vessel flowing at most this share of the time is intermittent (class 1): "no flow
    /// for at least half of the clip".
    pub intermittent_max_flowing_fraction: f64,
    /// A vessel flowing at most this share of the time counts as no flow (class 0); a small
    /// tolerance absorbs single spurious motion windows.
    pub no_flow_max_flowing_fraction: f64,
}

impl Default for FlowClassRule {
    fn default() -> Self {
        FlowClassRule {
            sluggish_below_um_s: 300.0,
            intermittent_max_flowing_fraction: 0.5,
            no_flow_max_flowing_fraction: 0.0,
        }
    }
}

/// Classifies one vessel. `velocity_um_s` is the mean speed while flowing; `None` while
/// flowing means the speed could not be measured, which is read as sluggish (the
/// conservative class for perfusion).
///
/// ```
/// use mcvideo_metrics::{classify_flow, FlowClassRule};
/// let rule = FlowClassRule::default();
/// assert_eq!(classify_flow(0.0, None, &rule), 0);
/// assert_eq!(classify_flow(0.3, Some(800.0), &rule), 1);
/// assert_eq!(classify_flow(0.5, Some(800.0), &rule), 1);
/// assert_eq!(classify_flow(1.0, Some(120.0), &rule), 2);
/// assert_eq!(classify_flow(1.0, Some(800.0), &rule), 3);
/// assert_eq!(classify_flow(0.9, None, &rule), 2);
/// ```
pub fn classify_flow(
    flowing_fraction: f64,
    velocity_um_s: Option<f64>,
    rule: &FlowClassRule,
) -> u8 {
    // NaN reads as no flow: a vessel whose motion could not be judged is not counted perfused.
    if flowing_fraction.is_nan() || flowing_fraction <= rule.no_flow_max_flowing_fraction {
        0
    } else if flowing_fraction <= rule.intermittent_max_flowing_fraction {
        1
    } else {
        match velocity_um_s {
            Some(v) if v >= rule.sluggish_below_um_s => 3,
            _ => 2,
        }
    }
}

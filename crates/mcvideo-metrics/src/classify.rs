//! The consensus flow classes from a vessel's flowing fraction and velocity.
//!
//! Ince C et al. Second consensus on the assessment of sublingual microcirculation in
//! critically ill patients. Intensive Care Med 2018;44:281-299: 0 no flow, 1 intermittent
//! (no flow for at least half of the time), 2 sluggish, 3 continuous. The consensus names the
//! classes but gives no velocity for the sluggish/continuous boundary, so it is configurable.

use serde::{Deserialize, Serialize};
use serde_repr::{Deserialize_repr, Serialize_repr};

/// A vessel's consensus flow class. It is written to JSON as its number (0 to 3), the
/// consensus's own notation; the order is that of perfusion, so `class >= Sluggish` reads
/// "perfused".
///
/// ```
/// use mcvideo_metrics::FlowClass;
/// assert_eq!(serde_json::to_string(&FlowClass::Sluggish).unwrap(), "2");
/// assert_eq!(serde_json::from_str::<FlowClass>("3").unwrap(), FlowClass::Continuous);
/// assert!(serde_json::from_str::<FlowClass>("4").is_err());
/// assert_eq!(FlowClass::try_from(1), Ok(FlowClass::Intermittent));
/// assert!(FlowClass::Intermittent < FlowClass::Sluggish);
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize_repr,
    Deserialize_repr,
    schemars::JsonSchema_repr,
)]
#[repr(u8)]
pub enum FlowClass {
    /// 0: no moving cells.
    #[default]
    NoFlow = 0,
    /// 1: no flow for at least half of the clip.
    Intermittent = 1,
    /// 2: flowing, slower than the sluggish threshold.
    Sluggish = 2,
    /// 3: flowing at or above the sluggish threshold.
    Continuous = 3,
}

impl FlowClass {
    /// The four classes in order.
    pub const ALL: [FlowClass; 4] = [
        FlowClass::NoFlow,
        FlowClass::Intermittent,
        FlowClass::Sluggish,
        FlowClass::Continuous,
    ];

    /// The class's number, 0 to 3, as an index into per-class tables.
    pub fn index(self) -> usize {
        usize::from(u8::from(self))
    }

    /// Sluggish or continuous: the classes that count as perfused.
    pub fn is_perfused(self) -> bool {
        self >= FlowClass::Sluggish
    }
}

impl From<FlowClass> for u8 {
    fn from(class: FlowClass) -> u8 {
        class as u8
    }
}

impl From<FlowClass> for f64 {
    fn from(class: FlowClass) -> f64 {
        f64::from(u8::from(class))
    }
}

/// A number that is no flow class (above 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("flow class {0}: flow classes are 0 to 3")]
pub struct NotAFlowClass(pub u8);

impl TryFrom<u8> for FlowClass {
    type Error = NotAFlowClass;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        FlowClass::ALL
            .get(usize::from(value))
            .copied()
            .ok_or(NotAFlowClass(value))
    }
}

impl std::fmt::Display for FlowClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", u8::from(*self))
    }
}

/// Thresholds that turn measurements into classes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
/// use mcvideo_metrics::{classify_flow, FlowClass, FlowClassRule};
/// let rule = FlowClassRule::default();
/// assert_eq!(classify_flow(0.0, None, &rule), FlowClass::NoFlow);
/// assert_eq!(classify_flow(0.3, Some(800.0), &rule), FlowClass::Intermittent);
/// assert_eq!(classify_flow(0.5, Some(800.0), &rule), FlowClass::Intermittent);
/// assert_eq!(classify_flow(1.0, Some(120.0), &rule), FlowClass::Sluggish);
/// assert_eq!(classify_flow(1.0, Some(800.0), &rule), FlowClass::Continuous);
/// assert_eq!(classify_flow(0.9, None, &rule), FlowClass::Sluggish);
/// ```
pub fn classify_flow(
    flowing_fraction: f64,
    velocity_um_s: Option<f64>,
    rule: &FlowClassRule,
) -> FlowClass {
    // NaN reads as no flow: a vessel whose motion could not be judged is not counted perfused.
    if flowing_fraction.is_nan() || flowing_fraction <= rule.no_flow_max_flowing_fraction {
        FlowClass::NoFlow
    } else if flowing_fraction <= rule.intermittent_max_flowing_fraction {
        FlowClass::Intermittent
    } else {
        match velocity_um_s {
            Some(v) if v >= rule.sluggish_below_um_s => FlowClass::Continuous,
            _ => FlowClass::Sluggish,
        }
    }
}

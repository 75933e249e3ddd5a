//! A rater's corrections of one clip: the edit history saved in `review/<clip id>.json`, the
//! corrected vessels it implies, and their metrics by the scorer's own
//! [`mcvideo_metrics::site_metrics`].
//!
//! The score JSON is never written. The review file keeps the edits in force (`edits`), the
//! undone ones that can be redone (`redo`) and a log of everything that happened with its
//! time (`log`); `version` grows by one with every saved change and guards against two tabs
//! overwriting each other.

use crate::catalog::{AutoVessel, ScoreData};
use crate::ReviewError;
use mcvideo_metrics::{site_metrics, FlowClass, MeasuredVessel, SiteMetrics};
use serde::{Deserialize, Serialize};

/// The schema name of a review file.
pub const REVIEW_SCHEMA: &str = "mcvideo.review.v1";

/// The Massey items (Massey MJ et al. J Crit Care 2013;28:913-917) a rater may give as the
/// reason a clip is unacceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MasseyReason {
    Illumination,
    Duration,
    Focus,
    Content,
    Stability,
    Pressure,
}

/// A vessel of the clip: automatic (`a<id>`, the score JSON's id) or drawn by the rater
/// (`d<n>`, the n-th drawing of the review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VesselKey {
    Auto(usize),
    Drawn(usize),
}

impl std::fmt::Display for VesselKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VesselKey::Auto(i) => write!(f, "a{i}"),
            VesselKey::Drawn(i) => write!(f, "d{i}"),
        }
    }
}

impl std::str::FromStr for VesselKey {
    type Err = ReviewError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ReviewError::BadRequest(format!("vessel '{s}' is not a<number> or d<number>"));
        let (kind, number) = s.split_at(s.len().min(1));
        let n: usize = number.parse().map_err(|_| bad())?;
        match kind {
            "a" => Ok(VesselKey::Auto(n)),
            "d" => Ok(VesselKey::Drawn(n)),
            _ => Err(bad()),
        }
    }
}

impl Serialize for VesselKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for VesselKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// How a drawn vessel's diameter was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiameterSource {
    /// Full width at half maximum of the mean image's cross profile (the detector's measure).
    Measured,
    /// Given by the rater.
    Given,
}

/// One correction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Sets a vessel's flow class (0 none, 1 intermittent, 2 sluggish, 3 continuous).
    SetClass { vessel: VesselKey, class: FlowClass },
    /// Removes a false vessel.
    Delete { vessel: VesselKey },
    /// Adds a missed vessel along a polyline (reference-frame pixels).
    Draw {
        centerline_px: Vec<[f64; 2]>,
        class: FlowClass,
        diameter_um: f64,
        diameter_source: DiameterSource,
    },
    /// The whole clip is unacceptable for this Massey item.
    Unacceptable { reason: MasseyReason },
    /// The whole clip is acceptable, whatever the automatic grade said.
    Acceptable {},
    /// Seen and found right as it is.
    Confirm {},
}

/// A change with the time it was made (RFC 3339, UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedChange {
    pub at: String,
    pub change: Change,
}

/// One line of the log: an edit, an undo or a redo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    pub at: String,
    /// `edit`, `undo` or `redo`.
    pub event: String,
    pub change: Change,
    /// The version after this event.
    pub version: u64,
}

/// The review file of one clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewFile {
    pub schema: String,
    pub clip_id: String,
    /// The score JSON the corrections apply to, relative to the folder.
    pub score_file: String,
    /// SHA-256 of the score JSON the edits were made on (hex). When the batch re-scores the
    /// clip the vessel ids may change: the review is then `stale` (see [`ReviewFile::stale`]).
    #[serde(default)]
    pub score_sha256: String,
    /// Grows by one with every saved event.
    pub version: u64,
    /// The edits in force, oldest first.
    pub edits: Vec<TimedChange>,
    /// Undone edits, the most recently undone last.
    pub redo: Vec<TimedChange>,
    pub log: Vec<LogEntry>,
    /// Derived on every save, for readers of the file: see [`Corrected`].
    pub reviewed: bool,
    pub acceptable: bool,
    pub unacceptable_reason: Option<MasseyReason>,
    pub automatic_metrics: SiteMetrics,
    pub corrected_metrics: SiteMetrics,
}

/// What a client asks for: a change, or undo/redo, against the version it has.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    pub base_version: u64,
    pub action: Action,
}

/// A change (diameters of drawings may be left out: the server measures them), undo or redo.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    SetClass {
        vessel: VesselKey,
        class: FlowClass,
    },
    Delete {
        vessel: VesselKey,
    },
    Draw {
        centerline_px: Vec<[f64; 2]>,
        class: FlowClass,
        #[serde(default)]
        diameter_um: Option<f64>,
    },
    Unacceptable {
        reason: MasseyReason,
    },
    // Empty braces rather than unit variants: serde refuses unknown fields only in struct
    // variants of an internally tagged enum.
    Acceptable {},
    Confirm {},
    Undo {},
    Redo {},
}

/// One vessel after the corrections.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrectedVessel {
    pub key: VesselKey,
    pub centerline_px: Vec<[f64; 2]>,
    pub length_um: f64,
    pub diameter_um: f64,
    pub flow_class: FlowClass,
    /// The automatic class (absent for drawn vessels).
    pub automatic_class: Option<FlowClass>,
    pub velocity_um_s: Option<f64>,
    pub velocity_at_least: bool,
    pub flowing_fraction: Option<f64>,
    pub flow_unresolved: bool,
    /// Changed by the rater (class set or drawn).
    pub edited: bool,
}

/// The clip after its corrections.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Corrected {
    pub vessels: Vec<CorrectedVessel>,
    /// Automatic vessels the rater deleted, with their automatic class and length.
    pub deleted: Vec<(VesselKey, FlowClass, f64)>,
    pub acceptable: bool,
    pub unacceptable_reason: Option<MasseyReason>,
    /// True once any edit is in force (a confirmation counts).
    pub reviewed: bool,
    pub metrics: SiteMetrics,
}

fn polyline_length(points: &[[f64; 2]]) -> f64 {
    points
        .windows(2)
        .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
        .sum()
}

fn auto_vessel(v: &AutoVessel) -> CorrectedVessel {
    CorrectedVessel {
        key: VesselKey::Auto(v.id),
        centerline_px: v.centerline_px.clone(),
        length_um: v.length_um,
        diameter_um: v.diameter_um,
        flow_class: v.flow_class,
        automatic_class: Some(v.flow_class),
        velocity_um_s: v.velocity_um_s,
        velocity_at_least: v.velocity_at_least,
        flowing_fraction: Some(v.flowing_fraction),
        flow_unresolved: v.flow_unresolved,
        edited: false,
    }
}

/// Checks a change against the clip before it is saved.
pub fn validate_change(
    change: &Change,
    score: &ScoreData,
    edits: &[TimedChange],
) -> Result<(), ReviewError> {
    let bad = |m: String| Err(ReviewError::BadRequest(m));
    let exists = |key: &VesselKey| -> Result<(), ReviewError> {
        let state = apply(score, edits)?;
        if state.vessels.iter().any(|v| v.key == *key) {
            Ok(())
        } else {
            Err(ReviewError::BadRequest(format!(
                "vessel {key} does not exist (or was deleted)"
            )))
        }
    };
    match change {
        Change::SetClass { vessel, .. } => exists(vessel),
        Change::Delete { vessel } => exists(vessel),
        Change::Draw {
            centerline_px,
            diameter_um,
            ..
        } => {
            if centerline_px.len() < 2 || centerline_px.len() > 10_000 {
                return bad("a drawn vessel needs 2 to 10000 points".into());
            }
            let (w, h) = (f64::from(score.width), f64::from(score.height));
            if centerline_px.iter().any(|p| {
                !(p[0].is_finite()
                    && p[1].is_finite()
                    && (0.0..=w).contains(&p[0])
                    && (0.0..=h).contains(&p[1]))
            }) {
                return bad(format!("a drawn point lies outside the {w}x{h} image"));
            }
            if polyline_length(centerline_px) <= 0.0 {
                return bad("a drawn vessel has no length".into());
            }
            if !(diameter_um.is_finite() && *diameter_um > 0.0 && *diameter_um < 1000.0) {
                return bad(format!(
                    "diameter {diameter_um} µm is not a plausible vessel diameter"
                ));
            }
            Ok(())
        }
        Change::Unacceptable { .. } | Change::Acceptable {} | Change::Confirm {} => Ok(()),
    }
}

/// The clip after `edits`, with its metrics by the scorer's code.
pub fn apply(score: &ScoreData, edits: &[TimedChange]) -> Result<Corrected, ReviewError> {
    let mut vessels: Vec<CorrectedVessel> = score.vessels.iter().map(auto_vessel).collect();
    let mut deleted = Vec::new();
    let mut acceptable = score.acceptable;
    let mut unacceptable_reason = None;
    let mut drawn = 0usize;
    for edit in edits {
        match &edit.change {
            Change::SetClass { vessel, class } => {
                if let Some(v) = vessels.iter_mut().find(|v| v.key == *vessel) {
                    v.flow_class = *class;
                    // The rater told the flow: it is resolved, and a stopped vessel has no speed.
                    v.flow_unresolved = false;
                    if *class == FlowClass::NoFlow {
                        v.velocity_um_s = None;
                    }
                    v.edited = true;
                }
            }
            Change::Delete { vessel } => {
                if let Some(i) = vessels.iter().position(|v| v.key == *vessel) {
                    let v = vessels.remove(i);
                    if let Some(class) = v.automatic_class {
                        deleted.push((v.key, class, v.length_um));
                    }
                }
            }
            Change::Draw {
                centerline_px,
                class,
                diameter_um,
                ..
            } => {
                vessels.push(CorrectedVessel {
                    key: VesselKey::Drawn(drawn),
                    length_um: polyline_length(centerline_px) * score.um_per_px,
                    centerline_px: centerline_px.clone(),
                    diameter_um: *diameter_um,
                    flow_class: *class,
                    automatic_class: None,
                    velocity_um_s: None,
                    velocity_at_least: false,
                    flowing_fraction: None,
                    flow_unresolved: false,
                    edited: true,
                });
                drawn += 1;
            }
            Change::Unacceptable { reason } => {
                acceptable = false;
                unacceptable_reason = Some(*reason);
            }
            Change::Acceptable {} => {
                acceptable = true;
                unacceptable_reason = None;
            }
            Change::Confirm {} => {}
        }
    }
    let measured: Vec<MeasuredVessel> = vessels
        .iter()
        .map(|v| MeasuredVessel {
            centerline_px: v.centerline_px.clone(),
            diameter_um: v.diameter_um,
            flow_class: v.flow_class,
            velocity_um_s: v.velocity_um_s,
            flow_unresolved: v.flow_unresolved,
        })
        .collect();
    let metrics = site_metrics(&measured, &score.metrics_params())
        .map_err(|e| ReviewError::BadRequest(format!("metrics: {e}")))?;
    Ok(Corrected {
        vessels,
        deleted,
        acceptable,
        unacceptable_reason,
        reviewed: !edits.is_empty(),
        metrics,
    })
}

/// The current time, RFC 3339 in UTC to the millisecond.
pub fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

impl ReviewFile {
    /// A review with no edits yet.
    pub fn empty(clip_id: &str, score_file: &str, score: &ScoreData) -> ReviewFile {
        ReviewFile {
            schema: REVIEW_SCHEMA.to_string(),
            clip_id: clip_id.to_string(),
            score_file: score_file.to_string(),
            score_sha256: score.sha256.clone(),
            version: 0,
            edits: Vec::new(),
            redo: Vec::new(),
            log: Vec::new(),
            reviewed: false,
            acceptable: score.acceptable,
            unacceptable_reason: None,
            automatic_metrics: score.metrics.clone(),
            corrected_metrics: score.metrics.clone(),
        }
    }

    /// Applies `action` (whose drawing, if any, already carries its diameter as `change`)
    /// at time `at`, bumps the version and refreshes the derived fields.
    pub fn perform(
        &mut self,
        action: &Action,
        change: Option<Change>,
        score: &ScoreData,
        at: &str,
    ) -> Result<(), ReviewError> {
        let (event, change) = match (action, change) {
            (Action::Undo {}, _) => {
                let last = self
                    .edits
                    .pop()
                    .ok_or_else(|| ReviewError::BadRequest("nothing to undo".into()))?;
                let change = last.change.clone();
                self.redo.push(last);
                ("undo", change)
            }
            (Action::Redo {}, _) => {
                let next = self
                    .redo
                    .pop()
                    .ok_or_else(|| ReviewError::BadRequest("nothing to redo".into()))?;
                let change = next.change.clone();
                self.edits.push(next);
                ("redo", change)
            }
            (_, Some(change)) => {
                validate_change(&change, score, &self.edits)?;
                self.edits.push(TimedChange {
                    at: at.to_string(),
                    change: change.clone(),
                });
                self.redo.clear();
                ("edit", change)
            }
            (_, None) => {
                return Err(ReviewError::BadRequest("the change is incomplete".into()));
            }
        };
        self.version += 1;
        self.log.push(LogEntry {
            at: at.to_string(),
            event: event.to_string(),
            change,
            version: self.version,
        });
        self.refresh(score)
    }

    /// True when the score JSON changed since the edits were made (the clip was re-scored):
    /// edits naming vessels that no longer exist are then without effect.
    pub fn stale(&self, score: &ScoreData) -> bool {
        !self.edits.is_empty() && !self.score_sha256.is_empty() && self.score_sha256 != score.sha256
    }

    /// Recomputes the derived fields from the edits.
    pub fn refresh(&mut self, score: &ScoreData) -> Result<(), ReviewError> {
        let state = apply(score, &self.edits)?;
        self.reviewed = state.reviewed;
        self.acceptable = state.acceptable;
        self.unacceptable_reason = state.unacceptable_reason;
        self.automatic_metrics = score.metrics.clone();
        self.corrected_metrics = state.metrics;
        Ok(())
    }
}

/// A change from an action whose diameter is known (`None` for undo and redo).
pub fn change_of(action: &Action, measured_diameter_um: Option<f64>) -> Option<Change> {
    Some(match action {
        Action::SetClass { vessel, class } => Change::SetClass {
            vessel: *vessel,
            class: *class,
        },
        Action::Delete { vessel } => Change::Delete { vessel: *vessel },
        Action::Draw {
            centerline_px,
            class,
            diameter_um,
        } => {
            let (diameter_um, diameter_source) = match (measured_diameter_um, diameter_um) {
                (Some(d), _) => (d, DiameterSource::Measured),
                (None, Some(d)) => (*d, DiameterSource::Given),
                (None, None) => return None,
            };
            Change::Draw {
                centerline_px: centerline_px.clone(),
                class: *class,
                diameter_um,
                diameter_source,
            }
        }
        Action::Unacceptable { reason } => Change::Unacceptable { reason: *reason },
        Action::Acceptable {} => Change::Acceptable {},
        Action::Confirm {} => Change::Confirm {},
        Action::Undo {} | Action::Redo {} => return None,
    })
}

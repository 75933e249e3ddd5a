//! Synthetic cohorts shaped like Dai et al. 2026: clinical table, clips per patient/day/site, planted thresholds.
//!
//! The paper (66 septic patients) found that the sublingual microcirculation collapses once
//! the norepinephrine (NE) dose passes about 0.71–0.80 µg/kg/min. A synthetic study plants
//! such thresholds in the flow-class mix of every clip, so the whole chain — `batch` on the
//! clips, then `analyze` on the tables — can be checked against a known answer.

pub mod cohort;
pub mod error;
pub mod model;
pub mod write;

pub use cohort::{simulate_cohort, PatientDay, SiteDesign, StudyParams};
pub use error::StudyError;
pub use model::{flow_mix, PlantedThresholds};
pub use write::{write_study, StudyOutput};

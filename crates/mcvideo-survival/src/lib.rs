//! Statistics III: Kaplan–Meier curves, the log-rank test and Cox proportional hazards, matching
//! R's `survival` package (survfit, survdiff, coxph) to 1e-6 relative on the reference data.
//!
//! Plain functions on slices returning serializable results: [`kaplan_meier`], [`km_groups`],
//! [`km_by_cutoff`], [`logrank`], [`cox`], [`concordance`], survival at chosen times
//! ([`survival_at_times`]) and the proportional-hazards test ([`cox_zph`], as `cox.zph`). Like R
//! (timefix = TRUE), times that differ only by rounding are treated as tied first ([`timefix`]).

mod concordance;
mod cox;
mod error;
mod km;
mod km_summary;
mod logrank;
mod validate;
mod zph;

pub use concordance::{concordance, Concordance};
pub use cox::{cox, cox_with, ChiSquareTest, CoxFit, CoxOptions, CoxTerm, Ties};
pub use error::SurvivalError;
pub use km::{
    kaplan_meier, kaplan_meier_level, km_by_cutoff, km_groups, km_indexed, KmAnalysis, KmCurve,
    KmStep, DEFAULT_CONF_LEVEL,
};
pub use km_summary::{survival_at_times, SurvivalAtTime};
pub use logrank::{logrank, logrank_indexed, LogRank};
pub use validate::timefix;
pub use zph::{cox_zph, CoxZph, ZphTest};

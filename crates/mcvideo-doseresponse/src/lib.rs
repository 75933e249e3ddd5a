//! Statistics II: GAM (REML) curvature thresholds, segmented regression and restricted cubic splines.
//!
//! Dose-response models for "where does the curve bend": mgcv-compatible penalized regression
//! splines with REML ([`gam`]), Muggeo's segmented regression with the Davies test
//! ([`segmented`]), Harrell's restricted cubic splines ([`rcs`]), and a simulation study of
//! how well each recovers a planted threshold ([`simulate`]). Plain functions on slices.

pub mod bootstrap;
pub mod cr;
pub mod curvature;
pub mod davies;
pub mod error;
pub mod gam;
pub mod linalg;
pub mod optim;
pub mod quantile;
pub mod rcs;
pub mod reml;
pub mod segmented;
pub mod simulate;
pub mod smooth;
pub mod smooth_test;
pub mod tp;

pub use error::{DoseError, Result};
pub use gam::{fit_gam, BootBasis, GamFit, GamOptions};
pub use rcs::{fit_rcs, RcsFit, RcsOptions};
pub use segmented::{fit_segmented, SegmentedFit, SegmentedOptions};
pub use smooth::BasisKind;

//! Statistics I: data tables, descriptive tables with group tests, correlations with FDR, linear regression.
//!
//! Every method reproduces R's answer (see README.md for the R function each one follows).

pub mod agreement;
pub mod anova;
pub mod contingency;
pub mod correlate;
pub mod data;
pub mod describe;
pub mod dist;
pub mod error;
pub mod fdr;
pub mod regress;
pub mod shapiro;
pub mod summary;
pub mod ttest;
pub mod wilcoxon;

pub use error::StatsError;

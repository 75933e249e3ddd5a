//! Statistics I: data tables, descriptive tables with group tests, correlations with FDR, linear regression.
//!
//! Every method reproduces R's answer (see README.md for the R function each one follows).

pub mod contingency;
pub mod anova;
pub mod correlate;
pub mod describe;
pub mod data;
pub mod dist;
pub mod error;
pub mod fdr;
pub mod regress;
pub mod shapiro;
pub mod summary;
pub mod ttest;
pub mod wilcoxon;

pub use error::StatsError;

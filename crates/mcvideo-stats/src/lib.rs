//! Statistics I: data tables, descriptive tables with group tests, correlations with FDR, linear regression.
//!
//! Every method reproduces R's answer (see README.md for the R function each one follows).
//!
//! It holds the distributions ([`dist`]), type-7 quantiles and the median ([`summary`]), and
//! least squares with lm's collinearity rule ([`regress::least_squares`]) that the statistics
//! crates share.
//!
//! **NaN or error.** A function of numbers (a tail probability, a quantile, a median, a mean)
//! returns NaN when its arguments are outside its domain or its input is empty, as R returns
//! NaN or NA, so that it composes in arithmetic; the caller that needs a finite value checks
//! it. A function of a data set (a test, a fit, a table) returns `Err` naming the data and the
//! problem (too few rows, a constant column, a singular design) and never a NaN result in
//! place of a reason.

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

//! Statistics I: data tables, descriptive tables with group tests, correlations with FDR, linear regression.

pub mod data;
pub mod error;

pub use error::StatsError;

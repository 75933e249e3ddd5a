//! mcvideo-study: the dose-response study of Dai et al. 2026 as one run (config → tables, figures, report).
//!
//! [`run`] reads a [`StudyConfig`] (TOML), loads and joins the data ([`data::Dataset`]), runs the
//! statistics of the sibling crates in the paper's order ([`analysis::analyze`]) and writes
//! `analysis.json`, CSV tables, SVG figures ([`figures`]) with PNG and PDF copies ([`raster`]),
//! `analysis_data.csv` and `refit.R` ([`export`]) and a self-contained `report.html`
//! ([`report`]) into the output folder.

pub mod analysis;
pub mod baseline;
pub mod config;
pub mod data;
pub mod error;
pub mod export;
pub mod figures;
pub mod output;
pub mod provenance;
pub mod raster;
pub mod report;
pub mod study;

pub use analysis::{analyze, analyze_with, Analysis};
pub use config::StudyConfig;
pub use error::{Result, StudyError};
pub use study::{run, write_outputs, RunSummary};

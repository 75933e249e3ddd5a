//! The workspace's test kit: what tests, examples and benches need to build clips of known
//! truth and to score results against it. It is a dev-dependency only (`publish = false`),
//! so none of it, nor `rand`, ships in the product crates.
//!
//! - [`toy`]: a small renderer of cells moving along vessels at known speeds (flow tests).
//! - [`evaluate`]: detected vessels against known centerlines (vessel tests).
//! - [`synth_mean`]: a `mcvideo-synth` clip as the detector's input (mean and temporal standard
//!   deviation images) and its truth as centerlines.
//! - [`compare`]: a score report against the exact truth of its synthetic clip (the accuracy
//!   harnesses).
//! - [`args`]: the harnesses' `--name value` reading.
//! - [`csv_table`]: the CSV tables the workspace writes, read as rows of column → cell.
//! - [`targets`]: the acceptance rule of the accuracy targets (mean and 90% of clips).
//! - [`vessel_suite`], [`score_suite`]: the vessel and end-to-end acceptance suites, shared by
//!   the acceptance tests and the examples that print their tables.

pub mod args;
pub mod compare;
pub mod csv_table;
pub mod evaluate;
pub mod score_suite;
pub mod synth_mean;
pub mod targets;
pub mod toy;
pub mod vessel_suite;

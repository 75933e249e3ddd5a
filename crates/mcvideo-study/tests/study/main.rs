//! The integration tests of mcvideo-study, one module per concern, built as one test binary.

mod analyze_cohort_a;
mod errors;
mod escaping;
mod reference_wiring;
mod report_chromium;
mod reproducible;
mod small_cohorts;

//! The integration tests of mcvideo-stats, built as one test binary (linking each file as its own
//! binary cost more build time than the tests take to run); each module is one concern.

mod bad_csv;
mod common;
mod describe_vs_r;
mod more_r;
mod properties;
mod reference_r;
mod small_n_correlation;

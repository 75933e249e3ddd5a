//! The integration tests of mcvideo-doseresponse, built as one test binary (linking each file as its own
//! binary cost more build time than the tests take to run); each module is one concern.

mod bootstrap_determinism;
mod common;
mod degenerate;
mod extra_gam;
mod large_n_gam;
mod reference_gam;
mod reference_knots;
mod reference_rcs;
mod reference_segmented;

//! The integration tests of mcvideo-survival, built as one test binary (linking each file as its own
//! binary cost more build time than the tests take to run); each module is one concern.

mod common;
mod degenerate;
mod input_validation;
mod reference;
mod simulated;
mod zph_and_times;

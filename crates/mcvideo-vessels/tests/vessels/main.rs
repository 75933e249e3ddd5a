//! The integration tests of mcvideo-vessels, built as one test binary (linking each file as its own
//! binary cost more build time than the tests take to run); each module is one concern.

mod acceptance;
mod common;
mod detect;
mod synth_acceptance;

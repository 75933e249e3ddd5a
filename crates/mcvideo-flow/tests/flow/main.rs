//! The integration tests of mcvideo-flow, built as one test binary (linking each file as its own
//! binary cost more build time than the tests take to run); each module is one concern.

mod evidence;
mod synth_accuracy;
mod toy_flow;

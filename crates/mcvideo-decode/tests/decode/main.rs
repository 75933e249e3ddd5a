//! The integration tests of mcvideo-decode, built as one test binary (linking each file as its own
//! binary cost more build time than the tests take to run); each module is one concern.

mod bad_input;
mod common;
mod roundtrip;

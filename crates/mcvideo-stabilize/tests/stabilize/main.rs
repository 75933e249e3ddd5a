//! The integration tests of mcvideo-stabilize, built as one test binary (linking each file as its own
//! binary cost more build time than the tests take to run); each module is one concern.

mod accuracy;
mod common;
mod registration;

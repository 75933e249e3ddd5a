//! The integration tests of mcvideo-review, built as one test binary (linking each file as its own
//! binary cost more build time than the tests take to run); each module is one concern.

mod agreement_case;
mod ava_import;
mod common;
mod drawn_diameter;
mod server_security;

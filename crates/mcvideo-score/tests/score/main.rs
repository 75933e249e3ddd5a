//! The integration tests of mcvideo-score, built as one test binary (linking each file as its own
//! binary cost more build time than the tests take to run); each module is one concern.

mod acceptance;
mod frames;
mod polarity;
mod score_accuracy;
mod score_schema;

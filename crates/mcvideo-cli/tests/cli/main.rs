//! The integration tests of mcvideo-cli, built as one test binary (linking each file as its own
//! binary cost more build time than the tests take to run); each module is one concern.

mod bad_input;
mod batch_cli;
mod batch_faults;
mod batch_progress;
mod clip_input;
mod common;
mod fuzz_inputs;
mod inspect_score_quality;
mod metaimage;
mod params_cli;
mod real_clip;
mod review_browser;
mod review_open;
mod review_resume;
mod stats_cli;
mod stats_robustness;
mod stats_survival;
mod study_chain;
mod survival_input;
mod synth_cli;
mod watch_live;

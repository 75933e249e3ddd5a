//! One module per subcommand; each exposes `Args` (when it takes any) and `run`.

pub mod analyze;
pub mod batch;
pub mod fields;
pub mod inspect;
pub mod merge;
pub mod numbers;
pub mod review;
pub mod scale;
pub mod score;
pub mod stats;
pub mod synth;
pub mod synth_study;
pub mod tuning;
pub mod version;
pub mod watch;

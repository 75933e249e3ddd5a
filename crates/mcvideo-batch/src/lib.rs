//! Batch scoring of clip archives: manifests, sharding, resume, atomic outputs and site/patient tables.
//!
//! The batch never holds more than one clip per worker in memory: every clip's score JSON
//! (and overlay) is written to `clips/` as soon as it is done, atomically, and the tables are
//! built at the end from those files. That makes a batch resumable after any interruption
//! (`--resume` reuses a clip's score only when its resume key, a hash of the clip's bytes and
//! of the settings, still fits), shardable across a cluster (`--shard K/N`, then `merge`, which
//! checks that the shards are complete and were scored alike), and its tables independent of
//! thread count and run order. One run at a time writes into an output folder ([`lock`]).

pub mod atomic;
pub mod fingerprint;
pub mod lock;
pub mod manifest;
pub mod merge;
pub mod run;
pub mod shard;
pub mod tables;

pub use fingerprint::ResumeKey;
pub use lock::{OutputLock, LOCK_FILE};
pub use manifest::{
    load_manifest, read_manifest, scan_folder, Archive, ClipJob, SkippedEntry, DEFAULT_PATTERN,
};
pub use merge::{merge_outputs, MergeOptions, MergeSummary};
pub use run::{
    run_batch, BatchOptions, BatchSummary, ClipScorer, Rescored, ScoredClip, DEFAULT_PROGRESS_EVERY,
};
pub use shard::Shard;

use std::path::PathBuf;

/// Errors of the batch stage. Errors of single clips are not here: they go to `failures.csv`.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The manifest is malformed.
    #[error("{path}: {problem}")]
    Manifest { path: PathBuf, problem: String },
    /// The folder pattern is malformed.
    #[error("pattern '{pattern}': {problem}")]
    Pattern { pattern: String, problem: String },
    /// `--shard` is not `K/N` with 1 ≤ K ≤ N.
    #[error("--shard '{0}': expected K/N with 1 <= K <= N, e.g. 3/8")]
    Shard(String),
    /// A JSON or CSV output could not be produced or read back.
    #[error("{path}: {problem}")]
    Data { path: PathBuf, problem: String },
    /// Two clips map to the same patient, day and site.
    #[error("two clips have the id '{id}': {first} and {second}; each patient/day/site must have one clip")]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
    /// Another run holds the output folder's lock.
    #[error("{path}: {message}")]
    Locked { path: PathBuf, message: String },
    /// `merge` found shards that are missing, duplicated or scored differently.
    #[error("{out}: refusing to merge:\n  - {}", problems.join("\n  - "))]
    MergeRefused { out: PathBuf, problems: Vec<String> },
    /// The worker pool could not be built.
    #[error("cannot start {0} worker threads")]
    ThreadPool(usize),
}

impl BatchError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        BatchError::Io {
            path: path.into(),
            source,
        }
    }
}

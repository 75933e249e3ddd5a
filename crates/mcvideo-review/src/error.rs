//! The one error type of the review crate.

use std::path::PathBuf;

/// Errors of reviewing: unreadable folders and files, bad requests, conflicting edits.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file holds something other than what it should.
    #[error("{path}: {problem}")]
    Data { path: PathBuf, problem: String },
    /// A path named by a request leaves the review folder or is malformed.
    #[error("refused path '{path}': {problem}")]
    Path { path: String, problem: String },
    /// No clip has this id.
    #[error("no clip '{0}' in this folder")]
    UnknownClip(String),
    /// No page or endpoint at this address.
    #[error("no such address: {0}")]
    NotFound(String),
    /// A request body or argument is malformed.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The review file changed since the client last read it.
    #[error("this clip was changed elsewhere (another tab or window) since you loaded it: your copy is version {yours}, the saved one is version {saved}; reload the clip to see those changes, then redo yours")]
    Conflict { yours: u64, saved: u64 },
    /// The clip file is needed (frames, mean image, diameter) but cannot be found or decoded.
    #[error("clip '{id}': {problem}")]
    Media { id: String, problem: String },
    /// The server could not start.
    #[error("cannot serve on {address}: {problem}")]
    Serve { address: String, problem: String },
}

impl ReviewError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ReviewError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn data(path: impl Into<PathBuf>, problem: impl Into<String>) -> Self {
        ReviewError::Data {
            path: path.into(),
            problem: problem.into(),
        }
    }

    pub(crate) fn path(path: &str, problem: impl Into<String>) -> Self {
        ReviewError::Path {
            path: path.to_string(),
            problem: problem.into(),
        }
    }
}

impl From<mcvideo_batch::BatchError> for ReviewError {
    fn from(e: mcvideo_batch::BatchError) -> Self {
        match e {
            mcvideo_batch::BatchError::Io { path, source } => ReviewError::Io { path, source },
            other => ReviewError::Data {
                path: PathBuf::new(),
                problem: other.to_string(),
            },
        }
    }
}

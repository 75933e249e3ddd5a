//! The one error type of mcvideo-study: every variant names the file, key or column and the problem.

use std::path::PathBuf;

/// What went wrong while configuring or running the study.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// A file could not be read or written.
    #[error("{}: {action}: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done (`cannot read`, `cannot write`, ...).
        action: &'static str,
        /// The cause (in the message, so it is not repeated as a source).
        cause: std::io::Error,
    },
    /// The config is not valid TOML or has an unknown, missing or mistyped key.
    #[error("{}: {message}", path.display())]
    Config {
        /// The config file.
        path: PathBuf,
        /// The parser's message (names the key and the line).
        message: String,
    },
    /// A config value is out of range or inconsistent; `key` is its dotted name.
    #[error("{}: key `{key}`: {problem}", path.display())]
    ConfigValue {
        /// The config file.
        path: PathBuf,
        /// Dotted key, e.g. `survival.cutoffs`.
        key: String,
        /// What is wrong.
        problem: String,
    },
    /// A column named in the config is in none of the input tables.
    #[error("column `{column}` (config key `{key}`) is not in {files} (columns: {available})")]
    MissingColumn {
        /// The column.
        column: String,
        /// The config key that names it.
        key: String,
        /// The files searched.
        files: String,
        /// The columns they have.
        available: String,
    },
    /// The input tables disagree or cannot be joined.
    #[error("{file}: {problem}")]
    Data {
        /// The file (or files).
        file: String,
        /// What is wrong.
        problem: String,
    },
    /// A statistics crate refused its input.
    #[error("{what}: {message}")]
    Method {
        /// Which analysis (e.g. `GAM of mfi on ne_dose`).
        what: String,
        /// The method's message.
        message: String,
    },
    /// A figure could not be drawn.
    #[error("figure {name}: {message}")]
    Figure {
        /// The figure file name.
        name: String,
        /// The drawing error.
        message: String,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, StudyError>;

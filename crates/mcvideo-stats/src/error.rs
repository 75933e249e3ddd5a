//! The one error type of mcvideo-stats: every variant names the file or the method and the problem.

use std::path::PathBuf;

/// What went wrong while loading a table or running a method.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// The file could not be opened or read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The CSV parser failed (bad quoting, invalid UTF-8, ...).
    #[error("{file}: not a valid CSV: {message}")]
    Csv { file: String, message: String },
    /// No header row at all.
    #[error("{file}: the file is empty (no header row)")]
    EmptyFile { file: String },
    /// A header but no data rows.
    #[error("{file}: the file has a header but no data rows")]
    NoRows { file: String },
    /// A header cell is empty.
    #[error("{file}: column {column} of the header has no name")]
    EmptyColumnName { file: String, column: usize },
    /// Two header cells carry the same name.
    #[error("{file}: the column name `{name}` appears more than once in the header")]
    DuplicateColumn { file: String, name: String },
    /// A data row (1-based, header not counted) has a different number of fields than the header.
    #[error("{file}: row {row} has {found} fields, the header has {expected}")]
    RaggedRow {
        file: String,
        row: usize,
        found: usize,
        expected: usize,
    },
    /// A column asked for is not in the header.
    #[error("{file}: no column named `{name}` (columns: {available})")]
    UnknownColumn {
        file: String,
        name: String,
        available: String,
    },
    /// Text where a number is needed.
    #[error("{file}: row {row}, column `{column}`: `{value}` is not a number")]
    NotNumeric {
        file: String,
        row: usize,
        column: String,
        value: String,
    },
    /// A number that is not finite (`NaN`, `Inf`) where a measurement is needed.
    #[error("{file}: row {row}, column `{column}`: `{value}` is not a finite number (a missing value is an empty cell or NA)")]
    NotFinite {
        file: String,
        row: usize,
        column: String,
        value: String,
    },
    /// Too few observations for the method.
    #[error("{what}: {n} complete observations, at least {need} needed")]
    TooFew { what: String, n: usize, need: usize },
    /// A design column is (nearly) a linear combination of the columns before it, by lm's
    /// rule ([`crate::regress::first_collinear_column`]); `column` counts from 0.
    #[error("{what}: design column {} is collinear with the columns before it (or constant)", column + 1)]
    Collinear { what: String, column: usize },
    /// The input cannot be analysed (constant data, singular design, bad argument).
    #[error("{what}: {problem}")]
    Invalid { what: String, problem: String },
}

impl StatsError {
    pub(crate) fn invalid(what: impl Into<String>, problem: impl Into<String>) -> Self {
        StatsError::Invalid {
            what: what.into(),
            problem: problem.into(),
        }
    }
}

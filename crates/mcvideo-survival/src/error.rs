//! The error type of mcvideo-survival: what is wrong with the input of a survival method.

/// Why a survival method could not run on its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurvivalError {
    /// Two inputs that describe the same rows have different lengths.
    #[error("{what} has {got} values, expected {expected} (one per row of time)")]
    LengthMismatch {
        /// Which input is the wrong length.
        what: String,
        /// Its length.
        got: usize,
        /// The number of rows (the length of `time`).
        expected: usize,
    },
    /// There are no rows at all.
    #[error("no observations")]
    Empty,
    /// A value is NaN or infinite.
    #[error("{what} at row {row} is not finite ({value})")]
    NotFinite {
        /// The input holding the value (`time` or a covariate name).
        what: String,
        /// Zero-based row.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// A follow-up time below zero.
    #[error("time at row {row} is negative ({value}); follow-up times count from zero")]
    NegativeTime {
        /// Zero-based row.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// The Cox model needs at least one event.
    #[error(
        "no events: every observation is censored, the Cox model has no likelihood to maximize"
    )]
    NoEvents,
    /// The Cox model was given no covariates.
    #[error("no covariates given")]
    NoCovariates,
    /// Every covariate is constant or collinear with the others.
    #[error("no estimable covariate: {names} constant or collinear")]
    NoEstimableCovariate {
        /// The covariates, comma separated.
        names: String,
    },
    /// The log-rank test needs two groups with expected events.
    #[error("the log-rank test needs at least two groups with events at risk; got {groups}")]
    TooFewGroups {
        /// How many groups had a non-zero expected count.
        groups: usize,
    },
    /// A matrix that must be positive definite is not.
    #[error("{what} is not positive definite")]
    NotPositiveDefinite {
        /// Which matrix.
        what: String,
    },
}

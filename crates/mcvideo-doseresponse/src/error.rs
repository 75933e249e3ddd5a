//! The crate's single error type.

use thiserror::Error;

/// Everything that can go wrong while fitting a dose-response model.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DoseError {
    /// Fewer usable rows (or distinct x values) than the model has coefficients.
    #[error("too few data: {what} is {have}, the model needs at least {need}")]
    TooFewData {
        /// What was counted (rows, distinct x values, ...).
        what: &'static str,
        /// How many there are.
        have: usize,
        /// How many are needed.
        need: usize,
    },
    /// The dose variable takes a single value.
    #[error("x is constant (every value is {0}); a dose-response curve needs at least two distinct doses")]
    ConstantX(f64),
    /// Input contains NaN or infinity.
    #[error("{0} contains a non-finite value (NaN or infinity)")]
    NonFinite(&'static str),
    /// Columns of different lengths.
    #[error("length mismatch: {what} has {have} values, y has {need}")]
    LengthMismatch {
        /// Which column.
        what: String,
        /// Its length.
        have: usize,
        /// The length of y.
        need: usize,
    },
    /// A breakpoint start value outside the admissible range of x.
    #[error("breakpoint start {psi} lies outside the admissible range [{lo}, {hi}] of x")]
    PsiOutOfRange {
        /// Start value.
        psi: f64,
        /// Lower limit.
        lo: f64,
        /// Upper limit.
        hi: f64,
    },
    /// A design matrix without full column rank.
    #[error("the design matrix is rank deficient ({0})")]
    Singular(String),
    /// A bad option value.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A numerical procedure produced a non-finite result.
    #[error("numerical failure: {0}")]
    Numerical(String),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, DoseError>;

/// Checks that every value is finite.
pub(crate) fn check_finite(what: &'static str, v: &[f64]) -> Result<()> {
    if v.iter().all(|x| x.is_finite()) {
        Ok(())
    } else {
        Err(DoseError::NonFinite(what))
    }
}

/// The shared least-squares core (`mcvideo_stats::regress::least_squares`) reports in the
/// statistics crate's error type; a dose-response fit reports the same problem in its own.
impl From<mcvideo_stats::StatsError> for DoseError {
    fn from(error: mcvideo_stats::StatsError) -> Self {
        use mcvideo_stats::StatsError;
        match error {
            StatsError::TooFew { n, need, .. } => DoseError::TooFewData {
                what: "rows",
                have: n,
                need,
            },
            StatsError::Collinear { column, .. } => DoseError::Singular(format!(
                "column {} is (nearly) a combination of the others",
                column + 1
            )),
            other => DoseError::Numerical(other.to_string()),
        }
    }
}

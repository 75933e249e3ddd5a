//! Input checks shared by the survival methods: lengths and finite values.

use crate::SurvivalError;

/// Checks that `time` is non-empty and finite, and that `event` has one value per row.
pub(crate) fn check_time_event(time: &[f64], event: &[bool]) -> Result<(), SurvivalError> {
    if time.is_empty() {
        return Err(SurvivalError::Empty);
    }
    check_len("event", event.len(), time.len())?;
    check_finite("time", time)
}

/// Checks that an input describing the rows has one value per row.
pub(crate) fn check_len(what: &str, got: usize, expected: usize) -> Result<(), SurvivalError> {
    if got != expected {
        return Err(SurvivalError::LengthMismatch {
            what: what.to_string(),
            got,
            expected,
        });
    }
    Ok(())
}

/// Checks that every value is finite, naming the first that is not.
pub(crate) fn check_finite(what: &str, values: &[f64]) -> Result<(), SurvivalError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(SurvivalError::NotFinite {
            what: what.to_string(),
            row,
            value: values[row],
        }),
        None => Ok(()),
    }
}

/// Row indices sorted by ascending time (stable, so equal times keep input order).
pub(crate) fn order_by_time(time: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..time.len()).collect();
    order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
    order
}

//! Input checks shared by the survival methods: lengths and finite values.

use crate::SurvivalError;

/// Checks that `time` is non-empty, finite and not negative (a follow-up time counts from the
/// start of observation), and that `event` has one value per row.
pub(crate) fn check_time_event(time: &[f64], event: &[bool]) -> Result<(), SurvivalError> {
    if time.is_empty() {
        return Err(SurvivalError::Empty);
    }
    check_len("event", event.len(), time.len())?;
    check_finite("time", time)?;
    match time.iter().position(|&t| t < 0.0) {
        Some(row) => Err(SurvivalError::NegativeTime {
            row,
            value: time[row],
        }),
        None => Ok(()),
    }
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

/// survival's `aeqSurv` (timefix = TRUE in survfit, survdiff, coxph and concordance): times that
/// differ by at most sqrt(machine epsilon), absolutely or relative to the mean |time|, are made
/// equal (to the smallest of them), so that rounding in computed times does not break ties.
///
/// ```
/// use mcvideo_survival::timefix;
/// assert_eq!(timefix(&[2.0, 1.0 + 1e-10, 1.0, 3.0]), vec![2.0, 1.0, 1.0, 3.0]);
/// assert_eq!(timefix(&[0.1 + 0.2, 0.3]), vec![0.3, 0.3]);
/// ```
pub fn timefix(time: &[f64]) -> Vec<f64> {
    const TOLERANCE: f64 = 1.490_116_119_384_765_6e-8;
    let mut unique: Vec<f64> = time.iter().copied().filter(|t| t.is_finite()).collect();
    unique.sort_by(f64::total_cmp);
    unique.dedup();
    if unique.len() < 2 {
        return time.to_vec();
    }
    let mean_abs = unique.iter().map(|t| t.abs()).sum::<f64>() / unique.len() as f64;
    let mut cuts = vec![unique[0]];
    let mut any_tied = false;
    for pair in unique.windows(2) {
        let gap = pair[1] - pair[0];
        if gap <= TOLERANCE || gap / mean_abs <= TOLERANCE {
            any_tied = true;
        } else {
            cuts.push(pair[1]);
        }
    }
    if !any_tied {
        return time.to_vec();
    }
    time.iter()
        .map(|&t| {
            // findInterval: the largest cut ≤ t.
            let k = cuts.partition_point(|&c| c <= t);
            if k == 0 {
                t
            } else {
                cuts[k - 1]
            }
        })
        .collect()
}

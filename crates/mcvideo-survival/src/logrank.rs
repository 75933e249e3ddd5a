//! The log-rank test between groups of survival times (Mantel 1966; Peto & Peto 1972),
//! as R's `survival::survdiff` with rho = 0.

use crate::km::sorted_labels;
use crate::validate::{check_len, check_time_event, order_by_time, timefix};
use crate::SurvivalError;
use mcvideo_stats::dist;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// The log-rank test: observed and expected events per group and the chi-square statistic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRank {
    /// Chi-square statistic (O − E)ᵀ V⁻¹ (O − E) over all groups with expected events but the first.
    pub chi2: f64,
    /// Degrees of freedom: groups with expected events, minus one.
    pub df: usize,
    /// Upper-tail chi-square p value.
    pub p: f64,
    /// Group labels, in order.
    pub groups: Vec<String>,
    /// Observed events per group.
    pub observed: Vec<f64>,
    /// Expected events per group under equal hazards.
    pub expected: Vec<f64>,
}

/// Log-rank test of equal survival between the groups (labels ordered as R orders factor levels).
///
/// ```
/// use mcvideo_survival::logrank;
/// let time = [1.0, 2.0, 3.0, 4.0];
/// let event = [true, true, true, true];
/// let test = logrank(&time, &event, &["a", "b", "a", "b"]).unwrap();
/// assert_eq!(test.observed, vec![2.0, 2.0]);
/// assert_eq!(test.expected, vec![0.5 + 1.0 / 3.0 + 0.5, 0.5 + 2.0 / 3.0 + 0.5 + 1.0]);
/// assert_eq!(test.df, 1);
/// ```
pub fn logrank<S: AsRef<str>>(
    time: &[f64],
    event: &[bool],
    group: &[S],
) -> Result<LogRank, SurvivalError> {
    check_time_event(time, event)?;
    check_len("group", group.len(), time.len())?;
    let labels = sorted_labels(group.iter().map(AsRef::as_ref));
    let index: Vec<usize> = group
        .iter()
        .map(|g| labels.iter().position(|l| l == g.as_ref()).unwrap_or(0))
        .collect();
    logrank_indexed(time, event, &index, &labels)
}

/// Log-rank test for groups given as indices into `labels`.
///
/// ```
/// use mcvideo_survival::logrank_indexed;
/// let labels = vec!["a".to_string(), "b".to_string()];
/// let test = logrank_indexed(&[1.0, 2.0, 3.0, 4.0], &[true; 4], &[0, 1, 0, 1], &labels).unwrap();
/// assert_eq!(test.observed, vec![2.0, 2.0]);
/// assert_eq!(test.df, 1);
/// ```
pub fn logrank_indexed(
    time: &[f64],
    event: &[bool],
    group_index: &[usize],
    labels: &[String],
) -> Result<LogRank, SurvivalError> {
    check_time_event(time, event)?;
    let fixed = timefix(time);
    let time = fixed.as_slice();
    check_len("group", group_index.len(), time.len())?;
    let k = labels.len();
    if let Some(&bad) = group_index.iter().find(|&&g| g >= k) {
        return Err(SurvivalError::LengthMismatch {
            what: format!("group index {bad} (labels)"),
            got: k,
            expected: bad + 1,
        });
    }
    let order = order_by_time(time);
    let mut at_risk = vec![0.0_f64; k];
    for &g in group_index {
        at_risk[g] += 1.0;
    }
    let mut observed = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut variance = DMatrix::<f64>::zeros(k, k);
    let mut deaths = vec![0.0; k];
    let mut leaving = vec![0.0; k];
    let mut i = 0;
    while i < order.len() {
        let t = time[order[i]];
        deaths.iter_mut().for_each(|d| *d = 0.0);
        leaving.iter_mut().for_each(|d| *d = 0.0);
        while i < order.len() && time[order[i]] == t {
            let row = order[i];
            let g = group_index[row];
            leaving[g] += 1.0;
            if event[row] {
                deaths[g] += 1.0;
            }
            i += 1;
        }
        let d: f64 = deaths.iter().sum();
        let n: f64 = at_risk.iter().sum();
        if d > 0.0 {
            for g in 0..k {
                observed[g] += deaths[g];
                expected[g] += d * at_risk[g] / n;
            }
            if n > 1.0 {
                // survdiff: V_gh += d (n − d) / (n (n − 1)) · n_g (δ_gh − n_h / n)
                let factor = d * (n - d) / (n * (n - 1.0));
                for g in 0..k {
                    let tmp = factor * at_risk[g];
                    variance[(g, g)] += tmp;
                    for h in 0..k {
                        variance[(g, h)] -= tmp * at_risk[h] / n;
                    }
                }
            }
        }
        for g in 0..k {
            at_risk[g] -= leaving[g];
        }
    }
    // survdiff keeps the groups with expected > 0 and drops the first of them.
    let used: Vec<usize> = (0..k).filter(|&g| expected[g] > 0.0).collect();
    if used.len() < 2 {
        return Err(SurvivalError::TooFewGroups { groups: used.len() });
    }
    let kept = &used[1..];
    let m = kept.len();
    let diff = DVector::from_iterator(m, kept.iter().map(|&g| observed[g] - expected[g]));
    let v = DMatrix::from_fn(m, m, |a, b| variance[(kept[a], kept[b])]);
    let solved = v
        .lu()
        .solve(&diff)
        .ok_or_else(|| SurvivalError::NotPositiveDefinite {
            what: "log-rank variance matrix".into(),
        })?;
    let chi2 = solved.dot(&diff);
    Ok(LogRank {
        chi2,
        df: m,
        p: dist::chisq_upper_p(chi2, m as f64),
        groups: labels.to_vec(),
        observed,
        expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a / b - 1.0).abs() < 1e-12
    }

    #[test]
    fn two_groups_match_survdiff() {
        // R: survdiff(Surv(1:8, c(1,1,0,1,1,1,0,1)) ~ c(1,2,1,2,1,2,2,1))
        let t: Vec<f64> = (1..=8).map(f64::from).collect();
        let e = [true, true, false, true, true, true, false, true];
        let test = logrank(&t, &e, &["1", "2", "1", "2", "1", "2", "2", "1"]).unwrap();
        assert_eq!(test.observed, vec![3.0, 3.0]);
        assert!(close(test.expected[0], 3.16190476190476));
        assert!(close(test.chi2, 0.021715445016343), "{}", test.chi2);
        assert_eq!(test.df, 1);
    }

    #[test]
    fn three_groups_match_survdiff() {
        // R: survdiff(Surv(1:9, c(1,1,0,1,1,1,0,1,1)) ~ c(1,2,3,2,1,3,2,1,3))
        let t: Vec<f64> = (1..=9).map(f64::from).collect();
        let e = [true, true, false, true, true, true, false, true, true];
        let g = [1, 2, 3, 2, 1, 3, 2, 1, 3].map(|v: i32| v.to_string());
        let test = logrank(&t, &e, &g).unwrap();
        assert!(close(test.expected[1], 1.49166666666667));
        assert!(close(test.chi2, 1.47078117060101), "{}", test.chi2);
        assert_eq!(test.df, 2);
    }

    #[test]
    fn one_group_is_too_few() {
        let err = logrank(&[1.0, 2.0], &[true, false], &["a", "a"]).unwrap_err();
        assert_eq!(err, SurvivalError::TooFewGroups { groups: 1 });
    }
}

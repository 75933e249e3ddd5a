//! Kaplan–Meier survival curves (Kaplan & Meier 1958) with Greenwood (1926) standard errors,
//! log-type confidence intervals and medians, as R's `survival::survfit` computes them by default.

use crate::logrank::{logrank_indexed, LogRank};
use crate::validate::{check_len, check_time_event, order_by_time, timefix};
use crate::SurvivalError;
use mcvideo_stats::dist;
use serde::{Deserialize, Serialize};

/// Default confidence level of the pointwise intervals (survfit's `conf.int = 0.95`).
pub const DEFAULT_CONF_LEVEL: f64 = 0.95;

/// survfit's tolerance for "survival is exactly 0.5" in the median rule: `sqrt(.Machine$double.eps)`.
const QUANTILE_TOLERANCE: f64 = 1.490_116_119_384_765_6e-8;

/// One step of a Kaplan–Meier curve: a distinct time with an event or a censoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmStep {
    /// The time.
    pub time: f64,
    /// Number at risk just before `time` (observations with time ≥ `time`).
    pub n_risk: usize,
    /// Events at `time`.
    pub n_event: usize,
    /// Censorings at `time` (counted at risk at `time`).
    pub n_censor: usize,
    /// Kaplan–Meier survival just after `time`.
    pub survival: f64,
    /// Greenwood standard error of `survival` (survfit's `std.err` is of log S; this is S times it).
    /// `None` once survival is 0.
    pub se: Option<f64>,
    /// Log-type pointwise confidence interval of `survival`, upper end capped at 1; `None` once survival is 0.
    pub ci: [Option<f64>; 2],
}

/// A Kaplan–Meier curve of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmCurve {
    /// The group label (`"all"` for an ungrouped curve).
    pub group: String,
    /// Observations in the group.
    pub n: usize,
    /// Events in the group.
    pub events: usize,
    /// Median survival time by survfit's rule; `None` if survival never falls to 0.5.
    pub median: Option<f64>,
    /// Confidence interval of the median, read off the pointwise interval curves as survfit does.
    pub median_ci: [Option<f64>; 2],
    /// One step per distinct time, in increasing time.
    pub steps: Vec<KmStep>,
}

impl KmCurve {
    /// Survival at time `t`: the curve is right-continuous, 1 before the first step.
    ///
    /// ```
    /// use mcvideo_survival::kaplan_meier;
    /// let curve = kaplan_meier(&[1.0, 2.0, 3.0, 4.0], &[true, false, true, false]).unwrap();
    /// assert_eq!(curve.survival_at(0.5), 1.0);
    /// assert_eq!(curve.survival_at(1.0), 0.75);
    /// assert_eq!(curve.survival_at(3.5), 0.375);
    /// ```
    pub fn survival_at(&self, t: f64) -> f64 {
        self.steps
            .iter()
            .take_while(|s| s.time <= t)
            .last()
            .map_or(1.0, |s| s.survival)
    }

    /// Number at risk at time `t` (observations with time ≥ `t`), for "numbers at risk" tables.
    ///
    /// ```
    /// use mcvideo_survival::kaplan_meier;
    /// let curve = kaplan_meier(&[1.0, 2.0, 3.0, 4.0], &[true, false, true, false]).unwrap();
    /// assert_eq!(curve.n_risk_at(0.0), 4);
    /// assert_eq!(curve.n_risk_at(2.5), 2);
    /// assert_eq!(curve.n_risk_at(9.0), 0);
    /// ```
    pub fn n_risk_at(&self, t: f64) -> usize {
        self.steps
            .iter()
            .find(|s| s.time >= t)
            .map_or(0, |s| s.n_risk)
    }
}

/// Kaplan–Meier curves of several groups with the log-rank test between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmAnalysis {
    /// Observations used.
    pub n: usize,
    /// One curve per group, in group order.
    pub groups: Vec<KmCurve>,
    /// Log-rank test (survdiff, rho = 0); `None` with fewer than two groups with events at risk.
    pub logrank: Option<LogRank>,
}

/// Kaplan–Meier curve of all observations, with 95% log-type intervals (survfit's defaults).
///
/// `event[i]` is true for an event (death), false for a censored time.
///
/// ```
/// use mcvideo_survival::kaplan_meier;
/// let curve = kaplan_meier(&[1.0, 2.0, 2.0, 3.0, 4.0], &[true, true, false, true, true]).unwrap();
/// let surv: Vec<f64> = curve.steps.iter().map(|s| s.survival).collect();
/// assert_eq!(surv, vec![0.8, 0.6000000000000001, 0.30000000000000004, 0.0]);
/// assert_eq!(curve.median, Some(3.0));
/// assert_eq!(curve.steps[3].se, None); // survival reached 0
/// ```
pub fn kaplan_meier(time: &[f64], event: &[bool]) -> Result<KmCurve, SurvivalError> {
    kaplan_meier_level(time, event, DEFAULT_CONF_LEVEL)
}

/// [`kaplan_meier`] with another confidence level (e.g. 0.9).
///
/// ```
/// use mcvideo_survival::kaplan_meier_level;
/// let curve = kaplan_meier_level(&[1.0, 2.0, 3.0], &[true, true, false], 0.9).unwrap();
/// assert_eq!(curve.steps[0].n_risk, 3);
/// assert_eq!(curve.steps[0].ci[1], Some(1.0));
/// ```
pub fn kaplan_meier_level(
    time: &[f64],
    event: &[bool],
    conf_level: f64,
) -> Result<KmCurve, SurvivalError> {
    check_time_event(time, event)?;
    let fixed = timefix(time);
    let time = fixed.as_slice();
    let rows: Vec<usize> = (0..time.len()).collect();
    Ok(curve_of_rows(time, event, &rows, "all", conf_level))
}

/// Kaplan–Meier curves by group and the log-rank test, as `survfit(Surv(t, e) ~ g)` and `survdiff`.
///
/// Groups are ordered as R orders factor levels: numerically when every label is a number,
/// otherwise alphabetically.
///
/// ```
/// use mcvideo_survival::km_groups;
/// let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let event = [true, true, true, true, false, true];
/// let group = ["2", "1", "2", "1", "1", "2"];
/// let km = km_groups(&time, &event, &group).unwrap();
/// assert_eq!(km.groups[0].group, "1");
/// assert_eq!(km.groups[0].events, 2);
/// assert_eq!(km.logrank.unwrap().df, 1);
/// ```
pub fn km_groups<S: AsRef<str>>(
    time: &[f64],
    event: &[bool],
    group: &[S],
) -> Result<KmAnalysis, SurvivalError> {
    check_time_event(time, event)?;
    check_len("group", group.len(), time.len())?;
    let labels = sorted_labels(group.iter().map(AsRef::as_ref));
    let index: Vec<usize> = group
        .iter()
        .map(|g| labels.iter().position(|l| l == g.as_ref()).unwrap_or(0))
        .collect();
    km_indexed(time, event, &index, &labels, DEFAULT_CONF_LEVEL)
}

/// Kaplan–Meier curves split at a cutoff of a numeric column: group `"<name> <= <cutoff>"` first,
/// then `"<name> > <cutoff>"` (the paper's dose split, e.g. NE > 0.8 µg/kg/min).
///
/// ```
/// use mcvideo_survival::km_by_cutoff;
/// let time = [1.0, 2.0, 3.0, 4.0];
/// let event = [true, true, false, true];
/// let dose = [0.2, 0.9, 0.5, 1.1];
/// let km = km_by_cutoff(&time, &event, &dose, 0.8, "ne_dose").unwrap();
/// assert_eq!(km.groups[0].group, "ne_dose <= 0.8");
/// assert_eq!(km.groups[1].n, 2);
/// ```
pub fn km_by_cutoff(
    time: &[f64],
    event: &[bool],
    values: &[f64],
    cutoff: f64,
    name: &str,
) -> Result<KmAnalysis, SurvivalError> {
    check_time_event(time, event)?;
    check_len(name, values.len(), time.len())?;
    crate::validate::check_finite(name, values)?;
    let labels = vec![format!("{name} <= {cutoff}"), format!("{name} > {cutoff}")];
    let index: Vec<usize> = values.iter().map(|&v| usize::from(v > cutoff)).collect();
    km_indexed(time, event, &index, &labels, DEFAULT_CONF_LEVEL)
}

/// Curves for groups given as indices into `labels` (in that order); empty groups are left out.
///
/// ```
/// use mcvideo_survival::km_indexed;
/// let labels = vec!["low".to_string(), "high".to_string(), "none".to_string()];
/// let km = km_indexed(&[1.0, 2.0, 3.0, 4.0], &[true, true, false, true], &[1, 0, 1, 0], &labels, 0.95)
///     .unwrap();
/// assert_eq!(km.groups.len(), 2);
/// assert_eq!(km.groups[0].group, "low");
/// assert_eq!(km.groups[0].steps[0].time, 2.0);
/// assert_eq!(km.logrank.unwrap().groups, labels);
/// ```
pub fn km_indexed(
    time: &[f64],
    event: &[bool],
    group_index: &[usize],
    labels: &[String],
    conf_level: f64,
) -> Result<KmAnalysis, SurvivalError> {
    check_time_event(time, event)?;
    let fixed = timefix(time);
    let time = fixed.as_slice();
    check_len("group", group_index.len(), time.len())?;
    let mut groups = Vec::new();
    for (g, label) in labels.iter().enumerate() {
        let rows: Vec<usize> = (0..time.len()).filter(|&i| group_index[i] == g).collect();
        if !rows.is_empty() {
            groups.push(curve_of_rows(time, event, &rows, label, conf_level));
        }
    }
    let logrank = match logrank_indexed(time, event, group_index, labels) {
        Ok(test) => Some(test),
        Err(SurvivalError::TooFewGroups { .. }) => None,
        Err(e) => return Err(e),
    };
    Ok(KmAnalysis {
        n: time.len(),
        groups,
        logrank,
    })
}

/// Sorted distinct labels: numerically if all parse as numbers, else by string.
pub(crate) fn sorted_labels<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut distinct: Vec<String> = Vec::new();
    for label in labels {
        if !distinct.iter().any(|d| d == label) {
            distinct.push(label.to_string());
        }
    }
    let numbers: Option<Vec<f64>> = distinct.iter().map(|l| l.trim().parse().ok()).collect();
    match numbers {
        Some(values) => {
            let mut pairs: Vec<(f64, String)> = values.into_iter().zip(distinct).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            pairs.into_iter().map(|(_, l)| l).collect()
        }
        None => {
            distinct.sort();
            distinct
        }
    }
}

/// The Kaplan–Meier curve of the given rows (survfit's algorithm, unweighted).
fn curve_of_rows(
    time: &[f64],
    event: &[bool],
    rows: &[usize],
    label: &str,
    conf_level: f64,
) -> KmCurve {
    let sub_time: Vec<f64> = rows.iter().map(|&i| time[i]).collect();
    let order = order_by_time(&sub_time);
    let z = dist::normal_quantile(1.0 - (1.0 - conf_level) / 2.0);
    let mut steps = Vec::new();
    let mut n_risk = rows.len();
    let mut survival = 1.0;
    // Greenwood's sum of d / (n (n - d)): the variance of log S (and of the cumulative hazard).
    let mut greenwood = 0.0;
    let mut k = 0;
    while k < order.len() {
        let t = sub_time[order[k]];
        let (mut n_event, mut n_censor) = (0, 0);
        while k < order.len() && sub_time[order[k]] == t {
            if event[rows[order[k]]] {
                n_event += 1;
            } else {
                n_censor += 1;
            }
            k += 1;
        }
        if n_event > 0 {
            let (n, d) = (n_risk as f64, n_event as f64);
            survival *= (n - d) / n;
            greenwood += if n_event < n_risk {
                d / (n * (n - d))
            } else {
                f64::INFINITY
            };
        }
        let (se, ci) = if survival > 0.0 && greenwood.is_finite() {
            let se_log = greenwood.sqrt();
            let lower = (survival.ln() - z * se_log).exp();
            let upper = (survival.ln() + z * se_log).exp().min(1.0);
            (Some(survival * se_log), [Some(lower), Some(upper)])
        } else {
            (None, [None, None])
        };
        steps.push(KmStep {
            time: t,
            n_risk,
            n_event,
            n_censor,
            survival,
            se,
            ci,
        });
        n_risk -= n_event + n_censor;
    }
    let events = steps.iter().map(|s| s.n_event).sum();
    let times: Vec<f64> = steps.iter().map(|s| s.time).collect();
    let failure = |f: &dyn Fn(&KmStep) -> Option<f64>| -> Vec<Option<f64>> {
        steps.iter().map(|s| f(s).map(|v| 1.0 - v)).collect()
    };
    let median = survfit_quantile(&times, &failure(&|s| Some(s.survival)), 0.5);
    let median_lower = survfit_quantile(&times, &failure(&|s| s.ci[0]), 0.5);
    let median_upper = survfit_quantile(&times, &failure(&|s| s.ci[1]), 0.5);
    KmCurve {
        group: label.to_string(),
        n: rows.len(),
        events,
        median,
        median_ci: [median_lower, median_upper],
        steps,
    }
}

/// The time at which the failure curve `y` (1 − S, or 1 − a CI bound) reaches `p`, by survival's
/// `findq`: first time with S ≤ 1 − p; where S equals 1 − p (within 1.5e-8) over an interval, the
/// mean of that interval's ends (its end being the last time when the curve stays flat to the end).
fn survfit_quantile(times: &[f64], failure: &[Option<f64>], p: f64) -> Option<f64> {
    let tol = QUANTILE_TOLERANCE;
    // survfit prepends the start (time 0, failure 0).
    let mut x = vec![0.0];
    let mut y = vec![Some(0.0)];
    x.extend_from_slice(times);
    y.extend_from_slice(failure);
    let xmax = *x.last()?;
    let max_y = y
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    if max_y < p {
        return None;
    }
    // Keep the first occurrence of each failure value (R's duplicated(), NA equal to NA).
    let mut kept_x: Vec<f64> = Vec::new();
    let mut kept_y: Vec<Option<f64>> = Vec::new();
    for (&xi, &yi) in x.iter().zip(&y) {
        if !kept_y.contains(&yi) {
            kept_x.push(xi);
            kept_y.push(yi);
        }
    }
    let index_above = approx_constant_right(&kept_y, tol, p);
    let index_below = approx_constant_right(&kept_y, -tol, p);
    let mut quantile = match (index_above, index_below) {
        (Some(a), Some(b)) => Some((kept_x[a] + kept_x[b]) / 2.0),
        _ => None,
    };
    if let Some(Some(last)) = kept_y.last()
        && (p - last).abs() < tol
    {
        quantile = index_above.map(|a| (kept_x[a] + xmax) / 2.0);
    }
    quantile
}

/// R's `approx(y + shift, seq_along(y), p, method = "constant", f = 1)`: the index of the
/// smallest knot y + shift that is ≥ p (NA knots dropped; `None` outside the knots' range).
fn approx_constant_right(y: &[Option<f64>], shift: f64, p: f64) -> Option<usize> {
    let mut knots: Vec<(f64, usize)> = y
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (v + shift, i)))
        .collect();
    knots.sort_by(|a, b| a.0.total_cmp(&b.0));
    let first = knots.first()?;
    let last = knots.last()?;
    if p < first.0 || p > last.0 {
        return None;
    }
    knots.iter().find(|k| k.0 >= p).map(|k| k.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_averages_over_a_flat_half() {
        // S = 0.75, 0.5 (t = 2), 0.5 (censored at 3), 0 (t = 4): median (2 + 4) / 2, as R gives.
        let c = kaplan_meier(&[1.0, 2.0, 3.0, 4.0], &[true, true, false, true]).unwrap();
        assert!((c.steps[1].survival - 0.5).abs() < 1e-15);
        assert_eq!(c.median, Some(3.0));
        // R: survfit(Surv(1:4, c(1,1,0,0)) ~ 1) has median 3 (flat at 0.5 to the end: (2 + 4) / 2).
        let c = kaplan_meier(&[1.0, 2.0, 3.0, 4.0], &[true, true, false, false]).unwrap();
        assert_eq!(c.median, Some(3.0));
        assert_eq!(c.median_ci[0], Some(1.0));
        assert_eq!(c.median_ci[1], None);
    }

    #[test]
    fn r_toy_curve_matches_survfit() {
        // survfit(Surv(c(1,2,2,3,4), c(1,1,0,1,1)) ~ 1): std.err 0.2236068 0.3651484 0.7958224 Inf,
        // lower 0.51612576 0.29331643 0.06305448 NA, median 3 (lower 2, upper NA).
        let c = kaplan_meier(&[1.0, 2.0, 2.0, 3.0, 4.0], &[true, true, false, true, true]).unwrap();
        let std_err = [0.2236068, 0.3651484, 0.7958224];
        let lower = [0.51612576, 0.29331643, 0.06305448];
        for i in 0..3 {
            let s = &c.steps[i];
            let se_log = s.se.unwrap() / s.survival;
            assert!((se_log - std_err[i]).abs() < 1e-7, "{i}: {se_log}");
            assert!((s.ci[0].unwrap() - lower[i]).abs() < 1e-8, "{i}");
            assert_eq!(s.ci[1], Some(1.0));
        }
        assert_eq!(c.steps[3].ci, [None, None]);
        assert_eq!(c.steps[1].n_censor, 1);
        assert_eq!(c.steps[2].n_risk, 2);
        assert_eq!(c.median, Some(3.0));
        assert_eq!(c.median_ci, [Some(2.0), None]);
    }

    #[test]
    fn labels_sort_like_r_factor_levels() {
        assert_eq!(
            sorted_labels(["10", "2", "1"].into_iter()),
            ["1", "2", "10"]
        );
        assert_eq!(
            sorted_labels(["b", "a", "10"].into_iter()),
            ["10", "a", "b"]
        );
    }
}

//! Survival at chosen times with its confidence interval, as R's `summary(survfit(...), times = t)`
//! reports it: the Kaplan–Meier step at or before `t`, its Greenwood standard error and log-type CI.

use crate::km::KmCurve;
use serde::{Deserialize, Serialize};

/// Survival of one curve at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalAtTime {
    /// The time asked for.
    pub time: f64,
    /// Number at risk at `time` (observations with follow-up ≥ `time`), summary.survfit's `n.risk`.
    pub n_risk: usize,
    /// Kaplan–Meier survival at `time` (right-continuous: events at `time` count).
    pub survival: f64,
    /// Greenwood standard error of `survival` (summary.survfit's `std.err`); `None` once survival is 0.
    pub se: Option<f64>,
    /// Log-type pointwise CI (summary.survfit's `lower`, `upper`); `None` once survival is 0.
    pub ci: [Option<f64>; 2],
}

/// Survival of `curve` at each of `times`, as `summary(fit, times = times)` with `extend = FALSE`:
/// a time after the curve's last follow-up gives `None` (R drops it), a time before the first
/// step gives survival 1 with a zero-width interval.
///
/// ```
/// use mcvideo_survival::{kaplan_meier, survival_at_times};
/// let curve = kaplan_meier(&[1.0, 2.0, 2.0, 3.0, 4.0], &[true, true, false, true, true]).unwrap();
/// let at = survival_at_times(&curve, &[0.5, 2.5, 9.0]);
/// let s = at[1].as_ref().unwrap();
/// assert!((s.survival - 0.6).abs() < 1e-12);
/// assert_eq!(s.n_risk, 2);
/// // R: summary(survfit(Surv(c(1,2,2,3,4), c(1,1,0,1,1)) ~ 1), times = 2.5)$lower = 0.2933164
/// assert!((s.ci[0].unwrap() - 0.29331643).abs() < 1e-8);
/// assert_eq!(at[0].as_ref().unwrap().survival, 1.0);
/// assert!(at[2].is_none());
/// ```
pub fn survival_at_times(curve: &KmCurve, times: &[f64]) -> Vec<Option<SurvivalAtTime>> {
    let last = curve.steps.last().map_or(f64::NEG_INFINITY, |s| s.time);
    times
        .iter()
        .map(|&t| {
            if !t.is_finite() || t > last {
                return None;
            }
            let n_risk = curve.n_risk_at(t);
            Some(
                match curve.steps.iter().take_while(|s| s.time <= t).last() {
                    None => SurvivalAtTime {
                        time: t,
                        n_risk,
                        survival: 1.0,
                        se: Some(0.0),
                        ci: [Some(1.0), Some(1.0)],
                    },
                    Some(step) => SurvivalAtTime {
                        time: t,
                        n_risk,
                        survival: step.survival,
                        se: step.se,
                        ci: step.ci,
                    },
                },
            )
        })
        .collect()
}

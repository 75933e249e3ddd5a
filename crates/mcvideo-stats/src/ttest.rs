//! Two-sample t tests: Welch's (R's `t.test` default) and Student's pooled-variance test.

use crate::error::StatsError;
use crate::summary::{mean, variance};
use serde::{Deserialize, Serialize};

/// Which variance assumption the t test makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TTestKind {
    /// Unequal variances, Welch–Satterthwaite df (`t.test(x, y)`).
    #[default]
    Welch,
    /// Pooled variance, df = n1 + n2 − 2 (`t.test(x, y, var.equal = TRUE)`).
    Student,
}

/// Result of a two-sample t test (x minus y).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TTest {
    pub kind: TTestKind,
    pub t: f64,
    pub df: f64,
    pub p: f64,
    /// mean(x) − mean(y)
    pub mean_difference: f64,
}

/// Two-sided two-sample t test of mean(x) = mean(y).
///
/// ```
/// use mcvideo_stats::ttest::{t_test, TTestKind};
/// let r = t_test(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], TTestKind::Student).unwrap();
/// // R: t.test(1:3, 4:6, var.equal = TRUE) gives t = -3.67423461417477, df = 4
/// assert!((r.t + 3.67423461417477).abs() < 1e-13 && r.df == 4.0);
/// ```
pub fn t_test(x: &[f64], y: &[f64], kind: TTestKind) -> Result<TTest, StatsError> {
    let what = "t test";
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    if x.len() < 2 || y.len() < 2 {
        return Err(StatsError::TooFew {
            what: what.into(),
            n: x.len().min(y.len()),
            need: 2,
        });
    }
    let (vx, vy) = (variance(x), variance(y));
    let difference = mean(x) - mean(y);
    let (se, df) = match kind {
        TTestKind::Welch => {
            let (sx, sy) = (vx / nx, vy / ny);
            let se2 = sx + sy;
            (
                se2.sqrt(),
                se2 * se2 / (sx * sx / (nx - 1.0) + sy * sy / (ny - 1.0)),
            )
        }
        TTestKind::Student => {
            let df = nx + ny - 2.0;
            let pooled = ((nx - 1.0) * vx + (ny - 1.0) * vy) / df;
            ((pooled * (1.0 / nx + 1.0 / ny)).sqrt(), df)
        }
    };
    if se <= 0.0 || !se.is_finite() {
        return Err(StatsError::invalid(
            what,
            "the data are essentially constant",
        ));
    }
    let t = difference / se;
    Ok(TTest {
        kind,
        t,
        df,
        p: crate::dist::t_two_sided_p(t, df),
        mean_difference: difference,
    })
}

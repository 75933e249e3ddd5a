//! Agreement between two methods of measurement: Bland and Altman's bias and limits.

use crate::summary::{mean, sd};

/// Bias and 95% limits of agreement of paired measurements (Bland JM, Altman DG. Statistical
/// methods for assessing agreement between two methods of clinical measurement. Lancet
/// 1986;327:307–310).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Agreement {
    /// Pairs used (finite differences).
    pub n: usize,
    /// Mean difference (method − reference).
    pub bias: f64,
    /// Standard deviation of the differences (denominator n − 1).
    pub sd: f64,
    /// bias − 1.96 sd.
    pub lower: f64,
    /// bias + 1.96 sd.
    pub upper: f64,
}

/// Bias and 95% limits of agreement (bias ± 1.96 SD) from the paired differences
/// (method − reference); non-finite differences are left out. `None` below two differences.
///
/// ```
/// use mcvideo_stats::agreement::limits_of_agreement;
/// let a = limits_of_agreement(&[1.0, -1.0, 2.0, 0.0, f64::NAN]).unwrap();
/// assert_eq!((a.n, a.bias), (4, 0.5));
/// assert_eq!(a.sd, (5.0f64 / 3.0).sqrt());
/// assert_eq!((a.lower, a.upper), (0.5 - 1.96 * a.sd, 0.5 + 1.96 * a.sd));
/// assert_eq!(limits_of_agreement(&[3.0]), None);
/// ```
pub fn limits_of_agreement(differences: &[f64]) -> Option<Agreement> {
    let d: Vec<f64> = differences
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if d.len() < 2 {
        return None;
    }
    let (bias, sd) = (mean(&d), sd(&d));
    Some(Agreement {
        n: d.len(),
        bias,
        sd,
        lower: bias - 1.96 * sd,
        upper: bias + 1.96 * sd,
    })
}

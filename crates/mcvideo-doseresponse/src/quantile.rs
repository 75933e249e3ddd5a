//! Sample quantiles, R's default (Hyndman & Fan 1996 type 7).

/// The type-7 quantile of `values` at probability `p` (R's `quantile(x, p)`).
///
/// Returns NaN for an empty slice.
///
/// ```
/// use mcvideo_doseresponse::quantile::quantile7;
/// assert_eq!(quantile7(&[4.0, 1.0, 3.0, 2.0], 0.5), 2.5);
/// assert_eq!(quantile7(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25), 2.0);
/// ```
pub fn quantile7(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    quantile7_sorted(&sorted, p)
}

/// Type-7 quantile of an already sorted slice.
///
/// ```
/// use mcvideo_doseresponse::quantile::quantile7_sorted;
/// assert_eq!(quantile7_sorted(&[0.0, 10.0], 0.975), 9.75);
/// ```
pub fn quantile7_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Sorted distinct values (exact equality, as R's `unique`).
///
/// ```
/// use mcvideo_doseresponse::quantile::sorted_unique;
/// assert_eq!(sorted_unique(&[3.0, 1.0, 3.0, 2.0]), vec![1.0, 2.0, 3.0]);
/// ```
pub fn sorted_unique(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v.dedup();
    v
}

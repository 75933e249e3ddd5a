//! Sorted distinct values of a covariate, the grid the spline bases place their knots on
//! (quantiles and medians are `mcvideo_stats::summary`'s).

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

//! Summary statistics as R computes them: mean, SD, type-7 quantiles, median, average ranks.

use serde::{Deserialize, Serialize};

/// Arithmetic mean with R's second-pass correction (`mean.default`); NaN for an empty slice.
///
/// ```
/// assert_eq!(mcvideo_stats::summary::mean(&[1.0, 2.0, 4.5]), 2.5);
/// ```
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let n = x.len() as f64;
    let first = x.iter().sum::<f64>() / n;
    first + x.iter().map(|v| v - first).sum::<f64>() / n
}

/// Sample variance (denominator n − 1); NaN below two values.
///
/// ```
/// assert_eq!(mcvideo_stats::summary::variance(&[1.0, 2.0, 3.0, 4.0]), 5.0 / 3.0);
/// ```
pub fn variance(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64
}

/// Sample standard deviation (denominator n − 1).
///
/// ```
/// assert_eq!(mcvideo_stats::summary::sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]), (32.0f64 / 7.0).sqrt());
/// ```
pub fn sd(x: &[f64]) -> f64 {
    variance(x).sqrt()
}

/// Quantile of already sorted data, R's default type 7 (`quantile(x, p)`): linear
/// interpolation between order statistics at 1 + (n − 1)p (Hyndman & Fan 1996).
///
/// ```
/// let x = [1.0, 2.0, 3.0, 4.0, 10.0];
/// assert_eq!(mcvideo_stats::summary::quantile_sorted(&x, 0.25), 2.0);
/// assert_eq!(mcvideo_stats::summary::quantile_sorted(&x, 0.875), 7.0);
/// ```
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let index = (sorted.len() - 1) as f64 * p; // 0-based form of R's 1 + (n-1)p
    let lo = index.floor() as usize;
    let hi = index.ceil() as usize;
    let low_value = sorted[lo];
    let h = index - lo as f64;
    if h > 0.0 && sorted[hi] != low_value {
        (1.0 - h) * low_value + h * sorted[hi]
    } else {
        low_value
    }
}

/// Type-7 quantile of unsorted data (R's `quantile(x, p)`): [`quantile_sorted`] of a sorted copy.
///
/// ```
/// assert_eq!(mcvideo_stats::summary::quantile(&[4.0, 1.0, 3.0, 2.0], 0.5), 2.5);
/// assert_eq!(mcvideo_stats::summary::quantile(&[0.0, 10.0], 0.975), 9.75);
/// assert!(mcvideo_stats::summary::quantile(&[], 0.5).is_nan());
/// ```
pub fn quantile(x: &[f64], p: f64) -> f64 {
    quantile_sorted(&sorted_copy(x), p)
}

/// Median (mean of the two middle values for even n).
///
/// ```
/// assert_eq!(mcvideo_stats::summary::median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
/// ```
pub fn median(x: &[f64]) -> f64 {
    let sorted = sorted_copy(x);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// A sorted copy (total order; the data are finite).
pub(crate) fn sorted_copy(x: &[f64]) -> Vec<f64> {
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// Ranks 1..n with ties given their average rank (R's `rank(ties.method = "average")`).
///
/// ```
/// assert_eq!(mcvideo_stats::summary::ranks(&[10.0, 20.0, 10.0, 5.0]), vec![2.5, 4.0, 2.5, 1.0]);
/// ```
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut out = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        // positions start..end (0-based) share ranks start+1..=end
        let average = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = average;
        }
        start = end;
    }
    out
}

/// Sizes of the groups of tied values (only groups of 2 or more).
///
/// ```
/// assert_eq!(mcvideo_stats::summary::tie_sizes(&[1.0, 2.0, 2.0, 3.0, 3.0, 3.0]), vec![2, 3]);
/// ```
pub fn tie_sizes(x: &[f64]) -> Vec<usize> {
    let sorted = sorted_copy(x);
    let mut sizes = Vec::new();
    let mut start = 0;
    while start < sorted.len() {
        let mut end = start + 1;
        while end < sorted.len() && sorted[end] == sorted[start] {
            end += 1;
        }
        if end - start > 1 {
            sizes.push(end - start);
        }
        start = end;
    }
    sizes
}

/// The descriptive numbers of one sample, as in a baseline table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub median: f64,
    /// 25th percentile, R type 7.
    pub q1: f64,
    /// 75th percentile, R type 7.
    pub q3: f64,
    pub min: f64,
    pub max: f64,
}

/// n, mean, SD, median, quartiles (type 7), min and max of a sample.
///
/// ```
/// let s = mcvideo_stats::summary::summarize(&[4.0, 1.0, 3.0, 2.0]);
/// assert_eq!((s.n, s.mean, s.median, s.q1, s.q3), (4, 2.5, 2.5, 1.75, 3.25));
/// ```
pub fn summarize(x: &[f64]) -> Summary {
    let sorted = sorted_copy(x);
    Summary {
        n: x.len(),
        mean: mean(x),
        sd: sd(x),
        median: median(x),
        q1: quantile_sorted(&sorted, 0.25),
        q3: quantile_sorted(&sorted, 0.75),
        min: sorted.first().copied().unwrap_or(f64::NAN),
        max: sorted.last().copied().unwrap_or(f64::NAN),
    }
}

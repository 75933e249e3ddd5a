//! Benjamini–Hochberg false discovery rate adjustment (Benjamini & Hochberg 1995), as R's
//! `p.adjust(p, method = "BH")`.

/// BH-adjusted p values, in the order given: p_(i)·m/i, made monotone from the largest down,
/// capped at 1. NaN inputs stay NaN and do not count in m (as `p.adjust` with NAs).
///
/// ```
/// let q = mcvideo_stats::fdr::benjamini_hochberg(&[0.01, 0.04, 0.03, 0.5]);
/// assert_eq!(q, vec![0.04, 4.0 / 3.0 * 0.04, 4.0 / 3.0 * 0.04, 0.5]);
/// ```
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let mut out = vec![f64::NAN; p.len()];
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    let m = order.len() as f64;
    // decreasing p; ties keep input order as R's order(decreasing = TRUE) does
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut running = f64::INFINITY;
    for (k, &i) in order.iter().enumerate() {
        let rank = m - k as f64; // i-th smallest has rank m, m-1, ..., 1 walking down
        running = running.min(m / rank * p[i]);
        out[i] = running.min(1.0);
    }
    out
}

//! Case-resampling bootstrap (Efron & Tibshirani 1993, ch. 6) of a scalar statistic, run in
//! parallel with rayon. Resample i draws its rows from ChaCha8 seeded with `seed` on stream
//! `i`, so the result never depends on the thread count or on scheduling.

use crate::error::Result;
use mcvideo_stats::summary::quantile;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

/// A percentile bootstrap interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootCi {
    /// [2.5%, 97.5%] percentiles of the successful resamples (None if fewer than 20 succeeded).
    pub ci: Option<[f64; 2]>,
    /// Resamples drawn.
    pub resamples: usize,
    /// Resamples whose fit failed (excluded).
    pub failed: usize,
}

/// The row indices of resample `index`.
///
/// ```
/// use mcvideo_doseresponse::bootstrap::resample_indices;
/// let a = resample_indices(10, 1, 7);
/// assert_eq!(a, resample_indices(10, 1, 7));
/// assert!(a.iter().all(|&i| i < 10));
/// ```
pub fn resample_indices(n: usize, seed: u64, index: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    (0..n).map(|_| rng.gen_range(0..n)).collect()
}

/// Runs `resamples` bootstrap replicates of `stat` and returns the 95% percentile interval.
///
/// ```
/// use mcvideo_doseresponse::bootstrap::bootstrap_ci;
/// let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
/// let mean = |idx: &[usize]| Ok(idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64);
/// let b = bootstrap_ci(50, 200, 1, mean);
/// let [lo, hi] = b.ci.unwrap();
/// assert!(lo < 24.5 && hi > 24.5 && b.failed == 0);
/// ```
pub fn bootstrap_ci<F>(n: usize, resamples: usize, seed: u64, stat: F) -> BootCi
where
    F: Fn(&[usize]) -> Result<f64> + Sync,
{
    let values: Vec<Option<f64>> = (0..resamples)
        .into_par_iter()
        .map(|i| {
            let idx = resample_indices(n, seed, i as u64);
            stat(&idx).ok().filter(|v| v.is_finite())
        })
        .collect();
    let ok: Vec<f64> = values.iter().flatten().copied().collect();
    let failed = resamples - ok.len();
    let ci = if ok.len() >= 20 {
        Some([quantile(&ok, 0.025), quantile(&ok, 0.975)])
    } else {
        None
    };
    BootCi {
        ci,
        resamples,
        failed,
    }
}

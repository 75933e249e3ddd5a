//! The curvature threshold of a fitted dose-response curve, as SPEC.md defines it: the x of
//! maximum curvature kappa = |f''| / (1 + f'^2)^1.5 over 401 equally spaced points between the
//! 2.5th and 97.5th percentiles (R type 7) of x, with f' and f'' from central differences on
//! that grid. The two end points of the grid have no central difference and are not
//! candidates. Also the x of maximum |f''| on the same grid.

use crate::error::{DoseError, Result};
use mcvideo_stats::summary::quantile_sorted;

/// Number of grid points.
pub const GRID_POINTS: usize = 401;

/// The 401-point grid between the 2.5th and 97.5th percentiles of `x`.
///
/// ```
/// use mcvideo_doseresponse::curvature::threshold_grid;
/// let x: Vec<f64> = (0..=40).map(|i| i as f64).collect();
/// let g = threshold_grid(&x).unwrap();
/// assert_eq!(g.len(), 401);
/// assert_eq!((g[0], g[400]), (1.0, 39.0));
/// ```
pub fn threshold_grid(x: &[f64]) -> Result<Vec<f64>> {
    let mut s = x.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let lo = quantile_sorted(&s, 0.025);
    let hi = quantile_sorted(&s, 0.975);
    if hi.is_nan() || lo.is_nan() || hi <= lo {
        return Err(DoseError::ConstantX(lo));
    }
    let step = (hi - lo) / (GRID_POINTS - 1) as f64;
    Ok((0..GRID_POINTS).map(|i| lo + step * i as f64).collect())
}

/// x of maximum curvature and x of maximum |f''| for curve values `f` on an equally spaced
/// `grid` (first maximum on ties, as R's `which.max`).
///
/// ```
/// use mcvideo_doseresponse::curvature::max_curvature;
/// let grid: Vec<f64> = (0..11).map(|i| i as f64 * 0.1).collect();
/// // a hockey stick bending at 0.5
/// let f: Vec<f64> = grid.iter().map(|&x| if x > 0.5 { 0.5 - x } else { 0.0 }).collect();
/// let (xk, xf2) = max_curvature(&grid, &f).unwrap();
/// assert_eq!((xk, xf2), (0.5, 0.5));
/// ```
pub fn max_curvature(grid: &[f64], f: &[f64]) -> Result<(f64, f64)> {
    let n = grid.len();
    if n < 3 || f.len() != n {
        return Err(DoseError::InvalidArgument(
            "curvature needs at least 3 grid points".into(),
        ));
    }
    let h = (grid[n - 1] - grid[0]) / (n - 1) as f64;
    let mut best_k = (f64::NEG_INFINITY, grid[1]);
    let mut best_f2 = (f64::NEG_INFINITY, grid[1]);
    for i in 1..n - 1 {
        let d1 = (f[i + 1] - f[i - 1]) / (2.0 * h);
        let d2 = (f[i + 1] - 2.0 * f[i] + f[i - 1]) / (h * h);
        let kappa = d2.abs() / (1.0 + d1 * d1).powf(1.5);
        if !kappa.is_finite() {
            return Err(DoseError::Numerical("non-finite curvature".into()));
        }
        if kappa > best_k.0 {
            best_k = (kappa, grid[i]);
        }
        if d2.abs() > best_f2.0 {
            best_f2 = (d2.abs(), grid[i]);
        }
    }
    Ok((best_k.1, best_f2.1))
}

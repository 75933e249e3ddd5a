//! mgcv's one-dimensional thin-plate regression spline basis (`bs = "tp"`, Wood 2003,
//! "Thin plate regression splines", JRSS-B 65:95-114; mgcv `smooth.construct.tp.smooth.spec`).
//!
//! The knots are the distinct x values, or, when there are more than `max_knots` of them
//! (mgcv's `xt$max.knots`, default 2000), a random subset of `max_knots` of them drawn with a
//! fixed seed (mgcv's `xt$seed`), so the basis is the same on every run. For d = 1 and
//! penalty order m = 2 the radial function is
//! eta(r) = Gamma(d/2 - m) / (2^(2m) pi^(d/2) (m-1)!) r^(2m-d) = r^3 / 12 and the null space is
//! {1, x}. E (eta between all knots) is eigen-decomposed and truncated to the k eigenvectors
//! U_k of largest |eigenvalue| D_k; the constraint T'U_k delta = 0 is absorbed by a
//! Householder basis Z_k, so the basis at x is [e(x)'U_k Z_k, 1, x - shift] and the penalty is
//! Z_k' D_k Z_k on the first k - 2 columns. At a knot e(x)'U_k = (U_k D_k) row, exactly as mgcv.
//! The work is O(n_knots^2 k) for the basis and O(n n_knots k) for the design, never n x n.

use crate::error::{DoseError, Result};
use crate::linalg::{dominant_eigenpairs, null_space_basis};
use crate::quantile::sorted_unique;
use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

/// Null-space dimension M for d = 1, m = 2.
pub const TP_NULL_DIM: usize = 2;

/// mgcv's default `max.knots`.
pub const DEFAULT_MAX_KNOTS: usize = 2000;

/// Rows of the design evaluated together (one block of e(x) values, then one matrix product).
const DESIGN_BLOCK_ROWS: usize = 256;

/// How the knots of a thin-plate basis are chosen (mgcv's `xt = list(max.knots, seed)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TpKnotOptions {
    /// At most this many knots; beyond it a seeded random subset of the distinct x is used.
    pub max_knots: usize,
    /// Seed of the knot subset (ChaCha8); unused when every distinct x is a knot.
    pub seed: u64,
}

impl Default for TpKnotOptions {
    fn default() -> Self {
        TpKnotOptions {
            max_knots: DEFAULT_MAX_KNOTS,
            seed: 1,
        }
    }
}

/// The knots mgcv would use for `x`: every distinct value, or `max_knots` of them drawn
/// without replacement (a partial Fisher-Yates shuffle on ChaCha8 seeded with `seed`), sorted.
///
/// ```
/// use mcvideo_doseresponse::tp::{select_knots, TpKnotOptions};
/// let x: Vec<f64> = (0..100).map(|i| i as f64).collect();
/// assert_eq!(select_knots(&x, &TpKnotOptions::default()).len(), 100);
/// let opts = TpKnotOptions { max_knots: 20, seed: 7 };
/// let k = select_knots(&x, &opts);
/// assert_eq!(k.len(), 20);
/// assert_eq!(k, select_knots(&x, &opts));
/// assert!(k.windows(2).all(|w| w[0] < w[1]));
/// ```
pub fn select_knots(x: &[f64], opts: &TpKnotOptions) -> Vec<f64> {
    let mut unique = sorted_unique(x);
    if unique.len() <= opts.max_knots {
        return unique;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let m = opts.max_knots;
    for i in 0..m {
        let j = rng.gen_range(i..unique.len());
        unique.swap(i, j);
    }
    unique.truncate(m);
    unique.sort_by(f64::total_cmp);
    unique
}

/// A constructed thin-plate regression spline basis (before the sum-to-zero constraint).
#[derive(Debug, Clone)]
pub struct TpBasis {
    knots: Vec<f64>,
    shift: f64,
    /// mgcv divides the linear null-space column by the root mean square of x - shift.
    x_scale: f64,
    uz: DMatrix<f64>,
    penalty: DMatrix<f64>,
    k: usize,
}

/// eta(r) for d = 1, m = 2 (mgcv's constant).
#[inline]
fn eta(r: f64) -> f64 {
    let a = r.abs();
    a * a * a / 12.0
}

impl TpBasis {
    /// Builds the basis of dimension `k` from the covariate values `x` (duplicates allowed),
    /// with mgcv's default knot choice (at most 2000 knots, seed 1).
    ///
    /// ```
    /// use mcvideo_doseresponse::tp::TpBasis;
    /// let x: Vec<f64> = (0..20).map(|i| i as f64 / 19.0).collect();
    /// let b = TpBasis::new(&x, 10).unwrap();
    /// assert_eq!(b.k(), 10);
    /// let mut row = vec![0.0; 10];
    /// b.row(0.5, &mut row);
    /// assert_eq!(row[8], 1.0); // the constant null-space column
    /// ```
    pub fn new(x: &[f64], k: usize) -> Result<Self> {
        Self::with_options(x, k, &TpKnotOptions::default())
    }

    /// Builds the basis with the knots [`select_knots`] picks under `opts`.
    pub fn with_options(x: &[f64], k: usize, opts: &TpKnotOptions) -> Result<Self> {
        if opts.max_knots < k {
            return Err(DoseError::InvalidArgument(format!(
                "max_knots = {} is below the basis dimension k = {k}",
                opts.max_knots
            )));
        }
        Self::with_knots(x, &select_knots(x, opts), k)
    }

    /// Builds the basis on an explicit knot set (mgcv's `knots` argument); `x` gives the
    /// centring shift and the scale of the linear column, as the data do in mgcv.
    pub fn with_knots(x: &[f64], knots: &[f64], k: usize) -> Result<Self> {
        if k < TP_NULL_DIM + 1 {
            return Err(DoseError::InvalidArgument(format!(
                "basis dimension k = {k} must be at least {}",
                TP_NULL_DIM + 1
            )));
        }
        if x.is_empty() {
            return Err(DoseError::TooFewData {
                what: "rows",
                have: 0,
                need: k,
            });
        }
        let shift = x.iter().sum::<f64>() / x.len() as f64;
        let x_scale =
            (x.iter().map(|v| (v - shift) * (v - shift)).sum::<f64>() / x.len() as f64).sqrt();
        let mut knots: Vec<f64> = sorted_unique(knots).iter().map(|v| v - shift).collect();
        knots.dedup();
        let nu = knots.len();
        if nu < 2 {
            return Err(DoseError::ConstantX(x[0]));
        }
        if nu < k {
            return Err(DoseError::TooFewData {
                what: "distinct x values",
                have: nu,
                need: k,
            });
        }
        let e = DMatrix::from_fn(nu, nu, |i, j| eta(knots[i] - knots[j]));
        let (dk, uk) = dominant_eigenpairs(e, k)?;
        // T'U_k (M x k); Z_k spans its null space.
        let t = DMatrix::from_fn(nu, TP_NULL_DIM, |i, j| if j == 0 { 1.0 } else { knots[i] });
        let ut = uk.transpose() * &t; // k x M
        let zk = null_space_basis(&ut); // k x (k - M)
        let uz = &uk * &zk;
        let dz = DMatrix::from_fn(k, k - TP_NULL_DIM, |i, j| dk[i] * zk[(i, j)]);
        let s_range = zk.transpose() * dz;
        let mut penalty = DMatrix::zeros(k, k);
        let r = k - TP_NULL_DIM;
        for i in 0..r {
            for j in 0..r {
                penalty[(i, j)] = 0.5 * (s_range[(i, j)] + s_range[(j, i)]);
            }
        }
        Ok(TpBasis {
            knots,
            shift,
            x_scale,
            uz,
            penalty,
            k,
        })
    }

    /// Basis dimension.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Number of knots.
    pub fn n_knots(&self) -> usize {
        self.knots.len()
    }

    /// The knots on the scale of x.
    pub fn knots(&self) -> Vec<f64> {
        self.knots.iter().map(|v| v + self.shift).collect()
    }

    /// The penalty matrix (k x k; zero on the null-space columns).
    pub fn penalty(&self) -> &DMatrix<f64> {
        &self.penalty
    }

    /// Writes the k basis functions at `x` into `out`.
    pub fn row(&self, x: f64, out: &mut [f64]) {
        let xc = x - self.shift;
        let r = self.k - TP_NULL_DIM;
        for (c, o) in out.iter_mut().take(r).enumerate() {
            let col = self.uz.column(c);
            *o = self
                .knots
                .iter()
                .zip(col.iter())
                .map(|(kn, u)| eta(xc - kn) * u)
                .sum();
        }
        out[r] = 1.0;
        out[r + 1] = xc / self.x_scale;
    }

    /// The basis at every point of `xs` (len x k): blocks of rows of e(x) times U_k Z_k, in
    /// parallel over fixed blocks, so the result does not depend on the thread count.
    pub fn design(&self, xs: &[f64]) -> DMatrix<f64> {
        let r = self.k - TP_NULL_DIM;
        let nk = self.knots.len();
        let blocks: Vec<DMatrix<f64>> = xs
            .par_chunks(DESIGN_BLOCK_ROWS)
            .map(|chunk| {
                let e = DMatrix::from_fn(chunk.len(), nk, |i, j| {
                    eta(chunk[i] - self.shift - self.knots[j])
                });
                e * &self.uz
            })
            .collect();
        let mut out = DMatrix::zeros(xs.len(), self.k);
        for (b, block) in blocks.iter().enumerate() {
            let start = b * DESIGN_BLOCK_ROWS;
            out.view_mut((start, 0), (block.nrows(), r))
                .copy_from(block);
        }
        for (i, &x) in xs.iter().enumerate() {
            out[(i, r)] = 1.0;
            out[(i, r + 1)] = (x - self.shift) / self.x_scale;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::SymmetricEigen;

    #[test]
    fn penalty_is_symmetric_positive_semidefinite_with_rank_k_minus_2() {
        let x: Vec<f64> = (0..60)
            .map(|i| ((i * 37 % 60) as f64 / 7.0).exp().ln_1p())
            .collect();
        let b = TpBasis::new(&x, 10).unwrap();
        let s = b.penalty();
        assert!((s - s.transpose()).norm() < 1e-12 * s.norm());
        let ev = SymmetricEigen::new(s.clone()).eigenvalues;
        let max = ev.max();
        assert!(ev.iter().all(|&v| v > -1e-10 * max));
        assert_eq!(ev.iter().filter(|&&v| v > 1e-10 * max).count(), 8);
    }

    #[test]
    fn too_few_distinct_values() {
        let x = [1.0, 2.0, 2.0, 3.0, 3.0, 4.0];
        assert!(matches!(
            TpBasis::new(&x, 10),
            Err(DoseError::TooFewData { have: 4, .. })
        ));
    }

    #[test]
    fn blocked_design_equals_row_by_row_evaluation() {
        let x: Vec<f64> = (0..700).map(|i| (i as f64 * 0.731).sin() * 4.0).collect();
        let b = TpBasis::with_options(
            &x,
            12,
            &TpKnotOptions {
                max_knots: 300,
                seed: 3,
            },
        )
        .unwrap();
        assert_eq!(b.n_knots(), 300);
        let d = b.design(&x);
        let mut row = vec![0.0; 12];
        for (i, &xi) in x.iter().enumerate() {
            b.row(xi, &mut row);
            for (j, v) in row.iter().enumerate() {
                assert!((d[(i, j)] - v).abs() <= 1e-12 * (1.0 + v.abs()), "{i} {j}");
            }
        }
    }

    #[test]
    fn knot_subset_depends_only_on_the_seed() {
        let x: Vec<f64> = (0..5000).map(|i| (i as f64).sqrt()).collect();
        let a = TpKnotOptions {
            max_knots: 100,
            seed: 1,
        };
        let b = TpKnotOptions { seed: 2, ..a };
        assert_eq!(select_knots(&x, &a), select_knots(&x, &a));
        assert_ne!(select_knots(&x, &a), select_knots(&x, &b));
        let kn = select_knots(&x, &a);
        assert!(kn.iter().all(|k| x.contains(k)));
    }
}

//! mgcv's one-dimensional thin-plate regression spline basis (`bs = "tp"`, Wood 2003,
//! "Thin plate regression splines", JRSS-B 65:95-114; mgcv `smooth.construct.tp.smooth.spec`).
//!
//! Every distinct x is a knot. For d = 1 and penalty order m = 2 the radial function is
//! eta(r) = Gamma(d/2 - m) / (2^(2m) pi^(d/2) (m-1)!) r^(2m-d) = r^3 / 12 and the null space is
//! {1, x}. E (eta between all knots) is eigen-decomposed and truncated to the k eigenvectors
//! U_k of largest |eigenvalue| D_k; the constraint T'U_k delta = 0 is absorbed by a
//! Householder basis Z_k, so the basis at x is [e(x)'U_k Z_k, 1, x - shift] and the penalty is
//! Z_k' D_k Z_k on the first k - 2 columns. At a knot e(x)'U_k = (U_k D_k) row, exactly as mgcv.

use crate::error::{DoseError, Result};
use crate::linalg::null_space_basis;
use crate::quantile::sorted_unique;
use nalgebra::{DMatrix, SymmetricEigen};

/// Null-space dimension M for d = 1, m = 2.
pub const TP_NULL_DIM: usize = 2;

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
    /// Builds the basis of dimension `k` from the covariate values `x` (duplicates allowed).
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
        if k < TP_NULL_DIM + 1 {
            return Err(DoseError::InvalidArgument(format!(
                "basis dimension k = {k} must be at least {}",
                TP_NULL_DIM + 1
            )));
        }
        let shift = x.iter().sum::<f64>() / x.len().max(1) as f64;
        let centred: Vec<f64> = x.iter().map(|v| v - shift).collect();
        let knots = sorted_unique(&centred);
        let x_scale = (centred.iter().map(|v| v * v).sum::<f64>() / centred.len() as f64).sqrt();
        let nu = knots.len();
        if nu < 2 {
            return Err(DoseError::ConstantX(x.first().copied().unwrap_or(f64::NAN)));
        }
        if nu < k {
            return Err(DoseError::TooFewData {
                what: "distinct x values",
                have: nu,
                need: k,
            });
        }
        let e = DMatrix::from_fn(nu, nu, |i, j| eta(knots[i] - knots[j]));
        let eig = SymmetricEigen::new(e);
        let mut order: Vec<usize> = (0..nu).collect();
        order.sort_by(|&a, &b| {
            eig.eigenvalues[b]
                .abs()
                .total_cmp(&eig.eigenvalues[a].abs())
        });
        let uk = DMatrix::from_fn(nu, k, |i, j| eig.eigenvectors[(i, order[j])]);
        let dk: Vec<f64> = order[..k].iter().map(|&j| eig.eigenvalues[j]).collect();
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

    /// Number of knots (distinct x).
    pub fn n_knots(&self) -> usize {
        self.knots.len()
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! Small dense linear-algebra helpers on nalgebra matrices: least squares, Householder null spaces.

use crate::error::{DoseError, Result};
use nalgebra::{DMatrix, DVector};

/// An ordinary least-squares fit.
#[derive(Debug, Clone)]
pub struct Ols {
    /// Coefficients, in the column order of the design.
    pub coef: DVector<f64>,
    /// Residual sum of squares.
    pub rss: f64,
    /// (X'X)^-1.
    pub xtx_inv: DMatrix<f64>,
    /// Residuals.
    pub residuals: DVector<f64>,
}

/// Least squares by QR; fails on a rank-deficient design (relative pivot below 1e-10).
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use mcvideo_doseresponse::linalg::ols;
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 0.0, 1.0, 1.0, 1.0, 2.0]);
/// let y = DVector::from_vec(vec![1.0, 3.0, 5.0]);
/// let fit = ols(&x, &y).unwrap();
/// assert!((fit.coef[0] - 1.0).abs() < 1e-12 && (fit.coef[1] - 2.0).abs() < 1e-12);
/// ```
pub fn ols(x: &DMatrix<f64>, y: &DVector<f64>) -> Result<Ols> {
    let (n, p) = x.shape();
    if n < p {
        return Err(DoseError::TooFewData {
            what: "rows",
            have: n,
            need: p,
        });
    }
    let qr = x.clone().qr();
    let r = qr.r();
    check_triangular_rank(&r, x)?;
    let qty = qr.q().transpose() * y;
    let coef = r
        .solve_upper_triangular(&qty)
        .ok_or_else(|| DoseError::Singular("least squares".into()))?;
    let residuals = y - x * &coef;
    let rss = residuals.norm_squared();
    let r_inv = upper_inverse(&r)?;
    let xtx_inv = &r_inv * r_inv.transpose();
    Ok(Ols {
        coef,
        rss,
        xtx_inv,
        residuals,
    })
}

/// Fails when a diagonal element of R is tiny relative to its column norm in X.
pub(crate) fn check_triangular_rank(r: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<()> {
    for j in 0..r.ncols() {
        let scale = x.column(j).norm().max(f64::MIN_POSITIVE);
        let pivot = r[(j, j)].abs();
        if pivot.is_nan() || pivot <= 1e-10 * scale {
            return Err(DoseError::Singular(format!(
                "column {} is (nearly) a combination of the others",
                j + 1
            )));
        }
    }
    Ok(())
}

/// Inverse of an upper-triangular matrix.
pub(crate) fn upper_inverse(r: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let p = r.ncols();
    r.solve_upper_triangular(&DMatrix::identity(p, p))
        .ok_or_else(|| DoseError::Singular("triangular factor".into()))
}

/// An orthonormal basis (k x (k-m)) of the orthogonal complement of the columns of `a`
/// (k x m, full column rank): the trailing columns of the full Householder Q of `a`, as
/// mgcv absorbs constraints (Wood 2017, §1.8.1).
///
/// ```
/// use nalgebra::DMatrix;
/// use mcvideo_doseresponse::linalg::null_space_basis;
/// let a = DMatrix::from_column_slice(3, 1, &[1.0, 1.0, 1.0]);
/// let z = null_space_basis(&a);
/// assert_eq!(z.shape(), (3, 2));
/// assert!((a.transpose() * &z).norm() < 1e-14);
/// ```
pub fn null_space_basis(a: &DMatrix<f64>) -> DMatrix<f64> {
    let (k, m) = a.shape();
    let mut work = a.clone();
    let mut q = DMatrix::<f64>::identity(k, k);
    for j in 0..m.min(k) {
        let norm = work.view((j, j), (k - j, 1)).norm();
        if norm == 0.0 {
            continue;
        }
        let mut v: DVector<f64> = work.view((j, j), (k - j, 1)).column(0).into_owned();
        let sign = if v[0] >= 0.0 { 1.0 } else { -1.0 };
        v[0] += sign * norm;
        let vn = v.norm_squared();
        if vn == 0.0 {
            continue;
        }
        // work <- H work (rows j..), q <- q H (columns j..)
        for c in j..m {
            let dot: f64 = (0..k - j).map(|i| v[i] * work[(j + i, c)]).sum();
            let f = 2.0 * dot / vn;
            for i in 0..k - j {
                work[(j + i, c)] -= f * v[i];
            }
        }
        for r in 0..k {
            let dot: f64 = (0..k - j).map(|i| q[(r, j + i)] * v[i]).sum();
            let f = 2.0 * dot / vn;
            for i in 0..k - j {
                q[(r, j + i)] -= f * v[i];
            }
        }
    }
    q.columns(m, k - m).into_owned()
}

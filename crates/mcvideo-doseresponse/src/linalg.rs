//! Small dense linear-algebra helpers on nalgebra matrices: the rank check of a design,
//! Householder null spaces, and the dominant eigenpairs of a symmetric matrix.

use crate::error::{DoseError, Result};
use mcvideo_stats::regress::first_collinear_column;
use nalgebra::{DMatrix, DVector, SymmetricEigen};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Fails when a column of `x` is (nearly) a linear combination of the columns before it, by
/// the workspace's one collinearity rule, lm's ([`first_collinear_column`]); `r` is the R
/// factor of x's QR. Least-squares fits themselves are `mcvideo_stats::regress::least_squares`.
pub(crate) fn check_triangular_rank(r: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<()> {
    match first_collinear_column(r, x) {
        Some(j) => Err(DoseError::Singular(format!(
            "column {} is (nearly) a combination of the others",
            j + 1
        ))),
        None => Ok(()),
    }
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

/// Matrices up to this order are eigen-decomposed in full (exact and fast enough).
const FULL_EIGEN_MAX_ORDER: usize = 400;

/// The `k` eigenpairs of largest |eigenvalue| of the symmetric matrix `a`, eigenvalues in
/// decreasing |value| (columns of the returned matrix are the unit eigenvectors).
///
/// Small matrices are decomposed in full. Larger ones use subspace iteration with
/// Rayleigh-Ritz projection (Saad 2011, "Numerical Methods for Large Eigenvalue Problems",
/// 2nd ed., §5.1) on a block of 2k + 10 vectors, as mgcv computes only the leading part of
/// the thin-plate E (there with Lanczos): O(order^2 k) per sweep instead of O(order^3). A sweep
/// stops when every residual |A v - theta v| is below 1e-10 |theta| + 1e-12 |theta_1|; the start
/// block is fixed, so the result is deterministic. Should it not converge in 500 sweeps, the
/// full decomposition is used.
///
/// ```
/// use nalgebra::DMatrix;
/// use mcvideo_doseresponse::linalg::dominant_eigenpairs;
/// let a = DMatrix::from_fn(600, 600, |i, j| ((i as f64) - (j as f64)).abs().powi(3) / 1e6);
/// let (vals, vecs) = dominant_eigenpairs(a.clone(), 5).unwrap();
/// for j in 0..5 {
///     let r = &a * vecs.column(j) - vecs.column(j) * vals[j];
///     assert!(r.norm() < 1e-8 * vals[0].abs());
/// }
/// assert!(vals.windows(2).all(|w| w[0].abs() >= w[1].abs()));
/// ```
pub fn dominant_eigenpairs(a: DMatrix<f64>, k: usize) -> Result<(Vec<f64>, DMatrix<f64>)> {
    let n = a.nrows();
    if k > n || a.ncols() != n {
        return Err(DoseError::InvalidArgument(format!(
            "{k} eigenpairs of a {n} x {} matrix",
            a.ncols()
        )));
    }
    let block = (2 * k + 10).min(n);
    if n <= FULL_EIGEN_MAX_ORDER || 3 * block >= n {
        return Ok(full_dominant_eigenpairs(a, k));
    }
    match subspace_iteration(&a, k, block) {
        Some(pairs) => Ok(pairs),
        None => Ok(full_dominant_eigenpairs(a, k)),
    }
}

/// Orders eigenpairs by decreasing |eigenvalue| and keeps the first `k`.
fn leading_by_magnitude(
    values: &DVector<f64>,
    vectors: &DMatrix<f64>,
    k: usize,
) -> (Vec<f64>, DMatrix<f64>) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()));
    let vals = order[..k].iter().map(|&j| values[j]).collect();
    let vecs = DMatrix::from_fn(vectors.nrows(), k, |i, j| vectors[(i, order[j])]);
    (vals, vecs)
}

fn full_dominant_eigenpairs(a: DMatrix<f64>, k: usize) -> (Vec<f64>, DMatrix<f64>) {
    let eig = SymmetricEigen::new(a);
    leading_by_magnitude(&eig.eigenvalues, &eig.eigenvectors, k)
}

fn subspace_iteration(
    a: &DMatrix<f64>,
    k: usize,
    block: usize,
) -> Option<(Vec<f64>, DMatrix<f64>)> {
    let n = a.nrows();
    let mut rng = ChaCha8Rng::seed_from_u64(0x7470_6b6e_6f74);
    let start = DMatrix::from_fn(n, block, |_, _| rng.gen_range(-0.5..0.5));
    let mut v = start.qr().q();
    for _ in 0..500 {
        let w = a * &v;
        let h = v.transpose() * &w;
        let h = (&h + h.transpose()) * 0.5;
        let eig = SymmetricEigen::new(h);
        let (theta, y) = leading_by_magnitude(&eig.eigenvalues, &eig.eigenvectors, block);
        let ritz = &v * &y;
        let wy = &w * &y;
        let top = theta[0].abs();
        let converged = (0..k).all(|j| {
            let residual = (wy.column(j) - ritz.column(j) * theta[j]).norm();
            residual <= 1e-10 * theta[j].abs() + 1e-12 * top
        });
        if converged {
            return Some((theta[..k].to_vec(), ritz.columns(0, k).into_owned()));
        }
        if !theta.iter().all(|t| t.is_finite()) {
            return None;
        }
        v = wy.qr().q();
    }
    None
}

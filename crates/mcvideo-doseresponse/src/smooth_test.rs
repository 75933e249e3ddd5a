//! The test of a smooth term being zero (Wood 2013, "On p-values for smooth components of an
//! extended generalized additive model", Biometrika 100:221-228), as mgcv 1.8-41 `testStat`
//! (type 0: the rank is the term's alternative edf, with a fractionally truncated
//! pseudo-inverse). With an estimated scale the reference law of the statistic is
//! sum(val_i chi2_1) / (chi2_k0 / k0), k0 = round(residual df); mgcv evaluates it with
//! Davies' algorithm (`psum.chisq`, tol 2e-5 absolute), here it is Imhof's (1961) inversion
//! integral of the same law, so the two agree to Davies' accuracy, not to relative precision.

use mcvideo_stats::dist::f_upper;
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// Result of the smooth test.
#[derive(Debug, Clone, Copy)]
pub struct SmoothTest {
    /// The statistic.
    pub stat: f64,
    /// p value.
    pub p: f64,
    /// Rank used.
    pub rank: f64,
}

/// Eigen-decomposition with eigenvalues descending, as R's `eigen(symmetric = TRUE)`.
fn eigen_desc(m: &DMatrix<f64>) -> (Vec<f64>, DMatrix<f64>) {
    let n = m.nrows();
    let e = SymmetricEigen::new((m + m.transpose()) * 0.5);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| e.eigenvalues[b].total_cmp(&e.eigenvalues[a]));
    let vals = order.iter().map(|&j| e.eigenvalues[j]).collect();
    let vecs = DMatrix::from_fn(n, n, |i, j| e.eigenvectors[(i, order[j])]);
    (vals, vecs)
}

/// P(sum_j lambda_j chi2_{h_j} > 0) by Imhof's (1961) inversion formula, numerically
/// integrated (Simpson's rule in log u). With x = 0 the phase is bounded, so the integrand does
/// not oscillate; accuracy is about 1e-9 absolute.
///
/// ```
/// use mcvideo_doseresponse::smooth_test::prob_positive;
/// use mcvideo_stats::dist::f_upper;
/// // P(chi2_3/3 - 2 chi2_40/40 > 0) = P(F(3, 40) > 2)
/// let p = prob_positive(&[1.0 / 3.0, -2.0 / 40.0], &[3.0, 40.0]);
/// assert!((p - f_upper(2.0, 3.0, 40.0)).abs() < 1e-8);
/// ```
pub fn prob_positive(lambda: &[f64], h: &[f64]) -> f64 {
    let theta = |u: f64| {
        0.5 * lambda
            .iter()
            .zip(h)
            .map(|(l, hh)| hh * (l * u).atan())
            .sum::<f64>()
    };
    let log_rho = |u: f64| {
        lambda
            .iter()
            .zip(h)
            .map(|(l, hh)| 0.25 * hh * (l * l * u * u).ln_1p())
            .sum::<f64>()
    };
    // integrate over s = ln u; the integrand is sin(theta)/rho (the u cancels du = u ds).
    let f = |s: f64| {
        let u = s.exp();
        theta(u).sin() * (-log_rho(u)).exp()
    };
    // find an upper end where 1/rho is negligible
    let mut s_hi: f64 = 0.0;
    while s_hi < 60.0 && (-log_rho(s_hi.exp())).exp() > 1e-14 {
        s_hi += 0.5;
    }
    let s_lo = -40.0;
    let m = 20000;
    let step = (s_hi - s_lo) / m as f64;
    let mut sum = f(s_lo) + f(s_hi);
    for i in 1..m {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(s_lo + step * i as f64);
    }
    let integral = sum * step / 3.0;
    0.5 + integral / std::f64::consts::PI
}

/// mgcv's `testStat(p, X, V, rank, type = 0, res.df)`: `beta` and `vp` are the smooth's
/// coefficients and Bayesian covariance, `xs` its design (any matrix with the same X'X),
/// `rank` the alternative edf (capped at the number of columns), `res_df` the residual df
/// when the scale is estimated (<= 0: known scale, not supported here beyond the F fallback).
pub fn test_stat(
    beta: &DVector<f64>,
    xs: &DMatrix<f64>,
    vp: &DMatrix<f64>,
    rank: f64,
    res_df: f64,
) -> SmoothTest {
    let r = xs.clone().qr().r();
    let v = &r * vp * r.transpose();
    let (vals, mut vecs) = eigen_desc(&v);
    let ncol = vecs.ncols();
    for j in 0..ncol {
        if vecs[(0, j)] < 0.0 {
            vecs.column_mut(j).neg_mut();
        }
    }
    let mut rank = rank;
    let mut k = rank.floor().max(0.0) as usize;
    let mut nu = (rank - k as f64).abs();
    let mut k1 = if nu > 0.0 { k + 1 } else { k };
    let vmax = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let r_est = vals
        .iter()
        .filter(|&&v| v > vmax * f64::EPSILON.powf(0.9))
        .count();
    if r_est < k1 {
        k1 = r_est;
        k = r_est;
        nu = 0.0;
        rank = r_est as f64;
    }
    let k1c = k1.min(ncol).max(1);
    let mut vec = vecs.columns(0, k1c).into_owned();
    let mut vec1 = vec.clone();
    if nu > 0.0 && k > 0 {
        for (j, val) in vals.iter().enumerate().take(k - 1) {
            vec.column_mut(j).scale_mut(1.0 / val.sqrt());
        }
        let b12 = (0.5 * nu * (1.0 - nu)).max(0.0).sqrt();
        let e0 = vals[k - 1].powf(-0.5);
        let e1 = vals[k].powf(-0.5);
        let b =
            DMatrix::from_row_slice(2, 2, &[e0 * e0, e0 * b12 * e1, e0 * b12 * e1, e1 * nu * e1]);
        let (bv, bvec) = eigen_desc(&b);
        let sq = DMatrix::from_diagonal(&DVector::from_vec(
            bv.iter().map(|v| v.max(0.0).sqrt()).collect(),
        ));
        let rb = &bvec * sq * bvec.transpose();
        let pair = vec.columns(k - 1, 2).into_owned();
        let flip = DMatrix::from_row_slice(2, 2, &[-1.0, 0.0, 0.0, 1.0]);
        let new_pair = &pair * rb.transpose();
        let new_pair1 = &pair * (&rb * flip).transpose();
        for j in 0..k - 1 {
            let c = vec.column(j).into_owned();
            vec1.set_column(j, &c);
        }
        vec.columns_mut(k - 1, 2).copy_from(&new_pair);
        vec1.columns_mut(k - 1, 2).copy_from(&new_pair1);
    } else {
        if k == 0 {
            vec.scale_mut(1.0 / vals[0].sqrt());
        } else {
            let cols = k.min(vec.ncols());
            for (j, val) in vals.iter().enumerate().take(cols) {
                vec.column_mut(j).scale_mut(1.0 / val.sqrt());
            }
        }
        vec1 = vec.clone();
        if k == 1 {
            rank = 1.0;
        }
    }
    let rp_ = &r * beta;
    let d = (vec.transpose() * &rp_).norm_squared();
    let d1 = (vec1.transpose() * &rp_).norm_squared();
    let mut rank1 = rank;
    let mut pval = 2.0;
    if nu > 0.0 && res_df > 0.0 {
        let val: Vec<f64> = if k1 == 1 {
            rank1 = 1.0;
            vec![1.0]
        } else {
            let mut v = vec![1.0; k1];
            let rp = nu + 1.0;
            v[k - 1] = (rp + (rp * (2.0 - rp)).sqrt()) / 2.0;
            v[k1 - 1] = rp - v[k - 1];
            v
        };
        let k0 = res_df.round().max(1.0);
        let mut h = vec![1.0; val.len()];
        h.push(k0);
        let p_of = |dd: f64| {
            let mut lam = val.clone();
            lam.push(-dd / k0);
            prob_positive(&lam, &h)
        };
        pval = 0.5 * (p_of(d) + p_of(d1));
        // Imhof's integral is accurate to ~1e-9 absolute; below that use the F tail.
        if pval < 1e-8 {
            pval = 0.5 * (f_upper(d / rank1, rank1, res_df) + f_upper(d1 / rank1, rank1, res_df));
        }
    }
    if pval > 1.0 {
        pval = 0.5 * (f_upper(d / rank1, rank1, res_df) + f_upper(d1 / rank1, rank1, res_df));
    }
    SmoothTest {
        stat: d,
        p: pval.clamp(0.0, 1.0),
        rank,
    }
}

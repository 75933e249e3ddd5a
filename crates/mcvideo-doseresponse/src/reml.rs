//! Penalized least squares with one smoothing parameter chosen by REML (Wood 2011, JRSS-B
//! 73:3-36, the Laplace/REML criterion for a Gaussian identity model with unknown scale).
//!
//! With X = QR, f = Q'y and R^-T S R^-1 = U diag(L) U', everything is closed form in
//! lambda = exp(rho): |X'X + lambda S| = |R|^2 prod(1 + lambda L_i), and with g = U'f the
//! penalized residual sum of squares is D = ||y||^2 - ||f||^2 + sum g_i^2 lambda L_i/(1+lambda L_i).
//! Profiling out the scale phi = D/(n - Mp), mgcv's REML score (`gcv.ubre`) is
//! V = (n-Mp)/2 (1 + log(2 pi phi)) + log|R| + 1/2 sum log(1 + lambda L_i) - 1/2 log|lambda S|_+.
//! So one fit costs one QR and one p x p eigen-decomposition, whatever the search.

use crate::error::{DoseError, Result};
use crate::linalg::{check_triangular_rank, upper_inverse};
use crate::optim::brent_min;
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// The REML problem, reduced once; cheap to evaluate at any rho.
#[derive(Debug, Clone)]
pub struct RemlProblem {
    n: usize,
    /// Columns of the design.
    p: usize,
    /// Rank of the penalty.
    rank: usize,
    r: DMatrix<f64>,
    /// R^-1 U.
    w: DMatrix<f64>,
    /// Eigenvalues of R^-T S R^-1 (zero outside the penalty range).
    lam: Vec<f64>,
    g: DVector<f64>,
    rss0: f64,
    log_det_r: f64,
    log_det_s: f64,
}

/// The REML optimum.
#[derive(Debug, Clone)]
pub struct RemlFit {
    /// Coefficients.
    pub beta: DVector<f64>,
    /// Smoothing parameter on this crate's penalty scale.
    pub lambda: f64,
    /// REML scale estimate phi = (RSS + lambda b'Sb)/(n - Mp).
    pub scale: f64,
    /// mgcv's REML score (negative log restricted likelihood).
    pub reml: f64,
}

impl RemlProblem {
    /// Reduces the problem `min ||y - X b||^2 + lambda b'Sb`. `rank` is the rank of `s`.
    pub fn new(x: &DMatrix<f64>, s: &DMatrix<f64>, rank: usize, y: &DVector<f64>) -> Result<Self> {
        let (n, p) = x.shape();
        if n <= p {
            return Err(DoseError::TooFewData {
                what: "rows",
                have: n,
                need: p + 1,
            });
        }
        let qr = x.clone().qr();
        let r = qr.r();
        check_triangular_rank(&r, x)?;
        let f = qr.q().transpose() * y;
        let rss0 = (y.norm_squared() - f.norm_squared()).max(0.0);
        let r_inv = upper_inverse(&r)?;
        let m = r_inv.transpose() * s * &r_inv;
        let m = (&m + m.transpose()) * 0.5;
        let eig = SymmetricEigen::new(m);
        let mut order: Vec<usize> = (0..p).collect();
        order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
        let u = DMatrix::from_fn(p, p, |i, j| eig.eigenvectors[(i, order[j])]);
        let lam: Vec<f64> = (0..p)
            .map(|j| {
                if j < rank {
                    eig.eigenvalues[order[j]].max(0.0)
                } else {
                    0.0
                }
            })
            .collect();
        if rank > 0 && (lam[rank - 1].is_nan() || lam[rank - 1] <= 0.0) {
            return Err(DoseError::Singular(
                "penalty rank lower than expected".into(),
            ));
        }
        let g = u.transpose() * f;
        let w = &r_inv * &u;
        let log_det_r = (0..p).map(|i| r[(i, i)].abs().ln()).sum();
        let s_eig = SymmetricEigen::new((s + s.transpose()) * 0.5);
        let mut s_vals: Vec<f64> = s_eig.eigenvalues.iter().copied().collect();
        s_vals.sort_by(|a, b| b.total_cmp(a));
        let log_det_s = s_vals
            .iter()
            .take(rank)
            .map(|v| v.max(f64::MIN_POSITIVE).ln())
            .sum();
        Ok(RemlProblem {
            n,
            p,
            rank,
            r,
            w,
            lam,
            g,
            rss0,
            log_det_r,
            log_det_s,
        })
    }

    fn nu(&self) -> f64 {
        (self.n - (self.p - self.rank)) as f64
    }

    /// Penalized residual sum of squares D(rho).
    fn pen_rss(&self, rho: f64) -> f64 {
        let l = rho.exp();
        self.rss0
            + self
                .lam
                .iter()
                .zip(self.g.iter())
                .map(|(li, gi)| gi * gi * l * li / (1.0 + l * li))
                .sum::<f64>()
    }

    /// mgcv's REML score at rho = log(lambda), the scale profiled out.
    pub fn score(&self, rho: f64) -> f64 {
        let l = rho.exp();
        let nu = self.nu();
        let d = self.pen_rss(rho).max(f64::MIN_POSITIVE);
        let phi = d / nu;
        let log_det: f64 = self.lam.iter().map(|li| (l * li).ln_1p()).sum();
        0.5 * nu * (1.0 + (2.0 * std::f64::consts::PI * phi).ln()) + self.log_det_r + 0.5 * log_det
            - 0.5 * (self.rank as f64 * rho + self.log_det_s)
    }

    /// First and second derivative of the score in rho.
    fn score_derivs(&self, rho: f64) -> (f64, f64) {
        let l = rho.exp();
        let nu = self.nu();
        let (mut d, mut d1, mut d2, mut tr1, mut tr2) = (self.rss0, 0.0, 0.0, 0.0, 0.0);
        for (li, gi) in self.lam.iter().zip(self.g.iter()) {
            let a = l * li / (1.0 + l * li);
            let g2 = gi * gi;
            d += g2 * a;
            d1 += g2 * a * (1.0 - a);
            d2 += g2 * a * (1.0 - a) * (1.0 - 2.0 * a);
            tr1 += a;
            tr2 += a * (1.0 - a);
        }
        let grad = 0.5 * nu * d1 / d + 0.5 * tr1 - 0.5 * self.rank as f64;
        let hess = 0.5 * nu * (d2 / d - (d1 / d) * (d1 / d)) + 0.5 * tr2;
        (grad, hess)
    }

    /// The rho search interval: lambda from 1e-8 to 1e8 times the penalty eigenvalue range.
    fn rho_range(&self) -> (f64, f64) {
        if self.rank == 0 {
            return (0.0, 0.0);
        }
        let hi_l = self.lam[0];
        let lo_l = self.lam[self.rank - 1];
        (-(hi_l.ln()) - 18.0, -(lo_l.ln()) + 18.0)
    }

    /// Minimizes the REML score: a grid over rho, Brent's method in the best bracket, then
    /// Newton polishing on the analytic derivatives.
    pub fn optimize(&self) -> f64 {
        let (lo, hi) = self.rho_range();
        if hi <= lo {
            return lo;
        }
        let steps = 72;
        let h = (hi - lo) / steps as f64;
        let mut best = (0usize, f64::INFINITY);
        for i in 0..=steps {
            let v = self.score(lo + h * i as f64);
            if v < best.1 {
                best = (i, v);
            }
        }
        let a = lo + h * best.0.saturating_sub(1) as f64;
        let b = lo + h * (best.0 + 1).min(steps) as f64;
        let (mut rho, mut val) = brent_min(|r| self.score(r), a, b, 1e-9);
        for _ in 0..6 {
            let (g, hs) = self.score_derivs(rho);
            if hs.is_nan() || hs <= 0.0 || g.abs() < 1e-12 {
                break;
            }
            let cand = (rho - g / hs).clamp(a, b);
            let cv = self.score(cand);
            if cv <= val {
                rho = cand;
                val = cv;
            } else {
                break;
            }
        }
        rho
    }

    /// Shrinkage weights 1/(1 + lambda L_i).
    fn weights(&self, rho: f64) -> Vec<f64> {
        let l = rho.exp();
        self.lam.iter().map(|li| 1.0 / (1.0 + l * li)).collect()
    }

    /// Coefficients at rho.
    pub fn beta(&self, rho: f64) -> DVector<f64> {
        let wts = self.weights(rho);
        let scaled = DVector::from_fn(self.p, |i, _| wts[i] * self.g[i]);
        &self.w * scaled
    }

    /// The fit at rho.
    pub fn fit(&self, rho: f64) -> RemlFit {
        RemlFit {
            beta: self.beta(rho),
            lambda: rho.exp(),
            scale: self.pen_rss(rho) / self.nu(),
            reml: self.score(rho),
        }
    }

    /// (X'X + lambda S)^-1 at rho.
    pub fn inverse_hessian(&self, rho: f64) -> DMatrix<f64> {
        let wts = self.weights(rho);
        let ws = DMatrix::from_fn(self.p, self.p, |i, j| self.w[(i, j)] * wts[j]);
        ws * self.w.transpose()
    }

    /// F = (X'X + lambda S)^-1 X'X, whose diagonal gives the effective degrees of freedom.
    pub fn influence(&self, rho: f64) -> DMatrix<f64> {
        let wts = self.weights(rho);
        let ws = DMatrix::from_fn(self.p, self.p, |i, j| self.w[(i, j)] * wts[j]);
        // W'R'R = U'R since W = R^-1 U.
        let ut_r = self.w.transpose() * self.r.transpose() * &self.r;
        ws * ut_r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smooth::{BasisKind, Smooth};

    fn problem() -> RemlProblem {
        let x: Vec<f64> = (0..50)
            .map(|i| (i as f64 * 0.61).sin() * 2.0 + i as f64 * 0.03)
            .collect();
        let y: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| v.cos() + 0.2 * ((i * 13 % 7) as f64 - 3.0) / 3.0)
            .collect();
        let s = Smooth::new(BasisKind::Tp, &x, 10).unwrap();
        let p = 1 + s.ncols();
        let mut xd = DMatrix::zeros(50, p);
        xd.column_mut(0).fill(1.0);
        xd.columns_mut(1, s.ncols()).copy_from(s.design());
        let mut pen = DMatrix::zeros(p, p);
        pen.view_mut((1, 1), (s.ncols(), s.ncols()))
            .copy_from(s.penalty());
        RemlProblem::new(&xd, &pen, s.penalty_rank(), &DVector::from_vec(y)).unwrap()
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        let pr = problem();
        for rho in [-6.0, -2.0, 0.0, 3.0] {
            let h = 1e-4;
            let g_num = (pr.score(rho + h) - pr.score(rho - h)) / (2.0 * h);
            let h_num = (pr.score(rho + h) - 2.0 * pr.score(rho) + pr.score(rho - h)) / (h * h);
            let (g, hs) = pr.score_derivs(rho);
            assert!(
                (g - g_num).abs() < 1e-6 * (1.0 + g.abs()),
                "{rho}: {g} vs {g_num}"
            );
            assert!(
                (hs - h_num).abs() < 1e-3 * (1.0 + hs.abs()),
                "{rho}: {hs} vs {h_num}"
            );
        }
    }

    #[test]
    fn optimum_is_a_stationary_minimum() {
        let pr = problem();
        let rho = pr.optimize();
        let (g, hs) = pr.score_derivs(rho);
        assert!(g.abs() < 1e-6 && hs > 0.0, "gradient {g}, hessian {hs}");
        assert!(pr.score(rho) <= pr.score(rho + 0.01) && pr.score(rho) <= pr.score(rho - 0.01));
    }

    #[test]
    fn coefficients_solve_the_penalized_normal_equations() {
        let pr = problem();
        let rho = 0.7;
        let beta = pr.beta(rho);
        // (X'X + lambda S) beta = X'y  <=>  beta = (X'X + lambda S)^-1 X'y; check via F:
        // F = (X'X + lambda S)^-1 X'X has trace between the null-space dim and p.
        let f = pr.influence(rho);
        let tr = f.trace();
        assert!(
            tr > 2.0 - 1e-9 && tr < beta.len() as f64 + 1e-9,
            "trace {tr}"
        );
        let vinv = pr.inverse_hessian(rho);
        let back = &vinv * pr.r.transpose() * &pr.r;
        assert!((back - f).norm() < 1e-8);
    }
}

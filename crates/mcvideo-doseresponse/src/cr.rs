//! mgcv's cubic regression spline basis (`bs = "cr"`; Wood 2017, Generalized Additive Models,
//! 2nd ed., §5.3.1): a natural cubic spline parameterized by its values at k knots placed at
//! quantiles of the distinct x (mgcv `place.knots`), penalty D'B^-1 D, linear beyond the knots.

use crate::error::{DoseError, Result};
use crate::quantile::sorted_unique;
use nalgebra::DMatrix;

/// A constructed cubic regression spline basis (before the sum-to-zero constraint).
#[derive(Debug, Clone)]
pub struct CrBasis {
    knots: Vec<f64>,
    /// k x k: second derivatives at the knots from the knot values (first/last rows zero).
    f_plus: DMatrix<f64>,
    penalty: DMatrix<f64>,
}

/// mgcv's `place.knots`: `nk` knots evenly spread through the sorted distinct values.
///
/// ```
/// use mcvideo_doseresponse::cr::place_knots;
/// let k = place_knots(&[0.0, 1.0, 2.0, 3.0, 4.0], 3).unwrap();
/// assert_eq!(k, vec![0.0, 2.0, 4.0]);
/// ```
pub fn place_knots(x: &[f64], nk: usize) -> Result<Vec<f64>> {
    let u = sorted_unique(x);
    let n = u.len();
    if n < 2 {
        return Err(DoseError::ConstantX(x.first().copied().unwrap_or(f64::NAN)));
    }
    if nk > n {
        return Err(DoseError::TooFewData {
            what: "distinct x values",
            have: n,
            need: nk,
        });
    }
    if nk < 3 {
        return Err(DoseError::InvalidArgument(format!(
            "a cubic regression spline needs k >= 3, got {nk}"
        )));
    }
    let mut knots = vec![0.0; nk];
    knots[0] = u[0];
    knots[nk - 1] = u[n - 1];
    let delta = (n - 1) as f64 / (nk - 1) as f64;
    for (i, kn) in knots.iter_mut().enumerate().take(nk - 1).skip(1) {
        let pos = delta * i as f64;
        let lbi = pos.floor() as usize; // 0-based lower index
        let frac = pos - lbi as f64;
        *kn = u[lbi + 1] * frac + u[lbi] * (1.0 - frac);
    }
    Ok(knots)
}

impl CrBasis {
    /// Builds a basis of dimension `k` with knots placed on the distinct values of `x`.
    ///
    /// ```
    /// use mcvideo_doseresponse::cr::CrBasis;
    /// let x: Vec<f64> = (0..30).map(|i| i as f64).collect();
    /// let b = CrBasis::new(&x, 5).unwrap();
    /// let mut row = vec![0.0; 5];
    /// b.row(0.0, &mut row); // at the first knot only the first function is 1
    /// assert_eq!(row, vec![1.0, 0.0, 0.0, 0.0, 0.0]);
    /// ```
    pub fn new(x: &[f64], k: usize) -> Result<Self> {
        let knots = place_knots(x, k)?;
        let h: Vec<f64> = knots.windows(2).map(|w| w[1] - w[0]).collect();
        let mut d = DMatrix::zeros(k - 2, k);
        let mut b = DMatrix::zeros(k - 2, k - 2);
        for i in 0..k - 2 {
            d[(i, i)] = 1.0 / h[i];
            d[(i, i + 1)] = -1.0 / h[i] - 1.0 / h[i + 1];
            d[(i, i + 2)] = 1.0 / h[i + 1];
            b[(i, i)] = (h[i] + h[i + 1]) / 3.0;
            if i + 1 < k - 2 {
                b[(i, i + 1)] = h[i + 1] / 6.0;
                b[(i + 1, i)] = h[i + 1] / 6.0;
            }
        }
        let b_inv = b
            .try_inverse()
            .ok_or_else(|| DoseError::Singular("cubic spline knot system".into()))?;
        let f = &b_inv * &d;
        let mut f_plus = DMatrix::zeros(k, k);
        for i in 0..k - 2 {
            for j in 0..k {
                f_plus[(i + 1, j)] = f[(i, j)];
            }
        }
        let penalty = d.transpose() * &f;
        let penalty = (&penalty + penalty.transpose()) * 0.5;
        Ok(CrBasis {
            knots,
            f_plus,
            penalty,
        })
    }

    /// Basis dimension.
    pub fn k(&self) -> usize {
        self.knots.len()
    }

    /// The knots.
    pub fn knots(&self) -> &[f64] {
        &self.knots
    }

    /// The penalty matrix (k x k).
    pub fn penalty(&self) -> &DMatrix<f64> {
        &self.penalty
    }

    /// Writes the k basis functions at `x` into `out`.
    pub fn row(&self, x: f64, out: &mut [f64]) {
        let k = self.k();
        out.iter_mut().for_each(|o| *o = 0.0);
        let last = k - 1;
        if x < self.knots[0] || x > self.knots[last] {
            // Linear extrapolation from the end knot.
            let (j, x0, at_left) = if x < self.knots[0] {
                (0, self.knots[0], true)
            } else {
                (last - 1, self.knots[last], false)
            };
            let h = self.knots[j + 1] - self.knots[j];
            let (dcm, dcp) = if at_left {
                (-h / 3.0, -h / 6.0)
            } else {
                (h / 6.0, h / 3.0)
            };
            let dx = x - x0;
            if at_left {
                out[0] += 1.0;
            } else {
                out[last] += 1.0;
            }
            out[j] -= dx / h;
            out[j + 1] += dx / h;
            for (c, o) in out.iter_mut().enumerate() {
                *o += dx * (dcm * self.f_plus[(j, c)] + dcp * self.f_plus[(j + 1, c)]);
            }
            return;
        }
        let j = match self.knots.partition_point(|&kn| kn <= x) {
            0 => 0,
            p => (p - 1).min(last - 1),
        };
        let h = self.knots[j + 1] - self.knots[j];
        let am = (self.knots[j + 1] - x) / h;
        let ap = (x - self.knots[j]) / h;
        let dm = self.knots[j + 1] - x;
        let dp = x - self.knots[j];
        let cm = (dm * dm * dm / h - h * dm) / 6.0;
        let cp = (dp * dp * dp / h - h * dp) / 6.0;
        out[j] += am;
        out[j + 1] += ap;
        for (c, o) in out.iter_mut().enumerate() {
            *o += cm * self.f_plus[(j, c)] + cp * self.f_plus[(j + 1, c)];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalty_vanishes_on_linear_functions_and_interpolates_knots() {
        let x: Vec<f64> = (0..40).map(|i| (i as f64).powf(1.3)).collect();
        let b = CrBasis::new(&x, 8).unwrap();
        let line: Vec<f64> = b.knots().iter().map(|k| 2.0 - 0.5 * k).collect();
        let v = nalgebra::DVector::from_vec(line.clone());
        assert!((b.penalty() * &v).norm() < 1e-9 * v.norm());
        // the basis reproduces the line everywhere, also beyond the knots
        let mut row = vec![0.0; 8];
        for xv in [-3.0, 0.0, 5.5, 40.0, 200.0] {
            b.row(xv, &mut row);
            let f: f64 = row.iter().zip(&line).map(|(a, c)| a * c).sum();
            assert!((f - (2.0 - 0.5 * xv)).abs() < 1e-9, "{xv}: {f}");
        }
    }
}

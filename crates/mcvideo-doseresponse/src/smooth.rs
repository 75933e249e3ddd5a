//! A smooth term: the tp or cr basis with mgcv's sum-to-zero identifiability constraint
//! absorbed by a Householder basis of the null space of the column sums (mgcv `absorb.cons`).

use crate::cr::CrBasis;
use crate::error::{DoseError, Result};
use crate::linalg::null_space_basis;
use crate::tp::TpBasis;
use nalgebra::DMatrix;
use serde::Serialize;

/// Which spline basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BasisKind {
    /// Thin-plate regression spline (mgcv's default).
    Tp,
    /// Cubic regression spline.
    Cr,
}

impl std::str::FromStr for BasisKind {
    type Err = DoseError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "tp" => Ok(BasisKind::Tp),
            "cr" => Ok(BasisKind::Cr),
            other => Err(DoseError::InvalidArgument(format!(
                "unknown basis {other:?} (expected tp or cr)"
            ))),
        }
    }
}

impl BasisKind {
    /// The mgcv name.
    pub fn as_str(self) -> &'static str {
        match self {
            BasisKind::Tp => "tp",
            BasisKind::Cr => "cr",
        }
    }
}

#[derive(Debug, Clone)]
enum Raw {
    Tp(TpBasis),
    Cr(CrBasis),
}

impl Raw {
    fn k(&self) -> usize {
        match self {
            Raw::Tp(b) => b.k(),
            Raw::Cr(b) => b.k(),
        }
    }
    fn row(&self, x: f64, out: &mut [f64]) {
        match self {
            Raw::Tp(b) => b.row(x, out),
            Raw::Cr(b) => b.row(x, out),
        }
    }
    fn penalty(&self) -> &DMatrix<f64> {
        match self {
            Raw::Tp(b) => b.penalty(),
            Raw::Cr(b) => b.penalty(),
        }
    }
}

/// A smooth term with its identifiability constraint absorbed: k - 1 columns.
#[derive(Debug, Clone)]
pub struct Smooth {
    raw: Raw,
    kind: BasisKind,
    z: DMatrix<f64>,
    penalty: DMatrix<f64>,
    design: DMatrix<f64>,
}

impl Smooth {
    /// Builds the smooth of `x` and its constrained design matrix on the same `x`.
    ///
    /// ```
    /// use mcvideo_doseresponse::smooth::{BasisKind, Smooth};
    /// let x: Vec<f64> = (0..30).map(|i| (i as f64 * 0.37).sin()).collect();
    /// let s = Smooth::new(BasisKind::Tp, &x, 10).unwrap();
    /// assert_eq!(s.design().shape(), (30, 9));
    /// // sum-to-zero: every column sums to 0 over the data
    /// assert!(s.design().row_sum().norm() < 1e-9);
    /// ```
    pub fn new(kind: BasisKind, x: &[f64], k: usize) -> Result<Self> {
        let raw = match kind {
            BasisKind::Tp => Raw::Tp(TpBasis::new(x, k)?),
            BasisKind::Cr => Raw::Cr(CrBasis::new(x, k)?),
        };
        let kk = raw.k();
        let mut x_raw = DMatrix::zeros(x.len(), kk);
        let mut row = vec![0.0; kk];
        for (i, &xi) in x.iter().enumerate() {
            raw.row(xi, &mut row);
            for (j, v) in row.iter().enumerate() {
                x_raw[(i, j)] = *v;
            }
        }
        let colsums = DMatrix::from_fn(kk, 1, |j, _| x_raw.column(j).sum());
        let z = null_space_basis(&colsums);
        let penalty = z.transpose() * raw.penalty() * &z;
        let penalty = (&penalty + penalty.transpose()) * 0.5;
        let design = x_raw * &z;
        Ok(Smooth {
            raw,
            kind,
            z,
            penalty,
            design,
        })
    }

    /// The basis kind.
    pub fn kind(&self) -> BasisKind {
        self.kind
    }

    /// Number of constrained columns (k - 1).
    pub fn ncols(&self) -> usize {
        self.z.ncols()
    }

    /// Rank of the penalty: k - 2 for both bases (null space {1, x}, constant removed).
    pub fn penalty_rank(&self) -> usize {
        self.raw.k() - 2
    }

    /// The constrained design matrix on the data used to build the smooth.
    pub fn design(&self) -> &DMatrix<f64> {
        &self.design
    }

    /// The constrained penalty ((k-1) x (k-1)).
    pub fn penalty(&self) -> &DMatrix<f64> {
        &self.penalty
    }

    /// The constrained design matrix at new points.
    pub fn predict_matrix(&self, xs: &[f64]) -> DMatrix<f64> {
        let kk = self.raw.k();
        let mut row = vec![0.0; kk];
        let mut out = DMatrix::zeros(xs.len(), self.ncols());
        for (i, &x) in xs.iter().enumerate() {
            self.raw.row(x, &mut row);
            for c in 0..self.ncols() {
                out[(i, c)] = row
                    .iter()
                    .zip(self.z.column(c).iter())
                    .map(|(a, b)| a * b)
                    .sum();
            }
        }
        out
    }
}

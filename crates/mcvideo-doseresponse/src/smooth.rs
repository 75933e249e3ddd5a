//! A smooth term: the tp or cr basis with mgcv's sum-to-zero identifiability constraint
//! absorbed by a Householder basis of the null space of the column sums (mgcv `absorb.cons`).

use crate::cr::CrBasis;
use crate::error::{DoseError, Result};
use crate::linalg::null_space_basis;
use crate::tp::{TpBasis, TpKnotOptions};
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
    /// The unconstrained basis at every point of `xs` (len x k).
    fn design(&self, xs: &[f64]) -> DMatrix<f64> {
        match self {
            Raw::Tp(b) => b.design(xs),
            Raw::Cr(b) => {
                let mut out = DMatrix::zeros(xs.len(), b.k());
                let mut row = vec![0.0; b.k()];
                for (i, &x) in xs.iter().enumerate() {
                    b.row(x, &mut row);
                    for (j, v) in row.iter().enumerate() {
                        out[(i, j)] = *v;
                    }
                }
                out
            }
        }
    }
    fn n_knots(&self) -> usize {
        match self {
            Raw::Tp(b) => b.n_knots(),
            Raw::Cr(b) => b.k(),
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
        Self::with_tp_knots(kind, x, k, &TpKnotOptions::default())
    }

    /// As [`Smooth::new`], the thin-plate knots chosen under `knots` (ignored by `cr`).
    pub fn with_tp_knots(
        kind: BasisKind,
        x: &[f64],
        k: usize,
        knots: &TpKnotOptions,
    ) -> Result<Self> {
        let raw = match kind {
            BasisKind::Tp => Raw::Tp(TpBasis::with_options(x, k, knots)?),
            BasisKind::Cr => Raw::Cr(CrBasis::new(x, k)?),
        };
        Ok(Self::constrained(raw, kind, x))
    }

    /// A thin-plate smooth on an explicit knot set (mgcv's `knots` argument).
    pub fn tp_with_knots(x: &[f64], knots: &[f64], k: usize) -> Result<Self> {
        let raw = Raw::Tp(TpBasis::with_knots(x, knots, k)?);
        Ok(Self::constrained(raw, BasisKind::Tp, x))
    }

    fn constrained(raw: Raw, kind: BasisKind, x: &[f64]) -> Self {
        let kk = raw.k();
        let x_raw = raw.design(x);
        let colsums = DMatrix::from_fn(kk, 1, |j, _| x_raw.column(j).sum());
        let z = null_space_basis(&colsums);
        let penalty = z.transpose() * raw.penalty() * &z;
        let penalty = (&penalty + penalty.transpose()) * 0.5;
        let design = x_raw * &z;
        Smooth {
            raw,
            kind,
            z,
            penalty,
            design,
        }
    }

    /// Number of knots of the basis (for `tp` at most `max_knots`; for `cr`, k).
    pub fn n_knots(&self) -> usize {
        self.raw.n_knots()
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
        self.raw.design(xs) * &self.z
    }
}

//! Sub-pixel refinement of a translation by Gauss–Newton least squares (Lucas & Kanade 1981,
//! "An iterative image registration technique", translation-only, inverse-compositional
//! form of Baker & Matthews 2004: gradients are taken on the fixed image).

use crate::preprocess::WorkImage;
use crate::sample::sample_inside_f32;

/// The fixed patch: image, top-left corner, size and per-pixel weights (row-major wx × wy).
pub(crate) struct FixedPatch<'a> {
    pub img: &'a WorkImage,
    pub ox: usize,
    pub oy: usize,
    pub wx: usize,
    pub wy: usize,
    pub weights: &'a dyn Fn(usize, usize) -> f32,
}

/// Result of a refinement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Refined {
    /// Shift: fixed-image point p lies at p + shift in the moving image (working px).
    pub shift: [f64; 2],
    /// Weighted normalized cross-correlation at the final shift.
    pub ncc: f64,
    /// Size of the last Gauss–Newton step (px): small when converged.
    pub last_step: f64,
}

/// Refines `start` so that moving(p + shift) ≈ fixed(p) + offset over the patch.
pub(crate) fn refine_translation(
    fixed: &FixedPatch,
    moving: &WorkImage,
    start: [f64; 2],
    iterations: usize,
) -> Refined {
    let mut shift = start;
    let mut last_step = f64::INFINITY;
    for _ in 0..iterations {
        let acc = accumulate(fixed, moving, shift);
        let Some(step) = acc.gauss_newton_step() else {
            break;
        };
        // Never jump by more than 1 px per iteration: phase correlation already has the
        // integer part right, a large step means a flat or aliased patch.
        let len = (step[0] * step[0] + step[1] * step[1]).sqrt();
        let scale = if len > 1.0 { 1.0 / len } else { 1.0 };
        shift[0] -= step[0] * scale;
        shift[1] -= step[1] * scale;
        last_step = len;
        if len < 1e-3 {
            break;
        }
    }
    let acc = accumulate(fixed, moving, shift);
    Refined {
        shift,
        ncc: acc.ncc(),
        last_step,
    }
}

#[derive(Default)]
struct Sums {
    w: f64,
    gx: f64,
    gy: f64,
    e: f64,
    gxx: f64,
    gxy: f64,
    gyy: f64,
    gxe: f64,
    gye: f64,
    f: f64,
    m: f64,
    ff: f64,
    mm: f64,
    fm: f64,
}

impl Sums {
    /// Step Δ with the offset between the two images projected out; `None` if singular.
    fn gauss_newton_step(&self) -> Option<[f64; 2]> {
        if self.w <= 0.0 {
            return None;
        }
        let hxx = self.gxx - self.gx * self.gx / self.w;
        let hxy = self.gxy - self.gx * self.gy / self.w;
        let hyy = self.gyy - self.gy * self.gy / self.w;
        let bx = self.gxe - self.gx * self.e / self.w;
        let by = self.gye - self.gy * self.e / self.w;
        let det = hxx * hyy - hxy * hxy;
        if !(det.is_finite() && det > 1e-12 * (hxx * hyy).abs().max(1e-30)) {
            return None;
        }
        Some([(hyy * bx - hxy * by) / det, (hxx * by - hxy * bx) / det])
    }

    fn ncc(&self) -> f64 {
        if self.w <= 0.0 {
            return 0.0;
        }
        let cf = self.ff - self.f * self.f / self.w;
        let cm = self.mm - self.m * self.m / self.w;
        let cfm = self.fm - self.f * self.m / self.w;
        if cf <= 0.0 || cm <= 0.0 {
            0.0
        } else {
            cfm / (cf * cm).sqrt()
        }
    }
}

fn accumulate(fixed: &FixedPatch, moving: &WorkImage, shift: [f64; 2]) -> Sums {
    let img = fixed.img;
    let mut s = Sums::default();
    for py in 0..fixed.wy {
        let y = fixed.oy + py;
        let up = img.row(y.saturating_sub(1));
        let row = img.row(y);
        let down = img.row((y + 1).min(img.h - 1));
        let my = y as f64 + shift[1];
        for px in 0..fixed.wx {
            let w = f64::from((fixed.weights)(px, py));
            if w <= 0.0 {
                continue;
            }
            let x = fixed.ox + px;
            let Some(m) =
                sample_inside_f32(&moving.data, moving.w, moving.h, x as f64 + shift[0], my)
            else {
                continue;
            };
            let f = f64::from(row[x]);
            let m = f64::from(m);
            let gx = 0.5 * f64::from(row[(x + 1).min(img.w - 1)] - row[x.saturating_sub(1)]);
            let gy = 0.5 * f64::from(down[x] - up[x]);
            let e = m - f;
            s.w += w;
            s.gx += w * gx;
            s.gy += w * gy;
            s.e += w * e;
            s.gxx += w * gx * gx;
            s.gxy += w * gx * gy;
            s.gyy += w * gy * gy;
            s.gxe += w * gx * e;
            s.gye += w * gy * e;
            s.f += w * f;
            s.m += w * m;
            s.ff += w * f * f;
            s.mm += w * m * m;
            s.fm += w * f * m;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smooth_pattern(w: usize, h: usize, sx: f64, sy: f64) -> WorkImage {
        let mut data = vec![0.0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let (u, v) = (x as f64 - sx, y as f64 - sy);
                data[y * w + x] =
                    ((u * 0.31).sin() * (v * 0.23).cos() + (0.17 * u + 0.11 * v).sin()) as f32;
            }
        }
        WorkImage { w, h, data }
    }

    #[test]
    fn recovers_a_subpixel_shift() {
        let fixed = smooth_pattern(80, 60, 0.0, 0.0);
        let moving = smooth_pattern(80, 60, 0.37, -0.62);
        let weights = |_x: usize, _y: usize| 1.0f32;
        let patch = FixedPatch {
            img: &fixed,
            ox: 10,
            oy: 10,
            wx: 60,
            wy: 40,
            weights: &weights,
        };
        let r = refine_translation(&patch, &moving, [0.0, 0.0], 20);
        assert!((r.shift[0] - 0.37).abs() < 0.02, "{r:?}");
        assert!((r.shift[1] + 0.62).abs() < 0.02, "{r:?}");
        assert!(r.ncc > 0.99);
    }
}

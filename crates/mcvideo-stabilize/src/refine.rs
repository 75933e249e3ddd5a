//! Sub-pixel refinement of a translation by Gauss–Newton least squares (Lucas & Kanade 1981,
//! "An iterative image registration technique", translation-only, inverse-compositional
//! form of Baker & Matthews 2004: gradients are taken once on the fixed image).

use crate::preprocess::WorkImage;
use crate::sample::shifted_rows;

/// A fixed image with its central-difference gradients, computed once and shared.
pub(crate) struct Fixed<'a> {
    pub img: &'a WorkImage,
    gx: Vec<f32>,
    gy: Vec<f32>,
}

impl<'a> Fixed<'a> {
    pub fn new(img: &'a WorkImage) -> Self {
        let (w, h) = (img.w, img.h);
        let mut gx = vec![0.0f32; w * h];
        let mut gy = vec![0.0f32; w * h];
        for y in 0..h {
            let row = img.row(y);
            let up = img.row(y.saturating_sub(1));
            let down = img.row((y + 1).min(h - 1));
            for x in 0..w {
                gx[y * w + x] = 0.5 * (row[(x + 1).min(w - 1)] - row[x.saturating_sub(1)]);
                gy[y * w + x] = 0.5 * (down[x] - up[x]);
            }
        }
        Fixed { img, gx, gy }
    }
}

/// The pixels of the fixed image used: the rectangle [ox, ox+tx.len()) × [oy, oy+ty.len())
/// every `stride` pixels, weighted by tx[x]·ty[y].
pub(crate) struct Region<'a> {
    pub ox: usize,
    pub oy: usize,
    pub tx: &'a [f32],
    pub ty: &'a [f32],
    pub stride: usize,
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

/// Refines `start` so that moving(p + shift) ≈ fixed(p) + offset over the region.
pub(crate) fn refine_translation(
    fixed: &Fixed,
    region: &Region,
    moving: &WorkImage,
    start: [f64; 2],
    iterations: usize,
) -> Refined {
    let mut shift = start;
    let mut last_step = f64::INFINITY;
    for _ in 0..iterations {
        let acc = accumulate::<false>(fixed, region, moving, shift);
        let Some(step) = acc.gauss_newton_step() else {
            break;
        };
        // Never jump by more than 1 px per iteration: phase correlation already has the
        // integer part right, a large step means a flat or aliased patch.
        let len = step[0].hypot(step[1]);
        let scale = if len > 1.0 { 1.0 / len } else { 1.0 };
        shift[0] -= step[0] * scale;
        shift[1] -= step[1] * scale;
        last_step = len;
        if len < 5e-3 {
            break;
        }
    }
    let acc = accumulate::<true>(fixed, region, moving, shift);
    Refined {
        shift,
        ncc: acc.ncc(),
        last_step,
    }
}

#[derive(Default, Clone, Copy)]
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

/// One pass over the region: row-wise f32 partial sums (short rows), f64 totals. The
/// correlation sums are only needed for the final NCC (`WITH_NCC`).
fn accumulate<const WITH_NCC: bool>(
    fixed: &Fixed,
    region: &Region,
    moving: &WorkImage,
    shift: [f64; 2],
) -> Sums {
    let img = fixed.img;
    let stride = region.stride.max(1);
    let mut s = Sums::default();
    for (py, &wy) in region.ty.iter().enumerate().step_by(stride) {
        if wy <= 0.0 {
            continue;
        }
        let y = region.oy + py;
        let Some(rows) = shifted_rows(moving.w, moving.h, y, shift) else {
            continue;
        };
        let a = moving.row(rows.r0);
        let b = moving.row(rows.r1);
        // Fixed columns x = ox + px whose moving columns x + k, x + k + 1 are inside.
        let px_lo = rows.x_lo.saturating_sub(region.ox);
        let px_hi = rows.x_hi.saturating_sub(region.ox).min(region.tx.len());
        let mut r = [0.0f32; 14];
        let mut px = px_lo;
        while px < px_hi {
            let w = region.tx[px] * wy;
            let x = region.ox + px;
            let i = y * img.w + x;
            let j = (x as isize + rows.k) as usize;
            let m = rows.w00 * a[j] + rows.w01 * a[j + 1] + rows.w10 * b[j] + rows.w11 * b[j + 1];
            let f = img.data[i];
            let (gx, gy) = (fixed.gx[i], fixed.gy[i]);
            let e = m - f;
            let (wgx, wgy) = (w * gx, w * gy);
            r[0] += w;
            r[1] += wgx;
            r[2] += wgy;
            r[3] += w * e;
            r[4] += wgx * gx;
            r[5] += wgx * gy;
            r[6] += wgy * gy;
            r[7] += wgx * e;
            r[8] += wgy * e;
            if WITH_NCC {
                r[9] += w * f;
                r[10] += w * m;
                r[11] += w * f * f;
                r[12] += w * m * m;
                r[13] += w * f * m;
            }
            px += stride;
        }
        let r: [f64; 14] = r.map(f64::from);
        s.w += r[0];
        s.gx += r[1];
        s.gy += r[2];
        s.e += r[3];
        s.gxx += r[4];
        s.gxy += r[5];
        s.gyy += r[6];
        s.gxe += r[7];
        s.gye += r[8];
        s.f += r[9];
        s.m += r[10];
        s.ff += r[11];
        s.mm += r[12];
        s.fm += r[13];
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
        let fixed_img = smooth_pattern(80, 60, 0.0, 0.0);
        let moving = smooth_pattern(80, 60, 0.37, -0.62);
        let fixed = Fixed::new(&fixed_img);
        let (tx, ty) = (vec![1.0f32; 60], vec![1.0f32; 40]);
        for stride in [1, 2] {
            let region = Region {
                ox: 10,
                oy: 10,
                tx: &tx,
                ty: &ty,
                stride,
            };
            let r = refine_translation(&fixed, &region, &moving, [0.0, 0.0], 20);
            assert!((r.shift[0] - 0.37).abs() < 0.02, "{r:?}");
            assert!((r.shift[1] + 0.62).abs() < 0.02, "{r:?}");
            assert!(r.ncc > 0.99);
        }
    }
}

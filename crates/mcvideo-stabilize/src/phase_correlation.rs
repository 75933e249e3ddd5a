//! Windowed phase correlation of two patches with rustfft (plans made once, buffers reused).
//!
//! Method: Kuglin & Hines 1975, "The phase correlation image alignment method"; the cross
//! power spectrum is only partly whitened (|X|^-p, p < 1) because SDF frames are smooth and
//! their highest frequencies are mostly sensor noise, which pure phase correlation (p = 1)
//! would weight as much as the vessel outlines. The integer peak gets a parabolic
//! sub-pixel estimate; `refine` then polishes it by least squares.

use std::sync::Arc;

use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

use crate::preprocess::WorkImage;

/// Peak of a phase correlation surface.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Peak {
    /// Shift of the moving patch relative to the fixed one: content at u in the fixed
    /// patch lies at u + (dx, dy) in the moving patch.
    pub dx: f64,
    pub dy: f64,
    /// Peak height over the highest value outside its neighbourhood (≥ 1).
    pub ratio: f64,
}

/// FFT plans and taper for one patch size (wx × wy), shared by all threads.
pub(crate) struct Correlator {
    pub wx: usize,
    pub wy: usize,
    taper: Vec<f32>,
    whitening: f32,
    row_fwd: Arc<dyn Fft<f32>>,
    row_inv: Arc<dyn Fft<f32>>,
    col_fwd: Arc<dyn Fft<f32>>,
    col_inv: Arc<dyn Fft<f32>>,
}

/// Per-thread buffers for [`Correlator`].
pub(crate) struct Scratch {
    buf: Vec<Complex32>,
    tmp: Vec<Complex32>,
    fft: Vec<Complex32>,
}

impl Correlator {
    /// Plans FFTs for wx × wy patches with a Tukey taper of cosine fraction `taper_fraction`.
    pub fn new(wx: usize, wy: usize, taper_fraction: f64, whitening: f64) -> Self {
        let mut planner = FftPlanner::<f32>::new();
        let tx = tukey(wx, taper_fraction);
        let ty = tukey(wy, taper_fraction);
        let mut taper = Vec::with_capacity(wx * wy);
        for &vy in &ty {
            taper.extend(tx.iter().map(|&vx| vx * vy));
        }
        Correlator {
            wx,
            wy,
            taper,
            whitening: whitening as f32,
            row_fwd: planner.plan_fft_forward(wx),
            row_inv: planner.plan_fft_inverse(wx),
            col_fwd: planner.plan_fft_forward(wy),
            col_inv: planner.plan_fft_inverse(wy),
        }
    }

    pub fn scratch(&self) -> Scratch {
        let n = self.wx * self.wy;
        let scratch_len = [&self.row_fwd, &self.row_inv, &self.col_fwd, &self.col_inv]
            .iter()
            .map(|f| f.get_inplace_scratch_len())
            .max()
            .unwrap_or(0);
        Scratch {
            buf: vec![Complex32::default(); n],
            tmp: vec![Complex32::default(); n],
            fft: vec![Complex32::default(); scratch_len],
        }
    }

    /// Spectrum of the tapered, mean-free patch of `img` with top-left corner (ox, oy).
    pub fn spectrum(
        &self,
        img: &WorkImage,
        ox: usize,
        oy: usize,
        s: &mut Scratch,
    ) -> Vec<Complex32> {
        self.load_patch(img, ox, oy, &mut s.buf);
        self.fft2(s, false);
        s.buf.clone()
    }

    /// Phase correlation of the patch of `img` at (ox, oy) against a fixed patch spectrum.
    pub fn correlate(
        &self,
        fixed: &[Complex32],
        img: &WorkImage,
        ox: usize,
        oy: usize,
        s: &mut Scratch,
    ) -> Peak {
        self.load_patch(img, ox, oy, &mut s.buf);
        self.fft2(s, false);
        let p = self.whitening;
        // |X|^-p; p = 0.5 and p = 1 avoid powf, which would dominate this loop.
        let weight = |mag: f32| -> f32 {
            if p == 0.5 {
                1.0 / mag.sqrt()
            } else if p == 1.0 {
                1.0 / mag
            } else {
                mag.powf(-p)
            }
        };
        for (m, f) in s.buf.iter_mut().zip(fixed) {
            let c = *m * f.conj();
            let mag = c.norm();
            *m = if mag > 1e-20 {
                c * weight(mag)
            } else {
                Complex32::default()
            };
        }
        self.fft2(s, true);
        self.find_peak(&s.buf)
    }

    fn load_patch(&self, img: &WorkImage, ox: usize, oy: usize, out: &mut [Complex32]) {
        let mut sum = 0.0f64;
        for y in 0..self.wy {
            let row = &img.row(oy + y)[ox..ox + self.wx];
            sum += row.iter().map(|&v| f64::from(v)).sum::<f64>();
        }
        let mean = (sum / (self.wx * self.wy) as f64) as f32;
        for y in 0..self.wy {
            let row = &img.row(oy + y)[ox..ox + self.wx];
            let taper = &self.taper[y * self.wx..(y + 1) * self.wx];
            let o = &mut out[y * self.wx..(y + 1) * self.wx];
            for ((o, &v), &t) in o.iter_mut().zip(row).zip(taper) {
                *o = Complex32::new((v - mean) * t, 0.0);
            }
        }
    }

    /// 2-D FFT of `s.buf` in place: rows, transpose, columns, transpose back.
    fn fft2(&self, s: &mut Scratch, inverse: bool) {
        let (row, col) = if inverse {
            (&self.row_inv, &self.col_inv)
        } else {
            (&self.row_fwd, &self.col_fwd)
        };
        row.process_with_scratch(&mut s.buf, &mut s.fft);
        transpose(&s.buf, &mut s.tmp, self.wx, self.wy);
        col.process_with_scratch(&mut s.tmp, &mut s.fft);
        transpose(&s.tmp, &mut s.buf, self.wy, self.wx);
    }

    fn find_peak(&self, surface: &[Complex32]) -> Peak {
        let (wx, wy) = (self.wx, self.wy);
        let mut best = (0usize, f32::MIN);
        for (i, c) in surface.iter().enumerate() {
            if c.re > best.1 {
                best = (i, c.re);
            }
        }
        let (px, py) = (best.0 % wx, best.0 / wx);
        // Second highest value outside a 7×7 neighbourhood (wrapped distances).
        let radius = 3usize;
        let mut second = f32::MIN;
        for y in 0..wy {
            let dy = y.abs_diff(py).min(wy - y.abs_diff(py));
            for x in 0..wx {
                let dx = x.abs_diff(px).min(wx - x.abs_diff(px));
                if dx <= radius && dy <= radius {
                    continue;
                }
                second = second.max(surface[y * wx + x].re);
            }
        }
        let at = |x: isize, y: isize| {
            let xi = x.rem_euclid(wx as isize) as usize;
            let yi = y.rem_euclid(wy as isize) as usize;
            surface[yi * wx + xi].re
        };
        let (pxi, pyi) = (px as isize, py as isize);
        let c0 = at(pxi, pyi);
        let fx = parabolic(at(pxi - 1, pyi), c0, at(pxi + 1, pyi));
        let fy = parabolic(at(pxi, pyi - 1), c0, at(pxi, pyi + 1));
        let signed = |p: usize, n: usize| {
            if p > n / 2 {
                p as f64 - n as f64
            } else {
                p as f64
            }
        };
        let ratio = if second > 0.0 {
            f64::from(c0 / second)
        } else {
            f64::INFINITY
        };
        Peak {
            dx: signed(px, wx) + fx,
            dy: signed(py, wy) + fy,
            ratio,
        }
    }
}

/// Vertex offset of the parabola through (-1, a), (0, b), (1, c), clamped to ±0.5.
fn parabolic(a: f32, b: f32, c: f32) -> f64 {
    let denom = a - 2.0 * b + c;
    if denom.abs() < 1e-12 {
        return 0.0;
    }
    f64::from(0.5 * (a - c) / denom).clamp(-0.5, 0.5)
}

/// Tukey (tapered cosine) window of length n; `alpha` is the tapered fraction.
pub(crate) fn tukey(n: usize, alpha: f64) -> Vec<f32> {
    let alpha = alpha.clamp(0.0, 1.0);
    let edge = alpha * (n as f64 - 1.0) / 2.0;
    (0..n)
        .map(|i| {
            let d = (i as f64).min((n - 1 - i) as f64);
            if edge <= 0.0 || d >= edge {
                1.0
            } else {
                (0.5 * (1.0 - (std::f64::consts::PI * d / edge).cos())) as f32
            }
        })
        .collect()
}

fn transpose(src: &[Complex32], dst: &mut [Complex32], w: usize, h: usize) {
    // Blocked to stay in cache for 256×256 patches.
    const B: usize = 16;
    for by in (0..h).step_by(B) {
        for bx in (0..w).step_by(B) {
            for y in by..(by + B).min(h) {
                for x in bx..(bx + B).min(w) {
                    dst[x * h + y] = src[y * w + x];
                }
            }
        }
    }
}

/// Largest size ≤ n of the form 2^a·3^b (fast for rustfft), at least 8.
pub(crate) fn fft_friendly_at_most(n: usize) -> usize {
    let mut best = 8usize;
    let mut p2 = 1usize;
    while p2 <= n {
        let mut v = p2;
        while v <= n {
            best = best.max(v);
            v *= 3;
        }
        p2 *= 2;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob_image(w: usize, h: usize, cx: f64, cy: f64) -> WorkImage {
        let mut data = vec![0.0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let mut v = 0.0;
                for (k, (bx, by)) in [(0.0, 0.0), (7.0, -5.0), (-9.0, 4.0), (3.0, 11.0)]
                    .iter()
                    .enumerate()
                {
                    let dx = x as f64 - cx - bx;
                    let dy = y as f64 - cy - by;
                    v += (k as f64 + 1.0) * (-(dx * dx + dy * dy) / 8.0).exp();
                }
                data[y * w + x] = v as f32;
            }
        }
        WorkImage { w, h, data }
    }

    #[test]
    fn finds_integer_and_subpixel_shift() {
        let fixed = blob_image(64, 64, 30.0, 30.0);
        let moving = blob_image(64, 64, 35.0, 27.5);
        let c = Correlator::new(64, 64, 0.5, 0.7);
        let mut s = c.scratch();
        let spec = c.spectrum(&fixed, 0, 0, &mut s);
        let peak = c.correlate(&spec, &moving, 0, 0, &mut s);
        assert!((peak.dx - 5.0).abs() < 0.3, "{peak:?}");
        assert!((peak.dy + 2.5).abs() < 0.3, "{peak:?}");
        assert!(peak.ratio > 2.0, "{peak:?}");
    }

    #[test]
    fn friendly_sizes() {
        assert_eq!(fft_friendly_at_most(256), 256);
        assert_eq!(fft_friendly_at_most(250), 243);
        assert_eq!(fft_friendly_at_most(200), 192);
        assert_eq!(fft_friendly_at_most(100), 96);
    }

    #[test]
    fn tukey_is_one_in_the_middle_and_zero_at_the_ends() {
        let t = tukey(11, 0.5);
        assert_eq!(t[0], 0.0);
        assert_eq!(t[5], 1.0);
        assert_eq!(t[10], 0.0);
    }
}

//! Focus item (Massey 2013): good focus of small and large vessels, plasma gaps and red
//! cells visible (0); under half the field out of focus or vessel edges slightly blurred (1);
//! completely out of focus, no small vessel visible (10).
//!
//! Measure: ratio of the image energy in a fine difference-of-Gaussians band (red cells,
//! capillary edges) to that in the next coarser band (vessels), each with the energy that
//! sensor noise puts into the band removed. Defocus attenuates the fine band much more than
//! the coarse one; a contrast change scales both. Noise sigma by the robust (median) form
//! of Immerkær 1996, "Fast noise variance estimation", CVIU 64(2):300–302.

use image::GrayImage;
use mcvideo_frames::Frames;
use rayon::prelude::*;

use crate::{grade_at_least, Quality, QualityParams};

/// Focus of one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FocusMeasure {
    /// Noise-corrected fine/coarse band energy ratio (larger = sharper).
    pub ratio: f64,
    /// Estimated sensor noise sigma (grey levels).
    pub noise_sigma: f64,
    /// Fine-band energy before noise correction.
    pub fine_energy: f64,
    /// Coarse-band energy before noise correction.
    pub coarse_energy: f64,
}

/// Focus measure of `frame` with band sigmas `[s0, s1, s2]` (px).
///
/// ```
/// use image::{GrayImage, Luma};
/// use mcvideo_quality::focus_measure;
/// let sharp = GrayImage::from_fn(64, 64, |x, y| Luma([if (x / 4 + y / 4) % 2 == 0 { 60 } else { 180 }]));
/// let flat = GrayImage::from_pixel(64, 64, Luma([120]));
/// assert!(focus_measure(&sharp, [0.8, 1.6, 3.2]).ratio > 0.3);
/// assert_eq!(focus_measure(&flat, [0.8, 1.6, 3.2]).ratio, 0.0);
/// ```
pub fn focus_measure(frame: &GrayImage, sigmas: [f64; 3]) -> FocusMeasure {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let src: Vec<f32> = frame.as_raw().iter().map(|&v| f32::from(v)).collect();
    let kernels: Vec<Vec<f32>> = sigmas.iter().map(|&s| gaussian_kernel(s)).collect();
    let blurred: Vec<Vec<f32>> = kernels.iter().map(|k| blur(&src, w, h, k)).collect();
    let border = kernels[2].len() / 2;
    let mut fine = 0.0f64;
    let mut coarse = 0.0f64;
    let mut n = 0usize;
    for y in border..h.saturating_sub(border) {
        for x in border..w.saturating_sub(border) {
            let i = y * w + x;
            let a = f64::from(blurred[0][i] - blurred[1][i]);
            let b = f64::from(blurred[1][i] - blurred[2][i]);
            fine += a * a;
            coarse += b * b;
            n += 1;
        }
    }
    if n == 0 {
        return FocusMeasure {
            ratio: 0.0,
            noise_sigma: 0.0,
            fine_energy: 0.0,
            coarse_energy: 0.0,
        };
    }
    fine /= n as f64;
    coarse /= n as f64;
    let noise_sigma = noise_sigma(&src, w, h);
    let var = noise_sigma * noise_sigma;
    let fine_signal = (fine - var * dog_gain(&kernels[0], &kernels[1])).max(0.0);
    let coarse_signal = (coarse - var * dog_gain(&kernels[1], &kernels[2])).max(0.0);
    let ratio = if coarse_signal > 1e-6 {
        fine_signal / coarse_signal
    } else {
        0.0
    };
    FocusMeasure {
        ratio,
        noise_sigma,
        fine_energy: fine,
        coarse_energy: coarse,
    }
}

pub(crate) fn grade<F: Frames + ?Sized>(
    q: &mut Quality,
    frames: &F,
    sample: &[usize],
    params: &QualityParams,
) {
    let scale = if params.um_per_px > 0.0 {
        params.um_per_px
    } else {
        1.0
    };
    let sigmas = params.focus_sigmas_um.map(|s| s / scale);
    let measures: Vec<FocusMeasure> = sample
        .par_iter()
        .map(|&t| focus_measure(&frames.frame(t), sigmas))
        .collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            0.0
        } else {
            v[v.len() / 2]
        }
    };
    let ratio = median(measures.iter().map(|m| m.ratio).collect());
    q.measures.focus = ratio;
    q.measures.noise_sigma = median(measures.iter().map(|m| m.noise_sigma).collect());
    q.focus = grade_at_least(ratio, params.focus);
    q.flag(
        "focus",
        q.focus,
        format!(
            "sharpness {ratio:.2} (optimal >= {}, acceptable >= {})",
            params.focus[0], params.focus[1]
        ),
    );
}

fn gaussian_kernel(sigma: f64) -> Vec<f32> {
    let sigma = sigma.max(0.3);
    let r = (3.0 * sigma).ceil() as isize;
    let raw: Vec<f64> = (-r..=r)
        .map(|i| (-((i * i) as f64) / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|v| (v / sum) as f32).collect()
}

/// White-noise power gain of the 2-D kernel a⊗a − b⊗b (both odd, centred).
fn dog_gain(a: &[f32], b: &[f32]) -> f64 {
    let (ra, rb) = (a.len() / 2, b.len() / 2);
    let r = ra.max(rb);
    let pad = |k: &[f32], rk: usize| -> Vec<f64> {
        let mut v = vec![0.0f64; 2 * r + 1];
        for (i, &x) in k.iter().enumerate() {
            v[i + r - rk] = f64::from(x);
        }
        v
    };
    let (pa, pb) = (pad(a, ra), pad(b, rb));
    let dot = |u: &[f64], v: &[f64]| u.iter().zip(v).map(|(x, y)| x * y).sum::<f64>();
    let (aa, ab, bb) = (dot(&pa, &pa), dot(&pa, &pb), dot(&pb, &pb));
    aa * aa - 2.0 * ab * ab + bb * bb
}

/// Separable convolution with edge replication.
fn blur(src: &[f32], w: usize, h: usize, k: &[f32]) -> Vec<f32> {
    let r = k.len() / 2;
    let mut tmp = vec![0.0f32; w * h];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        for x in 0..w {
            let mut s = 0.0f32;
            for (j, &kv) in k.iter().enumerate() {
                let xi = (x + j).saturating_sub(r).min(w - 1);
                s += kv * row[xi];
            }
            tmp[y * w + x] = s;
        }
    }
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        let o = &mut out[y * w..(y + 1) * w];
        for (j, &kv) in k.iter().enumerate() {
            let yi = (y + j).saturating_sub(r).min(h - 1);
            let row = &tmp[yi * w..(yi + 1) * w];
            for (ov, &v) in o.iter_mut().zip(row) {
                *ov += kv * v;
            }
        }
    }
    out
}

/// Robust noise sigma: 1.4826·median|N∗I|/6 with Immerkær's mask N = [1 −2 1; −2 4 −2; 1 −2 1]
/// (‖N‖ = 6), insensitive to the minority of pixels on edges.
fn noise_sigma(src: &[f32], w: usize, h: usize) -> f64 {
    if w < 3 || h < 3 {
        return 0.0;
    }
    let mut values = Vec::with_capacity((w - 2) * (h - 2));
    for y in 1..h - 1 {
        let (a, b, c) = (
            &src[(y - 1) * w..y * w],
            &src[y * w..(y + 1) * w],
            &src[(y + 1) * w..(y + 2) * w],
        );
        for x in 1..w - 1 {
            let v = a[x - 1] - 2.0 * a[x] + a[x + 1] - 2.0 * (b[x - 1] - 2.0 * b[x] + b[x + 1])
                + c[x - 1]
                - 2.0 * c[x]
                + c[x + 1];
            values.push(v.abs());
        }
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    1.4826 * f64::from(*m) / 6.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn noise_estimate_matches_added_noise() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let img = GrayImage::from_fn(128, 128, |_, _| {
            image::Luma([(128.0 + rng.gen_range(-17.3..17.3f64)) as u8])
        });
        // Uniform on ±17.3 has sigma 10.
        let m = focus_measure(&img, [0.8, 1.6, 3.2]);
        assert!((m.noise_sigma - 10.0).abs() < 1.5, "{m:?}");
        // Pure noise has (almost) no signal left after the correction.
        assert!(m.ratio < 0.3, "{m:?}");
    }

    #[test]
    fn blur_lowers_the_ratio() {
        // Sparse dark dots (red cells) on a bright background.
        let sharp = GrayImage::from_fn(96, 96, |x, y| {
            let (dx, dy) = ((x % 16) as i32 - 8, (y % 16) as i32 - 8);
            image::Luma([if dx * dx + dy * dy <= 9 { 70 } else { 170 }])
        });
        let src: Vec<f32> = sharp.as_raw().iter().map(|&v| f32::from(v)).collect();
        let soft = blur(&src, 96, 96, &gaussian_kernel(2.0));
        let soft =
            GrayImage::from_raw(96, 96, soft.iter().map(|&v| v.round() as u8).collect()).unwrap();
        let a = focus_measure(&sharp, [0.8, 1.6, 3.2]).ratio;
        let b = focus_measure(&soft, [0.8, 1.6, 3.2]).ratio;
        assert!(a > 2.0 * b, "{a} vs {b}");
    }
}

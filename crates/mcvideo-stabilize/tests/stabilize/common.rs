//! Test clips with exactly known sub-pixel shifts: a smooth random tissue texture with dark
//! vessels and moving dark red cells, sampled bicubically at shifted positions, plus
//! sensor-fixed vignetting and Gaussian noise.

use image::{GrayImage, Luma};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

pub struct ClipSpec {
    pub width: u32,
    pub height: u32,
    pub shifts: Vec<[f64; 2]>,
    pub noise: f64,
    pub vignetting: f64,
    pub seed: u64,
    /// Red cells per vessel and their speed (px/frame).
    pub cells: usize,
    pub cell_speed: f64,
}

/// A canvas large enough for every shift, in scene coordinates offset by `margin`.
pub struct Scene {
    pub w: usize,
    pub h: usize,
    pub margin: f64,
    pub data: Vec<f32>,
    pub vessels: Vec<(f64, f64, f64, f64)>, // y0 (scene), slope, amplitude of wiggle, radius
}

pub fn scene(width: u32, height: u32, max_shift: f64, seed: u64) -> Scene {
    let margin = max_shift.ceil() + 8.0;
    let w = width as usize + 2 * margin as usize;
    let h = height as usize + 2 * margin as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut data: Vec<f32> = (0..w * h).map(|_| rng.gen_range(-1.0f32..1.0)).collect();
    // Smooth the white noise three times with a 5x5 box (≈ Gaussian sigma 2.5).
    for _ in 0..3 {
        data = box5(&data, w, h);
    }
    let sd = (data.iter().map(|v| v * v).sum::<f32>() / data.len() as f32).sqrt();
    for v in &mut data {
        *v = 160.0 + 22.0 * *v / sd;
    }
    let vessels: Vec<(f64, f64, f64, f64)> = (0..4)
        .map(|k| {
            let y0 = (k as f64 + 0.5) * h as f64 / 4.0 + rng.gen_range(-5.0..5.0);
            (
                y0,
                rng.gen_range(-0.2..0.2),
                rng.gen_range(2.0..8.0),
                rng.gen_range(2.0..6.0),
            )
        })
        .collect();
    for y in 0..h {
        for x in 0..w {
            let mut v = data[y * w + x] as f64;
            for &(y0, slope, amp, r) in &vessels {
                let d = y as f64 - (y0 + slope * x as f64 + amp * (0.05 * x as f64).sin());
                v -= 70.0 * (-(d * d) / (2.0 * r * r)).exp();
            }
            data[y * w + x] = v as f32;
        }
    }
    Scene {
        w,
        h,
        margin,
        data,
        vessels,
    }
}

fn box5(src: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut tmp = vec![0.0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut s = 0.0;
            for dx in -2isize..=2 {
                let xi = (x as isize + dx).clamp(0, w as isize - 1) as usize;
                s += src[y * w + xi];
            }
            tmp[y * w + x] = s / 5.0;
        }
    }
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut s = 0.0;
            for dy in -2isize..=2 {
                let yi = (y as isize + dy).clamp(0, h as isize - 1) as usize;
                s += tmp[yi * w + x];
            }
            out[y * w + x] = s / 5.0;
        }
    }
    out
}

fn cubic(t: f64) -> [f64; 4] {
    // Catmull-Rom weights for offsets -1, 0, 1, 2.
    let t2 = t * t;
    let t3 = t2 * t;
    [
        0.5 * (-t3 + 2.0 * t2 - t),
        0.5 * (3.0 * t3 - 5.0 * t2 + 2.0),
        0.5 * (-3.0 * t3 + 4.0 * t2 + t),
        0.5 * (t3 - t2),
    ]
}

impl Scene {
    /// Bicubic sample at scene coordinates (x, y) (reference pixel x = scene x).
    pub fn sample(&self, x: f64, y: f64) -> f64 {
        let (x, y) = (x + self.margin, y + self.margin);
        let (xf, yf) = (x.floor(), y.floor());
        let (wx, wy) = (cubic(x - xf), cubic(y - yf));
        let mut v = 0.0;
        for (j, wyj) in wy.iter().enumerate() {
            let yi = (yf as isize + j as isize - 1).clamp(0, self.h as isize - 1) as usize;
            for (i, wxi) in wx.iter().enumerate() {
                let xi = (xf as isize + i as isize - 1).clamp(0, self.w as isize - 1) as usize;
                v += wyj * wxi * self.data[yi * self.w + xi] as f64;
            }
        }
        v
    }
}

/// Renders the clip: frame t at q shows the scene at q − shift[t].
pub fn render(spec: &ClipSpec) -> Vec<GrayImage> {
    let max_shift = spec
        .shifts
        .iter()
        .map(|s| s[0].abs().max(s[1].abs()))
        .fold(0.0, f64::max);
    let scene = scene(spec.width, spec.height, max_shift, spec.seed);
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ 0x5eed);
    let normal = Normal::new(0.0, spec.noise.max(1e-9)).unwrap();
    let (cw, ch) = (spec.width as f64 / 2.0, spec.height as f64 / 2.0);
    let cell_phase: Vec<f64> = (0..scene.vessels.len() * spec.cells)
        .map(|_| rng.gen_range(0.0..1.0))
        .collect();
    spec.shifts
        .iter()
        .enumerate()
        .map(|(t, s)| {
            // Cells in scene coordinates at this time.
            let mut cells = Vec::new();
            for (k, &(y0, slope, amp, r)) in scene.vessels.iter().enumerate() {
                for c in 0..spec.cells {
                    let span = scene.w as f64;
                    let x = (cell_phase[k * spec.cells + c] * span + spec.cell_speed * t as f64)
                        .rem_euclid(span);
                    let y = y0 + slope * x + amp * (0.05 * x).sin();
                    cells.push((x - scene.margin, y - scene.margin, r.max(2.0)));
                }
            }
            GrayImage::from_fn(spec.width, spec.height, |x, y| {
                let (sx, sy) = (x as f64 - s[0], y as f64 - s[1]);
                let mut v = scene.sample(sx, sy);
                for &(cx, cy, r) in &cells {
                    let d2 = (sx - cx).powi(2) + (sy - cy).powi(2);
                    if d2 < 16.0 * r * r {
                        v -= 40.0 * (-d2 / (r * r)).exp();
                    }
                }
                let rr = ((x as f64 - cw).powi(2) + (y as f64 - ch).powi(2)) / (cw * cw + ch * ch);
                v *= 1.0 - spec.vignetting * rr;
                if spec.noise > 0.0 {
                    v += normal.sample(&mut rng);
                }
                Luma([v.round().clamp(0.0, 255.0) as u8])
            })
        })
        .collect()
}

/// Random shifts: smooth wander plus jitter, within ±`max` px.
pub fn random_shifts(frames: usize, max: f64, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (fx, fy) = (rng.gen_range(0.05..0.2), rng.gen_range(0.05..0.2));
    (0..frames)
        .map(|t| {
            let t = t as f64;
            [
                (0.8 * max * (fx * t).sin() + rng.gen_range(-0.2..0.2) * max).clamp(-max, max),
                (0.8 * max * (fy * t + 1.0).cos() + rng.gen_range(-0.2..0.2) * max)
                    .clamp(-max, max),
            ]
        })
        .collect()
}

/// RMS of (estimate − (truth − truth[ref])) over the given frames.
pub fn shift_error_rms(
    est: &[[f64; 2]],
    truth: &[[f64; 2]],
    reference: usize,
    frames: impl Iterator<Item = usize>,
) -> f64 {
    let r = truth[reference];
    let mut sum = 0.0;
    let mut n = 0;
    for t in frames {
        let ex = est[t][0] - (truth[t][0] - r[0]);
        let ey = est[t][1] - (truth[t][1] - r[1]);
        sum += ex * ex + ey * ey;
        n += 1;
    }
    (sum / n.max(1) as f64).sqrt()
}

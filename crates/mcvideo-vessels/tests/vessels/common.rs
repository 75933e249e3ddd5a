//! Test renderer: dark tubes of known centerline and diameter on a textured, unevenly lit
//! background with noise, as a temporal mean image would show them.

use mcvideo_testkit::evaluate::TrueVessel;
use mcvideo_vessels::gaussian::gaussian_blur;
use mcvideo_vessels::polyline::distance_to;
use mcvideo_vessels::FloatImage;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// A rendered tube.
pub struct Tube {
    pub points: Vec<[f64; 2]>,
    pub diameter_px: f64,
    /// Relative darkness of the lumen centre (0.2 = 20 % darker).
    pub contrast: f64,
}

/// Renders tubes (antialiased edges), multiplies by uneven light with texture, adds optical
/// blur and Gaussian noise (standard deviation in grey levels).
pub fn render(
    width: u32,
    height: u32,
    tubes: &[Tube],
    blur_px: f32,
    noise: f64,
    seed: u64,
) -> FloatImage {
    let (w, h) = (width as usize, height as usize);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Texture: a few random low-frequency waves.
    let waves: Vec<(f64, f64, f64, f64)> = (0..6)
        .map(|_| {
            (
                rng.gen_range(0.02..0.12),
                rng.gen_range(0.0..std::f64::consts::TAU),
                rng.gen_range(0.0..std::f64::consts::TAU),
                rng.gen_range(0.5..2.0),
            )
        })
        .collect();
    let mut transmit = vec![1.0f64; w * h];
    for tube in tubes {
        let r = 0.5 * tube.diameter_px;
        let mut dist = vec![f64::INFINITY; w * h];
        for seg in tube.points.windows(2) {
            let x0 = (seg[0][0].min(seg[1][0]) - r - 2.0).floor().max(0.0) as usize;
            let x1 = ((seg[0][0].max(seg[1][0]) + r + 2.0).ceil().max(0.0) as usize).min(w - 1);
            let y0 = (seg[0][1].min(seg[1][1]) - r - 2.0).floor().max(0.0) as usize;
            let y1 = ((seg[0][1].max(seg[1][1]) + r + 2.0).ceil().max(0.0) as usize).min(h - 1);
            for y in y0..=y1 {
                for x in x0..=x1 {
                    let d = distance_to([x as f64, y as f64], seg);
                    let cell = &mut dist[y * w + x];
                    *cell = cell.min(d);
                }
            }
        }
        for (t, d) in transmit.iter_mut().zip(&dist) {
            let cover = (r - d + 0.5).clamp(0.0, 1.0);
            *t *= 1.0 - tube.contrast * cover;
        }
    }
    let mut plane: Vec<f32> = (0..w * h)
        .map(|i| {
            let (x, y) = ((i % w) as f64, (i / w) as f64);
            let (cx, cy) = (x / w as f64 - 0.5, y / h as f64 - 0.5);
            let light = 190.0 * (1.0 - 0.5 * (cx * cx + cy * cy)) + 25.0 * cx;
            let texture: f64 = waves
                .iter()
                .map(|&(f, a, b, amp)| amp * (f * x * a.cos() + f * y * a.sin() + b).sin())
                .sum();
            ((light + texture) * transmit[i]) as f32
        })
        .collect();
    if blur_px > 0.0 {
        let mut tmp = vec![0.0; w * h];
        let src = plane.clone();
        gaussian_blur(&src, w, h, blur_px, &mut tmp, &mut plane);
    }
    let normal = Normal::new(0.0, noise.max(1e-9)).expect("finite noise");
    for v in plane.iter_mut() {
        *v += normal.sample(&mut rng) as f32;
    }
    FloatImage::from_raw(width, height, plane).expect("buffer matches size")
}

/// A smooth random curve across the image.
pub fn random_curve(rng: &mut ChaCha8Rng, width: f64, height: f64) -> Vec<[f64; 2]> {
    let start = [rng.gen_range(0.0..width), rng.gen_range(0.0..height)];
    let mut angle: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
    let mut turn: f64 = 0.0;
    let mut p = start;
    let mut points = vec![p];
    for _ in 0..400 {
        turn = 0.9 * turn + rng.gen_range(-0.01..0.01);
        angle += turn;
        p = [p[0] + angle.cos(), p[1] + angle.sin()];
        if p[0] < -5.0 || p[1] < -5.0 || p[0] > width + 5.0 || p[1] > height + 5.0 {
            break;
        }
        points.push(p);
    }
    points
}

/// Truth for the evaluator.
pub fn truth_of(tubes: &[Tube]) -> Vec<TrueVessel> {
    tubes
        .iter()
        .map(|t| TrueVessel {
            centerline_px: t.points.clone(),
            diameter_px: t.diameter_px,
        })
        .collect()
}

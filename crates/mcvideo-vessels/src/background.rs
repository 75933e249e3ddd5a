//! Background correction: grey-level closing (black top-hat) and division by the smoothed
//! background, so dark vessels become positive relative contrast on a flat zero background.

use crate::gaussian::gaussian_blur;
use rayon::prelude::*;

/// Running max (or min) over a window of `2 radius + 1` samples, edge-replicated, in O(1)
/// per sample (van Herk 1992, Pattern Recogn Lett 13:517; Gil & Werman 1993).
fn running_extreme(
    row: &[f32],
    out: &mut [f32],
    radius: usize,
    take_max: bool,
    g: &mut [f32],
    h: &mut [f32],
) {
    let n = row.len();
    let k = 2 * radius + 1;
    let len = n + 2 * radius;
    let pick = |a: f32, b: f32| if take_max { a.max(b) } else { a.min(b) };
    let at = |i: usize| row[i.saturating_sub(radius).min(n - 1)];
    for i in 0..len {
        let v = at(i);
        g[i] = if i % k == 0 { v } else { pick(g[i - 1], v) };
    }
    for i in (0..len).rev() {
        let v = at(i);
        h[i] = if i + 1 == len || (i + 1) % k == 0 {
            v
        } else {
            pick(h[i + 1], v)
        };
    }
    for (x, o) in out.iter_mut().enumerate() {
        *o = pick(h[x], g[x + k - 1]);
    }
}

fn filter_rows(src: &[f32], dst: &mut [f32], width: usize, radius: usize, take_max: bool) {
    let len = width + 2 * radius;
    dst.par_chunks_mut(width)
        .zip(src.par_chunks(width))
        .for_each_init(
            || (vec![0.0f32; len], vec![0.0f32; len]),
            |(g, h), (out, row)| running_extreme(row, out, radius, take_max, g, h),
        );
}

fn transpose(src: &[f32], dst: &mut [f32], width: usize, height: usize) {
    dst.par_chunks_mut(height).enumerate().for_each(|(x, col)| {
        for (y, c) in col.iter_mut().enumerate() {
            *c = src[y * width + x];
        }
    });
}

/// Grey-level closing with a square of side `2 radius + 1` (dilation then erosion): fills
/// dark structures narrower than the square, leaving the bright background.
///
/// ```
/// use mcvideo_vessels::background::closing;
/// // A dark 2-px column on a bright 8x4 background is filled by a 5-px square.
/// let mut img = vec![100.0f32; 32];
/// for y in 0..4 { img[y * 8 + 3] = 10.0; img[y * 8 + 4] = 10.0; }
/// assert_eq!(closing(&img, 8, 4, 2), vec![100.0f32; 32]);
/// ```
pub fn closing(src: &[f32], width: usize, height: usize, radius: usize) -> Vec<f32> {
    let mut a = vec![0.0f32; src.len()];
    let mut b = vec![0.0f32; src.len()];
    filter_rows(src, &mut a, width, radius, true);
    transpose(&a, &mut b, width, height);
    filter_rows(&b, &mut a, height, radius, true);
    filter_rows(&a, &mut b, height, radius, false);
    transpose(&b, &mut a, height, width);
    filter_rows(&a, &mut b, width, radius, false);
    b
}

/// Relative darkness `(B - I) / B`, where `B` is the closing of `I` with a square wider than
/// the widest vessel (`radius`), smoothed by a Gaussian of `radius / 2`. Vessels are positive
/// (0.1 = 10 % darker than the local background); vignetting and uneven light cancel.
///
/// ```
/// use mcvideo_vessels::background::relative_contrast;
/// let mut img = vec![200.0f32; 400];
/// for y in 0..20 { img[y * 20 + 10] = 150.0; }
/// let c = relative_contrast(&img, 20, 20, 4);
/// assert!((c[10 * 20 + 10] - 0.25).abs() < 0.01);
/// assert!(c[10 * 20 + 2].abs() < 0.01);
/// ```
pub fn relative_contrast(src: &[f32], width: usize, height: usize, radius: usize) -> Vec<f32> {
    let closed = closing(src, width, height, radius);
    let sigma = (radius as f32 * 0.5).max(1.0);
    // Point-reflected padding (f(-k) = 2 f(0) - f(k)) keeps a sloped background, such as
    // vignetting falling off towards the border, exactly linear through the blur, where
    // clamped edges would overestimate it and draw a false dark band along the border.
    let pad = ((3.0 * sigma).ceil() as usize)
        .min(width - 1)
        .min(height - 1);
    let (pw, ph) = (width + 2 * pad, height + 2 * pad);
    let reflect = |i: i64, n: usize| -> (usize, usize, bool) {
        // (sample index, mirror anchor, whether reflected)
        if i < 0 {
            ((-i) as usize, 0, true)
        } else if i >= n as i64 {
            (2 * (n - 1) - i as usize, n - 1, true)
        } else {
            (i as usize, i as usize, false)
        }
    };
    let mut padded = vec![0.0f32; pw * ph];
    padded.par_chunks_mut(pw).enumerate().for_each(|(py, row)| {
        let (sy, ay, ry) = reflect(py as i64 - pad as i64, height);
        for (px, out) in row.iter_mut().enumerate() {
            let (sx, ax, rx) = reflect(px as i64 - pad as i64, width);
            // Reflect in x, then in y, each through its anchor.
            let value_at = |y: usize| {
                let v = closed[y * width + sx];
                if rx {
                    2.0 * closed[y * width + ax] - v
                } else {
                    v
                }
            };
            let v = value_at(sy);
            *out = if ry { 2.0 * value_at(ay) - v } else { v };
        }
    });
    let mut tmp = vec![0.0f32; pw * ph];
    let mut smooth = vec![0.0f32; pw * ph];
    gaussian_blur(&padded, pw, ph, sigma, &mut tmp, &mut smooth);
    let mut contrast = vec![0.0f32; width * height];
    contrast
        .par_chunks_mut(width)
        .enumerate()
        .for_each(|(y, row)| {
            let background = &smooth[(y + pad) * pw + pad..(y + pad) * pw + pad + width];
            let image = &src[y * width..(y + 1) * width];
            for ((c, &b), &i) in row.iter_mut().zip(background).zip(image) {
                let bg = b.max(1e-3);
                *c = (bg - i) / bg;
            }
        });
    contrast
}

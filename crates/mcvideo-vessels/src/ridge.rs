//! Multiscale Hessian ridge detection of bright lines in the contrast image: Steger's line
//! model (Steger C. An unbiased detector of curvilinear structures. IEEE PAMI
//! 1998;20(2):113-125) with Frangi's blob suppression (Frangi AF et al. Multiscale vessel
//! enhancement filtering. MICCAI 1998, LNCS 1496:130-137) and scale-normalized responses.

use crate::gaussian::gaussian_blur;
use rayon::prelude::*;

/// Best-scale ridge description of every pixel.
#[derive(Debug, Clone)]
pub struct RidgeMap {
    pub width: usize,
    pub height: usize,
    /// Scale-normalized line strength `sigma^2 * (-lambda_1)` times the blob term, at the
    /// selected scale; for a bar of relative contrast `h` it peaks near `0.48 h` whatever the
    /// width.
    pub strength: Vec<f32>,
    /// Strength over the background response of its scale (the median positive strength of that
    /// scale over the image): a signal-to-clutter ratio. The scale is selected by this score, so tissue
    /// texture, which responds most at coarse scales, raises the bar for wide vessels only.
    pub score: Vec<f32>,
    /// Clutter level of each scale (median positive strength, floored), by scale.
    pub background: Vec<f32>,
    /// The scale (Gaussian sigma, px) of the strongest response.
    pub sigma: Vec<f32>,
    /// Unit normal across the line at that scale.
    pub normal: Vec<[f32; 2]>,
    /// Sub-pixel offset from the pixel centre to the line centre along the normal (Steger's
    /// second-order Taylor step `t n`).
    pub offset: Vec<[f32; 2]>,
}

/// Scales (Gaussian sigma in px) covering bar widths `min_width_px..=max_width_px`: a bar of
/// width `w` responds best at `sigma = w / 2` under sigma^2 normalization. Geometric steps of
/// `ratio`.
///
/// ```
/// let s = mcvideo_vessels::ridge::scales_for_widths(4.0, 16.0, 2.0);
/// assert_eq!(s, vec![2.0, 4.0, 8.0]);
/// ```
pub fn scales_for_widths(min_width_px: f64, max_width_px: f64, ratio: f64) -> Vec<f32> {
    let lo = (min_width_px / 2.0).max(0.7);
    let hi = (max_width_px / 2.0).max(lo);
    let steps = ((hi / lo).ln() / ratio.ln()).ceil().max(0.0) as usize;
    let step = if steps == 0 {
        1.0
    } else {
        (hi / lo).powf(1.0 / steps as f64)
    };
    (0..=steps)
        .map(|i| (lo * step.powi(i as i32)) as f32)
        .collect()
}

/// Line response of one pixel from smoothed neighbours: (strength, normal, offset).
#[inline]
fn pixel_response(
    up: &[f32],
    mid: &[f32],
    down: &[f32],
    x: usize,
    sigma2: f32,
    inv_two_beta2: f32,
) -> Option<(f32, [f32; 2], [f32; 2])> {
    let w = mid.len();
    let (l, r) = (x.saturating_sub(1), (x + 1).min(w - 1));
    let c = mid[x];
    let rxx = mid[r] - 2.0 * c + mid[l];
    let ryy = down[x] - 2.0 * c + up[x];
    // Negative second derivative across the line is required; cheap reject first.
    if rxx + ryy >= 0.0 {
        return None;
    }
    let rxy = 0.25 * (down[r] - down[l] - up[r] + up[l]);
    let gx = 0.5 * (mid[r] - mid[l]);
    let gy = 0.5 * (down[x] - up[x]);
    let mean = 0.5 * (rxx + ryy);
    let dev = (0.25 * (rxx - ryy) * (rxx - ryy) + rxy * rxy).sqrt();
    let l1 = mean - dev; // most negative: across the line
    let l2 = mean + dev; // along the line
    if l1 >= 0.0 {
        return None;
    }
    // Eigenvector of l1; pick the better-conditioned of the two forms.
    let (a, b) = (rxy, l1 - rxx);
    let (c2, d2) = (l1 - ryy, rxy);
    let (mut nx, mut ny) = if a * a + b * b >= c2 * c2 + d2 * d2 {
        (a, b)
    } else {
        (c2, d2)
    };
    let norm = (nx * nx + ny * ny).sqrt();
    if norm <= 0.0 {
        // Axis-aligned with rxy = 0: the normal is the axis with the more negative curvature.
        if rxx <= ryy {
            (nx, ny) = (1.0, 0.0);
        } else {
            (nx, ny) = (0.0, 1.0);
        }
    } else {
        nx /= norm;
        ny /= norm;
    }
    let ratio = l2 / l1;
    let blob = (-ratio * ratio * inv_two_beta2).exp();
    let strength = sigma2 * (-l1) * blob;
    let t = -(gx * nx + gy * ny) / l1;
    Some((strength, [nx, ny], [t * nx, t * ny]))
}

/// Median of every `stride`-th positive value: the clutter level of one scale (about half
/// the pixels curve the wrong way and respond 0; most of the rest is tissue texture).
fn clutter_level(values: &[f32], stride: usize) -> f32 {
    let mut sample: Vec<f32> = values
        .iter()
        .step_by(stride)
        .copied()
        .filter(|&v| v > 0.0)
        .collect();
    if sample.is_empty() {
        return 0.0;
    }
    let mid = sample.len() / 2;
    *sample.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// Runs every scale over the contrast plane and keeps, per pixel, the scale of the highest
/// score (strength over that scale's clutter level, floored at `min_background`). `beta` is
/// Frangi's blob sensitivity (larger = weaker blob suppression).
///
/// ```
/// use mcvideo_vessels::ridge::ridge_map;
/// // A vertical bright bar 4 px wide at x = 10..13 (centre 11.5).
/// let (w, h) = (24, 16);
/// let img: Vec<f32> = (0..w * h).map(|i| if (10..14).contains(&(i % w)) { 0.2 } else { 0.0 }).collect();
/// // A clutter floor above every scale's level makes the score proportional to the strength.
/// let map = ridge_map(&img, w, h, &[1.0, 2.0, 4.0], 0.5, 1.0);
/// let p = 8 * w + 11;
/// assert_eq!(map.sigma[p], 2.0);
/// assert!((11.0 + map.offset[p][0] - 11.5).abs() < 0.05);
/// assert!((map.strength[p] - 0.097).abs() < 0.01);
/// ```
pub fn ridge_map(
    contrast: &[f32],
    width: usize,
    height: usize,
    scales: &[f32],
    beta: f32,
    min_background: f32,
) -> RidgeMap {
    let n = width * height;
    let mut map = RidgeMap {
        width,
        height,
        strength: vec![0.0; n],
        score: vec![0.0; n],
        background: Vec::with_capacity(scales.len()),
        sigma: vec![0.0; n],
        normal: vec![[0.0; 2]; n],
        offset: vec![[0.0; 2]; n],
    };
    let mut tmp = vec![0.0f32; n];
    let mut smooth = vec![0.0f32; n];
    // Per-scale response: strength, normal, offset.
    let mut scale_strength = vec![0.0f32; n];
    let mut scale_normal = vec![[0.0f32; 2]; n];
    let mut scale_offset = vec![[0.0f32; 2]; n];
    let inv_two_beta2 = 1.0 / (2.0 * beta * beta);
    let mut previous = contrast.to_vec();
    let mut previous_sigma = 0.0f32;
    for &sigma in scales {
        // Cascade: G(s1) * G(sqrt(s2^2 - s1^2)) = G(s2), with shorter kernels each step.
        let step = (sigma * sigma - previous_sigma * previous_sigma)
            .max(0.0)
            .sqrt();
        if step > 0.0 {
            gaussian_blur(&previous, width, height, step, &mut tmp, &mut smooth);
            std::mem::swap(&mut previous, &mut smooth);
        }
        previous_sigma = sigma;
        let smooth = &previous;
        let sigma2 = sigma * sigma;
        scale_strength
            .par_chunks_mut(width)
            .zip(scale_normal.par_chunks_mut(width))
            .zip(scale_offset.par_chunks_mut(width))
            .enumerate()
            .for_each(|(y, ((strength, normal), offset))| {
                let row = |yy: usize| &smooth[yy * width..(yy + 1) * width];
                let up = row(y.saturating_sub(1));
                let mid = row(y);
                let down = row((y + 1).min(height - 1));
                for x in 0..width {
                    match pixel_response(up, mid, down, x, sigma2, inv_two_beta2) {
                        Some((s, nrm, off)) => {
                            strength[x] = s;
                            normal[x] = nrm;
                            offset[x] = off;
                        }
                        None => strength[x] = 0.0,
                    }
                }
            });
        let level = clutter_level(&scale_strength, 3).max(min_background);
        map.background.push(level);
        let inv = 1.0 / level;
        map.score
            .par_chunks_mut(width)
            .zip(map.strength.par_chunks_mut(width))
            .zip(map.sigma.par_chunks_mut(width))
            .zip(map.normal.par_chunks_mut(width))
            .zip(map.offset.par_chunks_mut(width))
            .enumerate()
            .for_each(|(y, ((((score, strength), sig), normal), offset))| {
                let row = y * width..(y + 1) * width;
                let (s_in, n_in, o_in) = (
                    &scale_strength[row.clone()],
                    &scale_normal[row.clone()],
                    &scale_offset[row],
                );
                for x in 0..width {
                    let sc = s_in[x] * inv;
                    if sc > score[x] {
                        score[x] = sc;
                        strength[x] = s_in[x];
                        sig[x] = sigma;
                        normal[x] = n_in[x];
                        offset[x] = o_in[x];
                    }
                }
            });
    }
    map
}

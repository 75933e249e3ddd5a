//! Separable Gaussian smoothing of f32 planes: row slices, rayon over rows, edge-clamped.

use rayon::prelude::*;

/// Normalized Gaussian kernel of standard deviation `sigma`, radius `ceil(3 sigma)`.
///
/// ```
/// let k = mcvideo_vessels::gaussian::gaussian_kernel(1.0);
/// assert_eq!(k.len(), 7);
/// assert!((k.iter().sum::<f32>() - 1.0).abs() < 1e-6);
/// ```
pub fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let sigma = sigma.max(0.1);
    let radius = (3.0 * sigma).ceil() as i64;
    let mut kernel: Vec<f32> = (-radius..=radius)
        .map(|i| (-0.5 * (i as f32 / sigma).powi(2)).exp())
        .collect();
    let sum: f32 = kernel.iter().sum();
    kernel.iter_mut().for_each(|v| *v /= sum);
    kernel
}

/// Horizontal convolution of every row of `src` (`width` × `height`, row-major) into `dst`.
fn convolve_rows(src: &[f32], dst: &mut [f32], width: usize, kernel: &[f32]) {
    let radius = kernel.len() / 2;
    dst.par_chunks_mut(width)
        .zip(src.par_chunks(width))
        .for_each_init(
            || vec![0.0f32; width + 2 * radius],
            |padded, (out, row)| {
                // Edge-clamped copy so the inner loop has no bounds logic and vectorizes.
                let (first, last) = (row[0], row[width - 1]);
                padded[..radius].fill(first);
                padded[radius..radius + width].copy_from_slice(row);
                padded[radius + width..].fill(last);
                out.fill(0.0);
                for (k, &c) in kernel.iter().enumerate() {
                    for (o, p) in out.iter_mut().zip(&padded[k..k + width]) {
                        *o += c * p;
                    }
                }
            },
        );
}

/// Vertical convolution: each output row is a weighted sum of whole input rows.
fn convolve_cols(src: &[f32], dst: &mut [f32], width: usize, height: usize, kernel: &[f32]) {
    let radius = kernel.len() as i64 / 2;
    dst.par_chunks_mut(width).enumerate().for_each(|(y, out)| {
        out.fill(0.0);
        for (k, &c) in kernel.iter().enumerate() {
            let yy = (y as i64 + k as i64 - radius).clamp(0, height as i64 - 1) as usize;
            let row = &src[yy * width..(yy + 1) * width];
            for (o, p) in out.iter_mut().zip(row) {
                *o += c * p;
            }
        }
    });
}

/// Gaussian blur of a `width` × `height` plane; `tmp` is a scratch buffer of the same size.
///
/// ```
/// use mcvideo_vessels::gaussian::gaussian_blur;
/// let src = vec![2.0f32; 20];
/// let (mut tmp, mut out) = (vec![0.0; 20], vec![0.0; 20]);
/// gaussian_blur(&src, 5, 4, 1.5, &mut tmp, &mut out);
/// assert!(out.iter().all(|v| (v - 2.0).abs() < 1e-5));
/// ```
pub fn gaussian_blur(
    src: &[f32],
    width: usize,
    height: usize,
    sigma: f32,
    tmp: &mut [f32],
    out: &mut [f32],
) {
    let kernel = gaussian_kernel(sigma);
    convolve_rows(src, tmp, width, &kernel);
    convolve_cols(tmp, out, width, height, &kernel);
}

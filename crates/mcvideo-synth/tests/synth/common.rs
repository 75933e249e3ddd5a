//! Helpers shared by the synth crate's integration tests.

use image::GrayImage;
use std::ops::RangeInclusive;

/// The noise model's two coefficients, fitted from a clip rendered with and without noise:
/// the least squares of (noisy − clean)² on [1, I] over the pixels whose clean grey level
/// lies in `levels` (unsaturated), giving (read variance, shot coefficient) of
/// `variance = read² + shot · I`.
pub fn noise_variance_fit(
    noisy: &[GrayImage],
    clean: &[GrayImage],
    levels: RangeInclusive<u8>,
) -> (f64, f64) {
    let (mut s1, mut si, mut sii, mut sy, mut siy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (n, c) in noisy.iter().zip(clean) {
        for (&a, &b) in n.as_raw().iter().zip(c.as_raw()) {
            if !levels.contains(&b) || a == 255 || a == 0 {
                continue;
            }
            let i = f64::from(b);
            let y = (f64::from(a) - i).powi(2);
            s1 += 1.0;
            si += i;
            sii += i * i;
            sy += y;
            siy += i * y;
        }
    }
    let det = s1 * sii - si * si;
    ((sii * sy - si * siy) / det, (s1 * siy - si * sy) / det)
}

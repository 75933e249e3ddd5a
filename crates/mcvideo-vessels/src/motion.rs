//! Flow evidence from the temporal standard deviation: red cells moving through a lumen
//! modulate its brightness from frame to frame, static tissue texture does not. Used to
//! confirm faint ridges of the mean image that lie on moving cells (Dobbe et al. 2008,
//! Med Biol Eng Comput 46:659, use the same cue to separate perfused vessels from
//! background).

use crate::gaussian::gaussian_blur;
use crate::median;

/// `std / mean` per pixel, a mean below 1 grey level counting as 1.
fn modulation_ratio(mean: &[f32], std: &[f32]) -> Vec<f32> {
    mean.iter()
        .zip(std)
        .map(|(&m, &s)| s / m.max(1.0))
        .collect()
}

/// Relative temporal modulation `std / mean` per pixel, less its median over the image (the
/// noise floor of static tissue), so that static tissue sits near 0 and a lumen with moving
/// cells is positive. Pixels darker than 1 grey level count as 1 (no division blow-up).
///
/// ```
/// use mcvideo_vessels::motion::relative_modulation;
/// let mean = [128.0f32, 128.0, 128.0, 64.0, 0.5];
/// let std = [2.0f32, 2.0, 2.0, 5.0, 1.0];
/// // Floor 2/128; the 64-grey pixel modulates by 5/64, a sub-grey pixel counts as 1 grey.
/// assert_eq!(relative_modulation(&mean, &std), vec![0.0, 0.0, 0.0, 0.0625, 0.984375]);
/// ```
pub fn relative_modulation(mean: &[f32], std: &[f32]) -> Vec<f32> {
    let mut modulation = modulation_ratio(mean, std);
    let mut sorted = modulation.clone();
    let floor = median(&mut sorted);
    for m in &mut modulation {
        *m -= floor;
    }
    modulation
}

/// Robust z-score of the smoothed relative temporal modulation `std / mean` per pixel:
/// `(m - median) / (1.4826 MAD)`, with median and MAD taken over the `allowed` pixels (mostly
/// tissue, whose modulation is noise and registration residue). Smoothing over `sigma_px`
/// averages the modulation across the lumen and along it.
///
/// ```
/// use mcvideo_vessels::motion::motion_z;
/// let (w, h) = (40, 30);
/// let mean = vec![100.0f32; w * h];
/// // Noise-like modulation 2 everywhere, a moving-cell stripe of 12 along row 15.
/// let std: Vec<f32> = (0..w * h)
///     .map(|i| if i / w == 15 { 12.0 } else { 2.0 + 0.1 * ((i * 7919) % 13) as f32 / 13.0 })
///     .collect();
/// let z = motion_z(&mean, &std, w, h, &vec![true; w * h], 1.0);
/// assert!(z[15 * w + 20] > 20.0);
/// assert!(z[3 * w + 20].abs() < 3.0);
/// ```
pub fn motion_z(
    mean: &[f32],
    std: &[f32],
    width: usize,
    height: usize,
    allowed: &[bool],
    sigma_px: f32,
) -> Vec<f32> {
    let n = width * height;
    if mean.len() != n || std.len() != n || allowed.len() != n || n == 0 {
        return vec![0.0; n];
    }
    let relative = modulation_ratio(mean, std);
    let (mut tmp, mut smooth) = (vec![0.0; n], vec![0.0; n]);
    gaussian_blur(&relative, width, height, sigma_px, &mut tmp, &mut smooth);
    let mut inside: Vec<f32> = smooth
        .iter()
        .zip(allowed)
        .filter(|&(_, &a)| a)
        .map(|(&v, _)| v)
        .collect();
    if inside.is_empty() {
        return vec![0.0; n];
    }
    let centre = median(&mut inside);
    let mut deviations: Vec<f32> = inside.iter().map(|v| (v - centre).abs()).collect();
    // Floor the spread: a noiseless field would otherwise turn rounding into huge scores.
    let spread = (1.4826 * median(&mut deviations)).max(1e-4);
    smooth.iter().map(|&v| (v - centre) / spread).collect()
}

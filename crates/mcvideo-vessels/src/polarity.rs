//! Vessel polarity: whether a clip's vessels are darker than the tissue (dark field) or
//! brighter (fluorescence with negative contrast), decided from the temporal mean image.
//!
//! The decision weighs the line-shaped curvature of the mean image at vessel scales. At each
//! scale the Hessian's eigenvalue of larger magnitude tells whether a pixel lies on a dark
//! line (positive curvature across it) or a bright one (negative); the line strength is that
//! magnitude less the magnitude of the other eigenvalue, so blobs and flat patches count for
//! nothing (the anisotropy term of Frangi AF et al., Multiscale vessel enhancement filtering,
//! MICCAI 1998, LNCS 1496:130-137). Vessels are narrow lines on a broad background: in a
//! dark-field picture the strong line responses are the dark vessels and the tissue between
//! them is broad and weakly curved, so the dark-line strength outweighs the bright; in a
//! negative-contrast fluorescence picture it is the other way round. Strengths are summed as
//! fourth powers, so the strongest lines (the vessels) decide and the faint texture of the
//! tissue, curved both ways alike, hardly counts: on the bundled synthetic clips the margin
//! is 0.41-0.68 with fourth powers against 0.11-0.22 with squares. The score
//! `(bright - dark) / (bright + dark)` lies in [-1, 1]; its sign decides and its size is the
//! margin of the decision.

use crate::gaussian::gaussian_blur;
use crate::FloatImage;
use image::GrayImage;
use mcvideo_frames::Frames;
use serde::{Deserialize, Serialize};

/// Whether vessels are darker or brighter than the tissue around them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    /// Vessels darker than the tissue: sidestream or incident dark field, where haemoglobin
    /// absorbs the green light. The vessel stage expects this.
    Dark,
    /// Vessels brighter than the tissue: fluorescent plasma with red cells as dark shadows.
    Bright,
}

impl Polarity {
    /// Bright for a positive decision score, dark otherwise (a picture with no evidence
    /// either way is taken as dark field, the microscopes this tool is for).
    ///
    /// ```
    /// use mcvideo_vessels::polarity::Polarity;
    /// assert_eq!((Polarity::of_score(0.2), Polarity::of_score(0.0)), (Polarity::Bright, Polarity::Dark));
    /// ```
    pub fn of_score(score: f64) -> Polarity {
        if score > 0.0 {
            Polarity::Bright
        } else {
            Polarity::Dark
        }
    }

    /// The lowercase name used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Polarity::Dark => "dark",
            Polarity::Bright => "bright",
        }
    }
}

/// The decision and what it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PolarityEvidence {
    /// The polarity decided: bright when `score > 0`, dark otherwise (also when the picture
    /// holds no lines at all).
    pub polarity: Polarity,
    /// The decision's score in [-1, 1]; its magnitude is the margin. From the mean picture
    /// alone ([`polarity_of_mean`]) it is `curvature`; from a clip ([`polarity_of_frames`])
    /// `(curvature + 2 · motion) / 3`.
    pub score: f64,
    /// `(bright - dark) / (bright + dark)` of the line strengths, in [-1, 1].
    pub curvature: f64,
    /// [`motion_score`] of the clip (0 when decided from the mean picture alone).
    pub motion: f64,
    /// Sum of the fourth powers of the scale-normalized dark-line strengths, per pixel, added
    /// over the scales.
    pub dark_energy: f64,
    /// The same for bright lines.
    pub bright_energy: f64,
}

/// Vessel diameters (µm) whose matched scales are examined: capillaries to small venules,
/// the vessels that fill a microcirculation picture.
pub const DIAMETERS_UM: [f64; 5] = [5.0, 7.5, 11.0, 17.0, 25.0];

/// Decides the polarity of a mean image at `um_per_px`.
///
/// ```
/// use mcvideo_vessels::polarity::{polarity_of_mean, Polarity};
/// use mcvideo_vessels::FloatImage;
/// // Bright tissue with two dark capillaries 6 px wide, and the same picture inverted.
/// let dark = FloatImage::from_fn(96, 64, |x, y| {
///     let on_line = (20..26).contains(&y) || (60..66).contains(&x);
///     image::Luma([if on_line { 120.0 } else { 200.0 }])
/// });
/// let bright = FloatImage::from_fn(96, 64, |x, y| image::Luma([255.0 - dark.get_pixel(x, y)[0]]));
/// let d = polarity_of_mean(&dark, 1.0);
/// let b = polarity_of_mean(&bright, 1.0);
/// assert_eq!(d.polarity, Polarity::Dark);
/// assert_eq!(b.polarity, Polarity::Bright);
/// assert_eq!(d.score, -b.score);
/// assert_eq!(format!("{:.3}", d.score), "-0.846");
/// ```
pub fn polarity_of_mean(mean: &FloatImage, um_per_px: f64) -> PolarityEvidence {
    let (w, h) = (mean.width() as usize, mean.height() as usize);
    let mut dark = 0.0f64;
    let mut bright = 0.0f64;
    if w >= 3 && h >= 3 && um_per_px.is_finite() && um_per_px > 0.0 {
        // Work on deviations from the mean level so that inverting the picture (255 - v)
        // mirrors every number exactly.
        let level = mean.as_raw().iter().map(|&v| f64::from(v)).sum::<f64>() / (w * h) as f64;
        let plane: Vec<f32> = mean
            .as_raw()
            .iter()
            .map(|&v| (f64::from(v) - level) as f32)
            .collect();
        let mut tmp = vec![0.0f32; w * h];
        let mut smooth = vec![0.0f32; w * h];
        for diameter in DIAMETERS_UM {
            // A bar of width d responds most at sigma = d / 2 under sigma^2 normalization.
            let sigma = (diameter / um_per_px / 2.0).max(0.7);
            // Skip scales the picture is too small to hold away from its edges.
            let margin = sigma.ceil() as usize + 1;
            if 2 * margin + 1 > w.min(h) {
                continue;
            }
            gaussian_blur(&plane, w, h, sigma as f32, &mut tmp, &mut smooth);
            let s2 = sigma * sigma;
            let (mut d, mut b) = (0.0f64, 0.0f64);
            for y in margin..h - margin {
                let (up, mid, down) = (
                    &smooth[(y - 1) * w..y * w],
                    &smooth[y * w..(y + 1) * w],
                    &smooth[(y + 1) * w..(y + 2) * w],
                );
                for x in margin..w - margin {
                    let c = f64::from(mid[x]);
                    let rxx = f64::from(mid[x + 1]) - 2.0 * c + f64::from(mid[x - 1]);
                    let ryy = f64::from(down[x]) - 2.0 * c + f64::from(up[x]);
                    let rxy = 0.25
                        * (f64::from(down[x + 1]) - f64::from(down[x - 1]) - f64::from(up[x + 1])
                            + f64::from(up[x - 1]));
                    let half = 0.5 * (rxx + ryy);
                    let dev = (0.25 * (rxx - ryy) * (rxx - ryy) + rxy * rxy).sqrt();
                    let (hi, lo) = (half + dev, half - dev);
                    // The eigenvalue of larger magnitude is the curvature across the line.
                    let (across, along) = if hi.abs() >= lo.abs() {
                        (hi, lo)
                    } else {
                        (lo, hi)
                    };
                    let line = s2 * (across.abs() - along.abs());
                    if across > 0.0 {
                        d += line.powi(4);
                    } else {
                        b += line.powi(4);
                    }
                }
            }
            // Each scale weighs the same whatever its pixel count.
            let n = ((w - 2 * margin) * (h - 2 * margin)) as f64;
            dark += d / n;
            bright += b / n;
        }
    }
    let total = dark + bright;
    let score = if total > 0.0 {
        (bright - dark) / total
    } else {
        0.0
    };
    PolarityEvidence {
        polarity: Polarity::of_score(score),
        score,
        curvature: score,
        motion: 0.0,
        dark_energy: dark,
        bright_energy: bright,
    }
}

/// The plain (unregistered) temporal mean of `frames`; an empty image when there are none.
/// Enough for [`polarity_of_mean`]: the vessels' sign survives the blur of a moving probe.
pub fn plain_mean<F: Frames + ?Sized>(frames: &F) -> FloatImage {
    if frames.is_empty() {
        return FloatImage::new(0, 0);
    }
    let (w, h) = frames.dimensions(0);
    let mut sum = vec![0.0f64; (w as usize) * (h as usize)];
    let mut n = 0.0f64;
    for t in (0..frames.len()).filter(|&t| frames.dimensions(t) == (w, h)) {
        for (s, &v) in sum.iter_mut().zip(frames.frame(t).as_raw()) {
            *s += f64::from(v);
        }
        n += 1.0;
    }
    let data = sum.iter().map(|&s| (s / n) as f32).collect();
    FloatImage::from_raw(w, h, data).unwrap_or_else(|| FloatImage::new(0, 0))
}

/// Where the clip's cells move, relative to its mean picture `mean` (see [`plain_mean`]): the
/// normalized correlation, over the picture, of the mean's fine structure with that of the
/// growth of the frame-to-frame change from one frame apart to four (mean squared differences
/// at lag 4 less those at lag 1; both less a Gaussian blur of 10 µm). Sensor noise, white in time, changes a
/// pixel as much over one frame as over four and cancels, however it grows with brightness;
/// red cells creeping along a vessel change it more over four frames than over one. So the
/// growth gathers on the vessels: on dark lines in dark field (a negative correlation), on
/// bright ones in negative-contrast fluorescence (positive). A drifting probe changes the
/// picture most at the edges of every structure, where the fine structure crosses zero, and
/// tissue texture of either sign, so neither leans either way. Near 0 when nothing moves, or
/// when cells are so fast that one frame already renews them.
///
/// ```
/// use mcvideo_vessels::polarity::{motion_score, plain_mean};
/// // A dark line (x = 10..13) on bright tissue, with dark cells creeping 1 px per frame.
/// let frames: Vec<image::GrayImage> = (0..12)
///     .map(|t| image::GrayImage::from_fn(32, 32, |x, y| {
///         let on_line = (10..13).contains(&x);
///         let on_cell = on_line && (y + 32 - t) % 8 < 3;
///         image::Luma([if on_cell { 40 } else if on_line { 120 } else { 200 }])
///     }))
///     .collect();
/// assert!(motion_score(&frames, &plain_mean(&frames), 1.0) < -0.3);
/// let inverted: Vec<image::GrayImage> = frames.iter().map(|f| {
///     image::GrayImage::from_fn(32, 32, |x, y| image::Luma([255 - f.get_pixel(x, y)[0]]))
/// }).collect();
/// assert!(motion_score(&inverted, &plain_mean(&inverted), 1.0) > 0.3);
/// ```
pub fn motion_score<F: Frames + ?Sized>(frames: &F, mean: &FloatImage, um_per_px: f64) -> f64 {
    const LAG: usize = 4;
    const SAMPLED_FRAMES: usize = 100;
    if frames.is_empty() {
        return 0.0;
    }
    let first_dimensions = frames.dimensions(0);
    let (w, h) = (first_dimensions.0 as usize, first_dimensions.1 as usize);
    let same: Vec<usize> = (0..frames.len())
        .filter(|&t| frames.dimensions(t) == first_dimensions)
        .collect();
    if same.len() <= LAG
        || w < 3
        || h < 3
        || mean.dimensions() != first_dimensions
        || !(um_per_px.is_finite() && um_per_px > 0.0)
    {
        return 0.0;
    }
    let mut mean = mean.as_raw().clone();
    let mut growth = vec![0.0f32; w * h];
    // About a hundred frames, evenly spread, tell where cells move as well as all of them.
    let step = ((same.len() - LAG) / SAMPLED_FRAMES).max(1);
    for t in (LAG..same.len()).step_by(step) {
        let (now, one, four) = (
            frames.frame(same[t]),
            frames.frame(same[t - 1]),
            frames.frame(same[t - LAG]),
        );
        let pixels = now.as_raw().iter().zip(one.as_raw()).zip(four.as_raw());
        for (g, ((&v, &a), &b)) in growth.iter_mut().zip(pixels) {
            let (v, a, b) = (f32::from(v), f32::from(a), f32::from(b));
            *g += (v - b) * (v - b) - (v - a) * (v - a);
        }
    }
    let sigma = (10.0 / um_per_px).max(1.0) as f32;
    let mut tmp = vec![0.0f32; w * h];
    let mut blurred = vec![0.0f32; w * h];
    let mut fine = |plane: &mut Vec<f32>| {
        gaussian_blur(plane, w, h, sigma, &mut tmp, &mut blurred);
        plane.iter_mut().zip(&blurred).for_each(|(v, b)| *v -= b);
    };
    fine(&mut mean);
    fine(&mut growth);
    let (mut dot, mut mm, mut gg) = (0.0f64, 0.0f64, 0.0f64);
    for (&m, &g) in mean.iter().zip(&growth) {
        let (m, g) = (f64::from(m), f64::from(g));
        dot += m * g;
        mm += m * m;
        gg += g * g;
    }
    if mm > 0.0 && gg > 0.0 {
        dot / (mm * gg).sqrt()
    } else {
        0.0
    }
}

/// Decides the polarity of a clip from its frames: the curvature of its mean picture
/// ([`plain_mean`], [`polarity_of_mean`]) and where its cells move ([`motion_score`]), the
/// latter weighing double. Curvature alone is fooled by wide structures (a venule filling a
/// corner, broad tissue between capillaries at a fine scale: margins of 0.02-0.10 the wrong
/// way on 3 of 36 synthetic dark-field clips), while the place where cells move is what makes
/// a vessel; curvature still decides a clip in which nothing moves.
pub fn polarity_of_frames<F: Frames + ?Sized>(frames: &F, um_per_px: f64) -> PolarityEvidence {
    let mean = plain_mean(frames);
    let from_mean = polarity_of_mean(&mean, um_per_px);
    let motion = motion_score(frames, &mean, um_per_px);
    let score = (from_mean.curvature + 2.0 * motion) / 3.0;
    PolarityEvidence {
        polarity: Polarity::of_score(score),
        score,
        motion,
        ..from_mean
    }
}

/// Inverts 8-bit frames in place (`255 - v`), so that bright vessels become dark ones; the
/// inversion is its own inverse, so no grey level is lost.
///
/// ```
/// let mut frames = vec![image::GrayImage::from_raw(2, 1, vec![0, 200]).unwrap()];
/// mcvideo_vessels::polarity::invert_frames(&mut frames);
/// assert_eq!(frames[0].as_raw(), &vec![255, 55]);
/// ```
pub fn invert_frames(frames: &mut [GrayImage]) {
    for frame in frames {
        for v in frame.iter_mut() {
            *v = 255 - *v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_without_lines_reads_dark_with_no_margin() {
        let flat = FloatImage::from_pixel(40, 30, image::Luma([90.0]));
        let e = polarity_of_mean(&flat, 1.0);
        assert_eq!((e.polarity, e.score), (Polarity::Dark, 0.0));
        let tiny = FloatImage::from_pixel(2, 2, image::Luma([90.0]));
        assert_eq!(polarity_of_mean(&tiny, 1.0).polarity, Polarity::Dark);
    }

    #[test]
    fn plain_mean_averages_frames() {
        let frames = vec![
            GrayImage::from_pixel(3, 2, image::Luma([10])),
            GrayImage::from_pixel(3, 2, image::Luma([20])),
        ];
        assert!(plain_mean(&frames).iter().all(|&v| v == 15.0));
        let none: &[GrayImage] = &[];
        assert_eq!(plain_mean(none).dimensions(), (0, 0));
    }
}

//! Stabilized products in reference coordinates: single stabilized frames and the temporal
//! mean, standard deviation and median of the kept frames (bilinear sampling at p + shift,
//! no warped copies).

use image::GrayImage;
use mcvideo_frames::Frames;
use rayon::prelude::*;

use crate::sample::{accumulate_shifted_row, accumulate_squared_deviation_row, sample_slice_u8};
use crate::{FloatImage, Stabilization};

/// Frame `frame` resampled into reference coordinates with `shift` (SPEC convention):
/// output(p) = frame(p + shift), edge-clamped.
///
/// ```
/// use image::GrayImage;
/// use mcvideo_stabilize::stabilized_frame;
/// let frame = GrayImage::from_raw(3, 1, vec![10, 20, 30]).unwrap();
/// let out = stabilized_frame(&frame, [1.0, 0.0]);
/// assert_eq!(out.as_raw(), &vec![20.0, 30.0, 30.0]);
/// ```
pub fn stabilized_frame(frame: &GrayImage, shift: [f64; 2]) -> FloatImage {
    let (w, h) = frame.dimensions();
    let (wu, hu) = (w as usize, h as usize);
    let raw = frame.as_raw();
    let mut out = vec![0.0f32; wu * hu];
    out.par_chunks_mut(wu.max(1))
        .enumerate()
        .for_each(|(y, row)| {
            let sy = y as f64 + shift[1];
            for (x, o) in row.iter_mut().enumerate() {
                *o = sample_slice_u8(raw, wu, hu, x as f64 + shift[0], sy);
            }
        });
    FloatImage::from_raw(w, h, out).unwrap_or_else(|| FloatImage::new(w, h))
}

/// Temporal mean of the kept frames in reference coordinates (bilinear, frames contribute
/// only where the shifted point lies inside them; pixels seen by no kept frame take the
/// edge-clamped reference frame). Rows run in parallel, frames summed in order: the result
/// does not depend on the thread count.
///
/// ```
/// use image::GrayImage;
/// use mcvideo_stabilize::{mean_image, stabilize, StabilizeParams};
/// let frames = vec![GrayImage::from_fn(64, 64, |x, y| image::Luma([((x * 7 + y * 3) % 50 + 100) as u8])); 3];
/// let stab = stabilize(&frames, &StabilizeParams::default()).unwrap();
/// let mean = mean_image(&frames, &stab);
/// assert_eq!(mean.get_pixel(5, 2).0[0], (5 * 7 + 2 * 3) as f32 + 100.0);
/// ```
pub fn mean_image<F: Frames + ?Sized>(frames: &F, stab: &Stabilization) -> FloatImage {
    if frames.is_empty() {
        return FloatImage::new(0, 0);
    }
    let (w, h) = frames.dimensions(0);
    let (wu, hu) = (w as usize, h as usize);
    let used = kept_frames(frames, stab);
    let mut out = vec![0.0f32; wu * hu];
    let mut count = vec![0u32; wu * hu];
    // Frame by frame (each read once), rows in parallel within a frame.
    for &(t, shift) in &used {
        let frame = frames.frame(t);
        out.par_chunks_mut(wu.max(1))
            .zip(count.par_chunks_mut(wu.max(1)))
            .enumerate()
            .for_each(|(y, (row, count))| {
                accumulate_shifted_row(frame.as_raw(), wu, hu, y, shift, row, count);
            });
    }
    let reference_index = if stab.reference_frame < frames.len() {
        stab.reference_frame
    } else {
        0
    };
    let reference = frames.frame(reference_index);
    out.par_chunks_mut(wu.max(1))
        .zip(count.par_chunks(wu.max(1)))
        .enumerate()
        .for_each(|(y, (row, count))| {
            for (x, (o, &c)) in row.iter_mut().zip(count).enumerate() {
                *o = if c > 0 {
                    *o / c as f32
                } else {
                    sample_slice_u8(reference.as_raw(), wu, hu, x as f64, y as f64)
                };
            }
        });
    FloatImage::from_raw(w, h, out).unwrap_or_else(|| FloatImage::new(w, h))
}

/// Temporal standard deviation of the kept frames in reference coordinates, around `mean`
/// (from [`mean_image`]); 0 where no kept frame sees the pixel. Red cells moving through a
/// lumen make it large; static tissue leaves only noise and registration residue, which is
/// why vessel detection uses it as evidence of flow. Deterministic like [`mean_image`].
///
/// ```
/// use image::GrayImage;
/// use mcvideo_stabilize::{mean_image, std_image, stabilize, StabilizeParams};
/// // A still textured field whose pixel (40, 40) alternates between 100 and 120.
/// let frames: Vec<GrayImage> = (0..4)
///     .map(|t| GrayImage::from_fn(64, 64, |x, y| {
///         let v = if (x, y) == (40, 40) { 100 + 20 * (t % 2) } else { (x * 7 + y * 3) % 50 + 100 };
///         image::Luma([v as u8])
///     }))
///     .collect();
/// let stab = stabilize(&frames, &StabilizeParams::default()).unwrap();
/// let sd = std_image(&frames, &stab, &mean_image(&frames, &stab));
/// // Registration finds shifts of a few hundredths of a pixel (the blinking pixel pulls).
/// assert!((sd.get_pixel(40, 40).0[0] - 10.0).abs() < 0.5);
/// assert!(sd.get_pixel(10, 10).0[0] < 0.2);
/// ```
pub fn std_image<F: Frames + ?Sized>(
    frames: &F,
    stab: &Stabilization,
    mean: &FloatImage,
) -> FloatImage {
    if frames.is_empty() {
        return FloatImage::new(0, 0);
    }
    let (w, h) = frames.dimensions(0);
    if mean.dimensions() != (w, h) {
        return FloatImage::new(w, h);
    }
    let (wu, hu) = (w as usize, h as usize);
    let used = kept_frames(frames, stab);
    let mut out = vec![0.0f32; wu * hu];
    let mut count = vec![0u32; wu * hu];
    for &(t, shift) in &used {
        let frame = frames.frame(t);
        out.par_chunks_mut(wu.max(1))
            .zip(count.par_chunks_mut(wu.max(1)))
            .zip(mean.as_raw().par_chunks(wu.max(1)))
            .enumerate()
            .for_each(|(y, ((row, count), mean_row))| {
                accumulate_squared_deviation_row(
                    frame.as_raw(),
                    (wu, hu),
                    y,
                    shift,
                    mean_row,
                    row,
                    count,
                );
            });
    }
    out.par_iter_mut()
        .zip(count.par_iter())
        .for_each(|(o, &c)| {
            *o = if c > 0 { (*o / c as f32).sqrt() } else { 0.0 };
        });
    FloatImage::from_raw(w, h, out).unwrap_or_else(|| FloatImage::new(w, h))
}

/// Kept frames of the clip's size with their shifts.
fn kept_frames<F: Frames + ?Sized>(frames: &F, stab: &Stabilization) -> Vec<(usize, [f64; 2])> {
    let dims = (!frames.is_empty()).then(|| frames.dimensions(0));
    (0..frames.len())
        .filter(|&t| {
            stab.kept.get(t).copied().unwrap_or(false) && Some(frames.dimensions(t)) == dims
        })
        .map(|t| (t, stab.shifts_px.get(t).copied().unwrap_or([0.0, 0.0])))
        .collect()
}

/// Temporal median of the kept frames in reference coordinates: robust to red cells
/// passing through a pixel and to a few badly registered frames.
///
/// ```
/// use image::GrayImage;
/// use mcvideo_stabilize::{median_image, stabilize, StabilizeParams};
/// let frames = vec![GrayImage::from_fn(64, 64, |x, y| image::Luma([((x * 7 + y * 3) % 50 + 100) as u8])); 3];
/// let stab = stabilize(&frames, &StabilizeParams::default()).unwrap();
/// assert_eq!(median_image(&frames, &stab).get_pixel(9, 9).0[0], ((9 * 10) % 50 + 100) as f32);
/// ```
pub fn median_image(frames: &[GrayImage], stab: &Stabilization) -> FloatImage {
    reduce_kept(frames, stab, |values| {
        let mid = values.len() / 2;
        let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
        let upper = *m;
        if values.len() % 2 == 1 {
            upper
        } else {
            let lower = values[..mid].iter().copied().fold(f32::MIN, f32::max);
            0.5 * (lower + upper)
        }
    })
}

/// Applies `reduce` to the values the kept frames give each reference pixel.
fn reduce_kept(
    frames: &[GrayImage],
    stab: &Stabilization,
    reduce: impl Fn(&mut [f32]) -> f32 + Sync,
) -> FloatImage {
    let Some(first) = frames.first() else {
        return FloatImage::new(0, 0);
    };
    let (w, h) = first.dimensions();
    let (wu, hu) = (w as usize, h as usize);
    let used = kept_frames(frames, stab);
    let reference = frames.get(stab.reference_frame).unwrap_or(first);
    let (wm, hm) = ((wu - 1) as f64, (hu - 1) as f64);
    let mut out = vec![0.0f32; wu * hu];
    out.par_chunks_mut(wu.max(1))
        .enumerate()
        .for_each(|(y, row)| {
            let mut values: Vec<f32> = Vec::with_capacity(used.len());
            for (x, o) in row.iter_mut().enumerate() {
                values.clear();
                for &(t, [dx, dy]) in &used {
                    let (sx, sy) = (x as f64 + dx, y as f64 + dy);
                    if sx >= 0.0 && sy >= 0.0 && sx <= wm && sy <= hm {
                        values.push(sample_slice_u8(frames[t].as_raw(), wu, hu, sx, sy));
                    }
                }
                *o = if values.is_empty() {
                    sample_slice_u8(reference.as_raw(), wu, hu, x as f64, y as f64)
                } else {
                    reduce(&mut values)
                };
            }
        });
    FloatImage::from_raw(w, h, out).unwrap_or_else(|| FloatImage::new(w, h))
}

/// A stabilized product as an 8-bit grey picture: each value rounded and clamped to 0–255 (NaN
/// gives 0). The scorer saves the mean image this way and the review page shows it, so both
/// show the same pixels.
///
/// ```
/// use mcvideo_stabilize::{to_gray8, FloatImage};
/// let image = FloatImage::from_raw(4, 1, vec![-3.0, 12.4, 12.5, 300.0]).unwrap();
/// assert_eq!(to_gray8(&image).as_raw(), &vec![0, 12, 13, 255]);
/// ```
pub fn to_gray8(image: &FloatImage) -> GrayImage {
    let pixels = image
        .as_raw()
        .iter()
        .map(|v| v.round().clamp(0.0, 255.0) as u8)
        .collect();
    GrayImage::from_raw(image.width(), image.height(), pixels)
        .unwrap_or_else(|| GrayImage::new(image.width(), image.height()))
}

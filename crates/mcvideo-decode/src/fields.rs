//! Interlaced frames split into their two fields, each brought back to the full frame grid.
//!
//! An interlaced frame weaves two half-height images exposed half a frame period apart: the
//! top field (rows 0, 2, 4, ...) and the bottom field (rows 1, 3, 5, ...). A moving red cell
//! shows once in each, so the woven frame holds two copies of it. Splitting the fields gives
//! a clip at twice the frame rate in which every image is one instant ("bob" deinterlacing):
//! each field keeps its own rows and fills the other field's rows by linear interpolation
//! between the rows above and below, so both fields lie on the same grid and static tissue
//! does not jump by half a line from one field to the next (Poynton C. Digital Video and HD:
//! Algorithms and Interfaces, 2nd ed. Morgan Kaufmann 2012, ch. 37, "Deinterlacing").

use image::GrayImage;
use mcvideo_frames::Frames;

/// Which rows a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Rows 0, 2, 4, ...
    Top,
    /// Rows 1, 3, 5, ...
    Bottom,
}

/// One field of `frame` at full height: its own rows copied, the other rows the mean of the
/// field's rows above and below (the nearest one at the image's top and bottom edge).
///
/// ```
/// use mcvideo_decode::fields::{field_image, Field};
/// // One column, rows 10, 90, 20, 80, 30: the top field holds 10, 20, 30.
/// let frame = image::GrayImage::from_raw(1, 5, vec![10, 90, 20, 80, 30]).unwrap();
/// assert_eq!(field_image(&frame, Field::Top).into_raw(), vec![10, 15, 20, 25, 30]);
/// // The bottom field holds 90 and 80; row 0 and row 4 take their one neighbour.
/// assert_eq!(field_image(&frame, Field::Bottom).into_raw(), vec![90, 90, 85, 80, 80]);
/// ```
pub fn field_image(frame: &GrayImage, field: Field) -> GrayImage {
    let (width, height) = (frame.width() as usize, frame.height() as usize);
    let own = match field {
        Field::Top => 0,
        Field::Bottom => 1,
    };
    let src = frame.as_raw();
    let mut out = vec![0u8; width * height];
    for y in 0..height {
        let row = &mut out[y * width..(y + 1) * width];
        if y % 2 == own || height == 1 {
            row.copy_from_slice(&src[y * width..(y + 1) * width]);
            continue;
        }
        // Rows of this field next to y; at the edges only one exists.
        let above = y.checked_sub(1);
        let below = (y + 1 < height).then_some(y + 1);
        match (above, below) {
            (Some(a), Some(b)) => {
                let (ra, rb) = (
                    &src[a * width..(a + 1) * width],
                    &src[b * width..(b + 1) * width],
                );
                for ((o, &p), &q) in row.iter_mut().zip(ra).zip(rb) {
                    // The mean, rounded half up.
                    *o = (u16::from(p) + u16::from(q)).div_ceil(2) as u8;
                }
            }
            (Some(r), None) | (None, Some(r)) => {
                row.copy_from_slice(&src[r * width..(r + 1) * width]);
            }
            (None, None) => {}
        }
    }
    GrayImage::from_raw(width as u32, height as u32, out)
        .unwrap_or_else(|| GrayImage::new(width as u32, height as u32))
}

/// The two fields of an interlaced frame in the order they were exposed: the top field first
/// when `top_first`, else the bottom one (PAL DV is bottom field first).
///
/// ```
/// use mcvideo_decode::fields::split_fields;
/// let frame = image::GrayImage::from_raw(1, 4, vec![10, 90, 20, 80]).unwrap();
/// let [first, second] = split_fields(&frame, false);
/// assert_eq!(first.into_raw(), vec![90, 90, 85, 80]);
/// assert_eq!(second.into_raw(), vec![10, 15, 20, 20]);
/// ```
pub fn split_fields(frame: &GrayImage, top_first: bool) -> [GrayImage; 2] {
    let (top, bottom) = (
        field_image(frame, Field::Top),
        field_image(frame, Field::Bottom),
    );
    if top_first {
        [top, bottom]
    } else {
        [bottom, top]
    }
}

/// Below this [`field_time_ratio`] the two fields of each frame show one instant: the video
/// is flagged interlaced but holds progressive pictures (progressive segmented frames, e.g. a
/// progressive camera recorded to DV), and splitting it would make every cell stop every
/// other image.
pub const PROGRESSIVE_FIELD_RATIO: f64 = 0.5;

/// Frames sampled by [`field_time_ratio`] at most.
const RATIO_SAMPLES: usize = 64;

/// How far apart in time the two fields of a frame are, against fields of neighbouring
/// frames: `D_same / min(D_prev, D_next)`, where `D_same` sums |bottom field − top field| of
/// frame k, `D_prev` and `D_next` the same with the bottom field of frame k − 1 and k + 1, each
/// pixel weighted by how much the top field changes from frame k − 1 to k + 1 (so static
/// tissue, where only the interpolation differs, hardly counts). Truly interlaced video gives
/// about 1 (one neighbouring field is as near in time as the frame's own); fields of one
/// instant give much less. `None` with fewer than three frames or nothing moving.
///
/// ```
/// use image::GrayImage;
/// use mcvideo_decode::fields::{field_time_ratio, PROGRESSIVE_FIELD_RATIO};
/// // A dark bar moving 2 px per field, woven bottom field first (interlaced), and the same
/// // bar drawn once per frame in both fields (progressive pictures flagged interlaced).
/// let bar = |x0: i64| move |x: u32, _y: u32| image::Luma([if (x as i64 - x0).abs() < 3 { 40u8 } else { 200 }]);
/// let interlaced: Vec<GrayImage> = (0..6i64)
///     .map(|k| GrayImage::from_fn(40, 8, |x, y| if y % 2 == 1 { bar(4 + 4 * k)(x, y) } else { bar(6 + 4 * k)(x, y) }))
///     .collect();
/// let progressive: Vec<GrayImage> = (0..6i64).map(|k| GrayImage::from_fn(40, 8, bar(4 + 4 * k))).collect();
/// assert!(field_time_ratio(&interlaced).unwrap() > 0.8);
/// assert!(field_time_ratio(&progressive).unwrap() < PROGRESSIVE_FIELD_RATIO);
/// ```
pub fn field_time_ratio<F: Frames + ?Sized>(frames: &F) -> Option<f64> {
    let n = frames.len();
    if n < 3 {
        return None;
    }
    let step = ((n - 2) as f64 / RATIO_SAMPLES as f64).max(1.0);
    let (mut same, mut prev, mut next) = (0.0f64, 0.0f64, 0.0f64);
    let mut k_f = 1.0;
    while (k_f as usize) < n - 1 {
        let k = k_f as usize;
        let (before, at, after) = (frames.frame(k - 1), frames.frame(k), frames.frame(k + 1));
        let top = field_image(&at, Field::Top);
        let (top_before, top_after) = (
            field_image(&before, Field::Top),
            field_image(&after, Field::Top),
        );
        let bottoms = [
            field_image(&before, Field::Bottom),
            field_image(&at, Field::Bottom),
            field_image(&after, Field::Bottom),
        ];
        let mut sums = [0.0f64; 3];
        for (i, &t) in top.as_raw().iter().enumerate() {
            let weight = f64::from(top_after.as_raw()[i].abs_diff(top_before.as_raw()[i]));
            if weight == 0.0 {
                continue;
            }
            for (sum, bottom) in sums.iter_mut().zip(&bottoms) {
                *sum += weight * f64::from(bottom.as_raw()[i].abs_diff(t));
            }
        }
        prev += sums[0];
        same += sums[1];
        next += sums[2];
        k_f += step;
    }
    let nearest = prev.min(next);
    (nearest > 0.0).then(|| same / nearest)
}

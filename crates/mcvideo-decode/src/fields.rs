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

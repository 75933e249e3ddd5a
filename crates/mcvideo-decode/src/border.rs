//! The image area of frames framed by a blank border, and cropping to it.
//!
//! Frame grabbers and exported videos often put the microscope's picture inside a black
//! border (letterbox, pillarbox, the padding of PAL DV). Left in, the border reads as a
//! uniformly dark field: the quality grade calls the clip too dark, the valid region's area
//! (the denominator of every density) grows, and the step from black to tissue makes false
//! ridges. Microcirculation images are lit tissue, never black across a whole row or column,
//! so a blank border is found from the outside in.

use image::GrayImage;
use mcvideo_frames::Frames;

/// A row or column of the clip's mean image that is nowhere brighter than this is blank
/// (video black is 16 in limited range, 0 in full range).
pub const BLANK_LEVEL: f32 = 24.0;

/// Frames averaged to find the border, at most (evenly spaced).
const SAMPLED_FRAMES: usize = 32;

/// The image area `[x0, y0, x1, y1]` (`x1`, `y1` exclusive) inside the blank rows and
/// columns at the frames' edges: the whole frame when there is no border, or when cropping
/// would leave less than a quarter of either side (a clip too dark to judge).
///
/// ```
/// use image::{GrayImage, Luma};
/// use mcvideo_decode::border::content_box;
/// // A 12x8 picture of grey 120 inside a black frame of 20x12, at (5, 3).
/// let frame = GrayImage::from_fn(20, 12, |x, y| {
///     Luma([if (5..17).contains(&x) && (3..11).contains(&y) { 120 } else { 16 }])
/// });
/// assert_eq!(content_box(&vec![frame.clone(), frame]), [5, 3, 17, 11]);
/// let plain = GrayImage::from_pixel(20, 12, Luma([90]));
/// assert_eq!(content_box(&vec![plain]), [0, 0, 20, 12]);
/// ```
pub fn content_box<F: Frames + ?Sized>(frames: &F) -> [u32; 4] {
    if frames.is_empty() {
        return [0, 0, 0, 0];
    }
    let first_dimensions = frames.dimensions(0);
    let (width, height) = (first_dimensions.0 as usize, first_dimensions.1 as usize);
    let whole = [0, 0, width as u32, height as u32];
    let step = (frames.len() as f64 / SAMPLED_FRAMES as f64).max(1.0);
    let mut sum = vec![0.0f32; width * height];
    let mut count = 0.0f32;
    let mut at = 0.0;
    while (at as usize) < frames.len() {
        let frame = frames.frame(at as usize);
        if frame.dimensions() == first_dimensions {
            for (s, &p) in sum.iter_mut().zip(frame.as_raw()) {
                *s += f32::from(p);
            }
            count += 1.0;
        }
        at += step;
    }
    let limit = BLANK_LEVEL * count;
    let column_blank = |x: usize| (0..height).all(|y| sum[y * width + x] <= limit);
    let row_blank = |y: usize| sum[y * width..(y + 1) * width].iter().all(|&s| s <= limit);
    let x0 = (0..width).find(|&x| !column_blank(x)).unwrap_or(width);
    let x1 = (0..width)
        .rev()
        .find(|&x| !column_blank(x))
        .map_or(0, |x| x + 1);
    let y0 = (0..height).find(|&y| !row_blank(y)).unwrap_or(height);
    let y1 = (0..height)
        .rev()
        .find(|&y| !row_blank(y))
        .map_or(0, |y| y + 1);
    if x1 <= x0 || y1 <= y0 || 4 * (x1 - x0) < width || 4 * (y1 - y0) < height {
        return whole;
    }
    [x0 as u32, y0 as u32, x1 as u32, y1 as u32]
}

/// Each frame cut to `area` (`[x0, y0, x1, y1]`, from [`content_box`]).
///
/// ```
/// use image::{GrayImage, Luma};
/// let frame = GrayImage::from_fn(4, 3, |x, y| Luma([(10 * y + x) as u8]));
/// let cropped = mcvideo_decode::border::crop_frames(vec![frame], [1, 1, 3, 3]);
/// assert_eq!(cropped[0].as_raw(), &vec![11, 12, 21, 22]);
/// ```
pub fn crop_frames(frames: Vec<GrayImage>, area: [u32; 4]) -> Vec<GrayImage> {
    let [x0, y0, x1, y1] = area;
    frames
        .into_iter()
        .map(|frame| image::imageops::crop_imm(&frame, x0, y0, x1 - x0, y1 - y0).to_image())
        .collect()
}

//! Weaving two images exposed half a frame apart into one interlaced frame.

use image::GrayImage;

/// The interlaced frame of two consecutive images: odd rows (the bottom field) from
/// `earlier`, even rows (the top field) from `later`, bottom field first as PAL DV records.
///
/// ```
/// let earlier = image::GrayImage::from_pixel(2, 4, image::Luma([10]));
/// let later = image::GrayImage::from_pixel(2, 4, image::Luma([200]));
/// let frame = mcvideo_synth::weave_fields(&earlier, &later);
/// assert_eq!(frame.into_raw(), vec![200, 200, 10, 10, 200, 200, 10, 10]);
/// ```
pub fn weave_fields(earlier: &GrayImage, later: &GrayImage) -> GrayImage {
    GrayImage::from_fn(earlier.width(), earlier.height(), |x, y| {
        if y % 2 == 1 {
            *earlier.get_pixel(x, y)
        } else {
            *later.get_pixel(x, y)
        }
    })
}

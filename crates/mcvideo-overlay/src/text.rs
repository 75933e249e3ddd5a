//! Overlay labels, drawn with imageproc's text functions in a bundled font (DejaVu Sans), so
//! that the picture is the same on every machine and no font has to be found at run time.

use ab_glyph::{FontRef, PxScale};
use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_text_mut, text_size};
use std::sync::OnceLock;

/// DejaVu Sans (`fonts/LICENSE`: the Bitstream Vera licence and public-domain changes).
const DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// The bundled label font.
///
/// ```
/// use ab_glyph::Font;
/// assert!(mcvideo_overlay::text::label_font().glyph_count() > 1000);
/// ```
pub fn label_font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    // The font is part of the program, not input: a file that does not parse is a build defect,
    // and the unit test below catches it.
    FONT.get_or_init(|| FontRef::try_from_slice(DEJAVU_SANS).expect("the bundled font parses"))
}

/// Width and height in pixels of the ink of `text` drawn `height_px` high.
///
/// ```
/// let (w, h) = mcvideo_overlay::text::label_size("flow", 14.0);
/// assert_eq!((w, h), (24, 10));
/// assert!(mcvideo_overlay::text::label_size("no flow", 14.0).0 > w);
/// ```
pub fn label_size(text: &str, height_px: f32) -> (u32, u32) {
    text_size(PxScale::from(height_px), label_font(), text)
}

/// Draws `text` `height_px` high with the top of its line box at (`x`, `y`), anti-aliased over
/// what is there; parts outside the image are skipped.
///
/// ```
/// use image::{Rgb, RgbImage};
/// let mut img = RgbImage::new(12, 16);
/// mcvideo_overlay::text::draw_label(&mut img, 2, 1, "I", 14.0, Rgb([255, 255, 255]));
/// // The stem of the I, 1.3 px wide, blended over black by its coverage of each pixel.
/// assert_eq!(img.get_pixel(3, 8), &Rgb([209, 209, 209]));
/// assert_eq!(img.get_pixel(4, 8), &Rgb([93, 93, 93]));
/// assert_eq!(img.get_pixel(5, 8), &Rgb([0, 0, 0]));
/// assert_eq!(img.get_pixel(3, 2), &Rgb([0, 0, 0])); // above the glyph's top at row 3
/// ```
pub fn draw_label(
    image: &mut RgbImage,
    x: i32,
    y: i32,
    text: &str,
    height_px: f32,
    color: Rgb<u8>,
) {
    draw_text_mut(
        image,
        color,
        x,
        y,
        PxScale::from(height_px),
        label_font(),
        text,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_font_parses_and_draws_every_legend_character() {
        use ab_glyph::Font;
        let font = label_font();
        for c in
            "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ ()-/%.,:µ≥≤<>".chars()
        {
            assert_ne!(font.glyph_id(c).0, 0, "no glyph for {c:?}");
        }
    }
}

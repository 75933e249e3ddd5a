//! Drawing the overlay: a contrast-stretched background, thick coloured polylines, a legend
//! (shapes and text drawn with imageproc).

use crate::text::{draw_label, label_size};
use image::{ImageEncoder, Rgb, RgbImage};
use imageproc::drawing::{
    draw_filled_circle_mut, draw_filled_rect_mut, draw_line_segment_mut, draw_polygon_mut,
};
use imageproc::point::Point;
use imageproc::rect::Rect;

/// Why an overlay could not be made.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    /// The background buffer does not match the stated size.
    #[error("background has {got} pixels, expected {width}x{height}")]
    SizeMismatch { got: usize, width: u32, height: u32 },
    /// PNG encoding failed.
    #[error("cannot encode the overlay PNG: {0}")]
    Png(#[from] image::ImageError),
}

/// One centerline to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayLine {
    /// Points in image pixels.
    pub points: Vec<[f64; 2]>,
    /// Line colour.
    pub color: [u8; 3],
    /// Line width in pixels.
    pub width: f64,
}

/// Grey RGB picture of a float image, stretched so the 1st and 99th percentiles span 0–255
/// (dark-field images use a narrow part of the range; a plain cast looks flat).
///
/// ```
/// let bg = mcvideo_overlay::gray_background(&[0.0, 50.0, 100.0, 100.0], 2, 2).unwrap();
/// assert_eq!(bg.get_pixel(0, 0).0, [0, 0, 0]);
/// assert_eq!(bg.get_pixel(1, 1).0, [255, 255, 255]);
/// ```
pub fn gray_background(pixels: &[f32], width: u32, height: u32) -> Result<RgbImage, OverlayError> {
    let expected = width as usize * height as usize;
    if pixels.len() != expected {
        return Err(OverlayError::SizeMismatch {
            got: pixels.len(),
            width,
            height,
        });
    }
    let mut finite: Vec<f32> = pixels.iter().copied().filter(|v| v.is_finite()).collect();
    let (lo, hi) = if finite.is_empty() {
        (0.0, 1.0)
    } else {
        finite.sort_by(f32::total_cmp);
        let at = |q: f64| finite[((finite.len() - 1) as f64 * q).round() as usize];
        (at(0.01), at(0.99))
    };
    let span = if hi > lo { hi - lo } else { 1.0 };
    let mut out = RgbImage::new(width, height);
    for (dst, &v) in out.pixels_mut().zip(pixels) {
        let g = if v.is_finite() {
            ((v - lo) / span * 255.0).clamp(0.0, 255.0).round() as u8
        } else {
            0
        };
        *dst = Rgb([g, g, g]);
    }
    Ok(out)
}

/// A point rounded to the pixel grid (coordinates far outside the image saturate).
fn pixel(p: [f64; 2]) -> (i32, i32) {
    (p[0].round() as i32, p[1].round() as i32)
}

/// Draws a polyline `width` pixels wide: a one-pixel line up to width 1, else each stretch
/// a filled quadrilateral and each point a filled disc, for round joins and ends.
fn draw_polyline(image: &mut RgbImage, line: &OverlayLine) {
    let color = Rgb(line.color);
    if line.width <= 1.0 {
        for pair in line.points.windows(2) {
            let ([x0, y0], [x1, y1]) = (pair[0], pair[1]);
            draw_line_segment_mut(image, (x0 as f32, y0 as f32), (x1 as f32, y1 as f32), color);
        }
        if let [only] = line.points.as_slice() {
            draw_filled_circle_mut(image, pixel(*only), 0, color);
        }
        return;
    }
    let half = line.width / 2.0;
    for pair in line.points.windows(2) {
        let ([x0, y0], [x1, y1]) = (pair[0], pair[1]);
        let length = (x1 - x0).hypot(y1 - y0);
        // Zero-length or non-finite pieces have no direction to widen along.
        if length.is_nan() || length <= 0.0 {
            continue;
        }
        let (nx, ny) = (-(y1 - y0) / length * half, (x1 - x0) / length * half);
        let corners = [
            [x0 + nx, y0 + ny],
            [x1 + nx, y1 + ny],
            [x1 - nx, y1 - ny],
            [x0 - nx, y0 - ny],
        ]
        .map(|c| {
            let (x, y) = pixel(c);
            Point::new(x, y)
        });
        // imageproc refuses a polygon whose first and last corners coincide.
        if corners[0] != corners[3] {
            draw_polygon_mut(image, &corners, color);
        }
    }
    let radius = half.round() as i32;
    for &point in &line.points {
        draw_filled_circle_mut(image, pixel(point), radius, color);
    }
}

/// Draws `lines` over `background` and a legend box (a colour swatch and a label per entry)
/// in the top-left corner, with `title` above the entries.
///
/// ```
/// use mcvideo_overlay::{render_overlay, OverlayLine};
/// let bg = image::RgbImage::new(40, 40);
/// let line = OverlayLine { points: vec![[30.0, 35.0], [38.0, 35.0]], color: [0, 255, 0], width: 1.0 };
/// let thick = OverlayLine { points: vec![[5.0, 20.0], [30.0, 20.0]], color: [255, 0, 0], width: 4.0 };
/// let out = render_overlay(bg, &[line, thick], &[], None);
/// assert_eq!(out.get_pixel(34, 35).0, [0, 255, 0]);
/// assert_eq!(out.get_pixel(34, 34).0, [0, 0, 0]);
/// assert_eq!(out.get_pixel(34, 30).0, [0, 0, 0]);
/// // Four pixels wide: rows 18 to 22, round ends reaching 2 px beyond the last points.
/// assert_eq!((18..=22).map(|y| out.get_pixel(15, y).0).collect::<Vec<_>>(), vec![[255, 0, 0]; 5]);
/// assert_eq!(out.get_pixel(15, 17).0, [0, 0, 0]);
/// assert_eq!(out.get_pixel(15, 23).0, [0, 0, 0]);
/// assert_eq!(out.get_pixel(32, 20).0, [255, 0, 0]);
/// assert_eq!(out.get_pixel(33, 20).0, [0, 0, 0]);
/// ```
pub fn render_overlay(
    background: RgbImage,
    lines: &[OverlayLine],
    legend: &[(String, [u8; 3])],
    title: Option<&str>,
) -> RgbImage {
    let mut image = background;
    for line in lines {
        draw_polyline(&mut image, line);
    }
    if legend.is_empty() && title.is_none() {
        return image;
    }
    // Labels 14 px high on a clip of 480 px or wider, else 10 px: readable on the page, and
    // small beside the vessels.
    let text_px: f32 = if image.width() >= 480 { 14.0 } else { 10.0 };
    let unit = (text_px / 7.0).round() as u32;
    let row_h = text_px as u32 + 3 * unit;
    let swatch = text_px as u32 - unit;
    let pad = 3 * unit;
    let mut widths: Vec<u32> = legend
        .iter()
        .map(|(label, _)| swatch + pad + label_size(label, text_px).0)
        .collect();
    if let Some(t) = title {
        widths.push(label_size(t, text_px).0);
    }
    let box_w = widths.iter().copied().max().unwrap_or(0) + 2 * pad;
    let rows = legend.len() as u32 + u32::from(title.is_some());
    let box_h = rows * row_h + 2 * pad;
    // Darken the legend's box so labels read on any background.
    for y in 0..box_h.min(image.height()) {
        for x in 0..box_w.min(image.width()) {
            let p = image.get_pixel_mut(x, y);
            for c in p.0.iter_mut() {
                *c /= 4;
            }
        }
    }
    let white = Rgb([255, 255, 255]);
    let x = pad as i32;
    let mut y = pad as i32;
    if let Some(t) = title {
        draw_label(&mut image, x, y, t, text_px, white);
        y += row_h as i32;
    }
    for (label, color) in legend {
        // The swatch sits on the text's line box, a unit below its top.
        draw_filled_rect_mut(
            &mut image,
            Rect::at(x, y + unit as i32).of_size(swatch, swatch),
            Rgb(*color),
        );
        draw_label(
            &mut image,
            x + (swatch + pad) as i32,
            y,
            label,
            text_px,
            white,
        );
        y += row_h as i32;
    }
    image
}

/// Encodes an RGB image as PNG bytes.
///
/// ```
/// let png = mcvideo_overlay::encode_png(&image::RgbImage::new(2, 2)).unwrap();
/// assert_eq!(&png[1..4], b"PNG");
/// ```
pub fn encode_png(image: &RgbImage) -> Result<Vec<u8>, OverlayError> {
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes).write_image(
        image.as_raw(),
        image.width(),
        image.height(),
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legend_darkens_its_box_and_writes_each_label_beside_its_swatch() {
        let background = RgbImage::from_pixel(640, 200, Rgb([200, 200, 200]));
        let legend = vec![("3 continuous".to_string(), [0, 158, 115])];
        let out = render_overlay(background.clone(), &[], &legend, Some("Flow class"));
        let (title_w, _) = label_size("Flow class", 14.0);
        let (label_w, _) = label_size("3 continuous", 14.0);
        // pad 6, swatch 12, rows 20 px: the box is 6 + max(title, 12 + 6 + label) + 6 wide.
        let box_w = 12 + (12 + 6 + label_w).max(title_w);
        assert_eq!(out.get_pixel(box_w - 1, 45).0, [50, 50, 50]);
        assert_eq!(out.get_pixel(box_w, 45).0, [200, 200, 200]);
        assert_eq!(out.get_pixel(10, 32).0, [0, 158, 115]); // the swatch of the first row
        let white_in = |x0: u32, x1: u32, y0: u32, y1: u32| {
            (y0..y1).any(|y| (x0..x1).any(|x| out.get_pixel(x, y).0[0] > 200))
        };
        assert!(white_in(6, 6 + title_w, 6, 26), "the title is drawn");
        assert!(white_in(24, 24 + label_w, 26, 46), "the label is drawn");
        assert!(!white_in(6, 24, 26, 46), "nothing white under the swatch");
    }
}

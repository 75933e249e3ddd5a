//! Drawing the overlay: a contrast-stretched background, thick coloured polylines, a legend.

use crate::font::{draw_text, text_width, GLYPH_HEIGHT};
use image::{ImageEncoder, Rgb, RgbImage};

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

/// Stamps a filled disc; the cheap way to draw thick lines with round joins.
fn stamp_disc(image: &mut RgbImage, cx: f64, cy: f64, radius: f64, color: Rgb<u8>) {
    let (w, h) = (image.width() as i64, image.height() as i64);
    let r2 = radius * radius;
    let (x0, x1) = ((cx - radius).floor() as i64, (cx + radius).ceil() as i64);
    let (y0, y1) = ((cy - radius).floor() as i64, (cy + radius).ceil() as i64);
    for y in y0.max(0)..=y1.min(h - 1) {
        for x in x0.max(0)..=x1.min(w - 1) {
            let (dx, dy) = (x as f64 - cx, y as f64 - cy);
            if dx * dx + dy * dy <= r2 {
                image.put_pixel(x as u32, y as u32, color);
            }
        }
    }
}

/// Draws a polyline `width` pixels wide.
fn draw_polyline(image: &mut RgbImage, line: &OverlayLine) {
    let color = Rgb(line.color);
    let radius = (line.width / 2.0).max(0.5);
    for pair in line.points.windows(2) {
        let ([x0, y0], [x1, y1]) = (pair[0], pair[1]);
        let steps = ((x1 - x0).hypot(y1 - y0) / 0.5).ceil().max(1.0) as usize;
        for s in 0..=steps {
            let t = s as f64 / steps as f64;
            stamp_disc(image, x0 + t * (x1 - x0), y0 + t * (y1 - y0), radius, color);
        }
    }
    if let [only] = line.points.as_slice() {
        stamp_disc(image, only[0], only[1], radius, color);
    }
}

/// Draws `lines` over `background` and a legend box (a colour swatch and a label per entry)
/// in the top-left corner, with `title` above the entries.
///
/// ```
/// use mcvideo_overlay::{render_overlay, OverlayLine};
/// let bg = image::RgbImage::new(40, 40);
/// let line = OverlayLine { points: vec![[30.0, 35.0], [38.0, 35.0]], color: [0, 255, 0], width: 1.0 };
/// let out = render_overlay(bg, &[line], &[], None);
/// assert_eq!(out.get_pixel(34, 35).0, [0, 255, 0]);
/// assert_eq!(out.get_pixel(34, 30).0, [0, 0, 0]);
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
    let scale = if image.width() >= 480 { 2 } else { 1 };
    let row_h = (GLYPH_HEIGHT + 4) * scale;
    let swatch = GLYPH_HEIGHT * scale;
    let pad = 3 * scale;
    let mut texts: Vec<u32> = legend
        .iter()
        .map(|(label, _)| swatch + pad + text_width(label, scale))
        .collect();
    if let Some(t) = title {
        texts.push(text_width(t, scale));
    }
    let box_w = texts.iter().copied().max().unwrap_or(0) + 2 * pad;
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
    let mut y = pad as i64;
    if let Some(t) = title {
        draw_text(&mut image, pad as i64, y, t, scale, white);
        y += row_h as i64;
    }
    for (label, color) in legend {
        for dy in 0..swatch {
            for dx in 0..swatch {
                let (px, py) = (pad + dx, y as u32 + dy);
                if px < image.width() && py < image.height() {
                    image.put_pixel(px, py, Rgb(*color));
                }
            }
        }
        draw_text(
            &mut image,
            (pad + swatch + pad) as i64,
            y,
            label,
            scale,
            white,
        );
        y += row_h as i64;
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

//! PNG (300 dpi) and PDF copies of the SVG figures, rendered by resvg and krilla with a font
//! found on the system (DejaVu Sans, Liberation Sans, Noto Sans or Arial, whichever exists).

use crate::error::{Result, StudyError};
use krilla_svg::{SurfaceExt, SvgSettings};
use resvg::usvg;
use std::sync::{Arc, OnceLock};

/// Resolution of the PNG copies.
pub const PNG_DPI: f32 = 300.0;

/// PDF points per SVG (CSS) pixel: both are fixed fractions of an inch (1/72 and 1/96), so the PDF
/// page has the same physical size as the PNG at [`PNG_DPI`].
const PT_PER_CSS_PX: f32 = 72.0 / 96.0;

/// Sans-serif families tried in order for the figures' `sans-serif` text.
const SANS_FAMILIES: [&str; 5] = [
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans",
    "Arial",
    "Helvetica",
];

/// The system fonts, loaded once, with `sans-serif` mapped to the first family present.
fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        let present = |name: &str| {
            db.faces()
                .any(|f| f.families.iter().any(|(family, _)| family == name))
        };
        if let Some(family) = SANS_FAMILIES.iter().find(|f| present(f)) {
            db.set_sans_serif_family(*family);
        }
        Arc::new(db)
    })
    .clone()
}

/// Whether any font was found (without one, text is left out of the PNG and PDF copies).
pub fn fonts_available() -> bool {
    !fontdb().is_empty()
}

fn parse(name: &str, svg: &str) -> Result<usvg::Tree> {
    let options = usvg::Options {
        fontdb: fontdb(),
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(svg, &options).map_err(|e| StudyError::Figure {
        name: name.to_string(),
        message: format!("cannot parse the SVG for PNG/PDF export: {e}"),
    })
}

/// The figure as a PNG at [`PNG_DPI`] (the SVG's pixels are CSS pixels, 96 per inch), with its
/// resolution recorded in a `pHYs` chunk.
pub fn svg_to_png(name: &str, svg: &str) -> Result<Vec<u8>> {
    let tree = parse(name, svg)?;
    let scale = PNG_DPI / 96.0;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or_else(|| StudyError::Figure {
        name: name.to_string(),
        message: format!("cannot make a {w}×{h} image"),
    })?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap.encode_png().map_err(|e| StudyError::Figure {
        name: name.to_string(),
        message: format!("cannot encode the PNG: {e}"),
    })?;
    Ok(with_phys(&png, PNG_DPI))
}

/// The figure as a one-page vector PDF whose page has the SVG's physical size (96 CSS pixels per inch),
/// with
/// its text kept as selectable text in embedded font subsets.
///
/// The bytes depend only on the figure and the fonts: krilla numbers objects in drawing order,
/// names font subsets and the file ID by content hashes, and writes no creation date.
pub fn svg_to_pdf(name: &str, svg: &str) -> Result<Vec<u8>> {
    let tree = parse(name, svg)?;
    let figure_error = |message: String| StudyError::Figure {
        name: name.to_string(),
        message,
    };
    let size = krilla::geom::Size::from_wh(
        tree.size().width() * PT_PER_CSS_PX,
        tree.size().height() * PT_PER_CSS_PX,
    )
    .ok_or_else(|| figure_error("the figure has no area".to_string()))?;
    let mut document = krilla::Document::new_with(krilla::SerializeSettings::default());
    let mut page = document.start_page_with(krilla::page::PageSettings::new(size));
    let mut surface = page.surface();
    let drawn = surface.draw_svg(&tree, size, SvgSettings::default());
    surface.finish();
    page.finish();
    drawn.ok_or_else(|| figure_error("cannot draw the figure into the PDF".to_string()))?;
    document
        .finish()
        .map_err(|e| figure_error(format!("cannot write the PDF: {e:?}")))
}

/// Inserts a `pHYs` chunk (pixels per metre) after the PNG's IHDR chunk (PNG spec 11.3.5.3).
fn with_phys(png: &[u8], dpi: f32) -> Vec<u8> {
    // Signature (8) + IHDR length, type, 13 data bytes, CRC = 33 bytes.
    const IHDR_END: usize = 33;
    if png.len() < IHDR_END || &png[12..16] != b"IHDR" {
        return png.to_vec();
    }
    let ppm = (f64::from(dpi) / 0.0254).round() as u32;
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    let mut body = b"pHYs".to_vec();
    body.extend_from_slice(&ppm.to_be_bytes());
    body.extend_from_slice(&ppm.to_be_bytes());
    body.push(1); // unit: metre
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32(&body).to_be_bytes());
    let mut out = Vec::with_capacity(png.len() + chunk.len());
    out.extend_from_slice(&png[..IHDR_END]);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[IHDR_END..]);
    out
}

/// CRC-32 (ISO 3309, as PNG uses it).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_iend_is_the_known_constant() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn a_figure_becomes_a_300_dpi_png_and_a_pdf() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"48\" viewBox=\"0 0 96 48\">\
                   <rect width=\"96\" height=\"48\" fill=\"#fff\"/><path d=\"M0.5 0.5 L95.25 47.75\" stroke=\"#000\"/>\
                   <text x=\"4\" y=\"20\" font-family=\"sans-serif\" font-size=\"12\">µg/kg/min</text></svg>";
        let png = svg_to_png("t", svg).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // 96 CSS pixels = 1 inch = 300 pixels.
        assert_eq!(
            u32::from_be_bytes([png[16], png[17], png[18], png[19]]),
            300
        );
        assert_eq!(&png[37..41], b"pHYs");
        assert_eq!(
            u32::from_be_bytes([png[41], png[42], png[43], png[44]]),
            11_811
        );
        let pdf = svg_to_pdf("t", svg).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // One inch wide, half an inch high.
        assert!(contains(&pdf, b"/MediaBox[0 0 72 36]"));
        if fonts_available() {
            // The label stays text: an embedded font subset and a map back to Unicode.
            assert!(contains(&pdf, b"/FontFile"));
            assert!(contains(&pdf, b"/ToUnicode"));
        }
        assert_eq!(svg_to_pdf("t", svg).unwrap(), pdf);
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }
}

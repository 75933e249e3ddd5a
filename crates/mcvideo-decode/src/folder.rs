//! Folders of numbered PNG/TIFF frames as clips: natural numeric order, one image per frame.

use crate::{ClipInfo, DecodeError, MIN_FRAME_SIDE};
use image::{DynamicImage, GrayImage};
use std::cmp::Ordering;
use std::path::{Path, PathBuf};

/// The frame files of `dir` (`.png`, `.tif`, `.tiff`, any case; hidden files skipped) in natural
/// order, so `frame_2.png` comes before `frame_10.png`.
pub(crate) fn frame_files(dir: &Path) -> Result<Vec<PathBuf>, DecodeError> {
    let io_error = |source| DecodeError::Io {
        path: dir.to_path_buf(),
        step: "listing the frame folder",
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') || !path.is_file() {
            continue;
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if matches!(extension.as_deref(), Some("png" | "tif" | "tiff")) {
            files.push(path);
        }
    }
    files.sort_by(|a, b| natural_cmp(&file_name(a), &file_name(b)));
    if files.is_empty() {
        return Err(DecodeError::EmptyFolder {
            path: dir.to_path_buf(),
        });
    }
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Compares names with digit runs taken as numbers: `"f9" < "f10"`, `"f010" == "f10"` by value
/// (then by text, so the order is total).
///
/// ```
/// use std::cmp::Ordering;
/// assert_eq!(mcvideo_decode::natural_cmp("frame_9.png", "frame_10.png"), Ordering::Less);
/// assert_eq!(mcvideo_decode::natural_cmp("b1", "a2"), Ordering::Greater);
/// ```
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
                let (nx, ny) = (digits(x), digits(y));
                let strip = |s: &[u8]| {
                    let zeros = s.iter().take_while(|&&c| c == b'0').count();
                    s[zeros..].to_vec()
                };
                let (vx, vy) = (strip(&x[..nx]), strip(&y[..ny]));
                // Longer digit strings (without leading zeros) are larger numbers.
                let order = vx.len().cmp(&vy.len()).then_with(|| vx.cmp(&vy));
                if order != Ordering::Equal {
                    return order;
                }
                x = &x[nx..];
                y = &y[ny..];
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

/// Metadata of a frame folder from its file list and the first file's header.
pub(crate) fn folder_info(
    dir: &Path,
    files: &[PathBuf],
    fps: f64,
) -> Result<ClipInfo, DecodeError> {
    let first = &files[0];
    let (width, height) = image::image_dimensions(first).map_err(|source| DecodeError::Image {
        path: first.clone(),
        source,
    })?;
    if width < MIN_FRAME_SIDE || height < MIN_FRAME_SIDE {
        return Err(DecodeError::TooSmall {
            path: first.clone(),
            width,
            height,
            min: MIN_FRAME_SIDE,
        });
    }
    let tiff = first
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("tif") || e.eq_ignore_ascii_case("tiff"));
    let frames = files.len() as u64;
    Ok(ClipInfo {
        path: dir.to_path_buf(),
        frames,
        fps,
        width,
        height,
        duration_s: frames as f64 / fps,
        codec: if tiff { "tiff" } else { "png" }.to_string(),
        interlaced: false,
        content_region: None,
        timing: None,
        decode_errors: crate::DecodeDamage::default(),
        frame_times_s: Vec::new(),
    })
}

/// Reads one frame file as gray: gray stays gray, colour keeps its green channel
/// (see the crate docs), 16-bit and float samples are rounded to 8 bits.
pub(crate) fn read_frame(path: &Path) -> Result<GrayImage, DecodeError> {
    let image = image::open(path).map_err(|source| DecodeError::Image {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(to_gray(image))
}

fn to_gray(image: DynamicImage) -> GrayImage {
    let (width, height) = (image.width(), image.height());
    let green_of = |channels: usize, samples: Vec<u8>| {
        let green = if channels >= 3 { 1 } else { 0 };
        let pixels = samples.chunks_exact(channels).map(|p| p[green]).collect();
        GrayImage::from_raw(width, height, pixels)
    };
    let from_u16 = |channels: usize, samples: &[u16]| {
        let green = if channels >= 3 { 1 } else { 0 };
        let pixels = samples
            .chunks_exact(channels)
            .map(|p| ((u32::from(p[green]) + 128) / 257) as u8)
            .collect();
        GrayImage::from_raw(width, height, pixels)
    };
    let converted = match image {
        DynamicImage::ImageLuma8(gray) => Some(gray),
        DynamicImage::ImageLumaA8(img) => green_of(2, img.into_raw()),
        DynamicImage::ImageRgb8(img) => green_of(3, img.into_raw()),
        DynamicImage::ImageRgba8(img) => green_of(4, img.into_raw()),
        DynamicImage::ImageLuma16(img) => from_u16(1, img.as_raw()),
        DynamicImage::ImageLumaA16(img) => from_u16(2, img.as_raw()),
        DynamicImage::ImageRgb16(img) => from_u16(3, img.as_raw()),
        DynamicImage::ImageRgba16(img) => from_u16(4, img.as_raw()),
        other => {
            // Float images: green (or gray) in 0..1, scaled and rounded.
            let rgb = other.to_rgb32f();
            let pixels = rgb
                .pixels()
                .map(|p| (p.0[1].clamp(0.0, 1.0) * 255.0).round() as u8)
                .collect();
            GrayImage::from_raw(width, height, pixels)
        }
    };
    // Every branch builds exactly width × height samples, so from_raw cannot fail.
    converted.unwrap_or_else(|| GrayImage::new(width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_of_numbered_names() {
        let mut names = vec![
            "f10.png", "f2.png", "f1.png", "f010.png", "g0.png", "f02.png",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            ["f1.png", "f02.png", "f2.png", "f010.png", "f10.png", "g0.png"]
        );
    }

    #[test]
    fn colour_frames_keep_green() {
        let rgb = image::RgbImage::from_fn(3, 2, |x, y| image::Rgb([250, (x + 10 * y) as u8, 9]));
        let gray = to_gray(DynamicImage::ImageRgb8(rgb));
        assert_eq!(gray.as_raw(), &vec![0, 1, 2, 10, 11, 12]);
        let deep =
            image::ImageBuffer::<image::Luma<u16>, _>::from_raw(2, 1, vec![65535u16, 257]).unwrap();
        assert_eq!(
            to_gray(DynamicImage::ImageLuma16(deep)).as_raw(),
            &vec![255, 1]
        );
    }
}

//! Numbered PNG or TIFF frame folders (`frame_000000.png`, ...), each file written aside then renamed.

use crate::EncodeError;
use image::GrayImage;
use std::path::Path;

/// Writes `frames` as `dir/frame_000000.png`, `frame_000001.png`, ... (8-bit gray) and returns
/// how many were written. `dir` is created if missing.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let frames = (0..3u8).map(|v| image::GrayImage::from_pixel(4, 4, image::Luma([v])));
/// assert_eq!(mcvideo_encode::write_png_folder(dir.path(), frames).unwrap(), 3);
/// assert!(dir.path().join("frame_000002.png").exists());
/// ```
pub fn write_png_folder(
    dir: &Path,
    frames: impl IntoIterator<Item = GrayImage>,
) -> Result<u64, EncodeError> {
    write_folder(dir, frames, "png", image::ImageFormat::Png)
}

/// As [`write_png_folder`], with TIFF files (`frame_000000.tif`, ...).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let frames = (0..2u8).map(|v| image::GrayImage::from_pixel(4, 4, image::Luma([v])));
/// assert_eq!(mcvideo_encode::write_tiff_folder(dir.path(), frames).unwrap(), 2);
/// assert!(dir.path().join("frame_000001.tif").exists());
/// ```
pub fn write_tiff_folder(
    dir: &Path,
    frames: impl IntoIterator<Item = GrayImage>,
) -> Result<u64, EncodeError> {
    write_folder(dir, frames, "tif", image::ImageFormat::Tiff)
}

fn write_folder(
    dir: &Path,
    frames: impl IntoIterator<Item = GrayImage>,
    extension: &str,
    format: image::ImageFormat,
) -> Result<u64, EncodeError> {
    std::fs::create_dir_all(dir).map_err(|source| EncodeError::Io {
        path: dir.to_path_buf(),
        step: "creating the frame folder",
        source,
    })?;
    let mut count = 0u64;
    for frame in frames {
        let path = dir.join(format!("frame_{count:06}.{extension}"));
        let partial = crate::writer::partial_path(&path);
        // The partial name hides the extension, so the format is given explicitly.
        frame
            .save_with_format(&partial, format)
            .map_err(|source| EncodeError::Image {
                path: path.clone(),
                source,
            })?;
        std::fs::rename(&partial, &path).map_err(|source| EncodeError::Io {
            path: path.clone(),
            step: "renaming the finished .partial file into place",
            source,
        })?;
        count += 1;
    }
    Ok(count)
}

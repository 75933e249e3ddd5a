//! Decoding of microscopy clips (any FFmpeg format, image-sequence folders) into 8-bit grayscale frames.
//!
//! [`open`] gives a streaming [`FrameReader`] over a video file (anything FFmpeg reads: AVI with
//! rawvideo/FFV1/MJPEG/DV, MP4/MOV with H.264/MPEG-4, MKV, ...) or a folder of numbered PNG/TIFF
//! frames; [`probe`] reads metadata only; [`read_all`] decodes a whole clip into memory.
//!
//! Gray values: the luma (Y) plane of YUV and gray video, copied as stored (no range
//! conversion: limited-range video keeps its 16–235 codes), and the green channel of RGB video
//! and colour frame files, since dark-field microscopes image in green light where haemoglobin
//! absorbs most (see `pixels.rs`). Lossless clips (FFV1, rawvideo) decode bit-exactly.
//!
//! Errors name the file and the problem ([`DecodeError`]). Missing files, non-video files,
//! clips with no decodable frame, frames under 16×16 pixels, empty folders and truncated
//! clips are errors. A truncated clip yields the frames that decode and then ends with
//! [`DecodeError::Truncated`]; [`DecodeOptions::allow_truncated`] keeps those frames instead.

pub mod border;
mod error;
pub mod fields;
mod folder;
mod info;
mod pixels;
mod reader;
mod video;

pub use error::DecodeError;
pub use folder::natural_cmp;
pub use info::{ClipInfo, DecodeOptions, FieldMode, DEFAULT_FOLDER_FPS, MIN_FRAME_SIDE};
pub use reader::FrameReader;

use image::GrayImage;
use std::path::Path;

/// Initialises FFmpeg once and silences its log (our errors carry the file and the problem).
pub(crate) fn init_ffmpeg() -> Result<(), ffmpeg_next::Error> {
    static INIT: std::sync::OnceLock<Result<(), ffmpeg_next::Error>> = std::sync::OnceLock::new();
    *INIT.get_or_init(|| {
        ffmpeg_next::init()?;
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Quiet);
        Ok(())
    })
}

/// Metadata of a clip from its container (or folder listing and first frame's header),
/// without decoding it. `frames` is the count the container announces.
///
/// ```
/// let error = mcvideo_decode::probe(std::path::Path::new("no/such/clip.avi")).unwrap_err();
/// assert_eq!(error.to_string(), "no/such/clip.avi: no such file or folder");
/// ```
pub fn probe(path: &Path) -> Result<ClipInfo, DecodeError> {
    probe_with(path, &DecodeOptions::default())
}

/// [`probe`] with options (the frame rate of a frame folder).
///
/// ```
/// use mcvideo_decode::{probe_with, DecodeOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let frames = (0..4u8).map(|v| image::GrayImage::from_pixel(20, 16, image::Luma([v])));
/// mcvideo_encode::write_png_folder(dir.path(), frames).unwrap();
/// let options = DecodeOptions { folder_fps: Some(50.0), ..DecodeOptions::default() };
/// let info = probe_with(dir.path(), &options).unwrap();
/// assert_eq!((info.frames, info.fps, info.duration_s), (4, 50.0, 0.08));
/// assert_eq!((info.width, info.height, info.codec.as_str()), (20, 16, "png"));
/// ```
pub fn probe_with(path: &Path, options: &DecodeOptions) -> Result<ClipInfo, DecodeError> {
    if path.is_dir() {
        let files = folder::frame_files(path)?;
        folder::folder_info(path, &files, folder_fps(path, options)?)
    } else if path.exists() {
        video::probe_file(path)
    } else {
        Err(DecodeError::NotFound {
            path: path.to_path_buf(),
        })
    }
}

/// Opens a video file or frame folder for streaming decoding, with default options.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let error = mcvideo_decode::open(dir.path()).err().unwrap();
/// assert!(error.to_string().ends_with(": the folder holds no PNG or TIFF frame files"));
/// ```
pub fn open(path: &Path) -> Result<FrameReader, DecodeError> {
    open_with(path, &DecodeOptions::default())
}

/// [`open`] with options: frame-folder rate, tolerance of truncated clips, decoder threads.
///
/// ```
/// use mcvideo_decode::{open_with, DecodeOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let frames = (0..3u8).map(|v| image::GrayImage::from_pixel(16, 16, image::Luma([v * 9])));
/// mcvideo_encode::write_tiff_folder(dir.path(), frames).unwrap();
/// let options = DecodeOptions { folder_fps: Some(30.0), ..DecodeOptions::default() };
/// let reader = open_with(dir.path(), &options).unwrap();
/// assert_eq!(reader.info().fps, 30.0);
/// let values: Vec<u8> = reader.map(|f| f.unwrap()[(5, 5)][0]).collect();
/// assert_eq!(values, [0, 9, 18]);
/// ```
pub fn open_with(path: &Path, options: &DecodeOptions) -> Result<FrameReader, DecodeError> {
    if path.is_dir() {
        let files = folder::frame_files(path)?;
        let info = folder::folder_info(path, &files, folder_fps(path, options)?)?;
        Ok(FrameReader::folder(info, files))
    } else if path.exists() {
        video::VideoSource::open(path, options).map(FrameReader::video)
    } else {
        Err(DecodeError::NotFound {
            path: path.to_path_buf(),
        })
    }
}

/// Decodes a whole clip into memory. The returned `info.frames` (and `duration_s`) is the
/// number of frames decoded.
///
/// ```
/// let error = mcvideo_decode::read_all(std::path::Path::new("missing.mp4")).unwrap_err();
/// assert!(matches!(error, mcvideo_decode::DecodeError::NotFound { .. }));
/// ```
pub fn read_all(path: &Path) -> Result<(ClipInfo, Vec<GrayImage>), DecodeError> {
    read_all_with(path, &DecodeOptions::default())
}

/// [`read_all`] with options.
///
/// ```
/// use mcvideo_decode::{read_all_with, DecodeOptions};
/// use mcvideo_encode::{VideoFormat, VideoWriter};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("clip.mkv");
/// let mut writer = VideoWriter::create(&path, 16, 16, 20.0, VideoFormat::Ffv1Mkv).unwrap();
/// writer.write_frame(&image::GrayImage::from_pixel(16, 16, image::Luma([77]))).unwrap();
/// writer.finish().unwrap();
/// let options = DecodeOptions { threads: 1, ..DecodeOptions::default() };
/// let (info, frames) = read_all_with(&path, &options).unwrap();
/// assert_eq!((info.frames, info.fps, info.duration_s), (1, 20.0, 0.05));
/// assert_eq!(frames[0][(15, 15)][0], 77);
/// ```
pub fn read_all_with(
    path: &Path,
    options: &DecodeOptions,
) -> Result<(ClipInfo, Vec<GrayImage>), DecodeError> {
    let mut reader = open_with(path, options)?;
    let mut info = reader.info().clone();
    let mut frames = Vec::with_capacity(info.frames.min(100_000) as usize);
    for frame in &mut reader {
        frames.push(frame?);
    }
    if frames.is_empty() {
        return Err(DecodeError::NoFrames {
            path: path.to_path_buf(),
        });
    }
    // Interlacing shows only once frames decode; a clip flagged interlaced whose two fields
    // show one instant holds progressive pictures and is read as such.
    info.interlaced = reader.info().interlaced
        && fields::field_time_ratio(&frames)
            .is_none_or(|ratio| ratio >= fields::PROGRESSIVE_FIELD_RATIO);
    if info.interlaced && options.fields == FieldMode::Split {
        let top_first = reader.top_field_first();
        frames = frames
            .into_iter()
            .flat_map(|frame| fields::split_fields(&frame, top_first))
            .collect();
        info.fps *= 2.0;
    }
    info.frames = frames.len() as u64;
    info.duration_s = info.frames as f64 / info.fps;
    Ok((info, frames))
}

fn folder_fps(path: &Path, options: &DecodeOptions) -> Result<f64, DecodeError> {
    let fps = options.folder_fps.unwrap_or(DEFAULT_FOLDER_FPS);
    if fps.is_finite() && fps > 0.0 {
        Ok(fps)
    } else {
        Err(DecodeError::BadOption {
            path: path.to_path_buf(),
            detail: format!("the frame rate of a frame folder must be positive, not {fps}"),
        })
    }
}

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
mod damage;
mod error;
pub mod fields;
mod folder;
mod info;
pub mod live;
pub mod mha;
pub mod pipelined;
mod pixels;
mod reader;
pub mod timing;
mod video;

pub use error::DecodeError;
pub use folder::natural_cmp;
pub use info::{
    damage_limit, ClipInfo, DecodeDamage, DecodeOptions, FieldMode, DEFAULT_FOLDER_FPS,
    MAX_DAMAGED_RUN, MIN_FRAME_SIDE,
};
pub use reader::FrameReader;

use image::GrayImage;
use std::path::Path;

/// Initialises FFmpeg once and silences its log (our errors carry the file and the problem);
/// the log still counts each decoder's error messages (see `damage.rs`).
pub(crate) fn init_ffmpeg() -> Result<(), ffmpeg_next::Error> {
    static INIT: std::sync::OnceLock<Result<(), ffmpeg_next::Error>> = std::sync::OnceLock::new();
    *INIT.get_or_init(|| {
        ffmpeg_next::init()?;
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Quiet);
        // SAFETY: the callback matches av_log's contract (see `damage::log_callback`) and
        // is a plain function that lives as long as the program.
        unsafe { ffmpeg_next::ffi::av_log_set_callback(Some(damage::log_callback)) };
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
    } else if path.is_file() && mha::is_metaimage(path) {
        metaimage_info(path, &mha::read_header(path)?, options)
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
    } else if path.is_file() && mha::is_metaimage(path) {
        let frames = mha::MhaFrames::open(path)?;
        let info = metaimage_info(path, frames.header(), options)?;
        Ok(FrameReader::metaimage(info, frames))
    } else if path.exists() {
        video::VideoSource::open(path, options).map(FrameReader::video)
    } else {
        Err(DecodeError::NotFound {
            path: path.to_path_buf(),
        })
    }
}

/// Decodes a whole clip into memory. The returned `info.frames` (and `duration_s`) is the
/// number of frames decoded. Video files also get their frames' presentation times
/// (`info.frame_times_s`) and how evenly they are spaced (`info.timing`): a clip whose spacing
/// varies beyond [`timing::VARIABLE_RATE_TOLERANCE`] is resampled onto an even grid
/// ([`timing::resample_even`]) and `info.fps` is that grid's rate; an evenly spaced clip whose
/// timestamps give another rate than the container states gets its effective rate. Frames
/// that decoded with errors are counted in `info.decode_errors`; too many are an error
/// ([`DecodeError::Damaged`]).
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
    let (info, frames) = pipelined::read_clip_with(
        path,
        options,
        &pipelined::FrameStore::Memory,
        pipelined::DEFAULT_DEPTH,
    )?;
    Ok((info, frames.into_memory()))
}

/// A MetaImage clip's metadata: its header's size and frame count, at the rate of
/// `options.folder_fps` when given, else the frame interval its header gives
/// ([`mha::MhaHeader::frame_interval_s`]), else [`DEFAULT_FOLDER_FPS`].
fn metaimage_info(
    path: &Path,
    header: &mha::MhaHeader,
    options: &DecodeOptions,
) -> Result<ClipInfo, DecodeError> {
    if header.width < MIN_FRAME_SIDE || header.height < MIN_FRAME_SIDE {
        return Err(DecodeError::TooSmall {
            path: path.to_path_buf(),
            width: header.width,
            height: header.height,
            min: MIN_FRAME_SIDE,
        });
    }
    let fps = match (options.folder_fps, header.frame_interval_s) {
        // The interval is a rounded decimal: 1/30 s written as 0.033333333 is 30 frames/s.
        (None, Some(interval)) => {
            let rate = 1.0 / interval;
            let rounded = (rate * 1000.0).round() / 1000.0;
            if ((rate - rounded) / rate).abs() < 1e-6 {
                rounded
            } else {
                rate
            }
        }
        _ => folder_fps(path, options)?,
    };
    Ok(ClipInfo {
        path: path.to_path_buf(),
        frames: header.frames,
        fps,
        width: header.width,
        height: header.height,
        duration_s: header.frames as f64 / fps,
        codec: if header.compressed {
            "metaimage-zlib".to_string()
        } else {
            "metaimage".to_string()
        },
        interlaced: false,
        content_region: None,
        timing: None,
        decode_errors: DecodeDamage::default(),
        frame_times_s: Vec::new(),
    })
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

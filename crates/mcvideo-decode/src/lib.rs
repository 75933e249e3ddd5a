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
pub mod mha;
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
    let result = read_all_once(path, options);
    // Which frame a concealed error is charged to depends on how the decoder's threads
    // interleave; a damaged clip is read again on one thread, so that its count is the same
    // on every run.
    let damaged = match &result {
        Ok((info, _)) => info.decode_errors.frames > 0,
        Err(error) => matches!(error, DecodeError::Damaged { .. }),
    };
    if damaged && options.threads != 1 && !path.is_dir() {
        let single = DecodeOptions {
            threads: 1,
            ..options.clone()
        };
        return read_all_once(path, &single);
    }
    result
}

/// The effective rate of evenly spaced frames is taken as the container's rate when the two
/// agree this closely: the nominal rate is the exact ratio the timestamps were written with,
/// and the difference is their rounding.
const SAME_RATE: f64 = 1e-3;

fn read_all_once(
    path: &Path,
    options: &DecodeOptions,
) -> Result<(ClipInfo, Vec<GrayImage>), DecodeError> {
    let mut reader = open_with(path, options)?;
    let mut info = reader.info().clone();
    let capacity = info.frames.min(100_000) as usize;
    let mut frames = Vec::with_capacity(capacity);
    let mut stamps: Vec<Option<f64>> = Vec::with_capacity(capacity);
    while let Some(frame) = reader.next_timed() {
        let (frame, time_s) = frame?;
        frames.push(frame);
        stamps.push(time_s);
    }
    if frames.is_empty() {
        return Err(DecodeError::NoFrames {
            path: path.to_path_buf(),
        });
    }
    info.decode_errors = reader.damage();
    // Interlacing shows only once frames decode; a clip flagged interlaced whose two fields
    // show one instant holds progressive pictures and is read as such.
    info.interlaced = reader.info().interlaced
        && fields::field_time_ratio(&frames)
            .is_none_or(|ratio| ratio >= fields::PROGRESSIVE_FIELD_RATIO);
    // Frame folders are evenly spaced by definition; video files say when each frame shows.
    let stamped: Option<Vec<f64>> = if path.is_dir() {
        None
    } else {
        stamps.iter().copied().collect()
    };
    if let Some(stamped) = stamped {
        let start = stamped[0];
        let times: Vec<f64> = stamped.iter().map(|t| t - start).collect();
        info.timing = timing::FrameTiming::from_times(&times, reader.tick_s(), info.fps);
        if let Some(timing) = &mut info.timing {
            if timing.variable {
                let (even, fps) = timing::resample_even(frames, &times);
                frames = even;
                info.fps = fps;
                timing.resampled_fps = Some(fps);
            } else if (timing.effective_fps / info.fps - 1.0).abs() > SAME_RATE {
                info.fps = timing.effective_fps;
            }
        }
        info.frame_times_s = times;
    }
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

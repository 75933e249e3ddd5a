//! [`FrameReader`]: the streaming iterator over a clip's gray frames, video file or frame folder.

use crate::folder;
use crate::video::VideoSource;
use crate::{ClipInfo, DecodeError};
use image::GrayImage;
use std::path::PathBuf;

/// Gray frames of one clip, decoded one at a time (the clip is never held in memory whole).
///
/// Yields `Ok(frame)` for each frame in display order. A stream that fails ends with one
/// `Err` (after the frames that did decode), then `None`.
pub struct FrameReader {
    source: Source,
}

enum Source {
    Video(Box<VideoSource>),
    Folder {
        info: ClipInfo,
        files: std::vec::IntoIter<PathBuf>,
        index: u64,
        failed: bool,
    },
    MetaImage {
        info: ClipInfo,
        frames: Box<crate::mha::MhaFrames>,
        index: u64,
    },
}

impl FrameReader {
    pub(crate) fn video(source: VideoSource) -> Self {
        FrameReader {
            source: Source::Video(Box::new(source)),
        }
    }

    pub(crate) fn folder(info: ClipInfo, files: Vec<PathBuf>) -> Self {
        FrameReader {
            source: Source::Folder {
                info,
                files: files.into_iter(),
                index: 0,
                failed: false,
            },
        }
    }

    pub(crate) fn metaimage(info: ClipInfo, frames: crate::mha::MhaFrames) -> Self {
        FrameReader {
            source: Source::MetaImage {
                info,
                frames: Box::new(frames),
                index: 0,
            },
        }
    }

    /// The clip's metadata as the container (or folder listing) gives it.
    ///
    /// ```
    /// use mcvideo_encode::{VideoFormat, VideoWriter};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("clip.avi");
    /// let mut writer = VideoWriter::create(&path, 32, 24, 25.0, VideoFormat::Ffv1Avi).unwrap();
    /// for value in [10u8, 20, 30] {
    ///     writer.write_frame(&image::GrayImage::from_pixel(32, 24, image::Luma([value]))).unwrap();
    /// }
    /// writer.finish().unwrap();
    /// let reader = mcvideo_decode::open(&path).unwrap();
    /// let info = reader.info();
    /// assert_eq!((info.frames, info.width, info.height, info.fps), (3, 32, 24, 25.0));
    /// assert_eq!(info.codec, "ffv1");
    /// let firsts: Vec<u8> = reader.map(|frame| frame.unwrap()[(0, 0)][0]).collect();
    /// assert_eq!(firsts, [10, 20, 30]);
    /// ```
    pub fn info(&self) -> &ClipInfo {
        match &self.source {
            Source::Video(video) => video.info(),
            Source::Folder { info, .. } | Source::MetaImage { info, .. } => info,
        }
    }

    /// The unit of the stream's timestamps in seconds (0 for frame folders).
    pub(crate) fn tick_s(&self) -> f64 {
        match &self.source {
            Source::Video(video) => video.tick_s(),
            Source::Folder { .. } | Source::MetaImage { .. } => 0.0,
        }
    }

    /// Frames that decoded with errors so far (all of them once the reader has ended); none
    /// for frame folders, whose broken files are errors.
    pub fn damage(&self) -> crate::DecodeDamage {
        match &self.source {
            Source::Video(video) => video.damage().clone(),
            Source::Folder { .. } | Source::MetaImage { .. } => crate::DecodeDamage::default(),
        }
    }

    /// The next frame with its presentation time in seconds: the stream's timestamp for
    /// video files (`None` when the stream carries none), `index / fps` for frame folders.
    /// [`Iterator::next`] gives the same frames without the time.
    ///
    /// ```
    /// use mcvideo_encode::{VideoFormat, VideoWriter};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("clip.mkv");
    /// let mut writer = VideoWriter::create(&path, 16, 16, 25.0, VideoFormat::Ffv1Mkv).unwrap();
    /// for _ in 0..3 {
    ///     writer.write_frame(&image::GrayImage::from_pixel(16, 16, image::Luma([50]))).unwrap();
    /// }
    /// writer.finish().unwrap();
    /// let mut reader = mcvideo_decode::open(&path).unwrap();
    /// let mut times = Vec::new();
    /// while let Some(frame) = reader.next_timed() {
    ///     times.push(frame.unwrap().1.unwrap());
    /// }
    /// assert_eq!(times, [0.0, 0.04, 0.08]);
    /// ```
    pub fn next_timed(&mut self) -> Option<Result<(GrayImage, Option<f64>), DecodeError>> {
        let (fps, index) = match &mut self.source {
            Source::Video(video) => return video.next_frame(),
            Source::Folder { info, index, .. } => (info.fps, *index),
            // MetaImage stores no time per frame: evenly spaced at the clip's rate.
            Source::MetaImage { frames, index, .. } => {
                let frame = frames.next()?;
                *index += 1;
                return Some(frame.map(|f| (f, None)));
            }
        };
        self.next_folder_frame()
            .map(|frame| frame.map(|f| (f, Some(index as f64 / fps))))
    }

    fn next_folder_frame(&mut self) -> Option<Result<GrayImage, DecodeError>> {
        let Source::Folder {
            info,
            files,
            index,
            failed,
        } = &mut self.source
        else {
            return None;
        };
        if *failed {
            return None;
        }
        let path = files.next()?;
        let frame = folder::read_frame(&path).and_then(|frame| {
            if frame.dimensions() == (info.width, info.height) {
                Ok(frame)
            } else {
                Err(DecodeError::FrameSizeChanged {
                    path: path.clone(),
                    index: *index,
                    width: info.width,
                    height: info.height,
                    got_width: frame.width(),
                    got_height: frame.height(),
                })
            }
        });
        *failed = frame.is_err();
        *index += 1;
        Some(frame)
    }

    /// For interlaced video, whether the top field was exposed first (see
    /// [`crate::fields::split_fields`]); `false` for frame folders.
    pub(crate) fn top_field_first(&self) -> bool {
        match &self.source {
            Source::Video(video) => video.top_field_first(),
            Source::Folder { .. } | Source::MetaImage { .. } => false,
        }
    }
}

impl Iterator for FrameReader {
    type Item = Result<GrayImage, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_timed().map(|frame| frame.map(|(image, _)| image))
    }
}

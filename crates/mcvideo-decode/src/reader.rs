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
            Source::Folder { info, .. } => info,
        }
    }

    /// For interlaced video, whether the top field was exposed first (see
    /// [`crate::fields::split_fields`]); `false` for frame folders.
    pub(crate) fn top_field_first(&self) -> bool {
        match &self.source {
            Source::Video(video) => video.top_field_first(),
            Source::Folder { .. } => false,
        }
    }
}

impl Iterator for FrameReader {
    type Item = Result<GrayImage, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.source {
            Source::Video(video) => video.next_frame(),
            Source::Folder {
                info,
                files,
                index,
                failed,
            } => {
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
        }
    }
}

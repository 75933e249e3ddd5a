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
    pub fn info(&self) -> &ClipInfo {
        match &self.source {
            Source::Video(video) => video.info(),
            Source::Folder { info, .. } => info,
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

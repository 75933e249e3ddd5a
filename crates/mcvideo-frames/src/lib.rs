//! A clip's decoded 8-bit frames as the stages read them: held in memory, or spilled to a temporary file.
//!
//! Every stage that reads frames takes any [`Frames`]: a slice or `Vec` of [`GrayImage`]
//! (tests, short clips) or a [`ClipFrames`], which a whole clip is decoded into. A spilled
//! clip ([`SpilledFrames`]) keeps its frames, as raw 8-bit rows, in an unnamed temporary file
//! that the operating system removes on every exit path (the file has no name from the start),
//! so memory does not grow with the clip's length: the page cache, not the process, holds the
//! pixels, and a stage reads one frame at a time.

mod planes;
mod spill;

pub use planes::SpilledPlanes;
pub use spill::{SpillWriter, SpilledFrames};

use image::GrayImage;
use std::borrow::Cow;

/// Failures of the frame store: the temporary file could not be written or read back.
#[derive(Debug, thiserror::Error)]
pub enum FramesError {
    #[error("temporary frame file in {dir}: {source}")]
    Spill {
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("a frame of {got_w}x{got_h} in a clip of {width}x{height} frames")]
    Size {
        width: u32,
        height: u32,
        got_w: u32,
        got_h: u32,
    },
}

/// Random access to a clip's frames. Stages that visit every frame go in frame order, so a
/// spilled clip is read sequentially.
pub trait Frames: Sync {
    /// Number of frames.
    fn len(&self) -> usize;
    /// Frame `t` (`t < len()`).
    fn frame(&self, t: usize) -> Cow<'_, GrayImage>;
    /// Size of frame `t`; a store whose frames all share one size answers without reading.
    fn dimensions(&self, t: usize) -> (u32, u32) {
        self.frame(t).dimensions()
    }
    /// True when there is no frame.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Rows `rows` of frame `t`, or more: an image of whole rows of the frame and the frame
    /// row its first row is. A store that holds the frames in memory lends the whole frame; a
    /// spilled one reads only the rows asked for.
    fn rows(&self, t: usize, rows: std::ops::Range<u32>) -> (Cow<'_, GrayImage>, u32) {
        let _ = rows;
        (self.frame(t), 0)
    }
    /// The folder of the temporary file the frames are spilled to, if they are: a stage
    /// that keeps per-frame working data spills it there too, so its memory stays flat in
    /// the clip's length.
    fn spill_dir(&self) -> Option<&std::path::Path> {
        None
    }
}

impl Frames for [GrayImage] {
    fn len(&self) -> usize {
        <[GrayImage]>::len(self)
    }
    fn frame(&self, t: usize) -> Cow<'_, GrayImage> {
        Cow::Borrowed(&self[t])
    }
    fn dimensions(&self, t: usize) -> (u32, u32) {
        self[t].dimensions()
    }
}

impl Frames for Vec<GrayImage> {
    fn len(&self) -> usize {
        <[GrayImage]>::len(self)
    }
    fn frame(&self, t: usize) -> Cow<'_, GrayImage> {
        Cow::Borrowed(&self[t])
    }
    fn dimensions(&self, t: usize) -> (u32, u32) {
        self[t].dimensions()
    }
}

impl<F: Frames + ?Sized> Frames for &F {
    fn len(&self) -> usize {
        (**self).len()
    }
    fn frame(&self, t: usize) -> Cow<'_, GrayImage> {
        (**self).frame(t)
    }
    fn dimensions(&self, t: usize) -> (u32, u32) {
        (**self).dimensions(t)
    }
    fn rows(&self, t: usize, rows: std::ops::Range<u32>) -> (Cow<'_, GrayImage>, u32) {
        (**self).rows(t, rows)
    }
    fn spill_dir(&self) -> Option<&std::path::Path> {
        (**self).spill_dir()
    }
}

/// A whole decoded clip: in memory, or spilled to a temporary file.
#[derive(Debug)]
pub enum ClipFrames {
    Memory(Vec<GrayImage>),
    Spilled(SpilledFrames),
}

impl ClipFrames {
    /// Inverts every frame (`255 - v`): in place in memory, on reading when spilled.
    pub fn invert(&mut self) {
        match self {
            ClipFrames::Memory(frames) => {
                for frame in frames {
                    frame.iter_mut().for_each(|v| *v = 255 - *v);
                }
            }
            ClipFrames::Spilled(spilled) => spilled.invert(),
        }
    }

    /// Cuts every frame to `area` (`[x0, y0, x1, y1]`, exclusive ends).
    pub fn crop(self, area: [u32; 4]) -> ClipFrames {
        let [x0, y0, x1, y1] = area;
        match self {
            ClipFrames::Memory(frames) => ClipFrames::Memory(
                frames
                    .into_iter()
                    .map(|f| image::imageops::crop_imm(&f, x0, y0, x1 - x0, y1 - y0).to_image())
                    .collect(),
            ),
            ClipFrames::Spilled(spilled) => ClipFrames::Spilled(spilled.cropped(area)),
        }
    }

    /// The first failure to read the temporary file back, if any: frames that could not be
    /// read are delivered blank, so a stage's result is void when this is `Some`.
    pub fn read_failure(&self) -> Option<String> {
        match self {
            ClipFrames::Memory(_) => None,
            ClipFrames::Spilled(spilled) => spilled.read_failure(),
        }
    }

    /// All frames in memory (a spilled clip is read back whole).
    pub fn into_memory(self) -> Vec<GrayImage> {
        match self {
            ClipFrames::Memory(frames) => frames,
            ClipFrames::Spilled(spilled) => (0..spilled.len())
                .map(|t| spilled.frame(t).into_owned())
                .collect(),
        }
    }

    /// True when the frames live in a temporary file.
    pub fn is_spilled(&self) -> bool {
        matches!(self, ClipFrames::Spilled(_))
    }
}

impl Frames for ClipFrames {
    fn len(&self) -> usize {
        match self {
            ClipFrames::Memory(frames) => frames.len(),
            ClipFrames::Spilled(spilled) => spilled.len(),
        }
    }
    fn frame(&self, t: usize) -> Cow<'_, GrayImage> {
        match self {
            ClipFrames::Memory(frames) => Cow::Borrowed(&frames[t]),
            ClipFrames::Spilled(spilled) => spilled.frame(t),
        }
    }
    fn dimensions(&self, t: usize) -> (u32, u32) {
        match self {
            ClipFrames::Memory(frames) => frames[t].dimensions(),
            ClipFrames::Spilled(spilled) => spilled.dimensions(t),
        }
    }
    fn rows(&self, t: usize, rows: std::ops::Range<u32>) -> (Cow<'_, GrayImage>, u32) {
        match self {
            ClipFrames::Memory(frames) => (Cow::Borrowed(&frames[t]), 0),
            ClipFrames::Spilled(spilled) => {
                let first = rows.start.min(spilled.dimensions(t).1);
                (spilled.rows(t, rows), first)
            }
        }
    }
    fn spill_dir(&self) -> Option<&std::path::Path> {
        match self {
            ClipFrames::Memory(_) => None,
            ClipFrames::Spilled(spilled) => Some(spilled.dir()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn clip() -> Vec<GrayImage> {
        (0..5u32)
            .map(|t| GrayImage::from_fn(7, 4, |x, y| Luma([(t * 40 + y * 7 + x) as u8])))
            .collect()
    }

    fn spilled(frames: &[GrayImage]) -> SpilledFrames {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = SpillWriter::create(dir.path(), 7, 4).unwrap();
        for f in frames {
            writer.push(f).unwrap();
        }
        // The file has no name: the folder is empty while the frames are readable.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        writer.finish().unwrap()
    }

    #[test]
    fn spilled_frames_read_back_as_written_cropped_and_inverted() {
        let frames = clip();
        let memory = ClipFrames::Memory(frames.clone());
        let spill = ClipFrames::Spilled(spilled(&frames));
        assert_eq!(spill.len(), 5);
        for (t, frame) in frames.iter().enumerate() {
            assert_eq!(*spill.frame(t), *frame);
        }
        let area = [1, 1, 6, 3];
        let (mut a, mut b) = (memory.crop(area), spill.crop(area));
        a.invert();
        b.invert();
        assert_eq!(b.dimensions(2), (5, 2));
        for t in 0..5 {
            assert_eq!(*a.frame(t), *b.frame(t));
        }
        assert_eq!(b.read_failure(), None);
        assert_eq!(b.into_memory(), a.into_memory());
    }

    #[test]
    fn a_band_of_rows_reads_the_same_pixels_as_the_whole_frame() {
        let frames = clip();
        let spill = ClipFrames::Spilled(spilled(&frames)).crop([1, 1, 6, 4]);
        let memory = ClipFrames::Memory(frames).crop([1, 1, 6, 4]);
        let (band, first) = spill.rows(3, 1..3);
        assert_eq!((band.dimensions(), first), ((5, 2), 1));
        let whole = memory.frame(3);
        assert_eq!(band.as_raw()[..], whole.as_raw()[5..15]);
        // Memory lends the whole frame; rows past the end are clamped.
        let (lent, first) = memory.rows(3, 1..3);
        assert_eq!((lent.dimensions(), first), ((5, 3), 0));
        let (tail, first) = spill.rows(3, 2..9);
        assert_eq!((tail.dimensions(), first), ((5, 1), 2));
    }

    #[test]
    fn a_frame_of_another_size_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = SpillWriter::create(dir.path(), 7, 4).unwrap();
        let error = writer.push(&GrayImage::new(8, 4)).unwrap_err();
        assert_eq!(error.to_string(), "a frame of 8x4 in a clip of 7x4 frames");
    }

    #[test]
    fn slices_and_vectors_are_frames() {
        let frames = clip();
        fn total<F: Frames + ?Sized>(f: &F) -> u64 {
            (0..f.len()).map(|t| u64::from(f.frame(t)[(0, 0)][0])).sum()
        }
        assert_eq!(total(&frames), 400);
        assert_eq!(total(&frames[..2]), 40);
    }
}

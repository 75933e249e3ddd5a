//! Frames spilled to an unnamed temporary file: written once in order, read back by index.

use crate::FramesError;
use image::GrayImage;
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Writes frames of one size, in order, to a temporary file in a given folder.
pub struct SpillWriter {
    dir: PathBuf,
    out: BufWriter<File>,
    width: u32,
    height: u32,
    len: usize,
}

impl SpillWriter {
    /// A temporary file in `dir` for frames of `width`×`height`. The file is unnamed (or
    /// unlinked at once where the system has no unnamed files), so nothing is left behind
    /// whichever way the program ends.
    pub fn create(dir: &Path, width: u32, height: u32) -> Result<SpillWriter, FramesError> {
        let file = tempfile::tempfile_in(dir).map_err(|source| FramesError::Spill {
            dir: dir.to_path_buf(),
            source,
        })?;
        Ok(SpillWriter {
            dir: dir.to_path_buf(),
            // Whole frames per write: large sequential writes into the page cache.
            out: BufWriter::with_capacity(1 << 20, file),
            width,
            height,
            len: 0,
        })
    }

    /// Appends one frame.
    pub fn push(&mut self, frame: &GrayImage) -> Result<(), FramesError> {
        if frame.dimensions() != (self.width, self.height) {
            return Err(FramesError::Size {
                width: self.width,
                height: self.height,
                got_w: frame.width(),
                got_h: frame.height(),
            });
        }
        self.out
            .write_all(frame.as_raw())
            .map_err(|source| FramesError::Spill {
                dir: self.dir.clone(),
                source,
            })?;
        self.len += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True before the first frame.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Ends writing; the frames can then be read.
    pub fn finish(self) -> Result<SpilledFrames, FramesError> {
        let dir = self.dir;
        let file = self.out.into_inner().map_err(|e| FramesError::Spill {
            dir: dir.clone(),
            source: e.into_error(),
        })?;
        Ok(SpilledFrames {
            file,
            dir,
            width: self.width,
            height: self.height,
            len: self.len,
            area: [0, 0, self.width, self.height],
            inverted: false,
            failure: Mutex::new(None),
        })
    }
}

/// Frames read back from a [`SpillWriter`]'s file, optionally cropped and inverted on reading.
#[derive(Debug)]
pub struct SpilledFrames {
    file: File,
    dir: PathBuf,
    width: u32,
    height: u32,
    len: usize,
    /// The part of each stored frame delivered, `[x0, y0, x1, y1]`.
    area: [u32; 4],
    inverted: bool,
    /// The first read error; frames that failed to read come back blank.
    failure: Mutex<Option<String>>,
}

impl SpilledFrames {
    /// Number of frames.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no frame was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The folder of the temporary file.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Size of every delivered frame.
    pub fn dimensions(&self, _t: usize) -> (u32, u32) {
        let [x0, y0, x1, y1] = self.area;
        (x1 - x0, y1 - y0)
    }

    /// Frame `t`, cut to the area and inverted as set.
    pub fn frame(&self, t: usize) -> Cow<'_, GrayImage> {
        let (_, h) = self.dimensions(t);
        self.rows(t, 0..h)
    }

    /// Rows `rows` of frame `t` (clamped to the frame), cut to the area and inverted as set:
    /// only those rows are read.
    pub fn rows(&self, t: usize, rows: std::ops::Range<u32>) -> Cow<'_, GrayImage> {
        let [x0, area_y0, x1, area_y1] = self.area;
        let height = area_y1 - area_y0;
        let (start, end) = (rows.start.min(height), rows.end.min(height));
        let y0 = area_y0 + start;
        let (w, h) = ((x1 - x0) as usize, end.saturating_sub(start) as usize);
        let stride = self.width as usize;
        let frame_bytes = stride * self.height as usize;
        // The stored rows the area spans, in one read.
        let mut stored = vec![0u8; stride * h];
        let offset = (t * frame_bytes + y0 as usize * stride) as u64;
        if let Err(error) = self.file.read_exact_at(&mut stored, offset) {
            self.note_failure(format!(
                "temporary frame file in {}: frame {t} could not be read back: {error}",
                self.dir.display()
            ));
            stored.iter_mut().for_each(|v| *v = 0);
        }
        let mut pixels = if w == stride {
            stored
        } else {
            let (a, b) = (x0 as usize, x1 as usize);
            stored
                .chunks_exact(stride)
                .flat_map(|row| &row[a..b])
                .copied()
                .collect()
        };
        if self.inverted {
            pixels.iter_mut().for_each(|v| *v = 255 - *v);
        }
        let image = GrayImage::from_raw(w as u32, h as u32, pixels)
            .unwrap_or_else(|| GrayImage::new(w as u32, h as u32));
        Cow::Owned(image)
    }

    /// The same frames cut to `area` (in the delivered frame's coordinates).
    pub fn cropped(mut self, area: [u32; 4]) -> SpilledFrames {
        let [x0, y0, ..] = self.area;
        self.area = [
            x0 + area[0],
            y0 + area[1],
            x0 + area[2].max(area[0]),
            y0 + area[3].max(area[1]),
        ];
        self
    }

    /// Delivers the frames inverted (`255 - v`), or back as stored when called again.
    pub fn invert(&mut self) {
        self.inverted = !self.inverted;
    }

    /// The first read failure, if any.
    pub fn read_failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    fn note_failure(&self, message: String) {
        if let Ok(mut failure) = self.failure.lock() {
            failure.get_or_insert(message);
        }
    }
}

//! [`MhaWriter`]: gray frames as a MetaImage clip (`.mha`), CytoCam's export format.
//!
//! One file: a text header (Kitware MetaIO's tags: `ObjectType`, `NDims = 3`, `DimSize = W H
//! frames`, `ElementType = MET_UCHAR`, `ElementSpacing` in millimetres with the frame
//! interval in seconds third, `CompressedData`, `ElementDataFile = LOCAL`), then the frames, x
//! fastest, raw or as one zlib stream. The frame count is written when the clip is finished,
//! into a fixed-width field of the header; the file is written aside as `<path>.partial` and
//! renamed when complete.

use crate::EncodeError;
use image::GrayImage;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Digits reserved for the frame count in `DimSize`.
const COUNT_DIGITS: usize = 10;

enum Sink {
    Raw(BufWriter<File>),
    Zlib(flate2::write::ZlibEncoder<BufWriter<File>>),
}

/// A MetaImage clip being written; see the module documentation.
///
/// ```
/// use mcvideo_encode::MhaWriter;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("clip.mha");
/// let mut writer = MhaWriter::create(&path, 4, 2, 25.0, Some(0.71), true).unwrap();
/// for v in 0..3u8 {
///     writer.write_frame(&image::GrayImage::from_pixel(4, 2, image::Luma([v]))).unwrap();
/// }
/// writer.finish().unwrap();
/// let text = std::fs::read(&path).unwrap();
/// let header = String::from_utf8_lossy(&text[..200]);
/// assert!(header.contains("DimSize = 4 2 0000000003\n"));
/// assert!(header.contains("ElementSpacing = 0.00071 0.00071 0.04\n"));
/// assert!(header.contains("CompressedData = True\n"));
/// ```
pub struct MhaWriter {
    path: PathBuf,
    partial: PathBuf,
    width: u32,
    height: u32,
    frames_written: u64,
    count_at: u64,
    sink: Option<Sink>,
}

fn io_error(path: &Path, step: &'static str) -> impl FnOnce(std::io::Error) -> EncodeError + use<> {
    let path = path.to_path_buf();
    move |source| EncodeError::Io { path, step, source }
}

impl MhaWriter {
    /// Starts a clip of `width`x`height` frames at `fps` frames/s; `um_per_px`, when given, is
    /// stored as `ElementSpacing` (in millimetres, MetaIO's unit). `compressed` stores the
    /// frames as one zlib stream.
    pub fn create(
        path: &Path,
        width: u32,
        height: u32,
        fps: f64,
        um_per_px: Option<f64>,
        compressed: bool,
    ) -> Result<MhaWriter, EncodeError> {
        if !(fps.is_finite() && fps > 0.0) {
            return Err(EncodeError::BadFps {
                path: path.to_path_buf(),
                fps,
                format: "mha",
                reason: "the frame rate must be a positive number",
            });
        }
        if width == 0 || height == 0 {
            return Err(EncodeError::BadSize {
                path: path.to_path_buf(),
                width,
                height,
                format: "mha",
                reason: "frames need at least one pixel",
            });
        }
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let file = File::create(&partial).map_err(io_error(path, "creating the .partial file"))?;
        let mut out = BufWriter::new(file);
        let spacing = match um_per_px.filter(|s| s.is_finite() && *s > 0.0) {
            Some(um) => {
                let mm = decimal(um / 1000.0);
                format!("{mm} {mm} {}", decimal(1.0 / fps))
            }
            None => format!("1 1 {}", decimal(1.0 / fps)),
        };
        let head = format!(
            "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n\
             CompressedData = {}\nElementSpacing = {spacing}\nDimSize = {width} {height} ",
            if compressed { "True" } else { "False" },
        );
        let count_at = head.len() as u64;
        let tail = format!(
            "{:0width$}\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n",
            0,
            width = COUNT_DIGITS
        );
        let written = out
            .write_all(head.as_bytes())
            .and_then(|()| out.write_all(tail.as_bytes()));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(io_error(path, "writing the MetaImage header")(e));
        }
        let sink = if compressed {
            Sink::Zlib(flate2::write::ZlibEncoder::new(
                out,
                flate2::Compression::default(),
            ))
        } else {
            Sink::Raw(out)
        };
        Ok(MhaWriter {
            path: path.to_path_buf(),
            partial,
            width,
            height,
            frames_written: 0,
            count_at,
            sink: Some(sink),
        })
    }

    /// Frames accepted so far.
    pub fn frames_written(&self) -> u64 {
        self.frames_written
    }

    /// Appends one frame; it must have the size given to [`MhaWriter::create`].
    pub fn write_frame(&mut self, frame: &GrayImage) -> Result<(), EncodeError> {
        EncodeError::check_frame_size(
            &self.path,
            self.frames_written,
            (self.width, self.height),
            frame,
        )?;
        let written = match self.sink.as_mut() {
            Some(Sink::Raw(out)) => out.write_all(frame.as_raw()),
            Some(Sink::Zlib(out)) => out.write_all(frame.as_raw()),
            None => Err(std::io::Error::other("the writer is closed")),
        };
        written.map_err(io_error(&self.path, "writing a frame"))?;
        self.frames_written += 1;
        Ok(())
    }

    /// Ends the data, writes the frame count into the header and renames the file into
    /// place.
    pub fn finish(mut self) -> Result<(), EncodeError> {
        let path = self.path.clone();
        let sink = self.sink.take().ok_or_else(|| {
            io_error(&path, "finishing")(std::io::Error::other("the writer is closed"))
        })?;
        let out = match sink {
            Sink::Raw(out) => out,
            Sink::Zlib(z) => z
                .finish()
                .map_err(io_error(&path, "ending the zlib stream"))?,
        };
        let mut file = out
            .into_inner()
            .map_err(|e| io_error(&path, "flushing the frames")(e.into_error()))?;
        file.seek(SeekFrom::Start(self.count_at))
            .and_then(|_| {
                file.write_all(
                    format!("{:0width$}", self.frames_written, width = COUNT_DIGITS).as_bytes(),
                )
            })
            .and_then(|()| file.sync_all())
            .map_err(io_error(&path, "writing the frame count"))?;
        drop(file);
        std::fs::rename(&self.partial, &self.path).map_err(io_error(
            &path,
            "renaming the finished .partial file into place",
        ))
    }
}

/// `x` with at most nine decimals, trailing zeros dropped (0.71 / 1000 reads 0.00071, not
/// its nearest binary value).
fn decimal(x: f64) -> String {
    let text = format!("{x:.9}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

impl Drop for MhaWriter {
    fn drop(&mut self) {
        if self.sink.take().is_some() {
            // Unfinished: the clip is incomplete, so leave nothing behind.
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

//! MetaImage clips (`.mha`, `.mhd`): CytoCam's export format (CCTools), read as a stream.
//!
//! A MetaImage file is a text header of `Key = Value` lines ending with `ElementDataFile`,
//! then the voxels, x fastest, then y, then the frame (Kitware's MetaIO format: "MetaIO
//! Reference: Tags of MetaImage", ITK Software Guide, and the MetaIO source). The voxels
//! follow the header (`ElementDataFile = LOCAL`) or lie in a separate raw file named
//! relative to the header; `CompressedData = True` stores them as one zlib stream. Frames are
//! read one at a time through a buffered (and, if compressed, inflating) reader, so a clip of
//! any length needs the memory of one frame.
//!
//! Supported: `NDims` 2 (one frame) or 3 (frames along the third axis), `ElementType`
//! `MET_UCHAR` (8-bit gray, as the camera stores it) with one channel; `MET_USHORT` and other
//! types are refused by name rather than mapped to 8 bits by a guess.

use crate::DecodeError;
use image::GrayImage;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// What a MetaImage header says.
#[derive(Debug, Clone, PartialEq)]
pub struct MhaHeader {
    pub width: u32,
    pub height: u32,
    /// Frames (1 for a 2-D image).
    pub frames: u64,
    /// `ElementSpacing` (or `ElementSize`) of x and y, in the file's units, when given.
    pub spacing_xy: Option<[f64; 2]>,
    /// The third `ElementSpacing` of a clip, read as its frame interval in seconds when it
    /// lies between 1 ms and 0.5 s (1000 to 2 frames/s); ITK's default spacing of 1 is no
    /// frame rate.
    pub frame_interval_s: Option<f64>,
    pub compressed: bool,
    /// The file holding the voxels, and where they start in it.
    pub data_file: PathBuf,
    pub data_offset: u64,
}

impl MhaHeader {
    /// The scale in µm per pixel that `ElementSpacing` gives, when x and y agree. MetaIO's
    /// unit is the millimetre (ITK's convention), so 0.00071 reads 0.71 µm/px; an exporter
    /// that wrote micrometres (a spacing of 0.1 to 10) is read as such. Anything else is no
    /// scale.
    ///
    /// ```
    /// # use mcvideo_decode::mha::MhaHeader;
    /// let mut h = MhaHeader { width: 8, height: 8, frames: 1, spacing_xy: Some([0.00071, 0.00071]),
    ///     frame_interval_s: None, compressed: false, data_file: "x.mha".into(), data_offset: 0 };
    /// assert!((h.um_per_px().unwrap() - 0.71).abs() < 1e-12);
    /// h.spacing_xy = Some([1.2, 1.2]);
    /// assert_eq!(h.um_per_px(), Some(1.2));
    /// h.spacing_xy = Some([1.0, 2.0]);
    /// assert_eq!(h.um_per_px(), None);
    /// ```
    pub fn um_per_px(&self) -> Option<f64> {
        let [sx, sy] = self.spacing_xy?;
        if !(sx.is_finite() && sx > 0.0) || (sx - sy).abs() > 1e-3 * sx {
            return None;
        }
        let um = if sx < 0.01 { sx * 1000.0 } else { sx };
        (0.1..=10.0).contains(&um).then_some(um)
    }
}

/// True for the file names this module reads (`.mha`, `.mhd`, any case).
pub fn is_metaimage(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("mha") || e.eq_ignore_ascii_case("mhd"))
}

fn bad(path: &Path, problem: impl Into<String>) -> DecodeError {
    DecodeError::MetaImage {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

/// Reads the header of a MetaImage file.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("clip.mha");
/// let mut bytes = b"ObjectType = Image\nNDims = 3\nDimSize = 4 2 3\nElementType = MET_UCHAR\n\
/// ElementSpacing = 0.0012 0.0012 0.04\nElementDataFile = LOCAL\n".to_vec();
/// bytes.extend((0..24u8).collect::<Vec<_>>());
/// std::fs::write(&path, &bytes).unwrap();
/// let h = mcvideo_decode::mha::read_header(&path).unwrap();
/// assert_eq!((h.width, h.height, h.frames, h.compressed), (4, 2, 3, false));
/// assert!((h.um_per_px().unwrap() - 1.2).abs() < 1e-9);
/// assert_eq!(h.frame_interval_s, Some(0.04));
/// let frames: Vec<_> = mcvideo_decode::mha::MhaFrames::open(&path).unwrap()
///     .collect::<Result<_, _>>().unwrap();
/// assert_eq!(frames.len(), 3);
/// assert_eq!(frames[2].as_raw(), &(16..24u8).collect::<Vec<_>>());
/// ```
pub fn read_header(path: &Path) -> Result<MhaHeader, DecodeError> {
    let file = File::open(path).map_err(|e| DecodeError::Io {
        path: path.to_path_buf(),
        step: "opening the MetaImage header",
        source: e,
    })?;
    let mut reader = BufReader::new(file);
    let mut offset = 0u64;
    let (mut ndims, mut dims, mut element_type) = (None, None, None);
    let (mut spacing, mut compressed, mut channels) = (None, false, 1u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| DecodeError::Io {
                path: path.to_path_buf(),
                step: "reading the MetaImage header",
                source: e,
            })?;
        if n == 0 {
            return Err(bad(path, "the header ends before ElementDataFile"));
        }
        offset += n as u64;
        if offset > 64 * 1024 {
            return Err(bad(
                path,
                "no MetaImage header (no ElementDataFile in 64 KiB)",
            ));
        }
        let text = std::str::from_utf8(&line)
            .map_err(|_| bad(path, "the header is not text: not a MetaImage file"))?
            .trim();
        if text.is_empty() {
            continue;
        }
        let Some((key, value)) = text.split_once('=') else {
            return Err(bad(
                path,
                format!("header line `{text}` is not `Key = Value`"),
            ));
        };
        let (key, value) = (key.trim(), value.trim());
        let numbers = |what: &str| -> Result<Vec<f64>, DecodeError> {
            value
                .split_whitespace()
                .map(|v| v.parse::<f64>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| bad(path, format!("{what} = {value}: not numbers")))
        };
        match key {
            "NDims" => {
                ndims = Some(
                    value
                        .parse::<usize>()
                        .map_err(|_| bad(path, format!("NDims = {value}: not a count")))?,
                )
            }
            "DimSize" => dims = Some(numbers("DimSize")?),
            "ElementType" => element_type = Some(value.to_string()),
            "ElementSpacing" => spacing = Some(numbers("ElementSpacing")?),
            "ElementSize" if spacing.is_none() => spacing = Some(numbers("ElementSize")?),
            "CompressedData" => compressed = value.eq_ignore_ascii_case("true"),
            "ElementNumberOfChannels" => {
                channels = value.parse().map_err(|_| {
                    bad(
                        path,
                        format!("ElementNumberOfChannels = {value}: not a count"),
                    )
                })?
            }
            "ElementDataFile" => {
                let ndims = ndims.ok_or_else(|| bad(path, "no NDims before ElementDataFile"))?;
                let dims = dims.ok_or_else(|| bad(path, "no DimSize before ElementDataFile"))?;
                if !(ndims == 2 || ndims == 3) || dims.len() != ndims {
                    return Err(bad(
                        path,
                        format!("NDims {ndims} with DimSize {dims:?}: expected 2 or 3 dimensions (x, y, frames)"),
                    ));
                }
                let as_count = |v: f64| (v.fract() == 0.0 && v >= 1.0).then_some(v as u64);
                let counts: Option<Vec<u64>> = dims.iter().map(|&v| as_count(v)).collect();
                let counts = counts
                    .ok_or_else(|| bad(path, format!("DimSize {dims:?}: not positive integers")))?;
                let element = element_type
                    .ok_or_else(|| bad(path, "no ElementType before ElementDataFile"))?;
                if element != "MET_UCHAR" || channels != 1 {
                    return Err(bad(
                        path,
                        format!("ElementType {element} with {channels} channel(s): only 8-bit gray (MET_UCHAR, one channel) is read; export the clip as 8-bit gray"),
                    ));
                }
                let (width, height) = (
                    u32::try_from(counts[0]).map_err(|_| bad(path, "width too large"))?,
                    u32::try_from(counts[1]).map_err(|_| bad(path, "height too large"))?,
                );
                let data_file = if value.eq_ignore_ascii_case("LOCAL") {
                    path.to_path_buf()
                } else if value.contains('%') || value.starts_with("LIST") || value.contains(' ') {
                    return Err(bad(
                        path,
                        format!("ElementDataFile = {value}: a list or pattern of files is not read; one file or LOCAL"),
                    ));
                } else {
                    path.parent().unwrap_or(Path::new(".")).join(value)
                };
                let local = value.eq_ignore_ascii_case("LOCAL");
                return Ok(MhaHeader {
                    width,
                    height,
                    frames: counts.get(2).copied().unwrap_or(1),
                    spacing_xy: spacing
                        .as_ref()
                        .filter(|s| s.len() >= 2)
                        .map(|s| [s[0], s[1]]),
                    frame_interval_s: spacing
                        .as_ref()
                        .filter(|_| ndims == 3)
                        .and_then(|s| s.get(2).copied())
                        .filter(|&dt| (0.001..=0.5).contains(&dt)),
                    compressed,
                    data_file,
                    data_offset: if local { offset } else { 0 },
                });
            }
            _ => {}
        }
    }
}

/// The frames of a MetaImage clip, one [`GrayImage`] per item, read as needed. A file that
/// ends early yields [`DecodeError::Truncated`] after the frames it holds.
pub struct MhaFrames {
    header: MhaHeader,
    source: Box<dyn Read + Send>,
    next: u64,
    failed: bool,
}

impl MhaFrames {
    pub fn open(path: &Path) -> Result<MhaFrames, DecodeError> {
        let header = read_header(path)?;
        let io = |e| DecodeError::Io {
            path: header.data_file.clone(),
            step: "opening the MetaImage data",
            source: e,
        };
        let mut file = File::open(&header.data_file).map_err(io)?;
        file.seek(SeekFrom::Start(header.data_offset)).map_err(io)?;
        let buffered = BufReader::with_capacity(1 << 20, file);
        let source: Box<dyn Read + Send> = if header.compressed {
            Box::new(flate2::read::ZlibDecoder::new(buffered))
        } else {
            Box::new(buffered)
        };
        Ok(MhaFrames {
            header,
            source,
            next: 0,
            failed: false,
        })
    }

    pub fn header(&self) -> &MhaHeader {
        &self.header
    }
}

impl Iterator for MhaFrames {
    type Item = Result<GrayImage, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.next >= self.header.frames {
            return None;
        }
        let (w, h) = (self.header.width, self.header.height);
        let mut buf = vec![0u8; w as usize * h as usize];
        match self.source.read_exact(&mut buf) {
            Ok(()) => {
                self.next += 1;
                GrayImage::from_raw(w, h, buf).map(Ok)
            }
            Err(e) => {
                self.failed = true;
                Some(Err(if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    DecodeError::Truncated {
                        path: self.header.data_file.clone(),
                        detail: format!(
                            "{} of the {} frames DimSize announces",
                            self.next, self.header.frames
                        ),
                    }
                } else {
                    bad(&self.header.data_file, format!("frame {}: {e}", self.next))
                }))
            }
        }
    }
}

//! [`VideoWriter`]: encodes gray frames into a clip, written aside and renamed when complete.

use crate::{init_ffmpeg, EncodeError, VideoFormat};
use ff::codec::threading;
use ff::format::Pixel;
use ff::{codec, encoder, frame, Dictionary, Packet, Rational};
use ffmpeg_next as ff;
use image::GrayImage;
use std::path::{Path, PathBuf};

/// FFmpeg's `FF_QP2LAMBDA`: `global_quality` is a quantiser scale times this.
const QP2LAMBDA: i32 = 118;

/// A clip being written. Frames go in with [`VideoWriter::write_frame`];
/// [`VideoWriter::finish`] flushes the encoder, writes the trailer and renames
/// `<path>.partial` to `<path>`. Dropping an unfinished writer deletes the partial file.
pub struct VideoWriter {
    path: PathBuf,
    partial: PathBuf,
    width: u32,
    height: u32,
    layout: Layout,
    frames_written: u64,
    inner: Option<Muxing>,
    /// The MetaImage formats' own writer (no FFmpeg).
    metaimage: Option<crate::MhaWriter>,
}

/// How a caller's frame becomes an encoder frame.
#[derive(Debug, Clone, Copy)]
struct Layout {
    pixel: Pixel,
    encoded_width: u32,
    encoded_height: u32,
    /// Size the caller's frame is resized to before it is centred (DV only; else its own size).
    placed_width: u32,
    placed_height: u32,
}

struct Muxing {
    output: ff::format::context::Output,
    encoder: encoder::Video,
    encoder_time_base: Rational,
    stream_time_base: Rational,
    stream_index: usize,
}

impl VideoWriter {
    /// Starts a clip of `width`x`height` frames at `fps` frames/s in `format`.
    ///
    /// H.264 and MPEG-4 need even sizes; DV needs 25 or 29.97 frames/s (see [`VideoFormat::DvAvi`]).
    ///
    /// ```
    /// use mcvideo_encode::{VideoFormat, VideoWriter};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("clip.avi");
    /// let mut writer = VideoWriter::create(&path, 32, 24, 25.0, VideoFormat::Ffv1Avi).unwrap();
    /// for value in 0..3u8 {
    ///     writer.write_frame(&image::GrayImage::from_pixel(32, 24, image::Luma([value * 50]))).unwrap();
    /// }
    /// assert_eq!(writer.frames_written(), 3);
    /// writer.finish().unwrap();
    /// assert!(path.exists());
    /// assert!(!dir.path().join("clip.avi.partial").exists());
    /// ```
    pub fn create(
        path: &Path,
        width: u32,
        height: u32,
        fps: f64,
        format: VideoFormat,
    ) -> Result<Self, EncodeError> {
        Self::create_scaled(path, width, height, fps, format, None)
    }

    /// [`VideoWriter::create`] that also stores the scale, in µm per pixel, where the format
    /// has a place for it (MetaImage's `ElementSpacing`; the other formats have none).
    pub fn create_scaled(
        path: &Path,
        width: u32,
        height: u32,
        fps: f64,
        format: VideoFormat,
        um_per_px: Option<f64>,
    ) -> Result<Self, EncodeError> {
        if matches!(format, VideoFormat::Mha | VideoFormat::MhaZlib) {
            let compressed = format == VideoFormat::MhaZlib;
            let writer = crate::MhaWriter::create(path, width, height, fps, um_per_px, compressed)?;
            return Ok(VideoWriter {
                path: path.to_path_buf(),
                partial: partial_path(path),
                width,
                height,
                layout: Layout {
                    pixel: Pixel::GRAY8,
                    encoded_width: width,
                    encoded_height: height,
                    placed_width: width,
                    placed_height: height,
                },
                frames_written: 0,
                inner: None,
                metaimage: Some(writer),
            });
        }
        let created = Self::create_partial(path, width, height, fps, format);
        if created.is_err() {
            // The muxer may have created `<path>.partial` before the encoder refused: leave nothing.
            let _ = std::fs::remove_file(partial_path(path));
        }
        created
    }

    fn create_partial(
        path: &Path,
        width: u32,
        height: u32,
        fps: f64,
        format: VideoFormat,
    ) -> Result<Self, EncodeError> {
        let ff_error = |step: &'static str| {
            let path = path.to_path_buf();
            move |source| EncodeError::Ffmpeg { path, step, source }
        };
        init_ffmpeg().map_err(ff_error("initialising FFmpeg"))?;
        if !(fps.is_finite() && fps > 0.0) {
            return Err(EncodeError::BadFps {
                path: path.to_path_buf(),
                fps,
                format: format.name(),
                reason: "the frame rate must be a positive number",
            });
        }
        let layout = layout_for(path, width, height, fps, format)?;
        let rate = fps_rational(fps);
        let encoder_time_base = rate.invert();
        let partial = partial_path(path);

        let codec_name = match format {
            VideoFormat::Ffv1Avi | VideoFormat::Ffv1Mkv => "ffv1",
            VideoFormat::RawvideoAvi | VideoFormat::RawvideoBgrAvi => "rawvideo",
            VideoFormat::MjpegAvi => "mjpeg",
            VideoFormat::DvAvi => "dvvideo",
            VideoFormat::H264Mp4 | VideoFormat::H264Mov => "libx264",
            VideoFormat::Mpeg4Mp4 => "mpeg4",
            VideoFormat::Mha | VideoFormat::MhaZlib => unreachable!("written by MhaWriter"),
        };
        let codec =
            encoder::find_by_name(codec_name).ok_or_else(|| EncodeError::MissingEncoder {
                path: path.to_path_buf(),
                codec: codec_name,
            })?;

        let Some(partial_url) = partial.to_str().filter(|p| !p.contains('\0')) else {
            return Err(EncodeError::BadPath {
                path: path.to_path_buf(),
            });
        };
        // "file:" keeps names such as "a:b.avi" from being taken for a network protocol.
        let partial_url = format!("file:{partial_url}");
        let mut output = ff::format::output_as(&partial_url, format.muxer())
            .map_err(ff_error("creating the output file"))?;
        let global_header = output
            .format()
            .flags()
            .contains(ff::format::Flags::GLOBAL_HEADER);

        let mut video = codec::context::Context::new_with_codec(codec)
            .encoder()
            .video()
            .map_err(ff_error("setting up the encoder"))?;
        video.set_width(layout.encoded_width);
        video.set_height(layout.encoded_height);
        video.set_format(layout.pixel);
        video.set_time_base(encoder_time_base);
        video.set_frame_rate(Some(rate));
        let mut flags = codec::Flags::empty();
        if global_header {
            flags |= codec::Flags::GLOBAL_HEADER;
        }
        let mut options = Dictionary::new();
        match format {
            VideoFormat::Ffv1Avi | VideoFormat::Ffv1Mkv => {
                // Level 3 with slices decodes in parallel; CRCs per slice make a damaged
                // file fail loudly; every frame a keyframe (archival setting of the FFV1 docs).
                options.set("level", "3");
                options.set("slicecrc", "1");
                options.set("slices", "4");
                video.set_gop(1);
                // Slices are fixed, so the bitstream does not depend on the thread count.
                video.set_threading(threading::Config {
                    kind: threading::Type::Slice,
                    count: 0,
                    ..Default::default()
                });
            }
            VideoFormat::MjpegAvi | VideoFormat::Mpeg4Mp4 => {
                flags |= codec::Flags::QSCALE;
                video.set_global_quality(2 * QP2LAMBDA);
                video.set_qmin(2);
                video.set_qmax(2);
                if format == VideoFormat::MjpegAvi {
                    video.set_color_range(ff::util::color::Range::JPEG);
                }
            }
            VideoFormat::H264Mp4 | VideoFormat::H264Mov => {
                options.set("crf", "18");
                options.set("preset", "fast");
                // A fixed thread count: x264's output depends on it, ours must not depend on the machine.
                video.set_threading(threading::Config {
                    kind: threading::Type::Frame,
                    count: 2,
                    ..Default::default()
                });
            }
            VideoFormat::RawvideoAvi
            | VideoFormat::RawvideoBgrAvi
            | VideoFormat::DvAvi
            | VideoFormat::Mha
            | VideoFormat::MhaZlib => {}
        }
        video.set_flags(flags);
        let opened = video
            .open_with(options)
            .map_err(ff_error("opening the encoder"))?;

        let stream_index = {
            let mut stream = output
                .add_stream(codec)
                .map_err(ff_error("adding the video stream"))?;
            stream.set_parameters(&opened);
            stream.set_time_base(encoder_time_base);
            stream.set_avg_frame_rate(rate);
            stream.set_rate(rate);
            stream.index()
        };
        let mut muxer_options = Dictionary::new();
        if matches!(format.muxer(), "mp4" | "mov") {
            // Index first: a cut-off file still opens and its frame count is known.
            muxer_options.set("movflags", "+faststart");
        }
        output
            .write_header_with(muxer_options)
            .map_err(ff_error("writing the file header"))?;
        let stream_time_base = output
            .stream(stream_index)
            .map(|s| s.time_base())
            .unwrap_or(encoder_time_base);

        Ok(VideoWriter {
            path: path.to_path_buf(),
            partial,
            width,
            height,
            layout,
            frames_written: 0,
            inner: Some(Muxing {
                output,
                encoder: opened,
                encoder_time_base,
                stream_time_base,
                stream_index,
            }),
            metaimage: None,
        })
    }

    /// Frames accepted so far.
    pub fn frames_written(&self) -> u64 {
        self.frames_written
    }

    /// Encodes one frame; it must have the size given to [`VideoWriter::create`].
    pub fn write_frame(&mut self, frame: &GrayImage) -> Result<(), EncodeError> {
        EncodeError::check_frame_size(
            &self.path,
            self.frames_written,
            (self.width, self.height),
            frame,
        )?;
        if let Some(writer) = self.metaimage.as_mut() {
            writer.write_frame(frame)?;
            self.frames_written += 1;
            return Ok(());
        }
        let mut picture = self.encoder_frame(frame);
        picture.set_pts(Some(self.frames_written as i64));
        let path = self.path.clone();
        let muxing = self.muxing()?;
        muxing
            .encoder
            .send_frame(&picture)
            .map_err(|source| EncodeError::Ffmpeg {
                path: path.clone(),
                step: "encoding a frame",
                source,
            })?;
        muxing.write_packets(&path)?;
        self.frames_written += 1;
        Ok(())
    }

    /// Flushes the encoder, writes the trailer, closes the file and renames it into place.
    pub fn finish(mut self) -> Result<(), EncodeError> {
        if let Some(writer) = self.metaimage.take() {
            return writer.finish();
        }
        let path = self.path.clone();
        let mut muxing = self.inner.take().ok_or_else(|| closed_error(&path))?;
        let ff_error = |step: &'static str| {
            let path = path.clone();
            move |source| EncodeError::Ffmpeg { path, step, source }
        };
        muxing
            .encoder
            .send_eof()
            .map_err(ff_error("flushing the encoder"))?;
        muxing.write_packets(&path)?;
        muxing
            .output
            .write_trailer()
            .map_err(ff_error("writing the file trailer"))?;
        drop(muxing); // closes the file before it is renamed
        std::fs::rename(&self.partial, &self.path).map_err(|source| EncodeError::Io {
            path: self.path.clone(),
            step: "renaming the finished .partial file into place",
            source,
        })
    }

    fn muxing(&mut self) -> Result<&mut Muxing, EncodeError> {
        let path = &self.path;
        self.inner.as_mut().ok_or_else(|| closed_error(path))
    }

    /// Builds the encoder's frame: gray as luma (neutral chroma), or in all three BGR channels.
    fn encoder_frame(&self, gray: &GrayImage) -> frame::Video {
        let layout = self.layout;
        let mut picture =
            frame::Video::new(layout.pixel, layout.encoded_width, layout.encoded_height);
        let placed;
        let source = if (layout.placed_width, layout.placed_height) == gray.dimensions() {
            gray
        } else {
            placed = image::imageops::resize(
                gray,
                layout.placed_width,
                layout.placed_height,
                image::imageops::FilterType::Triangle,
            );
            &placed
        };
        let x0 = ((layout.encoded_width - layout.placed_width) / 2) as usize;
        let y0 = ((layout.encoded_height - layout.placed_height) / 2) as usize;
        let width = source.width() as usize;
        let stride = picture.stride(0);
        let data = picture.data_mut(0);
        if layout.pixel == Pixel::BGR24 {
            for (row, src) in source.as_raw().chunks_exact(width).enumerate() {
                let dst = &mut data[row * stride..row * stride + 3 * width];
                for (bgr, &value) in dst.chunks_exact_mut(3).zip(src) {
                    bgr.fill(value);
                }
            }
            return picture;
        }
        if (x0, y0) != (0, 0) {
            data.fill(0);
        }
        for (row, src) in source.as_raw().chunks_exact(width).enumerate() {
            let start = (y0 + row) * stride + x0;
            data[start..start + width].copy_from_slice(src);
        }
        for plane in 1..picture.planes() {
            picture.data_mut(plane).fill(128);
        }
        picture
    }
}

impl Muxing {
    /// Moves every packet the encoder has ready into the file.
    fn write_packets(&mut self, path: &Path) -> Result<(), EncodeError> {
        let mut packet = Packet::empty();
        loop {
            match self.encoder.receive_packet(&mut packet) {
                Ok(()) => {
                    packet.set_stream(self.stream_index);
                    packet.rescale_ts(self.encoder_time_base, self.stream_time_base);
                    packet
                        .write_interleaved(&mut self.output)
                        .map_err(|source| EncodeError::Ffmpeg {
                            path: path.to_path_buf(),
                            step: "writing a packet",
                            source,
                        })?;
                }
                Err(ff::Error::Eof) => return Ok(()),
                Err(ff::Error::Other { errno }) if errno == ff::util::error::EAGAIN => {
                    return Ok(())
                }
                Err(source) => {
                    return Err(EncodeError::Ffmpeg {
                        path: path.to_path_buf(),
                        step: "encoding",
                        source,
                    })
                }
            }
        }
    }
}

impl Drop for VideoWriter {
    fn drop(&mut self) {
        if let Some(muxing) = self.inner.take() {
            // Unfinished: the clip is incomplete, so leave nothing behind.
            drop(muxing);
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

fn closed_error(path: &Path) -> EncodeError {
    EncodeError::Io {
        path: path.to_path_buf(),
        step: "the writer is already finished",
        source: std::io::Error::other("writer closed"),
    }
}

/// `<path>.partial`, next to the final file so the rename stays on one file system.
pub(crate) fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".partial");
    PathBuf::from(name)
}

/// The frame rate as a fraction with a denominator MPEG-4 accepts (≤ 65535); 29.97 → 2997/100,
/// 30000/1001 → 30000/1001.
fn fps_rational(fps: f64) -> Rational {
    // SAFETY: av_d2q is a pure function on plain values.
    Rational::from(unsafe { ff::ffi::av_d2q(fps, 65535) })
}

/// Encoder pixel format and frame size for `format`, or why the size cannot be stored.
fn layout_for(
    path: &Path,
    width: u32,
    height: u32,
    fps: f64,
    format: VideoFormat,
) -> Result<Layout, EncodeError> {
    let bad_size = |reason| EncodeError::BadSize {
        path: path.to_path_buf(),
        width,
        height,
        format: format.name(),
        reason,
    };
    if width == 0 || height == 0 {
        return Err(bad_size("a frame must have at least one pixel"));
    }
    let direct = |pixel| Layout {
        pixel,
        encoded_width: width,
        encoded_height: height,
        placed_width: width,
        placed_height: height,
    };
    Ok(match format {
        VideoFormat::Ffv1Avi
        | VideoFormat::Ffv1Mkv
        | VideoFormat::RawvideoAvi
        | VideoFormat::Mha
        | VideoFormat::MhaZlib => direct(Pixel::GRAY8),
        VideoFormat::RawvideoBgrAvi => direct(Pixel::BGR24),
        VideoFormat::MjpegAvi => direct(Pixel::YUVJ420P),
        VideoFormat::H264Mp4 | VideoFormat::H264Mov | VideoFormat::Mpeg4Mp4 => {
            if width % 2 == 1 || height % 2 == 1 {
                return Err(bad_size("yuv420p needs an even width and height"));
            }
            direct(Pixel::YUV420P)
        }
        VideoFormat::DvAvi => {
            let (pixel, dv_height) = if (fps - 25.0).abs() < 0.01 {
                (Pixel::YUV420P, 576)
            } else if (fps - 30000.0 / 1001.0).abs() < 0.01 {
                (Pixel::YUV411P, 480)
            } else {
                return Err(EncodeError::BadFps {
                    path: path.to_path_buf(),
                    fps,
                    format: format.name(),
                    reason: "DV stores 25 (PAL) or 29.97 (NTSC) frames/s only",
                });
            };
            let dv_width = 720;
            let (placed_width, placed_height) = if width <= dv_width && height <= dv_height {
                (width, height)
            } else {
                let scale = f64::min(
                    dv_width as f64 / width as f64,
                    dv_height as f64 / height as f64,
                );
                (
                    ((width as f64 * scale).round() as u32).clamp(1, dv_width),
                    ((height as f64 * scale).round() as u32).clamp(1, dv_height),
                )
            };
            Layout {
                pixel,
                encoded_width: dv_width,
                encoded_height: dv_height,
                placed_width,
                placed_height,
            }
        }
    })
}

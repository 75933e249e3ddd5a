//! Decoded FFmpeg frame → 8-bit gray: the luma plane of YUV and gray formats, the green channel
//! of RGB formats.
//!
//! Why green: sidestream/incident dark-field microscopes (MicroScan, CytoCam) light the mucosa
//! with green light, where haemoglobin absorbs strongly, so red cells and vessels are darkest and
//! best contrasted in the green channel: 548 nm for OPS (Groner et al., Nat. Med. 1999), 530 nm
//! LEDs for SDF (Goedhart et al., Opt. Express 2007). Luma of an RGB frame would mix in the
//! weaker red and blue contrast.
//!
//! The layout of every pixel format comes from FFmpeg's own descriptor table
//! (`av_pix_fmt_desc_get`), so the component is read where it lies without any conversion:
//! planar 8-bit luma (gray8, yuv420p, yuvj422p, nv12, ...) is copied row by row, which is the
//! fast path for H.264, MPEG-4, MJPEG, DV and FFV1. Samples are never range-converted: limited-range
//! (16–235) video keeps its codes; analysis in mcvideo is contrast-relative.

use ff::ffi;
use ff::format::Pixel;
use ffmpeg_next as ff;

/// Where the gray (or green) sample of a pixel format lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// 8-bit samples `step` bytes apart, the first `offset` bytes into each row of `plane`.
    Bytes {
        plane: usize,
        step: usize,
        offset: usize,
    },
    /// Samples inside 16-bit words `step` bytes apart: `(word >> shift)` masked to `depth` bits.
    Words {
        plane: usize,
        step: usize,
        offset: usize,
        shift: u32,
        depth: u32,
        big_endian: bool,
    },
    /// Anything else (palette, bit-packed, float, Bayer): FFmpeg's swscale converts the frame
    /// to rgb24 (`rgb = true`, green kept) or gray8 first.
    Convert { rgb: bool },
}

/// The layout of `format`, or `None` for formats with no pixels in memory (hardware frames).
pub(crate) fn layout(format: Pixel) -> Option<Layout> {
    let pix_fmt: ffi::AVPixelFormat = format.into();
    // SAFETY: av_pix_fmt_desc_get returns null or a pointer into FFmpeg's static table.
    let desc = unsafe { ffi::av_pix_fmt_desc_get(pix_fmt).as_ref()? };
    let flags = desc.flags;
    let has = |flag: i32| flags & flag as u64 != 0;
    if has(ffi::AV_PIX_FMT_FLAG_HWACCEL) || desc.nb_components == 0 {
        return None;
    }
    let rgb = has(ffi::AV_PIX_FMT_FLAG_RGB);
    if has(ffi::AV_PIX_FMT_FLAG_PAL)
        || has(ffi::AV_PIX_FMT_FLAG_BITSTREAM)
        || has(ffi::AV_PIX_FMT_FLAG_FLOAT)
        || has(ffi::AV_PIX_FMT_FLAG_BAYER)
    {
        return Some(Layout::Convert {
            rgb: rgb || has(ffi::AV_PIX_FMT_FLAG_PAL) || has(ffi::AV_PIX_FMT_FLAG_BAYER),
        });
    }
    // Components are listed R, G, B for RGB formats and Y (or gray) first otherwise.
    let component = desc.comp[if rgb && desc.nb_components >= 3 { 1 } else { 0 }];
    let (plane, step, offset, shift, depth) = (
        component.plane as usize,
        component.step as usize,
        component.offset as usize,
        component.shift as u32,
        component.depth as u32,
    );
    Some(if depth == 8 && shift == 0 && step >= 1 {
        Layout::Bytes {
            plane,
            step,
            offset,
        }
    } else if step >= 2 && (1..=16).contains(&depth) && shift + depth <= 16 {
        Layout::Words {
            plane,
            step,
            offset,
            shift,
            depth,
            big_endian: has(ffi::AV_PIX_FMT_FLAG_BE),
        }
    } else {
        Layout::Convert { rgb }
    })
}

/// Writes the gray samples of `frame` (laid out as `layout`, never `Convert`) into `out`,
/// `width × height` bytes row-major. `Err` says what is wrong with the frame's memory.
pub(crate) fn extract(
    frame: &ff::frame::Video,
    layout: Layout,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let width = frame.width() as usize;
    let height = frame.height() as usize;
    out.clear();
    out.reserve(width * height);
    let (plane, step, offset, sample_bytes) = match layout {
        Layout::Bytes {
            plane,
            step,
            offset,
        } => (plane, step, offset, 1),
        Layout::Words {
            plane,
            step,
            offset,
            ..
        } => (plane, step, offset, 2),
        Layout::Convert { .. } => return Err("the frame needs a pixel format conversion"),
    };
    if plane >= 4 || width == 0 || height == 0 {
        return Err("the frame has no pixels");
    }
    // SAFETY: the frame is a valid AVFrame owned by `frame`.
    let raw = unsafe { &*frame.as_ptr() };
    let base = raw.data[plane];
    let linesize = raw.linesize[plane] as isize;
    let row_bytes = offset + (width - 1) * step + sample_bytes;
    if base.is_null() || linesize.unsigned_abs() < row_bytes {
        return Err("the frame's plane is smaller than its size says");
    }
    for y in 0..height {
        // SAFETY: FFmpeg allocates `height` rows of `|linesize|` bytes for this plane (the line
        // size may be negative for bottom-up images), and a row holds `row_bytes` (checked above).
        let row =
            unsafe { std::slice::from_raw_parts(base.offset(y as isize * linesize), row_bytes) };
        match layout {
            Layout::Bytes { .. } if step == 1 => out.extend_from_slice(&row[offset..]),
            Layout::Bytes { .. } => out.extend(row[offset..].iter().step_by(step)),
            Layout::Words {
                shift,
                depth,
                big_endian,
                ..
            } => {
                let mask = (1u32 << depth) - 1;
                out.extend(row[offset..].chunks(step).map(|word| {
                    let bytes = [word[0], word[1]];
                    let word = if big_endian {
                        u16::from_be_bytes(bytes)
                    } else {
                        u16::from_le_bytes(bytes)
                    };
                    to_8_bit((u32::from(word) >> shift) & mask, depth)
                }));
            }
            Layout::Convert { .. } => unreachable!("rejected above"),
        }
    }
    Ok(())
}

/// A `depth`-bit sample as 8 bits, full scale to full scale, rounded to the nearest code
/// (`round(value · 255 / (2^depth − 1))`, the mapping swscale uses between bit depths).
fn to_8_bit(value: u32, depth: u32) -> u8 {
    let max = (1u32 << depth) - 1;
    ((value * 255 + max / 2) / max) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_plane_of_yuv_and_gray_formats() {
        for format in [Pixel::GRAY8, Pixel::YUV420P, Pixel::YUVJ422P, Pixel::NV12] {
            assert_eq!(
                layout(format),
                Some(Layout::Bytes {
                    plane: 0,
                    step: 1,
                    offset: 0
                }),
                "{format:?}"
            );
        }
        assert_eq!(
            layout(Pixel::UYVY422),
            Some(Layout::Bytes {
                plane: 0,
                step: 2,
                offset: 1
            })
        );
    }

    #[test]
    fn green_channel_of_rgb_formats() {
        let green = |plane, step, offset| {
            Some(Layout::Bytes {
                plane,
                step,
                offset,
            })
        };
        assert_eq!(layout(Pixel::RGB24), green(0, 3, 1));
        assert_eq!(layout(Pixel::BGR24), green(0, 3, 1));
        assert_eq!(layout(Pixel::BGRA), green(0, 4, 1));
        assert_eq!(layout(Pixel::ARGB), green(0, 4, 2));
        assert_eq!(layout(Pixel::GBRP), green(0, 1, 0));
        assert_eq!(layout(Pixel::PAL8), Some(Layout::Convert { rgb: true }));
    }

    #[test]
    fn deep_samples_round_to_8_bits() {
        assert_eq!(to_8_bit(1023, 10), 255);
        assert_eq!(to_8_bit(514, 10), 128);
        assert_eq!(to_8_bit(4, 10), 1);
        assert_eq!(to_8_bit(65535, 16), 255);
        assert_eq!(to_8_bit(63, 6), 255);
        assert_eq!(to_8_bit(0, 6), 0);
        assert!(matches!(
            layout(Pixel::YUV420P10LE),
            Some(Layout::Words {
                depth: 10,
                shift: 0,
                big_endian: false,
                ..
            })
        ));
    }

    #[test]
    fn frame_planes_are_read_with_their_stride() {
        let mut frame = ff::frame::Video::new(Pixel::RGB24, 5, 2);
        let stride = frame.stride(0);
        for y in 0..2 {
            for x in 0..5 {
                let at = y * stride + 3 * x;
                frame.data_mut(0)[at..at + 3].copy_from_slice(&[200, (10 * y + x) as u8, 7]);
            }
        }
        let mut out = Vec::new();
        extract(&frame, layout(Pixel::RGB24).unwrap(), &mut out).unwrap();
        assert_eq!(out, vec![0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
    }
}

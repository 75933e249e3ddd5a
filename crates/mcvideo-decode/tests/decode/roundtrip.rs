//! Every container and codec of the issue, written at test time and decoded back.

use crate::common;

use crate::common::{frames, mean_abs_error, write};
use image::GrayImage;
use mcvideo_decode::{open, open_with, probe, read_all, read_all_with, DecodeOptions, FieldMode};
use mcvideo_encode::{EncodeError, VideoFormat};

const W: u32 = 160;
const H: u32 = 120;

#[test]
fn lossless_clips_decode_bit_exactly() {
    let dir = tempfile::tempdir().unwrap();
    // Odd sizes: rows are padded in FFmpeg's frames, so the stride must be honoured.
    let (w, h) = (W + 1, H + 1);
    let written = frames(w, h, 12);
    for (format, codec) in [
        (VideoFormat::Ffv1Avi, "ffv1"),
        (VideoFormat::RawvideoAvi, "rawvideo"),
        (VideoFormat::RawvideoBgrAvi, "rawvideo"),
        (VideoFormat::Ffv1Mkv, "ffv1"),
    ] {
        let path = write(dir.path(), format.name(), format, &written).unwrap();
        let probed = probe(&path).unwrap();
        assert_eq!(
            (probed.width, probed.height, probed.fps),
            (w, h, 25.0),
            "{format:?}"
        );
        assert_eq!(probed.frames, 12, "{format:?}");
        assert_eq!(probed.codec, codec, "{format:?}");
        let (info, decoded) = read_all(&path).unwrap();
        assert_eq!(info.frames, 12, "{format:?}");
        assert!(!info.interlaced, "{format:?}: progressive frames");
        assert!((info.duration_s - 12.0 / 25.0).abs() < 1e-9);
        assert_eq!(decoded.len(), written.len(), "{format:?}");
        for (t, (got, want)) in decoded.iter().zip(&written).enumerate() {
            assert!(got == want, "{format:?}: frame {t} differs");
        }
    }
}

/// Decodes `format` and checks count, size and closeness; `None` when the encoder is missing.
fn lossy_round_trip(format: VideoFormat, max_error: f64) -> Option<f64> {
    let dir = tempfile::tempdir().unwrap();
    let written = frames(W, H, 25);
    let path = match write(dir.path(), "clip", format, &written) {
        Ok(path) => path,
        Err(EncodeError::MissingEncoder { codec, .. }) => {
            // The ffmpeg tool links the same libraries, so it could not make this clip either.
            println!(
                "skipped {}: this FFmpeg build has no {codec} encoder",
                format.name()
            );
            return None;
        }
        Err(error) => panic!("{error}"),
    };
    let (info, decoded) = read_all(&path).unwrap();
    assert_eq!(info.frames, 25, "{format:?}");
    assert_eq!(decoded.len(), 25, "{format:?}");
    assert_eq!(
        (info.width, info.height, info.fps),
        (W, H, 25.0),
        "{format:?}"
    );
    let worst = decoded
        .iter()
        .zip(&written)
        .map(|(got, want)| mean_abs_error(got, want))
        .fold(0.0, f64::max);
    assert!(worst < max_error, "{format:?}: mean abs error {worst}");
    Some(worst)
}

#[test]
fn mjpeg_avi_decodes_close() {
    lossy_round_trip(VideoFormat::MjpegAvi, 3.0);
}

#[test]
fn mpeg4_mp4_decodes_close() {
    lossy_round_trip(VideoFormat::Mpeg4Mp4, 3.0);
}

#[test]
fn h264_mp4_and_mov_decode_close() {
    lossy_round_trip(VideoFormat::H264Mp4, 3.0);
    if let Some(error) = lossy_round_trip(VideoFormat::H264Mov, 3.0) {
        assert!(
            error > 0.0,
            "H.264 at CRF 18 is not lossless on noisy frames"
        );
    }
}

#[test]
fn h264_decoding_does_not_depend_on_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let Ok(path) = write(dir.path(), "clip", VideoFormat::H264Mp4, &frames(W, H, 20)) else {
        println!("skipped: no libx264 encoder");
        return;
    };
    let one = DecodeOptions {
        threads: 1,
        ..DecodeOptions::default()
    };
    let (_, single) = read_all_with(&path, &one).unwrap();
    let (_, auto) = read_all(&path).unwrap();
    assert!(single == auto);
}

#[test]
fn dv_avi_is_pal_sized_with_the_frame_centred() {
    let dir = tempfile::tempdir().unwrap();
    let written = frames(W, H, 10);
    let path = write(dir.path(), "clip", VideoFormat::DvAvi, &written).unwrap();
    let (info, decoded) = read_all(&path).unwrap();
    assert_eq!((info.width, info.height, info.frames), (720, 576, 10));
    assert_eq!(info.codec, "dvvideo");
    // DV is interlaced by definition; the container does not say so, the frames do.
    assert!(info.interlaced);
    let (x0, y0) = ((720 - W) / 2, (576 - H) / 2);
    for (got, want) in decoded.iter().zip(&written) {
        let centre = image::imageops::crop_imm(got, x0, y0, W, H).to_image();
        let error = mean_abs_error(&centre, want);
        assert!(error < 4.0, "DV mean abs error {error}");
    }
}

#[test]
fn png_and_tiff_folders_decode_exactly_in_numeric_order() {
    let dir = tempfile::tempdir().unwrap();
    let written = frames(W, H, 12);
    let png = dir.path().join("png");
    mcvideo_encode::write_png_folder(&png, written.clone()).unwrap();
    let tiff = dir.path().join("tiff");
    mcvideo_encode::write_tiff_folder(&tiff, written.clone()).unwrap();
    // Unpadded numbers: 10 and 11 must come after 2.
    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    for (t, frame) in written.iter().enumerate() {
        frame.save(plain.join(format!("img{t}.png"))).unwrap();
    }
    std::fs::write(plain.join("notes.txt"), "not a frame").unwrap();
    for (folder, codec) in [(&png, "png"), (&tiff, "tiff"), (&plain, "png")] {
        let (info, decoded) = read_all(folder).unwrap();
        assert_eq!(
            (info.frames, info.fps, info.codec.as_str()),
            (12, 25.0, codec)
        );
        assert!(decoded == written, "{}", folder.display());
    }
    let options = DecodeOptions {
        folder_fps: Some(30.0),
        ..DecodeOptions::default()
    };
    let (info, _) = read_all_with(&png, &options).unwrap();
    assert_eq!(info.fps, 30.0);
    assert!((info.duration_s - 0.4).abs() < 1e-12);
}

#[test]
fn colour_frame_files_keep_the_green_channel() {
    let dir = tempfile::tempdir().unwrap();
    let rgb = image::RgbImage::from_fn(W, H, |x, y| {
        image::Rgb([255 - (x % 200) as u8, (x + y) as u8, 9])
    });
    rgb.save(dir.path().join("f1.png")).unwrap();
    rgb.save(dir.path().join("f2.png")).unwrap();
    let (_, decoded) = read_all(dir.path()).unwrap();
    let green = GrayImage::from_fn(W, H, |x, y| image::Luma([(x + y) as u8]));
    assert!(decoded[0] == green && decoded[1] == green);
}

#[test]
fn colour_video_keeps_the_green_channel() {
    if !common::ffmpeg_cli() {
        println!("skipped: the ffmpeg tool is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("in.rgb");
    let mut bytes = Vec::new();
    let green = |x: u32, y: u32, t: u32| ((x * 3 + y + 7 * t) % 256) as u8;
    for t in 0..4 {
        for y in 0..H {
            for x in 0..W {
                bytes.extend([200 - (y as u8 % 100), green(x, y, t), (x % 50) as u8]);
            }
        }
    }
    std::fs::write(&raw, bytes).unwrap();
    let size = format!("{W}x{H}");
    for (name, codec, pix_fmt) in [
        ("rgb.avi", "ffv1", "bgr0"),
        ("gbrp.mkv", "ffv1", "gbrp"),
        ("bgr.avi", "rawvideo", "bgr24"),
    ] {
        let out = dir.path().join(name);
        common::run_ffmpeg(&[
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            &size,
            "-r",
            "25",
            "-i",
            raw.to_str().unwrap(),
            "-c:v",
            codec,
            "-pix_fmt",
            pix_fmt,
            out.to_str().unwrap(),
        ]);
        let (info, decoded) = read_all(&out).unwrap();
        assert_eq!(info.frames, 4, "{name}");
        for (t, frame) in decoded.iter().enumerate() {
            let want = GrayImage::from_fn(W, H, |x, y| image::Luma([green(x, y, t as u32)]));
            assert!(*frame == want, "{name}: frame {t} is not the green channel");
        }
    }
}

#[test]
fn ten_bit_video_rounds_to_eight_bits() {
    if !common::ffmpeg_cli() {
        println!("skipped: the ffmpeg tool is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let written = frames(W, H, 3);
    let folder = dir.path().join("frames");
    mcvideo_encode::write_png_folder(&folder, written.clone()).unwrap();
    let out = dir.path().join("deep.mkv");
    common::run_ffmpeg(&[
        "-framerate",
        "25",
        "-i",
        folder.join("frame_%06d.png").to_str().unwrap(),
        "-c:v",
        "ffv1",
        "-pix_fmt",
        "gray10le",
        out.to_str().unwrap(),
    ]);
    let (info, decoded) = read_all(&out).unwrap();
    assert_eq!(info.frames, 3);
    assert!(
        decoded == written,
        "gray8 -> gray10 -> our 8-bit rounding is not the identity"
    );
}

#[test]
fn streaming_reader_matches_probe_and_read_all() {
    let dir = tempfile::tempdir().unwrap();
    let written = frames(W, H, 9);
    let path = write(dir.path(), "clip", VideoFormat::Ffv1Avi, &written).unwrap();
    let reader = open(&path).unwrap();
    assert_eq!(reader.info(), &probe(&path).unwrap());
    let streamed: Vec<GrayImage> = reader.map(Result::unwrap).collect();
    assert!(streamed == written);
    let single_thread = DecodeOptions {
        threads: 1,
        ..DecodeOptions::default()
    };
    let mut reader = open_with(&path, &single_thread).unwrap();
    assert!(reader.next().unwrap().unwrap() == written[0]);
    assert_eq!(reader.count(), 8);
}

#[test]
fn readers_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<mcvideo_decode::FrameReader>();
    assert_send::<mcvideo_decode::DecodeError>();
}

#[test]
fn interlaced_dv_splits_into_fields_in_exposure_order() {
    let dir = tempfile::tempdir().unwrap();
    // Even rows (top field) 50, odd rows (bottom field) 200, then the other way round.
    let striped = |top: u8, bottom: u8| {
        GrayImage::from_fn(720, 576, |_, y| {
            image::Luma([if y % 2 == 0 { top } else { bottom }])
        })
    };
    let written = vec![striped(50, 200), striped(200, 50), striped(50, 200)];
    let path = write(dir.path(), "clip", VideoFormat::DvAvi, &written).unwrap();
    let split = DecodeOptions {
        fields: FieldMode::Split,
        ..DecodeOptions::default()
    };
    let (info, fields) = read_all_with(&path, &split).unwrap();
    assert!(info.interlaced);
    assert_eq!((info.frames, info.fps), (6, 50.0));
    assert!((info.duration_s - 3.0 / 25.0).abs() < 1e-9);
    // PAL DV shows the bottom field first: 200, 50, then 50, 200, then 200, 50.
    let means: Vec<f64> = fields
        .iter()
        .map(|f| {
            let centre = image::imageops::crop_imm(f, 100, 100, 520, 376).to_image();
            centre.pixels().map(|p| f64::from(p[0])).sum::<f64>() / (520.0 * 376.0)
        })
        .collect();
    for (got, want) in means.iter().zip([200.0, 50.0, 50.0, 200.0, 200.0, 50.0]) {
        assert!((got - want).abs() < 12.0, "field means {means:?}");
    }
    // Whole frames stay as they were; a progressive clip is not split.
    let (info, frames) = read_all(&path).unwrap();
    assert_eq!((info.frames, info.fps, frames.len()), (3, 25.0, 3));
    let ffv1 = write(dir.path(), "p", VideoFormat::Ffv1Avi, &written).unwrap();
    let (info, frames) = read_all_with(&ffv1, &split).unwrap();
    assert_eq!((info.interlaced, info.fps, frames.len()), (false, 25.0, 3));
}

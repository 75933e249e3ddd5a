//! Clips written by VideoWriter, inspected with FFmpeg's demuxer: codec, size, rate, frame count;
//! and the refusals (bad sizes, rates, frames), which leave no file behind.

use ffmpeg_next as ff;
use image::GrayImage;
use mcvideo_encode::{EncodeError, VideoFormat, VideoWriter};
use std::path::Path;

fn frame(width: u32, height: u32, t: u32) -> GrayImage {
    GrayImage::from_fn(width, height, |x, y| {
        image::Luma([((x * 3 + y * 5 + t * 11) % 256) as u8])
    })
}

/// (codec name, width, height, frames per second, packets of the video stream).
fn inspect(path: &Path) -> (String, u32, u32, f64, usize) {
    ff::init().unwrap();
    let mut input = ff::format::input(path).unwrap();
    let stream = input.streams().best(ff::media::Type::Video).unwrap();
    let index = stream.index();
    let parameters = stream.parameters();
    let codec = parameters.id().name().to_string();
    // SAFETY: plain reads of a valid AVCodecParameters.
    let (width, height) = unsafe {
        (
            (*parameters.as_ptr()).width as u32,
            (*parameters.as_ptr()).height as u32,
        )
    };
    let fps = f64::from(stream.avg_frame_rate());
    let packets = input.packets().filter(|(s, _)| s.index() == index).count();
    (codec, width, height, fps, packets)
}

#[test]
fn every_format_writes_a_clip_ffmpeg_reads() {
    let dir = tempfile::tempdir().unwrap();
    for format in VideoFormat::ALL {
        let path = dir
            .path()
            .join(format!("{}.{}", format.name(), format.extension()));
        let mut writer = match VideoWriter::create(&path, 96, 64, 25.0, format) {
            Err(EncodeError::MissingEncoder { codec, .. }) => {
                println!(
                    "skipped {}: this FFmpeg build has no {codec} encoder",
                    format.name()
                );
                continue;
            }
            other => other.unwrap(),
        };
        for t in 0..7 {
            writer.write_frame(&frame(96, 64, t)).unwrap();
        }
        writer.finish().unwrap();
        assert!(!dir
            .path()
            .join(format!("{}.{}.partial", format.name(), format.extension()))
            .exists());
        let (codec, width, height, fps, packets) = inspect(&path);
        let expected_codec = match format {
            VideoFormat::Ffv1Avi | VideoFormat::Ffv1Mkv => "ffv1",
            VideoFormat::RawvideoAvi | VideoFormat::RawvideoBgrAvi => "rawvideo",
            VideoFormat::MjpegAvi => "mjpeg",
            VideoFormat::DvAvi => "dvvideo",
            VideoFormat::H264Mp4 | VideoFormat::H264Mov => "h264",
            VideoFormat::Mpeg4Mp4 => "mpeg4",
            VideoFormat::Mha | VideoFormat::MhaZlib => unreachable!("not in VideoFormat::ALL"),
        };
        assert_eq!(codec, expected_codec, "{format:?}");
        let size = if format == VideoFormat::DvAvi {
            (720, 576)
        } else {
            (96, 64)
        };
        assert_eq!((width, height), size, "{format:?}");
        assert!((fps - 25.0).abs() < 1e-9, "{format:?}: {fps} frames/s");
        assert_eq!(packets, 7, "{format:?}");
    }
}

#[test]
fn ntsc_dv_and_fractional_rates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ntsc.avi");
    let mut writer =
        VideoWriter::create(&path, 100, 80, 30000.0 / 1001.0, VideoFormat::DvAvi).unwrap();
    writer.write_frame(&frame(100, 80, 0)).unwrap();
    writer.finish().unwrap();
    let (_, width, height, fps, packets) = inspect(&path);
    assert_eq!((width, height, packets), (720, 480, 1));
    assert!((fps - 29.97).abs() < 0.01, "{fps}");
}

#[test]
fn refusals_name_the_file_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    let odd = VideoWriter::create(&path, 95, 64, 25.0, VideoFormat::Mpeg4Mp4)
        .err()
        .unwrap();
    assert!(matches!(odd, EncodeError::BadSize { .. }));
    assert!(
        odd.to_string()
            .starts_with(&format!("{}: ", path.display())),
        "{odd}"
    );
    let empty = VideoWriter::create(&path, 0, 64, 25.0, VideoFormat::Ffv1Avi)
        .err()
        .unwrap();
    assert!(matches!(empty, EncodeError::BadSize { .. }));
    for fps in [0.0, -1.0, f64::NAN] {
        let bad = VideoWriter::create(&path, 64, 64, fps, VideoFormat::Ffv1Avi)
            .err()
            .unwrap();
        assert!(matches!(bad, EncodeError::BadFps { .. }), "{fps}");
    }
    let dv = VideoWriter::create(&path, 64, 64, 30.0, VideoFormat::DvAvi)
        .err()
        .unwrap();
    assert!(matches!(dv, EncodeError::BadFps { .. }));
    // FFV1 refuses a 1x1 frame once the file exists: the partial file is removed too.
    let tiny = dir.path().join("tiny.avi");
    assert!(VideoWriter::create(&tiny, 1, 1, 25.0, VideoFormat::Ffv1Avi).is_err());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn wrong_frame_size_is_refused_and_an_unfinished_clip_vanishes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.avi");
    let mut writer = VideoWriter::create(&path, 64, 48, 25.0, VideoFormat::Ffv1Avi).unwrap();
    writer.write_frame(&frame(64, 48, 0)).unwrap();
    let error = writer.write_frame(&frame(48, 64, 1)).unwrap_err();
    assert!(
        matches!(
            error,
            EncodeError::FrameSize {
                index: 1,
                got_width: 48,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(writer.frames_written(), 1);
    assert!(dir.path().join("clip.avi.partial").exists());
    drop(writer);
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn ffv1_output_is_the_same_for_the_same_frames() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str| {
        let path = dir.path().join(name);
        let mut writer = VideoWriter::create(&path, 64, 48, 25.0, VideoFormat::Ffv1Avi).unwrap();
        for t in 0..5 {
            writer.write_frame(&frame(64, 48, t)).unwrap();
        }
        writer.finish().unwrap();
        std::fs::read(path).unwrap()
    };
    assert_eq!(write("a.avi"), write("b.avi"));
}

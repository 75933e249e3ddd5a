//! Bad input: each case gives a `DecodeError` that names the file and the problem, never a panic.

use crate::common;

use crate::common::{frames, write};
use mcvideo_decode::{open, probe, read_all, read_all_with, DecodeError, DecodeOptions};
use mcvideo_encode::{VideoFormat, VideoWriter};
use std::path::Path;

const W: u32 = 64;
const H: u32 = 48;

/// The error of decoding `path` whole, checked to start with the path.
fn decode_error(path: &Path) -> DecodeError {
    let error = read_all(path).expect_err("decoding should fail");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("{}: ", path.display())),
        "message does not name the file: {message}"
    );
    assert_eq!(error.path(), path);
    error
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.avi");
    assert!(matches!(decode_error(&path), DecodeError::NotFound { .. }));
    assert!(matches!(probe(&path), Err(DecodeError::NotFound { .. })));
}

#[test]
fn text_file_named_avi() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.avi");
    std::fs::write(
        &path,
        "patient 12, day 1, sublingual site 3\nno video here\n",
    )
    .unwrap();
    let error = decode_error(&path);
    assert!(matches!(error, DecodeError::NotAVideo { .. }), "{error:?}");
    assert!(error.to_string().contains("it is a text file"), "{error}");
    assert!(matches!(probe(&path), Err(DecodeError::NotAVideo { .. })));
}

#[test]
fn empty_and_binary_garbage_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    assert!(decode_error(&empty)
        .to_string()
        .contains("the file is empty"));
    let garbage = dir.path().join("garbage.mov");
    std::fs::write(
        &garbage,
        (0..4000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(matches!(
        decode_error(&garbage),
        DecodeError::NotAVideo { .. }
    ));
}

/// Writes a 40-frame clip, cuts it to half its bytes, and returns (path, written frames).
fn truncated(dir: &Path, format: VideoFormat) -> (std::path::PathBuf, Vec<image::GrayImage>) {
    let written = frames(W, H, 40);
    let path = write(dir, format.name(), format, &written).unwrap();
    let length = std::fs::metadata(&path).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(length / 2).unwrap();
    (path, written)
}

#[test]
fn truncated_clip_is_an_error_after_its_decodable_frames() {
    let dir = tempfile::tempdir().unwrap();
    let (path, written) = truncated(dir.path(), VideoFormat::Ffv1Avi);
    let error = decode_error(&path);
    assert!(matches!(error, DecodeError::Truncated { .. }), "{error:?}");
    assert!(error.to_string().contains("of the 40 frames"), "{error}");

    // Streaming: the frames before the cut come first, then the error.
    let results: Vec<_> = open(&path).unwrap().collect();
    assert!(matches!(
        results.last(),
        Some(Err(DecodeError::Truncated { .. }))
    ));
    let good = results.iter().filter(|r| r.is_ok()).count();
    assert!((10..40).contains(&good), "{good} frames before the cut");

    // Allowed: the decodable part, pixel-exact.
    let lenient = DecodeOptions {
        allow_truncated: true,
        ..DecodeOptions::default()
    };
    let (info, decoded) = read_all_with(&path, &lenient).unwrap();
    assert_eq!(info.frames, decoded.len() as u64);
    assert!((10..40).contains(&decoded.len()));
    let exact = decoded
        .iter()
        .zip(&written)
        .take_while(|(a, b)| a == b)
        .count();
    assert!(
        exact + 1 >= decoded.len(),
        "only {exact} of {} frames exact",
        decoded.len()
    );
}

#[test]
fn a_damaged_frame_inside_a_whole_clip_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let written = frames(W, H, 40);
    let path = write(dir.path(), "damaged", VideoFormat::Ffv1Avi, &written).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 64].fill(0x55);
    std::fs::write(&path, bytes).unwrap();
    // One frame lost is within the tolerance: decoded like the ffmpeg tool would.
    let (info, decoded) = read_all(&path).unwrap();
    assert!(
        (39..=40).contains(&decoded.len()),
        "{} frames",
        decoded.len()
    );
    assert_eq!(info.frames, decoded.len() as u64);
    let exact = decoded
        .iter()
        .zip(&written)
        .take_while(|(a, b)| a == b)
        .count();
    assert!(
        (15..=20).contains(&exact),
        "{exact} frames exact before the damage"
    );
}

#[test]
fn truncated_mp4_and_mkv_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for format in [VideoFormat::Mpeg4Mp4, VideoFormat::Ffv1Mkv] {
        let (path, _) = truncated(dir.path(), format);
        let error = decode_error(&path);
        assert!(
            matches!(error, DecodeError::Truncated { .. }),
            "{format:?}: {error:?}"
        );
    }
}

#[test]
fn mp4_cut_before_its_trailing_index() {
    if !common::ffmpeg_cli() {
        println!("skipped: the ffmpeg tool is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = write(
        dir.path(),
        "source",
        VideoFormat::Mpeg4Mp4,
        &frames(W, H, 30),
    )
    .unwrap();
    // Re-muxed without +faststart: the index (moov) is at the end, so a cut loses it.
    let path = dir.path().join("index_last.mp4");
    common::run_ffmpeg(&[
        "-i",
        source.to_str().unwrap(),
        "-c",
        "copy",
        path.to_str().unwrap(),
    ]);
    let length = std::fs::metadata(&path).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(length / 2)
        .unwrap();
    let error = decode_error(&path);
    assert!(matches!(error, DecodeError::NotAVideo { .. }), "{error:?}");
    assert!(error.to_string().contains("damaged, truncated"), "{error}");
}

#[test]
fn clip_with_zero_frames() {
    let dir = tempfile::tempdir().unwrap();
    for format in [VideoFormat::Ffv1Avi, VideoFormat::Mpeg4Mp4] {
        let path = dir.path().join(format!("zero.{}", format.extension()));
        VideoWriter::create(&path, W, H, 25.0, format)
            .unwrap()
            .finish()
            .unwrap();
        // AVI keeps an empty video stream; the MP4 muxer drops a track without samples.
        let error = decode_error(&path);
        assert!(
            matches!(
                error,
                DecodeError::NoFrames { .. } | DecodeError::NoVideoStream { .. }
            ),
            "{format:?}: {error:?}"
        );
    }
}

#[test]
fn one_by_one_clip() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = vec![image::GrayImage::from_pixel(1, 1, image::Luma([90])); 5];
    let path = write(dir.path(), "tiny", VideoFormat::RawvideoAvi, &tiny).unwrap();
    let error = decode_error(&path);
    assert!(
        matches!(
            error,
            DecodeError::TooSmall {
                width: 1,
                height: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("1x1"), "{error}");
    let folder = dir.path().join("tiny_frames");
    mcvideo_encode::write_png_folder(&folder, tiny).unwrap();
    assert!(matches!(probe(&folder), Err(DecodeError::TooSmall { .. })));
}

#[test]
fn empty_image_folder() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        decode_error(dir.path()),
        DecodeError::EmptyFolder { .. }
    ));
    std::fs::write(dir.path().join("readme.txt"), "frames go here").unwrap();
    std::fs::write(dir.path().join(".hidden.png"), "not a frame").unwrap();
    let error = decode_error(dir.path());
    assert!(
        matches!(error, DecodeError::EmptyFolder { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("no PNG or TIFF frame files"));
}

#[test]
fn folder_with_a_broken_or_odd_sized_frame() {
    let dir = tempfile::tempdir().unwrap();
    let good = frames(W, H, 3);
    mcvideo_encode::write_png_folder(dir.path(), good).unwrap();
    let odd = dir.path().join("frame_000003.png");
    image::GrayImage::new(W + 2, H).save(&odd).unwrap();
    let error = read_all(dir.path()).unwrap_err();
    assert!(
        matches!(error, DecodeError::FrameSizeChanged { index: 3, .. }),
        "{error:?}"
    );
    assert_eq!(error.path(), odd);

    std::fs::write(&odd, b"\x89PNG\r\n\x1a\n broken").unwrap();
    let error = read_all(dir.path()).unwrap_err();
    assert!(matches!(error, DecodeError::Image { .. }), "{error:?}");
    assert!(error.to_string().starts_with(&odd.display().to_string()));
}

#[test]
fn bad_folder_fps_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    mcvideo_encode::write_png_folder(dir.path(), frames(W, H, 2)).unwrap();
    let options = DecodeOptions {
        folder_fps: Some(0.0),
        ..DecodeOptions::default()
    };
    assert!(matches!(
        read_all_with(dir.path(), &options),
        Err(DecodeError::BadOption { .. })
    ));
}

//! Bad input through the binary: each case exits 1 with a message naming the file and the problem.

use image::GrayImage;
use mcvideo_encode::{VideoFormat, VideoWriter};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `mcvideo inspect PATH --um-per-px 1` and returns (exit code, stderr).
fn inspect(path: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mcvideo"))
        .args(["inspect", "--um-per-px", "1"])
        .arg(path)
        .output()
        .expect("the binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_rejected(path: &Path, problem_words: &[&str]) {
    let (code, stderr) = inspect(path);
    assert_eq!(
        code,
        Some(1),
        "exit code for {}: stderr {stderr}",
        path.display()
    );
    let name = path.file_name().unwrap().to_string_lossy();
    assert!(stderr.contains(&*name), "stderr names the file: {stderr}");
    let lower = stderr.to_lowercase();
    assert!(
        problem_words.iter().any(|w| lower.contains(w)),
        "stderr says what is wrong ({problem_words:?}): {stderr}"
    );
    assert!(!lower.contains("panicked"), "no panic: {stderr}");
}

fn textured(width: u32, height: u32, seed: u32) -> GrayImage {
    GrayImage::from_fn(width, height, |x, y| {
        image::Luma([((x * 7 + y * 13 + seed * 3) % 200 + 30) as u8])
    })
}

fn write_clip(path: &Path, width: u32, height: u32, frames: u32) {
    write_clip_as(path, width, height, frames, VideoFormat::Ffv1Avi);
}

fn write_clip_as(path: &Path, width: u32, height: u32, frames: u32, format: VideoFormat) {
    let mut writer = VideoWriter::create(path, width, height, 25.0, format).unwrap();
    for i in 0..frames {
        writer.write_frame(&textured(width, height, i)).unwrap();
    }
    writer.finish().unwrap();
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn missing_file() {
    let dir = temp();
    assert_rejected(
        &dir.path().join("nowhere.avi"),
        &["not found", "no such", "does not exist", "missing"],
    );
}

#[test]
fn text_file_named_avi() {
    let dir = temp();
    let path = dir.path().join("notes.avi");
    std::fs::write(&path, "this is not a video\n".repeat(50)).unwrap();
    assert_rejected(
        &path,
        &[
            "not a video",
            "invalid",
            "cannot open",
            "unknown format",
            "not recognised",
            "not recognized",
        ],
    );
}

#[test]
fn truncated_clip() {
    let dir = temp();
    let path = dir.path().join("cut.avi");
    write_clip(&path, 64, 48, 20);
    let bytes = std::fs::read(&path).unwrap();
    // Keep the header and a few bytes of the first frame only.
    std::fs::write(&path, &bytes[..bytes.len().min(6000)]).unwrap();
    let (code, stderr) = inspect(&path);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cut.avi"), "{stderr}");
    assert!(!stderr.to_lowercase().contains("panicked"), "{stderr}");
}

#[test]
fn zero_frame_clip() {
    let dir = temp();
    let path = dir.path().join("empty.avi");
    write_clip(&path, 64, 48, 0);
    assert_rejected(
        &path,
        &["no frame", "zero frames", "0 frames", "no decodable"],
    );
}

#[test]
fn one_by_one_clip() {
    let dir = temp();
    let path: PathBuf = dir.path().join("dot.avi");
    // FFV1 refuses 1x1 frames; uncompressed AVI stores them.
    write_clip_as(&path, 1, 1, 5, VideoFormat::RawvideoAvi);
    assert_rejected(&path, &["too small", "1x1", "1×1"]);
}

#[test]
fn empty_image_folder() {
    let dir = temp();
    let path = dir.path().join("frames");
    std::fs::create_dir(&path).unwrap();
    assert_rejected(&path, &["no frame", "empty", "no png", "no image"]);
}

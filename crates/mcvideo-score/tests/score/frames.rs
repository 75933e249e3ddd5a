//! `score_frames` on frames held in memory scores as `score_clip` does on a lossless file of
//! the same frames, and refuses frames that are no clip with a message naming their source.

use image::GrayImage;
use mcvideo_frames::ClipFrames;
use mcvideo_score::{score_clip, score_frames, FrameClip, ScoreError, ScoreParams};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn scale(um_per_px: f64) -> mcvideo_calibration::Calibration {
    mcvideo_calibration::resolve(None, Some(um_per_px), Path::new("frames"), 320)
        .expect("a plausible scale")
}

#[test]
fn frames_in_memory_score_as_the_lossless_file_holding_them() {
    // A lossless (FFV1) fixture clip: decoding gives back exactly the frames rendered.
    let path = repo("fixtures/synth/fps30.avi");
    let params = ScoreParams {
        um_per_px: Some(1.6),
        ..ScoreParams::default()
    };
    let from_file = score_clip(&path, &params).unwrap();
    let (info, frames) = mcvideo_decode::read_all(&path).unwrap();
    let clip = FrameClip::new(
        "in-memory window",
        ClipFrames::Memory(frames),
        info.fps,
        scale(1.6),
    );
    let from_frames = score_frames(clip, &params).unwrap();

    let file = serde_json::to_value(&from_file.report).unwrap();
    let mut memory = serde_json::to_value(&from_frames.report).unwrap();
    assert!(
        !file["vessels"].as_array().unwrap().is_empty(),
        "no vessels found, so their equality shows nothing"
    );
    for section in [
        "vessels",
        "metrics",
        "stabilization",
        "calibration",
        "params",
    ] {
        assert_eq!(memory[section], file[section], "{section}");
    }
    for field in [
        "frames",
        "fps",
        "width",
        "height",
        "polarity",
        "polarity_score",
    ] {
        assert_eq!(memory["clip"][field], file["clip"][field], "clip.{field}");
    }
    assert_eq!(memory["clip"]["path"], "in-memory window");
    assert_eq!(memory["clip"]["codec"], "in-memory");
    // The one thing a file tells and frames alone do not: how evenly its frames were timed.
    let spread = "frame_interval_spread";
    assert!(file["quality"]["measures"][spread].is_number());
    assert!(memory["quality"]["measures"][spread].is_null());
    memory["quality"]["measures"][spread] = file["quality"]["measures"][spread].clone();
    assert_eq!(memory["quality"], file["quality"]);
    // The same stages ran, and the file's also decoded it.
    let stages = |report: &Value| -> Vec<String> {
        let mut names: Vec<String> = report["timings_ms"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        names.retain(|n| n != "decode");
        names
    };
    assert_eq!(stages(&memory), stages(&file));
    assert!(file["timings_ms"]["decode"].is_number());
    // The pictures too.
    assert!(from_file.overlay_png.is_some());
    assert_eq!(from_frames.overlay_png, from_file.overlay_png);
    assert_eq!(from_frames.mean_png, from_file.mean_png);
}

fn textured(width: u32, height: u32, t: u32) -> GrayImage {
    GrayImage::from_fn(width, height, |x, y| {
        image::Luma([(100 + (x * 7 + y * 13 + t * 3) % 60) as u8])
    })
}

fn refusal(frames: Vec<GrayImage>, fps: f64) -> String {
    let clip = FrameClip::new("camera-2", ClipFrames::Memory(frames), fps, scale(1.0));
    match score_frames(clip, &ScoreParams::default()) {
        Ok(_) => panic!("scored frames that are no clip"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn frames_that_are_no_clip_are_refused_naming_their_source() {
    assert_eq!(refusal(Vec::new(), 25.0), "camera-2: no frames");
    let mut mixed: Vec<GrayImage> = (0..10).map(|t| textured(64, 48, t)).collect();
    mixed[4] = textured(64, 40, 4);
    assert_eq!(
        refusal(mixed, 25.0),
        "camera-2: frame 4 is 64x40 where frame 0 is 64x48"
    );
    let tiny = (0..10).map(|t| textured(12, 48, t)).collect();
    assert_eq!(
        refusal(tiny, 25.0),
        "camera-2: frames of 12x48 are smaller than 16 pixels on a side"
    );
    let frames: Vec<GrayImage> = (0..10).map(|t| textured(64, 48, t)).collect();
    assert_eq!(
        refusal(frames.clone(), 0.0),
        "camera-2: a frame rate of 0 fps is not positive"
    );
    // Too short for one flow window: the same refusal `score` gives a short file.
    let short = refusal(frames[..3].to_vec(), 25.0);
    assert!(
        short.starts_with("camera-2: the clip has 3 frames; flow needs at least"),
        "{short}"
    );
    let clip = FrameClip::new("camera-2", ClipFrames::Memory(frames), 25.0, scale(1.0));
    let mut implausible = clip;
    implausible.calibration.um_per_px = 0.0;
    let error = score_frames(implausible, &ScoreParams::default()).unwrap_err();
    assert!(matches!(error, ScoreError::Calibration(_)), "{error}");
}

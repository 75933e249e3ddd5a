//! Vessel polarity end to end: the bundled dark-field clips read dark, the same clips inverted
//! read bright and score as the originals do, and a real negative-contrast fluorescence clip
//! reads bright.

use image::GrayImage;
use mcvideo_encode::{VideoFormat, VideoWriter};
use mcvideo_score::{
    inspect_clip, score_clip, Polarity, PolarityChoice, PolaritySource, ScoreParams,
};
use mcvideo_vessels::polarity::{invert_frames, polarity_of_frames};
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

/// The synthetic fixtures and their scales (fixtures/synth/README.md).
const SYNTH: [(&str, f64); 3] = [("clean", 1.2), ("degraded", 1.2), ("fps30", 1.6)];

/// Writes `clip` inverted (255 - v) as lossless FFV1 into `dir`.
fn write_inverted(clip: &Path, dir: &Path) -> PathBuf {
    let (info, mut frames) = mcvideo_decode::read_all(clip).unwrap();
    invert_frames(&mut frames);
    let path = dir.join("inverted.avi");
    let mut writer = VideoWriter::create(
        &path,
        info.width,
        info.height,
        info.fps,
        VideoFormat::Ffv1Avi,
    )
    .unwrap();
    for frame in &frames {
        writer.write_frame(frame).unwrap();
    }
    writer.finish().unwrap();
    path
}

fn frames(clip: &Path) -> Vec<GrayImage> {
    mcvideo_decode::read_all(clip).unwrap().1
}

#[test]
fn dark_field_fixtures_read_dark_and_their_inversions_bright() {
    for (name, um_per_px) in SYNTH {
        let mut f = frames(&fixture(&format!("synth/{name}.avi")));
        let dark = polarity_of_frames(&f, um_per_px);
        invert_frames(&mut f);
        let bright = polarity_of_frames(&f, um_per_px);
        eprintln!(
            "{name}: score {:+.3}, inverted {:+.3}",
            dark.score, bright.score
        );
        assert_eq!(dark.polarity, Polarity::Dark, "{name}");
        assert_eq!(bright.polarity, Polarity::Bright, "{name}");
        // Measured margins 0.41 (clean), 0.30 (degraded), 0.33 (fps30).
        assert!(dark.score < -0.2, "{name}: margin {}", dark.score);
        assert!((dark.score + bright.score).abs() < 1e-6, "{name}");
    }
}

#[test]
fn a_venule_in_a_corner_does_not_turn_dark_field_bright() {
    // Synthetic dark-field clips on which the mean picture's curvature alone leans bright
    // (+0.02 to +0.10: wide dark structures at fine scales); where the cells move decides.
    for (seed, um_per_px, mix) in [
        (133, 0.8, mcvideo_synth::SynthParams::default().flow_mix),
        (105, 0.8, [0.25; 4]),
    ] {
        let params = mcvideo_synth::SynthParams {
            seed,
            um_per_px,
            fps: 30.0,
            width: 320,
            height: 240,
            duration_s: 3.0,
            flow_mix: mix,
            ..mcvideo_synth::SynthParams::default()
        };
        let (frames, _) = mcvideo_synth::render(&params).unwrap();
        let e = polarity_of_frames(&frames, um_per_px);
        eprintln!("s{seed}: {e:?}");
        assert!(e.curvature > 0.0, "s{seed}: the hard case it was: {e:?}");
        assert_eq!(e.polarity, Polarity::Dark, "s{seed}: {e:?}");
    }
}

#[test]
fn an_inverted_clip_scores_as_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let original = fixture("synth/clean.avi");
    let inverted = write_inverted(&original, dir.path());
    let params = ScoreParams {
        um_per_px: Some(1.2),
        ..ScoreParams::default()
    };
    let a = score_clip(&original, &params).unwrap();
    let b = score_clip(&inverted, &params).unwrap();
    assert_eq!(
        (a.report.clip.polarity, a.report.clip.polarity_source),
        (Polarity::Dark, PolaritySource::Auto)
    );
    assert_eq!(
        (b.report.clip.polarity, b.report.clip.polarity_source),
        (Polarity::Bright, PolaritySource::Auto)
    );
    // Inverting twice gives back every grey level, so every stage sees the same frames.
    let json = |r: &mcvideo_score::ScoreReport| {
        serde_json::json!([r.vessels, r.metrics, r.quality, r.stabilization])
    };
    assert_eq!(json(&a.report), json(&b.report));
    assert!(!a.report.vessels.is_empty());
    // Each overlay shows its clip as recorded: the inverted clip's is mostly the inverse.
    let picture = |png: &Option<Vec<u8>>| {
        image::load_from_memory(png.as_deref().unwrap())
            .unwrap()
            .to_luma8()
    };
    let (pa, pb) = (picture(&a.overlay_png), picture(&b.overlay_png));
    let inverse = pa
        .pixels()
        .zip(pb.pixels())
        .filter(|(p, q)| (i32::from(p.0[0]) + i32::from(q.0[0]) - 255).abs() <= 2)
        .count();
    assert!(inverse * 10 > pa.len() * 8, "{inverse} of {}", pa.len());

    // Given the wrong way round, the inverted clip finds other (or no) vessels.
    let forced = ScoreParams {
        polarity: PolarityChoice::Dark,
        ..params
    };
    let c = score_clip(&inverted, &forced).unwrap();
    assert_eq!(
        (c.report.clip.polarity, c.report.clip.polarity_source),
        (Polarity::Dark, PolaritySource::Option)
    );
    assert_ne!(json(&a.report), json(&c.report));
}

#[test]
fn real_fluorescence_clip_reads_bright() {
    let clip = fixture("real/ncflowspeed/clip.mkv");
    let params = ScoreParams {
        um_per_px: Some(0.77),
        ..ScoreParams::default()
    };
    let report = inspect_clip(&clip, &params).unwrap();
    eprintln!("ncflowspeed: score {:+.3}", report.clip.polarity_score);
    assert_eq!(report.clip.polarity, Polarity::Bright);
    assert_eq!(report.clip.polarity_source, PolaritySource::Auto);
    // Measured margin 0.42 (curvature 0.77, where the cells move 0.25).
    assert!(report.clip.polarity_score > 0.3);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["clip"]["polarity"], "bright");
    assert_eq!(json["clip"]["polarity_source"], "auto");
    assert_eq!(json["clip"]["frames"], 240);
}

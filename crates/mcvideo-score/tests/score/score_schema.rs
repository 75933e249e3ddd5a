//! The score JSON and its published schema cannot drift: `docs/score.schema.json` is the
//! schema the types generate, and every fixture clip's score JSON validates against it.

use mcvideo_score::report::score_json_schema;
use mcvideo_score::{score_clip, ScoreParams};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// Every clip in fixtures/ with the scale its README gives.
const CLIPS: [(&str, f64); 4] = [
    ("fixtures/synth/clean.avi", 1.2),
    ("fixtures/synth/degraded.avi", 1.2),
    ("fixtures/synth/fps30.avi", 1.6),
    ("fixtures/real/ncflowspeed/clip.mkv", 0.77),
];

#[test]
fn published_schema_is_the_generated_one() {
    let published =
        std::fs::read_to_string(repo("docs/score.schema.json")).expect("docs/score.schema.json");
    assert!(
        published == score_json_schema(),
        "docs/score.schema.json is stale: regenerate it with \
         `cargo run -p mcvideo-score --example score_schema > docs/score.schema.json`"
    );
}

#[test]
fn every_fixture_clip_scores_to_a_valid_score_json() {
    let schema: Value = serde_json::from_str(&score_json_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    // The schema must reject what the contract forbids, or validating proves nothing.
    assert!(!validator.is_valid(&serde_json::json!({"schema": "mcvideo.score.v1"})));

    let listed: Vec<PathBuf> = CLIPS.iter().map(|(p, _)| repo(p)).collect();
    for dir in ["fixtures/synth", "fixtures/real/ncflowspeed"] {
        for entry in std::fs::read_dir(repo(dir)).unwrap() {
            let path = entry.unwrap().path();
            let is_clip = path
                .extension()
                .is_some_and(|e| ["avi", "mkv", "mp4", "mov"].contains(&e.to_str().unwrap()));
            assert!(
                !is_clip
                    || listed
                        .iter()
                        .any(|l| l.canonicalize().unwrap() == path.canonicalize().unwrap()),
                "{} is a fixture clip this test does not score",
                path.display()
            );
        }
    }

    for (clip, um_per_px) in CLIPS {
        let params = ScoreParams {
            um_per_px: Some(um_per_px),
            no_overlay: true,
            ..ScoreParams::default()
        };
        let report = score_clip(&repo(clip), &params).unwrap().report;
        // The bytes `mcvideo score` writes.
        let text = serde_json::to_vec_pretty(&report).unwrap();
        let instance: Value = serde_json::from_slice(&text).unwrap();
        assert!(
            !instance["vessels"].as_array().unwrap().is_empty(),
            "{clip}: no vessels, so the vessel schema went unchecked"
        );
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{}: {e}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{clip}: {}", errors.join("\n"));
    }
}

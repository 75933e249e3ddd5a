//! `inspect` and `score` grade quality by one code path (mcvideo-quality): on the same clip
//! they agree on every item inspect grades, and inspect names each item it leaves ungraded
//! (content and pressure need the vessels and their flow) with the reason.

use crate::common::{bin, fixture_path, run_ok};
use serde_json::Value;

fn quality(command: &str, clip: &str) -> Value {
    let out = run_ok(bin().args([command, clip, "--um-per-px", "1.2", "--json"]));
    let json: Value = serde_json::from_str(&out).expect("JSON on stdout");
    json["quality"].clone()
}

#[test]
fn inspect_and_score_agree_and_inspect_names_what_it_does_not_grade() {
    for clip in ["synth/clean.avi", "synth/degraded.avi"] {
        let path = fixture_path(clip);
        let inspected = quality("inspect", &path);
        let scored = quality("score", &path);
        for item in ["illumination", "focus", "stability", "duration"] {
            assert!(
                inspected[item].is_u64(),
                "{clip}: inspect leaves {item} ungraded"
            );
            assert_eq!(inspected[item], scored[item], "{clip}: {item} differs");
        }
        assert_eq!(
            inspected["measures"], scored["measures"],
            "{clip}: measures differ"
        );
        // Inspect: content and pressure ungraded, each with its reason.
        for item in ["content", "pressure"] {
            assert!(inspected[item].is_null(), "{clip}: inspect graded {item}");
            let why = inspected["not_graded"][item].as_str().unwrap_or("");
            assert!(
                why.contains("when the clip is scored"),
                "{clip}: {item}: {why:?}"
            );
            assert!(scored[item].is_u64(), "{clip}: score left {item} ungraded");
        }
        assert_eq!(scored["not_graded"], serde_json::json!({}), "{clip}");
        // The score adds the two items to inspect's sum, and its flags extend inspect's.
        let added = scored["content"].as_u64().unwrap() + scored["pressure"].as_u64().unwrap();
        assert_eq!(
            scored["score"].as_u64().unwrap(),
            inspected["score"].as_u64().unwrap() + added,
            "{clip}"
        );
        let flags = |q: &Value| -> Vec<String> {
            q["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_string())
                .collect()
        };
        let (inspect_flags, score_flags) = (flags(&inspected), flags(&scored));
        assert!(
            inspect_flags.iter().all(|f| score_flags.contains(f)),
            "{clip}: {inspect_flags:?} not all in {score_flags:?}"
        );
    }
    // The human summary says the verdict is partial and why.
    let summary = run_ok(bin().args([
        "inspect",
        &fixture_path("synth/clean.avi"),
        "--um-per-px",
        "1.2",
    ]));
    assert!(
        summary.contains("content not graded: needs the detected vessels"),
        "{summary}"
    );
    assert!(
        summary.contains("pressure not graded: needs the flow in the venules"),
        "{summary}"
    );
    assert!(!summary.contains("(acceptable)"), "{summary}");
}

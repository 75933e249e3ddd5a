//! `mcvideo synth` through the binary: a truth file's parameters reproduce its clip, and an
//! interlaced (DV) clip is reported as such by `inspect` and split into fields on request.

use crate::common::{bin, run_ok};
use serde_json::Value;

fn truth_of(dir: &std::path::Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(format!("{name}.truth.json"))).expect("truth file");
    serde_json::from_str(&text).expect("truth JSON")
}

#[test]
fn params_file_keeps_its_seed_unless_one_is_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let small = ["--width", "64", "--height", "48", "--duration", "0.2"];
    run_ok(
        bin()
            .args(["synth", "--seed", "7", "--name", "first", "--out"])
            .arg(dir.path())
            .args(small),
    );
    let first = dir.path().join("first.truth.json");
    // Without --seed the parameters file's seed (7) is kept, so the clip is the same.
    run_ok(
        bin()
            .args(["synth", "--name", "again", "--params"])
            .arg(&first)
            .arg("--out")
            .arg(dir.path()),
    );
    let (a, b) = (truth_of(dir.path(), "first"), truth_of(dir.path(), "again"));
    assert_eq!(b["params"]["seed"], 7);
    assert_eq!(a["vessels"], b["vessels"]);
    // An explicit --seed still overrides it.
    run_ok(
        bin()
            .args(["synth", "--seed", "8", "--name", "other", "--params"])
            .arg(&first)
            .arg("--out")
            .arg(dir.path()),
    );
    assert_eq!(truth_of(dir.path(), "other")["params"]["seed"], 8);
}

#[test]
fn interlaced_clips_are_reported_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    // (name, synth options, interlaced): DV of progressive pictures carries the interlaced
    // flag but both fields show one instant, so it reads progressive.
    let cases: [(&str, &[&str], bool); 3] = [
        ("woven", &["--format", "dv", "--interlaced"], true),
        ("dv", &["--format", "dv"], false),
        ("ffv1", &["--format", "ffv1"], false),
    ];
    for (name, options, interlaced) in cases {
        run_ok(
            bin()
                .args(["synth", "--seed", "3", "--duration", "1"])
                .args(["--width", "160", "--height", "120", "--name", name])
                .args(options)
                .arg("--out")
                .arg(dir.path()),
        );
        let clip = dir.path().join(format!("{name}.avi"));
        let inspect = |fields: &str| -> Value {
            let out = run_ok(
                bin()
                    .args([
                        "inspect",
                        "--um-per-px",
                        "1.2",
                        "--json",
                        "--fields",
                        fields,
                    ])
                    .arg(&clip),
            );
            serde_json::from_str(&out).unwrap()
        };
        let whole = inspect("frames");
        assert_eq!(
            whole["clip"]["interlaced"],
            Value::Bool(interlaced),
            "{name}"
        );
        let flagged = whole["quality"]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.as_str().unwrap_or("").starts_with("interlaced"));
        assert_eq!(flagged, interlaced, "{name}: {}", whole["quality"]["flags"]);
        // `--fields split` doubles the rate of the interlaced clip only.
        let split = inspect("split");
        let factor = if interlaced { 2.0 } else { 1.0 };
        assert_eq!(split["clip"]["fps"].as_f64(), Some(25.0 * factor), "{name}");
        assert_eq!(
            split["clip"]["frames"].as_f64(),
            whole["clip"]["frames"].as_f64().map(|n| n * factor),
            "{name}"
        );
    }
}

//! `mcvideo synth` through the binary: a truth file's parameters reproduce its clip.

mod common;

use common::{bin, run_ok};
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

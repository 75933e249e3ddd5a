//! Parameter files through the binary: `--params FILE.toml` changes the result and is recorded
//! in the score JSON and in a batch's `run.json`, options override it, unknown keys fail with
//! exit 1 naming the file and the key, and `--print-params` reads back as it was printed.

use crate::common::{bin, fixture_path, run_ok};
use serde_json::Value;
use std::path::Path;

fn score_json(extra: &[&str]) -> Value {
    let stdout = run_ok(
        bin()
            .args([
                "score",
                &fixture_path("synth/fps30.avi"),
                "--um-per-px",
                "1.6",
                "--json",
            ])
            .args(extra),
    );
    serde_json::from_str(&stdout).expect("score JSON")
}

fn classes(json: &Value, class: u64) -> usize {
    json["vessels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["flow_class"] == class)
        .count()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_params_file_changes_the_result_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "slow.toml",
        "# every flowing vessel is sluggish\n[flow.rule]\nsluggish_below_um_s = 100000\n",
    );
    let default = score_json(&[]);
    let slow = score_json(&["--params", &file]);
    // Every measured speed is now sluggish; only flow beyond the measurable range (read as
    // continuous, `beyond_range_is_continuous`) stays class 3.
    assert!(
        classes(&slow, 3) < classes(&default, 3),
        "fewer continuous vessels"
    );
    assert!(
        classes(&slow, 2) > classes(&default, 2),
        "more sluggish vessels"
    );
    let measured_continuous = slow["vessels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["flow_class"] == 3 && v["velocity_at_least"] == false)
        .count();
    assert_eq!(measured_continuous, 0);
    assert_eq!(
        slow["params"]["flow"]["rule"]["sluggish_below_um_s"],
        100000.0
    );
    // The rest of the nested table keeps the pipeline's defaults.
    assert_eq!(
        slow["params"]["flow"]["rule"]["no_flow_max_flowing_fraction"],
        0.03
    );
    assert_eq!(
        default["params"]["flow"]["rule"]["sluggish_below_um_s"],
        300.0
    );
    assert_eq!(slow["params"]["polarity"], "auto");
    assert_eq!(slow["clip"]["polarity"], "dark");

    // An option on the command line wins over the file.
    let overridden = score_json(&["--params", &file, "--sluggish-below-um-s", "300"]);
    assert_eq!(
        overridden["params"]["flow"]["rule"]["sluggish_below_um_s"],
        300.0
    );
    assert_eq!(overridden["vessels"], default["vessels"]);
}

#[test]
fn an_unknown_key_fails_naming_the_file_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "typo.toml", "[vessels]\nmin_diameter = 3.0\n");
    for command in ["score", "inspect"] {
        let out = bin()
            .args([
                command,
                &fixture_path("synth/fps30.avi"),
                "--um-per-px",
                "1.6",
            ])
            .args(["--params", &file])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains("typo.toml"),
            "{command} names the file: {stderr}"
        );
        assert!(
            stderr.contains("min_diameter"),
            "{command} names the key: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // A file that is not there is bad input too.
    let out = bin()
        .args(["score", "--print-params", "--params", "/nowhere/p.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nowhere/p.toml"));
}

#[test]
fn printed_params_read_back_unchanged() {
    let printed = run_ok(bin().args(["score", "--print-params"]));
    assert!(printed.contains("[flow.rule]"), "{printed}");
    assert!(printed.contains("polarity = \"auto\""), "{printed}");
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "all.toml", &printed);
    let again = run_ok(bin().args(["score", "--print-params", "--params", &file]));
    assert_eq!(printed, again);
    let bright = run_ok(bin().args(["score", "--print-params", "--polarity", "bright"]));
    assert!(bright.contains("polarity = \"bright\""), "{bright}");
}

#[test]
fn a_batch_records_the_params_and_their_hash() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "p.toml",
        "[flow.rule]\nsluggish_below_um_s = 100000\n",
    );
    let manifest = write(
        dir.path(),
        "manifest.csv",
        &format!(
            "path,patient,day,site\n{},P1,1,1\n",
            fixture_path("synth/fps30.avi")
        ),
    );
    let out = dir.path().join("out");
    run_ok(bin().args(["batch", &manifest, "--out"]).arg(&out).args([
        "--um-per-px",
        "1.6",
        "--jobs",
        "1",
        "--no-overlay",
        "--params",
        &file,
    ]));
    let run: Value = serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let parameters = &run["parameters"];
    assert_eq!(
        parameters["params"]["flow"]["rule"]["sluggish_below_um_s"],
        100000.0
    );
    let hash = parameters["params_sha256"].as_str().unwrap();
    assert_eq!(hash.len(), 64);
    let clip: Value =
        serde_json::from_slice(&std::fs::read(out.join("clips/P1_1_1.score.json")).unwrap())
            .unwrap();
    assert_eq!(clip["params"], parameters["params"]);
}

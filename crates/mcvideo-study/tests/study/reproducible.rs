//! The same study gives the same bytes in every process and on 1 or 2 threads: every figure
//! (SVG, PNG, PDF), table and the report, apart from the run's date in the reproducibility block.
//! The study is run by two child processes of this test binary (hash maps are seeded per process,
//! and the bootstrap runs on rayon's pool), one on 1 thread and one on 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// In a child process: the folder to write the study into.
const CHILD_OUT: &str = "MCVIDEO_STUDY_REPRODUCIBLE_OUT";
const TEST_NAME: &str =
    "reproducible::outputs_are_byte_identical_across_processes_and_thread_counts";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

#[test]
fn outputs_are_byte_identical_across_processes_and_thread_counts() {
    if let Some(out) = std::env::var_os(CHILD_OUT) {
        mcvideo_study::run(&fixture("study/cohort_a.toml"), Path::new(&out)).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let runs: Vec<BTreeMap<String, Vec<u8>>> = [1, 2]
        .iter()
        .map(|threads| {
            let out = dir.path().join(format!("threads{threads}"));
            let status = Command::new(std::env::current_exe().unwrap())
                .args([TEST_NAME, "--exact", "--test-threads=1", "--nocapture"])
                .env(CHILD_OUT, &out)
                .env("RAYON_NUM_THREADS", threads.to_string())
                .status()
                .unwrap();
            assert!(status.success(), "the child on {threads} thread(s) failed");
            read_masked(&out)
        })
        .collect();

    let kinds = |ext: &str| runs[0].keys().filter(|n| n.ends_with(ext)).count();
    // cohort_a.toml: 18 figures, each as SVG, PNG and PDF.
    for ext in [".svg", ".png", ".pdf"] {
        assert_eq!(kinds(ext), 18, "{ext} files written");
    }
    assert!(runs[0].contains_key("report.html") && runs[0].contains_key("analysis.json"));
    assert_eq!(
        runs[0].keys().collect::<Vec<_>>(),
        runs[1].keys().collect::<Vec<_>>(),
        "the same files"
    );
    let differing: Vec<&String> = runs[0]
        .iter()
        .filter(|(name, bytes)| runs[1][*name] != **bytes)
        .map(|(name, _)| name)
        .collect();
    assert!(
        differing.is_empty(),
        "differ between processes / thread counts: {differing:?}"
    );
}

/// Every file of a study folder by name, with the run's date (`date_utc` of analysis.json)
/// replaced wherever it appears.
fn read_masked(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let analysis: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("analysis.json")).unwrap()).unwrap();
    let date = analysis["reproducibility"]["date_utc"]
        .as_str()
        .expect("the run's date in analysis.json")
        .to_string();
    assert_eq!(date.len(), "2026-12-07T00:00:00Z".len(), "{date}");
    std::fs::read_dir(out)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).unwrap();
            let masked = match String::from_utf8(bytes) {
                Ok(text) => text.replace(&date, "DATE").into_bytes(),
                Err(binary) => binary.into_bytes(),
            };
            (name, masked)
        })
        .collect()
}

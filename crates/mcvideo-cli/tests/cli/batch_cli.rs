//! `mcvideo batch` and `merge` through the binary, on a tiny synthetic archive scored by the
//! real pipeline: thread-count independence, shards merged = one run, SIGKILL then resume =
//! uninterrupted run, and a corrupt clip recorded in failures.csv while the batch goes on.

use crate::common::{bin, run_ok};

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;

/// The archive, made once for all tests: 3 patients × 2 days × 2 sites, plus a corrupt clip.
fn archive() -> &'static (tempfile::TempDir, PathBuf) {
    static ARCHIVE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        run_ok(
            bin()
                .args([
                    "synth-study",
                    "--patients",
                    "3",
                    "--seed",
                    "5",
                    "--sites",
                    "2-2",
                ])
                .args([
                    "--width",
                    "128",
                    "--height",
                    "96",
                    "--duration",
                    "1",
                    "--out",
                ])
                .arg(dir.path()),
        );
        let manifest = dir.path().join("manifest.csv");
        let corrupt = dir.path().join("clips/corrupt.avi");
        std::fs::write(&corrupt, b"RIFF this is not a clip").unwrap();
        let mut text = std::fs::read_to_string(&manifest).unwrap();
        text.push_str("clips/corrupt.avi,P999,D1,S1,1.2\n");
        std::fs::write(&manifest, text).unwrap();
        (dir, manifest)
    })
}

fn batch(out: &Path, extra: &[&str]) {
    let (_, manifest) = archive();
    run_ok(
        bin()
            .arg("batch")
            .arg(manifest)
            .arg("--out")
            .arg(out)
            .args(["--no-overlay"])
            .args(extra),
    );
}

/// File name and bytes of each table.
type Tables = Vec<(String, Vec<u8>)>;

fn tables(dir: &Path) -> Tables {
    ["sites.csv", "patients.csv", "failures.csv"]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read(dir.join(f)).unwrap_or_default(),
            )
        })
        .collect()
}

fn reference() -> &'static (tempfile::TempDir, Tables) {
    static REFERENCE: OnceLock<(tempfile::TempDir, Tables)> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        batch(out.path(), &["--jobs", "1"]);
        let t = tables(out.path());
        (out, t)
    })
}

#[test]
fn corrupt_clip_is_recorded_and_the_batch_goes_on() {
    let (out, t) = reference();
    let failures = String::from_utf8_lossy(&t[2].1).into_owned();
    assert!(
        failures.starts_with("path,patient,day,site,error"),
        "{failures}"
    );
    assert!(failures.contains("clips/corrupt.avi"), "{failures}");
    let sites = String::from_utf8_lossy(&t[0].1).into_owned();
    assert_eq!(sites.lines().count(), 1 + 3 * 2 * 2, "{sites}");
    let patients = String::from_utf8_lossy(&t[1].1).into_owned();
    assert_eq!(patients.lines().count(), 1 + 3 * 2, "{patients}");
    assert!(!patients.contains("NaN") && !sites.contains("NaN"));
    assert!(out.path().join("run.json").is_file());
}

#[test]
fn two_threads_give_the_same_tables() {
    let out = tempfile::tempdir().unwrap();
    batch(out.path(), &["--jobs", "2"]);
    assert_eq!(tables(out.path()), reference().1);
}

#[test]
fn four_shards_merged_give_the_same_tables() {
    let root = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    for k in 1..=4 {
        let d = root.path().join(format!("shard{k}"));
        batch(&d, &["--jobs", "1", "--shard", &format!("{k}/4")]);
        dirs.push(d);
    }
    let merged = root.path().join("merged");
    run_ok(bin().arg("merge").args(&dirs).arg("--out").arg(&merged));
    assert_eq!(tables(&merged), reference().1);
}

#[test]
fn sigkill_then_resume_gives_the_same_tables() {
    let (_, manifest) = archive();
    let out = tempfile::tempdir().unwrap();
    // Kill at several points of the run (deterministic delays), resuming each time.
    for delay_ms in [150u64, 400, 700, 1100] {
        let mut child = bin()
            .arg("batch")
            .arg(manifest)
            .arg("--out")
            .arg(out.path())
            .args(["--no-overlay", "--jobs", "2", "--resume"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        // kill() sends SIGKILL on Unix: no clean-up runs.
        let _ = child.kill();
        let _ = child.wait();
    }
    batch(out.path(), &["--jobs", "2", "--resume"]);
    assert_eq!(tables(out.path()), reference().1);
    let mut scores = 0;
    for entry in std::fs::read_dir(out.path().join("clips")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains("partial"), "leftover partial file {name}");
        if name.ends_with(".score.json") {
            scores += 1;
        }
    }
    assert_eq!(
        scores,
        3 * 2 * 2,
        "one score JSON per clip, none lost or duplicated"
    );
}

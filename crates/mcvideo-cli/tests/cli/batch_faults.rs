//! `mcvideo batch` and `merge` faced with the faults that would otherwise give silently wrong
//! or silently incomplete results: a resumed clip whose file or settings changed, two runs
//! into one folder, stale and foreign locks, mixed or missing shards, a misspelled manifest
//! column, a batch in which nothing could be scored and a folder of frames the pattern misses.
//! All through the binary, on tiny synthetic clips.

use crate::common::{bin, run_ok};

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A tiny synthetic study: 1 patient × 2 days × 2 sites, each clip 96×72 px, 1 s.
fn study() -> &'static (tempfile::TempDir, PathBuf) {
    static STUDY: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    STUDY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        run_ok(
            bin()
                .args(["synth-study", "--patients", "1", "--seed", "7"])
                .args(["--sites", "2-2", "--width", "96", "--height", "72"])
                .args(["--duration", "1", "--out"])
                .arg(dir.path()),
        );
        let manifest = dir.path().join("manifest.csv");
        (dir, manifest)
    })
}

/// The manifest's rows (without the header) as fields.
fn manifest_rows() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(&study().1).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Writes a manifest beside the study's clips (so relative paths resolve) and returns it.
fn write_manifest(name: &str, header: &str, rows: &[Vec<String>]) -> PathBuf {
    let path = study().0.path().join(name);
    let mut text = format!("{header}\n");
    for row in rows {
        text.push_str(&row.join(","));
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn batch(input: &Path, out: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("batch")
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(["--no-overlay", "--jobs", "2"])
        .args(extra)
        .output()
        .unwrap()
}

fn ok(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "failed: {stderr}");
    stderr
}

fn fails(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "expected exit 1: {stderr}");
    stderr
}

fn run_json(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// sites.csv, patients.csv and failures.csv.
fn tables(dir: &Path) -> [String; 3] {
    ["sites.csv", "patients.csv", "failures.csv"].map(|f| read(&dir.join(f)))
}

/// The tables of one plain run of the study's manifest.
fn reference() -> &'static (tempfile::TempDir, [String; 3]) {
    static REFERENCE: OnceLock<(tempfile::TempDir, [String; 3])> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        ok(&batch(&study().1, out.path(), &[]));
        let t = tables(out.path());
        (out, t)
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the reference output, to resume into.
fn scored_copy() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    copy_dir(reference().0.path(), out.path());
    out
}

#[test]
fn resume_rescores_a_clip_whose_file_changed() {
    let out = scored_copy();
    // The manifest now points the first two ids at each other's clip files.
    let mut rows = manifest_rows();
    let (a, b) = (rows[0][0].clone(), rows[1][0].clone());
    rows[0][0] = b;
    rows[1][0] = a;
    let swapped = write_manifest("swapped.csv", "path,patient,day,site,um_per_px", &rows);
    let stderr = ok(&batch(&swapped, out.path(), &["--resume"]));
    assert!(stderr.contains("re-scoring"), "{stderr}");
    assert!(stderr.contains("content changed"), "{stderr}");
    let run = run_json(out.path());
    assert_eq!(run["counts"]["rescored"], 2, "{run}");
    assert_eq!(run["counts"]["resumed"], rows.len() as u64 - 2, "{run}");
    assert!(run["rescored"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("content changed"));
    // The resumed tables are those of a fresh run of the new manifest.
    let fresh = tempfile::tempdir().unwrap();
    ok(&batch(&swapped, fresh.path(), &[]));
    assert_eq!(tables(out.path()), tables(fresh.path()));
}

#[test]
fn resume_rescores_when_a_scale_or_parameter_changed() {
    let out = scored_copy();
    let mut rows = manifest_rows();
    let scale: f64 = rows[0][4].parse().unwrap();
    rows[0][4] = format!("{}", scale * 1.5);
    let rescaled = write_manifest("rescaled.csv", "path,patient,day,site,um_per_px", &rows);
    let stderr = ok(&batch(&rescaled, out.path(), &["--resume"]));
    assert!(stderr.contains("settings changed"), "{stderr}");
    let run = run_json(out.path());
    assert_eq!(run["counts"]["rescored"], 1, "{run}");
    let fresh = tempfile::tempdir().unwrap();
    ok(&batch(&rescaled, fresh.path(), &[]));
    assert_eq!(tables(out.path()), tables(fresh.path()));
    assert_ne!(tables(out.path())[0], reference().1[0]);

    // A scoring parameter changes every clip's key.
    let stderr = ok(&batch(
        &rescaled,
        out.path(),
        &["--resume", "--sluggish-below-um-s", "250"],
    ));
    let run = run_json(out.path());
    assert_eq!(run["counts"]["rescored"], rows.len(), "{stderr}");
    assert_eq!(run["counts"]["resumed"], 0, "{run}");
    // And the same settings again resume everything.
    ok(&batch(
        &rescaled,
        out.path(),
        &["--resume", "--sluggish-below-um-s", "250"],
    ));
    let run = run_json(out.path());
    assert_eq!(run["counts"]["resumed"], rows.len(), "{run}");
    assert_eq!(run["counts"]["scored"], 0, "{run}");
}

#[test]
fn a_stored_score_without_a_key_is_rescored() {
    let out = scored_copy();
    let clips = out.path().join("clips");
    let first = std::fs::read_dir(&clips)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".score.json"))
        .min()
        .unwrap();
    let mut score: Value = serde_json::from_slice(&std::fs::read(&first).unwrap()).unwrap();
    assert!(score["resume_key"]["clip_sha256"].is_string(), "{score}");
    score.as_object_mut().unwrap().remove("resume_key");
    std::fs::write(&first, serde_json::to_vec(&score).unwrap()).unwrap();
    let stderr = ok(&batch(&study().1, out.path(), &["--resume"]));
    assert!(stderr.contains("no resume key"), "{stderr}");
    assert_eq!(run_json(out.path())["counts"]["rescored"], 1);
    assert_eq!(tables(out.path()), reference().1);
}

/// Waits until `path` exists (or panics after 20 s).
fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{path:?} never appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_second_batch_into_the_same_folder_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let lock = out.path().join("mcvideo.lock");
    let mut first = bin()
        .arg("batch")
        .arg(&study().1)
        .arg("--out")
        .arg(out.path())
        .args(["--no-overlay", "--jobs", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&lock);
    let second = batch(&study().1, out.path(), &[]);
    let status = first.wait().unwrap();
    let stderr = fails(&second);
    assert!(
        stderr.contains(&format!("locked by pid {}", first.id())),
        "{stderr}"
    );
    assert!(stderr.contains("mcvideo.lock"), "{stderr}");
    assert!(status.success());
    // The first run's tables are whole and its own; the lock is gone.
    assert_eq!(tables(out.path()), reference().1);
    assert!(!lock.exists());
}

fn this_host() -> String {
    read(Path::new("/proc/sys/kernel/hostname"))
        .trim()
        .to_string()
}

fn write_lock(dir: &Path, pid: u32, host: &str) {
    let lock = serde_json::json!({
        "pid": pid, "host": host, "started": "2026-01-01T00:00:00Z",
        "command": "mcvideo batch killed.csv",
    });
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("mcvideo.lock"), lock.to_string()).unwrap();
}

#[test]
fn a_stale_lock_of_this_host_is_taken_over_with_a_message() {
    let out = scored_copy();
    // A pid above the kernel's largest (2^22): no such process.
    write_lock(out.path(), 4_999_999, &this_host());
    let stderr = ok(&batch(&study().1, out.path(), &["--resume"]));
    assert!(stderr.contains("took over the stale lock"), "{stderr}");
    assert!(stderr.contains("pid 4999999"), "{stderr}");
    let run = run_json(out.path());
    assert!(run["notices"][0].as_str().unwrap().contains("stale lock"));
    assert!(!out.path().join("mcvideo.lock").exists());
}

#[test]
fn a_lock_of_another_host_is_never_broken() {
    let out = tempfile::tempdir().unwrap();
    write_lock(out.path(), 1, "node-elsewhere.cluster");
    let stderr = fails(&batch(&study().1, out.path(), &[]));
    assert!(stderr.contains("node-elsewhere.cluster"), "{stderr}");
    assert!(stderr.contains("another host"), "{stderr}");
    assert!(stderr.contains("remove"), "{stderr}");
    assert!(out.path().join("mcvideo.lock").exists());
    assert!(!out.path().join("sites.csv").exists());
}

/// Shards K of N of the study, into `root/shard-K`, with extra options.
fn shard(root: &Path, k: usize, n: usize, extra: &[&str]) -> PathBuf {
    let dir = root.join(format!("shard-{k}{}", extra.join("")));
    let spec = format!("{k}/{n}");
    let mut args = vec!["--shard", spec.as_str()];
    args.extend_from_slice(extra);
    ok(&batch(&study().1, &dir, &args));
    dir
}

fn merge(dirs: &[&PathBuf], out: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("merge")
        .args(dirs)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// Shards 1/2 and 2/2 of the study, and 2/2 scored with another setting.
fn shards() -> &'static (tempfile::TempDir, [PathBuf; 3]) {
    static SHARDS: OnceLock<(tempfile::TempDir, [PathBuf; 3])> = OnceLock::new();
    SHARDS.get_or_init(|| {
        let root = tempfile::tempdir().unwrap();
        let one = shard(root.path(), 1, 2, &[]);
        let two = shard(root.path(), 2, 2, &[]);
        let other = shard(root.path(), 2, 2, &["--sluggish-below-um-s", "250"]);
        (root, [one, two, other])
    })
}

#[test]
fn merge_of_complete_alike_shards_gives_the_tables_of_one_run() {
    let [one, two, _] = &shards().1;
    let out = tempfile::tempdir().unwrap();
    let merged = out.path().join("merged");
    ok(&merge(&[one, two], &merged, &[]));
    assert_eq!(tables(&merged), reference().1);
    let run = run_json(&merged);
    assert_eq!(run["kind"], "merge");
    assert_eq!(run["allow_incomplete"], false);
    assert_eq!(run["shards"].as_array().unwrap().len(), 2);
}

#[test]
fn merge_refuses_shards_scored_with_other_settings() {
    let [one, _, other] = &shards().1;
    let out = tempfile::tempdir().unwrap();
    let merged = out.path().join("merged");
    let stderr = fails(&merge(&[one, other], &merged, &["--allow-incomplete"]));
    assert!(stderr.contains("differ in settings"), "{stderr}");
    assert!(stderr.contains(&one.display().to_string()), "{stderr}");
    assert!(stderr.contains(&other.display().to_string()), "{stderr}");
    assert!(!merged.exists());
}

#[test]
fn merge_refuses_missing_and_duplicated_shards() {
    let [one, two, _] = &shards().1;
    let out = tempfile::tempdir().unwrap();
    let merged = out.path().join("merged");
    let stderr = fails(&merge(&[one], &merged, &[]));
    assert!(stderr.contains("shard 2/2 is missing"), "{stderr}");
    assert!(stderr.contains("--allow-incomplete"), "{stderr}");
    assert!(!merged.exists());

    let stderr = fails(&merge(&[one, two, one], &merged, &["--allow-incomplete"]));
    assert!(stderr.contains("shard 1/2 is given 2 times"), "{stderr}");
    assert!(
        stderr.contains("appears in more than one shard"),
        "{stderr}"
    );
    assert!(!merged.exists());

    // With --allow-incomplete the missing shard is let through, and said so.
    let stderr = ok(&merge(&[one], &merged, &["--allow-incomplete"]));
    assert!(stderr.contains("shard 2/2 is missing"), "{stderr}");
    let run = run_json(&merged);
    assert_eq!(run["allow_incomplete"], true);
    assert_eq!(run["incomplete"][0], "shard 2/2 is missing");
}

#[test]
fn merge_refuses_a_shard_of_another_archive_or_still_locked() {
    let [one, two, _] = &shards().1;
    let root = tempfile::tempdir().unwrap();
    // Shard 2 made from a manifest that lost a row.
    let rows = manifest_rows();
    let shorter = write_manifest(
        "shorter.csv",
        "path,patient,day,site,um_per_px",
        &rows[..rows.len() - 1],
    );
    let other = root.path().join("other-2");
    ok(&batch(&shorter, &other, &["--shard", "2/2"]));
    let merged = root.path().join("merged");
    let stderr = fails(&merge(&[one, &other], &merged, &[]));
    assert!(stderr.contains("the archive they split"), "{stderr}");

    let locked = root.path().join("locked-2");
    copy_dir(two, &locked);
    write_lock(&locked, std::process::id(), &this_host());
    let stderr = fails(&merge(&[one, &locked], &merged, &["--allow-incomplete"]));
    assert!(stderr.contains("is locked"), "{stderr}");
    assert!(!merged.exists());
}

#[test]
fn a_misspelled_scale_column_warns_and_a_batch_with_nothing_scored_fails() {
    let rows = manifest_rows();
    let misspelled = write_manifest("um_px.csv", "path,patient,day,site,um_px", &rows);
    let out = tempfile::tempdir().unwrap();
    let stderr = fails(&batch(&misspelled, out.path(), &[]));
    assert!(stderr.contains("unknown column 'um_px'"), "{stderr}");
    assert!(stderr.contains("did you mean 'um_per_px'?"), "{stderr}");
    assert!(stderr.contains("no clip could be scored"), "{stderr}");
    let run = run_json(out.path());
    assert!(run["warnings"][0].as_str().unwrap().contains("um_px"));
    assert_eq!(run["counts"]["failed"], rows.len());
    assert_eq!(
        read(&out.path().join("failures.csv")).lines().count(),
        1 + rows.len()
    );
    // The lock is released on this error exit too.
    assert!(!out.path().join("mcvideo.lock").exists());
    // With the scale given on the command line the same manifest scores (and still warns).
    let stderr = ok(&batch(&misspelled, out.path(), &["--um-per-px", "1.2"]));
    assert!(stderr.contains("did you mean 'um_per_px'?"), "{stderr}");
}

#[test]
fn a_frame_folder_the_pattern_misses_is_listed_as_a_failure() {
    let archive = tempfile::tempdir().unwrap();
    let rows = manifest_rows();
    let video = archive.path().join("P1/1/s1.avi");
    std::fs::create_dir_all(video.parent().unwrap()).unwrap();
    std::fs::copy(study().0.path().join(&rows[0][0]), &video).unwrap();
    let frames = archive.path().join("P2/1/s1");
    std::fs::create_dir_all(&frames).unwrap();
    for i in 0..3u8 {
        image::GrayImage::from_pixel(40, 30, image::Luma([100 + i]))
            .save(frames.join(format!("{i:04}.png")))
            .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let stderr = ok(&batch(
        archive.path(),
        &out.path().join("r"),
        &["--um-per-px", "1.2"],
    ));
    assert!(stderr.contains("P2/1/s1"), "{stderr}");
    let failures = read(&out.path().join("r/failures.csv"));
    assert!(failures.contains("P2/1/s1"), "{failures}");
    assert!(failures.contains("does not match --pattern"), "{failures}");
    let run = run_json(&out.path().join("r"));
    assert_eq!(run["skipped"][0]["path"], "P2/1/s1", "{run}");
    assert_eq!(run["counts"]["skipped"], 1);
    assert_eq!(read(&out.path().join("r/sites.csv")).lines().count(), 2);
}

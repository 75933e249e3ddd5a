//! `mcvideo batch` logging to a file (stderr not a terminal, as under SLURM): progress lines
//! with clips done, rate, ETA and failures appear while the batch runs.

use crate::common::{bin, run_ok};

/// Checks one progress line's shape: `progress: D/T clips done, R clips/min, ETA E, F failed
/// (X elapsed)`, returning (done, total, failed).
fn parse_progress(line: &str) -> Option<(usize, usize, usize)> {
    let rest = line.strip_prefix("progress: ")?;
    let (done, rest) = rest.split_once('/')?;
    let (total, rest) = rest.split_once(" clips done, ")?;
    let (rate, rest) = rest.split_once(" clips/min, ETA ")?;
    let (eta, rest) = rest.split_once(", ")?;
    let (failed, elapsed) = rest.split_once(" failed (")?;
    rate.parse::<f64>().ok()?;
    (!eta.is_empty() && elapsed.ends_with(" elapsed)")).then_some(())?;
    Some((
        done.parse().ok()?,
        total.parse().ok()?,
        failed.parse().ok()?,
    ))
}

#[test]
fn a_batch_logging_to_a_file_prints_progress_lines() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("study");
    run_ok(
        bin()
            .args(["synth-study", "--patients", "2", "--seed", "3"])
            .args(["--sites", "2-2", "--width", "96", "--height", "80"])
            .args(["--duration", "1", "--out"])
            .arg(&study),
    );
    let manifest = study.join("manifest.csv");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(study.join("clips/broken.avi"), b"RIFF not a clip").unwrap();
    text.push_str("clips/broken.avi,P999,D1,S1,1.2\n");
    std::fs::write(&manifest, text).unwrap();
    let out = bin()
        .arg("batch")
        .arg(&manifest)
        .arg("--out")
        .arg(dir.path().join("out"))
        .args(["--no-overlay", "--jobs", "1", "--progress-every", "0.05"])
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<(usize, usize, usize)> = stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .map(|l| parse_progress(l).unwrap_or_else(|| panic!("malformed progress line: {l}")))
        .collect();
    assert!(!lines.is_empty(), "no progress line in:\n{stderr}");
    // 2 patients x 2 days x 2 sites, plus the broken clip.
    assert!(lines
        .iter()
        .all(|&(done, total, failed)| total == 9 && done <= total && failed <= 1));
    // Counts only grow.
    assert!(lines
        .windows(2)
        .all(|w| w[0].0 <= w[1].0 && w[0].2 <= w[1].2));
    // The bar is for terminals: none of its characters in the log.
    assert!(!stderr.contains("[=") && !stderr.contains("clips, "));
}

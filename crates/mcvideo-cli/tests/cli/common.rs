//! Helpers shared by the binary's integration tests: the binary, fixture paths and running
//! `mcvideo stats`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A command for the `mcvideo` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcvideo"))
}

/// Runs `cmd` and asserts that it succeeded, showing its stderr if not.
fn succeed(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd`, asserts that it succeeded (showing its stderr if not) and returns its stdout.
pub fn run_ok(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&succeed(cmd).stdout).into_owned()
}

/// As [`run_ok`], returning the stderr, where progress and notes go.
pub fn run_ok_stderr(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&succeed(cmd).stderr).into_owned()
}

/// The path of `fixtures/<relative>` as a string argument.
pub fn fixture_path(relative: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(relative)
        .display()
        .to_string()
}

/// Runs `mcvideo stats ARGS`, returning (exit code, stdout JSON or Null, stderr).
pub fn stats(args: &[&str]) -> (i32, Value, String) {
    let out = bin().arg("stats").args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A two-site archive of patient P1, day 1: `archive/P1/1/1.avi` and `2.avi`, synthetic clips
/// of `seeds`, with `synth_args` (size, duration) passed on, and without their truth files, as
/// a lab's archive has none.
pub fn two_site_archive(archive: &Path, seeds: [&str; 2], synth_args: &[&str]) {
    let folder = archive.join("P1/1");
    for (site, seed) in ["1", "2"].into_iter().zip(seeds) {
        run_ok(
            bin()
                .args(["synth", "--out"])
                .arg(&folder)
                .args(["--seed", seed, "--name", site])
                .args(synth_args),
        );
        std::fs::remove_file(folder.join(format!("{site}.truth.json"))).unwrap();
    }
}

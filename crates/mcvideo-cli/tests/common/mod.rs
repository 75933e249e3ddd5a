//! Helpers shared by the binary's integration tests: the binary, fixture paths and running
//! `mcvideo stats`. Each test crate uses a part of them.

#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// A command for the `mcvideo` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcvideo"))
}

/// Runs `cmd`, asserts that it succeeded (showing its stderr if not) and returns its stdout.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
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

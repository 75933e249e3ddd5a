//! Mutated inputs through the binary, with fixed seeds: 300 damaged clips (`score`), 1500
//! damaged CSV files (`stats describe`) and 1500 damaged manifests (`batch`). Every run must
//! exit 0 or 1 (never a panic, an abort or a hang: each case has a time limit), a failure must
//! name the file, and a failed run must leave no output behind.

mod common;

use common::{bin, fixture_path, run_ok};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Seconds a single case may take before it counts as a hang.
const CASE_LIMIT_S: &str = "60";

/// A small deterministic generator (SplitMix64), so the variants are the same on every run.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Damages `bytes`: a truncation, byte flips anywhere, flips in the header, a zeroed range, or
/// (for text) characters deleted, inserted or lines duplicated.
fn mutate(bytes: &[u8], rng: &mut Mix, text: bool) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let kinds = if text { 7 } else { 4 };
    for _ in 0..1 + rng.below(3) {
        if out.is_empty() {
            break;
        }
        match rng.below(kinds) {
            0 => out.truncate(rng.below(out.len())),
            1 => {
                for _ in 0..1 + rng.below(16) {
                    let i = rng.below(out.len());
                    out[i] ^= 1 << rng.below(8);
                }
            }
            2 => {
                let head = out.len().min(512);
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(head);
                    out[i] = rng.next() as u8;
                }
            }
            3 => {
                let start = rng.below(out.len());
                let end = (start + 1 + rng.below(4096)).min(out.len());
                out[start..end].fill(0);
            }
            4 => {
                let i = rng.below(out.len());
                out.remove(i);
            }
            5 => {
                const PIECES: [&[u8]; 10] = [
                    b",", b"\n", b"\"", b"NaN", b"-1e308", b"inf", b"x", b";", b"\r\n", b"\xff",
                ];
                let piece = PIECES[rng.below(PIECES.len())];
                let i = rng.below(out.len() + 1);
                out.splice(i..i, piece.iter().copied());
            }
            _ => {
                let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
                let pick = rng.below(lines.len());
                let mut joined: Vec<u8> = Vec::new();
                for (i, line) in lines.iter().enumerate() {
                    joined.extend_from_slice(line);
                    joined.push(b'\n');
                    if i == pick {
                        joined.extend_from_slice(line);
                        joined.push(b'\n');
                    }
                }
                out = joined;
            }
        }
    }
    out
}

/// Runs `args` under the time limit; returns (exit code, stderr).
fn run_limited(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = Command::new("timeout")
        .arg(CASE_LIMIT_S)
        .arg(env!("CARGO_BIN_EXE_mcvideo"))
        .args(args)
        .output()
        .expect("timeout runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The checks every case shares: exit 0 or 1, a failure naming `named`.
fn check(case: &str, code: i32, stderr: &str, named: &str) {
    assert!(
        code == 0 || code == 1,
        "{case}: exit {code} (124 = hang, 101 = panic, 134 = abort): {stderr}"
    );
    if code == 1 {
        assert!(
            stderr.contains(named),
            "{case}: the message does not name {named}: {stderr}"
        );
    }
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|r| r.count()).unwrap_or(0)
}

/// Runs `cases` (index, work) on two threads, in order within each.
fn on_two_threads(cases: usize, work: impl Fn(usize) + Sync) {
    std::thread::scope(|scope| {
        for lane in 0..2 {
            let work = &work;
            scope.spawn(move || (lane..cases).step_by(2).for_each(work));
        }
    });
}

#[test]
fn damaged_clips_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let formats = ["ffv1", "mjpeg", "mkv", "mha-zlib"];
    let mut originals: Vec<PathBuf> = Vec::new();
    for format in formats {
        run_ok(
            bin()
                .args(["synth", "--seed", "5", "--width", "64", "--height", "48"])
                .args(["--duration", "0.6", "--fps", "25", "--format", format])
                .args(["--name", &format!("base-{format}"), "--out"])
                .arg(d),
        );
        let clip = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_stem()
                    .is_some_and(|s| s == format!("base-{format}").as_str())
                    && !p.to_string_lossy().ends_with(".json")
            })
            .expect("the synth clip");
        originals.push(clip);
    }
    let cases = 300;
    on_two_threads(cases, |i| {
        let mut rng = Mix(1000 + i as u64);
        let original = &originals[i % originals.len()];
        let ext = original.extension().unwrap().to_string_lossy().into_owned();
        let variant = d.join(format!("v{i:03}.{ext}"));
        std::fs::write(
            &variant,
            mutate(&std::fs::read(original).unwrap(), &mut rng, false),
        )
        .unwrap();
        let out = d.join(format!("out{i:03}"));
        let (code, stderr) = run_limited(&[
            "score".as_ref(),
            variant.as_os_str(),
            "--um-per-px".as_ref(),
            "1".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        let name = variant.file_name().unwrap().to_string_lossy().into_owned();
        check(&format!("clip variant {i}"), code, &stderr, &name);
        if code == 1 {
            assert_eq!(
                files_in(&out),
                0,
                "clip variant {i}: partial outputs after a failure"
            );
        } else {
            assert!(
                files_in(&out) >= 1,
                "clip variant {i}: exit 0 without a score"
            );
        }
        let _ = std::fs::remove_file(&variant);
    });
}

#[test]
fn damaged_tables_and_manifests_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let table = std::fs::read(fixture_path("stats/sleep.csv")).unwrap();
    let cases = 1500;
    on_two_threads(cases, |i| {
        let mut rng = Mix(5000 + i as u64);
        let variant = d.join(format!("t{i:04}.csv"));
        std::fs::write(&variant, mutate(&table, &mut rng, true)).unwrap();
        let (code, stderr) = run_limited(&[
            "stats".as_ref(),
            "describe".as_ref(),
            variant.as_os_str(),
            "--vars".as_ref(),
            "extra".as_ref(),
            "--group".as_ref(),
            "group".as_ref(),
        ]);
        let name = variant.file_name().unwrap().to_string_lossy().into_owned();
        check(&format!("table variant {i}"), code, &stderr, &name);
        let _ = std::fs::remove_file(&variant);
    });

    // Manifests of clips that are missing (so the cases stay fast): every run ends with the
    // manifest refused or no clip scored, exit 1, the manifest or a clip named.
    let manifest = b"path,patient,day,site,um_per_px\nclips/a.avi,P1,1,1,1.2\nclips/b.avi,P1,1,2,1.2\nclips/c.avi,P2,3,1,0.9\n";
    on_two_threads(cases, |i| {
        let mut rng = Mix(9000 + i as u64);
        let variant = d.join(format!("m{i:04}.csv"));
        std::fs::write(&variant, mutate(manifest, &mut rng, true)).unwrap();
        let out = d.join(format!("batch{i:04}"));
        let (code, stderr) = run_limited(&[
            "batch".as_ref(),
            variant.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--no-overlay".as_ref(),
        ]);
        assert!(
            code == 0 || code == 1,
            "manifest variant {i}: exit {code}: {stderr}"
        );
        let name = variant.file_name().unwrap().to_string_lossy().into_owned();
        if code == 1 {
            assert!(
                stderr.contains(&name) || stderr.contains(".avi") || stderr.contains("no clip"),
                "manifest variant {i}: the message names neither the manifest nor a clip: {stderr}"
            );
        }
        // A run leaves no lock behind, whatever happened.
        assert!(
            !out.join("mcvideo.lock").exists(),
            "manifest variant {i}: lock left"
        );
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(&variant);
    });
}

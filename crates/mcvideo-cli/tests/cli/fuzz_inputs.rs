//! Mutated inputs through the binary, with fixed seeds: 300 damaged clips (`score`), 1220
//! damaged CSV files (`stats describe`), 1220 damaged manifests (`batch`) and over 500 damaged
//! study configs (`analyze`). Every run must exit 0 or 1 (never a panic, an abort or a hang:
//! each case has a time limit), a failure must name the file, and a failed run must leave no
//! output behind.
//!
//! Each run starts the binary afresh, so the 3000 text cases take minutes; the test command runs
//! a fixed share of them (every [`TEST_COMMAND_STRIDE`]-th table and manifest, every
//! [`CONFIG_STRIDE`]-th config, every [`CLIP_STRIDE`]-th clip) and the acceptance tier all of
//! them (`tools/acceptance.sh fuzz`).

use crate::common::{bin, fixture_path, run_ok};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Seconds a single case may take before it counts as a hang.
const CASE_LIMIT_S: &str = "60";

/// The test command runs every this-many-th damaged table and manifest.
const TEST_COMMAND_STRIDE: usize = 4;

/// ... and every this-many-th damaged clip: prime to the four formats the clips cycle
/// through, so that each format is still damaged in a quarter of the cases.
const CLIP_STRIDE: usize = 3;

/// ... and every this-many-th damaged study config: prime to the 24 values each key is given,
/// so that every key still meets values of every kind.
const CONFIG_STRIDE: usize = 5;

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

/// Runs the cases `0, stride, 2 * stride, ...` below `cases` (index, work) on two threads, in
/// order within each. A case's input depends only on its index, so a stride runs exactly those
/// cases of the whole set.
fn on_two_threads(cases: usize, stride: usize, work: impl Fn(usize) + Sync) {
    let chosen: Vec<usize> = (0..cases).step_by(stride).collect();
    std::thread::scope(|scope| {
        for lane in 0..2 {
            let (work, chosen) = (&work, &chosen);
            scope.spawn(move || chosen.iter().skip(lane).step_by(2).for_each(|&i| work(i)));
        }
    });
}

#[test]
fn damaged_clips_fail_cleanly() {
    clips(CLIP_STRIDE);
}

/// Every `stride`-th of 300 damaged clips through `score`, in four formats.
fn clips(stride: usize) {
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
    on_two_threads(cases, stride, |i| {
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
    tables_and_manifests(TEST_COMMAND_STRIDE);
}

#[test]
#[ignore = "acceptance tier: all 300 clips, 2440 tables and manifests and 562 configs, about 7 minutes (tools/acceptance.sh fuzz)"]
fn every_damaged_input_fails_cleanly() {
    clips(1);
    tables_and_manifests(1);
    study_configs(1);
}

/// Damaged tables through `stats describe` and damaged manifests through `batch`, every
/// `stride`-th of 1220 of each.
fn tables_and_manifests(stride: usize) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let table = std::fs::read(fixture_path("stats/sleep.csv")).unwrap();
    // With the study configs (562), 3002 damaged CSV, manifest and config inputs in all.
    let cases = 1220;
    on_two_threads(cases, stride, |i| {
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
    on_two_threads(cases, stride, |i| {
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

/// A 16-patient cohort for the study configs: small enough that a valid config runs in about a
/// second, large enough that the GAM, segmented and survival fits run (with a reduced basis).
const TINY_COHORT: &str = "patient,ne_dose,mfi,ppv,age,time28,death28
P01,0.057,2.86,94.2,80,28,0
P02,0.157,2.74,91.0,75,28,0
P03,0.236,3.01,97.3,52,28,0
P04,0.324,2.93,93.1,61,14,1
P05,0.389,2.88,95.6,44,28,0
P06,0.481,3.05,96.0,70,28,0
P07,0.566,2.79,92.4,66,28,0
P08,0.667,2.95,94.9,58,9,1
P09,0.741,2.71,90.2,83,28,0
P10,0.843,2.66,89.5,49,21,1
P11,0.921,2.52,88.1,77,28,0
P12,1.012,2.41,86.7,68,5,1
P13,1.107,2.38,84.0,55,28,0
P14,1.192,2.19,83.2,73,12,1
P15,1.283,2.22,80.9,62,28,0
P16,1.371,2.05,78.4,80,3,1
";

/// The study config every variant starts from (valid for [`TINY_COHORT`]), without comments so
/// that most byte-level damage lands in syntax or values.
const BASE_CONFIG: &str = r#"title = "Tiny cohort"
dose = "ne_dose"
outcomes = ["mfi", "ppv"]
covariates = ["age"]

[labels]
ne_dose = "NE dose (ug/kg/min)"

[data]
clinical = "clinical.csv"
main_day = 1

[baseline]
cutoff = 0.5
variables = ["ne_dose", "age", "mfi", "death28"]

[threshold]
k = 5
rcs_knots = 3
bootstrap = 0
seed = 7

[survival]
horizons = [{ label = "28-day", time = "time28", event = "death28" }]
cutoffs = [0.5]
times = [28]
"#;

/// The value lines of [`BASE_CONFIG`] a structured variant rewrites, as `key = ` prefixes.
const CONFIG_KEYS: [&str; 15] = [
    "title = ",
    "dose = ",
    "outcomes = ",
    "covariates = ",
    "ne_dose = ",
    "clinical = ",
    "main_day = ",
    "cutoff = ",
    "variables = ",
    "k = ",
    "rcs_knots = ",
    "bootstrap = ",
    "seed = ",
    "horizons = ",
    "cutoffs = ",
];

/// Values put in place of a key's value: wrong types, out-of-range and non-finite numbers,
/// empty and oversized lists, columns that are text, duplicated or absent.
const CONFIG_VALUES: [&str; 24] = [
    "\"text\"",
    "true",
    "1.5",
    "-1",
    "0",
    "2",
    "21",
    "nan",
    "-inf",
    "1e308",
    "18446744073709551616",
    "9223372036854775807",
    "1979-05-27T07:32:00Z",
    "\"\"",
    "[]",
    "[1, 2]",
    "{ a = 1 }",
    "[\"mfi\", \"mfi\"]",
    "[\"patient\"]",
    "[\"nope\"]",
    "\"patient\"",
    "\"threshold\"",
    "[{ label = \"x\", time = \"age\", event = \"mfi\" }]",
    "[0.5, \"threshold\", nan]",
];

/// Whole-config variants: unknown keys and tables, missing sections and files, duplicated
/// keys, degenerate columns, huge text and numbers.
fn special_configs() -> Vec<(&'static str, String)> {
    let base = BASE_CONFIG;
    let swap = |from: &str, to: &str| base.replace(from, to);
    let without_section = |name: &str| {
        let start = base.find(name).unwrap();
        let end = base[start + 1..]
            .find("\n[")
            .map_or(base.len(), |e| start + 2 + e);
        format!("{}{}", &base[..start], &base[end..])
    };
    vec![
        ("unknown key", format!("dosse = \"ne_dose\"\n{base}")),
        ("unknown key", base.replace("k = 5", "k = 5\nkk = 3")),
        (
            "unknown key",
            base.replace("[data]", "[data]\nclinicl = \"x.csv\""),
        ),
        ("unknown table", format!("{base}\n[extra]\na = 1\n")),
        (
            "unknown key",
            base.replace("event = \"death28\"", "event = \"death28\", when = 1"),
        ),
        ("missing key", swap("dose = \"ne_dose\"\n", "")),
        ("missing key", swap("outcomes = [\"mfi\", \"ppv\"]\n", "")),
        ("missing key", swap("clinical = \"clinical.csv\"\n", "")),
        ("missing section", without_section("[data]")),
        ("missing section", without_section("[baseline]")),
        ("missing section", without_section("[survival]")),
        ("missing section", without_section("[threshold]")),
        ("missing section", without_section("[labels]")),
        ("duplicate key", base.replace("k = 5", "k = 5\nk = 6")),
        ("duplicate table", format!("{base}\n[data]\nmain_day = 2\n")),
        ("missing file", swap("\"clinical.csv\"", "\"absent.csv\"")),
        (
            "missing file",
            swap("\"clinical.csv\"", "\"no/such/folder/clinical.csv\""),
        ),
        (
            "missing file",
            swap(
                "main_day = 1",
                "main_day = 1\nbatch = \"absent/patients.csv\"",
            ),
        ),
        ("missing file", swap("\"clinical.csv\"", "\"\"")),
        ("missing file", swap("\"clinical.csv\"", "\".\"")),
        ("not a table", swap("\"clinical.csv\"", "\"base.toml\"")),
        (
            "not a table",
            swap("main_day = 1", "main_day = 1\nbatch = \"base.toml\""),
        ),
        (
            "batch table",
            swap("main_day = 1", "main_day = 1\nbatch = \"clinical.csv\""),
        ),
        ("absent day", swap("main_day = 1", "main_day = 3")),
        (
            "change",
            format!("{base}\n[change]\nday_from = 1\nday_to = 3\n"),
        ),
        (
            "change",
            format!("{base}\n[change]\nday_from = 1\nday_to = 1\n"),
        ),
        ("column", swap("time = \"time28\"", "time = \"ppv\"")),
        ("column", swap("event = \"death28\"", "event = \"age\"")),
        ("column", swap("event = \"death28\"", "event = \"patient\"")),
        (
            "column",
            swap("covariates = [\"age\"]", "covariates = [\"ne_dose\"]"),
        ),
        (
            "column",
            swap(
                "covariates = [\"age\"]",
                "covariates = [\"mfi\", \"ppv\", \"age\", \"death28\", \"time28\"]",
            ),
        ),
        (
            "column",
            swap("outcomes = [\"mfi\", \"ppv\"]", "outcomes = [\"death28\"]"),
        ),
        ("column", swap("dose = \"ne_dose\"", "dose = \"death28\"")),
        ("column", swap("dose = \"ne_dose\"", "dose = \"patient\"")),
        (
            "cutoff",
            swap(
                "cutoffs = [0.5]",
                "cutoffs = [100.0, -100.0, \"threshold\"]",
            ),
        ),
        ("cutoff", swap("cutoffs = [0.5]", "cutoffs = [\"median\"]")),
        ("cutoff", swap("cutoff = 0.5", "cutoff = 1e300")),
        ("times", swap("times = [28]", "times = [-1]")),
        ("times", swap("times = [28]", "times = [nan]")),
        ("times", swap("times = [28]", "times = [0, 1e308]")),
        ("basis", swap("k = 5", "k = 5\nbasis = \"ps\"")),
        ("primary", swap("k = 5", "k = 5\nprimary = \"age\"")),
        (
            "correlation",
            format!("{base}\n[correlation]\nkind = \"kendall\"\n"),
        ),
        (
            "ties",
            swap("times = [28]", "times = [28]\nties = \"exact\""),
        ),
        (
            "huge text",
            swap("\"Tiny cohort\"", &format!("\"{}\"", "x".repeat(200_000))),
        ),
        (
            "huge label",
            swap(
                "\"NE dose (ug/kg/min)\"",
                &format!("\"<script>{}</script>\"", "µ".repeat(5000)),
            ),
        ),
        (
            "huge list",
            swap(
                "times = [28]",
                &format!("times = [{}]", vec!["1"; 5000].join(", ")),
            ),
        ),
        (
            "deep nesting",
            swap(
                "seed = 7",
                &format!("seed = {}{}", "[".repeat(5000), "]".repeat(5000)),
            ),
        ),
        ("empty file", String::new()),
        ("binary", "\u{0}\u{1}\u{ff}\u{feff}".repeat(100)),
        ("bom", format!("\u{feff}{base}")),
        ("crlf", base.replace('\n', "\r\n")),
    ]
}

/// Every damaged study config: a key's value replaced by each of [`CONFIG_VALUES`], the
/// whole-config variants, then byte-level damage with fixed seeds. Returns (kind, text).
fn config_variants() -> Vec<(String, Vec<u8>)> {
    let mut variants: Vec<(String, Vec<u8>)> = Vec::new();
    for key in CONFIG_KEYS {
        let start = BASE_CONFIG.find(key).unwrap();
        let end = start + BASE_CONFIG[start..].find('\n').unwrap();
        for value in CONFIG_VALUES {
            let text = format!(
                "{}{key}{value}{}",
                &BASE_CONFIG[..start],
                &BASE_CONFIG[end..]
            );
            variants.push(("value".to_string(), text.into_bytes()));
        }
    }
    for (kind, text) in special_configs() {
        variants.push((kind.to_string(), text.into_bytes()));
    }
    for seed in 0..150 {
        let mut rng = Mix(20_000 + seed);
        variants.push((
            "bytes".to_string(),
            mutate(BASE_CONFIG.as_bytes(), &mut rng, true),
        ));
    }
    variants
}

#[test]
fn damaged_study_configs_fail_cleanly() {
    study_configs(CONFIG_STRIDE);
}

/// Every `stride`-th damaged study config through `analyze`.
fn study_configs(stride: usize) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("clinical.csv"), TINY_COHORT).unwrap();
    std::fs::write(d.join("base.toml"), BASE_CONFIG).unwrap();
    // The base config itself runs: every variant starts from a working study.
    let (code, stderr) = run_limited(&[
        "analyze".as_ref(),
        "--config".as_ref(),
        d.join("base.toml").as_os_str(),
        "--out".as_ref(),
        d.join("base-out").as_os_str(),
    ]);
    assert_eq!(code, 0, "the base config fails: {stderr}");
    assert!(d.join("base-out/report.html").is_file());

    let variants = config_variants();
    assert!(variants.len() >= 500, "{} variants", variants.len());
    let exit_codes = std::sync::Mutex::new([0usize; 2]);
    on_two_threads(variants.len(), stride, |i| {
        let (kind, text) = &variants[i];
        let config = d.join(format!("c{i:03}.toml"));
        std::fs::write(&config, text).unwrap();
        let out = d.join(format!("o{i:03}"));
        let (code, stderr) = run_limited(&[
            "analyze".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        let case = format!("config variant {i} ({kind})");
        assert!(
            code == 0 || code == 1,
            "{case}: exit {code} (124 = hang, 101 = panic, 134 = abort): {stderr}"
        );
        exit_codes.lock().unwrap()[code as usize] += 1;
        if code == 1 {
            // The config, or a file it names (all in this folder).
            let name = config.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                stderr.contains(&name) || stderr.contains(&d.display().to_string()),
                "{case}: the message names no file: {stderr}"
            );
            assert_eq!(files_in(&out), 0, "{case}: partial outputs after a failure");
        } else {
            assert!(
                out.join("report.html").is_file() && out.join("analysis.json").is_file(),
                "{case}: exit 0 without a report"
            );
        }
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(&config);
    });
    let [ok, refused] = *exit_codes.lock().unwrap();
    println!(
        "study configs: {} of {} variants, {ok} ran (exit 0), {refused} refused (exit 1)",
        ok + refused,
        variants.len()
    );
    // Both outcomes occur in every share, or the share tests less than it claims.
    assert!(ok > 0 && refused > 0, "{ok} ran, {refused} refused");
}

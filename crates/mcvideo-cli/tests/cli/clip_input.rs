//! Clips that decode but cannot be read naively, through the binary: variable frame rate,
//! frames damaged inside a whole file, clips too short or too small to score, and numeric
//! options out of range.

use crate::common::bin;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Runs the binary, returning (exit code, stdout, stderr).
fn run(cmd: &mut std::process::Command) -> (i32, String, String) {
    let out = cmd.output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `mcvideo synth` into `dir` with `args`; returns the clip's path.
fn synth(dir: &Path, name: &str, ext: &str, args: &[&str]) -> PathBuf {
    let (code, _, stderr) = run(bin()
        .args(["synth", "--name", name, "--out"])
        .arg(dir)
        .args(args));
    assert_eq!(code, 0, "synth {args:?}: {stderr}");
    dir.join(format!("{name}.{ext}"))
}

/// `mcvideo inspect|score CLIP --um-per-px 1.2 --json`, parsed.
fn json_of(command: &str, clip: &Path) -> Value {
    let (code, stdout, stderr) = run(bin()
        .args([command, "--um-per-px", "1.2", "--json"])
        .arg(clip));
    assert_eq!(code, 0, "{command} {}: {stderr}", clip.display());
    serde_json::from_str(&stdout).expect("JSON on stdout")
}

fn ffmpeg_cli() -> bool {
    std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn ffmpeg(args: &[&str]) {
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-y", "-loglevel", "error"])
        .args(args)
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Relative difference of `a` from `b`.
fn off(a: f64, b: f64) -> f64 {
    (a - b).abs() / b
}

#[test]
fn variable_frame_rate_clips_are_timed_by_their_stamps() {
    if !ffmpeg_cli() {
        eprintln!("skipped: the ffmpeg tool is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A steady field of continuously flowing capillaries at 300-500 µm/s, 50 fps.
    let seed = synth(
        dir.path(),
        "seed",
        "avi",
        &["--width", "32", "--height", "32", "--duration", "0.1"],
    );
    drop(seed);
    let mut params: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("seed.truth.json")).unwrap())
            .unwrap();
    let p = &mut params["params"];
    for (key, value) in [
        ("continuous_um_s", serde_json::json!([300.0, 500.0])),
        ("venule_um_s", serde_json::json!([300.0, 500.0])),
        ("flow_mix", serde_json::json!([0.0, 0.0, 0.0, 1.0])),
        ("fps", serde_json::json!(50.0)),
        ("duration_s", serde_json::json!(3.5)),
        ("width", serde_json::json!(200)),
        ("height", serde_json::json!(150)),
        ("motion", serde_json::json!(0.0)),
        ("jumps", serde_json::json!(0)),
        ("seed", serde_json::json!(5)),
    ] {
        p[key] = value;
    }
    let params_path = dir.path().join("steady.json");
    std::fs::write(&params_path, params["params"].to_string()).unwrap();
    let even = synth(
        dir.path(),
        "even",
        "avi",
        &["--params", params_path.to_str().unwrap()],
    );
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("even.truth.json")).unwrap())
            .unwrap();
    let true_mean = truth["metrics"]["mean_velocity_um_s"].as_f64().unwrap();
    let even_report = json_of("score", &even);
    let even_mean = even_report["metrics"]["mean_velocity_um_s"]
        .as_f64()
        .unwrap();
    assert!(
        off(even_mean, true_mean) < 0.05,
        "{even_mean} vs truth {true_mean}"
    );
    assert_eq!(even_report["clip"]["timing"]["variable"], false);

    // A camera that drops every third frame: steps of 20 and 40 ms, stamps kept.
    let drop_third = "select='not(eq(mod(n\\,3)\\,2))'";
    let mkv = dir.path().join("dropped.mkv");
    let mp4 = dir.path().join("dropped.mp4");
    let even_str = even.to_str().unwrap();
    ffmpeg(&[
        "-i",
        even_str,
        "-vf",
        drop_third,
        "-fps_mode",
        "vfr",
        "-c:v",
        "ffv1",
        mkv.to_str().unwrap(),
    ]);
    ffmpeg(&[
        "-i",
        even_str,
        "-vf",
        drop_third,
        "-fps_mode",
        "vfr",
        "-c:v",
        "libx264",
        "-qp",
        "0",
        "-pix_fmt",
        "yuv420p",
        mp4.to_str().unwrap(),
    ]);
    for clip in [&mkv, &mp4] {
        let report = json_of("score", clip);
        let timing = &report["clip"]["timing"];
        assert_eq!(timing["variable"], true, "{}: {timing}", clip.display());
        assert_eq!(timing["interval_ms"], serde_json::json!([20.0, 40.0]));
        assert!(
            off(timing["effective_fps"].as_f64().unwrap(), 100.0 / 3.0) < 0.01,
            "{timing}"
        );
        assert_eq!(timing["resampled_fps"], 50.0);
        let measures = &report["quality"]["measures"];
        assert_eq!(measures["variable_frame_rate"], true);
        assert!(measures["frame_interval_spread"].as_f64().unwrap() > 0.5);
        let flags = report["quality"]["flags"].to_string();
        assert!(flags.contains("variable frame rate"), "{flags}");
        let mean = report["metrics"]["mean_velocity_um_s"].as_f64().unwrap();
        assert!(
            off(mean, true_mean) < 0.05 && off(mean, even_mean) < 0.05,
            "{}: {mean} µm/s against truth {true_mean} and the even clip's {even_mean}",
            clip.display()
        );
    }
}

#[test]
fn timestamps_rounded_to_the_time_base_are_an_even_rate() {
    let dir = tempfile::tempdir().unwrap();
    // Matroska stamps in milliseconds: 30 fps steps are 33 and 34 ms.
    let clip = synth(
        dir.path(),
        "thirty",
        "mkv",
        &[
            "--format",
            "mkv",
            "--fps",
            "30",
            "--width",
            "96",
            "--height",
            "80",
            "--duration",
            "1",
        ],
    );
    let report = json_of("inspect", &clip);
    assert_eq!(
        report["clip"]["timing"]["variable"], false,
        "{}",
        report["clip"]
    );
    assert_eq!(
        report["clip"]["timing"]["interval_ms"],
        serde_json::json!([33.0, 34.0])
    );
    assert_eq!(report["clip"]["fps"], 30.0);
    assert_eq!(report["quality"]["measures"]["variable_frame_rate"], false);
}

/// Byte ranges of the video frame chunks (`00dc`) of an AVI file, in order.
fn avi_frame_chunks(bytes: &[u8]) -> Vec<(usize, usize)> {
    let movi = bytes
        .windows(4)
        .position(|w| w == b"movi")
        .expect("an AVI movi list");
    let mut chunks = Vec::new();
    let mut at = movi + 4;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        if id == b"idx1" {
            break;
        }
        if id == b"00dc" {
            chunks.push((at + 8, size));
        }
        at += 8 + size + (size & 1);
    }
    chunks
}

/// A copy of `clip` with 8 bytes flipped in the middle of each listed frame.
fn damage_frames(clip: &Path, frames: &[usize], name: &str) -> PathBuf {
    let mut bytes = std::fs::read(clip).unwrap();
    let chunks = avi_frame_chunks(&bytes);
    for &k in frames {
        let (start, size) = chunks[k];
        for b in &mut bytes[start + size / 2..start + size / 2 + 8] {
            *b ^= 0xFF;
        }
    }
    let out = clip.with_file_name(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

#[test]
fn damaged_frames_are_counted_and_too_many_fail_the_clip() {
    let dir = tempfile::tempdir().unwrap();
    let common = [
        "--width",
        "96",
        "--height",
        "80",
        "--duration",
        "4",
        "--seed",
        "3",
    ];
    for format in ["ffv1", "mjpeg"] {
        let clip = synth(
            dir.path(),
            format,
            "avi",
            &[&["--format", format][..], &common].concat(),
        );
        assert_eq!(avi_frame_chunks(&std::fs::read(&clip).unwrap()).len(), 100);
        let whole = json_of("inspect", &clip);
        assert_eq!(whole["clip"]["decode_errors"]["frames"], 0);

        // One damaged frame of 100: read, counted and flagged.
        let one = damage_frames(&clip, &[40], &format!("{format}-one.avi"));
        let report = json_of("inspect", &one);
        assert_eq!(
            report["clip"]["decode_errors"]["frames"], 1,
            "{format}: {}",
            report["clip"]
        );
        assert_eq!(report["clip"]["decode_errors"]["first_frame"], 40);
        assert_eq!(report["quality"]["measures"]["damaged_frames"], 1);
        let flags = report["quality"]["flags"].to_string();
        assert!(flags.contains("damaged frames"), "{flags}");

        // Two of 100 (2 %) and three in a row fail, naming the file.
        for (frames, name) in [
            (&[20usize, 70][..], format!("{format}-two.avi")),
            (&[50, 51, 52][..], format!("{format}-run.avi")),
        ] {
            let bad = damage_frames(&clip, frames, &name);
            let (code, _, stderr) = run(bin().args(["score", "--um-per-px", "1.2"]).arg(&bad));
            assert_eq!(code, 1, "{name}: {stderr}");
            assert!(
                stderr.contains(&name) && stderr.contains("damaged"),
                "{stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
}

#[test]
fn clips_too_short_or_too_small_to_score() {
    let dir = tempfile::tempdir().unwrap();
    // Two frames: no flow window fits, so flow is not measurable and the clip fails.
    let short = synth(
        dir.path(),
        "short",
        "avi",
        &["--width", "96", "--height", "80", "--duration", "0.08"],
    );
    let (code, _, stderr) = run(bin().args(["score", "--um-per-px", "1.2"]).arg(&short));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("short.avi") && stderr.contains("flow needs at least"),
        "{stderr}"
    );
    // 32x32 px at 1.2 µm/px is a 38 µm field: unacceptable content.
    let tiny = synth(
        dir.path(),
        "tiny",
        "avi",
        &["--width", "32", "--height", "32", "--duration", "1"],
    );
    let report = json_of("inspect", &tiny);
    let quality = &report["quality"];
    assert_eq!(quality["acceptable"], false, "{quality}");
    assert_eq!(quality["content"], 10);
    assert!(
        quality["flags"].to_string().contains("field of view"),
        "{quality}"
    );
}

#[test]
fn numeric_options_out_of_range_are_command_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let mut cases: Vec<Vec<&str>> = Vec::new();
    for bad in ["nan", "-1", "0", "inf"] {
        cases.push(vec!["score", "clip.avi", "--sluggish-below-um-s", bad]);
        cases.push(vec!["score", "clip.avi", "--small-vessel-cutoff-um", bad]);
        cases.push(vec![
            "batch",
            "in.csv",
            "--out",
            out,
            "--sluggish-below-um-s",
            bad,
        ]);
        cases.push(vec!["synth", "--out", out, "--fps", bad]);
        cases.push(vec!["synth-study", "--out", out, "--duration", bad]);
    }
    for bad in ["0", "-1", "nan", "500"] {
        cases.push(vec!["score", "clip.avi", "--um-per-px", bad]);
        cases.push(vec!["inspect", "clip.avi", "--um-per-px", bad]);
        cases.push(vec!["batch", "in.csv", "--out", out, "--um-per-px", bad]);
    }
    for bad in ["0/3", "4/3", "1/0", "x"] {
        cases.push(vec!["batch", "in.csv", "--out", out, "--shard", bad]);
    }
    cases.push(vec!["batch", "in.csv", "--out", out, "--jobs", "0"]);
    cases.push(vec!["synth", "--out", out, "--width", "8"]);
    cases.push(vec!["synth", "--out", out, "--noise", "-1"]);
    cases.push(vec!["synth-study", "--out", out, "--patients", "0"]);
    cases.push(vec!["synth-study", "--out", out, "--sites", "4-2"]);
    cases.push(vec![
        "synth-study",
        "--out",
        out,
        "--thresholds",
        "0.7,nan,0.7",
    ]);
    cases.push(vec!["synth-study", "--out", out, "--format", "gif"]);
    for args in cases {
        let (code, _, stderr) = run(bin().args(&args));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // Nothing was written by a refused command line.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn out_of_range_values_in_a_params_file_name_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let clip = synth(
        dir.path(),
        "clip",
        "avi",
        &["--width", "32", "--height", "32", "--duration", "0.2"],
    );
    for (text, key) in [
        (
            "[flow.rule]\nsluggish_below_um_s = nan\n",
            "flow.rule.sluggish_below_um_s",
        ),
        (
            "[flow.rule]\nsluggish_below_um_s = -1\n",
            "flow.rule.sluggish_below_um_s",
        ),
        ("um_per_px = 0\n", "um_per_px"),
        (
            "[vessels]\nsmall_vessel_cutoff_um = inf\n",
            "vessels.small_vessel_cutoff_um",
        ),
    ] {
        let params = dir.path().join("bad-params.toml");
        std::fs::write(&params, text).unwrap();
        for command in ["score", "inspect"] {
            let (code, _, stderr) = run(bin().args([command, "--params"]).arg(&params).arg(&clip));
            assert_eq!(code, 1, "{command} {text}: {stderr}");
            assert!(
                stderr.contains("bad-params.toml") && stderr.contains(key),
                "{stderr}"
            );
        }
    }
}

//! `mcvideo watch -` fed at real-time rate through a pipe (`ffmpeg -re ... -f nut -`): each
//! window's figures equal `mcvideo score` on the same frames cut out of the clip, the best
//! window is recorded, and every window says how far behind the live edge its score came.

use crate::common::{bin, run_ok};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};

const UM_PER_PX: &str = "1.0";

fn ffmpeg() -> Command {
    let mut command = Command::new("ffmpeg");
    command.args(["-hide_banner", "-loglevel", "error", "-nostdin"]);
    command
}

/// Frames `first..first + count` of `clip`, losslessly into `out`, timed from zero.
fn cut(clip: &Path, first: u64, count: u64, out: &Path) {
    let filter = format!(
        "trim=start_frame={first}:end_frame={},setpts=PTS-STARTPTS",
        first + count
    );
    let status = ffmpeg()
        .arg("-i")
        .arg(clip)
        .args(["-vf", &filter, "-c:v", "ffv1", "-an", "-y"])
        .arg(out)
        .status()
        .expect("the ffmpeg tool runs (tools/setup-system.sh installs it)");
    assert!(status.success(), "ffmpeg could not cut the window");
}

#[test]
fn live_windows_score_as_the_same_frames_do() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        bin()
            .args(["synth", "--name", "live", "--seed", "7", "--width", "256"])
            .args(["--height", "192", "--fps", "25", "--duration", "11"])
            .args(["--um-per-px", UM_PER_PX, "--out"])
            .arg(dir.path()),
    );
    let clip = dir.path().join("live.avi");
    let record = dir.path().join("record");
    // The clip goes out at its own rate, as a camera would send it.
    let mut feed = ffmpeg()
        .args(["-re", "-i"])
        .arg(&clip)
        .args(["-c:v", "ffv1", "-f", "nut", "-"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the ffmpeg tool runs (tools/setup-system.sh installs it)");
    let pipe = feed.stdout.take().unwrap();
    let watched = bin()
        .args(["watch", "-", "--json-lines", "--um-per-px", UM_PER_PX])
        .args(["--every", "5", "--window", "5", "--record"])
        .arg(&record)
        .stdin(Stdio::from(pipe))
        .output()
        .unwrap();
    assert!(feed.wait().unwrap().success());
    let stderr = String::from_utf8_lossy(&watched.stderr);
    assert!(watched.status.success(), "{stderr}");
    let windows: Vec<Value> = String::from_utf8_lossy(&watched.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 275 frames: windows at frames 0-124 and 125-249 (unless the scorer fell behind).
    assert!(!windows.is_empty() && windows.len() <= 2, "{windows:?}");
    for window in &windows {
        assert_eq!(window["schema"], "mcvideo.watch.v1");
        assert_eq!(window["frames"], 125);
        assert_eq!(window["fps"], 25.0);
        assert!(window["error"].is_null(), "{window}");
        let first = window["first_frame"].as_u64().unwrap();
        let piece = dir.path().join(format!("window-{first}.avi"));
        cut(&clip, first, 125, &piece);
        let scored: Value = serde_json::from_str(&run_ok(bin().arg("score").arg(&piece).args([
            "--um-per-px",
            UM_PER_PX,
            "--json",
        ])))
        .unwrap();
        assert_eq!(scored["clip"]["frames"], 125);
        assert_eq!(
            window["metrics"], scored["metrics"],
            "window at frame {first}"
        );
        for item in [
            "illumination",
            "focus",
            "stability",
            "duration",
            "content",
            "pressure",
            "score",
            "acceptable",
            "flags",
        ] {
            assert_eq!(
                window["quality"][item], scored["quality"][item],
                "{item} of the window at frame {first}"
            );
        }
    }
    // The best window is kept with its score.
    let best: Value =
        serde_json::from_slice(&std::fs::read(record.join("best.score.json")).unwrap()).unwrap();
    assert!(windows.iter().any(|w| w["metrics"] == best["metrics"]));
    assert!(record.join("best.avi").is_file());
    let last = windows.last().unwrap();
    let lag = last["lag_s"]
        .as_f64()
        .expect("the lag behind the live edge");
    let dropped = last["dropped_frames"].as_u64().expect("dropped frames");
    eprintln!(
        "last window: {lag} s behind the live edge (decoder {} s), scored in {} s, {dropped} \
         frames dropped, {} windows skipped",
        last["decode_lag_s"], last["scoring_s"], last["skipped_windows"]
    );
}

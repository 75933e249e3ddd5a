//! MetaImage clips (`.mha`, CytoCam's export format) through the binary: `synth --format mha`
//! and `mha-zlib` score exactly as the same frames in FFV1, with the scale and frame rate
//! from the header; a header pointing to a separate raw file reads the same; truncated data,
//! unsupported element types and missing data files fail naming the file.

use crate::common::{bin, run_ok};
use serde_json::Value;
use std::path::Path;

fn synth(dir: &Path, name: &str, format: &str) {
    run_ok(
        bin()
            .args(["synth", "--seed", "11", "--width", "160", "--height", "120"])
            .args([
                "--duration",
                "1.2",
                "--fps",
                "30",
                "--um-per-px",
                "1.1",
                "--format",
                format,
                "--name",
                name,
                "--out",
            ])
            .arg(dir),
    );
}

fn score(clip: &Path, out: &Path, extra: &[&str]) -> Value {
    run_ok(
        bin()
            .arg("score")
            .arg(clip)
            .args(extra)
            .arg("--out")
            .arg(out),
    );
    let json = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".score.json"))
        .expect("a score JSON");
    serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap()
}

/// Runs `mcvideo score CLIP --um-per-px 1` expecting failure; returns (exit code, stderr).
fn score_fails(clip: &Path, out: &Path) -> (i32, String) {
    let o = bin()
        .arg("score")
        .arg(clip)
        .args(["--um-per-px", "1"])
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn metaimage_clips_score_as_their_frames_in_ffv1() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    synth(d, "raw", "mha");
    synth(d, "zlib", "mha-zlib");
    synth(d, "ref", "ffv1");
    let reference = score(
        &d.join("ref.avi"),
        &d.join("o_ref"),
        &["--um-per-px", "1.1"],
    );
    for name in ["raw", "zlib"] {
        let got = score(
            &d.join(format!("{name}.mha")),
            &d.join(format!("o_{name}")),
            &[],
        );
        assert_eq!(got["calibration"]["source"], "file header", "{name}");
        assert_eq!(got["calibration"]["um_per_px"], 1.1, "{name}");
        assert_eq!(got["clip"]["fps"], reference["clip"]["fps"], "{name}");
        assert_eq!(got["metrics"], reference["metrics"], "{name}");
        assert_eq!(got["vessels"], reference["vessels"], "{name}");
    }

    // The same data behind a detached header (`.mhd` + raw file).
    let bytes = std::fs::read(d.join("raw.mha")).unwrap();
    let split = bytes
        .windows(b"ElementDataFile = LOCAL\n".len())
        .position(|w| w == b"ElementDataFile = LOCAL\n")
        .unwrap();
    let header_end = split + b"ElementDataFile = LOCAL\n".len();
    let mut header = bytes[..split].to_vec();
    header.extend_from_slice(b"ElementDataFile = frames.raw\n");
    std::fs::write(d.join("detached.mhd"), header).unwrap();
    std::fs::write(d.join("frames.raw"), &bytes[header_end..]).unwrap();
    let got = score(&d.join("detached.mhd"), &d.join("o_detached"), &[]);
    assert_eq!(got["metrics"], reference["metrics"]);

    // Truncated data: the file is named and the clip fails.
    std::fs::write(d.join("cut.mha"), &bytes[..header_end + 160 * 120 * 5 + 17]).unwrap();
    let (code, err) = score_fails(&d.join("cut.mha"), &d.join("o_cut"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("cut.mha") && err.contains("truncated"),
        "{err}"
    );

    // 16-bit data is refused by name, not squeezed into 8 bits by a guess.
    let text = String::from_utf8_lossy(&bytes[..header_end]).replace("MET_UCHAR", "MET_USHORT");
    let mut wide = text.into_bytes();
    wide.extend_from_slice(&bytes[header_end..]);
    std::fs::write(d.join("wide.mha"), wide).unwrap();
    let (code, err) = score_fails(&d.join("wide.mha"), &d.join("o_wide"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("wide.mha") && err.contains("MET_USHORT"),
        "{err}"
    );

    // A detached header whose data file is missing names that file.
    std::fs::remove_file(d.join("frames.raw")).unwrap();
    let (code, err) = score_fails(&d.join("detached.mhd"), &d.join("o_gone"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("frames.raw"), "{err}");
    // Nothing was written for the failed clips.
    for out in ["o_cut", "o_wide", "o_gone"] {
        let written = std::fs::read_dir(d.join(out))
            .map(|r| r.count())
            .unwrap_or(0);
        assert_eq!(written, 0, "{out}");
    }
}

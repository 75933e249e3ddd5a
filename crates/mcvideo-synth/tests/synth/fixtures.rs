//! The committed clips under fixtures/synth still decode to what the generator renders from
//! their truth's parameters, and their truth is the generator's.

use mcvideo_synth::{render, Truth};
use std::path::PathBuf;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/synth")
}

fn check(name: &str) {
    let dir = fixture_dir();
    let truth_path = dir.join(format!("{name}.truth.json"));
    let text = std::fs::read_to_string(&truth_path).unwrap();
    let stored: Truth = serde_json::from_str(&text).unwrap();
    let (frames, truth) = render(&stored.params).unwrap();
    assert_eq!(truth.frames, stored.frames, "{name}");
    assert_eq!(truth.vessels.len(), stored.vessels.len(), "{name}");
    assert!((truth.metrics.tvd_mm_per_mm2 - stored.metrics.tvd_mm_per_mm2).abs() < 1e-9);
    for (a, b) in truth.shifts_px.iter().zip(&stored.shifts_px) {
        assert!(
            (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9,
            "{name}"
        );
    }
    let (info, decoded) = mcvideo_decode::read_all(&dir.join(format!("{name}.avi"))).unwrap();
    assert_eq!(info.frames as usize, stored.frames, "{name}");
    assert_eq!(decoded.len(), frames.len(), "{name}");
    // Identical on the machine that made them; a different libm may move a rare pixel by 1.
    let mut differing = 0usize;
    let mut total = 0usize;
    for (d, r) in decoded.iter().zip(&frames) {
        for (a, b) in d.as_raw().iter().zip(r.as_raw()) {
            total += 1;
            if a != b {
                differing += 1;
                assert!(
                    a.abs_diff(*b) <= 1,
                    "{name}: pixel off by {}",
                    a.abs_diff(*b)
                );
            }
        }
    }
    assert!(
        differing * 10_000 < total,
        "{name}: {differing} of {total} pixels differ"
    );
}

#[test]
fn clean_fixture_matches_the_generator() {
    check("clean");
}

#[test]
fn degraded_fixture_matches_the_generator() {
    check("degraded");
}

#[test]
fn fps30_fixture_matches_the_generator() {
    check("fps30");
}

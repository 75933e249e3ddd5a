//! Shared helpers of the mcvideo-stats integration tests: fixture paths and tolerant comparison.

use std::path::PathBuf;

/// A file under the repository's fixtures/ folder.
pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(relative)
}

/// Reads a JSON fixture.
pub fn json(relative: &str) -> serde_json::Value {
    let path = fixture(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Relative error |a − b| / |b| (absolute when b = 0).
pub fn rel_err(actual: f64, expected: f64) -> f64 {
    if expected == 0.0 {
        actual.abs()
    } else {
        ((actual - expected) / expected).abs()
    }
}

/// Asserts relative agreement and returns the relative error.
pub fn assert_close(what: &str, actual: f64, expected: f64, tol: f64) -> f64 {
    let e = rel_err(actual, expected);
    assert!(
        e <= tol,
        "{what}: got {actual:e}, R says {expected:e} (relative error {e:e} > {tol:e})"
    );
    e
}

/// The number in a JSON value.
pub fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

//! Writing the output folder: every file whole or not at all (`mcvideo_atomic`); CSV tables
//! with the csv crate.

use crate::error::{Result, StudyError};
use std::path::Path;

/// Writes `bytes` to `dir/name` whole or not at all (`mcvideo_atomic::write`: a synced hidden
/// sibling renamed into place).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// mcvideo_study::output::write_atomic(dir.path(), "a.txt", b"hello").unwrap();
/// assert_eq!(std::fs::read_to_string(dir.path().join("a.txt")).unwrap(), "hello");
/// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
/// ```
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(name);
    mcvideo_atomic::write(&path, bytes).map_err(|cause| StudyError::Io {
        path,
        action: "cannot write",
        cause,
    })
}

/// Formats a CSV table (header + rows) as text.
///
/// ```
/// let text = mcvideo_study::output::csv_text(&["a", "b"], &[vec!["1".into(), "x,y".into()]]).unwrap();
/// assert_eq!(text, "a,b\n1,\"x,y\"\n");
/// ```
pub fn csv_text(header: &[&str], rows: &[Vec<String>]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: String| StudyError::Data {
        file: "csv table".to_string(),
        problem: e,
    };
    w.write_record(header).map_err(|e| err(e.to_string()))?;
    for row in rows {
        w.write_record(row).map_err(|e| err(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| err(e.to_string()))
}

/// A file-name-safe version of a column name (letters, digits, `_`, `-`; others become `_`).
///
/// ```
/// assert_eq!(mcvideo_study::output::safe_name("<script>x"), "_script_x");
/// ```
pub fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "_".to_string()
    } else {
        s
    }
}

/// Formats a number for tables: `NA` for non-finite, else `digits` decimals.
///
/// ```
/// assert_eq!(mcvideo_study::output::num(f64::NAN, 3), "NA");
/// assert_eq!(mcvideo_study::output::num(0.12345, 3), "0.123");
/// ```
pub fn num(v: f64, digits: usize) -> String {
    if v.is_finite() {
        format!("{v:.digits$}")
    } else {
        "NA".to_string()
    }
}

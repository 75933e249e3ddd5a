//! Reading the CSV tables the workspace writes (sites.csv, patients.csv, agreement tables ...)
//! in tests: one map of column to cell per row.

use std::collections::HashMap;
use std::path::Path;

/// The data rows of the CSV file at `path`, each as a map from header name to cell text.
/// Panics with the path on a missing or malformed file: it is for tests only.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("t.csv");
/// std::fs::write(&path, "patient,mfi\nP1,2.5\nP2,\"3,0\"\n").unwrap();
/// let rows = mcvideo_testkit::csv_table::csv_rows(&path);
/// assert_eq!(rows.len(), 2);
/// assert_eq!(rows[1]["patient"], "P2");
/// assert_eq!(rows[1]["mfi"], "3,0");
/// ```
pub fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let fail = |e: csv::Error| -> ! { panic!("{}: {e}", path.display()) };
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| fail(e));
    let headers = reader.headers().unwrap_or_else(|e| fail(e)).clone();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap_or_else(|e| fail(e));
            headers
                .iter()
                .map(str::to_string)
                .zip(record.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

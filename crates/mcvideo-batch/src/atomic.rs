//! Whole-or-nothing writes of the batch outputs: `mcvideo_atomic` (write beside the target,
//! sync, rename) with its I/O errors as `BatchError`s naming the file.

use crate::BatchError;
use std::path::Path;

/// Writes `bytes` to `path` so that readers see the old file, or the whole new one, never a
/// part (`mcvideo_atomic::write`: a synced hidden sibling renamed over `path`).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("table.csv");
/// mcvideo_batch::atomic::write_atomic(&path, b"a,b\n1,2\n").unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n1,2\n");
/// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), BatchError> {
    mcvideo_atomic::write(path, bytes).map_err(|source| BatchError::io(path, source))
}

/// [`write_atomic`] of `value` as pretty-printed JSON.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("run.json");
/// mcvideo_batch::atomic::write_json_atomic(&path, &serde_json::json!({"a": 1})).unwrap();
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\n  \"a\": 1\n}");
/// ```
pub fn write_json_atomic(path: &Path, value: &impl serde::Serialize) -> Result<(), BatchError> {
    let text = serde_json::to_vec_pretty(value).map_err(|e| BatchError::Data {
        path: path.to_path_buf(),
        problem: e.to_string(),
    })?;
    write_atomic(path, &text)
}

/// Removes partial files left in `dir` by a killed run. Returns how many were removed.
pub fn remove_partials(dir: &Path) -> Result<usize, BatchError> {
    mcvideo_atomic::remove_partials(dir).map_err(|source| BatchError::io(dir, source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn partials_are_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".x.json.partial-123"), b"{").unwrap();
        fs::write(dir.path().join("keep.json"), b"{}").unwrap();
        assert_eq!(remove_partials(dir.path()).unwrap(), 1);
        assert!(dir.path().join("keep.json").exists());
        assert_eq!(remove_partials(&dir.path().join("missing")).unwrap(), 0);
    }

    #[test]
    fn overwrite_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"first version, long").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
    }
}

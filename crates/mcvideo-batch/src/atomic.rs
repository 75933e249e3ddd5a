//! Whole-or-nothing file writes: write beside the target, flush to disk, then rename.

use crate::BatchError;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

const PARTIAL_MARK: &str = ".partial-";

fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}{PARTIAL_MARK}{}", std::process::id()))
}

/// Writes `bytes` to `path` so that readers see the old file, or the whole new one, never a
/// part: the bytes go to a hidden sibling that is synced and then renamed over `path`.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("table.csv");
/// mcvideo_batch::atomic::write_atomic(&path, b"a,b\n1,2\n").unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n1,2\n");
/// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), BatchError> {
    let partial = partial_path(path);
    let result = (|| {
        let mut file = fs::File::create(&partial)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&partial, path)
    })();
    if let Err(source) = result {
        let _ = fs::remove_file(&partial);
        return Err(BatchError::io(path, source));
    }
    Ok(())
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
    let mut removed = 0;
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(BatchError::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| BatchError::io(dir, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.contains(PARTIAL_MARK) {
            fs::remove_file(entry.path()).map_err(|e| BatchError::io(entry.path(), e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

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

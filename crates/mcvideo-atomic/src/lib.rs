//! Whole-or-nothing file writes, the one implementation every crate that writes outputs uses:
//! the bytes go to a hidden sibling (`.<name>.partial-<random>`), are synced to disk and the
//! sibling is renamed over the target, so a reader sees the old file or the whole new one,
//! never a part. On any error the sibling is removed. Errors are plain `std::io::Error`s;
//! each crate maps them into its own error type with the path and what it was writing.
//!
//! The sibling is a `tempfile::NamedTempFile` (removed when dropped unfinished), created with
//! the permissions an ordinary `File::create` gives (0o666 less the umask).

use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::Path;

/// What every partial file's name contains after its leading `.` and the target's name.
pub const PARTIAL_MARK: &str = ".partial-";

/// Writes `bytes` to `path` whole or not at all: a synced hidden sibling renamed into place.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("table.csv");
/// mcvideo_atomic::write(&path, b"a,b\n1,2\n").unwrap();
/// mcvideo_atomic::write(&path, b"a\n").unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"a\n");
/// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
/// ```
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} names no file", path.display()),
        )
    })?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(PARTIAL_MARK);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut partial = builder.tempfile_in(dir)?;
    partial.write_all(bytes)?;
    partial.as_file().sync_all()?;
    partial.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// True for the name of a partial file [`write`] leaves behind when its process is killed.
///
/// ```
/// assert!(mcvideo_atomic::is_partial(std::ffi::OsStr::new(".run.json.partial-a8Xk2q")));
/// assert!(!mcvideo_atomic::is_partial(std::ffi::OsStr::new("run.json")));
/// ```
pub fn is_partial(file_name: &OsStr) -> bool {
    let name = file_name.to_string_lossy();
    name.starts_with('.') && name.contains(PARTIAL_MARK)
}

/// Removes the partial files a killed writer left in `dir` (none when `dir` does not exist).
/// Returns how many were removed.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join(".x.json.partial-123"), b"{").unwrap();
/// std::fs::write(dir.path().join("keep.json"), b"{}").unwrap();
/// assert_eq!(mcvideo_atomic::remove_partials(dir.path()).unwrap(), 1);
/// assert!(dir.path().join("keep.json").exists());
/// assert_eq!(mcvideo_atomic::remove_partials(&dir.path().join("missing")).unwrap(), 0);
/// ```
pub fn remove_partials(dir: &Path) -> io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        if is_partial(&entry.file_name()) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_partial() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write(&path, b"old").unwrap();
        // A directory in the target's place makes the rename fail after the bytes are written.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir_all(blocked.join("inside")).unwrap();
        assert!(write(&blocked, b"new").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(!names.iter().any(|n| is_partial(n)), "{names:?}");
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = write(&dir.path().join("no/such/x.csv"), b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn outputs_get_ordinary_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let atomic = dir.path().join("a");
        let plain = dir.path().join("b");
        write(&atomic, b"x").unwrap();
        std::fs::write(&plain, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&atomic), mode(&plain));
    }
}

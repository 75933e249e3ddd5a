//! Confinement of every file the review reads or writes to the review folder.
//!
//! A request may name a file only as a relative path inside the folder. The name is refused
//! when it is absolute, holds `..`, `.`, an empty component, a backslash or NUL, or carries an
//! encoded slash or backslash (`%2F`, `%5C`); what is left is joined to the canonical folder
//! and canonicalized again, so a symbolic link that points outside is refused too.

use crate::ReviewError;
use percent_encoding::percent_decode_str;
use std::path::{Component, Path, PathBuf};

/// The review folder, canonicalized once.
#[derive(Debug, Clone)]
pub struct Confined {
    root: PathBuf,
}

impl Confined {
    /// Confines to `root`, which must exist.
    pub fn new(root: &Path) -> Result<Confined, ReviewError> {
        let root = root.canonicalize().map_err(|e| ReviewError::io(root, e))?;
        if !root.is_dir() {
            return Err(ReviewError::data(&root, "is not a folder"));
        }
        Ok(Confined { root })
    }

    /// The canonical folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolves a URL path segment (still percent-encoded) to an existing file inside the
    /// folder.
    pub fn resolve_url(&self, encoded: &str) -> Result<PathBuf, ReviewError> {
        let lower = encoded.to_ascii_lowercase();
        if lower.contains("%2f") || lower.contains("%5c") {
            return Err(ReviewError::path(
                encoded,
                "encoded slashes are not allowed",
            ));
        }
        let decoded = percent_decode_str(encoded)
            .decode_utf8()
            .map_err(|_| ReviewError::path(encoded, "not UTF-8"))?;
        self.resolve_existing(&decoded)
    }

    /// Checks a relative name and joins it to the folder, without touching the disk.
    pub fn join(&self, relative: &str) -> Result<PathBuf, ReviewError> {
        if relative.is_empty() {
            return Err(ReviewError::path(relative, "empty path"));
        }
        if relative.contains('\\') || relative.contains('\0') || relative.contains('%') {
            return Err(ReviewError::path(
                relative,
                "backslashes, NUL and '%' are not allowed",
            ));
        }
        if relative.starts_with('/') || Path::new(relative).is_absolute() {
            return Err(ReviewError::path(
                relative,
                "absolute paths are not allowed",
            ));
        }
        let mut out = self.root.clone();
        for part in relative.split('/') {
            if part.is_empty() || part == "." || part == ".." {
                return Err(ReviewError::path(
                    relative,
                    "empty, '.' and '..' components are not allowed",
                ));
            }
            let mut components = Path::new(part).components();
            match (components.next(), components.next()) {
                (Some(Component::Normal(_)), None) => out.push(part),
                _ => return Err(ReviewError::path(relative, "not a plain file name")),
            }
        }
        Ok(out)
    }

    /// An existing file inside the folder, after following every symbolic link.
    pub fn resolve_existing(&self, relative: &str) -> Result<PathBuf, ReviewError> {
        let joined = self.join(relative)?;
        let real = joined
            .canonicalize()
            .map_err(|_| ReviewError::path(relative, "no such file"))?;
        self.check_inside(relative, &real)?;
        Ok(real)
    }

    /// A file to write inside the folder: its parent must exist inside the folder after
    /// following links, and the file itself must not be a link.
    pub fn resolve_for_write(&self, relative: &str) -> Result<PathBuf, ReviewError> {
        let joined = self.join(relative)?;
        let parent = joined
            .parent()
            .ok_or_else(|| ReviewError::path(relative, "no parent folder"))?;
        let real_parent = parent
            .canonicalize()
            .map_err(|_| ReviewError::path(relative, "its folder does not exist"))?;
        self.check_inside(relative, &real_parent)?;
        if let Ok(meta) = std::fs::symlink_metadata(&joined)
            && meta.file_type().is_symlink()
        {
            return Err(ReviewError::path(
                relative,
                "is a symbolic link; review files are written only as plain files",
            ));
        }
        let name = joined
            .file_name()
            .ok_or_else(|| ReviewError::path(relative, "no file name"))?;
        Ok(real_parent.join(name))
    }

    fn check_inside(&self, relative: &str, real: &Path) -> Result<(), ReviewError> {
        if real.starts_with(&self.root) {
            Ok(())
        } else {
            Err(ReviewError::path(
                relative,
                "leads outside the review folder",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> (tempfile::TempDir, Confined) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("inside/clips")).unwrap();
        std::fs::write(dir.path().join("inside/clips/a.png"), b"png").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"secret").unwrap();
        let confined = Confined::new(&dir.path().join("inside")).unwrap();
        (dir, confined)
    }

    #[test]
    fn plain_relative_paths_resolve() {
        let (_dir, c) = folder();
        let p = c.resolve_existing("clips/a.png").unwrap();
        assert_eq!(std::fs::read(p).unwrap(), b"png");
        assert!(c.resolve_url("clips/a%2Epng").is_ok());
    }

    #[test]
    fn dot_dot_is_refused() {
        let (_dir, c) = folder();
        for bad in [
            "../secret.txt",
            "clips/../../secret.txt",
            "clips/..",
            "./clips/a.png",
        ] {
            assert!(c.resolve_existing(bad).is_err(), "{bad}");
            assert!(c.resolve_for_write(bad).is_err(), "{bad}");
        }
        assert!(c.resolve_url("%2E%2E/secret.txt").is_err());
    }

    #[test]
    fn absolute_paths_are_refused() {
        let (dir, c) = folder();
        let absolute = dir.path().join("secret.txt");
        assert!(c.resolve_existing(absolute.to_str().unwrap()).is_err());
        assert!(c.resolve_existing("/etc/passwd").is_err());
        assert!(c.resolve_url("%2Fetc%2Fpasswd").is_err());
        assert!(c.resolve_for_write("/tmp/x.json").is_err());
    }

    #[test]
    fn encoded_slashes_and_backslashes_are_refused() {
        let (_dir, c) = folder();
        for bad in [
            "clips%2Fa.png",
            "clips%2fa.png",
            "..%2Fsecret.txt",
            "..%5Csecret.txt",
            "clips%5ca.png",
        ] {
            assert!(c.resolve_url(bad).is_err(), "{bad}");
        }
        assert!(c.resolve_existing("clips\\a.png").is_err());
        assert!(c.resolve_existing("clips/a.png\0").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_leading_outside_are_refused() {
        let (dir, c) = folder();
        let inside = dir.path().join("inside");
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), inside.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path(), inside.join("up")).unwrap();
        assert!(c.resolve_existing("link.txt").is_err());
        assert!(c.resolve_existing("up/secret.txt").is_err());
        assert!(c.resolve_for_write("up/new.json").is_err());
        assert!(c.resolve_for_write("link.txt").is_err());
        // A link that stays inside is followed.
        std::os::unix::fs::symlink(inside.join("clips/a.png"), inside.join("ok.png")).unwrap();
        assert!(c.resolve_existing("ok.png").is_ok());
        assert!(!dir.path().join("new.json").exists());
    }
}

//! Resume keys: what a stored score was computed from (the clip's bytes and the settings), so
//! that `--resume` reuses a score only when both are unchanged.

use crate::manifest::ClipJob;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::Path;

/// Stored in each score JSON as `resume_key`: the score is reused by `--resume` only when both
/// hashes match the clip and the settings of the new run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeKey {
    /// SHA-256 of the clip's content ([`clip_sha256`]).
    pub clip_sha256: String,
    /// SHA-256 of everything else that changes the clip's result ([`clip_settings_sha256`]).
    pub settings_sha256: String,
}

impl ResumeKey {
    /// Why a stored key does not fit this one, or `None` when it does.
    pub fn mismatch(&self, stored: Option<&ResumeKey>) -> Option<String> {
        let Some(stored) = stored else {
            return Some("the stored score has no resume key".to_string());
        };
        let clip = stored.clip_sha256 != self.clip_sha256;
        let settings = stored.settings_sha256 != self.settings_sha256;
        match (clip, settings) {
            (false, false) => None,
            (true, false) => Some("the clip's content changed".to_string()),
            (false, true) => Some("the settings changed (parameters, device or scale)".to_string()),
            (true, true) => Some("the clip's content and the settings changed".to_string()),
        }
    }
}

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a string, in hex.
pub(crate) fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn hash_file(hasher: &mut Sha256, path: &Path, buffer: &mut [u8]) -> std::io::Result<()> {
    let mut file = fs::File::open(path)?;
    loop {
        let n = file.read(buffer)?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(&buffer[..n]);
    }
}

/// SHA-256 of a clip's content. For a file, of its bytes. For a folder of frames, of the sorted
/// list of its non-hidden files (name and length) followed by their bytes in that order: a
/// frame renamed, added, removed or edited changes the hash. Subfolders are not part of a
/// frame-folder clip and are left out.
pub fn clip_sha256(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    if path.is_dir() {
        let mut files = Vec::new();
        for entry in fs::read_dir(path)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let entry_path = entry.path();
            if name.starts_with('.') || !entry_path.is_file() {
                continue;
            }
            let length = fs::metadata(&entry_path)?.len();
            files.push((name, length, entry_path));
        }
        files.sort();
        hasher.update(b"mcvideo frame folder\n");
        for (name, length, _) in &files {
            hasher.update(format!("{length} {name}\n").as_bytes());
        }
        for (_, _, file) in &files {
            hash_file(&mut hasher, file, &mut buffer)?;
        }
    } else {
        hash_file(&mut hasher, path, &mut buffer)?;
    }
    Ok(hex(&hasher.finalize()))
}

/// SHA-256 of the settings one clip is scored with: the program version, the run's settings
/// hash (the scoring parameters, as `--params`, `--device`, `--um-per-px` and the tuning
/// options left them) and the clip's own manifest `device` and `um_per_px`, which override the
/// run's.
pub fn clip_settings_sha256(run_settings_sha256: &str, job: &ClipJob) -> String {
    let canonical = serde_json::json!({
        "program_version": env!("CARGO_PKG_VERSION"),
        "run_settings_sha256": run_settings_sha256,
        "device": job.device,
        "um_per_px": job.um_per_px,
    });
    sha256_hex(&canonical.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_hash_is_the_sha256_of_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.avi");
        fs::write(&file, b"abc").unwrap();
        assert_eq!(
            clip_sha256(&file).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn folder_hash_sees_renames_edits_and_new_frames() {
        let dir = tempfile::tempdir().unwrap();
        let frames = dir.path().join("clip");
        fs::create_dir(&frames).unwrap();
        fs::write(frames.join("1.png"), b"one").unwrap();
        fs::write(frames.join("2.png"), b"two").unwrap();
        let first = clip_sha256(&frames).unwrap();
        fs::write(frames.join(".DS_Store"), b"ignored").unwrap();
        fs::create_dir(frames.join("sub")).unwrap();
        assert_eq!(clip_sha256(&frames).unwrap(), first);
        fs::rename(frames.join("2.png"), frames.join("3.png")).unwrap();
        let renamed = clip_sha256(&frames).unwrap();
        assert_ne!(renamed, first);
        fs::write(frames.join("3.png"), b"tw0").unwrap();
        let edited = clip_sha256(&frames).unwrap();
        assert_ne!(edited, renamed);
        fs::write(frames.join("4.png"), b"").unwrap();
        assert_ne!(clip_sha256(&frames).unwrap(), edited);
    }

    #[test]
    fn mismatch_names_what_changed() {
        let key = ResumeKey {
            clip_sha256: "a".into(),
            settings_sha256: "s".into(),
        };
        assert_eq!(key.mismatch(Some(&key.clone())), None);
        let other_clip = ResumeKey {
            clip_sha256: "b".into(),
            ..key.clone()
        };
        assert!(key.mismatch(Some(&other_clip)).unwrap().contains("content"));
        assert!(key.mismatch(None).unwrap().contains("no resume key"));
    }

    #[test]
    fn a_row_scale_changes_the_clip_settings() {
        let mut job = ClipJob {
            path: "a.avi".into(),
            path_as_given: "a.avi".into(),
            patient: "P1".into(),
            day: "1".into(),
            site: "1".into(),
            device: None,
            um_per_px: None,
        };
        let plain = clip_settings_sha256("run", &job);
        assert_eq!(plain, clip_settings_sha256("run", &job));
        assert_ne!(plain, clip_settings_sha256("other run", &job));
        job.um_per_px = Some(1.2);
        assert_ne!(plain, clip_settings_sha256("run", &job));
    }
}

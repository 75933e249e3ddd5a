//! The list of clips to score: from a manifest CSV or from a folder matched by a pattern.

use crate::BatchError;
use regex::Regex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The folder layout assumed when no `--pattern` is given.
pub const DEFAULT_PATTERN: &str = "{patient}/{day}/{site}.{ext}";

/// One clip to score and where it belongs in the study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClipJob {
    /// Where to read the clip (manifest-relative paths already resolved).
    pub path: PathBuf,
    /// The path as the manifest or folder gave it; this is what the tables print, so outputs
    /// do not depend on where the archive is mounted.
    pub path_as_given: String,
    pub patient: String,
    pub day: String,
    pub site: String,
    /// Per-clip device preset, overriding `--device`.
    pub device: Option<String>,
    /// Per-clip scale, overriding `--um-per-px`.
    pub um_per_px: Option<f64>,
}

impl ClipJob {
    /// The file-name-safe id of the clip: `patient_day_site`, with every character outside
    /// `[A-Za-z0-9.-]` replaced by `-`.
    ///
    /// ```
    /// let job = mcvideo_batch::ClipJob {
    ///     path: "a.avi".into(), path_as_given: "a.avi".into(),
    ///     patient: "P 01".into(), day: "1".into(), site: "s/3".into(),
    ///     device: None, um_per_px: None,
    /// };
    /// assert_eq!(job.id(), "P-01_1_s-3");
    /// ```
    pub fn id(&self) -> String {
        let safe = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect()
        };
        format!(
            "{}_{}_{}",
            safe(&self.patient),
            safe(&self.day),
            safe(&self.site)
        )
    }

    fn sort_key(&self) -> (&str, &str, &str, &str) {
        (&self.patient, &self.day, &self.site, &self.path_as_given)
    }
}

/// Sorts jobs by patient, day, site and path, and rejects two jobs with one id. Every later
/// step (sharding, tables) relies on this order, which makes outputs independent of how the
/// manifest or the file system happened to list the clips.
pub fn normalize_jobs(mut jobs: Vec<ClipJob>) -> Result<Vec<ClipJob>, BatchError> {
    jobs.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut seen: BTreeMap<String, &ClipJob> = BTreeMap::new();
    for job in &jobs {
        if let Some(first) = seen.insert(job.id(), job) {
            return Err(BatchError::DuplicateId {
                id: job.id(),
                first: first.path_as_given.clone(),
                second: job.path_as_given.clone(),
            });
        }
    }
    Ok(jobs)
}

/// An entry of a scanned folder that looks like a clip but yields none, and why.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SkippedEntry {
    /// The path relative to the scanned folder.
    pub path: String,
    pub reason: String,
}

/// The clips of a batch, with what the input's reading found worth telling the user.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Archive {
    /// Sorted by patient, day, site and path (see [`normalize_jobs`]).
    pub jobs: Vec<ClipJob>,
    /// Folder entries that look like clips but match no pattern; the batch lists them in
    /// `failures.csv` and `run.json`.
    pub skipped: Vec<SkippedEntry>,
    /// Warnings about the input (for example unknown manifest columns), for stderr and
    /// `run.json`.
    pub warnings: Vec<String>,
}

/// The manifest columns this version reads.
pub const MANIFEST_COLUMNS: [&str; 6] = ["path", "patient", "day", "site", "device", "um_per_px"];

/// The known column a misspelled one most likely meant: compared without case and
/// punctuation, by Jaro-Winkler similarity (0.8 or more), so `um_px` gives `um_per_px`.
fn closest_column(name: &str) -> Option<&'static str> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let given = squash(name);
    MANIFEST_COLUMNS
        .iter()
        .map(|known| (strsim::jaro_winkler(&given, &squash(known)), *known))
        .filter(|(similarity, _)| *similarity >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, known)| known)
}

/// Reads a manifest CSV with the columns `path,patient,day,site` and optional
/// `device,um_per_px`. Relative paths are relative to the manifest's folder. The warnings
/// that [`load_manifest`] also returns are dropped.
pub fn read_manifest(manifest: &Path) -> Result<Vec<ClipJob>, BatchError> {
    load_manifest(manifest).map(|archive| archive.jobs)
}

/// Reads a manifest like [`read_manifest`], with a warning for each column it does not know
/// (naming the known column it most likely meant), since an ignored `um_px` silently drops
/// the scale of every clip.
pub fn load_manifest(manifest: &Path) -> Result<Archive, BatchError> {
    let text = fs::read(manifest).map_err(|e| BatchError::io(manifest, e))?;
    parse_manifest(&text, manifest)
}

/// Parses the bytes of a manifest as [`load_manifest`] does; `manifest` names the file in
/// messages, and relative clip paths are resolved against its folder. Nothing is read from disk.
///
/// ```
/// use std::path::Path;
/// let text = b"path,patient,day,site,um_px\nclips/a.avi,P1,1,2,0.9\n";
/// let archive = mcvideo_batch::manifest::parse_manifest(text, Path::new("/data/m.csv")).unwrap();
/// assert_eq!(archive.jobs[0].path, Path::new("/data/clips/a.avi"));
/// assert!(archive.warnings[0].contains("did you mean 'um_per_px'?"));
/// let err = mcvideo_batch::manifest::parse_manifest(b"path,patient\n", Path::new("m.csv")).unwrap_err();
/// assert!(err.to_string().contains("m.csv"));
/// ```
pub fn parse_manifest(text: &[u8], manifest: &Path) -> Result<Archive, BatchError> {
    let bad = |problem: String| BatchError::Manifest {
        path: manifest.to_path_buf(),
        problem,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text);
    let header = reader
        .headers()
        .map_err(|e| bad(format!("cannot read the header row: {e}")))?
        .clone();
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let mut required = BTreeMap::new();
    for name in ["path", "patient", "day", "site"] {
        let index = column(name).ok_or_else(|| {
            bad(format!(
                "missing column '{name}' (the header must have path,patient,day,site)"
            ))
        })?;
        required.insert(name, index);
    }
    let mut warnings = Vec::new();
    for name in header.iter() {
        if MANIFEST_COLUMNS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(name))
        {
            continue;
        }
        let hint = closest_column(name)
            .map(|known| format!(" (did you mean '{known}'?)"))
            .unwrap_or_default();
        warnings.push(format!(
            "{}: unknown column '{name}' is ignored{hint}; known columns: {}",
            manifest.display(),
            MANIFEST_COLUMNS.join(", ")
        ));
    }
    let device_col = column("device");
    let scale_col = column("um_per_px");
    let base = manifest.parent().unwrap_or(Path::new("."));
    let mut jobs = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| bad(format!("line {line}: {e}")))?;
        let field = |name: &str| record.get(required[name]).unwrap_or("").to_string();
        for name in ["path", "patient", "day", "site"] {
            if field(name).is_empty() {
                return Err(bad(format!("line {line}: empty '{name}'")));
            }
        }
        let optional = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let um_per_px = match optional(scale_col) {
            None => None,
            Some(text) => Some(
                text.parse::<f64>()
                    .map_err(|_| bad(format!("line {line}: um_per_px '{text}' is not a number")))?,
            ),
        };
        let given = field("path");
        let path = if Path::new(&given).is_absolute() {
            PathBuf::from(&given)
        } else {
            base.join(&given)
        };
        jobs.push(ClipJob {
            path,
            path_as_given: given,
            patient: field("patient"),
            day: field("day"),
            site: field("site"),
            device: optional(device_col),
            um_per_px,
        });
    }
    if jobs.is_empty() {
        return Err(bad("the manifest lists no clips".to_string()));
    }
    Ok(Archive {
        jobs: normalize_jobs(jobs)?,
        skipped: Vec::new(),
        warnings,
    })
}

/// Compiles a folder pattern such as `{patient}/{day}/{site}.{ext}` into a regex over
/// `/`-separated relative paths. Placeholders match one path component or part of one.
fn compile_pattern(pattern: &str) -> Result<Regex, BatchError> {
    let bad = |problem: &str| BatchError::Pattern {
        pattern: pattern.to_string(),
        problem: problem.to_string(),
    };
    let mut regex = String::from("^");
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        regex.push_str(&regex::escape(&rest[..open]));
        let close = rest[open..].find('}').ok_or_else(|| bad("unclosed '{'"))? + open;
        let name = &rest[open + 1..close];
        match name {
            "patient" | "day" | "site" => {
                if regex.contains(&format!("(?P<{name}>")) {
                    return Err(bad("a placeholder appears twice"));
                }
                regex.push_str(&format!("(?P<{name}>[^/]+?)"));
            }
            "ext" => regex.push_str("[^/.]+"),
            "any" => regex.push_str("[^/]*?"),
            _ => {
                return Err(bad(&format!(
                    "unknown placeholder '{{{name}}}' (known: patient, day, site, ext, any)"
                )))
            }
        }
        rest = &rest[close + 1..];
    }
    regex.push_str(&regex::escape(rest));
    regex.push('$');
    for name in ["patient", "day", "site"] {
        if !regex.contains(&format!("(?P<{name}>")) {
            return Err(bad(&format!("the pattern needs a {{{name}}} placeholder")));
        }
    }
    Regex::new(&regex).map_err(|e| bad(&e.to_string()))
}

fn walk(dir: &Path, root: &Path, found: &mut Vec<(String, PathBuf)>) -> Result<(), BatchError> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| BatchError::io(dir, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| BatchError::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        if relative.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        found.push((relative, path.clone()));
        if path.is_dir() {
            walk(&path, root, found)?;
        }
    }
    Ok(())
}

/// File extensions of the video containers a scan reports when the pattern misses them.
const VIDEO_EXTENSIONS: [&str; 14] = [
    "avi", "mp4", "m4v", "mkv", "mov", "mpg", "mpeg", "wmv", "webm", "mts", "m2ts", "mxf", "ogv",
    "dv",
];

/// Image extensions of frame-folder clips.
const FRAME_EXTENSIONS: [&str; 3] = ["png", "tif", "tiff"];

fn extension_in(relative: &str, list: &[&str]) -> bool {
    Path::new(relative)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| list.iter().any(|known| known.eq_ignore_ascii_case(e)))
}

fn parent_of(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// Lists the clips under `root` whose relative path matches `pattern`. A matching folder
/// (an image-sequence clip) is one clip; nothing below it is matched again. Video files and
/// folders of frames that the pattern does not match are returned in
/// [`Archive::skipped`], so that no clip is left out without a word; hidden entries (names
/// starting with `.`) are not looked at.
pub fn scan_folder(root: &Path, pattern: &str) -> Result<Archive, BatchError> {
    let regex = compile_pattern(pattern)?;
    let mut entries = Vec::new();
    walk(root, root, &mut entries)?;
    let mut jobs: Vec<ClipJob> = Vec::new();
    let mut matched_dirs: Vec<String> = Vec::new();
    let mut unmatched_videos = Vec::new();
    let mut unmatched_frame_dirs: Vec<String> = Vec::new();
    for (relative, path) in entries {
        if matched_dirs
            .iter()
            .any(|d| relative.starts_with(&format!("{d}/")))
        {
            continue;
        }
        let Some(caps) = regex.captures(&relative) else {
            if path.is_file() {
                if extension_in(&relative, &VIDEO_EXTENSIONS) {
                    unmatched_videos.push(relative);
                } else if extension_in(&relative, &FRAME_EXTENSIONS) {
                    let dir = parent_of(&relative).to_string();
                    if !dir.is_empty() && unmatched_frame_dirs.last() != Some(&dir) {
                        unmatched_frame_dirs.push(dir);
                    }
                }
            }
            continue;
        };
        if path.is_dir() {
            matched_dirs.push(relative.clone());
        }
        let get = |name: &str| caps.name(name).map_or("", |m| m.as_str()).to_string();
        jobs.push(ClipJob {
            path,
            path_as_given: relative.clone(),
            patient: get("patient"),
            day: get("day"),
            site: get("site"),
            device: None,
            um_per_px: None,
        });
    }
    // A folder that holds a matched clip (single images matched with {ext}) is not itself a
    // missed clip.
    let matched: Vec<&str> = jobs.iter().map(|j| j.path_as_given.as_str()).collect();
    let folder_hint = if pattern.contains("{ext}") {
        " (a folder of frames is one clip and is matched by a pattern without {ext}, e.g. '{patient}/{day}/{site}')"
    } else {
        ""
    };
    let mut skipped: Vec<SkippedEntry> = unmatched_videos
        .into_iter()
        .map(|path| SkippedEntry {
            reason: format!("not scored: the path does not match --pattern '{pattern}'"),
            path,
        })
        .collect();
    for dir in unmatched_frame_dirs {
        if matched.iter().any(|m| parent_of(m) == dir) || matched.contains(&dir.as_str()) {
            continue;
        }
        skipped.push(SkippedEntry {
            reason: format!(
                "not scored: this folder of frames does not match --pattern '{pattern}'{folder_hint}"
            ),
            path: dir,
        });
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    skipped.dedup();
    if jobs.is_empty() {
        let missed = match skipped.first() {
            Some(first) => format!(
                "; {} clip-like entries do not match it, e.g. '{}'{}",
                skipped.len(),
                first.path,
                if first.reason.contains("folder of frames") {
                    folder_hint
                } else {
                    ""
                }
            ),
            None => String::new(),
        };
        return Err(BatchError::Pattern {
            pattern: pattern.to_string(),
            problem: format!("no file under {} matches it{missed}", root.display()),
        });
    }
    Ok(Archive {
        jobs: normalize_jobs(jobs)?,
        skipped,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_resolves_relative_paths_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("m.csv");
        fs::write(
            &manifest,
            "path,patient,day,site,um_per_px\nb.avi,P2,1,1,\n/abs/a.avi,P1,3,2,1.1\nsub/c.avi,P1,1,1,0.9\n",
        )
        .unwrap();
        let jobs = read_manifest(&manifest).unwrap();
        let order: Vec<_> = jobs.iter().map(|j| j.path_as_given.as_str()).collect();
        assert_eq!(order, ["sub/c.avi", "/abs/a.avi", "b.avi"]);
        assert_eq!(jobs[0].path, dir.path().join("sub/c.avi"));
        assert_eq!(jobs[1].path, PathBuf::from("/abs/a.avi"));
        assert_eq!(jobs[0].um_per_px, Some(0.9));
        assert_eq!(jobs[2].um_per_px, None);
    }

    #[test]
    fn manifest_errors_name_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("m.csv");
        let check = |text: &str, needle: &str| {
            fs::write(&manifest, text).unwrap();
            let msg = read_manifest(&manifest).unwrap_err().to_string();
            assert!(msg.contains(needle), "{msg} lacks {needle}");
            assert!(msg.contains("m.csv"), "{msg} lacks the file name");
        };
        check("path,patient,day\na,1,1\n", "missing column 'site'");
        check("path,patient,day,site\n", "no clips");
        check(
            "path,patient,day,site\na.avi,,1,1\n",
            "line 2: empty 'patient'",
        );
        check(
            "path,patient,day,site,um_per_px\na.avi,1,1,1,wide\n",
            "not a number",
        );
    }

    #[test]
    fn unknown_columns_warn_with_the_likely_name() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("m.csv");
        fs::write(
            &manifest,
            "path,patient,day,site,um_px,Device,comment\na.avi,1,1,1,1.2,x,hello\n",
        )
        .unwrap();
        let archive = load_manifest(&manifest).unwrap();
        assert_eq!(archive.warnings.len(), 2, "{:?}", archive.warnings);
        assert!(archive.warnings[0].contains("unknown column 'um_px'"));
        assert!(archive.warnings[0].contains("did you mean 'um_per_px'?"));
        assert!(archive.warnings[0].contains("m.csv"));
        assert!(archive.warnings[1].contains("'comment'"));
        assert!(!archive.warnings[1].contains("did you mean"));
        assert_eq!(archive.jobs[0].device.as_deref(), Some("x"));
        assert_eq!(archive.jobs[0].um_per_px, None);
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("m.csv");
        fs::write(
            &manifest,
            "path,patient,day,site\na.avi,1,1,1\nb.avi,1,1,1\n",
        )
        .unwrap();
        assert!(matches!(
            read_manifest(&manifest),
            Err(BatchError::DuplicateId { .. })
        ));
    }

    #[test]
    fn folder_pattern_extracts_fields() {
        let dir = tempfile::tempdir().unwrap();
        for rel in [
            "P1/1/s1.avi",
            "P1/3/s2.mp4",
            "P2/1/s1.avi",
            "notes.txt",
            "P2/.hidden/x.avi",
        ] {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, b"x").unwrap();
        }
        fs::create_dir_all(dir.path().join("P3/1/s1")).unwrap();
        fs::write(dir.path().join("P3/1/s1/0001.png"), b"x").unwrap();
        let scan = scan_folder(dir.path(), DEFAULT_PATTERN).unwrap();
        let ids: Vec<_> = scan.jobs.iter().map(ClipJob::id).collect();
        assert_eq!(ids, ["P1_1_s1", "P1_3_s2", "P2_1_s1"]);
        // The folder of frames is not matched by the default pattern, and says so.
        assert_eq!(scan.skipped.len(), 1, "{:?}", scan.skipped);
        assert_eq!(scan.skipped[0].path, "P3/1/s1");
        assert!(scan.skipped[0].reason.contains("without {ext}"));
        // Without {ext}, a folder of frames is one clip and nothing inside it is matched.
        let folders = scan_folder(dir.path(), "{patient}/{day}/{site}").unwrap();
        assert!(folders.skipped.is_empty(), "{:?}", folders.skipped);
        let paths: Vec<_> = folders
            .jobs
            .iter()
            .map(|j| j.path_as_given.as_str())
            .collect();
        assert_eq!(
            paths,
            ["P1/1/s1.avi", "P1/3/s2.mp4", "P2/1/s1.avi", "P3/1/s1"]
        );
    }

    #[test]
    fn bad_patterns_are_explained() {
        for (pattern, needle) in [
            ("{patient}/{site}.avi", "{day}"),
            ("{patient}/{day}/{site", "unclosed"),
            ("{patient}/{day}/{site}/{foo}", "unknown placeholder"),
        ] {
            let msg = compile_pattern(pattern).unwrap_err().to_string();
            assert!(msg.contains(needle), "{msg}");
        }
    }
}

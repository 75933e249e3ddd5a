//! The clips of a review folder: a batch output (`clips/*.score.json`, `sites.csv`,
//! `failures.csv`, `run.json`) or a folder of `score --out` results beside their clips.
//!
//! Clips are known by id only (the batch's `<patient>_<day>_<site>` or the score file's
//! stem); a request names an id, never a path, and the clip file of an id is found once, here.

use crate::{Confined, ReviewError};
use mcvideo_metrics::SiteMetrics;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One clip of the folder: scored or failed.
#[derive(Debug, Clone, Serialize)]
pub struct ClipEntry {
    pub id: String,
    pub patient: String,
    pub day: String,
    pub site: String,
    /// The clip's path as the batch's tables print it (or the score file's `clip.path`).
    pub path: String,
    /// The score JSON, relative to the folder; `None` for a failed clip.
    pub score_file: Option<String>,
    /// The overlay PNG, relative to the folder, when there is one.
    pub overlay_file: Option<String>,
    /// The stabilized mean image the scorer saved (PNG), relative to the folder: the page
    /// opens on it while the clip itself is decoded.
    pub mean_file: Option<String>,
    /// Why the clip failed, for a failed clip.
    pub failure: Option<String>,
    /// The clip itself (video or frame folder), when it can be found.
    #[serde(skip)]
    pub clip_file: Option<PathBuf>,
    /// A row of the batch's `sites.csv` (a score JSON left from clips no longer in the
    /// archive has none); always true in a `score --out` folder.
    #[serde(skip)]
    pub in_sites_table: bool,
}

/// All clips of the folder, sorted by patient, day, site and id.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub folder: Confined,
    pub clips: Vec<ClipEntry>,
    /// True for a batch output (tables to rewrite on export).
    pub is_batch: bool,
}

/// One automatic vessel as the review needs it (a subset of the score JSON's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoVessel {
    pub id: usize,
    pub centerline_px: Vec<[f64; 2]>,
    pub length_um: f64,
    pub diameter_um: f64,
    pub flow_class: mcvideo_metrics::FlowClass,
    pub velocity_um_s: Option<f64>,
    #[serde(default)]
    pub velocity_at_least: bool,
    #[serde(default)]
    pub flowing_fraction: f64,
    #[serde(default)]
    pub flow_unresolved: bool,
}

/// What the review takes from one score JSON.
#[derive(Debug, Clone)]
pub struct ScoreData {
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    /// `[x0, y0, x1, y1]` of the picture inside a blank border, when the scorer cropped one.
    pub content_region: Option<[u32; 4]>,
    /// True when the scorer inverted the frames (bright vessels).
    pub bright: bool,
    pub um_per_px: f64,
    pub small_vessel_cutoff_um: f64,
    pub stabilization: mcvideo_stabilize::Stabilization,
    pub quality_score: f64,
    pub acceptable: bool,
    pub quality_flags: Vec<String>,
    pub vessels: Vec<AutoVessel>,
    pub metrics: SiteMetrics,
    pub vessel_params: mcvideo_vessels::VesselParams,
    pub flow_params: mcvideo_flow::FlowParams,
    pub fields: mcvideo_decode::FieldMode,
    /// SHA-256 of the score JSON's bytes (hex).
    pub sha256: String,
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn field<T: serde::de::DeserializeOwned>(
    value: &Value,
    pointer: &str,
    source: &Path,
) -> Result<T, ReviewError> {
    let part = value.pointer(pointer).cloned().unwrap_or(Value::Null);
    serde_json::from_value(part)
        .map_err(|e| ReviewError::data(source, format!("score JSON field '{pointer}': {e}")))
}

impl ScoreData {
    /// Reads the parts of a score JSON the review needs.
    pub fn read(path: &Path) -> Result<ScoreData, ReviewError> {
        let bytes = std::fs::read(path).map_err(|e| ReviewError::io(path, e))?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ReviewError::data(path, format!("not JSON: {e}")))?;
        let mut data = Self::from_value(&value, path)?;
        data.sha256 = sha256_hex(&bytes);
        Ok(data)
    }

    /// The parts of a parsed score JSON the review needs; `source` names it in errors.
    pub fn from_value(value: &Value, source: &Path) -> Result<ScoreData, ReviewError> {
        let optional = |pointer: &str| value.pointer(pointer).cloned().unwrap_or(Value::Null);
        Ok(ScoreData {
            width: field(value, "/clip/width", source)?,
            height: field(value, "/clip/height", source)?,
            fps: field(value, "/clip/fps", source)?,
            content_region: serde_json::from_value(optional("/clip/content_region"))
                .unwrap_or(None),
            bright: value.pointer("/clip/polarity") == Some(&Value::from("bright")),
            um_per_px: field(value, "/calibration/um_per_px", source)?,
            small_vessel_cutoff_um: field(value, "/metrics/small_vessel_cutoff_um", source)?,
            stabilization: {
                // Per-frame diagnostics are not needed and hold nulls (the reference frame's
                // peak ratio is infinite); the shifts, kept flags and region are.
                let mut stabilization = optional("/stabilization");
                if let Some(frames) = stabilization.get_mut("frames") {
                    *frames = Value::Array(Vec::new());
                }
                serde_json::from_value(stabilization).map_err(|e| {
                    ReviewError::data(source, format!("score JSON field '/stabilization': {e}"))
                })?
            },
            quality_score: field(value, "/quality/score", source)?,
            acceptable: field(value, "/quality/acceptable", source)?,
            quality_flags: serde_json::from_value(optional("/quality/flags")).unwrap_or_default(),
            vessels: field(value, "/vessels", source)?,
            metrics: field(value, "/metrics", source)?,
            vessel_params: serde_json::from_value(optional("/params/vessels")).unwrap_or_default(),
            flow_params: serde_json::from_value(optional("/params/flow")).unwrap_or_default(),
            fields: serde_json::from_value(optional("/params/fields")).unwrap_or_default(),
            sha256: String::new(),
        })
    }

    /// The metrics parameters the scorer used: same scale, cutoff and valid region.
    pub fn metrics_params(&self) -> mcvideo_metrics::MetricsParams {
        mcvideo_metrics::MetricsParams {
            um_per_px: self.um_per_px,
            small_vessel_cutoff_um: self.small_vessel_cutoff_um,
            valid_region: self.stabilization.valid_region,
        }
    }
}

/// A row of the batch's `sites.csv` or `failures.csv`: identity only.
#[derive(Debug, Clone, Deserialize)]
struct IdentityRow {
    patient: String,
    day: String,
    site: String,
    path: String,
}

fn read_identities(path: &Path) -> Result<Vec<IdentityRow>, ReviewError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let bytes = std::fs::read(path).map_err(|e| ReviewError::io(path, e))?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| ReviewError::data(path, e.to_string()))?
        .clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReviewError::data(path, e.to_string()))?;
        let row: IdentityRow = record
            .deserialize(Some(&headers))
            .map_err(|e| ReviewError::data(path, e.to_string()))?;
        rows.push(row);
    }
    Ok(rows)
}

/// The id a batch gives a clip (`mcvideo_batch::ClipJob::id`).
fn batch_id(patient: &str, day: &str, site: &str) -> String {
    let job = mcvideo_batch::ClipJob {
        path: PathBuf::new(),
        path_as_given: String::new(),
        patient: patient.to_string(),
        day: day.to_string(),
        site: site.to_string(),
        device: None,
        um_per_px: None,
    };
    job.id()
}

fn files_ending(dir: &Path, suffix: &str) -> Result<Vec<String>, ReviewError> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| ReviewError::io(dir, e))? {
        let entry = entry.map_err(|e| ReviewError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(suffix) && !name.starts_with('.') {
            names.push(name[..name.len() - suffix.len()].to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// Where the batch read its clips: the `input` of `run.json` (a folder, or a manifest whose
/// relative paths start at its own folder), taken as the batch ran it (relative to the
/// current folder when relative).
fn batch_clip_root(folder: &Path) -> Option<PathBuf> {
    let text = std::fs::read(folder.join("run.json")).ok()?;
    let run: Value = serde_json::from_slice(&text).ok()?;
    let input = PathBuf::from(run.pointer("/parameters/input")?.as_str()?);
    if input.is_dir() {
        Some(input)
    } else {
        input.parent().map(Path::to_path_buf)
    }
}

impl Catalog {
    /// Indexes `folder`; clip files are looked for under `clip_root` when given, else where
    /// the batch's `run.json` says it read them (a `score --out` folder holds its clips).
    pub fn open(folder: &Path, clip_root: Option<&Path>) -> Result<Catalog, ReviewError> {
        let confined = Confined::new(folder)?;
        let root = confined.root().to_path_buf();
        let clips_dir = root.join("clips");
        let is_batch = clips_dir.is_dir();
        let mut clips = Vec::new();
        if is_batch {
            let sites = read_identities(&root.join("sites.csv"))?;
            let in_sites: std::collections::BTreeSet<String> = sites
                .iter()
                .map(|r| batch_id(&r.patient, &r.day, &r.site))
                .collect();
            let identities: BTreeMap<String, IdentityRow> = sites
                .into_iter()
                .chain(read_identities(&root.join("failures.csv"))?)
                .map(|r| (batch_id(&r.patient, &r.day, &r.site), r))
                .collect();
            let clip_root = clip_root
                .map(Path::to_path_buf)
                .or_else(|| batch_clip_root(&root));
            for id in files_ending(&clips_dir, ".score.json")? {
                let score_file = format!("clips/{id}.score.json");
                let overlay = format!("clips/{id}.overlay.png");
                let mean = format!("clips/{id}.mean.png");
                let (patient, day, site, path) = match identities.get(&id) {
                    Some(r) => (
                        r.patient.clone(),
                        r.day.clone(),
                        r.site.clone(),
                        r.path.clone(),
                    ),
                    None => (id.clone(), String::new(), String::new(), String::new()),
                };
                let clip_file = clip_root
                    .as_ref()
                    .filter(|_| !path.is_empty())
                    .map(|r| r.join(&path))
                    .filter(|p| p.exists());
                clips.push(ClipEntry {
                    overlay_file: root.join(&overlay).is_file().then_some(overlay),
                    mean_file: root.join(&mean).is_file().then_some(mean),
                    in_sites_table: in_sites.contains(&id),
                    id,
                    patient,
                    day,
                    site,
                    path,
                    score_file: Some(score_file),
                    failure: None,
                    clip_file,
                });
            }
            for id in files_ending(&clips_dir, ".failure.json")? {
                if clips.iter().any(|c| c.id == id) {
                    continue;
                }
                let file = clips_dir.join(format!("{id}.failure.json"));
                let bytes = std::fs::read(&file).map_err(|e| ReviewError::io(&file, e))?;
                let row: Value = serde_json::from_slice(&bytes)
                    .map_err(|e| ReviewError::data(&file, format!("not JSON: {e}")))?;
                let text = |key: &str| row[key].as_str().unwrap_or("").to_string();
                clips.push(ClipEntry {
                    id,
                    patient: text("patient"),
                    day: text("day"),
                    site: text("site"),
                    path: text("path"),
                    score_file: None,
                    overlay_file: None,
                    mean_file: None,
                    failure: Some(text("error")),
                    clip_file: None,
                    in_sites_table: false,
                });
            }
        } else {
            let clip_dir = clip_root.map(Path::to_path_buf).unwrap_or(root.clone());
            for stem in files_ending(&root, ".score.json")? {
                let overlay = format!("{stem}.overlay.png");
                let mean = format!("{stem}.mean.png");
                clips.push(ClipEntry {
                    overlay_file: root.join(&overlay).is_file().then_some(overlay),
                    mean_file: root.join(&mean).is_file().then_some(mean),
                    clip_file: find_clip(&clip_dir, &stem),
                    patient: stem.clone(),
                    day: String::new(),
                    site: String::new(),
                    path: stem.clone(),
                    score_file: Some(format!("{stem}.score.json")),
                    failure: None,
                    in_sites_table: true,
                    id: stem,
                });
            }
        }
        clips.sort_by(|a, b| {
            (&a.patient, &a.day, &a.site, &a.id).cmp(&(&b.patient, &b.day, &b.site, &b.id))
        });
        Ok(Catalog {
            folder: confined,
            clips,
            is_batch,
        })
    }

    /// The clip of `id`.
    pub fn clip(&self, id: &str) -> Result<&ClipEntry, ReviewError> {
        self.clips
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| ReviewError::UnknownClip(id.to_string()))
    }

    /// The score data of a scored clip.
    pub fn score(&self, entry: &ClipEntry) -> Result<ScoreData, ReviewError> {
        let file = entry
            .score_file
            .as_deref()
            .ok_or_else(|| ReviewError::Media {
                id: entry.id.clone(),
                problem: "the clip failed to score; there is nothing to review".into(),
            })?;
        ScoreData::read(&self.folder.resolve_existing(file)?)
    }
}

/// The clip of a `score --out` result: a file `<stem>.<ext>` (not the outputs) or a frame
/// folder `<stem>` beside the score file.
fn find_clip(dir: &Path, stem: &str) -> Option<PathBuf> {
    let folder = dir.join(stem);
    if folder.is_dir() {
        return Some(folder);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            let name = name.unwrap_or_default();
            p.is_file()
                && p.file_stem().map(|s| s == stem).unwrap_or(false)
                && !name.ends_with(".json")
                && !name.ends_with(".png")
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

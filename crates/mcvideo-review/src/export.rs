//! The folder's state after review: one row per clip for the page, the batch tables with
//! `reviewed` and the corrected values, and the agreement files.

use crate::agreement::{agreement, agreement_csv, confusion_csv, Agreement};
use crate::corrections::{Corrected, MasseyReason};
use crate::store::{Store, REVIEW_DIR};
use crate::ReviewError;
use mcvideo_batch::tables::{write_patients, write_sites, SiteRow};
use mcvideo_metrics::SiteMetrics;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The automatic result of one clip, read once.
#[derive(Debug, Clone, Deserialize)]
pub struct AutomaticSummary {
    pub metrics: SiteMetrics,
    pub quality: QualitySummary,
}

/// The quality grade of a score JSON.
#[derive(Debug, Clone, Deserialize)]
pub struct QualitySummary {
    pub score: f64,
    pub acceptable: bool,
}

/// One row of the clip list.
#[derive(Debug, Clone, Serialize)]
pub struct ClipRow {
    pub id: String,
    pub patient: String,
    pub day: String,
    pub site: String,
    pub path: String,
    pub failed: bool,
    pub failure: Option<String>,
    pub quality_score: Option<f64>,
    pub acceptable: Option<bool>,
    pub unacceptable_reason: Option<MasseyReason>,
    pub reviewed: bool,
    pub tvd: Option<f64>,
    pub ppv: Option<f64>,
    pub mfi: Option<f64>,
    pub automatic_tvd: Option<f64>,
    pub automatic_ppv: Option<f64>,
    pub automatic_mfi: Option<f64>,
}

/// The automatic summaries of every scored clip, by id.
pub fn automatic_summaries(
    store: &Store,
) -> Result<BTreeMap<String, AutomaticSummary>, ReviewError> {
    let mut out = BTreeMap::new();
    for entry in &store.catalog.clips {
        let Some(file) = &entry.score_file else {
            continue;
        };
        let path = store.catalog.folder.resolve_existing(file)?;
        let bytes = std::fs::read(&path).map_err(|e| ReviewError::io(&path, e))?;
        let summary: AutomaticSummary = serde_json::from_slice(&bytes)
            .map_err(|e| ReviewError::data(&path, format!("score JSON: {e}")))?;
        out.insert(entry.id.clone(), summary);
    }
    Ok(out)
}

/// Every clip with its corrected state, when it has a review.
pub fn corrected_clips(store: &Store) -> Result<BTreeMap<String, Corrected>, ReviewError> {
    let mut out = BTreeMap::new();
    for entry in &store.catalog.clips {
        if let Some((score, review)) = store.load_saved(entry)? {
            out.insert(
                entry.id.clone(),
                crate::corrections::apply(&score, &review.edits)?,
            );
        }
    }
    Ok(out)
}

/// Ids of the clips re-scored after their corrections were made (see `ReviewFile::stale`).
pub fn stale_reviews(store: &Store) -> Result<Vec<String>, ReviewError> {
    let mut out = Vec::new();
    for entry in &store.catalog.clips {
        if let Some((score, review)) = store.load_saved(entry)?
            && review.stale(&score)
        {
            out.push(entry.id.clone());
        }
    }
    Ok(out)
}

/// The clip list.
pub fn clip_rows(
    store: &Store,
    automatic: &BTreeMap<String, AutomaticSummary>,
    corrected: &BTreeMap<String, Corrected>,
) -> Vec<ClipRow> {
    store
        .catalog
        .clips
        .iter()
        .map(|entry| {
            let auto = automatic.get(&entry.id);
            let fixed = corrected.get(&entry.id).filter(|c| c.reviewed);
            let metrics = fixed.map(|c| &c.metrics).or(auto.map(|a| &a.metrics));
            ClipRow {
                id: entry.id.clone(),
                patient: entry.patient.clone(),
                day: entry.day.clone(),
                site: entry.site.clone(),
                path: entry.path.clone(),
                failed: entry.failure.is_some(),
                failure: entry.failure.clone(),
                quality_score: auto.map(|a| a.quality.score),
                acceptable: fixed
                    .map(|c| c.acceptable)
                    .or(auto.map(|a| a.quality.acceptable)),
                unacceptable_reason: fixed.and_then(|c| c.unacceptable_reason),
                reviewed: fixed.is_some(),
                tvd: metrics.map(|m| m.tvd_mm_per_mm2),
                ppv: metrics.and_then(|m| m.ppv_pct),
                mfi: metrics.and_then(|m| m.mfi),
                automatic_tvd: auto.map(|a| a.metrics.tvd_mm_per_mm2),
                automatic_ppv: auto.and_then(|a| a.metrics.ppv_pct),
                automatic_mfi: auto.and_then(|a| a.metrics.mfi),
            }
        })
        .collect()
}

/// Agreement over the reviewed clips.
pub fn folder_agreement(
    automatic: &BTreeMap<String, AutomaticSummary>,
    corrected: &BTreeMap<String, Corrected>,
) -> Agreement {
    let pairs: Vec<(SiteMetrics, Corrected)> = corrected
        .iter()
        .filter_map(|(id, c)| Some((automatic.get(id)?.metrics.clone(), c.clone())))
        .collect();
    agreement(&pairs)
}

/// What `--export` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    pub clips: usize,
    pub reviewed: usize,
    pub tables_rewritten: bool,
    /// Reviewed clips whose score JSON changed after the corrections (re-scored).
    pub stale: Vec<String>,
    pub agreement: Agreement,
}

/// Adds columns to a CSV written by the batch: `extra(row)` gives the new cells of a row.
fn add_columns(
    path: &Path,
    names: &[&str],
    extra: impl Fn(&csv::StringRecord) -> Vec<String>,
) -> Result<Vec<u8>, ReviewError> {
    let bytes = std::fs::read(path).map_err(|e| ReviewError::io(path, e))?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let mut writer = csv::Writer::from_writer(Vec::new());
    let to_err = |e: csv::Error| ReviewError::data(path, e.to_string());
    let mut header = reader.headers().map_err(to_err)?.clone();
    for name in names {
        header.push_field(name);
    }
    writer.write_record(&header).map_err(to_err)?;
    for record in reader.records() {
        let mut record = record.map_err(to_err)?;
        for cell in extra(&record) {
            record.push_field(&cell);
        }
        writer.write_record(&record).map_err(to_err)?;
    }
    writer
        .into_inner()
        .map_err(|e| ReviewError::data(path, e.to_string()))
}

/// Rewrites `sites.csv` and `patients.csv` (batch folders) with the corrected values and a
/// `reviewed` column, and writes `review/agreement.csv` and `review/confusion.csv`.
pub fn export(store: &Store) -> Result<ExportSummary, ReviewError> {
    let automatic = automatic_summaries(store)?;
    let corrected = corrected_clips(store)?;
    let folder = &store.catalog.folder;
    let review_dir = folder.join(REVIEW_DIR)?;
    if !review_dir.exists() {
        std::fs::create_dir(&review_dir).map_err(|e| ReviewError::io(&review_dir, e))?;
    }
    let reviewed_ids: Vec<&String> = corrected
        .iter()
        .filter(|(_, c)| c.reviewed)
        .map(|(id, _)| id)
        .collect();
    if store.catalog.is_batch {
        let mut rows = Vec::new();
        // (patient, day, site, path) -> (reviewed, reason)
        let mut status: BTreeMap<(String, String, String, String), (bool, String)> =
            BTreeMap::new();
        for entry in &store.catalog.clips {
            // The tables keep the batch's rows: a score JSON of a clip the batch no longer
            // lists stays out of them.
            let Some(auto) = automatic.get(&entry.id).filter(|_| entry.in_sites_table) else {
                continue;
            };
            let fixed = corrected.get(&entry.id).filter(|c| c.reviewed);
            let metrics = fixed.map(|c| &c.metrics).unwrap_or(&auto.metrics);
            rows.push(SiteRow {
                patient: entry.patient.clone(),
                day: entry.day.clone(),
                site: entry.site.clone(),
                path: entry.path.clone(),
                metrics: metrics.columns().into_iter().map(|(_, v)| v).collect(),
                quality_score: auto.quality.score,
                acceptable: fixed.map_or(auto.quality.acceptable, |c| c.acceptable),
            });
            let reason = fixed
                .and_then(|c| c.unacceptable_reason)
                .and_then(|r| serde_json::to_value(r).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            status.insert(
                (
                    entry.patient.clone(),
                    entry.day.clone(),
                    entry.site.clone(),
                    entry.path.clone(),
                ),
                (fixed.is_some(), reason),
            );
        }
        // The batch's own writers make the tables (one definition of every column); the review
        // columns are added to their output before it replaces the tables.
        let scratch_sites =
            folder.resolve_for_write(&format!("{REVIEW_DIR}/.sites.scratch.csv"))?;
        let scratch_patients =
            folder.resolve_for_write(&format!("{REVIEW_DIR}/.patients.scratch.csv"))?;
        write_sites(&scratch_sites, &rows)?;
        write_patients(&scratch_patients, &rows)?;
        let sites = add_columns(
            &scratch_sites,
            &["reviewed", "review_unacceptable_reason"],
            |r| {
                let key = |i: usize| r.get(i).unwrap_or("").to_string();
                let (reviewed, reason) = status
                    .get(&(key(0), key(1), key(2), key(3)))
                    .cloned()
                    .unwrap_or_default();
                vec![reviewed.to_string(), reason]
            },
        )?;
        let patients = add_columns(&scratch_patients, &["n_sites_reviewed"], |r| {
            let (patient, day) = (r.get(0).unwrap_or(""), r.get(1).unwrap_or(""));
            let n = status
                .iter()
                .filter(|((p, d, _, _), (reviewed, _))| p == patient && d == day && *reviewed)
                .count();
            vec![n.to_string()]
        })?;
        let _ = std::fs::remove_file(&scratch_sites);
        let _ = std::fs::remove_file(&scratch_patients);
        mcvideo_batch::atomic::write_atomic(&folder.resolve_for_write("sites.csv")?, &sites)?;
        mcvideo_batch::atomic::write_atomic(&folder.resolve_for_write("patients.csv")?, &patients)?;
    }
    let agreement = folder_agreement(&automatic, &corrected);
    mcvideo_batch::atomic::write_atomic(
        &folder.resolve_for_write(&format!("{REVIEW_DIR}/agreement.csv"))?,
        &agreement_csv(&agreement),
    )?;
    mcvideo_batch::atomic::write_atomic(
        &folder.resolve_for_write(&format!("{REVIEW_DIR}/confusion.csv"))?,
        &confusion_csv(&agreement),
    )?;
    Ok(ExportSummary {
        clips: store.catalog.clips.len(),
        reviewed: reviewed_ids.len(),
        tables_rewritten: store.catalog.is_batch,
        stale: stale_reviews(store)?,
        agreement,
    })
}

//! The batch tables: `sites.csv` (one row per scored clip), `patients.csv` (per patient and
//! day, with the heterogeneity index across sites) and `failures.csv`.

use crate::atomic::write_atomic;
use crate::manifest::ClipJob;
use crate::BatchError;
use mcvideo_metrics::{heterogeneity_index, SiteMetrics};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The leading identity columns of `sites.csv` and `failures.csv`.
pub const ID_COLUMNS: [&str; 4] = ["patient", "day", "site", "path"];

/// One row of `sites.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteRow {
    pub patient: String,
    pub day: String,
    pub site: String,
    pub path: String,
    /// Values in the order of [`SiteMetrics::column_names`].
    pub metrics: Vec<Option<f64>>,
    pub quality_score: f64,
    pub acceptable: bool,
}

/// One row of `failures.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FailureRow {
    pub path: String,
    pub patient: String,
    pub day: String,
    pub site: String,
    pub error: String,
}

impl FailureRow {
    /// The failure of `job` with message `error`.
    pub fn new(job: &ClipJob, error: &str) -> FailureRow {
        FailureRow {
            path: job.path_as_given.clone(),
            patient: job.patient.clone(),
            day: job.day.clone(),
            site: job.site.clone(),
            error: error.to_string(),
        }
    }
}

fn data_error(path: &Path, problem: impl Into<String>) -> BatchError {
    BatchError::Data {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

impl SiteRow {
    /// Builds the row of `job` from its score JSON (as written to `clips/<id>.score.json`).
    pub fn from_score_json(
        job: &ClipJob,
        score: &Value,
        source: &Path,
    ) -> Result<SiteRow, BatchError> {
        let metrics: SiteMetrics = serde_json::from_value(score["metrics"].clone())
            .map_err(|e| data_error(source, format!("score JSON has no valid 'metrics': {e}")))?;
        let quality_score = score["quality"]["score"]
            .as_f64()
            .ok_or_else(|| data_error(source, "score JSON has no numeric 'quality.score'"))?;
        let acceptable = score["quality"]["acceptable"]
            .as_bool()
            .ok_or_else(|| data_error(source, "score JSON has no boolean 'quality.acceptable'"))?;
        Ok(SiteRow {
            patient: job.patient.clone(),
            day: job.day.clone(),
            site: job.site.clone(),
            path: job.path_as_given.clone(),
            metrics: metrics.columns().into_iter().map(|(_, v)| v).collect(),
            quality_score,
            acceptable,
        })
    }

    fn sort_key(&self) -> (&str, &str, &str, &str) {
        (&self.patient, &self.day, &self.site, &self.path)
    }
}

/// Formats a number the same way every time: Rust's shortest round-trip form, empty for
/// missing. Reading it back gives the identical `f64`, so merged shards reproduce the
/// single-run tables byte for byte.
fn format_value(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => String::new(),
    }
}

fn parse_value(text: &str, path: &Path, column: &str) -> Result<Option<f64>, BatchError> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<f64>()
        .map(Some)
        .map_err(|_| data_error(path, format!("column '{column}': '{text}' is not a number")))
}

fn csv_bytes(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, BatchError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let to_err = |e: csv::Error| data_error(Path::new("<csv>"), e.to_string());
    writer.write_record(header).map_err(to_err)?;
    for row in rows {
        writer.write_record(row).map_err(to_err)?;
    }
    writer
        .into_inner()
        .map_err(|e| data_error(Path::new("<csv>"), e.to_string()))
}

fn sites_header() -> Vec<String> {
    ID_COLUMNS
        .iter()
        .copied()
        .chain(SiteMetrics::column_names())
        .chain(["quality_score", "quality_acceptable"])
        .map(str::to_string)
        .collect()
}

/// Writes `sites.csv`, rows sorted by patient, day, site and path.
pub fn write_sites(path: &Path, rows: &[SiteRow]) -> Result<(), BatchError> {
    let mut sorted: Vec<&SiteRow> = rows.iter().collect();
    sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let records: Vec<Vec<String>> = sorted
        .iter()
        .map(|r| {
            [&r.patient, &r.day, &r.site, &r.path]
                .into_iter()
                .cloned()
                .chain(r.metrics.iter().map(|v| format_value(*v)))
                .chain([
                    format_value(Some(r.quality_score)),
                    r.acceptable.to_string(),
                ])
                .collect()
        })
        .collect();
    write_atomic(path, &csv_bytes(&sites_header(), &records)?)
}

/// Reads a `sites.csv` written by [`write_sites`] (for `merge`).
pub fn read_sites(path: &Path) -> Result<Vec<SiteRow>, BatchError> {
    let bytes = std::fs::read(path).map_err(|e| BatchError::io(path, e))?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| data_error(path, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let expected = sites_header();
    if header != expected {
        return Err(data_error(
            path,
            "the columns differ from this version's sites.csv; merge outputs of one mcvideo version",
        ));
    }
    let n_metrics = expected.len() - ID_COLUMNS.len() - 2;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| data_error(path, e.to_string()))?;
        let field = |i: usize| record.get(i).unwrap_or("").to_string();
        let metrics = (0..n_metrics)
            .map(|i| parse_value(&field(4 + i), path, &expected[4 + i]))
            .collect::<Result<Vec<_>, _>>()?;
        let quality_score = parse_value(&field(4 + n_metrics), path, "quality_score")?
            .ok_or_else(|| data_error(path, "empty quality_score"))?;
        let acceptable = field(5 + n_metrics) == "true";
        rows.push(SiteRow {
            patient: field(0),
            day: field(1),
            site: field(2),
            path: field(3),
            metrics,
            quality_score,
            acceptable,
        });
    }
    Ok(rows)
}

/// Writes `patients.csv`: per patient and day, the mean of each site metric over the
/// acceptable sites (ignoring missing values), `n_sites` (acceptable sites),
/// `n_sites_total`, and `hi` = (max site MFI − min site MFI) / mean site MFI over the
/// acceptable sites (Trzeciak et al. 2007).
pub fn write_patients(path: &Path, rows: &[SiteRow]) -> Result<(), BatchError> {
    let names: Vec<&str> = SiteMetrics::column_names().collect();
    let mfi_index = names.iter().position(|n| *n == "mfi");
    let mut groups: BTreeMap<(&str, &str), Vec<&SiteRow>> = BTreeMap::new();
    for row in rows {
        groups
            .entry((&row.patient, &row.day))
            .or_default()
            .push(row);
    }
    let header: Vec<String> = ["patient", "day", "n_sites", "n_sites_total"]
        .into_iter()
        .chain(names.iter().copied())
        .chain(["hi"])
        .map(str::to_string)
        .collect();
    let mut records = Vec::new();
    for ((patient, day), mut sites) in groups {
        sites.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let good: Vec<&SiteRow> = sites.iter().copied().filter(|s| s.acceptable).collect();
        let mut record = vec![
            patient.to_string(),
            day.to_string(),
            good.len().to_string(),
            sites.len().to_string(),
        ];
        for column in 0..names.len() {
            let values: Vec<f64> = good.iter().filter_map(|s| s.metrics[column]).collect();
            let mean =
                (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
            record.push(format_value(mean));
        }
        let site_mfi: Vec<f64> = mfi_index
            .map(|i| good.iter().filter_map(|s| s.metrics[i]).collect())
            .unwrap_or_default();
        record.push(format_value(heterogeneity_index(&site_mfi)));
        records.push(record);
    }
    write_atomic(path, &csv_bytes(&header, &records)?)
}

/// Writes `failures.csv` (`path,patient,day,site,error`), sorted like the sites.
pub fn write_failures(path: &Path, rows: &[FailureRow]) -> Result<(), BatchError> {
    let mut sorted: Vec<&FailureRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.patient, &a.day, &a.site, &a.path).cmp(&(&b.patient, &b.day, &b.site, &b.path))
    });
    let header: Vec<String> = ["path", "patient", "day", "site", "error"]
        .into_iter()
        .map(str::to_string)
        .collect();
    let records: Vec<Vec<String>> = sorted
        .iter()
        .map(|f| {
            vec![
                f.path.clone(),
                f.patient.clone(),
                f.day.clone(),
                f.site.clone(),
                f.error.clone(),
            ]
        })
        .collect();
    write_atomic(path, &csv_bytes(&header, &records)?)
}

/// Reads a `failures.csv` (for `merge`).
pub fn read_failures(path: &Path) -> Result<Vec<FailureRow>, BatchError> {
    let bytes = std::fs::read(path).map_err(|e| BatchError::io(path, e))?;
    csv::Reader::from_reader(bytes.as_slice())
        .deserialize()
        .collect::<Result<Vec<FailureRow>, _>>()
        .map_err(|e| data_error(path, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(patient: &str, site: &str, mfi: f64, acceptable: bool) -> SiteRow {
        let n = SiteMetrics::column_names().count();
        let mut metrics = vec![Some(1.5); n];
        let mfi_index = SiteMetrics::column_names()
            .position(|c| c == "mfi")
            .unwrap();
        metrics[mfi_index] = Some(mfi);
        metrics[5] = None;
        SiteRow {
            patient: patient.into(),
            day: "1".into(),
            site: site.into(),
            path: format!("{patient}/{site}.avi"),
            metrics,
            quality_score: 1.0,
            acceptable,
        }
    }

    #[test]
    fn sites_round_trip_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sites.csv");
        let mut a = row("P1", "2", 2.75, true);
        a.metrics[0] = Some(0.1 + 0.2);
        let rows = vec![a, row("P1", "1", 3.0, false)];
        write_sites(&path, &rows).unwrap();
        let back = read_sites(&path).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].site, "1");
        assert_eq!(back[1], rows[0]);
    }

    #[test]
    fn patients_average_acceptable_sites_and_compute_hi() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("patients.csv");
        let rows = vec![
            row("P1", "1", 3.0, true),
            row("P1", "2", 2.0, true),
            row("P1", "3", 0.0, false),
            row("P2", "1", 2.5, true),
        ];
        write_patients(&path, &rows).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("patient,day,n_sites,n_sites_total,"));
        assert!(lines[0].ends_with(",hi"));
        // P1: acceptable sites 3.0 and 2.0 → mean 2.5, HI = (3-2)/2.5 = 0.4.
        assert!(lines[1].starts_with("P1,1,2,3,"));
        assert!(lines[1].contains(",2.5,"));
        assert!(lines[1].ends_with(",0.4"));
        assert!(lines[2].ends_with(",0"));
    }
}

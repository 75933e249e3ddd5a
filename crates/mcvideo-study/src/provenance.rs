//! Where the analysed patients came from and how to reproduce the run: the CONSORT-style flow
//! (clips → scored → acceptable → patient-days → patients → each analysis, with the count and
//! reason of every exclusion, read from the batch folder's `sites.csv` and `failures.csv`), and
//! the reproducibility block (version, git commit, config, seeds, SHA-256 of the inputs, date).

use crate::analysis::ThresholdResult;
use crate::config::StudyConfig;
use mcvideo_stats::data::Table;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Excluded units with one reason.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Exclusion {
    /// Why.
    pub reason: String,
    /// How many.
    pub count: usize,
}

/// One box of the flow diagram: what remains, and what was excluded on the way to the next.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlowStage {
    /// What is counted (`clips in the manifest`, `patients on day 1`, ...).
    pub label: String,
    /// How many.
    pub count: usize,
    /// Excluded before the next stage, by reason.
    pub excluded: Vec<Exclusion>,
}

/// The patients each model used.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AnalysisCount {
    /// The analysis.
    pub analysis: String,
    /// Rows used.
    pub n: usize,
    /// Rows left out for a missing value.
    pub excluded_missing: usize,
}

/// The CONSORT-style flow of a run.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Flow {
    /// The batch folder the clip counts come from (None without a batch table).
    pub batch_folder: Option<String>,
    /// The stages, in order.
    pub stages: Vec<FlowStage>,
    /// Rows used by each threshold model.
    pub analyses: Vec<AnalysisCount>,
}

/// Reads one CSV into (header, rows); None when the file is absent or unreadable.
fn read_csv(path: &Path) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let mut reader = csv::Reader::from_path(path).ok()?;
    let header: Vec<String> = reader.headers().ok()?.iter().map(str::to_string).collect();
    let rows = reader
        .records()
        .filter_map(|r| r.ok())
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    Some((header, rows))
}

fn column(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name)
}

/// A failure message shortened to its cause, so that like failures group together.
fn failure_reason(error: &str) -> String {
    let cause = error.rsplit(": ").next().unwrap_or(error).trim();
    let mut short: String = cause.chars().take(90).collect();
    if cause.chars().count() > 90 {
        short.push('…');
    }
    format!("not scored: {short}")
}

impl Flow {
    /// The clip stages, from `sites.csv` and `failures.csv` beside the batch `patients.csv`.
    /// Missing files give an empty flow (the patient stages are added by the analysis).
    pub fn from_batch(batch_patients: &Path) -> Flow {
        let Some(folder) = batch_patients.parent() else {
            return Flow::default();
        };
        let Some((sh, sites)) = read_csv(&folder.join("sites.csv")) else {
            return Flow::default();
        };
        let failures = read_csv(&folder.join("failures.csv")).unwrap_or_default();
        let mut failed: BTreeMap<String, usize> = BTreeMap::new();
        if let Some(e) = column(&failures.0, "error") {
            for row in &failures.1 {
                *failed
                    .entry(failure_reason(row.get(e).map_or("", String::as_str)))
                    .or_default() += 1;
            }
        }
        let acceptable_col = column(&sh, "quality_acceptable");
        let key = |row: &Vec<String>, names: &[&str]| -> Vec<String> {
            names
                .iter()
                .map(|n| {
                    column(&sh, n)
                        .and_then(|i| row.get(i))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect()
        };
        let good: Vec<&Vec<String>> = sites
            .iter()
            .filter(|r| {
                acceptable_col
                    .and_then(|i| r.get(i))
                    .is_some_and(|v| v == "true")
            })
            .collect();
        let all_days: BTreeSet<Vec<String>> =
            sites.iter().map(|r| key(r, &["patient", "day"])).collect();
        let good_days: BTreeSet<Vec<String>> =
            good.iter().map(|r| key(r, &["patient", "day"])).collect();
        let good_sites: BTreeSet<Vec<String>> = good
            .iter()
            .map(|r| key(r, &["patient", "day", "site"]))
            .collect();
        let patients: BTreeSet<String> = good_days.iter().map(|k| k[0].clone()).collect();
        let n_failed: usize = failed.values().sum();
        let unacceptable = sites.len() - good.len();
        let stages = vec![
            FlowStage {
                label: "clips in the manifest".to_string(),
                count: sites.len() + n_failed,
                excluded: failed
                    .into_iter()
                    .map(|(reason, count)| Exclusion { reason, count })
                    .collect(),
            },
            FlowStage {
                label: "clips scored".to_string(),
                count: sites.len(),
                excluded: (unacceptable > 0)
                    .then(|| Exclusion {
                        reason: "quality not acceptable (Massey 2013 score)".to_string(),
                        count: unacceptable,
                    })
                    .into_iter()
                    .collect(),
            },
            FlowStage {
                label: format!("clips of acceptable quality ({} sites)", good_sites.len()),
                count: good.len(),
                excluded: Vec::new(),
            },
            FlowStage {
                label: format!(
                    "patient-days with an acceptable site ({} patients)",
                    patients.len()
                ),
                count: good_days.len(),
                excluded: (all_days.len() > good_days.len())
                    .then(|| Exclusion {
                        reason: "patient-days whose every clip failed quality".to_string(),
                        count: all_days.len() - good_days.len(),
                    })
                    .into_iter()
                    .collect(),
            },
        ];
        Flow {
            batch_folder: Some(folder.display().to_string()),
            stages,
            analyses: Vec::new(),
        }
    }

    /// Adds the patient stages of the main day and the rows each threshold model used.
    pub fn add_analysis_counts(
        &mut self,
        config: &StudyConfig,
        main: &Table,
        thresholds: &[ThresholdResult],
    ) {
        let dose = main.numeric(&config.dose).unwrap_or_default();
        let with_dose = dose.iter().filter(|v| v.is_some()).count();
        self.stages.push(FlowStage {
            label: format!("patients on day {}", config.data.main_day),
            count: main.n_rows(),
            excluded: (main.n_rows() > with_dose)
                .then(|| Exclusion {
                    reason: format!("no {} recorded", config.dose),
                    count: main.n_rows() - with_dose,
                })
                .into_iter()
                .collect(),
        });
        let mut names: Vec<&str> = vec![config.dose.as_str()];
        names.extend(config.outcomes.iter().map(String::as_str));
        let complete = main.complete_numeric(&names).map_or(0, |(c, _)| c[0].len());
        self.stages.push(FlowStage {
            label: "patients with the dose and every outcome".to_string(),
            count: complete,
            excluded: Vec::new(),
        });
        if let Some(last) = self.stages.iter_mut().rev().nth(1)
            && with_dose > complete
        {
            last.excluded.push(Exclusion {
                reason: "an outcome missing (no acceptable clip that day, or not measured)"
                    .to_string(),
                count: with_dose - complete,
            });
        }
        self.analyses = thresholds
            .iter()
            .map(|t| AnalysisCount {
                analysis: format!("thresholds of {}", t.outcome),
                n: t.n,
                excluded_missing: t.dropped,
            })
            .collect();
    }
}

/// One input file with its hash.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InputFile {
    /// The path as read.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

/// Everything needed to repeat the run and know it is the same.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Reproducibility {
    /// mcvideo version.
    pub version: String,
    /// The git commit of the build (None when built outside a repository).
    pub git_commit: Option<String>,
    /// When the run was made, UTC (`YYYY-MM-DDTHH:MM:SSZ`).
    pub date_utc: String,
    /// The config file.
    pub config_file: String,
    /// The config text as read.
    pub config_text: String,
    /// Random seeds used, by config key.
    pub seeds: BTreeMap<String, u64>,
    /// Inputs: the config, the clinical table, the batch tables.
    pub inputs: Vec<InputFile>,
}

/// SHA-256 of bytes as lowercase hex.
///
/// ```
/// assert_eq!(
///     mcvideo_study::provenance::sha256_hex(b"abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A UTC timestamp from seconds since 1970 (Hinnant's civil-from-days algorithm).
///
/// ```
/// assert_eq!(mcvideo_study::provenance::utc_timestamp(0), "1970-01-01T00:00:00Z");
/// assert_eq!(mcvideo_study::provenance::utc_timestamp(1_796_601_600), "2026-12-07T00:00:00Z");
/// ```
pub fn utc_timestamp(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rem = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

impl Reproducibility {
    /// The block for a run of `config` read from `config_path`; unreadable inputs are listed
    /// without a hash only if they could not be read (the run would have failed earlier).
    pub fn gather(config_path: &Path, config: &StudyConfig) -> Reproducibility {
        let mut files = vec![config_path.to_path_buf(), config.data.clinical.clone()];
        if let Some(b) = &config.data.batch {
            files.push(b.clone());
            if let Some(dir) = b.parent() {
                for extra in ["sites.csv", "failures.csv", "run.json"] {
                    let p = dir.join(extra);
                    if p.is_file() {
                        files.push(p);
                    }
                }
            }
        }
        let inputs = files
            .iter()
            .filter_map(|p| {
                let bytes = std::fs::read(p).ok()?;
                Some(InputFile {
                    path: p.display().to_string(),
                    bytes: bytes.len() as u64,
                    sha256: sha256_hex(&bytes),
                })
            })
            .collect();
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let commit = env!("MCVIDEO_GIT_COMMIT");
        Reproducibility {
            version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: (!commit.is_empty()).then(|| commit.to_string()),
            date_utc: utc_timestamp(seconds),
            config_file: config_path.display().to_string(),
            config_text: std::fs::read_to_string(config_path).unwrap_or_default(),
            seeds: BTreeMap::from([("threshold.seed".to_string(), config.threshold.seed)]),
            inputs,
        }
    }
}

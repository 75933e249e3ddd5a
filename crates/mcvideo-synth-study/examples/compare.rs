//! Compares what the videos of a synthetic study gave with its truth: per-site metric errors,
//! patients in vs out, and each outcome's video threshold against the truth's bootstrap CI.
//!
//! ```text
//! cargo run --release -p mcvideo-synth-study --example compare -- STUDY_DIR
//!     [--batch DIR]                 batch output (default STUDY_DIR/batch)
//!     [--videos analysis.json --truth analysis.json]
//!                                   `mcvideo analyze` of study.toml and of study_truth.toml
//!     [--all-sites-patients FILE]   also write patients.csv averaged over ALL sites (quality
//!                                   ignored), to separate measurement error from quality gating
//!     [--json FILE]                 the numbers as JSON
//!     [--check]                     exit 3 when an acceptance item fails
//! ```
//!
//! Acceptance: mean absolute PPV error ≤ 5 points and MFI error ≤ 0.25 across all
//! sites; each outcome's GAM threshold from the videos inside the bootstrap CI of the
//! threshold from the true per-patient metrics.

use mcvideo_batch::tables::{read_sites, write_patients};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Acceptance limits (mean absolute error over all sites).
const PPV_LIMIT_POINTS: f64 = 5.0;
const MFI_LIMIT: f64 = 0.25;

/// Site metrics compared with the truth: column, label, unit.
const SITE_METRICS: [(&str, &str); 6] = [
    ("ppv_pct", "PPV (points)"),
    ("ppv_count_pct", "PPV by count (points)"),
    ("mfi", "MFI"),
    ("tvd_mm_per_mm2", "TVD (mm/mm²)"),
    ("pvd_mm_per_mm2", "PVD (mm/mm²)"),
    ("de_backer_per_mm", "De Backer (1/mm)"),
];

/// Patient-day metrics compared with the truth.
const PATIENT_METRICS: [(&str, &str); 4] = [
    ("ppv_pct", "PPV (points)"),
    ("mfi", "MFI"),
    ("hi", "HI"),
    ("tvd_mm_per_mm2", "TVD (mm/mm²)"),
];

struct Args {
    study: PathBuf,
    batch: PathBuf,
    videos: Option<PathBuf>,
    truth: Option<PathBuf>,
    all_sites_patients: Option<PathBuf>,
    json: Option<PathBuf>,
    check: bool,
}

fn parse_args() -> Result<Args> {
    let mut study = None;
    let mut batch = None;
    let mut videos = None;
    let mut truth = None;
    let mut all_sites_patients = None;
    let mut json = None;
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--batch" => batch = Some(value("--batch")?),
            "--videos" => videos = Some(value("--videos")?),
            "--truth" => truth = Some(value("--truth")?),
            "--all-sites-patients" => all_sites_patients = Some(value("--all-sites-patients")?),
            "--json" => json = Some(value("--json")?),
            "--check" => check = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}").into()),
            _ if study.is_none() => study = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg}").into()),
        }
    }
    let study: PathBuf = study.ok_or(
        "usage: compare STUDY_DIR [--batch DIR] [--videos analysis.json --truth analysis.json] \
         [--all-sites-patients FILE] [--json FILE] [--check]",
    )?;
    if videos.is_some() != truth.is_some() {
        return Err("--videos and --truth go together".into());
    }
    Ok(Args {
        batch: batch.unwrap_or_else(|| study.join("batch")),
        study,
        videos,
        truth,
        all_sites_patients,
        json,
        check,
    })
}

/// A CSV table as rows of column → text.
fn read_table(path: &Path) -> Result<Vec<BTreeMap<String, String>>> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{}: bad header: {e}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{}: row {}: {e}", path.display(), i + 1))?;
        rows.push(
            header
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect(),
        );
    }
    Ok(rows)
}

fn cell<'a>(row: &'a BTreeMap<String, String>, column: &str, path: &Path) -> Result<&'a str> {
    row.get(column)
        .map(String::as_str)
        .ok_or_else(|| format!("{}: no column `{column}`", path.display()).into())
}

/// A numeric cell: `None` when empty; an error when it is text or not finite.
fn number(row: &BTreeMap<String, String>, column: &str, path: &Path) -> Result<Option<f64>> {
    let text = cell(row, column, path)?;
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(format!("{}: column `{column}` holds {text:?}", path.display()).into()),
    }
}

type Key = (String, String, String);

fn site_key(row: &BTreeMap<String, String>, path: &Path) -> Result<Key> {
    Ok((
        cell(row, "patient", path)?.to_string(),
        cell(row, "day", path)?.to_string(),
        cell(row, "site", path)?.to_string(),
    ))
}

/// Error summary of one metric over matched rows.
#[derive(Default)]
struct ErrorStats {
    n: usize,
    missing: usize,
    sum_abs: f64,
    sum_signed: f64,
    max_abs: f64,
}

impl ErrorStats {
    fn add(&mut self, measured: Option<f64>, truth: Option<f64>) {
        match (measured, truth) {
            (Some(m), Some(t)) => {
                let e = m - t;
                self.n += 1;
                self.sum_abs += e.abs();
                self.sum_signed += e;
                self.max_abs = self.max_abs.max(e.abs());
            }
            // Both missing agree (e.g. no small vessel in a quadrant); one missing is a miss.
            (None, None) => {}
            _ => self.missing += 1,
        }
    }
    fn mae(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum_abs / self.n as f64
        }
    }
    fn bias(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum_signed / self.n as f64
        }
    }
    fn to_json(&self) -> Value {
        json!({"n": self.n, "missing": self.missing, "mae": finite(self.mae()),
               "bias": finite(self.bias()), "max_abs": finite(self.max_abs)})
    }
}

fn finite(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

fn fmt(v: f64, digits: usize) -> String {
    if v.is_finite() {
        format!("{v:.digits$}")
    } else {
        "–".to_string()
    }
}

fn distinct_patients(rows: &[BTreeMap<String, String>], path: &Path) -> Result<BTreeSet<String>> {
    rows.iter()
        .map(|r| cell(r, "patient", path).map(str::to_string))
        .collect()
}

struct SiteComparison {
    joined: usize,
    unmatched_truth: usize,
    acceptable: usize,
    all: Vec<ErrorStats>,
    acceptable_only: Vec<ErrorStats>,
}

fn compare_sites(truth_path: &Path, sites_path: &Path) -> Result<SiteComparison> {
    let truth: BTreeMap<Key, BTreeMap<String, String>> = read_table(truth_path)?
        .into_iter()
        .map(|r| site_key(&r, truth_path).map(|k| (k, r)))
        .collect::<Result<_>>()?;
    let sites = read_table(sites_path)?;
    let mut all: Vec<ErrorStats> = SITE_METRICS.iter().map(|_| ErrorStats::default()).collect();
    let mut good: Vec<ErrorStats> = SITE_METRICS.iter().map(|_| ErrorStats::default()).collect();
    let mut joined = 0;
    let mut acceptable = 0;
    for row in &sites {
        let key = site_key(row, sites_path)?;
        let t = truth.get(&key).ok_or_else(|| {
            format!(
                "{}: site {key:?} is not in {}",
                sites_path.display(),
                truth_path.display()
            )
        })?;
        joined += 1;
        let is_acceptable = cell(row, "quality_acceptable", sites_path)? == "true";
        acceptable += usize::from(is_acceptable);
        for (i, (column, _)) in SITE_METRICS.iter().enumerate() {
            let m = number(row, column, sites_path)?;
            let v = number(t, column, truth_path)?;
            all[i].add(m, v);
            if is_acceptable {
                good[i].add(m, v);
            }
        }
    }
    Ok(SiteComparison {
        joined,
        unmatched_truth: truth.len() - joined,
        acceptable,
        all,
        acceptable_only: good,
    })
}

fn compare_patients(truth_path: &Path, patients_path: &Path) -> Result<(Vec<ErrorStats>, usize)> {
    let key = |r: &BTreeMap<String, String>, p: &Path| -> Result<(String, String)> {
        Ok((
            cell(r, "patient", p)?.to_string(),
            cell(r, "day", p)?.to_string(),
        ))
    };
    let truth: BTreeMap<(String, String), BTreeMap<String, String>> = read_table(truth_path)?
        .into_iter()
        .map(|r| key(&r, truth_path).map(|k| (k, r)))
        .collect::<Result<_>>()?;
    let mut stats: Vec<ErrorStats> = PATIENT_METRICS
        .iter()
        .map(|_| ErrorStats::default())
        .collect();
    let mut without_sites = 0;
    for row in read_table(patients_path)? {
        let k = key(&row, patients_path)?;
        let t = truth.get(&k).ok_or_else(|| {
            format!(
                "{}: {k:?} is not in {}",
                patients_path.display(),
                truth_path.display()
            )
        })?;
        if number(&row, "n_sites", patients_path)?.unwrap_or(0.0) == 0.0 {
            without_sites += 1;
        }
        for (i, (column, _)) in PATIENT_METRICS.iter().enumerate() {
            stats[i].add(
                number(&row, column, patients_path)?,
                number(t, column, truth_path)?,
            );
        }
    }
    Ok((stats, without_sites))
}

/// One outcome's thresholds: from the videos, and the truth's with its bootstrap CI.
struct ThresholdCheck {
    outcome: String,
    video: Option<f64>,
    video_n: Option<u64>,
    /// False when the videos' threshold is flagged as a degenerate fit: not a finding.
    video_reportable: bool,
    truth: Option<f64>,
    truth_ci: Option<[f64; 2]>,
    truth_n: Option<u64>,
}

impl ThresholdCheck {
    fn inside(&self) -> bool {
        match (self.video, self.truth_ci) {
            (Some(x), Some([lo, hi])) => self.video_reportable && lo <= x && x <= hi,
            _ => false,
        }
    }

    fn verdict(&self) -> &'static str {
        match (self.inside(), self.video_reportable) {
            (true, _) => "yes",
            (false, false) => "NO (flagged)",
            (false, true) => "NO",
        }
    }
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()).into())
}

/// A GAM threshold of `analysis.json`: x, bootstrap CI, rows used, reportable (not flagged).
type Threshold = (Option<f64>, Option<[f64; 2]>, Option<u64>, bool);

/// Outcome → its threshold, from an `analysis.json`.
fn thresholds(path: &Path) -> Result<BTreeMap<String, Threshold>> {
    let analysis = read_json(path)?;
    let list = analysis["thresholds"]
        .as_array()
        .ok_or_else(|| format!("{}: no `thresholds` array", path.display()))?;
    let mut out = BTreeMap::new();
    for t in list {
        let outcome = t["outcome"]
            .as_str()
            .ok_or_else(|| format!("{}: a threshold without `outcome`", path.display()))?;
        let threshold = &t["gam"]["threshold"];
        let ci = match (threshold["ci"][0].as_f64(), threshold["ci"][1].as_f64()) {
            (Some(lo), Some(hi)) => Some([lo, hi]),
            _ => None,
        };
        out.insert(
            outcome.to_string(),
            (
                threshold["x"].as_f64(),
                ci,
                t["n"].as_u64(),
                t["gam_threshold_reportable"].as_bool().unwrap_or(true),
            ),
        );
    }
    Ok(out)
}

fn compare_thresholds(videos: &Path, truth: &Path) -> Result<Vec<ThresholdCheck>> {
    let v = thresholds(videos)?;
    let t = thresholds(truth)?;
    Ok(t.iter()
        .map(|(outcome, &(x, ci, n, _))| {
            let (video, _, video_n, video_reportable) =
                v.get(outcome).copied().unwrap_or((None, None, None, false));
            ThresholdCheck {
                outcome: outcome.clone(),
                video,
                video_n,
                video_reportable,
                truth: x,
                truth_ci: ci,
                truth_n: n,
            }
        })
        .collect())
}

/// Writes patients.csv from `sites` as if every site were acceptable.
fn write_all_sites_patients(sites: &Path, out: &Path) -> Result<()> {
    let mut rows = read_sites(sites).map_err(|e| format!("{}: {e}", sites.display()))?;
    for row in &mut rows {
        row.acceptable = true;
    }
    write_patients(out, &rows).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(())
}

fn print_error_table(title: &str, labels: &[(&str, &str)], stats: &[ErrorStats]) {
    println!("\n{title}\n");
    println!("| metric | n | missing | mean abs error | bias | max abs error |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for ((_, label), s) in labels.iter().zip(stats) {
        println!(
            "| {label} | {} | {} | {} | {} | {} |",
            s.n,
            s.missing,
            fmt(s.mae(), 3),
            fmt(s.bias(), 3),
            fmt(s.max_abs, 3)
        );
    }
}

fn run() -> Result<bool> {
    let args = parse_args()?;
    let study = &args.study;
    let clinical_path = study.join("clinical.csv");
    let manifest_path = study.join("manifest.csv");
    let sites_path = args.batch.join("sites.csv");
    let patients_path = args.batch.join("patients.csv");
    let failures_path = args.batch.join("failures.csv");

    let clinical = read_table(&clinical_path)?;
    let manifest = read_table(&manifest_path)?;
    let patients = read_table(&patients_path)?;
    let failures = if failures_path.exists() {
        read_table(&failures_path)?.len()
    } else {
        0
    };
    let clinical_patients = distinct_patients(&clinical, &clinical_path)?;
    let table_patients = distinct_patients(&patients, &patients_path)?;
    // A patient is measured when every one of its days has an acceptable site.
    let mut unmeasured = BTreeSet::new();
    for row in &patients {
        if number(row, "n_sites", &patients_path)?.unwrap_or(0.0) == 0.0 {
            unmeasured.insert(cell(row, "patient", &patients_path)?.to_string());
        }
    }
    let measured_patients: BTreeSet<String> =
        table_patients.difference(&unmeasured).cloned().collect();

    let sites = compare_sites(&study.join("truth_sites.csv"), &sites_path)?;
    let (patient_stats, days_without_sites) =
        compare_patients(&study.join("truth_patients.csv"), &patients_path)?;

    println!("# Synthetic study {} vs its truth", study.display());
    println!("\n| count | value |\n| --- | ---: |");
    println!("| patients in clinical.csv | {} |", clinical_patients.len());
    println!("| patients in patients.csv | {} |", table_patients.len());
    println!(
        "| patients with an acceptable site on every day | {} |",
        measured_patients.len()
    );
    println!(
        "| patient-days without an acceptable site | {days_without_sites} of {} |",
        patients.len()
    );
    println!("| clips in manifest | {} |", manifest.len());
    println!("| clips scored (sites.csv) | {} |", sites.joined);
    println!("| clips failed (failures.csv) | {failures} |");
    println!("| clips acceptable (quality) | {} |", sites.acceptable);
    print_error_table(
        &format!("Site metrics, all {} scored sites vs truth", sites.joined),
        &SITE_METRICS,
        &sites.all,
    );
    print_error_table(
        &format!(
            "Site metrics, the {} acceptable sites vs truth",
            sites.acceptable
        ),
        &SITE_METRICS,
        &sites.acceptable_only,
    );
    print_error_table(
        "Patient-day metrics (patients.csv vs truth_patients.csv)",
        &PATIENT_METRICS,
        &patient_stats,
    );

    let ppv_mae = sites.all[0].mae();
    let mfi_mae = sites.all[2].mae();
    let mut acceptance = vec![
        (
            format!("mean abs PPV error over all sites ≤ {PPV_LIMIT_POINTS} points"),
            fmt(ppv_mae, 2),
            ppv_mae <= PPV_LIMIT_POINTS,
        ),
        (
            format!("mean abs MFI error over all sites ≤ {MFI_LIMIT}"),
            fmt(mfi_mae, 3),
            mfi_mae <= MFI_LIMIT,
        ),
        (
            "patients in = patients out (an acceptable site on every day)".to_string(),
            format!("{} of {}", measured_patients.len(), clinical_patients.len()),
            measured_patients == clinical_patients,
        ),
    ];

    let mut threshold_json = Vec::new();
    if let (Some(videos), Some(truth)) = (&args.videos, &args.truth) {
        let checks = compare_thresholds(videos, truth)?;
        println!(
            "\nGAM thresholds (max curvature), videos vs truth ({} / {})\n",
            videos.display(),
            truth.display()
        );
        println!("| outcome | video threshold | n (videos) | truth threshold | truth 95% bootstrap CI | n (truth) | inside |");
        println!("| --- | ---: | ---: | ---: | --- | ---: | --- |");
        for c in &checks {
            let ci = c
                .truth_ci
                .map_or("none".to_string(), |[lo, hi]| format!("[{lo:.3}, {hi:.3}]"));
            println!(
                "| {} | {} | {} | {} | {ci} | {} | {} |",
                c.outcome,
                c.video.map_or("none".into(), |x| fmt(x, 3)),
                c.video_n.map_or("–".into(), |n| n.to_string()),
                c.truth.map_or("none".into(), |x| fmt(x, 3)),
                c.truth_n.map_or("–".into(), |n| n.to_string()),
                c.verdict()
            );
            acceptance.push((
                format!(
                    "{} threshold from the videos inside the truth's CI",
                    c.outcome
                ),
                c.video.map_or("none".into(), |x| fmt(x, 3)),
                c.inside(),
            ));
            threshold_json.push(json!({
                "outcome": c.outcome, "video": c.video, "video_n": c.video_n,
                "truth": c.truth, "truth_ci": c.truth_ci, "truth_n": c.truth_n,
                "video_reportable": c.video_reportable, "inside": c.inside(),
            }));
        }
    }

    println!("\nAcceptance\n\n| item | value | pass |\n| --- | ---: | --- |");
    for (item, value, pass) in &acceptance {
        println!(
            "| {item} | {value} | {} |",
            if *pass { "yes" } else { "NO" }
        );
    }
    let passed = acceptance.iter().all(|(_, _, p)| *p);

    if let Some(out) = &args.all_sites_patients {
        write_all_sites_patients(&sites_path, out)?;
        println!(
            "\nwrote {} (every scored site averaged, quality ignored)",
            out.display()
        );
    }
    if let Some(out) = &args.json {
        let stats = |labels: &[(&str, &str)], s: &[ErrorStats]| -> Value {
            labels
                .iter()
                .zip(s)
                .map(|((column, _), s)| (column.to_string(), s.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let report = json!({
            "study": study,
            "batch": args.batch,
            "patients": {"clinical": clinical_patients.len(), "patients_csv": table_patients.len(),
                         "measured_every_day": measured_patients.len(),
                         "patient_days": patients.len(), "patient_days_without_sites": days_without_sites},
            "clips": {"manifest": manifest.len(), "scored": sites.joined, "failed": failures,
                      "acceptable": sites.acceptable, "truth_without_score": sites.unmatched_truth},
            "site_errors_all": stats(&SITE_METRICS, &sites.all),
            "site_errors_acceptable": stats(&SITE_METRICS, &sites.acceptable_only),
            "patient_errors": stats(&PATIENT_METRICS, &patient_stats),
            "thresholds": threshold_json,
            "acceptance": acceptance.iter().map(|(item, value, pass)| json!({"item": item, "value": value, "pass": pass})).collect::<Vec<_>>(),
            "passed": passed,
        });
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(out, text).map_err(|e| format!("{}: cannot write: {e}", out.display()))?;
    }
    Ok(passed || !args.check)
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::from(3),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(1)
        }
    }
}

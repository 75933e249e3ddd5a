//! The whole chain through the binary on a tiny synthetic study: `synth-study` →
//! `batch` → `analyze` (videos and truth). Checks that every output file exists, that no
//! patient, day or clip is lost or invented between the tables, and that no output holds NaN.
//!
//! Cohort: 18 patients × 2 sites × 2 days of 160×120, 3.5 s clips. Smaller does not work:
//! the GAM (k = 10, two covariates) needs at least 13 complete Day-1 rows, and the quality
//! grading wants at least 3 s of registered frames (Massey 2013), with some margin for frames
//! the stabilizer drops. Only the bootstrap is reduced (1000 → 200: at this size most resamples
//! hold too few distinct doses for the GAM, and the CI needs 20 that fit).

use crate::common::{bin, run_ok};

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const PATIENTS: usize = 18;
const SITES: usize = 2;
const BOOTSTRAP: u64 = 200;
const OUTCOMES: [&str; 3] = ["ppv_pct", "mfi", "hi"];
/// Site metrics every scored clip of this study must have (it always holds small vessels).
const SITE_METRICS: [&str; 4] = ["tvd_mm_per_mm2", "pvd_mm_per_mm2", "ppv_pct", "mfi"];

/// A CSV written by mcvideo (no quoted fields): header and rows of column → cell.
struct Csv {
    header: Vec<String>,
    rows: Vec<BTreeMap<String, String>>,
}

fn read_csv(path: &Path) -> Csv {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()));
    assert!(
        !text.contains('"'),
        "{}: unexpected quoted field",
        path.display()
    );
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_else(|| panic!("{} is empty", path.display()))
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(
                cells.len(),
                header.len(),
                "{}: ragged row {line}",
                path.display()
            );
            header
                .iter()
                .cloned()
                .zip(cells.into_iter().map(str::to_string))
                .collect()
        })
        .collect();
    Csv { header, rows }
}

fn num(row: &BTreeMap<String, String>, column: &str, what: &str) -> Option<f64> {
    let text = row
        .get(column)
        .unwrap_or_else(|| panic!("{what}: no column {column}"));
    if text.is_empty() {
        return None;
    }
    let v: f64 = text
        .parse()
        .unwrap_or_else(|_| panic!("{what}: {column} = {text:?} is not a number"));
    assert!(v.is_finite(), "{what}: {column} = {text}");
    Some(v)
}

fn key2(row: &BTreeMap<String, String>) -> (String, String) {
    (row["patient"].clone(), row["day"].clone())
}

fn key3(row: &BTreeMap<String, String>) -> (String, String, String) {
    (
        row["patient"].clone(),
        row["day"].clone(),
        row["site"].clone(),
    )
}

/// True when a Cox model of `analysis.json` has an unbounded hazard-ratio CI (serde_json
/// writes the infinite bound as null): complete separation, e.g. no event in one dose group.
fn has_unbounded_cox_ci(analysis: &Value) -> bool {
    let models = analysis["survival"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| [&s["cox_univariate"], &s["cox_adjusted"]]);
    models
        .flat_map(|m| m["terms"].as_array().into_iter().flatten())
        .any(|t| t["hr_ci"][1].is_null() && t["hr_ci"][0].is_number())
}

/// No NaN written as text anywhere under `dir` (CSV, JSON, TOML, SVG, HTML). Infinity only as
/// the upper hazard-ratio bound of a Cox model with separation (as R's coxph gives it), in the
/// Cox outputs of an analysis whose JSON shows that model.
fn assert_no_nan_text(dir: &Path) -> usize {
    let mut checked = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !["csv", "json", "toml", "svg", "html"].contains(&ext) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let tokens: BTreeSet<String> = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-'))
                .map(|t| t.trim_start_matches(['+', '-']).to_ascii_lowercase())
                .filter(|t| t == "nan" || t == "inf" || t == "infinity")
                .collect();
            assert!(!tokens.contains("nan"), "{} holds NaN", path.display());
            if !tokens.is_empty() {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let analysis = read_json(&d.join("analysis.json"));
                assert!(
                    ["cox.csv", "forest_cox.svg", "report.html"].contains(&name)
                        && has_unbounded_cox_ci(&analysis),
                    "{} holds {tokens:?}",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    checked
}

/// `value[path]` is a finite number (serde_json writes NaN as null, so null fails too).
fn finite(value: &Value, path: &[&str], what: &str) -> f64 {
    let v = path
        .iter()
        .fold(value, |v, key| match key.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => &v[*key],
        });
    v.as_f64()
        .filter(|x| x.is_finite())
        .unwrap_or_else(|| panic!("{what}: {} is {v}, not a finite number", path.join(".")))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Checks one `analysis.json` (and its folder) against the patients table it read.
/// `require_ci`: the bootstrap must give a CI. Returns the GAM threshold of each outcome.
fn check_analysis(
    dir: &Path,
    patients: &Csv,
    clinical: &Csv,
    require_ci: bool,
) -> BTreeMap<String, f64> {
    for file in [
        "analysis.json",
        "report.html",
        "baseline.csv",
        "correlations.csv",
        "regressions.csv",
        "thresholds.csv",
        "km.csv",
        "cox.csv",
    ] {
        assert!(
            dir.join(file).is_file(),
            "{} is missing",
            dir.join(file).display()
        );
    }
    for outcome in OUTCOMES {
        let svg = dir.join(format!("gam_{outcome}.svg"));
        assert!(svg.is_file(), "{} is missing", svg.display());
    }
    let what = dir.join("analysis.json").display().to_string();
    let a = read_json(&dir.join("analysis.json"));
    let day1 = |r: &&BTreeMap<String, String>| r["day"] == "1";
    let clinical_day1 = clinical.rows.iter().filter(day1).count();
    // Every clinical row is joined: patients in = patients out.
    assert_eq!(
        a["data"]["rows"].as_u64(),
        Some(clinical.rows.len() as u64),
        "{what}: data.rows"
    );
    assert_eq!(
        a["data"]["main_day_rows"].as_u64(),
        Some(clinical_day1 as u64),
        "{what}"
    );
    assert_eq!(
        a["data"]["patients"].as_u64(),
        Some(PATIENTS as u64),
        "{what}: data.patients"
    );
    let doses: Vec<f64> = clinical
        .rows
        .iter()
        .filter(day1)
        .map(|r| num(r, "ne_dose", "clinical.csv").unwrap())
        .collect();
    let (lo, hi) = doses
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &d| (a.min(d), b.max(d)));
    let thresholds = a["thresholds"].as_array().expect("thresholds array");
    let mut found = BTreeMap::new();
    for t in thresholds {
        let outcome = t["outcome"].as_str().expect("outcome name").to_string();
        // The GAM used exactly the Day-1 rows whose outcome patients.csv gives.
        let complete = patients
            .rows
            .iter()
            .filter(day1)
            .filter(|r| !r[&outcome].is_empty())
            .count();
        assert_eq!(
            t["n"].as_u64(),
            Some(complete as u64),
            "{what}: {outcome} n"
        );
        assert_eq!(
            t["n"].as_u64().unwrap() + t["dropped"].as_u64().unwrap(),
            clinical_day1 as u64,
            "{what}: {outcome} n + dropped"
        );
        let gam = &t["gam"];
        for field in [
            "edf",
            "p_smooth",
            "r2_adj",
            "dev_explained",
            "reml",
            "scale",
        ] {
            finite(gam, &[field], &what);
        }
        let x = finite(gam, &["threshold", "x"], &what);
        // The CI needs 20 resamples that fit; a resample of a small cohort often holds fewer
        // distinct doses than the basis needs (k = 10), and then there is no CI (null).
        let boot = &gam["threshold"];
        let fitted =
            boot["boot_resamples"].as_u64().unwrap() - boot["boot_failed"].as_u64().unwrap();
        if fitted >= 20 {
            let ci = [
                finite(gam, &["threshold", "ci", "0"], &what),
                finite(gam, &["threshold", "ci", "1"], &what),
            ];
            assert!(ci[0] <= ci[1], "{what}: {outcome} CI {ci:?}");
        } else {
            assert!(
                boot["ci"].is_null(),
                "{what}: {outcome} CI from {fitted} resamples"
            );
        }
        if require_ci {
            assert!(
                fitted >= 20,
                "{what}: {outcome}: only {fitted} bootstrap fits"
            );
        }
        assert!(
            (lo..=hi).contains(&x),
            "{what}: {outcome} threshold {x} outside the doses"
        );
        assert_eq!(
            gam["threshold"]["boot_resamples"].as_u64(),
            Some(BOOTSTRAP),
            "{what}"
        );
        let curve = gam["curve"].as_array().expect("GAM curve");
        assert!(!curve.is_empty(), "{what}: {outcome} empty curve");
        for point in curve {
            for field in ["x", "fit", "se"] {
                finite(point, &[field], &what);
            }
        }
        found.insert(outcome, x);
    }
    let names: BTreeSet<&str> = found.keys().map(String::as_str).collect();
    assert_eq!(names, OUTCOMES.into_iter().collect(), "{what}: outcomes");
    for r in a["correlations"]["results"]
        .as_array()
        .expect("correlations")
    {
        finite(r, &["r"], &what);
        finite(r, &["p"], &what);
    }
    assert!(
        !a["survival"].as_array().expect("survival").is_empty(),
        "{what}: no survival"
    );
    found
}

#[test]
fn tiny_study_runs_through_the_whole_chain() {
    let dir = tempfile::tempdir().unwrap();
    let study: PathBuf = dir.path().join("study");
    run_ok(
        bin()
            .args([
                "synth-study",
                "--patients",
                &PATIENTS.to_string(),
                "--seed",
                "7",
            ])
            .args(["--sites", &format!("{SITES}-{SITES}")])
            .args([
                "--width",
                "160",
                "--height",
                "120",
                "--duration",
                "3.5",
                "--out",
            ])
            .arg(&study),
    );
    for file in [
        "manifest.csv",
        "clinical.csv",
        "truth_sites.csv",
        "truth_patients.csv",
        "cohort.json",
        "study.toml",
        "study_truth.toml",
    ] {
        assert!(study.join(file).is_file(), "synth-study wrote no {file}");
    }
    for config in ["study.toml", "study_truth.toml"] {
        let path = study.join(config);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("bootstrap = 1000"),
            "{config}: no bootstrap line to reduce"
        );
        std::fs::write(
            &path,
            text.replace("bootstrap = 1000", &format!("bootstrap = {BOOTSTRAP}")),
        )
        .unwrap();
    }

    let batch = study.join("batch");
    run_ok(
        bin()
            .arg("batch")
            .arg(study.join("manifest.csv"))
            .arg("--out")
            .arg(&batch),
    );
    for file in ["sites.csv", "patients.csv", "failures.csv", "run.json"] {
        assert!(batch.join(file).is_file(), "batch wrote no {file}");
    }
    let analysis_videos = dir.path().join("analysis_videos");
    let analysis_truth = dir.path().join("analysis_truth");
    run_ok(
        bin()
            .arg("analyze")
            .arg("--config")
            .arg(study.join("study.toml"))
            .arg("--out")
            .arg(&analysis_videos),
    );
    run_ok(
        bin()
            .arg("analyze")
            .arg("--config")
            .arg(study.join("study_truth.toml"))
            .arg("--out")
            .arg(&analysis_truth),
    );

    // Patients and days: the clinical table, the manifest, the truth and the batch agree.
    let clinical = read_csv(&study.join("clinical.csv"));
    let manifest = read_csv(&study.join("manifest.csv"));
    let truth_sites = read_csv(&study.join("truth_sites.csv"));
    let truth_patients = read_csv(&study.join("truth_patients.csv"));
    let sites = read_csv(&batch.join("sites.csv"));
    let patients = read_csv(&batch.join("patients.csv"));
    let failures = read_csv(&batch.join("failures.csv"));
    let patient_ids: BTreeSet<String> =
        clinical.rows.iter().map(|r| r["patient"].clone()).collect();
    assert_eq!(patient_ids.len(), PATIENTS, "clinical.csv patients");
    let days: BTreeSet<(String, String)> = clinical.rows.iter().map(key2).collect();
    assert_eq!(
        days.len(),
        2 * PATIENTS,
        "clinical.csv: one row per patient and day"
    );
    assert_eq!(
        clinical.rows.len(),
        days.len(),
        "clinical.csv: duplicate patient-day"
    );
    assert_eq!(
        manifest.rows.iter().map(key2).collect::<BTreeSet<_>>(),
        days,
        "manifest days"
    );
    assert_eq!(manifest.rows.len(), 2 * PATIENTS * SITES, "manifest clips");
    assert!(
        failures.rows.is_empty(),
        "failed clips: {:?}",
        failures.rows
    );
    let clip_keys: BTreeSet<_> = manifest.rows.iter().map(key3).collect();
    assert_eq!(
        sites.rows.iter().map(key3).collect::<BTreeSet<_>>(),
        clip_keys,
        "sites.csv clips"
    );
    assert_eq!(
        truth_sites.rows.iter().map(key3).collect::<BTreeSet<_>>(),
        clip_keys
    );
    assert_eq!(
        sites.rows.len(),
        clip_keys.len(),
        "sites.csv: duplicate clip"
    );
    assert_eq!(
        patients.rows.iter().map(key2).collect::<BTreeSet<_>>(),
        days,
        "patients.csv days"
    );
    assert_eq!(
        truth_patients
            .rows
            .iter()
            .map(key2)
            .collect::<BTreeSet<_>>(),
        days
    );
    assert_eq!(
        patients.header, truth_patients.header,
        "patients.csv vs truth_patients.csv"
    );
    assert_eq!(
        sites.header, truth_sites.header,
        "sites.csv vs truth_sites.csv"
    );

    // Every clip has its score JSON and overlay; every site has its metrics.
    let clips_dir = batch.join("clips");
    for job in mcvideo_batch::read_manifest(&study.join("manifest.csv")).unwrap() {
        let score = clips_dir.join(format!("{}.score.json", job.id()));
        let json = read_json(&score);
        for metric in SITE_METRICS {
            finite(&json["metrics"], &[metric], &score.display().to_string());
        }
        assert!(
            clips_dir
                .join(format!("{}.overlay.png", job.id()))
                .is_file(),
            "{} overlay",
            job.id()
        );
    }
    let mut acceptable = 0;
    let mut by_day: BTreeMap<(String, String), Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for row in &sites.rows {
        for metric in SITE_METRICS {
            assert!(
                num(row, metric, "sites.csv").is_some(),
                "sites.csv {:?}: no {metric}",
                key3(row)
            );
        }
        acceptable += usize::from(row["quality_acceptable"] == "true");
        by_day.entry(key2(row)).or_default().push(row);
    }
    // Most clips pass the quality grading; a systematic rejection would empty patients.csv.
    assert!(
        2 * acceptable >= sites.rows.len(),
        "only {acceptable} of {} clips acceptable",
        sites.rows.len()
    );

    // patients.csv: the mean over the acceptable sites, counted right, empty without one.
    let mut measured_days = 0;
    for row in &patients.rows {
        let group = &by_day[&key2(row)];
        let good: Vec<_> = group
            .iter()
            .filter(|s| s["quality_acceptable"] == "true")
            .collect();
        let what = format!("patients.csv {:?}", key2(row));
        assert_eq!(
            num(row, "n_sites_total", &what),
            Some(group.len() as f64),
            "{what}"
        );
        assert_eq!(
            num(row, "n_sites", &what),
            Some(good.len() as f64),
            "{what}"
        );
        for metric in SITE_METRICS.iter().chain(&["hi"]) {
            let value = num(row, metric, &what);
            assert_eq!(
                value.is_some(),
                !good.is_empty(),
                "{what}: {metric} {value:?}"
            );
        }
        for metric in SITE_METRICS {
            if let Some(value) = num(row, metric, &what) {
                let mean = good
                    .iter()
                    .map(|s| num(s, metric, "sites.csv").unwrap())
                    .sum::<f64>()
                    / good.len() as f64;
                assert!(
                    (value - mean).abs() <= 1e-9 * mean.abs().max(1.0),
                    "{what}: {metric}"
                );
            }
        }
        measured_days += usize::from(!good.is_empty());
    }
    // The truth tables hold every patient-day.
    for row in &truth_patients.rows {
        for metric in SITE_METRICS.iter().chain(&["hi"]) {
            assert!(
                num(row, metric, "truth_patients.csv").is_some(),
                "truth {:?} {metric}",
                key2(row)
            );
        }
    }

    // analyze: every patient joined, the GAM on exactly the complete rows, no NaN.
    let from_videos = check_analysis(&analysis_videos, &patients, &clinical, false);
    let from_truth = check_analysis(&analysis_truth, &truth_patients, &clinical, true);
    let n_truth = read_json(&analysis_truth.join("analysis.json"))["thresholds"][0]["n"].as_u64();
    assert_eq!(
        n_truth,
        Some(PATIENTS as u64),
        "the truth has every patient"
    );

    let checked = assert_no_nan_text(dir.path());
    assert!(
        checked > 2 * PATIENTS * SITES * 2,
        "only {checked} text files checked"
    );
    eprintln!(
        "tiny study: {} clips, {acceptable} acceptable, {measured_days} of {} patient-days measured; \
         thresholds videos {from_videos:?}, truth {from_truth:?}",
        sites.rows.len(),
        days.len()
    );
}

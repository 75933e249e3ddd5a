//! Writing a synthetic study: clips with truth, manifest, clinical table, truth tables, planted thresholds.

use crate::cohort::{simulate_cohort, PatientDay, StudyParams};
use crate::StudyError;
use mcvideo_batch::atomic::write_atomic;
use mcvideo_batch::tables::{write_patients, write_sites, SiteRow};
use mcvideo_encode::VideoFormat;
use mcvideo_synth::{write_clip, SynthParams};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Where the study went.
#[derive(Debug, Clone)]
pub struct StudyOutput {
    pub manifest: PathBuf,
    pub clinical: PathBuf,
    pub truth_sites: PathBuf,
    pub truth_patients: PathBuf,
    pub clips: usize,
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> StudyError {
    StudyError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn csv_bytes(header: &[&str], rows: &[Vec<String>], path: &Path) -> Result<Vec<u8>, StudyError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(header)
        .map_err(|e| write_err(path, e))?;
    for row in rows {
        writer.write_record(row).map_err(|e| write_err(path, e))?;
    }
    writer.into_inner().map_err(|e| write_err(path, e))
}

fn clinical_rows(cohort: &[PatientDay]) -> Vec<Vec<String>> {
    cohort
        .iter()
        .map(|r| {
            vec![
                r.patient.clone(),
                r.day.clone(),
                r.ne_dose.to_string(),
                r.apache_ii.to_string(),
                r.heart_rate.to_string(),
                r.il6.to_string(),
                r.lactate.to_string(),
                r.died_28.to_string(),
                r.time_28.to_string(),
                r.died_90.to_string(),
                r.time_90.to_string(),
            ]
        })
        .collect()
}

/// The columns of `clinical.csv`.
pub const CLINICAL_COLUMNS: [&str; 11] = [
    "patient",
    "day",
    "ne_dose",
    "apache_ii",
    "heart_rate",
    "il6",
    "lactate",
    "died_28",
    "time_28",
    "died_90",
    "time_90",
];

/// Renders every clip and writes the study into `out`:
/// `clips/<patient>/<day>/<site>.avi` (+ `.truth.json`), `manifest.csv` for `mcvideo batch`,
/// `clinical.csv`, `truth_sites.csv` and `truth_patients.csv` (the metrics computed exactly
/// from the rendered truth, in the layout of the batch tables), `cohort.json` (the design and
/// planted thresholds). Clips render in parallel; the output does not depend on thread count.
pub fn write_study(
    params: &StudyParams,
    out: &Path,
    format: VideoFormat,
) -> Result<StudyOutput, StudyError> {
    let cohort = simulate_cohort(params)?;
    std::fs::create_dir_all(out).map_err(|e| write_err(out, e))?;
    let jobs: Vec<(&PatientDay, usize)> = cohort
        .iter()
        .flat_map(|pd| (0..pd.sites.len()).map(move |s| (pd, s)))
        .collect();
    let rendered: Vec<Result<(String, SiteRow), StudyError>> = jobs
        .par_iter()
        .map(|&(pd, s)| {
            let site = &pd.sites[s];
            let dir = out.join("clips").join(&pd.patient).join(&pd.day);
            let synth = SynthParams {
                width: params.width,
                height: params.height,
                fps: params.fps,
                duration_s: params.duration_s,
                um_per_px: site.um_per_px,
                seed: site.seed,
                flow_mix: site.flow_mix,
                ..SynthParams::default()
            };
            let written =
                write_clip(&synth, &dir, &site.site, format).map_err(|e| StudyError::Clip {
                    path: dir.join(&site.site),
                    message: e.to_string(),
                })?;
            let relative = written
                .clip_path
                .strip_prefix(out)
                .unwrap_or(&written.clip_path)
                .to_string_lossy()
                .replace('\\', "/");
            let row = SiteRow {
                patient: pd.patient.clone(),
                day: pd.day.clone(),
                site: site.site.clone(),
                path: relative.clone(),
                metrics: written
                    .truth
                    .metrics
                    .columns()
                    .into_iter()
                    .map(|(_, v)| v)
                    .collect(),
                quality_score: 0.0,
                acceptable: true,
            };
            Ok((relative, row))
        })
        .collect();
    let mut manifest_rows = Vec::new();
    let mut site_rows = Vec::new();
    for (result, &(pd, s)) in rendered.into_iter().zip(&jobs) {
        let (relative, row) = result?;
        manifest_rows.push(vec![
            relative,
            pd.patient.clone(),
            pd.day.clone(),
            pd.sites[s].site.clone(),
            pd.sites[s].um_per_px.to_string(),
        ]);
        site_rows.push(row);
    }
    let manifest = out.join("manifest.csv");
    let bytes = csv_bytes(
        &["path", "patient", "day", "site", "um_per_px"],
        &manifest_rows,
        &manifest,
    )?;
    write_atomic(&manifest, &bytes).map_err(|e| write_err(&manifest, e))?;
    let clinical = out.join("clinical.csv");
    let bytes = csv_bytes(&CLINICAL_COLUMNS, &clinical_rows(&cohort), &clinical)?;
    write_atomic(&clinical, &bytes).map_err(|e| write_err(&clinical, e))?;
    let truth_sites = out.join("truth_sites.csv");
    write_sites(&truth_sites, &site_rows).map_err(|e| write_err(&truth_sites, e))?;
    let truth_patients = out.join("truth_patients.csv");
    write_patients(&truth_patients, &site_rows).map_err(|e| write_err(&truth_patients, e))?;
    for (name, batch, what) in [
        (
            "study.toml",
            "batch/patients.csv",
            "from the videos (run `mcvideo batch manifest.csv --out batch` first)",
        ),
        (
            "study_truth.toml",
            "truth_patients.csv",
            "from the exact truth of every clip",
        ),
    ] {
        let path = out.join(name);
        let text = analyze_config(params, batch, what);
        write_atomic(&path, text.as_bytes()).map_err(|e| write_err(&path, e))?;
    }
    let design = out.join("cohort.json");
    let json = serde_json::to_vec_pretty(&serde_json::json!({
        "schema": "mcvideo.synth-study.v1",
        "params": params,
        "planted_thresholds": params.planted,
        "patient_days": cohort,
    }))
    .map_err(|e| write_err(&design, e))?;
    write_atomic(&design, &json).map_err(|e| write_err(&design, e))?;
    Ok(StudyOutput {
        manifest,
        clinical,
        truth_sites,
        truth_patients,
        clips: site_rows.len(),
    })
}

/// The `mcvideo analyze` config of the study, reading the per-patient metrics from `batch`.
pub fn analyze_config(params: &StudyParams, batch: &str, what: &str) -> String {
    format!(
        r#"# mcvideo analyze config of a synthetic study (mcvideo synth-study, seed {seed}, {patients} patients):
# the microcirculation metrics come {what}.
# Planted thresholds (µg/kg/min): PPV {ppv}, MFI {mfi}, HI {hi}.
# With few patients, `analyze` lowers k and the RCS knots (with a note) and skips what cannot be fitted.
title = "Synthetic study, seed {seed}: norepinephrine dose and sublingual microcirculation"
dose = "ne_dose"
outcomes = ["ppv_pct", "mfi", "hi"]
secondary = ["tvd_mm_per_mm2", "pvd_mm_per_mm2", "lactate"]
covariates = ["apache_ii", "heart_rate"]

[labels]
ne_dose = "NE dose (µg/kg/min)"
ppv_pct = "PPV (%)"
mfi = "MFI"
hi = "HI"
tvd_mm_per_mm2 = "TVD (mm/mm²)"
pvd_mm_per_mm2 = "PVD (mm/mm²)"
lactate = "Lactate (mmol/L)"
apache_ii = "APACHE II"
heart_rate = "Heart rate (bpm)"
il6 = "IL-6 (pg/mL)"
died_28 = "28-day mortality"
died_90 = "90-day mortality"

[data]
clinical = "clinical.csv"
batch = "{batch}"
patient_column = "patient"
day_column = "day"
main_day = 1

[baseline]
cutoff = 0.5
variables = ["ne_dose", "apache_ii", "heart_rate", "il6", "lactate", "ppv_pct", "mfi", "hi", "died_28", "died_90"]

[correlation]
kind = "spearman"

[threshold]
basis = "tp"
k = 10
rcs_knots = 4
bootstrap = 1000
seed = 2026
primary = "mfi"

[survival]
horizons = [
  {{ label = "28-day", time = "time_28", event = "died_28" }},
  {{ label = "90-day", time = "time_90", event = "died_90" }},
]
cutoffs = [0.5, "threshold"]
ties = "efron"
times = [28, 90]

[change]
day_from = 1
day_to = 3
variables = ["ppv_pct", "mfi", "hi", "lactate"]
"#,
        seed = params.seed,
        patients = params.patients,
        ppv = params.planted.ppv,
        mfi = params.planted.mfi,
        hi = params.planted.hi,
    )
}

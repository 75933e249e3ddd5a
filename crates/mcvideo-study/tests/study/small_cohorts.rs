//! Small and degenerate cohorts: the analyses adapt (smaller k, fewer knots) or are skipped with
//! their reason shown where the table would be, everything else is written, and degenerate fits
//! (interpolating broken line, separation in Cox) are flagged in the JSON, the CSV and the report.

use rand::{Rng, SeedableRng};
use std::path::Path;

/// A cohort of `n` patients with dose, outcomes, covariates and 28/90-day survival.
/// `exact` makes mfi an exact broken line of the dose; `separate` puts every death in the
/// high-dose group.
fn write_cohort(dir: &Path, n: usize, exact: bool, separate: bool) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut csv =
        String::from("patient,ne_dose,mfi,ppv,apache,hr,lactate,time28,death28,time90,death90\n");
    for i in 0..n {
        let dose = ((0.05 + 1.5 * (i as f64 + 0.5) / n as f64 + 0.01 * rng.r#gen::<f64>()) * 1e4)
            .round()
            / 1e4;
        let noise = if exact {
            0.0
        } else {
            0.1 * (rng.r#gen::<f64>() - 0.5)
        };
        let mfi = 2.9 - 1.5 * (dose - 0.8).max(0.0) + noise;
        let ppv = 90.0 - 30.0 * (dose - 0.7).max(0.0) + 5.0 * rng.r#gen::<f64>();
        let apache = 15.0 + (10.0 * rng.r#gen::<f64>()).round();
        let hr = 90.0 + (20.0 * rng.r#gen::<f64>()).round();
        let lactate = 1.5 + dose + rng.r#gen::<f64>();
        let death = if separate {
            dose > 0.5 && i % 2 == 0
        } else {
            rng.r#gen::<f64>() < 0.3 + 0.3 * dose
        };
        let t28 = if death { 3.0 + (i % 20) as f64 } else { 28.0 };
        let (t90, d90) = if death {
            (t28, 1)
        } else if i % 5 == 0 {
            (60.0, 1)
        } else {
            (90.0, 0)
        };
        let d90 = if separate && dose <= 0.5 { 0 } else { d90 };
        let t90 = if separate && dose <= 0.5 { 90.0 } else { t90 };
        csv.push_str(&format!(
            "P{i:02},{dose},{mfi},{ppv:.3},{apache},{hr},{lactate:.3},{t28},{},{t90},{d90}\n",
            u8::from(death)
        ));
    }
    std::fs::write(dir.join("cohort.csv"), csv).unwrap();
    std::fs::write(
        dir.join("study.toml"),
        r#"
dose = "ne_dose"
outcomes = ["mfi", "ppv"]
secondary = ["lactate"]
covariates = ["apache", "hr"]
[labels]
ne_dose = "NE dose (ug/kg/min)"
[data]
clinical = "cohort.csv"
[baseline]
cutoff = 0.5
variables = ["ne_dose", "apache", "mfi", "death28"]
[threshold]
k = 10
bootstrap = 50
[survival]
horizons = [{ label = "28-day", time = "time28", event = "death28" },
            { label = "90-day", time = "time90", event = "death90" }]
cutoffs = [0.5, "threshold"]
"#,
    )
    .unwrap();
}

#[test]
fn twelve_patients_adapt_k_and_write_everything() {
    let dir = tempfile::tempdir().unwrap();
    write_cohort(dir.path(), 12, false, false);
    let out = dir.path().join("out");
    let s = mcvideo_study::run(&dir.path().join("study.toml"), &out).unwrap();
    let a = &s.analysis;
    // 12 rows, 2 covariates: k = 12 - 1 - 2 - 2 = 7 at most.
    let mfi = a.thresholds.iter().find(|t| t.outcome == "mfi").unwrap();
    assert!(mfi.gam.is_some());
    assert!(mfi.k_used <= 7 && mfi.k_used >= 3, "k {}", mfi.k_used);
    assert!(
        a.notes
            .iter()
            .any(|n| n.action == "adapted" && n.reason.contains("k reduced from 10")),
        "{:?}",
        a.notes
    );
    for f in [
        "report.html",
        "baseline.csv",
        "km.csv",
        "cox.csv",
        "analysis_data.csv",
        "flow.svg",
        "notes.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing: {:?}", s.files);
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Table 1. Baseline characteristics"));
    assert!(html.contains("k reduced from 10"));
    // Units are typeset from the config's label.
    // (The config as read, in the Reproducibility section, keeps the raw text.)
    let body = &html[..html.find(">Reproducibility</h2>").unwrap()];
    assert!(body.contains("NE dose (µg/kg/min)") && !body.contains("ug/kg/min"));
    let notes = std::fs::read_to_string(out.join("notes.csv")).unwrap();
    assert!(notes.contains("adapted"));
}

#[test]
fn five_patients_skip_the_gam_with_its_reason_and_still_write_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write_cohort(dir.path(), 5, false, false);
    let out = dir.path().join("out");
    let s = mcvideo_study::run(&dir.path().join("study.toml"), &out).unwrap();
    let mfi = s
        .analysis
        .thresholds
        .iter()
        .find(|t| t.outcome == "mfi")
        .unwrap();
    assert!(mfi.gam.is_none());
    let reason = mfi.gam_error.clone().unwrap();
    assert!(reason.contains("cannot support a smooth"), "{reason}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("GAM of mfi skipped: "),
        "the reason stands where the figure would be"
    );
    assert!(html.contains("not fitted: "));
    // No GAM threshold, so the "threshold" cutoff is skipped with its reason; 0.5 still runs.
    assert!(s
        .analysis
        .notes
        .iter()
        .any(|n| n.analysis.contains("threshold") && n.action == "skipped"));
    assert!(out.join("km.csv").is_file() && out.join("report.html").is_file());
    assert!(!s.files.iter().any(|f| f == "gam_mfi.svg"));
}

#[test]
fn an_interpolating_broken_line_is_flagged_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_cohort(dir.path(), 40, true, false);
    // Without covariates the broken line fits mfi exactly (R² = 1).
    let cfg = std::fs::read_to_string(dir.path().join("study.toml"))
        .unwrap()
        .replace("covariates = [\"apache\", \"hr\"]", "covariates = []");
    std::fs::write(dir.path().join("study.toml"), cfg).unwrap();
    let out = dir.path().join("out");
    let s = mcvideo_study::run(&dir.path().join("study.toml"), &out).unwrap();
    let mfi = s
        .analysis
        .thresholds
        .iter()
        .find(|t| t.outcome == "mfi")
        .unwrap();
    let codes: Vec<&str> = mfi
        .flags
        .iter()
        .filter(|f| f.model == "segmented")
        .map(|f| f.code)
        .collect();
    assert!(codes.contains(&"zero_residual_variance"), "{:?}", mfi.flags);
    let csv = std::fs::read_to_string(out.join("thresholds.csv")).unwrap();
    assert!(csv.contains("segmented:zero_residual_variance"), "{csv}");
    let json = std::fs::read_to_string(out.join("analysis.json")).unwrap();
    assert!(json.contains("\"zero_residual_variance\""));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("flagged (zero_residual_variance"),
        "the breakpoint is shown as flagged"
    );
    assert!(html.contains("Degenerate fits (flagged: not findings)"));
}

#[test]
fn cox_separation_is_not_estimable_with_no_number_and_no_forest_point() {
    let dir = tempfile::tempdir().unwrap();
    write_cohort(dir.path(), 30, false, true);
    let out = dir.path().join("out");
    let s = mcvideo_study::run(&dir.path().join("study.toml"), &out).unwrap();
    let surv = s
        .analysis
        .survival
        .iter()
        .find(|r| r.horizon == "28-day" && r.cutoff == 0.5)
        .unwrap();
    assert!(
        surv.flags.iter().any(|f| f.code == "separation"),
        "{:?}",
        surv.flags
    );
    let cox = std::fs::read_to_string(out.join("cox.csv")).unwrap();
    let row = cox
        .lines()
        .find(|l| l.starts_with("28-day,0.5,univariate"))
        .unwrap();
    assert!(
        row.contains(",NA,NA,NA,NA,") && row.contains(",false,"),
        "{row}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("not estimable (separation)"));
    let forest = std::fs::read_to_string(out.join("forest_cox.svg")).unwrap();
    assert!(forest.contains("not estimable"));
    // No proportional-hazards test on a model with an infinite coefficient.
    assert!(surv.ph_test.is_none());
    assert!(surv
        .ph_test_error
        .as_deref()
        .unwrap_or("")
        .contains("separation"));
}

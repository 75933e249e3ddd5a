//! Bad configs and bad data give errors that name the key, the column and the file.

use std::path::{Path, PathBuf};

const GOOD: &str = r#"
dose = "ne_dose"
outcomes = ["mfi"]
covariates = ["apache2"]
[data]
clinical = "cohort.csv"
[baseline]
cutoff = 0.5
variables = ["mfi"]
[threshold]
bootstrap = 10
[survival]
horizons = [{ label = "28-day", time = "time28", event = "death28" }]
cutoffs = [0.5, "threshold"]
"#;

fn cohort() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/reference/cohort_a.csv")
}

/// Writes the config text and a copy of cohort A into a temp dir; runs the study; returns the error text.
fn run_err(config: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(cohort(), dir.path().join("cohort.csv")).unwrap();
    let path = dir.path().join("study.toml");
    std::fs::write(&path, config).unwrap();
    match mcvideo_study::run(&path, &dir.path().join("out")) {
        Ok(_) => panic!("expected an error for config:\n{config}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_good_config_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(cohort(), dir.path().join("cohort.csv")).unwrap();
    let path = dir.path().join("study.toml");
    std::fs::write(&path, GOOD).unwrap();
    let s = mcvideo_study::run(&path, &dir.path().join("out")).unwrap();
    assert!(s.files.contains(&"report.html".to_string()));
    assert!(s.analysis.change.is_none());
}

#[test]
fn misspelt_key_is_named() {
    let err = run_err(&GOOD.replace("covariates =", "covariate ="));
    assert!(err.contains("unknown field `covariate`"), "{err}");
    assert!(err.contains("study.toml"), "{err}");
    let err = run_err(&GOOD.replace("cutoff = 0.5", "cut_off = 0.5"));
    assert!(err.contains("cut_off"), "{err}");
}

#[test]
fn missing_key_is_named() {
    let err = run_err(&GOOD.replace("dose = \"ne_dose\"", ""));
    assert!(err.contains("missing field `dose`"), "{err}");
}

#[test]
fn wrong_type_and_bad_values_are_named() {
    let err = run_err(&GOOD.replace("cutoff = 0.5", "cutoff = \"half\""));
    assert!(err.contains("cutoff"), "{err}");
    let err = run_err(&GOOD.replace(
        "cutoffs = [0.5, \"threshold\"]",
        "cutoffs = [0.5, \"treshold\"]",
    ));
    assert!(
        err.contains("threshold") && err.contains("cutoffs"),
        "{err}"
    );
    let err = run_err(&GOOD.replace("bootstrap = 10", "bootstrap = 10\nbasis = \"ps\""));
    assert!(err.contains("`threshold.basis`"), "{err}");
}

#[test]
fn missing_column_is_named_with_key_and_file() {
    let err = run_err(&GOOD.replace("covariates = [\"apache2\"]", "covariates = [\"apache_ii\"]"));
    assert!(err.contains("column `apache_ii`"), "{err}");
    assert!(err.contains("`covariates`"), "{err}");
    assert!(err.contains("cohort.csv"), "{err}");
    let err = run_err(&GOOD.replace("time = \"time28\"", "time = \"days28\""));
    assert!(
        err.contains("column `days28`") && err.contains("survival.horizons.time"),
        "{err}"
    );
}

#[test]
fn missing_file_is_named() {
    let err = run_err(&GOOD.replace("clinical = \"cohort.csv\"", "clinical = \"nope.csv\""));
    assert!(err.contains("nope.csv"), "{err}");
}

#[test]
fn change_without_second_day_is_skipped_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(cohort(), dir.path().join("cohort.csv")).unwrap();
    let config = dir.path().join("study.toml");
    std::fs::write(
        &config,
        format!("{GOOD}\n[change]\nday_from = 1\nday_to = 3\n"),
    )
    .unwrap();
    let s = mcvideo_study::run(&config, &dir.path().join("out")).unwrap();
    assert!(s.analysis.change.is_none());
    let note = s
        .analysis
        .notes
        .iter()
        .find(|n| n.analysis.starts_with("change"))
        .unwrap();
    assert_eq!(note.action, "skipped");
    assert!(note.reason.contains("day 3"), "{}", note.reason);
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("change day 1 to day 3 skipped: "));
}

//! Agreement with R (survival 3.5-3): the answers in fixtures/reference (copied from the shared
//! reference set) must be met to 1e-6 relative.

use mcvideo_survival::{cox, km_by_cutoff, km_groups, KmAnalysis, Ties};

use crate::common::{columns, reference};
use serde_json::Value;

const TOL: f64 = 1e-6;

/// Relative error, absolute below 1e-12 (for exact zeros).
fn rel(ours: f64, r: f64) -> f64 {
    (ours - r).abs() / r.abs().max(1e-12)
}

/// Compares every number of `r` with the same field of `ours`: the largest relative error and where.
fn max_rel_error(ours: &Value, r: &Value, path: &str) -> (f64, String) {
    match (ours, r) {
        (Value::Object(o), Value::Object(rr)) => rr
            .iter()
            .map(|(k, v)| {
                let mine = o
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} missing from our output"));
                max_rel_error(mine, v, &format!("{path}.{k}"))
            })
            .fold((0.0, String::new()), worst),
        (Value::Array(o), Value::Array(rr)) => {
            assert_eq!(o.len(), rr.len(), "{path}: length");
            o.iter()
                .zip(rr)
                .enumerate()
                .map(|(i, (a, b))| max_rel_error(a, b, &format!("{path}[{i}]")))
                .fold((0.0, String::new()), worst)
        }
        (Value::Number(a), Value::Number(b)) => {
            let e = rel(a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(e < TOL, "{path}: ours {a}, R {b} (relative error {e:e})");
            (e, path.to_string())
        }
        (a, b) => {
            assert_eq!(a, b, "{path}");
            (0.0, path.to_string())
        }
    }
}

fn worst(a: (f64, String), b: (f64, String)) -> (f64, String) {
    if b.0 > a.0 {
        b
    } else {
        a
    }
}

fn events(col: &[f64]) -> Vec<bool> {
    col.iter().map(|&e| e == 1.0).collect()
}

fn check_cox(file: &str, data: &str, time: &str, event: &str, covs: &[&str], ties: Ties) {
    let mut names = vec![time, event];
    names.extend_from_slice(covs);
    let cols = columns(data, &names);
    let covariates: Vec<(&str, &[f64])> = covs
        .iter()
        .zip(&cols[2..])
        .map(|(n, c)| (*n, c.as_slice()))
        .collect();
    let fit = cox(&cols[0], &events(&cols[1]), &covariates, ties).unwrap();
    assert!(
        fit.converged && fit.warnings.is_empty(),
        "{:?}",
        fit.warnings
    );
    let mut ours = serde_json::to_value(&fit).unwrap();
    ours["method"] = "cox".into();
    let err = max_rel_error(&ours, &reference(file), file);
    println!(
        "{file}: max relative error {:e} at {} ({} iterations)",
        err.0, err.1, fit.iterations
    );
}

fn km_json(km: &KmAnalysis) -> Value {
    let mut v = serde_json::to_value(km).unwrap();
    v["method"] = "km".into();
    v
}

#[test]
fn lung_cox_efron_matches_r() {
    check_cox(
        "lung_cox.json",
        "lung.csv",
        "time",
        "event",
        &["age", "sex", "ph_ecog"],
        Ties::Efron,
    );
}

#[test]
fn lung_cox_breslow_matches_r() {
    check_cox(
        "lung_cox_breslow.json",
        "lung.csv",
        "time",
        "event",
        &["age", "sex", "ph_ecog"],
        Ties::Breslow,
    );
}

#[test]
fn cohort_cox28_matches_r() {
    check_cox(
        "cohort_a_cox28.json",
        "cohort_a.csv",
        "time28",
        "death28",
        &["ne_gt_080", "apache2", "heart_rate", "log_il6"],
        Ties::Efron,
    );
}

#[test]
fn lung_km_matches_r() {
    let cols = columns("lung.csv", &["time", "event", "sex"]);
    let sex: Vec<String> = cols[2].iter().map(|s| s.to_string()).collect();
    let km = km_groups(&cols[0], &events(&cols[1]), &sex).unwrap();
    let err = max_rel_error(&km_json(&km), &reference("lung_km.json"), "lung_km");
    println!("lung_km.json: max relative error {:e} at {}", err.0, err.1);
}

#[test]
fn cohort_km28_matches_r() {
    let cols = columns(
        "cohort_a.csv",
        &["time28", "death28", "ne_gt_080", "ne_dose"],
    );
    let group: Vec<String> = cols[2].iter().map(|s| s.to_string()).collect();
    let km = km_groups(&cols[0], &events(&cols[1]), &group).unwrap();
    let err = max_rel_error(
        &km_json(&km),
        &reference("cohort_a_km28.json"),
        "cohort_a_km28",
    );
    println!(
        "cohort_a_km28.json: max relative error {:e} at {}",
        err.0, err.1
    );
    // The same split made from the dose column: same curves under readable labels.
    let by_cut = km_by_cutoff(&cols[0], &events(&cols[1]), &cols[3], 0.8, "ne_dose").unwrap();
    assert_eq!(by_cut.groups[1].group, "ne_dose > 0.8");
    for (a, b) in by_cut.groups.iter().zip(&km.groups) {
        assert_eq!(a.steps, b.steps);
        assert_eq!(a.median, b.median);
    }
    assert_eq!(
        by_cut.logrank.as_ref().map(|t| t.chi2),
        km.logrank.as_ref().map(|t| t.chi2)
    );
}

#[test]
fn extras_match_r() {
    // quantile(survfit(Surv(time, event) ~ sex, lung), 0.5): lower 212 348, upper 310 550.
    let cols = columns("lung.csv", &["time", "event", "sex"]);
    let sex: Vec<String> = cols[2].iter().map(|s| s.to_string()).collect();
    let km = km_groups(&cols[0], &events(&cols[1]), &sex).unwrap();
    assert_eq!(km.groups[0].median_ci, [Some(212.0), Some(310.0)]);
    assert_eq!(km.groups[1].median_ci, [Some(348.0), Some(550.0)]);
    // The same for cohort_a by ne_gt_080: lower 23.527 and 8.901, upper NA and NA.
    let cols = columns("cohort_a.csv", &["time28", "death28", "ne_gt_080"]);
    let group: Vec<String> = cols[2].iter().map(|s| s.to_string()).collect();
    let km = km_groups(&cols[0], &events(&cols[1]), &group).unwrap();
    assert_eq!(km.groups[0].median_ci, [Some(23.527), None]);
    assert_eq!(km.groups[1].median_ci, [Some(8.901), None]);
    // coxph(Surv(time, event) ~ age + sex + ph_ecog, lung): score 30.4999227049491, Wald 29.9292512092047.
    let cols = columns("lung.csv", &["time", "event", "age", "sex", "ph_ecog"]);
    let covs = [
        ("age", &cols[2][..]),
        ("sex", &cols[3][..]),
        ("ph_ecog", &cols[4][..]),
    ];
    let fit = cox(&cols[0], &events(&cols[1]), &covs, Ties::Efron).unwrap();
    assert!(rel(fit.score_test.chi2, 30.4999227049491) < 1e-12);
    assert!(rel(fit.wald_test.chi2, 29.9292512092047) < 1e-10);
}

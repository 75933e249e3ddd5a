//! Acceptance: `correlate` and `regress` agree with R's answers on cohort_a (1e-6 relative).

use crate::common::{assert_close, fixture, json, num};
use mcvideo_stats::correlate::{correlate, CorrelationKind};
use mcvideo_stats::data::Table;
use mcvideo_stats::regress::regress;

#[test]
fn spearman_correlations_match_r() {
    let table = Table::from_path(&fixture("reference/cohort_a.csv")).unwrap();
    let reference = json("reference/cohort_a_correlate.json");
    let rows = reference["results"].as_array().unwrap();
    let ys: Vec<&str> = rows.iter().map(|r| r["y"].as_str().unwrap()).collect();
    let result = correlate(&table, "ne_dose", &ys, CorrelationKind::Spearman).unwrap();
    assert_eq!(result.n as u64, reference["n"].as_u64().unwrap());
    let mut worst: f64 = 0.0;
    for (ours, r) in result.results.iter().zip(rows) {
        assert_eq!(ours.y, r["y"].as_str().unwrap());
        assert_eq!(ours.n as u64, r["n"].as_u64().unwrap());
        for (field, value) in [("r", ours.r), ("p", ours.p), ("p_fdr", ours.p_fdr)] {
            worst = worst.max(assert_close(
                &format!("{} {field}", ours.y),
                value,
                num(&r[field]),
                1e-6,
            ));
        }
    }
    eprintln!("correlate: max relative error vs R {worst:e}");
}

#[test]
fn linear_regression_matches_r() {
    let table = Table::from_path(&fixture("reference/cohort_a.csv")).unwrap();
    let reference = json("reference/cohort_a_regress_mfi.json");
    let fit = regress(
        &table,
        "mfi",
        &["ne_dose", "apache2", "heart_rate", "log_il6"],
    )
    .unwrap();
    assert_eq!(fit.n as u64, reference["n"].as_u64().unwrap());
    assert_eq!(fit.dropped, 0);
    let mut worst: f64 = 0.0;
    worst = worst.max(assert_close("r2", fit.r2, num(&reference["r2"]), 1e-6));
    worst = worst.max(assert_close(
        "r2_adj",
        fit.r2_adj,
        num(&reference["r2_adj"]),
        1e-6,
    ));
    let terms = reference["terms"].as_array().unwrap();
    assert_eq!(fit.terms.len(), terms.len());
    for (ours, r) in fit.terms.iter().zip(terms) {
        assert_eq!(ours.name, r["name"].as_str().unwrap());
        for (field, value) in [
            ("coef", ours.coef),
            ("se", ours.se),
            ("t", ours.t),
            ("p", ours.p),
        ] {
            worst = worst.max(assert_close(
                &format!("{} {field}", ours.name),
                value,
                num(&r[field]),
                1e-6,
            ));
        }
        for k in 0..2 {
            worst = worst.max(assert_close(
                &format!("{} ci[{k}]", ours.name),
                ours.ci[k],
                num(&r["ci"][k]),
                1e-6,
            ));
        }
    }
    eprintln!("regress: max relative error vs R {worst:e}");
}

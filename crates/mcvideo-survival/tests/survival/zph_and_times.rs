//! The survival numbers of the study report against R (answers made by
//! tools/r-reference/survival_extra.R): cox.zph on the lung and cohort A models, and survival at
//! chosen times and the median with its CI, on lung by sex and cohort A by dose group.

use mcvideo_survival::{cox, cox_zph, km_groups, survival_at_times, Ties};

use crate::common::{columns, reference};

fn lung(names: &[&str]) -> Vec<Vec<f64>> {
    columns("lung.csv", names)
}

fn close(ours: f64, expected: f64, what: &str) {
    let rel = (ours - expected).abs() / expected.abs().max(1e-12);
    assert!(
        rel < 1e-6,
        "{what}: ours {ours}, expected {expected} (rel {rel:e})"
    );
}

/// Checks `cox.zph` of the Efron fit of `covariates` against R's answer in `answer`.
fn check_zph(data: &str, time: &str, event: &str, covariates: &[&str], answer: &str) {
    let mut names = vec![time, event];
    names.extend_from_slice(covariates);
    let cols = columns(data, &names);
    let event: Vec<bool> = cols[1].iter().map(|&e| e == 1.0).collect();
    let covs: Vec<(&str, &[f64])> = covariates
        .iter()
        .zip(&cols[2..])
        .map(|(n, c)| (*n, c.as_slice()))
        .collect();
    let fit = cox(&cols[0], &event, &covs, Ties::Efron).unwrap();
    let zph = cox_zph(&cols[0], &event, &covs, &fit).unwrap();
    let r = reference(answer);
    let terms = r["terms"].as_array().unwrap();
    assert_eq!(zph.terms.len(), terms.len());
    for (ours, theirs) in zph.terms.iter().zip(terms) {
        assert_eq!(ours.term, theirs["term"].as_str().unwrap());
        close(ours.chi2, theirs["chi2"].as_f64().unwrap(), &ours.term);
        close(ours.p, theirs["p"].as_f64().unwrap(), &ours.term);
    }
    close(
        zph.global.chi2,
        r["global"]["chi2"].as_f64().unwrap(),
        "global",
    );
    close(zph.global.p, r["global"]["p"].as_f64().unwrap(), "global p");
    assert_eq!(zph.global.df, covariates.len());
    let times: Vec<f64> = r["time"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(zph.time, times);
    for (ours, theirs) in zph.x.iter().zip(r["x"].as_array().unwrap()) {
        close(*ours, theirs.as_f64().unwrap(), "x");
    }
    let deaths = zph.time.len();
    for j in 0..covariates.len() {
        for k in 0..5 {
            close(
                zph.residuals[j][k],
                r["residuals_first5"][j][k].as_f64().unwrap(),
                "first residuals",
            );
            close(
                zph.residuals[j][deaths - 5 + k],
                r["residuals_last5"][j][k].as_f64().unwrap(),
                "last residuals",
            );
        }
    }
}

#[test]
fn cox_zph_matches_r_on_lung() {
    check_zph(
        "lung.csv",
        "time",
        "event",
        &["age", "sex", "ph_ecog"],
        "lung_cox_zph.json",
    );
}

#[test]
fn cox_zph_matches_r_on_cohort_a() {
    check_zph(
        "cohort_a.csv",
        "time28",
        "death28",
        &["ne_gt_080", "apache2", "heart_rate", "log_il6"],
        "cohort_a_cox28_zph.json",
    );
}

#[test]
fn breslow_zph_is_a_different_number_and_global_equals_term_with_one_covariate() {
    let cols = lung(&["time", "event", "sex"]);
    let event: Vec<bool> = cols[1].iter().map(|&e| e == 1.0).collect();
    let covs = [("sex", cols[2].as_slice())];
    let efron = cox(&cols[0], &event, &covs, Ties::Efron).unwrap();
    let breslow = cox(&cols[0], &event, &covs, Ties::Breslow).unwrap();
    let ze = cox_zph(&cols[0], &event, &covs, &efron).unwrap();
    let zb = cox_zph(&cols[0], &event, &covs, &breslow).unwrap();
    assert!((ze.global.chi2 - ze.terms[0].chi2).abs() < 1e-10);
    assert!((ze.terms[0].chi2 - zb.terms[0].chi2).abs() > 1e-6);
}

/// Checks medians, their CIs and survival at R's times for `time`/`event` grouped by `group`
/// against one entry of R's km_summary.json.
fn check_km_summary(data: &str, time: &str, event: &str, group: &str, entry: &str) {
    let cols = columns(data, &[time, event, group]);
    let event: Vec<bool> = cols[1].iter().map(|&e| e == 1.0).collect();
    let group: Vec<String> = cols[2].iter().map(|s| format!("{s}")).collect();
    let km = km_groups(&cols[0], &event, &group).unwrap();
    let r = &reference("km_summary.json")[entry];
    let groups = r.as_array().unwrap();
    assert_eq!(km.groups.len(), groups.len(), "{entry}: groups");
    let optional = |v: &serde_json::Value| v.as_f64();
    for (curve, rg) in km.groups.iter().zip(groups) {
        assert_eq!(curve.group, rg["group"].as_str().unwrap(), "{entry}");
        assert_eq!(curve.n as f64, rg["n"].as_f64().unwrap());
        assert_eq!(curve.events as f64, rg["events"].as_f64().unwrap());
        assert_eq!(curve.median, optional(&rg["median"]), "{entry} median");
        assert_eq!(
            curve.median_ci,
            [optional(&rg["median_lower"]), optional(&rg["median_upper"])],
            "{entry} median CI"
        );
        for at in rg["at"].as_array().unwrap() {
            let t = at["time"].as_f64().unwrap();
            let ours = survival_at_times(curve, &[t])[0].clone().unwrap();
            assert_eq!(
                ours.n_risk as f64,
                at["n_risk"].as_f64().unwrap(),
                "n at risk"
            );
            close(ours.survival, at["survival"].as_f64().unwrap(), "survival");
            close(ours.se.unwrap(), at["se"].as_f64().unwrap(), "se");
            close(ours.ci[0].unwrap(), at["lower"].as_f64().unwrap(), "lower");
            close(ours.ci[1].unwrap(), at["upper"].as_f64().unwrap(), "upper");
        }
    }
}

#[test]
fn survival_at_times_and_median_ci_match_r_on_lung() {
    check_km_summary("lung.csv", "time", "event", "sex", "lung_by_sex");
}

#[test]
fn survival_at_days_28_and_90_and_median_ci_match_r_on_cohort_a() {
    check_km_summary(
        "cohort_a.csv",
        "time28",
        "death28",
        "ne_gt_080",
        "cohort_a_28_by_ne_gt_080",
    );
    check_km_summary(
        "cohort_a.csv",
        "time90",
        "death90",
        "ne_gt_080",
        "cohort_a_90_by_ne_gt_080",
    );
}

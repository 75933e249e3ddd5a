//! The new survival numbers on the reference data: cox.zph on the lung model (against the
//! independent evaluation in fixtures/reference/lung_cox_zph.json, made by tools/zph_reference.py
//! from R's coefficients), and survival at chosen times and the median with its CI (against R's
//! survfit output in fixtures/reference/lung_km.json and R's printed medians).

use mcvideo_survival::{cox, cox_zph, km_groups, survival_at_times, Ties};
mod common;

use common::{columns, reference};

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

#[test]
fn cox_zph_matches_the_reference_on_lung() {
    let cols = lung(&["time", "event", "age", "sex", "ph_ecog"]);
    let event: Vec<bool> = cols[1].iter().map(|&e| e == 1.0).collect();
    let covs = [
        ("age", cols[2].as_slice()),
        ("sex", cols[3].as_slice()),
        ("ph_ecog", cols[4].as_slice()),
    ];
    let fit = cox(&cols[0], &event, &covs, Ties::Efron).unwrap();
    let zph = cox_zph(&cols[0], &event, &covs, &fit).unwrap();
    let r = reference("lung_cox_zph.json");
    for (ours, theirs) in zph.terms.iter().zip(r["terms"].as_array().unwrap()) {
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
    assert_eq!(zph.global.df, 3);
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
    for j in 0..3 {
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

#[test]
fn survival_at_times_and_median_ci_match_r_on_lung() {
    let cols = lung(&["time", "event", "sex"]);
    let event: Vec<bool> = cols[1].iter().map(|&e| e == 1.0).collect();
    let group: Vec<String> = cols[2].iter().map(|s| format!("{s}")).collect();
    let km = km_groups(&cols[0], &event, &group).unwrap();
    let r = reference("lung_km.json");
    for (curve, rg) in km.groups.iter().zip(r["groups"].as_array().unwrap()) {
        let steps = rg["steps"].as_array().unwrap();
        for t in [28.0, 90.0, 180.0, 365.0] {
            // R's summary(fit, times = t) is the survfit step at or before t.
            let step = steps
                .iter()
                .rfind(|s| s["time"].as_f64().unwrap() <= t)
                .unwrap();
            let at = survival_at_times(curve, &[t])[0].clone().unwrap();
            close(at.survival, step["survival"].as_f64().unwrap(), "survival");
            close(at.se.unwrap(), step["se"].as_f64().unwrap(), "se");
            close(at.ci[0].unwrap(), step["ci"][0].as_f64().unwrap(), "lower");
            close(at.ci[1].unwrap(), step["ci"][1].as_f64().unwrap(), "upper");
        }
    }
    // R: survfit(Surv(time, status) ~ sex, data = lung) prints
    //   sex=1 138 112 270 212 310 / sex=2 90 53 426 348 550 (median, 0.95LCL, 0.95UCL).
    let expected = [(270.0, 212.0, 310.0), (426.0, 348.0, 550.0)];
    for (curve, (m, lo, hi)) in km.groups.iter().zip(expected) {
        assert_eq!(curve.median, Some(m));
        assert_eq!(curve.median_ci, [Some(lo), Some(hi)]);
    }
}

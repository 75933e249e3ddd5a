//! Segmented regression against segmented 1.6-2 answers: breakpoint within 1e-3 relative,
//! Davies p within 0.01 absolute or both below 1e-6; SE, CI, slopes and R^2 reported.

use crate::common::*;
use mcvideo_doseresponse::{fit_segmented, SegmentedOptions};

fn check(file: &str, data: &str, xname: &str, yname: &str, covs: &[&str]) {
    let r = json(file);
    let d = Csv::load(data);
    let covariates: Vec<(&str, &[f64])> = covs.iter().map(|c| (*c, d.col(c))).collect();
    let fit = fit_segmented(
        d.col(xname),
        d.col(yname),
        &covariates,
        &SegmentedOptions::default(),
    )
    .unwrap();
    let bp = num(&r, "breakpoint");
    let ci = r["breakpoint_ci"].as_array().unwrap();
    println!(
        "{file}: psi {:.10} vs {:.10} | se {:.8} vs {:.8} | ci [{:.6}, {:.6}] vs [{}, {}] | slopes {:.6} {:.6} vs {} {} | r2 {:.10} vs {:.10} | davies {:e} vs {:e}",
        fit.breakpoint, bp, fit.breakpoint_se, num(&r, "breakpoint_se"), fit.breakpoint_ci[0], fit.breakpoint_ci[1],
        ci[0], ci[1], fit.slope_left, fit.slope_right, num(&r, "slope_left"), num(&r, "slope_right"),
        fit.r2, num(&r, "r2"), fit.p_davies, num(&r, "p_davies")
    );
    assert!(((fit.breakpoint - bp) / bp).abs() < 1e-3, "breakpoint");
    let pd = num(&r, "p_davies");
    assert!(
        (fit.p_davies - pd).abs() < 0.01 || (fit.p_davies < 1e-6 && pd < 1e-6),
        "davies"
    );
    assert!(
        ((fit.breakpoint_se - num(&r, "breakpoint_se")) / num(&r, "breakpoint_se")).abs() < 1e-3
    );
    assert!((fit.r2 - num(&r, "r2")).abs() < 1e-6);
    // the reference rounds CI and slopes to 5-6 significant digits
    assert!((fit.breakpoint_ci[0] - ci[0].as_f64().unwrap()).abs() < 1e-4 * (1.0 + bp.abs()));
    assert!((fit.slope_left - num(&r, "slope_left")).abs() < 1e-4 * (1.0 + fit.slope_left.abs()));
    assert!(
        (fit.slope_right - num(&r, "slope_right")).abs() < 1e-4 * (1.0 + fit.slope_right.abs())
    );
}

#[test]
fn stagnant() {
    check("stagnant_segmented.json", "stagnant.csv", "x", "y", &[]);
}

#[test]
fn cohort_mfi() {
    check(
        "cohort_a_segmented_mfi.json",
        "cohort_a.csv",
        "ne_dose",
        "mfi",
        &COVARIATES,
    );
}

#[test]
fn cohort_ppv() {
    check(
        "cohort_a_segmented_ppv.json",
        "cohort_a.csv",
        "ne_dose",
        "ppv",
        &COVARIATES,
    );
}

#[test]
fn cohort_hi() {
    check(
        "cohort_a_segmented_hi.json",
        "cohort_a.csv",
        "ne_dose",
        "hi",
        &COVARIATES,
    );
}

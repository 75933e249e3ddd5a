//! GAM against mgcv 1.8-41 answers (fixtures/reference): edf within 0.05, the curve within 1%
//! of its range, the threshold within 0.02 on the x scale, plus REML, R^2, linear terms.

use crate::common::*;
use mcvideo_doseresponse::{fit_gam, BasisKind, GamOptions};

fn check(
    file: &str,
    data: &str,
    xname: &str,
    yname: &str,
    covs: &[&str],
    basis: BasisKind,
    check_threshold: bool,
) {
    let r = json(file);
    let d = Csv::load(data);
    let covariates: Vec<(&str, &[f64])> = covs.iter().map(|c| (*c, d.col(c))).collect();
    let opts = GamOptions {
        basis,
        k: 10,
        boot: 0,
        seed: 1,
        ..GamOptions::default()
    };
    let fit = fit_gam(d.col(xname), d.col(yname), &covariates, &opts).unwrap();
    let edf_r = num(&r, "edf");
    let curve_r = r["curve"].as_array().unwrap();
    let fits_r: Vec<f64> = curve_r.iter().map(|p| num(p, "fit")).collect();
    let ses_r: Vec<f64> = curve_r.iter().map(|p| num(p, "se")).collect();
    let range = fits_r.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        - fits_r.iter().cloned().fold(f64::INFINITY, f64::min);
    let max_dev = fit
        .curve
        .iter()
        .zip(&fits_r)
        .map(|(a, b)| (a.fit - b).abs())
        .fold(0.0, f64::max);
    let max_se = fit
        .curve
        .iter()
        .zip(&ses_r)
        .map(|(a, b)| ((a.se - b) / b).abs())
        .fold(0.0, f64::max);
    let thr_r = &r["threshold"];
    println!(
        "{file}: edf {:.6} vs {:.6} | reml {:.6} vs {:.6} | r2adj {:.8} vs {:.8} | dev {:.8} vs {:.8} | curve maxdev/range {:.2e} | se maxrel {:.2e} | thr {} vs {} | f2 {} vs {} | p {:e} vs {}",
        fit.edf, edf_r, fit.reml, num(&r, "reml"), fit.r2_adj, num(&r, "r2_adj"), fit.dev_explained,
        num(&r, "dev_explained"), max_dev / range, max_se, fit.threshold.x, num(thr_r, "x"),
        fit.threshold.x_max_abs_f2, num(thr_r, "x_max_abs_f2"), fit.p_smooth, num(&r, "p_smooth")
    );
    for (mine, theirs) in fit
        .linear_terms
        .iter()
        .zip(r["linear_terms"].as_array().unwrap())
    {
        println!(
            "   {}: coef {:.8e} vs {:.8e}, se {:.6e} vs {:.6e}, p {:.4e} vs {:.4e}",
            mine.name,
            mine.coef,
            num(theirs, "coef"),
            mine.se,
            num(theirs, "se"),
            mine.p,
            num(theirs, "p")
        );
        assert!((mine.coef - num(theirs, "coef")).abs() <= 0.01 * num(theirs, "se"));
        assert!(((mine.se - num(theirs, "se")) / num(theirs, "se")).abs() < 1e-3);
    }
    assert!((fit.edf - edf_r).abs() < 0.05, "edf");
    assert!(max_dev < 0.01 * range, "curve");
    assert!((fit.r2_adj - num(&r, "r2_adj")).abs() < 1e-4);
    assert!((fit.dev_explained - num(&r, "dev_explained")).abs() < 1e-4);
    assert!(fit.p_smooth < 1e-10 || num(&r, "p_smooth") > 0.0);
    if check_threshold {
        assert!(
            (fit.threshold.x - num(thr_r, "x")).abs() < 0.02,
            "threshold"
        );
    }
}

#[test]
fn mcycle_tp() {
    check(
        "mcycle_gam_tp.json",
        "mcycle.csv",
        "times",
        "accel",
        &[],
        BasisKind::Tp,
        false,
    );
}

#[test]
fn mcycle_cr() {
    check(
        "mcycle_gam_cr.json",
        "mcycle.csv",
        "times",
        "accel",
        &[],
        BasisKind::Cr,
        false,
    );
}

#[test]
fn cohort_mfi() {
    check(
        "cohort_a_gam_mfi.json",
        "cohort_a.csv",
        "ne_dose",
        "mfi",
        &COVARIATES,
        BasisKind::Tp,
        true,
    );
}

#[test]
fn cohort_ppv() {
    check(
        "cohort_a_gam_ppv.json",
        "cohort_a.csv",
        "ne_dose",
        "ppv",
        &COVARIATES,
        BasisKind::Tp,
        true,
    );
}

#[test]
fn cohort_hi() {
    check(
        "cohort_a_gam_hi.json",
        "cohort_a.csv",
        "ne_dose",
        "hi",
        &COVARIATES,
        BasisKind::Tp,
        true,
    );
}

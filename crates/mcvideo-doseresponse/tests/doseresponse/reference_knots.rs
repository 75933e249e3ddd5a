//! The thin-plate basis on an explicit knot subset (what `fit_gam` builds above `max_knots`
//! distinct doses) against mgcv 1.8-41 given the same knots: `large_gam_tp_knots.json`, made by
//! tools/r-reference/gam_knots.R (n = 2600, 1500 knots). Same tolerances as the other GAM
//! references: edf within 0.05, the curve within 1% of its range, the threshold within 0.02.

use crate::common::*;
use mcvideo_doseresponse::gam::{fit_gam_with_knots, GamOptions};

#[test]
fn tp_fit_on_explicit_knots_matches_mgcv_with_the_same_knots() {
    let r = json("large_gam_tp_knots.json");
    let d = Csv::load("large_gam.csv");
    let knots = Csv::load("large_gam_knots.csv");
    assert_eq!(d.col("x").len(), 2600);
    assert_eq!(knots.col("knot").len(), 1500);
    let opts = GamOptions {
        k: 10,
        boot: 0,
        ..GamOptions::default()
    };
    let fit = fit_gam_with_knots(
        d.col("x"),
        d.col("y"),
        &[("c", d.col("c"))],
        &opts,
        knots.col("knot"),
    )
    .unwrap();
    assert_eq!(fit.knots, 1500);
    let curve_r = r["curve"].as_array().unwrap();
    let fits_r: Vec<f64> = curve_r.iter().map(|p| num(p, "fit")).collect();
    let range = fits_r.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        - fits_r.iter().cloned().fold(f64::INFINITY, f64::min);
    assert_eq!(fit.curve.len(), fits_r.len());
    let max_dev = fit
        .curve
        .iter()
        .zip(&fits_r)
        .map(|(a, b)| (a.fit - b).abs())
        .fold(0.0, f64::max);
    let max_se = fit
        .curve
        .iter()
        .zip(curve_r)
        .map(|(a, b)| ((a.se - num(b, "se")) / num(b, "se")).abs())
        .fold(0.0, f64::max);
    let threshold_r = &r["threshold"];
    println!(
        "edf {:.6} vs {:.6} | reml {:.6} vs {:.6} | curve maxdev/range {:.2e} | se maxrel {:.2e} | threshold {} vs {}",
        fit.edf,
        num(&r, "edf"),
        fit.reml,
        num(&r, "reml"),
        max_dev / range,
        max_se,
        fit.threshold.x,
        num(threshold_r, "x")
    );
    assert!((fit.edf - num(&r, "edf")).abs() < 0.05, "edf");
    assert!(max_dev < 0.01 * range, "curve");
    assert!((fit.r2_adj - num(&r, "r2_adj")).abs() < 1e-4, "adjusted R²");
    assert!(
        (fit.threshold.x - num(threshold_r, "x")).abs() < 0.02,
        "threshold"
    );
    let c = fit
        .linear_terms
        .iter()
        .find(|t| t.name == "c")
        .expect("the linear term c");
    let c_r = &r["linear_terms"][0];
    assert!(
        (c.coef - num(c_r, "coef")).abs() <= 0.01 * num(c_r, "se"),
        "coefficient of c"
    );
    assert!(
        ((c.se - num(c_r, "se")) / num(c_r, "se")).abs() < 1e-3,
        "se of c"
    );
}

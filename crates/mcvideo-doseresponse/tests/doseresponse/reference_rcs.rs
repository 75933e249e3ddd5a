//! Restricted cubic splines against R: `lm(y ~ rcspline basis + covariates)` with the basis and
//! knot rule of Hmisc 5 `rcspline.eval` (norm = 2) written out in base R
//! (fixtures/doseresponse/cohort_a_rcs.json). Coefficients, SEs and R^2 to 1e-8 relative.

use crate::common::*;
use mcvideo_doseresponse::{fit_rcs, RcsOptions};

#[test]
fn rcs_matches_lm_on_hmisc_basis() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/doseresponse/cohort_a_rcs.json"
    ))
    .unwrap();
    let refs: serde_json::Value = serde_json::from_str(&text).unwrap();
    let d = Csv::load("cohort_a.csv");
    let covs: Vec<(&str, &[f64])> = COVARIATES.iter().map(|c| (*c, d.col(c))).collect();
    for (key, r) in refs.as_object().unwrap() {
        let k = r["knots_n"].as_u64().unwrap() as usize;
        let fit = fit_rcs(
            d.col("ne_dose"),
            d.col(r["y"].as_str().unwrap()),
            &covs,
            &RcsOptions {
                knots: k,
                boot: 0,
                seed: 1,
            },
        )
        .unwrap();
        let knots: Vec<f64> = r["knots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        for (a, b) in fit.knots.iter().zip(&knots) {
            assert!(
                (a - b).abs() < 1e-12,
                "{key} knots {:?} vs {knots:?}",
                fit.knots
            );
        }
        let coef = r["coef"].as_array().unwrap();
        let se = r["se"].as_array().unwrap();
        assert_eq!(coef.len(), fit.terms.len());
        for ((t, c), s) in fit.terms.iter().zip(coef).zip(se) {
            let (c, s) = (c.as_f64().unwrap(), s.as_f64().unwrap());
            assert!(
                (t.coef - c).abs() < 1e-8 * c.abs().max(s),
                "{key} {}: {} vs {c}",
                t.name,
                t.coef
            );
            assert!(((t.se - s) / s).abs() < 1e-8, "{key} {} se", t.name);
        }
        assert!((fit.r2 - num(r, "r2")).abs() < 1e-10);
        assert!((fit.r2_adj - num(r, "r2_adj")).abs() < 1e-10);
        println!(
            "{key}: knots {:?} r2 {:.8} threshold {:.4} (p nonlinear {:.2e})",
            fit.knots, fit.r2, fit.threshold.x, fit.p_nonlinear
        );
    }
}

//! More mgcv 1.8-41 answers generated for this crate (fixtures/doseresponse): edf, REML and
//! the smooth-term p value on weak and moderate signals, both bases. The data are cohort_a
//! columns plus two noisy outcomes drawn in R (set.seed(7)); see the crate README.

use crate::common::*;
use mcvideo_doseresponse::{fit_gam, BasisKind, GamOptions};

fn load_extra() -> (Csv, serde_json::Value) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/doseresponse/cohort_a_gam_extra.json"
    ))
    .unwrap();
    let csv_path = "../doseresponse/cohort_a_extra.csv";
    (Csv::load(csv_path), serde_json::from_str(&text).unwrap())
}

#[test]
fn extra_models_match_mgcv() {
    let (d, refs) = load_extra();
    for (key, r) in refs.as_object().unwrap() {
        let basis = if r["basis"] == "tp" {
            BasisKind::Tp
        } else {
            BasisKind::Cr
        };
        let y = d.col(r["y"].as_str().unwrap());
        let covs = [
            ("heart_rate", d.col("heart_rate")),
            ("log_il6", d.col("log_il6")),
        ];
        let fit = fit_gam(
            d.col("ne_dose"),
            y,
            &covs,
            &GamOptions {
                basis,
                k: 10,
                boot: 0,
                seed: 1,
                ..GamOptions::default()
            },
        )
        .unwrap();
        let p_r = num(r, "p_smooth");
        println!(
            "{key}: edf {:.6} vs {:.6} | reml {:.6} vs {:.6} | r2adj {:.6} vs {:.6} | p {:.6e} vs {:.6e}",
            fit.edf, num(r, "edf"), fit.reml, num(r, "reml"), fit.r2_adj, num(r, "r2_adj"), fit.p_smooth, p_r
        );
        assert!((fit.edf - num(r, "edf")).abs() < 0.05, "{key} edf");
        assert!((fit.reml - num(r, "reml")).abs() < 1e-3, "{key} reml");
        assert!((fit.r2_adj - num(r, "r2_adj")).abs() < 1e-3, "{key} r2");
        // mgcv evaluates the reference law with Davies' algorithm (absolute error ~1e-6 here),
        // this crate with Imhof's integral: compare on an absolute scale.
        assert!((fit.p_smooth - p_r).abs() < 2e-3, "{key} p");
    }
}

//! The study calls the statistics crates with the right columns: on cohort A its correlations,
//! adjusted MFI regression, KM/log-rank, medians, survival at day 28, Cox and cox.zph at the 0.8
//! cutoff equal R's answers (fixtures/reference, 1e-6 relative), and its GAM thresholds and
//! partial residuals equal mgcv's.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures().join("reference").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn close(what: &str, mine: f64, r: f64) {
    let tol = 1e-6 * r.abs().max(1e-300);
    assert!((mine - r).abs() <= tol, "{what}: mine {mine}, R {r}");
}

#[test]
fn study_results_equal_r_on_cohort_a() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("study.toml");
    let cohort = fixtures().join("reference/cohort_a.csv");
    std::fs::write(
        &config,
        format!(
            r#"
dose = "ne_dose"
outcomes = ["mfi", "ppv", "hi"]
secondary = ["lactate"]
covariates = ["apache2", "heart_rate", "log_il6"]
[data]
clinical = "{}"
[baseline]
cutoff = 0.5
variables = ["mfi"]
[threshold]
bootstrap = 0
[survival]
horizons = [{{ label = "28-day", time = "time28", event = "death28" }}]
cutoffs = [0.8]
"#,
            cohort.display()
        ),
    )
    .unwrap();
    let summary = mcvideo_study::run(&config, &dir.path().join("out")).unwrap();
    let a = serde_json::to_value(&summary.analysis).unwrap();

    let corr = reference("cohort_a_correlate.json");
    for (mine, r) in a["correlations"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .zip(corr["results"].as_array().unwrap())
    {
        assert_eq!(mine["y"], r["y"]);
        for key in ["r", "p", "p_fdr"] {
            close(
                &format!("correlation {} {key}", r["y"]),
                mine[key].as_f64().unwrap(),
                r[key].as_f64().unwrap(),
            );
        }
    }

    let reg = reference("cohort_a_regress_mfi.json");
    let mine = &a["regressions"][0]["adjusted"];
    for (m, r) in mine["terms"]
        .as_array()
        .unwrap()
        .iter()
        .zip(reg["terms"].as_array().unwrap())
    {
        assert_eq!(m["name"], r["name"]);
        close(
            &format!("regression {} coef", r["name"]),
            m["coef"].as_f64().unwrap(),
            r["coef"].as_f64().unwrap(),
        );
        close(
            &format!("regression {} se", r["name"]),
            m["se"].as_f64().unwrap(),
            r["se"].as_f64().unwrap(),
        );
    }

    let s = &a["survival"][0];
    let km = reference("cohort_a_km28.json");
    close(
        "log-rank chi2",
        s["km"]["logrank"]["chi2"].as_f64().unwrap(),
        km["logrank"]["chi2"].as_f64().unwrap(),
    );
    for (m, r) in s["km"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .zip(km["groups"].as_array().unwrap())
    {
        assert_eq!(
            (m["n"].clone(), m["events"].clone()),
            (r["n"].clone(), r["events"].clone())
        );
    }
    let cox = reference("cohort_a_cox28.json");
    let mine = &s["cox_adjusted"];
    assert_eq!(mine["terms"][0]["name"], "ne_dose > 0.8");
    for (m, r) in mine["terms"]
        .as_array()
        .unwrap()
        .iter()
        .zip(cox["terms"].as_array().unwrap())
    {
        for key in ["coef", "se", "p"] {
            close(
                &format!("cox {} {key}", r["name"]),
                m[key].as_f64().unwrap(),
                r[key].as_f64().unwrap(),
            );
        }
    }
    close(
        "cox loglik",
        mine["loglik"].as_f64().unwrap(),
        cox["loglik"].as_f64().unwrap(),
    );

    let zph = reference("cohort_a_cox28_zph.json");
    let mine = &s["ph_test"];
    for (m, r) in mine["terms"]
        .as_array()
        .unwrap()
        .iter()
        .zip(zph["terms"].as_array().unwrap())
    {
        for key in ["chi2", "p"] {
            close(
                &format!("cox.zph {} {key}", r["term"]),
                m[key].as_f64().unwrap(),
                r[key].as_f64().unwrap(),
            );
        }
    }
    close(
        "cox.zph global",
        mine["global"]["chi2"].as_f64().unwrap(),
        zph["global"]["chi2"].as_f64().unwrap(),
    );

    let summary = reference("km_summary.json");
    let groups = summary["cohort_a_28_by_ne_gt_080"].as_array().unwrap();
    for (g, r) in groups.iter().enumerate() {
        let curve = &s["km"]["groups"][g];
        assert_eq!(curve["median"].as_f64(), r["median"].as_f64(), "median");
        assert_eq!(
            curve["median_ci"][0].as_f64(),
            r["median_lower"].as_f64(),
            "median lower"
        );
        assert_eq!(
            curve["median_ci"][1].as_f64(),
            r["median_upper"].as_f64(),
            "median upper"
        );
        let day28 = r["at"]
            .as_array()
            .unwrap()
            .iter()
            .find(|at| at["time"] == 28)
            .unwrap();
        let mine = &s["survival_at"][g]["at"][0];
        assert_eq!(mine["time"], 28.0);
        assert_eq!(mine["n_risk"], day28["n_risk"]);
        for (key, r_key) in [("survival", "survival"), ("se", "se")] {
            close(
                &format!("day-28 {key}"),
                mine[key].as_f64().unwrap(),
                day28[r_key].as_f64().unwrap(),
            );
        }
        close(
            "day-28 lower",
            mine["ci"][0].as_f64().unwrap(),
            day28["lower"].as_f64().unwrap(),
        );
        close(
            "day-28 upper",
            mine["ci"][1].as_f64().unwrap(),
            day28["upper"].as_f64().unwrap(),
        );
    }

    let partial = reference("cohort_a_gam_partial.json");
    for (i, outcome) in ["mfi", "ppv", "hi"].into_iter().enumerate() {
        let gam = reference(&format!("cohort_a_gam_{outcome}.json"));
        let t = &a["thresholds"][i];
        assert_eq!(t["outcome"], outcome);
        let mine = t["gam"]["threshold"]["x"].as_f64().unwrap();
        let r = gam["threshold"]["x"].as_f64().unwrap();
        assert!(
            (mine - r).abs() < 0.02,
            "{outcome} GAM threshold {mine} vs mgcv {r}"
        );
        // Partial residuals: the GAM tolerance, 1% of the smooth's range (mgcv and this fit
        // differ by the REML optimum, not by the definition).
        let r_points = partial[outcome].as_array().unwrap();
        let curve = gam["curve"].as_array().unwrap();
        let fits: Vec<f64> = curve.iter().map(|p| p["fit"].as_f64().unwrap()).collect();
        let range = fits.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - fits.iter().cloned().fold(f64::INFINITY, f64::min);
        let points = t["partial_residuals"].as_array().unwrap();
        assert_eq!(points.len(), r_points.len(), "{outcome} partial residuals");
        // Rows in cohort_a.csv order on both sides (a shuffled order would leave gaps of the
        // data's spread, far beyond the tolerance).
        for (j, (m, r)) in points.iter().zip(r_points).enumerate() {
            let gap = (m.as_f64().unwrap() - r.as_f64().unwrap()).abs();
            assert!(
                gap < 0.01 * range,
                "{outcome} partial residual {j}: gap {gap}"
            );
        }
    }
}

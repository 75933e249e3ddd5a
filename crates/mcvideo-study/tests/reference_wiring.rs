//! The study calls the statistics crates with the right columns: on cohort A its correlations,
//! adjusted MFI regression, KM/log-rank and Cox at the 0.8 cutoff equal R's answers
//! (fixtures/reference, 1e-6 relative), and its GAM threshold equals mgcv's.

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

    let gam = reference("cohort_a_gam_mfi.json");
    let mine = a["thresholds"][0]["gam"]["threshold"]["x"]
        .as_f64()
        .unwrap();
    let r = gam["threshold"]["x"].as_f64().unwrap();
    assert!((mine - r).abs() < 0.02, "GAM threshold {mine} vs mgcv {r}");
}

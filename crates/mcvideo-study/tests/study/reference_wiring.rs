//! The study calls the statistics crates with the right columns: on cohort A its correlations,
//! adjusted MFI regression, KM/log-rank, medians, survival at days 28 and 90, Cox and cox.zph at
//! the 0.8 cutoff equal R's answers (fixtures/reference, 1e-6 relative), its GAM thresholds and
//! partial residuals equal mgcv's, and its scatter lines and bands equal `predict.lm`'s.

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
horizons = [
  {{ label = "28-day", time = "time28", event = "death28" }},
  {{ label = "90-day", time = "time90", event = "death90" }},
]
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
    for key in ["chi2", "p"] {
        close(
            &format!("cox.zph global {key}"),
            mine["global"][key].as_f64().unwrap(),
            zph["global"][key].as_f64().unwrap(),
        );
    }

    // Medians with their CIs (identical) and survival at days 28 and 90 with CIs (1e-6), on the
    // 28-day and the 90-day follow-up; a day beyond the follow-up has no estimate, as
    // `summary(survfit, extend = FALSE)` gives none.
    let summary = reference("km_summary.json");
    let horizons = [
        (0, "cohort_a_28_by_ne_gt_080", vec![Some(28), None]),
        (1, "cohort_a_90_by_ne_gt_080", vec![Some(28), Some(90)]),
    ];
    let mut checked = 0;
    for (h, entry, days) in horizons {
        let s = &a["survival"][h];
        for (g, r) in summary[entry].as_array().unwrap().iter().enumerate() {
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
            for (i, day) in days.iter().enumerate() {
                let mine = &s["survival_at"][g]["at"][i];
                let Some(day) = day else {
                    assert!(
                        mine.is_null(),
                        "{entry}: day 90 of a 28-day follow-up: {mine}"
                    );
                    continue;
                };
                let r_at = r["at"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|at| at["time"] == *day)
                    .unwrap();
                assert_eq!(mine["time"], f64::from(*day));
                assert_eq!(mine["n_risk"], r_at["n_risk"]);
                let what = format!("{entry} group {g} day {day}");
                for key in ["survival", "se"] {
                    close(
                        &format!("{what} {key}"),
                        mine[key].as_f64().unwrap(),
                        r_at[key].as_f64().unwrap(),
                    );
                }
                for (k, key) in ["lower", "upper"].into_iter().enumerate() {
                    close(
                        &format!("{what} {key}"),
                        mine["ci"][k].as_f64().unwrap(),
                        r_at[key].as_f64().unwrap(),
                    );
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 6, "survival estimates compared with R");

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

/// The scatter figures' line and 95% band equal R's `predict(lm(y ~ ne_dose), interval =
/// "confidence")` on cohort A (1e-6 relative), at doses inside and beyond the data.
#[test]
fn scatter_band_equals_r_on_cohort_a() {
    let r = reference("cohort_a_scatter_band.json");
    let mut table = csv::Reader::from_path(fixtures().join("reference/cohort_a.csv")).unwrap();
    let header = table.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = table.records().map(Result::unwrap).collect();
    let column = |name: &str| -> Vec<f64> {
        let i = header.iter().position(|h| h == name).unwrap();
        rows.iter().map(|row| row[i].parse().unwrap()).collect()
    };
    let dose = column("ne_dose");
    let at: Vec<f64> = r["at"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(at.len(), 21);
    for outcome in ["mfi", "ppv", "hi", "lactate"] {
        let line = mcvideo_study::figures::FittedLine::fit(&dose, &column(outcome)).unwrap();
        let answer = &r[outcome];
        for (i, &x) in at.iter().enumerate() {
            let [lower, upper] = line.confidence(x).unwrap();
            for (key, mine) in [("fit", line.predict(x)), ("lower", lower), ("upper", upper)] {
                close(
                    &format!("{outcome} {key} at {x}"),
                    mine,
                    answer[key][i].as_f64().unwrap(),
                );
            }
        }
    }
}

//! `mcvideo stats describe|correlate|regress` end to end: the JSON printed on the reference data
//! matches R's answers (fixtures/reference, fixtures/stats); bad CSVs exit 1 naming the file.

use crate::common;

use crate::common::stats;
use serde_json::Value;

fn fixture(name: &str) -> String {
    common::fixture_path(name)
}

fn reference(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

fn close(a: &Value, b: &Value, what: &str) {
    let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
    let error = if b == 0.0 {
        a.abs()
    } else {
        ((a - b) / b).abs()
    };
    assert!(error <= 1e-6, "{what}: {a} vs R {b}");
}

#[test]
fn correlate_prints_rs_answer() {
    let data = fixture("reference/cohort_a.csv");
    let (code, json, err) = stats(&[
        "correlate",
        &data,
        "--x",
        "ne_dose",
        "--y",
        "mfi,ppv,hi,lactate",
    ]);
    assert_eq!(code, 0, "{err}");
    let r = reference("reference/cohort_a_correlate.json");
    assert_eq!(json["method"], "correlate");
    assert_eq!(json["n"], 66);
    assert_eq!(json["dropped"], 0);
    for (ours, theirs) in json["results"]
        .as_array()
        .unwrap()
        .iter()
        .zip(r["results"].as_array().unwrap())
    {
        assert_eq!(ours["y"], theirs["y"]);
        for field in ["r", "p", "p_fdr"] {
            close(&ours[field], &theirs[field], field);
        }
    }
}

#[test]
fn regress_prints_rs_answer() {
    let data = fixture("reference/cohort_a.csv");
    let (code, json, err) = stats(&[
        "regress",
        &data,
        "--y",
        "mfi",
        "--x",
        "ne_dose",
        "--covariates",
        "apache2,heart_rate,log_il6",
    ]);
    assert_eq!(code, 0, "{err}");
    let r = reference("reference/cohort_a_regress_mfi.json");
    assert_eq!(
        (json["method"].as_str(), json["n"].as_u64()),
        (Some("regress"), Some(66))
    );
    close(&json["r2"], &r["r2"], "r2");
    close(&json["r2_adj"], &r["r2_adj"], "r2_adj");
    for (ours, theirs) in json["terms"]
        .as_array()
        .unwrap()
        .iter()
        .zip(r["terms"].as_array().unwrap())
    {
        assert_eq!(ours["name"], theirs["name"]);
        for field in ["coef", "se", "t", "p"] {
            close(&ours[field], &theirs[field], field);
        }
        close(&ours["ci"][0], &theirs["ci"][0], "ci lo");
        close(&ours["ci"][1], &theirs["ci"][1], "ci hi");
    }
}

#[test]
fn describe_with_a_cutoff_and_missing_values() {
    // lung.csv: wt_loss has missing values, ph_ecog one; grouped by sex.
    let data = fixture("reference/lung.csv");
    let (code, json, err) = stats(&[
        "describe",
        &data,
        "--vars",
        "age,wt_loss,ph_ecog",
        "--group",
        "sex",
        "--categorical",
        "ph_ecog",
    ]);
    assert_eq!(code, 0, "{err}");
    let r = reference("stats/lung_describe_r.json");
    assert_eq!(json["method"], "describe");
    assert_eq!(json["n"], 228);
    assert_eq!(json["dropped"], 0);
    let wt_loss = &json["variables"][1];
    assert_eq!(wt_loss["n"], r["numeric"][2]["overall"]["n"]);
    assert_eq!(
        wt_loss["dropped"],
        228 - r["numeric"][2]["overall"]["n"].as_u64().unwrap()
    );
    for (g, rg) in wt_loss["groups"]
        .as_array()
        .unwrap()
        .iter()
        .zip(r["numeric"][2]["groups"].as_array().unwrap())
    {
        for field in [
            "n",
            "mean",
            "sd",
            "median",
            "q1",
            "q3",
            "shapiro_w",
            "shapiro_p",
        ] {
            close(&g[field], &rg[field], field);
        }
    }
    // ph_ecog by sex has an expected count below 5: Fisher's exact test on the 4x2 table
    let ecog = &json["variables"][2];
    assert_eq!(ecog["test"], "fisher");
    close(&ecog["p"], &r["categorical"][1]["fisher"]["p"], "fisher p");

    let data = fixture("reference/cohort_a.csv");
    let (code, json, err) = stats(&[
        "describe", &data, "--vars", "mfi", "--group", "ne_dose", "--cutoff", "0.8",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json["group_levels"], serde_json::json!(["<= 0.8", "> 0.8"]));
    // the same split as the column ne_gt_080 in R's answers: same normality decision, same p
    let r = reference("stats/cohort_a_describe_r.json");
    let r_mfi = &r["numeric"][4];
    assert_eq!(r_mfi["name"], "mfi");
    let r_normal = r_mfi["groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["shapiro_p"].as_f64().unwrap() > 0.05);
    let mfi = &json["variables"][0];
    let (test, r_p) = if r_normal {
        ("t", &r_mfi["welch"]["p"])
    } else {
        ("wilcoxon", &r_mfi["wilcoxon"]["p"])
    };
    assert_eq!(mfi["test"], test);
    close(&mfi["p"], r_p, "mfi p");
}

#[test]
fn bad_csv_exits_1_naming_the_file() {
    let bad_text = fixture("stats/bad_text.csv");
    let (code, json, err) = stats(&["correlate", &bad_text, "--x", "dose", "--y", "mfi,ppv"]);
    assert_eq!((code, json), (1, Value::Null));
    assert!(
        err.contains(&bad_text) && err.contains("row 2") && err.contains("`ppv`"),
        "{err}"
    );

    let ragged = fixture("stats/bad_ragged.csv");
    let (code, _, err) = stats(&["regress", &ragged, "--y", "mfi", "--x", "dose"]);
    assert_eq!(code, 1);
    assert!(err.contains(&ragged) && err.contains("row 2"), "{err}");

    let data = fixture("reference/cohort_a.csv");
    let (code, _, err) = stats(&["describe", &data, "--vars", "no_such_column"]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&data) && err.contains("no_such_column"),
        "{err}"
    );

    // a bad command line is exit 2
    let (code, _, _) = stats(&["describe", &data]);
    assert_eq!(code, 2);
}

//! `mcvideo stats km|cox` end to end: the JSON printed on the reference data matches R's answers
//! (fixtures/reference, from survival 3.5-3) to 1e-6 relative; bad input exits 1 naming the problem.

use crate::common;

use crate::common::stats;
use serde_json::Value;

fn fixture(name: &str) -> String {
    common::fixture_path(&format!("reference/{name}"))
}

/// Every number in `r` must match the same field of `ours` to 1e-6 relative.
fn assert_matches(ours: &Value, r: &Value, path: &str) {
    match (ours, r) {
        (Value::Object(o), Value::Object(rr)) => {
            for (k, v) in rr {
                let mine = o.get(k).unwrap_or_else(|| panic!("{path}.{k} missing"));
                assert_matches(mine, v, &format!("{path}.{k}"));
            }
        }
        (Value::Array(o), Value::Array(rr)) => {
            assert_eq!(o.len(), rr.len(), "{path}: length");
            for (i, (a, b)) in o.iter().zip(rr).enumerate() {
                assert_matches(a, b, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-6 * b.abs().max(1e-12),
                "{path}: ours {a}, R {b}"
            );
        }
        (a, b) => assert_eq!(a, b, "{path}"),
    }
}

fn reference(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

#[test]
fn km_on_lung_matches_r() {
    let data = fixture("lung.csv");
    let args = [
        "km", &data, "--time", "time", "--event", "event", "--group", "sex",
    ];
    let (code, json, _) = stats(&args);
    assert_eq!(code, 0);
    assert_eq!(json["dropped"], 0);
    assert_matches(&json, &reference("lung_km.json"), "lung_km");
}

#[test]
fn km_on_cohort_matches_r_by_column_and_by_cutoff() {
    let data = fixture("cohort_a.csv");
    let by_column = [
        "km",
        &data,
        "--time",
        "time28",
        "--event",
        "death28",
        "--group",
        "ne_gt_080",
    ];
    let (code, json, _) = stats(&by_column);
    assert_eq!(code, 0);
    assert_matches(&json, &reference("cohort_a_km28.json"), "cohort_a_km28");
    let by_cutoff = [
        "km",
        &data,
        "--time",
        "time28",
        "--event",
        "death28",
        "--cutoff",
        "ne_dose:0.8",
    ];
    let (code, cut, _) = stats(&by_cutoff);
    assert_eq!(code, 0);
    assert_eq!(cut["groups"][1]["group"], "ne_dose > 0.8");
    assert_eq!(cut["logrank"]["chi2"], json["logrank"]["chi2"]);
    assert_eq!(cut["logrank"]["p"], json["logrank"]["p"]);
    assert_eq!(cut["groups"][0]["steps"], json["groups"][0]["steps"]);
}

#[test]
fn km_without_groups_has_null_logrank() {
    let data = fixture("lung.csv");
    let (code, json, _) = stats(&["km", &data, "--time", "time", "--event", "event"]);
    assert_eq!(code, 0);
    assert_eq!(json["logrank"], Value::Null);
    assert_eq!(json["groups"][0]["n"], 228);
}

#[test]
fn cox_on_lung_matches_r_efron_and_breslow() {
    let data = fixture("lung.csv");
    for (ties, file) in [
        ("efron", "lung_cox.json"),
        ("breslow", "lung_cox_breslow.json"),
    ] {
        let args = [
            "cox",
            &data,
            "--time",
            "time",
            "--event",
            "event",
            "--covariates",
            "age,sex,ph_ecog",
            "--ties",
            ties,
        ];
        let (code, json, _) = stats(&args);
        assert_eq!(code, 0);
        assert_eq!(json["dropped"], 1, "the row with a missing ph_ecog");
        assert_matches(&json, &reference(file), file);
    }
}

#[test]
fn cox_on_cohort_matches_r() {
    let data = fixture("cohort_a.csv");
    let args = [
        "cox",
        &data,
        "--time",
        "time28",
        "--event",
        "death28",
        "--covariates",
        "ne_gt_080,apache2,heart_rate,log_il6",
    ];
    let (code, json, _) = stats(&args);
    assert_eq!(code, 0);
    assert_matches(&json, &reference("cohort_a_cox28.json"), "cohort_a_cox28");
}

#[test]
fn bad_input_exits_1_naming_the_problem() {
    let data = fixture("lung.csv");
    let args = [
        "cox",
        &data,
        "--time",
        "time",
        "--event",
        "event",
        "--covariates",
        "agee",
    ];
    let (code, _, err) = stats(&args);
    assert_eq!(code, 1);
    assert!(err.contains("agee") && err.contains("lung.csv"), "{err}");
    let args = ["km", &data, "--time", "time", "--event", "age"];
    let (code, _, err) = stats(&args);
    assert_eq!(code, 1);
    assert!(
        err.contains("`age`") && err.contains("event must be 0"),
        "{err}"
    );
    // A malformed option is a command-line error (exit 2).
    let args = [
        "km", &data, "--time", "time", "--event", "event", "--cutoff", "age",
    ];
    let (code, _, err) = stats(&args);
    assert_eq!(code, 2);
    assert!(err.contains("COLUMN:VALUE"), "{err}");
}

#[test]
fn cox_reports_separation_in_json_and_on_stderr() {
    // x = 1 exactly for the five earliest times: coxph warns "Loglik converged before variable 1".
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("separated.csv");
    let mut text = String::from("time,event,x,z\n");
    let z = [3.1, 0.2, 1.5, 2.2, 0.7, 1.9, 2.8, 0.4, 1.1, 2.5];
    let event = [1, 1, 1, 0, 1, 1, 1, 0, 1, 1];
    for i in 0..10 {
        let x = u8::from(i < 5);
        text.push_str(&format!("{},{},{x},{}\n", i + 1, event[i], z[i]));
    }
    std::fs::write(&path, text).unwrap();
    let data = path.display().to_string();
    let args = [
        "cox",
        &data,
        "--time",
        "time",
        "--event",
        "event",
        "--covariates",
        "x,z",
    ];
    let (code, json, err) = stats(&args);
    assert_eq!(code, 0);
    assert_eq!(json["infinite"], serde_json::json!(["x"]));
    assert!(err.contains("Loglik converged before variable x"), "{err}");
}

//! `mcvideo stats` on bad and large input through the binary: follow-up times that are negative
//! or infinite exit 1 (NaN is a missing value, dropped and counted) naming the file, row and column; every numeric option out of range is
//! a command-line error (exit 2); correlate at n = 3; and the GAM and segmented fits at 100k rows
//! finish without a huge allocation.

use crate::common;

use crate::common::stats;
use std::fmt::Write as _;
use std::path::Path;

fn fixture(name: &str) -> String {
    common::fixture_path(&format!("reference/{name}"))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn bad_follow_up_times_exit_1_naming_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    for (bad, what) in [
        ("-28", "0 or more"),
        ("inf", "not a finite number"),
        ("-inf", "not a finite number"),
    ] {
        let text = format!("days,died,age\n5,1,61\n7,0,70\n{bad},1,55\n9,1,80\n12,0,66\n");
        let csv = write(dir.path(), "cohort.csv", &text);
        let km = ["km", &csv, "--time", "days", "--event", "died"];
        let cox = [
            "cox",
            &csv,
            "--time",
            "days",
            "--event",
            "died",
            "--covariates",
            "age",
        ];
        for args in [&km[..], &cox[..]] {
            let (code, json, err) = stats(args);
            assert_eq!(code, 1, "{bad} {args:?}: {err}");
            assert!(json.is_null(), "nothing printed on failure");
            assert!(
                err.contains("cohort.csv")
                    && err.contains("row 3")
                    && err.contains("`days`")
                    && err.contains(what),
                "{bad}: {err}"
            );
        }
    }
}

#[test]
fn na_time_is_a_missing_value_dropped_and_counted() {
    // Empty and NA cells are missing: the row is dropped and reported, not fitted (NaN is
    // refused instead: survival_input.rs).
    let dir = tempfile::tempdir().unwrap();
    let text = "days,died\n5,1\n7,0\nNA,1\n9,1\n12,0\n";
    let csv = write(dir.path(), "cohort.csv", text);
    let (code, json, err) = stats(&["km", &csv, "--time", "days", "--event", "died"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (json["n"].as_u64(), json["dropped"].as_u64()),
        (Some(4), Some(1))
    );
}

#[test]
fn numeric_options_out_of_range_exit_2() {
    let cohort = fixture("cohort_a.csv");
    let lung = fixture("lung.csv");
    let gam = |extra: &[&str]| {
        let mut a = vec![
            "gam", &cohort, "--y", "mfi", "--smooth", "ne_dose", "--boot", "0",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let mut cases: Vec<Vec<String>> = Vec::new();
    for bad in [
        &["--k", "2"][..],
        &["--k", "nan"],
        &["--k", "-1"],
        &["--k", "1e9"],
    ] {
        cases.push(gam(bad));
    }
    for bad in [
        &["--boot", "-1"][..],
        &["--boot", "inf"],
        &["--boot", "100000000"],
    ] {
        cases.push(gam(bad));
    }
    for bad in [
        &["--max-knots", "2"][..],
        &["--max-knots", "nan"],
        &["--max-knots", "5"],
    ] {
        cases.push(gam(bad));
    }
    cases.push(gam(&["--seed", "-3"]));
    cases.push(gam(&["--knot-seed", "x"]));
    for psi in ["nan", "inf", "-inf", "abc"] {
        cases.push(
            [
                "segmented",
                &cohort,
                "--y",
                "mfi",
                "--x",
                "ne_dose",
                "--psi",
                psi,
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    for knots in ["2", "8", "nan"] {
        cases.push(
            [
                "rcs", &cohort, "--y", "mfi", "--x", "ne_dose", "--knots", knots, "--boot", "0",
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    for level in ["0", "1", "1.5", "-0.2", "nan", "inf"] {
        cases.push(
            [
                "km",
                &lung,
                "--time",
                "time",
                "--event",
                "event",
                "--conf-level",
                level,
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    for cutoff in ["age:nan", "age:inf", ":60", "age"] {
        cases.push(
            [
                "km", &lung, "--time", "time", "--event", "event", "--cutoff", cutoff,
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    for iters in ["0", "-1", "nan", "5000"] {
        cases.push(
            [
                "cox",
                &lung,
                "--time",
                "time",
                "--event",
                "event",
                "--covariates",
                "age",
                "--max-iter",
                iters,
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    for alpha in ["0", "1", "nan", "inf"] {
        cases.push(
            ["describe", &cohort, "--vars", "mfi", "--alpha", alpha]
                .map(String::from)
                .to_vec(),
        );
    }
    for cutoff in ["nan", "inf"] {
        cases.push(
            [
                "describe", &cohort, "--vars", "mfi", "--group", "ne_dose", "--cutoff", cutoff,
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    let mut failures = String::new();
    for case in &cases {
        let args: Vec<&str> = case.iter().map(String::as_str).collect();
        let (code, json, err) = stats(&args);
        if code != 2 || !json.is_null() || err.is_empty() {
            let _ = writeln!(failures, "{args:?}: exit {code}, {err}");
        }
    }
    assert!(failures.is_empty(), "not refused with exit 2:\n{failures}");
}

#[test]
fn correlate_with_three_rows_reports_the_exact_spearman_p() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "three.csv",
        "dose,mfi\n0.1,1.0\n0.5,2.0\n0.9,2.5\n",
    );
    let (code, json, err) = stats(&["correlate", &csv, "--x", "dose", "--y", "mfi"]);
    assert_eq!(code, 0, "{err}");
    let row = &json["results"][0];
    assert_eq!(row["r"], 1.0);
    // R: cor.test(c(.1,.5,.9), c(1,2,2.5), method = "spearman")$p.value = 1/3
    assert!(
        (row["p"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12,
        "{json}"
    );
    let two = write(dir.path(), "two.csv", "dose,mfi\n0.1,1.0\n0.5,2.0\n");
    let (code, _, err) = stats(&["correlate", &two, "--x", "dose", "--y", "mfi"]);
    assert_eq!(code, 1);
    assert!(err.contains("two.csv"), "{err}");
}

#[test]
fn gam_and_segmented_run_at_100k_rows() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let mut text = String::with_capacity(n * 30);
    text.push_str("dose,mfi,age\n");
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..n {
        let dose = 2.0 * next();
        let age = 20.0 + 70.0 * next();
        let mfi = 3.0 - 1.5 * (dose - 0.8f64).max(0.0) - 0.005 * age + 0.3 * (next() - 0.5);
        let _ = writeln!(text, "{dose:.6},{mfi:.6},{age:.1}");
    }
    let csv = write(dir.path(), "big.csv", &text);
    let (code, json, err) = stats(&[
        "gam", &csv, "--y", "mfi", "--smooth", "dose", "--linear", "age", "--boot", "0",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json["n"], 100_000);
    assert_eq!(json["knots"], 2000);
    assert_eq!(json["max_knots"], 2000);
    assert_eq!(json["knot_seed"], 1);
    let threshold = json["threshold"]["x"].as_f64().unwrap();
    assert!((threshold - 0.8).abs() < 0.1, "{threshold}");
    let (code, json, err) = stats(&[
        "segmented",
        &csv,
        "--y",
        "mfi",
        "--x",
        "dose",
        "--covariates",
        "age",
    ]);
    assert_eq!(code, 0, "{err}");
    let psi = json["breakpoint"].as_f64().unwrap();
    assert!((psi - 0.8).abs() < 0.01, "{psi}");
}

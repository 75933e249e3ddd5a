//! Follow-up times and events through the binary (`stats km`, `stats cox`, `analyze`): a
//! missing cell (empty or `NA`) drops its row and is counted; a number that is not finite
//! (`NaN`, `Inf`), text, a negative time or an event other than 0/1 exits 1 naming the file,
//! the row and the column.

use crate::common::{bin, stats};
use std::path::Path;

/// Six patients; `{T}` and `{E}` are the third row's time and event cells.
fn cohort(time: &str, event: &str) -> String {
    format!(
        "patient,time,event,dose\nP1,5,1,0.1\nP2,6,0,0.2\nP3,{time},{event},0.3\n\
         P4,8,1,0.5\nP5,9,0,0.9\nP6,10,1,1.2\n"
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn km(csv: &str) -> (i32, serde_json::Value, String) {
    stats(&["km", csv, "--time", "time", "--event", "event"])
}

fn cox(csv: &str) -> (i32, serde_json::Value, String) {
    stats(&[
        "cox",
        csv,
        "--time",
        "time",
        "--event",
        "event",
        "--covariates",
        "dose",
    ])
}

#[test]
fn missing_times_and_events_drop_the_row_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    for (time, event) in [("", "1"), ("NA", "1"), ("7", ""), ("7", "NA")] {
        let csv = write(dir.path(), "c.csv", &cohort(time, event));
        for (method, (code, json, err)) in [("km", km(&csv)), ("cox", cox(&csv))] {
            assert_eq!(code, 0, "{method} {time:?}/{event:?}: {err}");
            assert_eq!(
                (json["n"].as_u64(), json["dropped"].as_u64()),
                (Some(5), Some(1)),
                "{method} {time:?}/{event:?}"
            );
        }
    }
}

#[test]
fn non_finite_or_invalid_times_and_events_exit_1_naming_file_row_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("NaN", "1", "time", "not a finite number"),
        ("nan", "1", "time", "not a finite number"),
        ("inf", "1", "time", "not a finite number"),
        ("-Inf", "1", "time", "not a finite number"),
        ("1e999", "1", "time", "not a finite number"),
        ("-28", "1", "time", "0 or more"),
        ("seven", "1", "time", "not a number"),
        ("7", "NaN", "event", "not a finite number"),
        ("7", "inf", "event", "not a finite number"),
        ("7", "3", "event", "must be 0"),
    ];
    for (time, event, column, what) in cases {
        let csv = write(dir.path(), "bad.csv", &cohort(time, event));
        for (method, (code, json, err)) in [("km", km(&csv)), ("cox", cox(&csv))] {
            let case = format!("{method} time {time:?} event {event:?}");
            assert_eq!(code, 1, "{case}: {err}");
            assert!(json.is_null(), "{case}: printed a result");
            assert!(
                err.contains("bad.csv")
                    && err.contains("row 3")
                    && err.contains(&format!("`{column}`"))
                    && err.contains(what),
                "{case}: {err}"
            );
        }
    }
}

/// A study of the six-patient cohort with one survival horizon; no threshold analyses (too
/// few patients), so the run is quick.
fn study(dir: &Path, time: &str, event: &str) -> (i32, String, String) {
    let mut text = cohort(time, event);
    // Enough rows for the survival analysis beside the row under test.
    for i in 7..=16 {
        text.push_str(&format!("P{i},{},{},{}\n", 3 + i, i % 2, 0.1 * i as f64));
    }
    write(dir, "clinical.csv", &text);
    let config = write(
        dir,
        "study.toml",
        "dose = \"dose\"\noutcomes = [\"dose\"]\n[data]\nclinical = \"clinical.csv\"\n\
         [baseline]\ncutoff = 0.5\nvariables = [\"dose\"]\n[threshold]\nbootstrap = 0\n\
         [survival]\ncutoffs = [0.5]\nhorizons = [{ label = \"28-day\", time = \"time\", event = \"event\" }]\n",
    );
    let out = dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let run = bin()
        .args(["analyze", "--config", &config, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    (
        run.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

#[test]
fn analyze_refuses_bad_times_and_events_and_counts_missing_ones() {
    let dir = tempfile::tempdir().unwrap();
    for (time, event, column, what) in [
        ("NaN", "1", "time", "not a finite number"),
        ("inf", "1", "time", "not a finite number"),
        ("-28", "1", "time", "0 or more"),
        ("7", "nan", "event", "not a finite number"),
        ("7", "2", "event", "must be 0"),
    ] {
        let (code, _, err) = study(dir.path(), time, event);
        let case = format!("analyze time {time:?} event {event:?}");
        assert_eq!(code, 1, "{case}: {err}");
        assert!(
            err.contains("clinical.csv: row 3 (patient `P3`, day 1)")
                && err.contains(&format!("column `{column}`"))
                && err.contains(what),
            "{case}: {err}"
        );
        assert!(!dir.path().join("out").exists(), "{case}: outputs written");
    }
    for (time, event) in [("", "1"), ("NA", "1"), ("7", "")] {
        let (code, stdout, err) = study(dir.path(), time, event);
        let case = format!("analyze time {time:?} event {event:?}");
        assert_eq!(code, 0, "{case}: {err}");
        assert!(
            stdout.contains("28-day survival adapted: 1 of 16 day-1 rows without a follow-up time"),
            "{case}: the dropped row is not reported: {stdout}"
        );
        let notes = std::fs::read_to_string(dir.path().join("out/analysis.json")).unwrap();
        assert!(
            notes.contains("1 of 16 day-1 rows"),
            "{case}: not in analysis.json"
        );
    }
}

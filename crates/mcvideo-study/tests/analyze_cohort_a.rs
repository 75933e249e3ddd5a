//! End-to-end: the example study on the synthetic cohort A writes every table and figure.

use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

#[test]
fn cohort_a_produces_every_file() {
    let out = tempfile::tempdir().unwrap();
    let t0 = std::time::Instant::now();
    let summary = mcvideo_study::run(&fixture("study/cohort_a.toml"), out.path()).unwrap();
    eprintln!("run took {:?}; files: {:?}", t0.elapsed(), summary.files);
    let expected = [
        "analysis.json",
        "report.html",
        "baseline.csv",
        "correlations.csv",
        "regressions.csv",
        "thresholds.csv",
        "km.csv",
        "cox.csv",
        "change_correlations.csv",
        "change_regressions.csv",
        "scatter_mfi.svg",
        "scatter_ppv.svg",
        "scatter_hi.svg",
        "scatter_lactate.svg",
        "gam_mfi.svg",
        "gam_ppv.svg",
        "gam_hi.svg",
        "km_28-day_0_5.svg",
        "forest_cox.svg",
        "forest_change.svg",
        "change_scatter_mfi.svg",
    ];
    for f in expected {
        let p = out.path().join(f);
        assert!(p.is_file(), "{f} missing; wrote {:?}", summary.files);
        assert!(
            std::fs::metadata(&p).unwrap().len() > 100,
            "{f} is nearly empty"
        );
    }
    let km = summary
        .files
        .iter()
        .filter(|f| f.starts_with("km_"))
        .count();
    assert_eq!(km, 4, "2 horizons x 2 cutoffs: {:?}", summary.files);
    let json = std::fs::read_to_string(out.path().join("analysis.json")).unwrap();
    assert!(!json.contains("NaN"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // serde_json writes a NaN as null: nulls may only be the documented optional values.
    let mut nulls = Vec::new();
    null_keys(&v, "", &mut nulls);
    let allowed = [
        "df",
        "segmented_error",
        "rcs_error",
        "ci",
        "median",
        "median_ci",
        "se",
        "statistic",
        "test_variant",
    ];
    for key in &nulls {
        assert!(
            allowed.contains(&key.as_str()),
            "null (NaN?) at key `{key}`"
        );
    }
    assert_eq!(v["schema"], "mcvideo.study.v1");
    let thr = v["thresholds"][0]["gam"]["threshold"]["x"]
        .as_f64()
        .unwrap();
    assert!(thr > 0.3 && thr < 1.5, "MFI threshold {thr}");
    assert_eq!(v["cutoffs"][1]["value"].as_f64().unwrap(), thr);
    assert_eq!(v["data"]["patients"], 66);
}

/// Keys whose value is null (array elements report their array's key).
fn null_keys(v: &serde_json::Value, key: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Null => out.push(key.to_string()),
        serde_json::Value::Array(items) => items.iter().for_each(|x| null_keys(x, key, out)),
        serde_json::Value::Object(map) => map.iter().for_each(|(k, x)| null_keys(x, k, out)),
        _ => {}
    }
}

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
        "flow.svg",
        "flow.csv",
        "survival_at.csv",
        "ph_test.csv",
        "analysis_data.csv",
        "refit.R",
    ];
    for f in expected {
        let p = out.path().join(f);
        assert!(p.is_file(), "{f} missing; wrote {:?}", summary.files);
        assert!(
            std::fs::metadata(&p).unwrap().len() > 100,
            "{f} is nearly empty"
        );
    }
    // No analysis adapted or skipped on 66 patients: notes.csv is its header alone.
    assert_eq!(
        std::fs::read_to_string(out.path().join("notes.csv")).unwrap(),
        "analysis,action,reason\n"
    );
    let km = summary
        .files
        .iter()
        .filter(|f| f.starts_with("km_") && f.ends_with(".svg"))
        .count();
    // Every figure also as a 300 dpi PNG and a PDF.
    for svg in summary.files.iter().filter(|f| f.ends_with(".svg")) {
        let stem = svg.trim_end_matches(".svg");
        let png = std::fs::read(out.path().join(format!("{stem}.png"))).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(&png[37..41], b"pHYs", "{stem}.png records its resolution");
        let pdf = std::fs::read(out.path().join(format!("{stem}.pdf"))).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
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
        "boot_basis",
        "median",
        "median_ci",
        "se",
        "statistic",
        "test_variant",
        "gam_error",
        "adjusted_error",
        "cox_univariate_error",
        "cox_adjusted_error",
        "ph_test_error",
        "batch_folder",
        "at",
    ];
    for key in &nulls {
        assert!(
            allowed.contains(&key.as_str()),
            "null (NaN?) at key `{key}`"
        );
    }
    assert_eq!(v["schema"], "mcvideo.study.v2");
    // 66 patients support every analysis as configured: nothing adapted or skipped.
    assert_eq!(v["notes"], serde_json::json!([]), "{}", v["notes"]);
    assert_eq!(v["thresholds"][0]["k_used"], 10);
    // analysis_data.csv: one row per patient and day (66 day-1 rows + the day-3 rows).
    let data = std::fs::read_to_string(out.path().join("analysis_data.csv")).unwrap();
    let header = data.lines().next().unwrap();
    for col in [
        "patient",
        "day",
        "ne_dose",
        "mfi",
        "apache2",
        "time28",
        "death90",
        "ne_dose_gt_0_5",
    ] {
        assert!(header.split(',').any(|h| h == col), "{col} not in {header}");
    }
    assert_eq!(
        data.lines().count() - 1,
        v["data"]["rows"].as_u64().unwrap() as usize
    );
    let refit = std::fs::read_to_string(out.path().join("refit.R")).unwrap();
    assert!(refit
        .contains("gam(mfi ~ s(ne_dose, bs = \"tp\", k = 10) + apache2 + heart_rate + log_il6"));
    assert!(refit.contains("cox.zph(cx)"));
    // The reproducibility block hashes the inputs.
    let inputs = v["reproducibility"]["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 3, "config, clinical table, batch table");
    assert!(inputs
        .iter()
        .all(|f| f["sha256"].as_str().unwrap().len() == 64));
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

//! A resumed batch keeps the rater's corrections: after `mcvideo batch`, one vessel is stopped
//! and another deleted through the review store (as the page's server saves them), and
//! `mcvideo batch --resume` rewrites sites.csv and patients.csv with `reviewed` and the
//! corrected values, checked against metrics recomputed here from the score JSON.

use crate::common;

use mcvideo_metrics::FlowClass;
use mcvideo_review::corrections::{Action, EditRequest, VesselKey};
use mcvideo_testkit::csv_table::csv_rows;
use serde_json::Value;
use std::ffi::OsStr;

fn mcvideo(args: &[&OsStr]) -> String {
    common::run_ok_stderr(common::bin().args(args))
}

fn measured(v: &Value) -> mcvideo_metrics::MeasuredVessel {
    serde_json::from_value(v.clone()).unwrap()
}

#[test]
fn batch_resume_keeps_the_corrections_in_the_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    common::two_site_archive(&archive, ["21", "22"], &["--duration", "1"]);
    let out = tmp.path().join("out");
    let batch = |resume: bool| {
        let mut args: Vec<&OsStr> = vec![
            "batch".as_ref(),
            archive.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--um-per-px".as_ref(),
            "1.2".as_ref(),
            "--jobs".as_ref(),
            "1".as_ref(),
        ];
        if resume {
            args.push("--resume".as_ref());
        }
        mcvideo(&args)
    };
    let first = batch(false);
    assert!(!first.contains("review:"), "{first}");
    assert!(!csv_rows(&out.join("sites.csv"))[0].contains_key("reviewed"));

    let score: Value =
        serde_json::from_slice(&std::fs::read(out.join("clips/P1_1_1.score.json")).unwrap())
            .unwrap();
    let vessels = score["vessels"].as_array().unwrap().clone();
    let cutoff = score["metrics"]["small_vessel_cutoff_um"].as_f64().unwrap();
    let small = |v: &Value| v["diameter_um"].as_f64().unwrap() < cutoff;
    let stopped = vessels
        .iter()
        .find(|v| small(v) && v["flow_class"].as_u64().unwrap() >= 2)
        .expect("a small flowing vessel")
        .clone();
    let deleted = vessels
        .iter()
        .find(|v| small(v) && v["id"] != stopped["id"])
        .expect("another small vessel")
        .clone();
    let id = |v: &Value| v["id"].as_u64().unwrap() as usize;
    {
        let catalog = mcvideo_review::Catalog::open(&out, None).unwrap();
        let store = mcvideo_review::Store::new(catalog);
        for (version, action) in [
            Action::SetClass {
                vessel: VesselKey::Auto(id(&stopped)),
                class: FlowClass::NoFlow,
            },
            Action::Delete {
                vessel: VesselKey::Auto(id(&deleted)),
            },
        ]
        .into_iter()
        .enumerate()
        {
            let request = EditRequest {
                base_version: version as u64,
                action,
            };
            store.edit("P1_1_1", &request, |_| None).unwrap();
        }
    }
    let review = std::fs::read(out.join("review/P1_1_1.json")).unwrap();

    let resumed = batch(true);
    assert!(
        resumed.contains("the corrections of 1 reviewed clips"),
        "{resumed}"
    );
    assert_eq!(
        std::fs::read(out.join("review/P1_1_1.json")).unwrap(),
        review
    );

    // The corrected metrics, recomputed here from the score JSON and the two changes.
    let corrected: Vec<mcvideo_metrics::MeasuredVessel> = vessels
        .iter()
        .filter(|v| v["id"] != deleted["id"])
        .map(|v| {
            let mut m = measured(v);
            if v["id"] == stopped["id"] {
                m.flow_class = FlowClass::NoFlow;
                m.velocity_um_s = None;
                m.flow_unresolved = false;
            }
            m
        })
        .collect();
    let params = mcvideo_metrics::MetricsParams {
        um_per_px: score["calibration"]["um_per_px"].as_f64().unwrap(),
        small_vessel_cutoff_um: cutoff,
        valid_region: serde_json::from_value(score["stabilization"]["valid_region"].clone())
            .unwrap(),
    };
    let expected = mcvideo_metrics::site_metrics(&corrected, &params).unwrap();
    let sites = csv_rows(&out.join("sites.csv"));
    assert_eq!(sites.len(), 2);
    let site1 = sites.iter().find(|r| r["site"] == "1").unwrap();
    let site2 = sites.iter().find(|r| r["site"] == "2").unwrap();
    assert_eq!(site1["reviewed"], "true");
    assert_eq!(site2["reviewed"], "false");
    for (column, value) in [
        ("tvd_mm_per_mm2", expected.tvd_mm_per_mm2),
        ("pvd_mm_per_mm2", expected.pvd_mm_per_mm2),
    ] {
        assert_eq!(site1[column].parse::<f64>().unwrap(), value, "{column}");
    }
    let automatic_pvd = score["metrics"]["pvd_mm_per_mm2"].as_f64().unwrap();
    assert!(expected.pvd_mm_per_mm2 < automatic_pvd);
    let patients = csv_rows(&out.join("patients.csv"));
    assert_eq!(patients.len(), 1);
    assert_eq!(patients[0]["n_sites_reviewed"], "1");
}

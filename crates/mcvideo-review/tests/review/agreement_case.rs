//! A hand-built batch folder whose corrections and agreement are known exactly: three
//! reviewed clips of straight capillaries in a 100 x 100 µm field, one unreviewed and one
//! reviewed but unacceptable, corrected through the store and exported.

use mcvideo_metrics::FlowClass;
use mcvideo_review::corrections::{Action, EditRequest, MasseyReason, VesselKey};
use mcvideo_review::{export, Catalog, Store};
use serde_json::Value;

use crate::common::build_folder;
use mcvideo_testkit::csv_table::csv_rows;

fn edit(store: &Store, id: &str, version: u64, action: Action) -> u64 {
    let (_, review) = store
        .edit(
            id,
            &EditRequest {
                base_version: version,
                action,
            },
            |_| None,
        )
        .unwrap();
    review.version
}

fn close(actual: &str, expected: f64) {
    let value: f64 = actual.parse().unwrap();
    assert!((value - expected).abs() < 1e-9, "{value} vs {expected}");
}

#[test]
fn agreement_of_a_hand_built_review_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    build_folder(dir.path());
    let store = Store::new(Catalog::open(dir.path(), None).unwrap());
    assert_eq!(store.catalog.clips.len(), 5);

    // P1_1_1: a false 50 µm capillary deleted.
    edit(
        &store,
        "P1_1_1",
        0,
        Action::Delete {
            vessel: VesselKey::Auto(1),
        },
    );
    // P1_1_2: a missed intermittent capillary drawn (its diameter given: no picture here).
    edit(
        &store,
        "P1_1_2",
        0,
        Action::Draw {
            centerline_px: vec![[0.0, 70.0], [100.0, 70.0]],
            class: FlowClass::Intermittent,
            diameter_um: Some(6.0),
        },
    );
    // P2_1_1: a stopped capillary found sluggish; first a slip (class 1) undone and redone
    // as the right class.
    let v = edit(
        &store,
        "P2_1_1",
        0,
        Action::SetClass {
            vessel: VesselKey::Auto(1),
            class: FlowClass::Intermittent,
        },
    );
    let v = edit(&store, "P2_1_1", v, Action::Undo {});
    let v = edit(&store, "P2_1_1", v, Action::Redo {});
    let v = edit(&store, "P2_1_1", v, Action::Undo {});
    edit(
        &store,
        "P2_1_1",
        v,
        Action::SetClass {
            vessel: VesselKey::Auto(1),
            class: FlowClass::Sluggish,
        },
    );
    // P3_1_1: unacceptable (out of the comparison); P2_1_2 never opened.
    edit(
        &store,
        "P3_1_1",
        0,
        Action::Unacceptable {
            reason: MasseyReason::Pressure,
        },
    );

    // A stale version is refused and changes nothing.
    let stale = store.edit(
        "P1_1_1",
        &EditRequest {
            base_version: 0,
            action: Action::Confirm {},
        },
        |_| None,
    );
    assert!(matches!(
        stale,
        Err(mcvideo_review::ReviewError::Conflict { yours: 0, saved: 1 })
    ));

    let summary = export(&store).unwrap();
    assert_eq!(summary.reviewed, 4);
    let rows = csv_rows(&dir.path().join("review/agreement.csv"));
    let by_metric = |m: &str| rows.iter().find(|r| r["metric"] == m).unwrap().clone();
    // Pairs (automatic, corrected): TVD (15,10) (10,20) (20,20); PVD (15,10) (10,10) (10,20);
    // PPV (100,100) (100,50) (50,100); MFI (3,3) (3,2) (1.5,2.5); De Backer (25/3,5) (5,10) (10,10).
    let tvd = by_metric("tvd_mm_per_mm2");
    assert_eq!(tvd["n"], "3");
    close(&tvd["mean_automatic"], 15.0);
    close(&tvd["mean_corrected"], 50.0 / 3.0);
    close(&tvd["bias"], -5.0 / 3.0);
    close(&tvd["sd"], (175.0f64 / 3.0).sqrt());
    close(
        &tvd["loa_lower"],
        -5.0 / 3.0 - 1.96 * (175.0f64 / 3.0).sqrt(),
    );
    close(
        &tvd["loa_upper"],
        -5.0 / 3.0 + 1.96 * (175.0f64 / 3.0).sqrt(),
    );
    close(&tvd["icc"], 0.0);
    let pvd = by_metric("pvd_mm_per_mm2");
    close(&pvd["bias"], -5.0 / 3.0);
    close(&pvd["icc"], -2.0 / 3.0);
    let ppv = by_metric("ppv_pct");
    close(&ppv["bias"], 0.0);
    close(&ppv["sd"], 50.0);
    close(&ppv["loa_lower"], -98.0);
    close(&ppv["loa_upper"], 98.0);
    close(&ppv["icc"], -1.0);
    let mfi = by_metric("mfi");
    close(&mfi["bias"], 0.0);
    close(&mfi["sd"], 1.0);
    close(&mfi["loa_upper"], 1.96);
    close(&mfi["icc"], 0.0);
    let db = by_metric("de_backer_per_mm");
    close(&db["bias"], -5.0 / 9.0);
    close(&db["icc"], -0.3);

    // Length-weighted confusion: 300 µm kept at 3, 50 µm deleted, 100 µm drawn as 1,
    // 100 µm from 0 to 2.
    let confusion = csv_rows(&dir.path().join("review/confusion.csv"));
    let cell = |a: &str, c: &str| -> f64 {
        confusion
            .iter()
            .find(|r| r["automatic_class"] == a && r["corrected_class"] == c)
            .unwrap()["length_um"]
            .parse()
            .unwrap()
    };
    assert_eq!(cell("3", "3"), 300.0);
    assert_eq!(cell("3", "deleted"), 50.0);
    assert_eq!(cell("drawn", "1"), 100.0);
    assert_eq!(cell("0", "2"), 100.0);
    let total: f64 = confusion
        .iter()
        .map(|r| r["length_um"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, 550.0);
    assert!((summary.agreement.class_agreement.unwrap() - 2.0 / 3.0).abs() < 1e-12);

    // sites.csv: corrected values, `reviewed`, the rater's unacceptable clip.
    let sites = csv_rows(&dir.path().join("sites.csv"));
    let site = |p: &str, s: &str| {
        sites
            .iter()
            .find(|r| r["patient"] == p && r["site"] == s)
            .unwrap()
            .clone()
    };
    close(&site("P1", "1")["tvd_mm_per_mm2"], 10.0);
    assert_eq!(site("P1", "1")["reviewed"], "true");
    close(&site("P1", "2")["ppv_pct"], 50.0);
    close(&site("P2", "1")["mfi"], 2.5);
    close(&site("P2", "2")["tvd_mm_per_mm2"], 10.0);
    assert_eq!(site("P2", "2")["reviewed"], "false");
    assert_eq!(site("P3", "1")["quality_acceptable"], "false");
    assert_eq!(site("P3", "1")["review_unacceptable_reason"], "pressure");
    // patients.csv: P1 day 1 averages its two corrected sites; P3 has no acceptable site.
    let patients = csv_rows(&dir.path().join("patients.csv"));
    let p1 = patients.iter().find(|r| r["patient"] == "P1").unwrap();
    close(&p1["tvd_mm_per_mm2"], 15.0);
    assert_eq!(p1["n_sites_reviewed"], "2");
    let p3 = patients.iter().find(|r| r["patient"] == "P3").unwrap();
    assert_eq!(p3["n_sites"], "0");
    assert_eq!(p3["tvd_mm_per_mm2"], "");

    // The score JSONs are untouched, and nothing was written outside review/ but the tables.
    let score: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("clips/P1_1_1.score.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(score["vessels"].as_array().unwrap().len(), 2);
    let review: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("review/P2_1_1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(review["version"], 5);
    assert_eq!(review["edits"].as_array().unwrap().len(), 1);
    assert_eq!(review["log"].as_array().unwrap().len(), 5);
    assert_eq!(review["log"][1]["event"], "undo");
}

#[test]
fn without_edits_the_recomputed_metrics_are_the_scorers() {
    let dir = tempfile::tempdir().unwrap();
    build_folder(dir.path());
    let store = Store::new(Catalog::open(dir.path(), None).unwrap());
    for entry in &store.catalog.clips {
        let score = store.catalog.score(entry).unwrap();
        let corrected = mcvideo_review::corrections::apply(&score, &[]).unwrap();
        assert_eq!(corrected.metrics, score.metrics);
        assert!(!corrected.reviewed);
    }
}

#[test]
fn bad_edits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    build_folder(dir.path());
    let store = Store::new(Catalog::open(dir.path(), None).unwrap());
    let refused = |action: Action| {
        store
            .edit(
                "P1_1_1",
                &EditRequest {
                    base_version: 0,
                    action,
                },
                |_| None,
            )
            .is_err()
    };
    assert!(refused(Action::SetClass {
        vessel: VesselKey::Auto(7),
        class: FlowClass::Intermittent
    }));
    assert!(refused(Action::Draw {
        centerline_px: vec![[0.0, 0.0]],
        class: FlowClass::Intermittent,
        diameter_um: Some(5.0)
    }));
    assert!(refused(Action::Draw {
        centerline_px: vec![[0.0, 0.0], [500.0, 0.0]],
        class: FlowClass::Intermittent,
        diameter_um: Some(5.0)
    }));
    assert!(refused(Action::Draw {
        centerline_px: vec![[0.0, 0.0], [50.0, 0.0]],
        class: FlowClass::Intermittent,
        diameter_um: None
    }));
    assert!(refused(Action::Undo {}));
    assert!(store
        .edit(
            "nope",
            &EditRequest {
                base_version: 0,
                action: Action::Confirm {}
            },
            |_| None
        )
        .is_err());
    assert!(!dir.path().join("review/P1_1_1.json").exists());
    // A class beyond 3 and unknown fields in a request are refused by the schema.
    let class_four: Result<EditRequest, _> = serde_json::from_str(
        r#"{"base_version":0,"action":{"op":"set_class","vessel":"a0","class":4}}"#,
    );
    assert!(class_four.is_err());
    let unknown: Result<EditRequest, _> =
        serde_json::from_str(r#"{"base_version":0,"action":{"op":"confirm","extra":1}}"#);
    assert!(unknown.is_err());
    let unknown: Result<EditRequest, _> = serde_json::from_str(
        r#"{"base_version":0,"action":{"op":"set_class","vessel":"a0","class":1},"x":2}"#,
    );
    assert!(unknown.is_err());
    let known: EditRequest = serde_json::from_str(
        r#"{"base_version":0,"action":{"op":"set_class","vessel":"a0","class":1}}"#,
    )
    .unwrap();
    assert_eq!(
        known.action,
        Action::SetClass {
            vessel: VesselKey::Auto(0),
            class: FlowClass::Intermittent
        }
    );
}

#[test]
fn a_rescored_clip_marks_its_review_stale() {
    let dir = tempfile::tempdir().unwrap();
    build_folder(dir.path());
    let store = Store::new(Catalog::open(dir.path(), None).unwrap());
    edit(
        &store,
        "P1_1_1",
        0,
        Action::Delete {
            vessel: VesselKey::Auto(1),
        },
    );
    assert!(export(&store).unwrap().stale.is_empty());
    // The batch writes a new score JSON for the clip (same vessels, other timings).
    let path = dir.path().join("clips/P1_1_1.score.json");
    let mut score: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    score["timings_ms"] = serde_json::json!({"total": 1.0});
    std::fs::write(&path, serde_json::to_string(&score).unwrap()).unwrap();
    assert_eq!(export(&store).unwrap().stale, vec!["P1_1_1".to_string()]);
}

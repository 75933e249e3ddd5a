//! `--import-ava` on the hand-built AVA export folder `fixtures/ava`: what is read from each
//! file (UTF-16, Latin-1, UTF-8 with a mark, a malformed report, a CCTools export), what is
//! reported, the clips matched by file stem, and `agreement_ava.csv` against Bland–Altman and
//! ICC(A,1) computed here from the automatic values and the AVA values typed from the files.

use mcvideo_review::{Catalog, Store};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

use crate::common::{score_json, vessel, write};
use mcvideo_testkit::csv_table::csv_rows;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ava")
}

/// Six clips `videos/clipA.avi` … `videos/clipF.avi` (patients A … F) with score JSONs and
/// the batch's sites.csv.
fn build_archive(dir: &Path) {
    let clips: Vec<(&str, Vec<Value>)> = vec![
        (
            "A",
            vec![
                vessel(0, [0.0, 10.0], [100.0, 10.0], 3),
                vessel(1, [0.0, 40.0], [100.0, 40.0], 3),
            ],
        ),
        (
            "B",
            vec![
                vessel(0, [0.0, 10.0], [100.0, 10.0], 3),
                vessel(1, [0.0, 70.0], [100.0, 70.0], 0),
            ],
        ),
        (
            "C",
            vec![
                vessel(0, [0.0, 20.0], [100.0, 20.0], 3),
                vessel(1, [10.0, 60.0], [60.0, 60.0], 2),
                vessel(2, [60.0, 0.0], [60.0, 100.0], 3),
            ],
        ),
        (
            "D",
            vec![
                vessel(0, [0.0, 20.0], [100.0, 20.0], 1),
                vessel(1, [0.0, 50.0], [100.0, 50.0], 3),
            ],
        ),
        ("E", vec![vessel(0, [0.0, 30.0], [100.0, 30.0], 3)]),
        ("F", vec![vessel(0, [0.0, 30.0], [80.0, 30.0], 2)]),
    ];
    let mut rows = Vec::new();
    for (patient, vessels) in clips {
        let path = format!("videos/clip{patient}.avi");
        let mut score = score_json(vessels, true);
        score["clip"]["path"] = json!(path);
        write(
            &dir.join(format!("clips/{patient}_1_1.score.json")),
            &serde_json::to_string_pretty(&score).unwrap(),
        );
        let metrics: mcvideo_metrics::SiteMetrics =
            serde_json::from_value(score["metrics"].clone()).unwrap();
        rows.push(mcvideo_batch::tables::SiteRow {
            patient: patient.into(),
            day: "1".into(),
            site: "1".into(),
            path,
            metrics: metrics.columns().into_iter().map(|(_, v)| v).collect(),
            quality_score: 0.0,
            acceptable: true,
        });
    }
    mcvideo_batch::tables::write_sites(&dir.join("sites.csv"), &rows).unwrap();
    mcvideo_batch::tables::write_patients(&dir.join("patients.csv"), &rows).unwrap();
}

fn automatic(dir: &Path, patient: &str, column: &str) -> f64 {
    let text =
        std::fs::read_to_string(dir.join(format!("clips/{patient}_1_1.score.json"))).unwrap();
    let score: Value = serde_json::from_str(&text).unwrap();
    score["metrics"][column].as_f64().unwrap()
}

/// Bland–Altman (bias, SD, lower, upper) of method − reference, and ICC(A,1) of McGraw and
/// Wong from the n × 2 table's mean squares.
fn expected(pairs: &[(f64, f64)]) -> (f64, f64, f64, f64, f64) {
    let n = pairs.len() as f64;
    let d: Vec<f64> = pairs.iter().map(|(a, b)| a - b).collect();
    let bias = d.iter().sum::<f64>() / n;
    let sd = (d.iter().map(|x| (x - bias).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let all: Vec<f64> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
    let grand = all.iter().sum::<f64>() / (2.0 * n);
    let row_means: Vec<f64> = pairs.iter().map(|(a, b)| (a + b) / 2.0).collect();
    let col_means = [
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    ];
    let msr = 2.0 * row_means.iter().map(|r| (r - grand).powi(2)).sum::<f64>() / (n - 1.0);
    let msc = n * col_means.iter().map(|c| (c - grand).powi(2)).sum::<f64>();
    let residual: f64 = pairs
        .iter()
        .zip(&row_means)
        .map(|((a, b), r)| {
            (a - r - col_means[0] + grand).powi(2) + (b - r - col_means[1] + grand).powi(2)
        })
        .sum();
    let mse = residual / (n - 1.0);
    let icc = (msr - mse) / (msr + mse + 2.0 * (msc - mse) / n);
    (bias, sd, bias - 1.96 * sd, bias + 1.96 * sd, icc)
}

fn close(actual: &str, expected: f64) {
    let value: f64 = actual
        .parse()
        .unwrap_or_else(|_| panic!("'{actual}' is no number"));
    assert!(
        (value - expected).abs() < 1e-9,
        "{value} vs {expected} (expected)"
    );
}

#[test]
fn a_hand_built_ava_folder_is_read_matched_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    build_archive(dir.path());
    let store = Store::new(Catalog::open(dir.path(), None).unwrap());
    let import = mcvideo_review::ava::import_ava(&store, &fixture()).unwrap();

    // Six exports with values (notes.txt is none), five matched; clipF has none.
    assert_eq!(import.scorings, 6);
    let matched: Vec<(&str, &str)> = import
        .matched
        .iter()
        .map(|m| (m.clip_id.as_str(), m.ava_file.as_str()))
        .collect();
    assert_eq!(
        matched,
        [
            ("A_1_1", "clipA_Report1.txt"),
            ("B_1_1", "clipB_Report1.txt"),
            ("C_1_1", "sub/clipC_Report1.txt"),
            ("D_1_1", "clipD_Report1.txt"),
            ("E_1_1", "clipE.txt"),
        ]
    );
    assert_eq!(import.clips_without_ava, ["F_1_1"]);
    assert_eq!(import.ava_without_clip, ["orphan_Report1.txt"]);

    // What could not be read, with file and line.
    let warnings: Vec<(String, Option<usize>, String)> = import
        .warnings
        .iter()
        .map(|w| (w.file.clone(), w.line, w.problem.clone()))
        .collect();
    let has = |file: &str, line: Option<usize>, text: &str| {
        assert!(
            warnings
                .iter()
                .any(|(f, l, p)| f == file && *l == line && p.contains(text)),
            "no warning {file}:{line:?} '{text}' in {warnings:?}"
        );
    };
    has("clipD_Report1.txt", Some(3), "cannot read 'n.a.'");
    has("clipD_Report1.txt", None, "no PVD line");
    has("clipE.txt", None, "no PPV line");
    has(
        "sub/clipC_Report1.txt",
        Some(10),
        "MFI: no small-vessel value",
    );
    has("notes.txt", None, "not an AVA Report1 or CCTools export");
    assert_eq!(warnings.len(), 5, "{warnings:?}");

    // The AVA values, typed from the files (see fixtures/ava/README.md), per metric and clip.
    let ava: [(&str, [(&str, f64); 5]); 4] = [
        (
            "tvd_mm_per_mm2",
            [
                ("A", 18.4),
                ("B", 12.0),
                ("C", 21.3),
                ("E", 9.8),
                ("", f64::NAN),
            ],
        ),
        (
            "pvd_mm_per_mm2",
            [
                ("A", 16.1),
                ("B", 6.0),
                ("C", 21.3),
                ("E", 9.8),
                ("", f64::NAN),
            ],
        ),
        (
            "ppv_pct",
            [
                ("A", 87.5),
                ("B", 50.0),
                ("C", 100.0),
                ("D", 66.7),
                ("", f64::NAN),
            ],
        ),
        (
            "mfi",
            [
                ("A", 2.75),
                ("B", 1.5),
                ("C", 2.875),
                ("D", 2.25),
                ("E", 3.0),
            ],
        ),
    ];
    let rows = csv_rows(&dir.path().join("review/agreement_ava.csv"));
    assert_eq!(rows.len(), 4);
    for (column, values) in ava {
        let pairs: Vec<(f64, f64)> = values
            .iter()
            .filter(|(p, _)| !p.is_empty())
            .map(|(p, v)| (automatic(dir.path(), p, column), *v))
            .collect();
        let row = rows.iter().find(|r| r["metric"] == column).unwrap();
        assert_eq!(row["n"], pairs.len().to_string(), "{column}");
        let (bias, sd, lower, upper, icc) = expected(&pairs);
        close(&row["bias"], bias);
        close(&row["sd"], sd);
        close(&row["loa_lower"], lower);
        close(&row["loa_upper"], upper);
        close(&row["icc"], icc);
        let mean_ava = pairs.iter().map(|p| p.1).sum::<f64>() / pairs.len() as f64;
        close(&row["mean_ava"], mean_ava);
    }

    // The pairs and the unmatched files are written beside it.
    let clips = csv_rows(&dir.path().join("review/ava_clips.csv"));
    assert_eq!(clips.len(), 5);
    let d = clips.iter().find(|r| r["clip_id"] == "D_1_1").unwrap();
    assert_eq!(d["ava_tvd"], "");
    close(&d["ava_ppv"], 66.7);
    close(
        &d["automatic_tvd"],
        automatic(dir.path(), "D", "tvd_mm_per_mm2"),
    );
    let unmatched = csv_rows(&dir.path().join("review/ava_unmatched.csv"));
    let kinds: Vec<(&str, &str)> = unmatched
        .iter()
        .map(|r| (r["kind"].as_str(), r["name"].as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("clip_without_ava", "F_1_1"),
            ("ava_without_clip", "orphan_Report1.txt")
        ]
    );
    assert_eq!(
        csv_rows(&dir.path().join("review/ava_warnings.csv")).len(),
        5
    );
    // The page's agreement section reads the same figures back.
    let (matched, metrics) = mcvideo_review::ava::saved_agreement(&store)
        .unwrap()
        .unwrap();
    assert_eq!(matched, 5);
    assert_eq!(metrics, import.agreement);
}

#[test]
fn clips_sharing_a_stem_are_told_apart_by_folder_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();
    for (patient, path) in [("P1", "P1/1.avi"), ("P2", "P2/1.avi")] {
        let mut score = score_json(vec![vessel(0, [0.0, 10.0], [100.0, 10.0], 3)], true);
        score["clip"]["path"] = json!(path);
        write(
            &dir.path().join(format!("clips/{patient}_1_1.score.json")),
            &score.to_string(),
        );
        let metrics: mcvideo_metrics::SiteMetrics =
            serde_json::from_value(score["metrics"].clone()).unwrap();
        rows.push(mcvideo_batch::tables::SiteRow {
            patient: patient.into(),
            day: "1".into(),
            site: "1".into(),
            path: path.into(),
            metrics: metrics.columns().into_iter().map(|(_, v)| v).collect(),
            quality_score: 0.0,
            acceptable: true,
        });
    }
    mcvideo_batch::tables::write_sites(&dir.path().join("sites.csv"), &rows).unwrap();
    let ava = tempfile::tempdir().unwrap();
    let report = "Total Vessel Density (TVD) (mm/mm2)\t9,5\t0\t9,5\n";
    write(&ava.path().join("P2/1_Report1.txt"), report);
    write(&ava.path().join("1_Report1.txt"), report);
    let store = Store::new(Catalog::open(dir.path(), None).unwrap());
    let import = mcvideo_review::ava::import_ava(&store, ava.path()).unwrap();
    assert_eq!(import.matched.len(), 1);
    assert_eq!(import.matched[0].clip_id, "P2_1_1");
    assert_eq!(import.ava_without_clip, ["1_Report1.txt"]);
    assert!(import
        .warnings
        .iter()
        .any(|w| w.file == "1_Report1.txt" && w.problem.contains("2 clips are named '1'")));
    // A missing folder is an error naming it, not a panic.
    let missing = dir.path().join("no-such-folder");
    let error = mcvideo_review::ava::import_ava(&store, &missing).unwrap_err();
    assert!(error.to_string().contains("no-such-folder"), "{error}");
}

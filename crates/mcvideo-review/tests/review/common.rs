//! A hand-built batch folder shared by the tests: five clips of straight capillaries in a
//! 100 x 100 µm field at 1 µm/px, with score JSONs and tables as the batch writes them.

use serde_json::{json, Value};
use std::path::Path;

pub fn vessel(id: usize, from: [f64; 2], to: [f64; 2], class: u8) -> Value {
    json!({
        "id": id, "centerline_px": [from, to],
        "length_um": ((to[0] - from[0]).powi(2) + (to[1] - from[1]).powi(2)).sqrt(),
        "diameter_um": 6.0, "flow_class": class,
        "velocity_um_s": if class >= 2 { Some(500.0) } else { None },
        "velocity_at_least": false, "flowing_fraction": if class >= 2 { 1.0 } else { 0.0 },
        "flow_unresolved": false,
    })
}

/// A score JSON as the scorer writes it: 1 µm/px, valid region the whole 100 x 100 frame,
/// metrics from the vessels by the metrics crate (as the pipeline computes them).
pub fn score_json(vessels: Vec<Value>, acceptable: bool) -> Value {
    let measured: Vec<mcvideo_metrics::MeasuredVessel> = vessels
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect();
    let params = mcvideo_metrics::MetricsParams {
        um_per_px: 1.0,
        small_vessel_cutoff_um: 20.0,
        valid_region: [0.0, 0.0, 100.0, 100.0],
    };
    let metrics = mcvideo_metrics::site_metrics(&measured, &params).unwrap();
    json!({
        "schema": "mcvideo.score.v1",
        "clip": { "path": "x.avi", "frames": 2, "fps": 25.0, "width": 100, "height": 100,
                  "duration_s": 0.08, "codec": "ffv1", "polarity": "dark" },
        "calibration": { "um_per_px": 1.0, "device": null, "source": "--um-per-px" },
        "stabilization": {
            "shifts_px": [[0.0, 0.0], [0.0, 0.0]], "reference_frame": 0, "residual_rms_px": 0.0,
            "valid_region": [0.0, 0.0, 100.0, 100.0], "kept": [true, true], "unregistered_frames": 0,
            "max_displacement_px": 0.0, "max_displacement_all_px": 0.0, "shift_range_px": [0.0, 0.0],
            "max_jump_px": 0.0, "blurred_frames": 0, "width": 100, "height": 100, "downsample": 1,
            "frames": []
        },
        "quality": { "score": if acceptable { 0 } else { 10 }, "acceptable": acceptable, "flags": [] },
        "vessels": vessels,
        "metrics": metrics,
    })
}

pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

pub fn build_folder(dir: &Path) {
    let clips = [
        (
            "P1",
            "1",
            "1",
            vec![
                vessel(0, [0.0, 10.0], [100.0, 10.0], 3),
                vessel(1, [10.0, 30.0], [60.0, 30.0], 3),
            ],
        ),
        (
            "P1",
            "1",
            "2",
            vec![vessel(0, [0.0, 10.0], [100.0, 10.0], 3)],
        ),
        (
            "P2",
            "1",
            "1",
            vec![
                vessel(0, [0.0, 10.0], [100.0, 10.0], 3),
                vessel(1, [0.0, 70.0], [100.0, 70.0], 0),
            ],
        ),
        (
            "P2",
            "1",
            "2",
            vec![vessel(0, [0.0, 20.0], [100.0, 20.0], 3)],
        ),
        (
            "P3",
            "1",
            "1",
            vec![vessel(0, [0.0, 20.0], [100.0, 20.0], 1)],
        ),
    ];
    let mut sites = String::from("patient,day,site,path\n");
    for (p, d, s, vessels) in clips {
        let path = format!("{p}/{d}/{s}.avi");
        let mut score = score_json(vessels, true);
        score["clip"]["path"] = json!(path);
        write(
            &dir.join(format!("clips/{p}_{d}_{s}.score.json")),
            &serde_json::to_string_pretty(&score).unwrap(),
        );
        sites.push_str(&format!("{p},{d},{s},{path}\n"));
    }
    // The batch's sites.csv, as the tables crate writes it.
    let rows: Vec<mcvideo_batch::tables::SiteRow> = sites
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let score: Value = serde_json::from_str(
                &std::fs::read_to_string(
                    dir.join(format!("clips/{}_{}_{}.score.json", f[0], f[1], f[2])),
                )
                .unwrap(),
            )
            .unwrap();
            let m: mcvideo_metrics::SiteMetrics =
                serde_json::from_value(score["metrics"].clone()).unwrap();
            mcvideo_batch::tables::SiteRow {
                patient: f[0].into(),
                day: f[1].into(),
                site: f[2].into(),
                path: f[3].into(),
                metrics: m.columns().into_iter().map(|(_, v)| v).collect(),
                quality_score: 0.0,
                acceptable: true,
            }
        })
        .collect();
    mcvideo_batch::tables::write_sites(&dir.join("sites.csv"), &rows).unwrap();
    mcvideo_batch::tables::write_patients(&dir.join("patients.csv"), &rows).unwrap();
}

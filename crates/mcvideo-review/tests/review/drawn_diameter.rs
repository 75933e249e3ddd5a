//! A vessel drawn by the rater gets its diameter from the picture: on a synthetic clip whose
//! vessel diameters are known (the synthesizer's truth), the diameter measured along each
//! true centerline follows the true one, capillaries and venules alike.

use mcvideo_review::media::Media;
use mcvideo_review::ScoreData;
use serde_json::json;
use std::path::Path;

use crate::common;

#[test]
fn a_drawn_vessel_is_measured_on_the_mean_image() {
    let params = mcvideo_synth::SynthParams {
        seed: 7,
        duration_s: 1.0,
        motion: 0.0,
        venules: 2,
        capillary_diameter_um: [5.0, 12.0],
        venule_diameter_um: [20.0, 30.0],
        ..Default::default()
    };
    let (frames, truth) = mcvideo_synth::render(&params).unwrap();
    assert!(truth.shifts_px.iter().all(|s| s == &[0.0, 0.0]));
    let mut score = common::score_json(Vec::new(), true);
    score["clip"]["width"] = json!(truth.width);
    score["clip"]["height"] = json!(truth.height);
    score["clip"]["fps"] = json!(truth.fps);
    score["calibration"]["um_per_px"] = json!(truth.um_per_px);
    let stabilization = &mut score["stabilization"];
    stabilization["shifts_px"] = json!(vec![[0.0, 0.0]; frames.len()]);
    stabilization["kept"] = json!(vec![true; frames.len()]);
    stabilization["valid_region"] = json!(truth.valid_region);
    stabilization["width"] = json!(truth.width);
    stabilization["height"] = json!(truth.height);
    let score = ScoreData::from_value(&score, Path::new("synthetic.score.json")).unwrap();
    let media = Media::from_frames("synthetic", frames, &score).unwrap();

    // Every vessel long enough to show a profile, away from the picture's edge.
    let inside = |p: &[f64; 2]| {
        p[0] > 15.0
            && p[1] > 15.0
            && p[0] < f64::from(truth.width) - 15.0
            && p[1] < f64::from(truth.height) - 15.0
    };
    let mut pairs = Vec::new();
    for vessel in &truth.vessels {
        let line: Vec<[f64; 2]> = vessel
            .centerline_px
            .iter()
            .copied()
            .filter(inside)
            .collect();
        if line.len() < 25 {
            continue;
        }
        if let Some(measured) = media.measure_diameter_um(&line) {
            pairs.push((vessel.diameter_um, measured));
        }
    }
    eprintln!("true vs measured diameter (µm): {pairs:?}");
    assert!(pairs.len() >= 8, "too few vessels measured: {pairs:?}");
    let relative: Vec<f64> = {
        let mut r: Vec<f64> = pairs.iter().map(|(t, m)| (m - t).abs() / t).collect();
        r.sort_by(f64::total_cmp);
        r
    };
    let median = relative[relative.len() / 2];
    assert!(median < 0.25, "median relative error {median}: {pairs:?}");
    // Not a constant: the measure follows the true diameter across vessels.
    let n = pairs.len() as f64;
    let (mt, mm) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let cov: f64 = pairs.iter().map(|(t, m)| (t - mt) * (m - mm)).sum();
    let (vt, vm): (f64, f64) = (
        pairs.iter().map(|(t, _)| (t - mt).powi(2)).sum(),
        pairs.iter().map(|(_, m)| (m - mm).powi(2)).sum(),
    );
    let correlation = cov / (vt * vm).sqrt();
    assert!(correlation > 0.8, "correlation {correlation}: {pairs:?}");
    let widest = pairs.iter().max_by(|a, b| a.0.total_cmp(&b.0)).unwrap();
    assert!(
        widest.0 >= 20.0 && widest.1 >= 15.0,
        "the venule, {} µm, measured {} µm",
        widest.0,
        widest.1
    );
}

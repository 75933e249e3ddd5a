//! Scoring of detected vessels against known centerlines (synthetic ground truth): detected
//! and false length, centerline position error, diameter error, small-vessel length.

use mcvideo_vessels::polyline::{clip_to_rect, distance_to, length};
use mcvideo_vessels::VesselSegment;
use serde::Serialize;

/// A true vessel: centerline in reference-frame px and diameter in px.
#[derive(Debug, Clone, PartialEq)]
pub struct TrueVessel {
    pub centerline_px: Vec<[f64; 2]>,
    pub diameter_px: f64,
}

/// Agreement of a detection with the truth, lengths in px clipped to the region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// True small-vessel length (diameter < cutoff).
    pub true_small_length_px: f64,
    /// Detected small-vessel length.
    pub detected_small_length_px: f64,
    /// Share of the true small-vessel length within tolerance of some detected centerline.
    pub small_detected_fraction: f64,
    /// Share of the detected small-vessel length farther than tolerance from every true vessel.
    pub small_false_fraction: f64,
    /// Same two shares over all vessels.
    pub all_detected_fraction: f64,
    pub all_false_fraction: f64,
    /// Median distance (px) from matched detected centerline points to the true centerline.
    pub median_position_error_px: f64,
    /// Median |measured - true| diameter (px) over true vessels in the diameter window that
    /// were matched, each vessel's measured diameter being the length-weighted mean of the
    /// detected segments lying along it.
    pub median_diameter_error_px: f64,
    /// Median signed diameter error (px) over the same vessels.
    pub median_diameter_bias_px: f64,
    /// Number of true vessels that entered the diameter statistics.
    pub diameter_vessels: usize,
}

/// Points every `step` px along a polyline, each with the length it stands for.
fn samples(line: &[[f64; 2]], step: f64) -> Vec<([f64; 2], f64)> {
    let mut out = Vec::new();
    for w in line.windows(2) {
        let len = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
        let n = (len / step).ceil().max(1.0) as usize;
        for k in 0..n {
            let t = (k as f64 + 0.5) / n as f64;
            out.push((
                [
                    w[0][0] + t * (w[1][0] - w[0][0]),
                    w[0][1] + t * (w[1][1] - w[0][1]),
                ],
                len / n as f64,
            ));
        }
    }
    out
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

/// Compares detections with the truth inside `region`. A point matches a true vessel when
/// it lies within `max(2 px, true radius)` of its centerline. Vessels are small below
/// `small_cutoff_px`; diameters are scored for true diameters in `diameter_window_px`.
///
/// ```
/// use mcvideo_testkit::evaluate::{compare, TrueVessel};
/// use mcvideo_vessels::VesselSegment;
/// let truth = vec![TrueVessel { centerline_px: vec![[0.0, 10.0], [100.0, 10.0]], diameter_px: 6.0 }];
/// let found = vec![VesselSegment { id: 0, centerline_px: vec![[0.0, 10.5], [50.0, 10.5]], length_px: 50.0,
///     diameter_px: 7.0, diameter_um: 7.0, small: true, contrast: 0.1 }];
/// let c = compare(&truth, &found, [0.0, 0.0, 100.0, 20.0], 20.0, [4.0, 30.0]);
/// // Covered: x up to 50 plus the 3 px tolerance reach past the detection's end.
/// assert!((c.small_detected_fraction - 0.53).abs() < 0.01);
/// assert_eq!(c.small_false_fraction, 0.0);
/// assert!((c.median_position_error_px - 0.5).abs() < 1e-9);
/// assert!((c.median_diameter_error_px - 1.0).abs() < 1e-9);
/// ```
pub fn compare(
    truth: &[TrueVessel],
    detected: &[VesselSegment],
    region: [f64; 4],
    small_cutoff_px: f64,
    diameter_window_px: [f64; 2],
) -> Comparison {
    let tol = |v: &TrueVessel| (0.5 * v.diameter_px).max(2.0);
    let truth_clipped: Vec<Vec<Vec<[f64; 2]>>> = truth
        .iter()
        .map(|v| clip_to_rect(&v.centerline_px, region))
        .collect();
    let det_clipped: Vec<Vec<Vec<[f64; 2]>>> = detected
        .iter()
        .map(|v| clip_to_rect(&v.centerline_px, region))
        .collect();
    let step = 0.5;

    // Truth side: how much of each true vessel is covered.
    let (mut small_true, mut small_hit, mut all_true, mut all_hit) = (0.0, 0.0, 0.0, 0.0);
    for (v, pieces) in truth.iter().zip(&truth_clipped) {
        let small = v.diameter_px < small_cutoff_px;
        for piece in pieces {
            for (p, w) in samples(piece, step) {
                let hit = det_clipped
                    .iter()
                    .flatten()
                    .any(|d| distance_to(p, d) <= tol(v));
                all_true += w;
                if hit {
                    all_hit += w;
                }
                if small {
                    small_true += w;
                    if hit {
                        small_hit += w;
                    }
                }
            }
        }
    }

    // Detection side: false length, position error, diameters per true vessel.
    let (mut small_det, mut small_false, mut all_det, mut all_false) = (0.0, 0.0, 0.0, 0.0);
    let mut position_errors = Vec::new();
    let mut diameter_sum = vec![0.0; truth.len()];
    let mut diameter_weight = vec![0.0; truth.len()];
    for (d, pieces) in detected.iter().zip(&det_clipped) {
        for piece in pieces {
            for (p, w) in samples(piece, step) {
                // Nearest true vessel relative to its tolerance.
                let best = truth_clipped
                    .iter()
                    .enumerate()
                    .flat_map(|(i, ps)| ps.iter().map(move |l| (i, l)))
                    .map(|(i, l)| (i, distance_to(p, l)))
                    .min_by(|a, b| (a.1 - tol(&truth[a.0])).total_cmp(&(b.1 - tol(&truth[b.0]))));
                let matched = best.filter(|&(i, dist)| dist <= tol(&truth[i]));
                all_det += w;
                if d.small {
                    small_det += w;
                }
                match matched {
                    Some((i, dist)) => {
                        position_errors.push(dist);
                        diameter_sum[i] += w * d.diameter_px;
                        diameter_weight[i] += w;
                    }
                    None => {
                        all_false += w;
                        if d.small {
                            small_false += w;
                        }
                    }
                }
            }
        }
    }
    let mut diameter_errors = Vec::new();
    let mut diameter_bias = Vec::new();
    for (i, v) in truth.iter().enumerate() {
        let in_window =
            v.diameter_px >= diameter_window_px[0] && v.diameter_px <= diameter_window_px[1];
        if in_window && diameter_weight[i] > 0.5 * length(&v.centerline_px).min(10.0) {
            let measured = diameter_sum[i] / diameter_weight[i];
            diameter_errors.push((measured - v.diameter_px).abs());
            diameter_bias.push(measured - v.diameter_px);
        }
    }
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    Comparison {
        true_small_length_px: small_true,
        detected_small_length_px: small_det,
        small_detected_fraction: ratio(small_hit, small_true),
        small_false_fraction: ratio(small_false, small_det),
        all_detected_fraction: ratio(all_hit, all_true),
        all_false_fraction: ratio(all_false, all_det),
        median_position_error_px: median(&mut position_errors),
        median_diameter_error_px: median(&mut diameter_errors),
        median_diameter_bias_px: median(&mut diameter_bias),
        diameter_vessels: diameter_errors.len(),
    }
}

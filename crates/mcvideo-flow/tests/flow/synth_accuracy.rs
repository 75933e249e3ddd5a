//! Flow-stage accuracy against `mcvideo-synth` ground truth, with the TRUE centerlines and
//! camera shifts (so the numbers isolate this stage): flow-class accuracy by length and the
//! median absolute relative velocity error of continuous capillaries within range.
//!
//! The ignored `accuracy_table` (acceptance tier, `tools/acceptance.sh`) prints the table of
//! the 12-clip suite and asserts the README's targets, flow class right for ≥ 85% of the
//! length and median velocity error ≤ 15%, pooled and per clip (on the mean over the clips
//! and on at least 90% of them); the regular test checks one small clip.

use mcvideo_flow::{measure_vessels, FlowParams};
use mcvideo_metrics::FlowClass;
use mcvideo_synth::{render, SynthParams};
use mcvideo_testkit::targets::{assert_verdicts, on_clips, Bound};

/// Per-clip tallies.
#[derive(Debug, Default, Clone)]
struct Tally {
    length_um: f64,
    correct_length_um: f64,
    capillary_length_um: f64,
    capillary_correct_um: f64,
    /// Relative velocity errors of continuous capillaries whose true speed is in range.
    velocity_errors: Vec<f64>,
    /// Continuous capillaries faster than range, and how many were reported `at_least`.
    beyond_range: usize,
    beyond_flagged: usize,
    /// Of those, how many got a finite velocity that was not flagged (a wrong number).
    beyond_wrong: usize,
    /// Confusion matrix [truth][measured] by count.
    confusion: [[usize; 4]; 4],
}

fn evaluate(params: &SynthParams) -> Tally {
    let (frames, truth) = render(params).expect("synth parameters are valid");
    let um = truth.um_per_px;
    let vessels: Vec<(Vec<[f64; 2]>, f64)> = truth
        .vessels
        .iter()
        .map(|v| (v.centerline_px.clone(), v.diameter_um / um))
        .collect();
    let flows = measure_vessels(
        &frames,
        &truth.shifts_px,
        &vessels,
        truth.fps,
        um,
        &FlowParams::default(),
    );
    let mut t = Tally::default();
    for (v, f) in truth.vessels.iter().zip(&flows) {
        t.length_um += v.length_um;
        let ok = v.flow_class == f.flow_class;
        if ok {
            t.correct_length_um += v.length_um;
        }
        t.confusion[v.flow_class.index()][f.flow_class.index()] += 1;
        if v.small {
            t.capillary_length_um += v.length_um;
            if ok {
                t.capillary_correct_um += v.length_um;
            }
            if v.flow_class == FlowClass::Continuous
                && let Some(true_v) = v.velocity_um_s
            {
                if true_v <= f.v_max_um_s {
                    let measured = f.velocity_um_s.unwrap_or(0.0);
                    t.velocity_errors.push((measured - true_v).abs() / true_v);
                } else {
                    t.beyond_range += 1;
                    if f.at_least {
                        t.beyond_flagged += 1;
                    } else if f.velocity_um_s.is_some() {
                        t.beyond_wrong += 1;
                    }
                }
            }
        }
    }
    t
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    }
}

/// The suite: seeds, scales, 25/30 fps, flow mixes, motion and noise.
fn suite() -> Vec<(String, SynthParams)> {
    let mixes = [
        [0.1, 0.1, 0.2, 0.6],
        [0.25, 0.25, 0.25, 0.25],
        [0.0, 0.1, 0.1, 0.8],
        [0.3, 0.3, 0.3, 0.1],
    ];
    (0..12u64)
        .map(|i| {
            let p = SynthParams {
                width: 320,
                height: 240,
                duration_s: 3.0,
                seed: 100 + i,
                fps: if i % 2 == 0 { 25.0 } else { 30.0 },
                um_per_px: [1.0, 1.2, 1.5][(i % 3) as usize],
                flow_mix: mixes[(i % 4) as usize],
                motion: [0.5, 1.0, 2.0][(i / 4) as usize % 3],
                noise: [0.5, 1.0, 1.5, 2.0][(i / 3) as usize % 4],
                ..SynthParams::default()
            };
            let name = format!(
                "seed {} fps {} um/px {} mix {:?} motion {} noise {}",
                p.seed, p.fps, p.um_per_px, p.flow_mix, p.motion, p.noise
            );
            (name, p)
        })
        .collect()
}

#[test]
#[ignore = "acceptance tier: tools/acceptance.sh (release, about a minute)"]
fn accuracy_table() {
    let mut all = Tally::default();
    let (mut clip_accuracy, mut clip_velocity_error) = (Vec::new(), Vec::new());
    println!("| clip | vessels | class acc. by length | capillaries | median rel. v error (n) | beyond range flagged |");
    println!("|---|---|---|---|---|---|");
    for (name, params) in suite() {
        let mut t = evaluate(&params);
        let n: usize = t.confusion.iter().flatten().sum();
        clip_accuracy.push(100.0 * t.correct_length_um / t.length_um);
        // A clip without continuous capillaries in range has no velocity figure.
        if !t.velocity_errors.is_empty() {
            clip_velocity_error.push(100.0 * median(&mut t.velocity_errors));
        }
        println!(
            "| {name} | {n} | {:.1}% | {:.1}% | {:.1}% ({}) | {}/{} |",
            100.0 * t.correct_length_um / t.length_um,
            100.0 * t.capillary_correct_um / t.capillary_length_um,
            100.0 * median(&mut t.velocity_errors),
            t.velocity_errors.len(),
            t.beyond_flagged,
            t.beyond_range
        );
        all.length_um += t.length_um;
        all.correct_length_um += t.correct_length_um;
        all.capillary_length_um += t.capillary_length_um;
        all.capillary_correct_um += t.capillary_correct_um;
        all.velocity_errors.extend(t.velocity_errors);
        all.beyond_range += t.beyond_range;
        all.beyond_flagged += t.beyond_flagged;
        all.beyond_wrong += t.beyond_wrong;
        for (a, b) in all.confusion.iter_mut().zip(t.confusion) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }
    let accuracy = all.correct_length_um / all.length_um;
    let err = median(&mut all.velocity_errors);
    println!(
        "| all | {} | {:.1}% | {:.1}% | {:.1}% ({}) | {}/{} |",
        all.confusion.iter().flatten().sum::<usize>(),
        100.0 * accuracy,
        100.0 * all.capillary_correct_um / all.capillary_length_um,
        100.0 * err,
        all.velocity_errors.len(),
        all.beyond_flagged,
        all.beyond_range
    );
    println!(
        "beyond range with an unflagged velocity: {}/{}",
        all.beyond_wrong, all.beyond_range
    );
    println!(
        "confusion (rows truth 0..3, columns measured 0..3): {:?}",
        all.confusion
    );
    assert!(accuracy >= 0.85, "class accuracy by length {accuracy}");
    assert!(err <= 0.15, "median relative velocity error {err}");
    assert_verdicts(
        "flow stage, 12 clips, per clip",
        &[
            on_clips(
                "flow class right by length %",
                &clip_accuracy,
                Bound::AtLeast(85.0),
            ),
            on_clips(
                "median velocity error % of continuous capillaries",
                &clip_velocity_error,
                Bound::AtMost(15.0),
            ),
        ],
    );
}

#[test]
fn small_synth_clip_meets_the_targets() {
    let params = SynthParams {
        width: 200,
        height: 160,
        duration_s: 2.0,
        seed: 5,
        ..SynthParams::default()
    };
    let mut t = evaluate(&params);
    let accuracy = t.correct_length_um / t.length_um;
    let err = median(&mut t.velocity_errors);
    assert!(
        accuracy >= 0.85,
        "class accuracy by length {accuracy}: {:?}",
        t.confusion
    );
    assert!(err <= 0.15, "median relative velocity error {err}");
}

//! Stops need evidence: faint steady flow, standing cells, intermittent flow and a diagram
//! that shows nothing, each judged from a space-time diagram with known content.

use mcvideo_flow::{measure_flow, FlowParams, WindowState};
use mcvideo_metrics::FlowClass;
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// A train of blurred cells (Gaussian profiles of sigma 2 px, random spacing of 6-14 px)
/// of height `contrast` along `columns` px, offset by `offset(t)` px at frame t, plus white
/// noise of standard deviation `noise_sd` and a static lumen profile.
fn diagram(
    rows: usize,
    columns: usize,
    contrast: f64,
    noise_sd: f64,
    seed: u64,
    offset: impl Fn(usize) -> f64,
) -> Array2<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let spacing = rand_distr::Uniform::new(6.0, 14.0);
    let mut centres = Vec::new();
    let mut x = -2000.0;
    while x < 2000.0 {
        centres.push(x);
        x += spacing.sample(&mut rng);
    }
    let noise = Normal::new(0.0, noise_sd).expect("a valid sigma");
    Array2::from_shape_fn((rows, columns), |(t, x)| {
        let u = x as f64 - offset(t);
        let cells: f64 = centres
            .iter()
            .filter(|&&c| (c - u).abs() < 8.0)
            .map(|&c| (-(u - c).powi(2) / 8.0).exp())
            .sum();
        let lumen = 100.0 + 5.0 * (x as f64 / 9.0).sin();
        (lumen - contrast * cells + noise.sample(&mut rng)) as f32
    })
}

#[test]
fn faint_steady_flow_is_flowing_throughout() {
    // 240 frames at 120 fps of 2 px/frame (185 µm/s at 0.77 µm/px), cells as faint as the
    // noise: no single window shows a crisp streak, the whole clip shows the flow.
    let d = diagram(240, 60, 1.5, 1.5, 7, |t| 2.0 * t as f64);
    let flow = measure_flow(&d, 120.0, 0.77, &FlowParams::default());
    assert_eq!(flow.flow_class, FlowClass::Sluggish, "{flow:?}");
    assert!(flow.flowing_fraction >= 0.95, "{}", flow.flowing_fraction);
    let v = flow.velocity_um_s.expect("a velocity");
    assert!((v - 2.0 * 120.0 * 0.77).abs() < 0.1 * v, "{v}");
    // Without the faint-streak test and with every step judged on its own, the same flow
    // reads as no flow or intermittent: the case the evidence rule exists for.
    let strict = FlowParams {
        faint_min_z: 0.0,
        step_resolve_ratio: 0.0,
        ..FlowParams::default()
    };
    let old = measure_flow(&d, 120.0, 0.77, &strict);
    assert!(old.flow_class <= FlowClass::Intermittent, "{old:?}");
}

#[test]
fn standing_cells_are_stopped_not_unresolved() {
    // Crisp cells that never move, with noise: visible and still.
    let d = diagram(240, 60, 30.0, 1.5, 8, |_| 0.0);
    let flow = measure_flow(&d, 120.0, 0.77, &FlowParams::default());
    assert_eq!(
        (flow.flow_class, flow.flow_unresolved),
        (FlowClass::NoFlow, false),
        "{flow:?}"
    );
    assert_eq!(flow.velocity_um_s, None);
}

#[test]
fn intermittent_flow_keeps_its_stops() {
    // Crisp cells moving 3 px/frame during the first 30% of 250 frames at 25 fps, then
    // standing: the standing windows hold cells whose pattern persists.
    let d = diagram(250, 80, 30.0, 1.5, 9, |t| 3.0 * t.min(75) as f64);
    let flow = measure_flow(&d, 25.0, 1.0, &FlowParams::default());
    assert_eq!(flow.flow_class, FlowClass::Intermittent, "{flow:?}");
    assert!(
        (flow.flowing_fraction - 0.3).abs() < 0.1,
        "{}",
        flow.flowing_fraction
    );
    let stopped = flow
        .window_state
        .iter()
        .filter(|&&s| s == WindowState::Stopped)
        .count();
    assert!(stopped >= 7, "{:?}", flow.window_state);
}

#[test]
fn noise_alone_is_unresolved_not_no_flow() {
    // No lumen profile and no cells: nothing visible, nothing moving.
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let noise = Normal::new(0.0, 2.0).expect("a valid sigma");
    let d = Array2::from_shape_fn((240, 60), |_| (100.0 + noise.sample(&mut rng)) as f32);
    let flow = measure_flow(&d, 120.0, 0.77, &FlowParams::default());
    assert!(flow.flow_unresolved, "{flow:?}");
    assert_eq!(flow.unresolved_fraction, 1.0);
    assert_eq!(flow.velocity_um_s, None);
}

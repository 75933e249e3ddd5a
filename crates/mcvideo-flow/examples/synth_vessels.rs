//! Prints, per vessel of one synthetic clip, the true and the measured flow (debug aid).
//! Usage: `cargo run --release -p mcvideo-flow --example synth_vessels -- SEED [FPS] [UM_PER_PX] [NOISE] [MOTION] [--only 3,7]`
//!
//! The positional arguments come before the options. `--only` measures only the vessels with
//! those truth ids; the others are passed without a centerline, so rows stay aligned with the
//! truth.

use mcvideo_flow::{measure_vessels, FlowParams};
use mcvideo_synth::{render, SynthParams};
use mcvideo_testkit::args::arg;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let a: Vec<f64> = args
        .iter()
        .skip(1)
        .take_while(|a| !a.starts_with("--"))
        .filter_map(|a| a.parse().ok())
        .collect();
    let only: Option<Vec<usize>> = Some(arg::<String>(&args, "--only", String::new()))
        .filter(|o| !o.is_empty())
        .map(|o| o.split(',').filter_map(|s| s.trim().parse().ok()).collect());
    let params = SynthParams {
        width: 200,
        height: 160,
        duration_s: 2.0,
        seed: a.first().copied().unwrap_or(5.0) as u64,
        fps: a.get(1).copied().unwrap_or(25.0),
        um_per_px: a.get(2).copied().unwrap_or(1.2),
        noise: a.get(3).copied().unwrap_or(1.0),
        motion: a.get(4).copied().unwrap_or(1.0),
        ..SynthParams::default()
    };
    let Ok((frames, truth)) = render(&params) else {
        eprintln!("bad parameters");
        return;
    };
    let um = truth.um_per_px;
    let vessels: Vec<(Vec<[f64; 2]>, f64)> = truth
        .vessels
        .iter()
        .map(|v| {
            if only.as_ref().is_some_and(|o| !o.contains(&v.id)) {
                (Vec::new(), 1.0)
            } else {
                (v.centerline_px.clone(), v.diameter_um / um)
            }
        })
        .collect();
    let flows = measure_vessels(
        &frames,
        &truth.shifts_px,
        &vessels,
        truth.fps,
        um,
        &FlowParams::default(),
    );
    for (v, f) in truth.vessels.iter().zip(&flows) {
        println!(
            "id {:2} len {:5.0} d {:4.1} | true c{} v {:>6} ff {:.2} | meas c{} v {:>6} ff {:.2} at_least {} vmax {:.0} corr {:.2} fast {} win {:?}",
            v.id, v.length_um, v.diameter_um, v.flow_class,
            v.velocity_um_s.map_or("-".into(), |x| format!("{x:.0}")), v.flowing_fraction,
            f.flow_class, f.velocity_um_s.map_or("-".into(), |x| format!("{x:.0}")), f.flowing_fraction,
            f.at_least, f.v_max_um_s, f.correlation, f.fast_windows,
            f.window_moving.iter().map(|&m| if m { '1' } else { '0' }).collect::<String>()
        );
    }
}

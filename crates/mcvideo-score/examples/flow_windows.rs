//! Per-window flow evidence of chosen vessels of an accuracy-harness clip (debug aid).
//!
//! `cargo run --release -p mcvideo-score --example flow_windows -- DIR/sN.truth.json DIR/sN.score.json INDEX...`
//!
//! The two files are what `ACC_OVERLAY_DIR=DIR tools/accuracy.sh` keeps for seed N. The clip
//! is rendered again from the truth's parameters and registered as `mcvideo score` does; each
//! vessel's space–time diagram is built as `mcvideo_flow::measure_vessels` builds it, and every
//! window's evidence is printed: moving or not, the frame-to-frame change, the mean square of
//! the background-free pattern and the steps between two empty frames (in noise variances), the
//! moving share of its steps, the share of changing columns and the raw rows' similarity.

use mcvideo_flow::{motion, remove_static_background, FlowParams};
use mcvideo_synth::{render, SynthParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: flow_windows TRUTH.json SCORE.json INDEX...".into());
    }
    let truth: serde_json::Value = serde_json::from_slice(&std::fs::read(&args[1])?)?;
    let score: serde_json::Value = serde_json::from_slice(&std::fs::read(&args[2])?)?;
    let params: SynthParams = serde_json::from_value(truth["params"].clone())?;
    let (frames, _) = render(&params)?;
    let stabilization = mcvideo_stabilize::stabilize(&frames, &Default::default())?;
    let flow_params = FlowParams::default();
    let um = params.um_per_px;
    for index in &args[3..] {
        let i: usize = index.parse()?;
        let vessel = &score["vessels"][i];
        let centerline: Vec<[f64; 2]> = vessel["centerline_px"]
            .as_array()
            .ok_or("no vessel of that index")?
            .iter()
            .filter_map(|p| Some([p[0].as_f64()?, p[1].as_f64()?]))
            .collect();
        let diameter_px = vessel["diameter_um"].as_f64().ok_or("no diameter")? / um;
        let raw = mcvideo_flow::vessel_diagram(
            &frames,
            &stabilization.shifts_px,
            &centerline,
            diameter_px,
            &flow_params,
        );
        let flow = mcvideo_flow::measure_flow(&raw, params.fps, um, &flow_params);
        let mut s = raw.clone();
        remove_static_background(&mut s);
        let noise = motion::noise_variance(&s);
        let (rows, cols) = s.dim();
        let window = ((flow_params.window_s * params.fps).round() as usize).max(2);
        println!(
            "vessel {i}: {:.0} um, {cols} columns, {rows} frames, noise {noise:.2}, class {}, flowing fraction {:.2}, velocity {:?}",
            vessel["length_um"].as_f64().unwrap_or(0.0),
            flow.flow_class,
            flow.flowing_fraction,
            flow.velocity_um_s
        );
        let energy = |t: usize| s.row(t).iter().map(|&x| f64::from(x).powi(2)).sum::<f64>();
        for (k, &(start, end)) in motion::windows(rows, window).iter().enumerate() {
            let empty = |t: usize| energy(t) < motion::EMPTY_FRAME_RATIO * noise * cols as f64;
            let empty_steps = (start..end.min(rows - 1))
                .filter(|&t| empty(t) && empty(t + 1))
                .count();
            let mean_square = (start..end).map(energy).sum::<f64>() / ((end - start) * cols) as f64;
            println!(
                "  window {k} [{start}, {end}): moving {}, change {:.1}, mean square {:.1}, empty steps {empty_steps}, moving share {:.2}, changing columns {:.2}, row similarity {:.2}",
                flow.window_moving.get(k).copied().unwrap_or(false),
                motion::temporal_change(&s, start, end) / noise,
                mean_square / noise,
                motion::moving_share(&s, start, end, noise),
                motion::changing_columns(&s, start, end, 2.0 * noise),
                motion::row_similarity(&raw, start, end)
            );
        }
    }
    Ok(())
}

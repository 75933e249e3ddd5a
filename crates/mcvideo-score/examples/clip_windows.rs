//! Per-window flow evidence of every vessel of a scored clip (debug aid).
//!
//! `cargo run --release -p mcvideo-score --example clip_windows -- CLIP SCORE.json [INDEX...]`
//!
//! The clip is decoded and registered as `mcvideo score` does; each vessel of the score JSON
//! is measured again and every window's evidence printed.

use mcvideo_flow::FlowParams;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: clip_windows CLIP SCORE.json [INDEX...]".into());
    }
    let (info, mut frames) = mcvideo_decode::read_all(std::path::Path::new(&args[1]))?;
    let score: serde_json::Value = serde_json::from_slice(&std::fs::read(&args[2])?)?;
    // Measured as scored: a bright clip's frames inverted.
    if score["clip"]["polarity"] == "bright" {
        mcvideo_vessels::polarity::invert_frames(&mut frames);
    }
    let um = score["calibration"]["um_per_px"]
        .as_f64()
        .ok_or("no scale")?;
    let stabilization = mcvideo_stabilize::stabilize(&frames, &Default::default())?;
    let params = FlowParams::default();
    let vessels = score["vessels"].as_array().ok_or("no vessels")?;
    let chosen: Vec<usize> = if args.len() > 3 {
        args[3..].iter().filter_map(|a| a.parse().ok()).collect()
    } else {
        (0..vessels.len()).collect()
    };
    for i in chosen {
        let vessel = &vessels[i];
        let centerline: Vec<[f64; 2]> = vessel["centerline_px"]
            .as_array()
            .ok_or("no centerline")?
            .iter()
            .filter_map(|p| Some([p[0].as_f64()?, p[1].as_f64()?]))
            .collect();
        let diameter_px = vessel["diameter_um"].as_f64().ok_or("no diameter")? / um;
        let raw = mcvideo_flow::vessel_diagram(
            &frames,
            &stabilization.shifts_px,
            &centerline,
            diameter_px,
            &params,
        );
        let flow = mcvideo_flow::measure_flow(&raw, info.fps, um, &params);
        let mut s = raw.clone();
        mcvideo_flow::remove_static_background(&mut s);
        let noise = mcvideo_flow::motion::noise_variance(&s);
        let rule = mcvideo_flow::split::MotionSplit {
            min_piece_px: (params.split_min_piece_um / um).ceil() as usize,
            min_ratio: params.split_min_ratio,
            min_moving: params.split_min_moving,
            min_ratio_above_noise: params.split_min_ratio_above_noise,
        };
        let mut whole =
            mcvideo_flow::SamplingPlan::new(&centerline, diameter_px * params.half_width_fraction)
                .diagram(&frames, &stabilization.shifts_px);
        mcvideo_flow::remove_static_background(&mut whole);
        let whole_noise = mcvideo_flow::motion::noise_variance(&whole);
        println!(
            "  whole centerline: {} columns, direction split {:?}, all splits {:?}",
            whole.ncols(),
            mcvideo_flow::split::split_column_by_direction(&whole, whole_noise, &rule, 8.0),
            mcvideo_flow::motion_splits(
                &frames,
                &stabilization.shifts_px,
                &[(centerline.clone(), diameter_px)],
                info.fps,
                um,
                &params
            )
        );
        for z in [2.0, 4.0, 8.0] {
            println!(
                "  direction split at z {z}: {:?}",
                mcvideo_flow::split::split_column_by_direction(&s, noise, &rule, z)
            );
        }
        println!(
            "vessel {i}: {:.0} um, {} columns, class {}, flowing {:.2}, v {:?}, unresolved {:.2}{}",
            vessel["length_um"].as_f64().unwrap_or(0.0),
            flow.columns,
            flow.flow_class,
            flow.flowing_fraction,
            flow.velocity_um_s.map(|v| v.round()),
            flow.unresolved_fraction,
            if flow.flow_unresolved {
                " (throughout)"
            } else {
                ""
            }
        );
        let show = |label: String, w: &mcvideo_flow::WindowEvidence| {
            println!(
                "  {label:>10} v {:+6.2} streak {:.2} standing {:+.2} z {:6.1} persist {:+.2} change {:.2}",
                w.v_px, w.streak_ncc, w.standing_ncc, w.streak_z, w.persistence, w.change_ratio
            )
        };
        for (k, w) in flow.windows.iter().enumerate() {
            let state = match flow.window_state[k] {
                mcvideo_flow::WindowState::Moving => "M",
                mcvideo_flow::WindowState::Stopped => "S",
                mcvideo_flow::WindowState::Unresolved => "?",
            };
            show(format!("{state} {}-{}", w.start, w.end), w);
            let mut steps: Vec<f64> = (w.start..w.end.min(flow.frames - 1))
                .map(|t| mcvideo_flow::motion::temporal_change(&s, t, t + 1) / noise)
                .collect();
            steps.sort_by(|a, b| a.total_cmp(b));
            let q = |f: f64| steps[((steps.len() - 1) as f64 * f).round() as usize];
            println!(
                "             steps q25 {:.2} q50 {:.2} q75 {:.2} q90 {:.2} 2nd {:.2} max {:.2}",
                q(0.25),
                q(0.5),
                q(0.75),
                q(0.9),
                steps[steps.len().saturating_sub(2)],
                q(1.0)
            );
        }
        if let Some(w) = &flow.whole_clip {
            show("clip".into(), w);
        }
    }
    Ok(())
}

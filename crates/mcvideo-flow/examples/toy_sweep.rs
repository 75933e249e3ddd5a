//! Prints measured against true velocity and flowing fraction on toy clips.
//!
//! Usage: `cargo run --release -p mcvideo-flow --example toy_sweep -- [LEN SPEED STOP] [--wiggle]`
//!
//! `LEN SPEED STOP` (all three) runs only that clip, `STOP` 0 or 1; `--wiggle` draws each vessel
//! as a sinuous, slightly jittered centerline instead of a straight one.

use mcvideo_flow::{measure_vessels, FlowParams};
use mcvideo_testkit::toy::{render, ToyClip, ToyVessel};

fn main() {
    let params = FlowParams::default();
    let wiggle = std::env::args().any(|a| a == "--wiggle");
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    println!("len speed ff_true | v_meas ff_meas class at_least corr fast");
    for &len in &[40.0f64, 80.0, 150.0] {
        for &speed in &[0.0, 0.3, 0.7, 1.5, 3.0, 6.0, 10.0, 18.0, 30.0, 60.0] {
            for &stop in &[false, true] {
                if args.len() == 3
                    && (args[0] != len || args[1] != speed || (args[2] != 0.0) != stop)
                {
                    continue;
                }
                let mut clip = ToyClip::straight(speed);
                clip.frames = 75;
                clip.width = 220;
                clip.height = 120;
                clip.seed = (len as u64) * 100 + (speed * 10.0) as u64;
                let moving: Vec<bool> = if stop {
                    (0..75).map(|t| t < 25).collect()
                } else {
                    Vec::new()
                };
                clip.vessels = vec![ToyVessel {
                    centerline_px: if wiggle {
                        (0..=(len as usize))
                            .map(|i| {
                                let x = i as f64;
                                let j = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
                                [30.0 + x * 0.9, 60.0 + 15.0 * (x / 25.0).sin() + 0.6 * j]
                            })
                            .collect()
                    } else {
                        vec![[30.0, 20.0], [30.0 + len * 0.8, 20.0 + len * 0.6]]
                    },
                    diameter_px: 5.0,
                    speed_px_per_frame: speed,
                    moving,
                    mean_cell_gap_px: 10.0,
                }];
                let ff = clip.vessels[0].flowing_fraction(75);
                let (frames, shifts) = render(&clip);
                let v: Vec<_> = clip
                    .vessels
                    .iter()
                    .map(|v| (v.centerline_px.clone(), v.diameter_px))
                    .collect();
                let f = &measure_vessels(&frames, &shifts, &v, 25.0, 1.0, &params)[0];
                println!(
                    "{len:4} {speed:5.1} {ff:.2} | {:>7} {:.2} {} {} {:.2} {} vmax {}",
                    f.velocity_px_per_frame
                        .map_or("-".into(), |v| format!("{v:.2}")),
                    f.flowing_fraction,
                    f.flow_class,
                    f.at_least,
                    f.correlation,
                    f.fast_windows,
                    f.v_max_um_s / 25.0
                );
            }
        }
    }
}

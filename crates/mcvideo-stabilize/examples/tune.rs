//! Development aid: pooled shift error over a few synth clips for given stabilizer settings.
//! `tune CLIP_QUANTILE HIGHPASS_RADIUS UM_PER_PX NOISE`

use mcvideo_stabilize::{stabilize, StabilizeParams};
use mcvideo_synth::{render, SynthParams};

fn main() {
    let a: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let get = |i: usize, d: f64| a.get(i).copied().unwrap_or(d);
    let params = StabilizeParams {
        clip_dark_quantile: get(0, 0.2),
        highpass_radius: get(1, 6.0) as usize,
        ..StabilizeParams::default()
    };
    let (um, noise) = (get(2, 0.8), get(3, 1.0));
    let mut se = 0.0;
    let mut n = 0usize;
    for seed in [11u64, 12, 13, 14] {
        for motion in [1.0, 15.0] {
            let p = SynthParams {
                seed,
                um_per_px: um,
                noise,
                motion,
                duration_s: 3.0,
                ..SynthParams::default()
            };
            let Ok((frames, truth)) = render(&p) else {
                continue;
            };
            let Ok(stab) = stabilize(&frames, &params) else {
                continue;
            };
            let r = truth.shifts_px[stab.reference_frame];
            let mut cse = 0.0;
            for (e, s) in stab.shifts_px.iter().zip(&truth.shifts_px) {
                cse += (e[0] - s[0] + r[0]).powi(2) + (e[1] - s[1] + r[1]).powi(2);
            }
            println!(
                "seed {seed} motion {motion}: {:.3}",
                (cse / frames.len() as f64).sqrt()
            );
            se += cse;
            n += frames.len();
        }
    }
    println!("pooled RMS {:.3}", (se / n as f64).sqrt());
}

//! Times one synthetic clip and prints its motion extent (development aid).

fn main() {
    let mut p = mcvideo_synth::SynthParams::default();
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    p.motion = args.first().copied().unwrap_or(1.0);
    p.duration_s = args.get(1).copied().unwrap_or(2.0);
    let t0 = std::time::Instant::now();
    let (frames, truth) = match mcvideo_synth::render(&p) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    let render = t0.elapsed();
    let t1 = std::time::Instant::now();
    let stab =
        mcvideo_stabilize::stabilize(&frames, &mcvideo_stabilize::StabilizeParams::default());
    let max = truth
        .shifts_px
        .iter()
        .map(|s| s[0].hypot(s[1]))
        .fold(0.0, f64::max);
    println!(
        "{} frames render {:?} stabilize {:?} max shift {max:.1}",
        frames.len(),
        render,
        t1.elapsed()
    );
    if let Ok(stab) = stab {
        let r = truth.shifts_px[stab.reference_frame];
        let mut se = 0.0;
        for (e, t) in stab.shifts_px.iter().zip(&truth.shifts_px) {
            se += (e[0] - t[0] + r[0]).powi(2) + (e[1] - t[1] + r[1]).powi(2);
        }
        println!(
            "rms {:.3} unregistered {} residual {:.3}",
            (se / frames.len() as f64).sqrt(),
            stab.unregistered_frames,
            stab.residual_rms_px
        );
    }
}

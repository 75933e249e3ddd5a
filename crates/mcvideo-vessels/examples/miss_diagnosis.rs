//! Where detection misses true small vessels: missed length by flow class and by the
//! vessel's local contrast in the mean image.
//!
//! `cargo run --release -p mcvideo-vessels --example miss_diagnosis -- [seeds] [shock|texture] [--params FILE.toml] [--no-motion]`
//!
//! The positional arguments come before the options. `--params` detects with a `VesselParams`
//! TOML file (its keys at top level, e.g. `min_segment_length_um` to probe the pruning length,
//! `seed_over_background` and `min_contrast` the seed thresholds); `--no-motion` detects from
//! the mean image alone.

use mcvideo_testkit::args::arg;

use mcvideo_synth::SynthParams;
use mcvideo_vessels::{detect_vessels_with_motion, VesselParams};

fn sample(img: &mcvideo_vessels::FloatImage, x: f64, y: f64) -> f64 {
    let (w, h) = img.dimensions();
    let xi = x.round().clamp(0.0, f64::from(w - 1)) as u32;
    let yi = y.round().clamp(0.0, f64::from(h - 1)) as u32;
    f64::from(img.get_pixel(xi, yi)[0])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let positional: Vec<&String> = args
        .iter()
        .skip(1)
        .take_while(|a| !a.starts_with("--"))
        .collect();
    let seeds: u64 = positional.first().and_then(|s| s.parse().ok()).unwrap_or(3);
    let variant = positional.get(1).map(|s| s.to_string()).unwrap_or_default();
    let params = match arg::<String>(&args, "--params", String::new()).as_str() {
        "" => VesselParams::default(),
        path => toml::from_str(&std::fs::read_to_string(path)?)
            .map_err(|e| format!("--params {path}: {e}"))?,
    };
    let motion = !args.iter().any(|a| a == "--no-motion");
    // [class][0=total,1=missed], contrast bins
    let mut by_class = [[0.0f64; 2]; 4];
    let mut by_contrast = [[0.0f64; 2]; 6];
    let mut static_by_contrast = [[0.0f64; 2]; 6];
    let edges = [0.02, 0.04, 0.06, 0.09, 0.13];
    for &um in &[0.8, 1.2, 1.6] {
        for seed in 0..seeds {
            let mut sp = SynthParams {
                seed,
                um_per_px: um,
                ..SynthParams::default()
            };
            match variant.as_str() {
                "shock" => sp.flow_mix = [0.25, 0.25, 0.25, 0.25],
                "texture" => sp.texture = 1.5,
                _ => {}
            }
            let (mean, std, truth) = mcvideo_testkit::synth_mean::synth_mean_std(&sp);
            let r = truth.valid_region;
            let found = detect_vessels_with_motion(&mean, motion.then_some(&std), um, r, &params)
                .expect("detects");
            // Detected small segments: false or true, median motion z, p90 contrast.
            let (w, h) = (mean.width() as usize, mean.height() as usize);
            // The detector's own background window and motion smoothing (see detect_vessels).
            let radius = (0.6 * params.max_diameter_um / um).ceil() as usize + 1;
            let contrast =
                mcvideo_vessels::background::relative_contrast(mean.as_raw(), w, h, radius);
            let z = mcvideo_vessels::motion::motion_z(
                mean.as_raw(),
                std.as_raw(),
                w,
                h,
                &vec![true; w * h],
                (0.5 * params.min_diameter_um / um).max(1.0) as f32,
            );
            for v in found.iter().filter(|v| v.small) {
                let at = |p: &[f64; 2]| p[1].round() as usize * w + p[0].round() as usize;
                let unmatched = v
                    .centerline_px
                    .iter()
                    .filter(|p| {
                        !truth.vessels.iter().any(|t| {
                            let tol = (0.5 * t.diameter_um / um).max(2.0);
                            t.centerline_px
                                .iter()
                                .any(|q| (q[0] - p[0]).hypot(q[1] - p[1]) < tol + 0.5)
                        })
                    })
                    .count();
                let mut zs: Vec<f32> = v.centerline_px.iter().map(|p| z[at(p)]).collect();
                let mut cs: Vec<f32> = v.centerline_px.iter().map(|p| contrast[at(p)]).collect();
                zs.sort_by(f32::total_cmp);
                cs.sort_by(f32::total_cmp);
                let false_share = unmatched as f64 / v.centerline_px.len() as f64;
                println!(
                    "SEG {} len {:.0} zmed {:.1} c50 {:.3} c90 {:.3} diam {:.1}",
                    if false_share > 0.5 { "FALSE" } else { "TRUE" },
                    v.length_px,
                    zs[zs.len() / 2],
                    cs[cs.len() / 2],
                    cs[cs.len() * 9 / 10],
                    v.diameter_um
                );
            }
            let pts: Vec<[f64; 2]> = found.iter().flat_map(|v| v.centerline_px.clone()).collect();
            for v in truth.vessels.iter().filter(|v| v.small) {
                let d = v.diameter_um / um;
                let tol = (0.5 * d).max(2.0);
                let c = &v.centerline_px;
                for i in 1..c.len() {
                    let p = c[i];
                    if p[0] < r[0] || p[0] > r[2] || p[1] < r[1] || p[1] > r[3] {
                        continue;
                    }
                    let seg = (p[0] - c[i - 1][0]).hypot(p[1] - c[i - 1][1]);
                    let (tx, ty) = ((p[0] - c[i - 1][0]) / seg, (p[1] - c[i - 1][1]) / seg);
                    let off = 0.5 * d + 3.0;
                    let bg = 0.5
                        * (sample(&mean, p[0] - ty * off, p[1] + tx * off)
                            + sample(&mean, p[0] + ty * off, p[1] - tx * off));
                    let contrast = 1.0 - sample(&mean, p[0], p[1]) / bg;
                    let missed = !pts.iter().any(|q| (q[0] - p[0]).hypot(q[1] - p[1]) < tol);
                    let k = v.flow_class.index();
                    by_class[k][0] += seg;
                    let b = edges.iter().filter(|&&e| contrast > e).count();
                    by_contrast[b][0] += seg;
                    if k == 0 {
                        static_by_contrast[b][0] += seg;
                        if missed {
                            static_by_contrast[b][1] += seg;
                        }
                    }
                    if missed {
                        by_class[k][1] += seg;
                        by_contrast[b][1] += seg;
                    }
                }
            }
        }
    }
    for (k, [t, m]) in by_class.iter().enumerate() {
        println!(
            "class {k}: length {t:.0} px, missed {:.1} %",
            100.0 * m / t.max(1e-9)
        );
    }
    for (b, [t, m]) in static_by_contrast.iter().enumerate() {
        let lo = if b == 0 { 0.0 } else { edges[b - 1] };
        println!(
            "no-flow, contrast > {lo:.2}: length {t:.0} px, missed {:.1} %",
            100.0 * m / t.max(1e-9)
        );
    }
    for (b, [t, m]) in by_contrast.iter().enumerate() {
        let lo = if b == 0 { 0.0 } else { edges[b - 1] };
        println!(
            "contrast > {lo:.2}: length {t:.0} px, missed {:.1} %",
            100.0 * m / t.max(1e-9)
        );
    }
    Ok(())
}

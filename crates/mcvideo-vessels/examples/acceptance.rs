//! Acceptance table of vessel detection on mcvideo-synth clips: seeds × scales × noise and
//! degraded variants (the suite of `mcvideo_testkit::vessel_suite`, whose targets
//! `tests/vessels/acceptance.rs` asserts), with overlays and diagnostics.
//!
//! `cargo run --release -p mcvideo-vessels --example acceptance -- [seeds] [png-dir] [--first-seed 0] [--params FILE.toml] [--only VARIANT-PREFIX] [--no-motion] [--dump DIR] [--split] [--split-segments]`
//!
//! The positional arguments come before the options. Overlays (png-dir): truth green (no-flow
//! yellow), detections red/blue, false detections magenta. `--first-seed` runs seeds n.. for a
//! held-out check of a tuned change; `--params` detects with a `VesselParams` TOML file (its
//! keys at top level, the ones it leaves out at their defaults); `--only` runs the variants
//! whose name starts with the prefix; `--no-motion` detects from the mean image alone, without
//! the temporal standard deviation. `--dump` writes each clip's truth and detected segments as
//! JSON into DIR. `--split` prints under each row where the detected small length lies (on
//! small truth, on wide truth, false, wide-on-small, then the false part split into runs past
//! a matched end, runs between matched stretches, wholly false segments and the region's
//! 2 px rim), all as % of the true small length; `--split-segments` also lists each segment
//! with false length.

use image::{Rgb, RgbImage};
use mcvideo_metrics::FlowClass;
use mcvideo_testkit::args::arg;
use mcvideo_testkit::targets::CLIP_SHARE;
use mcvideo_testkit::vessel_suite::{measure_case, vessel_cases, vessel_verdicts};
use mcvideo_vessels::{VesselParams, VesselSegment};

/// TVD error %, found share, false share, position error px, diameter error µm.
type Row = (f64, f64, f64, f64, f64);

/// Detected length (px, inside the region, 0.5 px samples) split by what lies under it:
/// `[small on small truth, small on wide truth, small false, wide on small truth,
/// false overrunning a matched end, false between matched runs, false whole segment,
/// false within 2 px of the region border]`. `--split` prints it beside each row;
/// `list_segments` also prints each segment with false length.
fn split_lengths(
    truth: &mcvideo_synth::Truth,
    found: &[VesselSegment],
    region: [f64; 4],
    list_segments: bool,
) -> [f64; 8] {
    let mut out = [0.0; 8];
    let inside = |p: [f64; 2]| {
        p[0] >= region[0] && p[0] <= region[2] && p[1] >= region[1] && p[1] <= region[3]
    };
    for v in found {
        // (weight, class) per sample: 0 small-on-small, 1 on wide, 2 false, 3 wide on small.
        let mut samples: Vec<(f64, usize, bool)> = Vec::new();
        for s in v.centerline_px.windows(2) {
            let len = ((s[1][0] - s[0][0]).powi(2) + (s[1][1] - s[0][1]).powi(2)).sqrt();
            let n = (len / 0.5).ceil().max(1.0);
            for k in 0..n as usize {
                let t = (k as f64 + 0.5) / n;
                let p = [
                    s[0][0] + t * (s[1][0] - s[0][0]),
                    s[0][1] + t * (s[1][1] - s[0][1]),
                ];
                if !inside(p) {
                    continue;
                }
                let best = truth
                    .vessels
                    .iter()
                    .map(|tv| {
                        let tol = (0.5 * tv.diameter_um / truth.um_per_px).max(2.0);
                        let d = mcvideo_vessels::polyline::distance_to(p, &tv.centerline_px);
                        (d - tol, tv.small)
                    })
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                let border = (p[0] - region[0])
                    .min(region[2] - p[0])
                    .min(p[1] - region[1])
                    .min(region[3] - p[1])
                    <= 2.0;
                let w = len / n;
                let class = match (v.small, best) {
                    (true, Some((e, true))) if e <= 0.0 => 0,
                    (true, Some((e, false))) if e <= 0.0 => 1,
                    (true, _) => 2,
                    (false, Some((e, true))) if e <= 0.0 => 3,
                    _ => 4,
                };
                samples.push((w, class, border));
            }
        }
        let any_matched = samples.iter().any(|s| s.1 != 2);
        if list_segments {
            let false_len: f64 = samples.iter().filter(|s| s.1 == 2).map(|s| s.0).sum();
            if false_len > 0.0 {
                let first = v.centerline_px[0];
                let last = v.centerline_px[v.centerline_px.len() - 1];
                let flags: String = samples
                    .iter()
                    .step_by(4)
                    .map(|s| if s.1 == 2 { 'x' } else { '.' })
                    .collect();
                println!(
                    "    seg ({:.0},{:.0})-({:.0},{:.0}) len {:.0} d {:.1}um false {:.1}px {}",
                    first[0],
                    first[1],
                    last[0],
                    last[1],
                    v.length_px,
                    v.diameter_um,
                    false_len,
                    flags
                );
            }
        }
        let n = samples.len();
        for (i, &(w, class, border)) in samples.iter().enumerate() {
            if class < 4 {
                out[class] += w;
            }
            if class != 2 {
                continue;
            }
            if border {
                out[7] += w;
            } else if !any_matched {
                out[6] += w;
            } else {
                let before = samples[..i].iter().any(|s| s.1 != 2);
                let after = samples[i + 1..n].iter().any(|s| s.1 != 2);
                if before && after {
                    out[5] += w;
                } else {
                    out[4] += w;
                }
            }
        }
    }
    out
}

fn overlay(
    path: &str,
    mean: &mcvideo_vessels::FloatImage,
    truth: &mcvideo_synth::Truth,
    found: &[VesselSegment],
) {
    let (w, h) = mean.dimensions();
    let mut rgb = RgbImage::from_fn(w, h, |x, y| {
        let v = mean.get_pixel(x, y)[0].clamp(0.0, 255.0) as u8;
        Rgb([v, v, v])
    });
    let mut put = |p: [f64; 2], c: Rgb<u8>| {
        if p[0] >= 0.0 && p[1] >= 0.0 && p[0] < f64::from(w) - 0.5 && p[1] < f64::from(h) - 0.5 {
            rgb.put_pixel(p[0].round() as u32, p[1].round() as u32, c);
        }
    };
    for v in &truth.vessels {
        // No-flow capillaries (static cells) in yellow, the rest in green.
        let colour = if v.flow_class == FlowClass::NoFlow {
            Rgb([230, 200, 0])
        } else {
            Rgb([0, 200, 0])
        };
        for s in v.centerline_px.windows(2) {
            for k in 0..4 {
                let t = f64::from(k) / 4.0;
                put(
                    [
                        s[0][0] + t * (s[1][0] - s[0][0]),
                        s[0][1] + t * (s[1][1] - s[0][1]),
                    ],
                    colour,
                );
            }
        }
    }
    // Detected points: red (small) or blue (large) on a true vessel, magenta when farther
    // than the evaluation tolerance (max(2 px, true radius)) from every true centerline.
    let on_truth = |p: [f64; 2]| {
        truth.vessels.iter().any(|t| {
            let tol = (0.5 * t.diameter_um / truth.um_per_px).max(2.0);
            mcvideo_vessels::polyline::distance_to(p, &t.centerline_px) <= tol
        })
    };
    for v in found {
        for p in &v.centerline_px {
            let colour = if !on_truth(*p) {
                Rgb([255, 0, 255])
            } else if v.small {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 80, 255])
            };
            put(*p, colour);
        }
    }
    let raw = RgbImage::from_fn(w, h, |x, y| {
        let v = mean.get_pixel(x, y)[0].clamp(0.0, 255.0) as u8;
        Rgb([v, v, v])
    });
    let big = image::imageops::resize(&rgb, w * 3, h * 3, image::imageops::FilterType::Nearest);
    big.save(path).expect("writable png path");
    let big = image::imageops::resize(&raw, w * 3, h * 3, image::imageops::FilterType::Nearest);
    big.save(path.replace(".png", "_raw.png"))
        .expect("writable png path");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let positional: Vec<&String> = args
        .iter()
        .skip(1)
        .take_while(|a| !a.starts_with("--"))
        .collect();
    let seeds: u64 = positional.first().and_then(|s| s.parse().ok()).unwrap_or(3);
    let png_dir = positional.get(1).map(|s| s.to_string());
    let first_seed: u64 = arg(&args, "--first-seed", 0);
    let params = match arg::<String>(&args, "--params", String::new()).as_str() {
        "" => VesselParams::default(),
        path => toml::from_str(&std::fs::read_to_string(path)?)
            .map_err(|e| format!("--params {path}: {e}"))?,
    };
    let only = Some(arg::<String>(&args, "--only", String::new())).filter(|o| !o.is_empty());
    let dump_dir = Some(arg::<String>(&args, "--dump", String::new())).filter(|d| !d.is_empty());
    let flag = |name: &str| args.iter().any(|a| a == name);
    let motion = !flag("--no-motion");
    let list_segments = flag("--split-segments");
    let split = list_segments || flag("--split");
    println!("| variant | um/px | seed | TVD err % | small found % | small false % | pos err px | diam err um | diam bias um | n diam |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut clips = Vec::new();
    // Sums of true small length, its found part, detected small length and its false part.
    let mut pooled = [0.0f64; 4];
    for case in vessel_cases(seeds, first_seed, only.as_deref()) {
        let (name, um, seed) = (case.variant, case.params.um_per_px, case.params.seed);
        let clip = match measure_case(&case, &params, motion) {
            Ok(clip) => clip,
            Err(e) => {
                println!("| {name} | {um} | {seed} | error: {e} |");
                continue;
            }
        };
        let c = &clip.comparison;
        println!(
            "| {name} | {um} | {seed} | {:+.1} | {:.1} | {:.1} | {:.2} | {:.2} | {:+.2} | {} |",
            clip.tvd_err_pct,
            100.0 * c.small_detected_fraction,
            100.0 * c.small_false_fraction,
            c.median_position_error_px,
            clip.diameter_err_um(),
            c.median_diameter_bias_px * um,
            c.diameter_vessels
        );
        if let Some(dir) = &dump_dir {
            std::fs::write(
                format!("{dir}/{name}_{um}_{seed}.truth.json"),
                serde_json::to_string(&clip.truth)?,
            )?;
            std::fs::write(
                format!("{dir}/{name}_{um}_{seed}.found.json"),
                serde_json::to_string(&clip.found)?,
            )?;
        }
        if split {
            let sp = split_lengths(
                &clip.truth,
                &clip.found,
                clip.truth.valid_region,
                list_segments,
            );
            let t = c.true_small_length_px.max(1e-9);
            let pct: Vec<String> = sp.iter().map(|x| format!("{:.1}", 100.0 * x / t)).collect();
            println!(
                "  split {} found {:.1}",
                pct.join(" "),
                100.0 * c.small_detected_fraction
            );
        }
        pooled[0] += c.true_small_length_px;
        pooled[1] += c.small_detected_fraction * c.true_small_length_px;
        pooled[2] += c.detected_small_length_px;
        pooled[3] += c.small_false_fraction * c.detected_small_length_px;
        if let Some(dir) = &png_dir {
            overlay(
                &format!("{dir}/{name}_{um}_{seed}.png"),
                &clip.mean,
                &clip.truth,
                &clip.found,
            );
        }
        clips.push(clip);
    }
    let rows: Vec<Row> = clips
        .iter()
        .map(|c| {
            (
                c.tvd_err_pct,
                c.comparison.small_detected_fraction,
                c.comparison.small_false_fraction,
                c.comparison.median_position_error_px,
                c.diameter_err_um(),
            )
        })
        .collect();
    let n = rows.len() as f64;
    println!(
        "\npooled over all clips (length-weighted): small found {:.1} %, small false {:.1} %; clips with found >= 90 % and false <= 10 %: {} of {}",
        100.0 * pooled[1] / pooled[0].max(1e-9),
        100.0 * pooled[3] / pooled[2].max(1e-9),
        rows.iter().filter(|r| r.1 >= 0.9 && r.2 <= 0.1).count(),
        rows.len()
    );
    let mean_of = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).sum::<f64>() / n;
    println!(
        "\nclips {n}: mean |TVD err| {:.1} %, within ±8 %: {:.0} %; mean found {:.1} %; mean false {:.1} %; mean pos err {:.2} px; mean diam err {:.2} um",
        mean_of(&|r| r.0.abs()),
        100.0 * rows.iter().filter(|r| r.0.abs() <= 8.0).count() as f64 / n,
        100.0 * mean_of(&|r| r.1),
        100.0 * mean_of(&|r| r.2),
        mean_of(&|r| r.3),
        mean_of(&|r| r.4)
    );
    // Bland and Altman's bias and 95% limits of agreement of small-vessel TVD.
    let tvd_errs: Vec<f64> = rows.iter().map(|r| r.0).collect();
    if let Some(a) = mcvideo_stats::agreement::limits_of_agreement(&tvd_errs) {
        println!(
            "small-vessel TVD error: bias {:+.2} %, 95% limits of agreement [{:+.2}, {:+.2}] %",
            a.bias, a.lower, a.upper
        );
    }
    println!(
        "\ntargets (mean over clips and at least {:.0}% of clips):",
        100.0 * CLIP_SHARE
    );
    for verdict in vessel_verdicts(&clips) {
        println!("  {verdict}");
    }
    Ok(())
}

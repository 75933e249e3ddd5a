//! Where the missed true small-vessel length lies, by variant of the acceptance suite: near a
//! junction with another vessel, beside a wide vessel, at the field's border, or in short or
//! long runs away from all of these; how much of it is just past a detection's end or beside a
//! detection; and the stopped capillaries' misses by line haematocrit. Long missed runs are
//! listed with their position, so they can be looked at in the dumped images.
//!
//! `cargo run --release -p mcvideo-vessels --example miss_where -- [clean|noise|defocus|texture|shock] [--dump DIR]`
//!
//! `--dump` writes each clip's mean image at 3x with the truth (small green, wide blue) and the
//! detections (small red, wide magenta) drawn on it into DIR.

use mcvideo_testkit::args::arg;

use mcvideo_synth::{SynthParams, Truth, TruthVessel};
use mcvideo_vessels::polyline::distance_to;
use mcvideo_vessels::{detect_vessels_with_motion, FloatImage, VesselParams, VesselSegment};

/// Where a missed point lies (the first that applies).
#[derive(Clone, Copy)]
enum Place {
    Wide,
    Junction,
    Border,
    Elsewhere,
}

/// Missed length by place, in px; runs elsewhere split by run length.
#[derive(Default)]
struct Tally {
    true_length: f64,
    wide: f64,
    junction: f64,
    border: f64,
    short_run: f64,
    long_run: f64,
    past_an_end: f64,
    beside: f64,
    /// Stopped capillaries by haematocrit quarter of 0.15–0.5: [true, missed].
    stopped_by_haematocrit: [[f64; 2]; 4],
    /// Small length by the plasma-only stretch it lies in (`CELL_FREE_UM` bins; bin 0: a
    /// red cell covers it at some frame), stopped capillaries and the rest: [true, missed].
    by_cell_free: [[[f64; 2]; 5]; 2],
}

/// Upper bounds (µm) of the bins of plasma-only stretch length; the last bin is open.
const CELL_FREE_UM: [f64; 4] = [0.0, 10.0, 20.0, 40.0];

const LONG_RUN_PX: f64 = 15.0;

fn variant_params(variant: &str, seed: u64, um_per_px: f64) -> SynthParams {
    let mut params = SynthParams {
        seed,
        um_per_px,
        ..SynthParams::default()
    };
    match variant {
        "noise" => params.noise = 2.0,
        "defocus" => params.defocus_px = 1.5,
        "texture" => params.texture = 1.5,
        "shock" => params.flow_mix = [0.25, 0.25, 0.25, 0.25],
        _ => {}
    }
    params
}

fn place_of(p: [f64; 2], vessel: usize, truth: &Truth, radius_px: f64) -> Place {
    let um = truth.um_per_px;
    let near = |other: &TruthVessel, gap: f64| {
        distance_to(p, &other.centerline_px) < 0.5 * other.diameter_um / um + gap
    };
    let me = &truth.vessels[vessel];
    let r = truth.valid_region;
    if truth.vessels.iter().any(|o| !o.small && near(o, 6.0)) {
        Place::Wide
    } else if truth
        .vessels
        .iter()
        .enumerate()
        .any(|(j, o)| j != vessel && o.segment != me.segment && near(o, radius_px + 4.0))
    {
        Place::Junction
    } else if (p[0] - r[0])
        .min(r[2] - p[0])
        .min(p[1] - r[1])
        .min(r[3] - p[1])
        < 5.0
    {
        Place::Border
    } else {
        Place::Elsewhere
    }
}

/// Whether a missed point is just past a detection's end (true) or beside its middle (false),
/// for detections within `reach`; `None` when no detection is that close.
fn near_detection(p: [f64; 2], found: &[VesselSegment], reach: f64) -> Option<bool> {
    let mut past_end = None;
    for f in found {
        let line = &f.centerline_px;
        let d = distance_to(p, line);
        if d > reach || line.is_empty() {
            continue;
        }
        let to_end = [line[0], line[line.len() - 1]]
            .iter()
            .map(|q| (q[0] - p[0]).hypot(q[1] - p[1]))
            .fold(f64::INFINITY, f64::min);
        if to_end > d + 1.0 {
            return Some(false);
        }
        past_end = Some(true);
    }
    past_end
}

fn tally_clip(truth: &Truth, found: &[VesselSegment], label: &str, tally: &mut Tally) {
    let um = truth.um_per_px;
    let r = truth.valid_region;
    for (index, vessel) in truth.vessels.iter().enumerate().filter(|(_, v)| v.small) {
        let radius = 0.5 * vessel.diameter_um / um;
        let tol = radius.max(2.0);
        // The current missed run: (length, place) per point.
        let mut run: Vec<(f64, Place, [f64; 2])> = Vec::new();
        let flush = |run: &mut Vec<(f64, Place, [f64; 2])>, tally: &mut Tally| {
            let length: f64 = run.iter().map(|x| x.0).sum();
            for &(seg, place, _) in run.iter() {
                match place {
                    Place::Wide => tally.wide += seg,
                    Place::Junction => tally.junction += seg,
                    Place::Border => tally.border += seg,
                    Place::Elsewhere if length < LONG_RUN_PX => tally.short_run += seg,
                    Place::Elsewhere => tally.long_run += seg,
                }
            }
            if length >= LONG_RUN_PX {
                let mid = run[run.len() / 2].2;
                println!(
                    "{label} vessel {index}: class {} diameter {:.1} µm haematocrit {:.2}, \
                     {length:.0} of {:.0} px missed around ({:.0}, {:.0})",
                    vessel.flow_class,
                    vessel.diameter_um,
                    vessel.haematocrit,
                    vessel.length_um / um,
                    mid[0],
                    mid[1]
                );
            }
            run.clear();
        };
        let line = &vessel.centerline_px;
        let mut arc = 0.0;
        for k in 1..line.len() {
            let p = line[k];
            arc += (p[0] - line[k - 1][0]).hypot(p[1] - line[k - 1][1]);
            let free_run = vessel
                .cell_free_px
                .iter()
                .find(|r| r[0] <= arc && arc <= r[1]);
            let free_um = free_run.map_or(0.0, |r| (r[1] - r[0]) * um);
            let bin = CELL_FREE_UM.iter().filter(|&&b| free_um > b).count();
            let group = usize::from(vessel.flow_class != mcvideo_metrics::FlowClass::NoFlow);
            if p[0] < r[0] || p[0] > r[2] || p[1] < r[1] || p[1] > r[3] {
                flush(&mut run, tally);
                continue;
            }
            let seg = (p[0] - line[k - 1][0]).hypot(p[1] - line[k - 1][1]);
            tally.true_length += seg;
            let hit = found
                .iter()
                .any(|f| distance_to(p, &f.centerline_px) <= tol);
            tally.by_cell_free[group][bin][0] += seg;
            if !hit {
                tally.by_cell_free[group][bin][1] += seg;
            }
            if vessel.flow_class == mcvideo_metrics::FlowClass::NoFlow {
                let quarter = (((vessel.haematocrit - 0.15) / 0.0875).max(0.0) as usize).min(3);
                tally.stopped_by_haematocrit[quarter][0] += seg;
                if !hit {
                    tally.stopped_by_haematocrit[quarter][1] += seg;
                }
            }
            if hit {
                flush(&mut run, tally);
                continue;
            }
            match near_detection(p, found, tol + 5.0) {
                Some(true) => tally.past_an_end += seg,
                Some(false) => tally.beside += seg,
                None => {}
            }
            run.push((seg, place_of(p, index, truth, radius), p));
        }
        flush(&mut run, tally);
    }
}

fn dump(dir: &str, name: &str, mean: &FloatImage, truth: &Truth, found: &[VesselSegment]) {
    let (w, h) = mean.dimensions();
    let (lo, hi) = mean
        .pixels()
        .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p[0]), b.max(p[0])));
    let scale = 255.0 / (hi - lo).max(1e-6);
    let mut img = image::RgbImage::from_fn(w, h, |x, y| {
        let g = ((mean.get_pixel(x, y)[0] - lo) * scale) as u8;
        image::Rgb([g, g, g])
    });
    let mut dot = |p: &[f64; 2], colour: [u8; 3]| {
        let (x, y) = (p[0].round(), p[1].round());
        if x >= 0.0 && y >= 0.0 && x < f64::from(w) && y < f64::from(h) {
            img.put_pixel(x as u32, y as u32, image::Rgb(colour));
        }
    };
    for v in &truth.vessels {
        let colour = if v.small { [0, 200, 0] } else { [0, 120, 255] };
        v.centerline_px.iter().for_each(|p| dot(p, colour));
    }
    for f in found {
        let colour = if f.small { [255, 0, 0] } else { [255, 0, 255] };
        f.centerline_px.iter().for_each(|p| dot(p, colour));
    }
    let big = image::imageops::resize(&img, 3 * w, 3 * h, image::imageops::FilterType::Nearest);
    big.save(format!("{dir}/{name}.png"))
        .expect("writes the dump");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let variant = args
        .get(1)
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "clean".into());
    let dump_dir = Some(arg::<String>(&args, "--dump", String::new())).filter(|d| !d.is_empty());
    let params = VesselParams::default();
    let mut tally = Tally::default();
    for &um in &[0.8, 1.2, 1.6] {
        for seed in 0..3u64 {
            let (mean, std, truth) =
                mcvideo_testkit::synth_mean::synth_mean_std(&variant_params(&variant, seed, um));
            let found =
                detect_vessels_with_motion(&mean, Some(&std), um, truth.valid_region, &params)
                    .expect("detects");
            let label = format!("{variant} {um} µm/px seed {seed}");
            if let Some(dir) = &dump_dir {
                dump(
                    dir,
                    &format!("{variant}_{um}_{seed}"),
                    &mean,
                    &truth,
                    &found,
                );
            }
            tally_clip(&truth, &found, &label, &mut tally);
        }
    }
    let share = |v: f64| 100.0 * v / tally.true_length.max(1e-9);
    let missed = tally.wide + tally.junction + tally.border + tally.short_run + tally.long_run;
    println!(
        "\n{variant}: true small length {:.0} px, missed {:.1}%",
        tally.true_length,
        share(missed)
    );
    for (name, v) in [
        ("beside a wide vessel", tally.wide),
        ("at a junction", tally.junction),
        ("at the field's border", tally.border),
        ("elsewhere, runs < 15 px", tally.short_run),
        ("elsewhere, runs >= 15 px", tally.long_run),
    ] {
        println!("  {name}: {:.1}% of the true length", share(v));
    }
    println!(
        "  missed within 5 px of a detection: {:.1}% of the true length just past its end, {:.1}% beside it",
        share(tally.past_an_end),
        share(tally.beside)
    );
    for (quarter, [total, lost]) in tally.stopped_by_haematocrit.iter().enumerate() {
        let lo = 0.15 + 0.0875 * quarter as f64;
        println!(
            "  stopped capillaries, haematocrit {lo:.2}-{:.2}: {total:.0} px, missed {:.1}%",
            lo + 0.0875,
            100.0 * lost / total.max(1e-9)
        );
    }
    for (group, name) in ["stopped capillaries", "other small vessels"]
        .iter()
        .enumerate()
    {
        let bins = &tally.by_cell_free[group];
        let total: f64 = bins.iter().map(|b| b[0]).sum();
        let cells: Vec<String> = bins
            .iter()
            .enumerate()
            .map(|(bin, [t, lost])| {
                let label = match bin {
                    0 => "cells".to_string(),
                    4 => format!(">{:.0}", CELL_FREE_UM[3]),
                    _ => format!("{:.0}-{:.0}", CELL_FREE_UM[bin - 1], CELL_FREE_UM[bin]),
                };
                format!(
                    "{label}: {:.0}% of length, {:.0}% missed",
                    100.0 * t / total.max(1e-9),
                    100.0 * lost / t.max(1e-9)
                )
            })
            .collect();
        println!("  {name} by plasma-only stretch (µm): {}", cells.join("; "));
    }
}

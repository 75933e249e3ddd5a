//! Interlaced clips scored as whole frames and as split fields, against the exact truth.
//!
//! Each clip is written by `mcvideo_synth::write_clip` with `interlaced`: rendered at 50
//! images/s, pairs of consecutive images woven into the two fields of 25 frames/s PAL DV
//! (bottom field first, as DV records it; 720×576), the way an analog MicroScan capture
//! interlaces a moving scene. The clip is then scored twice:
//! `--fields frames` (compared with the truth at 25 frames/s, camera shift of a frame the mean
//! of its two fields') and `--fields split` (compared with the 50 images/s truth).
//!
//! `cargo run --release -p mcvideo-score --example interlaced -- [--clips 6] [--duration 3]`

use mcvideo_decode::FieldMode;
use mcvideo_encode::VideoFormat;
use mcvideo_score::{score_clip, ScoreParams};
use mcvideo_synth::{write_clip, SynthParams, Truth};
use mcvideo_testkit::args::arg;
use mcvideo_testkit::compare::{compare, Row};

/// PAL DV: 720×576 at 25 frames/s, bottom field (odd rows) exposed first.
const WIDTH: u32 = 720;
const HEIGHT: u32 = 576;
const FPS: f64 = 25.0;

/// The truth of the woven clip read as whole frames: 25 frames/s, each frame's camera shift
/// the mean of its two fields'.
fn frame_truth(field_truth: &Truth) -> Truth {
    let shifts: Vec<[f64; 2]> = field_truth
        .shifts_px
        .chunks(2)
        .map(|pair| {
            let n = pair.len() as f64;
            [
                pair.iter().map(|s| s[0]).sum::<f64>() / n,
                pair.iter().map(|s| s[1]).sum::<f64>() / n,
            ]
        })
        .collect();
    Truth {
        frames: shifts.len(),
        fps: FPS,
        shifts_px: shifts,
        ..field_truth.clone()
    }
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x:.1}"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let clips: usize = arg(&args, "--clips", 6);
    let duration: f64 = arg(&args, "--duration", 3.0);
    let dir = tempfile::tempdir()?;
    let scales = [1.0, 1.2, 1.4];
    let mixes: [(&str, [f64; 4]); 2] = [
        ("default", SynthParams::default().flow_mix),
        ("shock", [0.25, 0.25, 0.25, 0.25]),
    ];
    println!("| clip | fields | TVD err % | found % | false % | class acc % | velocity err % | flowing length beyond range % | PPV err pts | MFI err |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    // (mode, comparison, share of flowing small length reported "at least v_max").
    let mut rows: Vec<(FieldMode, Row, f64)> = Vec::new();
    for i in 0..clips {
        let (mix_name, mix) = mixes[i % mixes.len()];
        let params = SynthParams {
            width: WIDTH,
            height: HEIGHT,
            fps: FPS,
            duration_s: duration,
            seed: 400 + i as u64,
            um_per_px: scales[i % scales.len()],
            flow_mix: mix,
            interlaced: true,
            ..SynthParams::default()
        };
        let out = write_clip(&params, dir.path(), &format!("c{i}"), VideoFormat::DvAvi)?;
        let path = out.clip_path;
        let field_truth = out.truth;
        let whole_truth = frame_truth(&field_truth);
        let name = format!("s{} {:.1}um {mix_name}", params.seed, params.um_per_px);
        for (mode, truth) in [
            (FieldMode::Frames, &whole_truth),
            (FieldMode::Split, &field_truth),
        ] {
            let score = ScoreParams {
                um_per_px: Some(params.um_per_px),
                no_overlay: true,
                fields: mode,
                ..ScoreParams::default()
            };
            let report = score_clip(&path, &score)?.report;
            let row = compare(truth, &report, 0.0);
            let flowing = |v: &&mcvideo_score::VesselReport| v.small && v.flow_class.is_perfused();
            let flowing_len: f64 = report
                .vessels
                .iter()
                .filter(flowing)
                .map(|v| v.length_um)
                .sum();
            let beyond_len: f64 = report
                .vessels
                .iter()
                .filter(flowing)
                .filter(|v| v.velocity_at_least)
                .map(|v| v.length_um)
                .sum();
            let beyond = 100.0 * beyond_len / flowing_len.max(1e-9);
            println!(
                "| {name} | {mode:?} | {:+.1} | {:.1} | {:.1} | {:.1} | {} | {beyond:.1} | {:+.1} | {:+.2} |",
                row.tvd_err_pct,
                row.found_pct,
                row.false_pct,
                row.class_acc_pct,
                fmt(row.vel_err_pct),
                row.ppv_err,
                row.mfi_err
            );
            rows.push((mode, row, beyond));
        }
    }
    println!();
    for mode in [FieldMode::Frames, FieldMode::Split] {
        let of: Vec<&Row> = rows
            .iter()
            .filter(|(m, _, _)| *m == mode)
            .map(|(_, r, _)| r)
            .collect();
        let n = of.len() as f64;
        let beyond: f64 = rows
            .iter()
            .filter(|(m, _, _)| *m == mode)
            .map(|(_, _, b)| b)
            .sum::<f64>()
            / n;
        let mut vel: Vec<f64> = of.iter().filter_map(|r| r.vel_err_pct).collect();
        vel.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{mode:?}: mean |TVD err| {:.1}%, class accuracy {:.1}%, median velocity err {}%, flowing length beyond range {beyond:.1}%, mean |PPV err| {:.1} (within ±5: {}), MFI within ±0.25: {} of {}",
            of.iter().map(|r| r.tvd_err_pct.abs()).sum::<f64>() / n,
            of.iter().map(|r| r.class_acc_pct).sum::<f64>() / n,
            fmt(vel.get(vel.len() / 2).copied()),
            of.iter().map(|r| r.ppv_err.abs()).sum::<f64>() / n,
            of.iter().filter(|r| r.ppv_err.abs() <= 5.0).count(),
            of.iter().filter(|r| r.mfi_err.abs() <= 0.25).count(),
            of.len()
        );
    }
    Ok(())
}

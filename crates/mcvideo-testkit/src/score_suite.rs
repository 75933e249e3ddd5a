//! The end-to-end suites: synthetic clips written to disk, scored by `mcvideo score`'s
//! pipeline and compared with their truth ([`crate::compare`]). Shared by the acceptance
//! tests (`mcvideo-score/tests/score/acceptance.rs`) and the table-printing harness
//! (`mcvideo-score/examples/accuracy.rs`, `tools/accuracy.sh`).

use crate::compare::{compare, Row};
use crate::targets::{on_clips, Bound, Verdict};
use mcvideo_encode::VideoFormat;
use mcvideo_score::{score_clip, ScoreParams, ScoredOutput};
use mcvideo_synth::{write_clip, Polarity, SynthOutput, SynthParams};
use std::path::Path;

/// One clip of a suite: a readable name and its synth parameters.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub params: SynthParams,
}

/// The default regime: `clips` clips of `width`×`height`, `duration_s` long, seeds
/// `first_seed..`, cycling 0.8–1.6 µm/px, 25 and 30 fps, three flow mixes (default, healthy,
/// shock), motion ×1/×3 and noise ×1/×2.
pub fn default_suite(
    clips: usize,
    first_seed: u64,
    width: u32,
    height: u32,
    duration_s: f64,
) -> Vec<Case> {
    let scales = [0.9, 1.2, 1.5, 1.0, 1.35, 0.8, 1.6];
    let fps = [25.0, 30.0];
    let mixes: [(&str, [f64; 4]); 3] = [
        ("default", SynthParams::default().flow_mix),
        ("healthy", [0.03, 0.05, 0.12, 0.80]),
        ("shock", [0.25, 0.25, 0.25, 0.25]),
    ];
    (0..clips)
        .map(|i| {
            let (mix_name, mix) = mixes[i % mixes.len()];
            let motion = if i % 4 == 3 { 3.0 } else { 1.0 };
            let noise = if i % 5 == 4 { 2.0 } else { 1.0 };
            let params = SynthParams {
                width,
                height,
                duration_s,
                seed: first_seed + i as u64,
                um_per_px: scales[i % scales.len()],
                fps: fps[i % 2],
                flow_mix: mix,
                motion,
                noise,
                ..SynthParams::default()
            };
            Case {
                name: format!(
                    "s{} {:.2}um {}fps {} m{} n{}",
                    params.seed, params.um_per_px, params.fps, mix_name, motion, noise
                ),
                params,
            }
        })
        .collect()
}

/// The real clip's regime ([`SynthParams::low_snr`]): faint, blurred cells near the noise
/// level, 1-3 px per frame, 60-120 fps at 0.7-0.8 µm/px, bright and dark polarity, three
/// flow mixes and two noise levels. Its size and duration are the preset's.
pub fn low_snr_suite(clips: usize, first_seed: u64) -> Vec<Case> {
    let fps = [120.0, 90.0, 60.0];
    let scales = [0.77, 0.7, 0.8, 0.75];
    let mixes: [(&str, [f64; 4]); 3] = [
        ("default", SynthParams::low_snr().flow_mix),
        ("healthy", [0.03, 0.05, 0.62, 0.30]),
        ("shock", [0.25, 0.25, 0.25, 0.25]),
    ];
    (0..clips)
        .map(|i| {
            let (mix_name, mix) = mixes[(i / 3) % mixes.len()];
            let polarity = if i % 2 == 0 {
                Polarity::Bright
            } else {
                Polarity::Dark
            };
            let noise = if i % 5 == 4 { 1.5 } else { 1.0 };
            let params = SynthParams {
                seed: first_seed + i as u64,
                fps: fps[i % fps.len()],
                um_per_px: scales[i % scales.len()],
                flow_mix: mix,
                polarity,
                noise,
                ..SynthParams::low_snr()
            };
            Case {
                name: format!(
                    "s{} {:.2}um {}fps {} {:?} n{}",
                    params.seed, params.um_per_px, params.fps, mix_name, polarity, noise
                ),
                params,
            }
        })
        .collect()
}

/// One scored clip: its errors, the clip written, and what the pipeline returned.
pub struct ScoredCase {
    pub row: Row,
    pub clip: SynthOutput,
    pub scored: ScoredOutput,
}

/// Writes the clip into `dir` as `<name>.avi` (FFV1), scores it with `base` at the clip's
/// own scale (no device preset) and compares the report with the truth.
pub fn score_case(
    case: &Case,
    dir: &Path,
    name: &str,
    base: &ScoreParams,
) -> Result<ScoredCase, Box<dyn std::error::Error>> {
    let clip = write_clip(&case.params, dir, name, VideoFormat::Ffv1Avi)?;
    let params = ScoreParams {
        um_per_px: Some(case.params.um_per_px),
        device: None,
        ..base.clone()
    };
    let started = std::time::Instant::now();
    let scored = score_clip(&clip.clip_path, &params)?;
    let row = compare(&clip.truth, &scored.report, started.elapsed().as_secs_f64());
    Ok(ScoredCase { row, clip, scored })
}

/// Scores every case without overlays into a temporary directory and returns the rows.
pub fn score_suite(
    cases: &[Case],
    base: &ScoreParams,
) -> Result<Vec<Row>, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let params = ScoreParams {
        no_overlay: true,
        ..base.clone()
    };
    cases
        .iter()
        .enumerate()
        .map(|(i, case)| Ok(score_case(case, dir.path(), &format!("c{i}"), &params)?.row))
        .collect()
}

/// Flow class right by small-vessel length, % per clip, at least `class_pct`; PPV within
/// ±5 points; and, when `mfi` is set, MFI within ±0.25.
fn flow_verdicts(rows: &[Row], class_pct: f64, mfi: bool) -> Vec<Verdict> {
    let per_clip = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let mut verdicts = vec![
        on_clips(
            "flow class right by length %",
            &per_clip(&|r| r.class_acc_pct),
            Bound::AtLeast(class_pct),
        ),
        on_clips(
            "PPV |error| points",
            &per_clip(&|r| r.ppv_err.abs()),
            Bound::AtMost(5.0),
        ),
    ];
    if mfi {
        verdicts.push(on_clips(
            "MFI |error|",
            &per_clip(&|r| r.mfi_err.abs()),
            Bound::AtMost(0.25),
        ));
    }
    verdicts
}

/// The README's end-to-end targets: flow class right ≥ 85% of the length, PPV within ±5
/// points, MFI within ±0.25.
pub fn end_to_end_verdicts(rows: &[Row]) -> Vec<Verdict> {
    flow_verdicts(rows, 85.0, true)
}

/// The low-SNR regime's targets: flow class right ≥ 90% of the length, PPV within ±5 points.
pub fn low_snr_verdicts(rows: &[Row]) -> Vec<Verdict> {
    flow_verdicts(rows, 90.0, false)
}

//! Prints the quality measures of synthetic clips under each degradation (calibration aid).

use mcvideo_quality::{grade_clip, QualityParams};
use mcvideo_stabilize::{stabilize, StabilizeParams};
use mcvideo_synth::{render, SynthParams};

fn main() {
    let base = SynthParams {
        duration_s: 2.0,
        ..SynthParams::default()
    };
    let cases: Vec<(&str, SynthParams)> = vec![
        ("clean", base.clone()),
        (
            "clean noise3",
            SynthParams {
                noise: 3.0,
                ..base.clone()
            },
        ),
        (
            "clean noise0.3",
            SynthParams {
                noise: 0.3,
                ..base.clone()
            },
        ),
        (
            "clean um0.8",
            SynthParams {
                um_per_px: 0.8,
                ..base.clone()
            },
        ),
        (
            "clean um1.8",
            SynthParams {
                um_per_px: 1.8,
                ..base.clone()
            },
        ),
        (
            "clean um1.8 noise3",
            SynthParams {
                um_per_px: 1.8,
                noise: 3.0,
                ..base.clone()
            },
        ),
        (
            "defocus1",
            SynthParams {
                defocus_px: 1.0,
                ..base.clone()
            },
        ),
        (
            "defocus1.5",
            SynthParams {
                defocus_px: 1.5,
                ..base.clone()
            },
        ),
        (
            "defocus2",
            SynthParams {
                defocus_px: 2.0,
                ..base.clone()
            },
        ),
        (
            "defocus2 um0.8",
            SynthParams {
                defocus_px: 2.0,
                um_per_px: 0.8,
                ..base.clone()
            },
        ),
        (
            "defocus3 noise3",
            SynthParams {
                defocus_px: 3.0,
                noise: 3.0,
                ..base.clone()
            },
        ),
        (
            "dark0.3",
            SynthParams {
                illumination: 0.3,
                ..base.clone()
            },
        ),
        (
            "dim0.5",
            SynthParams {
                illumination: 0.5,
                ..base.clone()
            },
        ),
        (
            "bright1.5",
            SynthParams {
                illumination: 1.5,
                ..base.clone()
            },
        ),
        (
            "sat1.9",
            SynthParams {
                illumination: 1.9,
                ..base.clone()
            },
        ),
        (
            "motion60 jumps",
            SynthParams {
                motion: 60.0,
                jumps: 4,
                jump_px: 60.0,
                ..base.clone()
            },
        ),
        (
            "dark0.4",
            SynthParams {
                illumination: 0.4,
                ..base.clone()
            },
        ),
        (
            "defocus1.5 um1.8",
            SynthParams {
                defocus_px: 1.5,
                um_per_px: 1.8,
                ..base.clone()
            },
        ),
        (
            "defocus2 um1.8",
            SynthParams {
                defocus_px: 2.0,
                um_per_px: 1.8,
                ..base.clone()
            },
        ),
        (
            "defocus2 noise3",
            SynthParams {
                defocus_px: 2.0,
                noise: 3.0,
                ..base.clone()
            },
        ),
    ];
    for (name, p) in cases {
        for seed in [1u64, 2] {
            let p = SynthParams { seed, ..p.clone() };
            let Ok((frames, _)) = render(&p) else {
                continue;
            };
            let Ok(stab) = stabilize(&frames, &StabilizeParams::default()) else {
                continue;
            };
            let qp = QualityParams {
                um_per_px: p.um_per_px,
                ..QualityParams::default()
            };
            let q = grade_clip(&frames, p.fps, &stab, &qp);
            let m = &q.measures;
            println!(
                "{name:20} s{seed} I{} F{} S{} D{} | mean {:.0} dark {:.3} sat {:.3} contrast {:.2} uneven {:.2} focus {:.3} noise {:.2} move {:.2} unreg {:.2} blur {:.2}",
                q.illumination, q.focus, q.stability, q.duration, m.mean_brightness, m.dark_fraction, m.saturated_fraction, m.contrast, m.unevenness, m.focus, m.noise_sigma, m.movement_fraction, m.unregistered_fraction, m.blurred_fraction
            );
        }
    }
}

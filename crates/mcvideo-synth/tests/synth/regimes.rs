//! Rendering regimes beyond the default dark-field clip (faint diffuse cells, shot noise,
//! bright polarity, the presets), and the guard that the default still renders the same bytes.

use crate::common;

use image::GrayImage;
use mcvideo_synth::{render, Polarity, SynthParams, Truth};

/// FNV-1a, 64 bit: a dependency-free fingerprint of bytes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[test]
fn default_clips_render_the_same_bytes_as_before_the_new_regimes() {
    // Measured with the generator before cell contrast, cell blur, shot noise and polarity
    // existed: defaults must keep every fixture and accuracy run unchanged.
    let expected = [
        (
            0u64,
            0x3069_d19b_3781_376e_u64,
            0xa471_e08f_d4b5_92cd_u64,
            0xfc83_80ff_c95e_ed18_u64,
        ),
        (
            3,
            0xe577_3c5d_6d29_fcc1,
            0x739e_62f7_24fe_5d07,
            0xb73b_ed08_542f_bd6e,
        ),
        (
            11,
            0x568a_57b1_ee5b_3bc1,
            0x0794_ac78_7e05_dc47,
            0x4df7_7e4a_cf38_e19c,
        ),
    ];
    for (seed, first, last, truth_hash) in expected {
        let p = SynthParams {
            seed,
            duration_s: 0.2,
            ..SynthParams::default()
        };
        let (frames, truth) = render(&p).unwrap();
        let json = serde_json::to_string_pretty(&truth).unwrap();
        assert_eq!(fnv1a(frames[0].as_raw()), first, "seed {seed} first frame");
        assert_eq!(fnv1a(frames[4].as_raw()), last, "seed {seed} last frame");
        assert_eq!(fnv1a(json.as_bytes()), truth_hash, "seed {seed} truth");
    }
}

#[test]
fn truth_files_without_the_new_fields_load_with_the_defaults_and_write_none_of_them() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/synth/clean.truth.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let truth: Truth = serde_json::from_str(&text).unwrap();
    let p = &truth.params;
    assert_eq!(
        (p.cell_contrast, p.cell_blur_px, p.shot_noise),
        (1.0, 0.0, 1.0)
    );
    assert_eq!(p.polarity, Polarity::Dark);
    let json = serde_json::to_string(p).unwrap();
    for key in ["cell_contrast", "cell_blur_px", "shot_noise", "polarity"] {
        assert!(!json.contains(key), "{key} written at its default");
    }
    let bright = SynthParams {
        polarity: Polarity::Bright,
        cell_contrast: 0.2,
        ..SynthParams::default()
    };
    let json = serde_json::to_string(&bright).unwrap();
    assert!(json.contains(r#""polarity":"bright""#) && json.contains(r#""cell_contrast":0.2"#));
    let back: SynthParams = serde_json::from_str(&json).unwrap();
    assert_eq!(back, bright);
}

/// Per-pixel mean of frames.
fn mean_image(frames: &[GrayImage]) -> Vec<f64> {
    let mut sum = vec![0.0; frames[0].as_raw().len()];
    for f in frames {
        for (s, &v) in sum.iter_mut().zip(f.as_raw()) {
            *s += f64::from(v);
        }
    }
    sum.iter().map(|s| s / frames.len() as f64).collect()
}

/// Distance from every pixel of a `w` x `h` frame to the nearest truth centerline point.
fn distance_to_vessels(truth: &Truth) -> Vec<f64> {
    let (w, h) = (truth.width as usize, truth.height as usize);
    let points: Vec<[f64; 2]> = truth
        .vessels
        .iter()
        .flat_map(|v| v.centerline_px.iter().copied())
        .collect();
    (0..w * h)
        .map(|i| {
            let (x, y) = ((i % w) as f64, (i / w) as f64);
            points
                .iter()
                .map(|p| (p[0] - x).hypot(p[1] - y))
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

/// Mean image on the lumen axis (within 0.7 px of a centerline) and in tissue (more than
/// 12 px from every centerline).
fn lumen_and_tissue(p: &SynthParams) -> (f64, f64) {
    let (frames, truth) = render(p).unwrap();
    assert!(truth.vessels.len() >= 3, "{} vessels", truth.vessels.len());
    let mean = mean_image(&frames);
    let dist = distance_to_vessels(&truth);
    let avg = |keep: &dyn Fn(f64) -> bool| {
        let v: Vec<f64> = mean
            .iter()
            .zip(&dist)
            .filter(|&(_, &d)| keep(d))
            .map(|(m, _)| *m)
            .collect();
        assert!(v.len() > 50, "{} pixels", v.len());
        v.iter().sum::<f64>() / v.len() as f64
    };
    (avg(&|d| d < 0.7), avg(&|d| d > 12.0))
}

#[test]
fn bright_polarity_lights_the_lumen_above_the_tissue_and_dark_the_reverse() {
    let bright = SynthParams {
        seed: 4,
        duration_s: 0.1,
        noise: 0.0,
        motion: 0.0,
        ..SynthParams::low_snr()
    };
    let (lumen, tissue) = lumen_and_tissue(&bright);
    println!("bright: lumen {lumen:.1}, tissue {tissue:.1}");
    assert!(
        lumen > 2.0 * tissue,
        "bright: lumen {lumen:.1}, tissue {tissue:.1}"
    );
    let dark = SynthParams {
        polarity: Polarity::Dark,
        ..bright
    };
    let (lumen, tissue) = lumen_and_tissue(&dark);
    println!("dark: lumen {lumen:.1}, tissue {tissue:.1}");
    assert!(
        lumen < 0.95 * tissue,
        "dark: lumen {lumen:.1}, tissue {tissue:.1}"
    );
}

/// `a - b` per pixel and frame, as numbers.
fn difference(a: &[GrayImage], b: &[GrayImage]) -> Vec<Vec<f64>> {
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            x.as_raw()
                .iter()
                .zip(y.as_raw())
                .map(|(&u, &v)| f64::from(u) - f64::from(v))
                .collect()
        })
        .collect()
}

fn percentile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// The red cells' own signal (grey levels each cell takes away, per pixel and frame) of a
/// clip: noise-free with cells minus noise-free without them.
fn cell_signal(p: &SynthParams) -> Vec<Vec<f64>> {
    let clean = SynthParams {
        noise: 0.0,
        ..p.clone()
    };
    let (with_cells, _) = render(&clean).unwrap();
    let (without, _) = render(&SynthParams {
        cell_contrast: 0.0,
        ..clean
    })
    .unwrap();
    difference(&without, &with_cells)
}

#[test]
fn low_snr_cells_are_as_faint_as_the_noise() {
    for polarity in [Polarity::Bright, Polarity::Dark] {
        let p = SynthParams {
            seed: 2,
            duration_s: 0.1,
            polarity,
            ..SynthParams::low_snr()
        };
        let signal = cell_signal(&p);
        let (noisy, _) = render(&p).unwrap();
        let (clean, _) = render(&SynthParams {
            noise: 0.0,
            ..p.clone()
        })
        .unwrap();
        let noise = difference(&noisy, &clean);
        // Pixels a cell darkens by at least 1 grey level.
        let (mut drops, mut noise2) = (Vec::new(), 0.0);
        for (s, n) in signal.iter().zip(&noise) {
            for (&d, &e) in s.iter().zip(n) {
                if d >= 1.0 {
                    drops.push(d);
                    noise2 += e * e;
                }
            }
        }
        assert!(drops.len() > 1000, "{} cell pixels", drops.len());
        let sigma = (noise2 / drops.len() as f64).sqrt();
        let (median, peak) = (percentile(drops.clone(), 0.5), percentile(drops, 0.95));
        println!(
            "{polarity:?}: cell drop median {median:.1}, 95th percentile {peak:.1}, noise sigma {sigma:.1} grey levels"
        );
        // Near the noise: the strongest cell pixels no more than about twice sigma, the
        // typical one below it.
        assert!(
            peak > 0.5 * sigma && peak < 2.5 * sigma,
            "{polarity:?}: peak {peak:.1}, sigma {sigma:.1}"
        );
        assert!(
            median < sigma,
            "{polarity:?}: median {median:.1}, sigma {sigma:.1}"
        );
    }
    // The default clip's cells stand far above its noise.
    let p = SynthParams {
        seed: 2,
        duration_s: 0.1,
        ..SynthParams::default()
    };
    let drops: Vec<f64> = cell_signal(&p)
        .concat()
        .into_iter()
        .filter(|&d| d >= 1.0)
        .collect();
    let peak = percentile(drops, 0.95);
    println!("default: cell drop 95th percentile {peak:.1}");
    assert!(peak > 40.0, "default cells {peak:.1}");
}

/// Energy of the discrete Laplacian of each frame (interior pixels).
fn laplacian_energy(frames: &[Vec<f64>], w: usize, h: usize) -> f64 {
    let mut sum = 0.0;
    for f in frames {
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let i = y * w + x;
                let l = f[i - 1] + f[i + 1] + f[i - w] + f[i + w] - 4.0 * f[i];
                sum += l * l;
            }
        }
    }
    sum
}

#[test]
fn cell_blur_removes_high_frequencies_and_keeps_the_absorbance() {
    let sharp = SynthParams {
        seed: 6,
        duration_s: 0.1,
        polarity: Polarity::Dark,
        illumination: 1.2,
        // Strong cells, so that their signal outweighs the rounding to 8 bits.
        cell_contrast: 1.0,
        cell_blur_px: 0.0,
        blur_px: 0.7,
        ..SynthParams::low_snr()
    };
    let diffuse = SynthParams {
        cell_blur_px: 2.5,
        ..sharp.clone()
    };
    let (w, h) = (sharp.width as usize, sharp.height as usize);
    let (a, b) = (cell_signal(&sharp), cell_signal(&diffuse));
    let (ea, eb) = (laplacian_energy(&a, w, h), laplacian_energy(&b, w, h));
    let (sa, sb): (f64, f64) = (a.concat().iter().sum(), b.concat().iter().sum());
    println!("Laplacian energy {ea:.0} -> {eb:.0}; total cell signal {sa:.0} -> {sb:.0}");
    assert!(eb < 0.5 * ea, "high-frequency energy {ea:.0} -> {eb:.0}");
    assert!(
        (sb / sa - 1.0).abs() < 0.2,
        "total cell signal {sa:.0} -> {sb:.0}"
    );
}

#[test]
fn shot_noise_scales_the_signal_dependent_variance() {
    let base = SynthParams {
        seed: 8,
        width: 160,
        height: 120,
        duration_s: 0.2,
        illumination: 1.3,
        shot_noise: 4.0,
        ..SynthParams::default()
    };
    let (noisy, _) = render(&base).unwrap();
    let (clean, _) = render(&SynthParams { noise: 0.0, ..base }).unwrap();
    let (read2, shot) = common::noise_variance_fit(&noisy, &clean, 20..=200);
    println!("noise variance = {read2:.2} + {shot:.3} I");
    assert!((shot - 0.48).abs() < 0.08, "shot coefficient {shot}");
    assert!((read2 - 4.0).abs() < 4.0, "read variance {read2}");
}

#[test]
fn low_snr_truth_classifies_flow_by_the_rule_at_one_to_five_px_per_frame() {
    let mut flowing = 0;
    for seed in 0..3 {
        let p = SynthParams {
            seed,
            ..SynthParams::low_snr()
        };
        let (frames, truth) = render(&p).unwrap();
        assert_eq!(frames.len(), 240);
        assert_eq!(frames[0].dimensions(), (425, 110));
        assert!(!truth.vessels.is_empty());
        for v in &truth.vessels {
            let class =
                mcvideo_metrics::classify_flow(v.flowing_fraction, v.velocity_um_s, &p.flow_rule);
            assert_eq!(v.flow_class, class, "seed {seed} vessel {}", v.id);
            if let (Some(speed), true) = (v.velocity_um_s, v.flowing_fraction > 0.5) {
                let px = speed / (p.fps * p.um_per_px);
                assert!(
                    (0.8..=5.2).contains(&px),
                    "seed {seed} vessel {}: {px:.2} px/frame",
                    v.id
                );
                flowing += 1;
            }
        }
    }
    assert!(flowing >= 5, "{flowing} flowing vessels");
}

#[test]
fn cytocam_cells_are_fainter_and_wider_than_the_default_ones() {
    let crop = |p: SynthParams| SynthParams {
        seed: 3,
        width: 320,
        height: 240,
        duration_s: 0.1,
        ..p
    };
    let cytocam = crop(SynthParams::cytocam());
    let default = crop(SynthParams {
        um_per_px: 0.71,
        ..SynthParams::default()
    });
    let peak = |p: &SynthParams| {
        let drops: Vec<f64> = cell_signal(p)
            .concat()
            .into_iter()
            .filter(|&d| d >= 1.0)
            .collect();
        percentile(drops, 0.95)
    };
    let (c, d) = (peak(&cytocam), peak(&default));
    println!("cell drop 95th percentile: cytocam {c:.1}, default {d:.1}");
    assert!(c < 0.7 * d, "cytocam {c:.1}, default {d:.1}");
}

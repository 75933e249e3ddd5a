//! Integration tests of mcvideo-synth: lossless round trip through FFV1 and the decoder,
//! determinism, truth sanity, and rendered motion equal to the truth's shifts.

use crate::common;

use image::GrayImage;
use mcvideo_encode::VideoFormat;
use mcvideo_metrics::FlowClass;
use mcvideo_synth::{render, write_clip, Renderer, SynthParams, VesselKind};

fn small(seed: u64) -> SynthParams {
    SynthParams {
        width: 160,
        height: 120,
        duration_s: 1.0,
        seed,
        ..SynthParams::default()
    }
}

#[test]
fn ffv1_clip_decodes_to_exactly_the_rendered_frames() {
    let dir = tempfile::tempdir().unwrap();
    let params = small(11);
    let out = write_clip(&params, dir.path(), "clip", VideoFormat::Ffv1Avi).unwrap();
    let (frames, truth) = render(&params).unwrap();
    let (info, decoded) = mcvideo_decode::read_all(&out.clip_path).unwrap();
    assert_eq!(info.frames as usize, truth.frames);
    assert_eq!(decoded.len(), truth.frames);
    assert_eq!((info.width, info.height), (160, 120));
    assert!((info.fps - 25.0).abs() < 1e-9);
    assert!(
        decoded == frames,
        "decoded pixels differ from the rendered ones"
    );
    // The truth file holds the same truth.
    let text = std::fs::read_to_string(&out.truth_path).unwrap();
    let read: mcvideo_synth::Truth = serde_json::from_str(&text).unwrap();
    assert_eq!(out.truth, truth);
    assert_eq!(
        (read.frames, read.vessels.len()),
        (truth.frames, truth.vessels.len())
    );
    for (a, b) in read.shifts_px.iter().zip(&truth.shifts_px) {
        assert!((a[0] - b[0]).abs() < 1e-12 && (a[1] - b[1]).abs() < 1e-12);
    }
    assert!((read.metrics.tvd_mm_per_mm2 - truth.metrics.tvd_mm_per_mm2).abs() < 1e-9);
}

#[test]
fn h264_request_gives_a_decodable_mp4() {
    let dir = tempfile::tempdir().unwrap();
    let params = SynthParams {
        duration_s: 0.4,
        ..small(2)
    };
    let out = write_clip(&params, dir.path(), "clip", VideoFormat::H264Mp4).unwrap();
    assert_eq!(out.clip_path.extension().unwrap(), "mp4");
    assert!(matches!(
        out.format,
        VideoFormat::H264Mp4 | VideoFormat::Mpeg4Mp4
    ));
    assert_eq!(out.note.is_some(), out.format == VideoFormat::Mpeg4Mp4);
    let (info, decoded) = mcvideo_decode::read_all(&out.clip_path).unwrap();
    assert_eq!(decoded.len(), 10);
    assert_eq!(info.frames, 10);
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let params = small(5);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let three = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let (a, ta) = one.install(|| render(&params).unwrap());
    let (b, tb) = three.install(|| render(&params).unwrap());
    assert!(a == b);
    assert_eq!(ta, tb);
    let (c, _) = render(&SynthParams { seed: 6, ..params }).unwrap();
    assert!(a != c, "another seed must give another clip");
}

#[test]
fn truth_is_consistent_with_its_parameters() {
    for seed in 0..6 {
        let params = SynthParams {
            duration_s: 2.0,
            ..small(seed)
        };
        let r = Renderer::new(&params).unwrap();
        let truth = r.truth();
        assert_eq!(truth.frames, 50);
        assert_eq!(truth.shifts_px.len(), 50);
        assert_eq!(truth.shifts_px[0], [0.0, 0.0]);
        assert_eq!(
            truth.valid_region,
            mcvideo_synth::valid_region(&truth.shifts_px, 160, 120)
        );
        let [x0, y0, x1, y1] = truth.valid_region;
        assert!(x0 >= 0.0 && y0 >= 0.0 && x1 <= 160.0 && y1 <= 120.0 && x1 > x0 && y1 > y0);
        // Sub-pixel steps at the default motion: a steady clip.
        for w in truth.shifts_px.windows(2) {
            let step = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
            assert!(step < 1.0, "seed {seed}: step {step}");
        }
        assert!(!truth.vessels.is_empty());
        for (i, v) in truth.vessels.iter().enumerate() {
            assert_eq!(v.id, i);
            assert!(v.centerline_px.iter().all(|p| p[0] >= x0 - 1e-4
                && p[0] <= x1 + 1e-4
                && p[1] >= y0 - 1e-4
                && p[1] <= y1 + 1e-4));
            let len: f64 = v
                .centerline_px
                .windows(2)
                .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
                .sum();
            assert!((len * 1.2 - v.length_um).abs() < 1e-9);
            assert_eq!(v.small, v.diameter_um < 20.0);
            assert_eq!(
                v.flow_class,
                mcvideo_metrics::classify_flow(
                    v.flowing_fraction,
                    v.velocity_um_s,
                    &params.flow_rule
                )
            );
            match v.kind {
                VesselKind::Capillary => {
                    assert!((4.0..=12.0).contains(&v.diameter_um));
                }
                VesselKind::Venule => {
                    assert!((20.0..=60.0).contains(&v.diameter_um));
                    assert_eq!(v.flow_class, FlowClass::Continuous);
                }
            }
            match v.flow_class {
                FlowClass::NoFlow => {
                    assert_eq!((v.flowing_fraction, v.velocity_um_s), (0.0, None))
                }
                FlowClass::Intermittent => {
                    assert!(v.flowing_fraction > 0.0 && v.flowing_fraction <= 0.5)
                }
                FlowClass::Sluggish => {
                    let s = v.velocity_um_s.unwrap();
                    assert!(v.flowing_fraction == 1.0 && (30.0..300.0).contains(&s));
                }
                FlowClass::Continuous => {
                    let s = v.velocity_um_s.unwrap();
                    assert!(v.flowing_fraction == 1.0 && (300.0..3500.0).contains(&s));
                }
            }
        }
        // Metrics recomputed from the truth vessels agree.
        let measured: Vec<_> = truth
            .vessels
            .iter()
            .map(|v| mcvideo_metrics::MeasuredVessel {
                flow_unresolved: false,
                centerline_px: v.centerline_px.clone(),
                diameter_um: v.diameter_um,
                flow_class: v.flow_class,
                velocity_um_s: v.velocity_um_s,
            })
            .collect();
        let m = mcvideo_metrics::site_metrics(
            &measured,
            &mcvideo_metrics::MetricsParams {
                um_per_px: 1.2,
                small_vessel_cutoff_um: 20.0,
                valid_region: truth.valid_region,
            },
        )
        .unwrap();
        assert_eq!(m, truth.metrics);
        // The capillary density lands near its target (20 mm/mm²).
        assert!(
            (10.0..35.0).contains(&m.tvd_mm_per_mm2),
            "seed {seed}: TVD {}",
            m.tvd_mm_per_mm2
        );
    }
}

#[test]
fn flow_mix_sets_the_classes_of_capillaries() {
    let count = |mix: [f64; 4]| {
        let r = Renderer::new(&SynthParams {
            flow_mix: mix,
            ..small(4)
        })
        .unwrap();
        let mut n = [0usize; 4];
        for v in r
            .truth()
            .vessels
            .iter()
            .filter(|v| v.kind == VesselKind::Capillary)
        {
            n[v.flow_class.index()] += 1;
        }
        n
    };
    let all_stopped = count([1.0, 0.0, 0.0, 0.0]);
    assert!(all_stopped[0] > 0 && all_stopped[1..] == [0, 0, 0]);
    let half = count([0.0, 1.0, 1.0, 0.0]);
    assert!(half[1] > 0 && half[2] > 0 && half[0] == 0 && half[3] == 0);
}

/// Bilinear sample with edge clamping.
fn sample(img: &GrayImage, x: f64, y: f64) -> f64 {
    let (w, h) = img.dimensions();
    let x = x.clamp(0.0, f64::from(w - 1));
    let y = y.clamp(0.0, f64::from(h - 1));
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - f64::from(x0), y - f64::from(y0));
    let p = |x: u32, y: u32| f64::from(img.get_pixel(x, y).0[0]);
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Lucas-Kanade (Gauss-Newton) estimate of the shift s with frame(p + s) = gain * reference(p),
/// over an interior margin: an estimator independent of the renderer.
fn estimate_shift(reference: &GrayImage, frame: &GrayImage, margin: u32) -> [f64; 2] {
    let (w, h) = reference.dimensions();
    let mut s = [0.0f64, 0.0f64];
    for _ in 0..30 {
        // Normal equations for (sx, sy, gain).
        let mut a = [[0.0f64; 3]; 3];
        let mut b = [0.0f64; 3];
        let gain_guess = 1.0;
        for y in margin..h - margin {
            for x in margin..w - margin {
                let (px, py) = (f64::from(x) + s[0], f64::from(y) + s[1]);
                let f = sample(frame, px, py);
                let gx = 0.5 * (sample(frame, px + 1.0, py) - sample(frame, px - 1.0, py));
                let gy = 0.5 * (sample(frame, px, py + 1.0) - sample(frame, px, py - 1.0));
                let r = f64::from(reference.get_pixel(x, y).0[0]);
                // Residual f - g r, Jacobian [gx, gy, -r].
                let j = [gx, gy, -r];
                let e = f - gain_guess * r;
                for i in 0..3 {
                    for k in 0..3 {
                        a[i][k] += j[i] * j[k];
                    }
                    b[i] -= j[i] * e;
                }
            }
        }
        let d = solve3(a, b);
        s[0] += d[0];
        s[1] += d[1];
        if d[0].hypot(d[1]) < 1e-4 {
            break;
        }
    }
    s
}

fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> [f64; 3] {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(a);
    std::array::from_fn(|c| {
        let mut m = a;
        for r in 0..3 {
            m[r][c] = b[r];
        }
        det(m) / d
    })
}

#[test]
fn rendered_motion_matches_the_truth_shifts() {
    // A still scene (no flow, no venule) on a camera-fixed flat light: only the camera moves.
    let params = SynthParams {
        width: 128,
        height: 96,
        duration_s: 1.2,
        seed: 21,
        noise: 0.0,
        vignetting: 0.0,
        uneven_illumination: 0.0,
        motion: 4.0,
        venules: 0,
        flow_mix: [1.0, 0.0, 0.0, 0.0],
        ..SynthParams::default()
    };
    let (frames, truth) = render(&params).unwrap();
    let mut worst = 0.0f64;
    let mut moved = 0.0f64;
    for t in [5, 11, 17, 23, 29] {
        let est = estimate_shift(&frames[0], &frames[t], 12);
        let [dx, dy] = truth.shifts_px[t];
        worst = worst.max((est[0] - dx).hypot(est[1] - dy));
        moved = moved.max(dx.hypot(dy));
    }
    println!("max shift {moved:.3} px, worst estimate error {worst:.4} px");
    assert!(moved > 0.5, "the camera should have moved, max {moved}");
    assert!(
        worst < 0.02,
        "estimated shifts differ from the truth by up to {worst} px"
    );
}

#[test]
fn bad_parameters_are_refused_with_their_name() {
    let err = render(&SynthParams {
        flow_mix: [0.0; 4],
        ..SynthParams::default()
    })
    .unwrap_err();
    assert!(err.to_string().starts_with("bad parameter flow_mix"));
    let err = render(&SynthParams {
        width: 4,
        ..SynthParams::default()
    })
    .unwrap_err();
    assert!(err.to_string().contains("width x height"));
}

#[test]
fn extreme_parameters_still_render() {
    let cases = [
        SynthParams {
            width: 16,
            height: 17,
            duration_s: 0.08,
            ..SynthParams::default()
        },
        SynthParams {
            width: 64,
            height: 48,
            duration_s: 0.5,
            motion: 20.0,
            jumps: 5,
            jump_px: 40.0,
            illumination: 3.0,
            defocus_px: 6.0,
            noise: 5.0,
            venules: 3,
            flow_mix: [0.0, 1.0, 0.0, 0.0],
            ..SynthParams::default()
        },
        SynthParams {
            width: 96,
            height: 64,
            duration_s: 0.4,
            um_per_px: 3.0,
            capillary_density_mm_per_mm2: 0.0,
            venules: 0,
            ..SynthParams::default()
        },
    ];
    for params in cases {
        let (frames, truth) = render(&params).unwrap();
        assert_eq!(frames.len(), truth.frames);
        assert!(truth.frames >= 2);
        let [x0, y0, x1, y1] = truth.valid_region;
        assert!(x1 > x0 && y1 > y0, "{:?}", truth.valid_region);
    }
}

#[test]
fn noise_variance_grows_with_the_signal() {
    // Same scene with and without noise: the difference is the noise, whose variance should
    // follow read² + shot·I = 4 + 0.12 I (grey levels).
    let base = SynthParams {
        duration_s: 0.2,
        illumination: 1.3,
        ..small(8)
    };
    let (noisy, _) = render(&base).unwrap();
    let (clean, _) = render(&SynthParams { noise: 0.0, ..base }).unwrap();
    let (read2, shot) = common::noise_variance_fit(&noisy, &clean, 20..=230);
    println!("noise variance = {read2:.2} + {shot:.3} I");
    assert!((shot - 0.12).abs() < 0.03, "shot coefficient {shot}");
    assert!((read2 - 4.0).abs() < 2.0, "read variance {read2}");
}

/// Intensity along a polyline every half pixel.
fn profile_along(img: &GrayImage, line: &[[f64; 2]]) -> Vec<f64> {
    let mut out = Vec::new();
    for w in line.windows(2) {
        let len = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
        let steps = (len / 0.5).round().max(1.0) as usize;
        for k in 0..steps {
            let f = k as f64 / steps as f64;
            out.push(sample(
                img,
                w[0][0] + f * (w[1][0] - w[0][0]),
                w[0][1] + f * (w[1][1] - w[0][1]),
            ));
        }
    }
    out
}

/// The forward lag (in samples, sub-sample by a parabola) best matching `next` to `prev`.
fn best_lag(prev: &[f64], next: &[f64], max_lag: usize) -> f64 {
    let score = |lag: usize| {
        let n = prev.len() - lag;
        let a = &prev[..n];
        let b = &next[lag..lag + n];
        let (ma, mb) = (
            a.iter().sum::<f64>() / n as f64,
            b.iter().sum::<f64>() / n as f64,
        );
        let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
        for (x, y) in a.iter().zip(b) {
            sab += (x - ma) * (y - mb);
            saa += (x - ma) * (x - ma);
            sbb += (y - mb) * (y - mb);
        }
        sab / (saa * sbb).sqrt().max(1e-12)
    };
    let scores: Vec<f64> = (0..=max_lag).map(score).collect();
    let best = (0..=max_lag)
        .max_by(|&i, &j| scores[i].total_cmp(&scores[j]))
        .unwrap_or(0);
    if best == 0 || best == max_lag {
        return best as f64;
    }
    let (l, c, r) = (scores[best - 1], scores[best], scores[best + 1]);
    let denom = l - 2.0 * c + r;
    best as f64
        + if denom < 0.0 {
            0.5 * (l - r) / denom
        } else {
            0.0
        }
}

#[test]
fn cells_move_at_the_truth_velocity_in_the_truth_direction() {
    // Sluggish capillaries only, still camera, no noise: follow the cell pattern along the
    // longest vessels frame to frame and add up the displacements.
    let params = SynthParams {
        width: 200,
        height: 160,
        duration_s: 1.0,
        seed: 31,
        noise: 0.0,
        motion: 0.0,
        venules: 0,
        flow_mix: [0.0, 0.0, 1.0, 0.0],
        haematocrit: [0.3, 0.45],
        ..SynthParams::default()
    };
    let (frames, truth) = render(&params).unwrap();
    let mut vessels: Vec<_> = truth
        .vessels
        .iter()
        .filter(|v| v.length_um > 80.0)
        .collect();
    vessels.sort_by(|a, b| b.length_um.total_cmp(&a.length_um));
    assert!(vessels.len() >= 2);
    for v in vessels.iter().take(3) {
        let mut line = v.centerline_px.clone();
        if v.direction < 0.0 {
            line.reverse();
        }
        let profiles: Vec<Vec<f64>> = frames.iter().map(|f| profile_along(f, &line)).collect();
        let moved_samples: f64 = profiles
            .windows(2)
            .map(|w| best_lag(&w[0], &w[1], 24))
            .sum();
        let moved_um = moved_samples * 0.5 * params.um_per_px;
        let expected_um = v.velocity_um_s.unwrap() * (truth.frames - 1) as f64 / params.fps;
        println!(
            "vessel {}: moved {moved_um:.1} µm, truth {expected_um:.1} µm",
            v.id
        );
        assert!(
            (moved_um - expected_um).abs() < 0.15 * expected_um + 3.0,
            "vessel {}: moved {moved_um} µm, truth {expected_um} µm",
            v.id
        );
    }
}

#[test]
fn deep_vessels_change_the_image_but_not_the_truth() {
    let plain = small(9);
    let deep = SynthParams {
        deep_vessels: 3,
        ..plain.clone()
    };
    let (a, ta) = render(&plain).unwrap();
    let (b, tb) = render(&deep).unwrap();
    assert_eq!(ta.vessels, tb.vessels);
    assert_eq!(ta.metrics, tb.metrics);
    assert_eq!(ta.shifts_px, tb.shifts_px);
    // Deep vessels only darken.
    let mean = |f: &[GrayImage]| {
        f.iter()
            .flat_map(|i| i.as_raw().iter().map(|&v| f64::from(v)))
            .sum::<f64>()
            / (f.len() * 160 * 120) as f64
    };
    assert!(mean(&b) < mean(&a) - 0.5, "{} vs {}", mean(&b), mean(&a));
}

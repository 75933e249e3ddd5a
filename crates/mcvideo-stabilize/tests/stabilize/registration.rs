//! Registration accuracy and robustness on clips with exactly known shifts.

use crate::common::{random_shifts, render, shift_error_rms, ClipSpec};
use image::GrayImage;
use mcvideo_stabilize::{mean_image, stabilize, FrameStatus, StabilizeParams};

fn spec(shifts: Vec<[f64; 2]>, noise: f64, seed: u64) -> ClipSpec {
    ClipSpec {
        width: 192,
        height: 144,
        shifts,
        noise,
        vignetting: 0.3,
        seed,
        cells: 6,
        cell_speed: 6.0,
    }
}

#[test]
fn subpixel_accuracy_with_moving_cells_and_vignetting() {
    for seed in [1u64, 2] {
        let truth = random_shifts(24, 12.0, seed);
        let frames = render(&spec(truth.clone(), 3.0, seed));
        let stab = stabilize(&frames, &StabilizeParams::default()).unwrap();
        assert_eq!(stab.unregistered_frames, 0, "{:?}", stab.frames);
        let rms = shift_error_rms(
            &stab.shifts_px,
            &truth,
            stab.reference_frame,
            0..truth.len(),
        );
        assert!(rms < 0.15, "seed {seed}: shift error RMS {rms:.3} px");
        assert!(
            stab.residual_rms_px < 0.3,
            "residual {}",
            stab.residual_rms_px
        );
        assert_eq!(stab.shifts_px[stab.reference_frame], [0.0, 0.0]);
    }
}

#[test]
fn drift_beyond_the_correlation_window_is_followed() {
    // 192 px wide frames, correlation window 96 px: drift to 75 px in x and 30 px in y.
    let truth: Vec<[f64; 2]> = (0..30)
        .map(|t| [2.5 * t as f64 + 0.3, 1.0 * t as f64 - 0.7])
        .collect();
    let frames = render(&spec(truth.clone(), 2.0, 5));
    let stab = stabilize(&frames, &StabilizeParams::default()).unwrap();
    let kept: Vec<usize> = (0..truth.len()).filter(|&t| stab.kept[t]).collect();
    assert!(
        kept.len() >= 28,
        "kept {} of 30: {:?}",
        kept.len(),
        stab.frames
    );
    let rms = shift_error_rms(
        &stab.shifts_px,
        &truth,
        stab.reference_frame,
        kept.into_iter(),
    );
    assert!(rms < 0.2, "shift error RMS {rms:.3} px");
}

#[test]
fn foreign_and_blurred_frames_are_not_kept() {
    let truth = random_shifts(20, 5.0, 9);
    let mut frames = render(&spec(truth, 2.0, 9));
    // Frames 3 and 15 show another field; frame 8 is smeared by motion blur.
    let other = render(&spec(vec![[0.0, 0.0]; 2], 2.0, 1234));
    frames[3] = other[0].clone();
    frames[15] = other[1].clone();
    frames[8] = smear(&frames[8], 9);
    let stab = stabilize(&frames, &StabilizeParams::default()).unwrap();
    assert!(!stab.kept[3] && !stab.kept[15], "{:?}", stab.frames);
    let sharp: Vec<String> = stab
        .frames
        .iter()
        .map(|f| format!("{:.1}/{:.2}", f.sharpness, f.ncc))
        .collect();
    assert!(!stab.kept[8], "{:?} {sharp:?}", stab.frames[8]);
    assert_eq!(stab.frames[8].status, FrameStatus::Blurred);
    assert_eq!(stab.unregistered_frames, 3, "{:?}", stab.frames);
}

#[test]
fn same_result_with_one_thread_or_many() {
    let truth = random_shifts(12, 8.0, 4);
    let frames = render(&spec(truth, 3.0, 4));
    let many = stabilize(&frames, &StabilizeParams::default()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let one = pool
        .install(|| stabilize(&frames, &StabilizeParams::default()))
        .unwrap();
    assert_eq!(many, one);
}

#[test]
fn valid_region_and_mean_image_follow_the_shifts() {
    let truth: Vec<[f64; 2]> = vec![[0.0, 0.0], [4.0, -3.0], [-2.0, 5.0], [1.0, 1.0]];
    let frames = render(&spec(truth.clone(), 0.0, 11));
    let stab = stabilize(&frames, &StabilizeParams::default()).unwrap();
    let r = truth[stab.reference_frame];
    let rel: Vec<[f64; 2]> = truth.iter().map(|s| [s[0] - r[0], s[1] - r[1]]).collect();
    let expect = [
        rel.iter().map(|s| -s[0]).fold(0.0, f64::max),
        rel.iter().map(|s| -s[1]).fold(0.0, f64::max),
        rel.iter().map(|s| 192.0 - s[0]).fold(192.0, f64::min),
        rel.iter().map(|s| 144.0 - s[1]).fold(144.0, f64::min),
    ];
    for k in 0..4 {
        assert!(
            (stab.valid_region[k] - expect[k]).abs() < 0.2,
            "{:?} vs {expect:?}",
            stab.valid_region
        );
    }
    // Inside the valid region the mean equals the reference frame up to cells and rounding.
    let mean = mean_image(&frames, &stab);
    let reference = &frames[stab.reference_frame];
    let mut diff = 0.0;
    let mut n = 0.0;
    for y in 20..120 {
        for x in 20..170 {
            diff += (mean.get_pixel(x, y).0[0] - f32::from(reference.get_pixel(x, y).0[0])).abs()
                as f64;
            n += 1.0;
        }
    }
    assert!(diff / n < 6.0, "mean abs difference {}", diff / n);
}

/// Horizontal motion blur over `len` pixels.
fn smear(frame: &GrayImage, len: u32) -> GrayImage {
    GrayImage::from_fn(frame.width(), frame.height(), |x, y| {
        let mut s = 0u32;
        for k in 0..len {
            s += u32::from(frame.get_pixel((x + k).min(frame.width() - 1), y).0[0]);
        }
        image::Luma([(s / len) as u8])
    })
}

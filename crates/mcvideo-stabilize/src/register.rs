//! The registration pipeline: reference choice, phase correlation of every frame to the
//! reference, re-referencing of large drifts, sub-pixel refinement, refinement against the
//! temporal mean, unregistered-frame detection and the valid region.

use mcvideo_frames::Frames;
use rayon::prelude::*;

use crate::phase_correlation::{fft_friendly_at_most, tukey, Correlator, Scratch};
use crate::preprocess::{directional_energy, WorkImage};
use crate::refine::{refine_translation, Fixed, Refined, Region};
use crate::sample::accumulate_shifted_row;
use crate::work_images::WorkImages;
use crate::{FrameRegistration, FrameStatus, Stabilization, StabilizeError, StabilizeParams};

/// Registers every frame to a reference frame (translation only).
///
/// Steps: (1) working images: dark vessel interiors clipped, downsampled, high-passed;
/// (2) reference = sharpest frame of the middle half of the clip; (3) every frame is phase
/// correlated with the central window of the reference (rayon over frames); (4) frames that
/// fail, or drifted far, are re-registered in time order outward from the reference with the
/// window re-placed inside the overlap predicted by their neighbour (keyframe re-referencing:
/// every shift is measured directly against the reference, so errors do not accumulate as a
/// random walk); frames with too little overlap are chained to their neighbour and marked
/// out of field; (5) Gauss–Newton sub-pixel refinement; (6) optional second pass against the
/// temporal mean of the kept frames, which averages out moving red cells and noise.
///
/// ```
/// use image::{GrayImage, Luma};
/// use mcvideo_stabilize::{stabilize, StabilizeParams};
/// // A smooth texture, and the same texture moved by (+3, -2) px in the second frame.
/// let texture = |x: f64, y: f64| 128.0 + 50.0 * (0.21 * x).sin() * (0.17 * y).cos() + 30.0 * (0.05 * x + 0.13 * y).sin();
/// let frame0 = GrayImage::from_fn(96, 96, |x, y| Luma([texture(x as f64, y as f64) as u8]));
/// let frame1 = GrayImage::from_fn(96, 96, |x, y| Luma([texture(x as f64 - 3.0, y as f64 + 2.0) as u8]));
/// let params = StabilizeParams { clip_dark_quantile: 0.0, ..StabilizeParams::default() };
/// let stab = stabilize(&[frame0, frame1][..], &params).unwrap();
/// let [dx, dy] = stab.shifts_px[1 - stab.reference_frame];
/// let sign = if stab.reference_frame == 0 { 1.0 } else { -1.0 };
/// assert_eq!(((sign * dx).round(), (sign * dy).round()), (3.0, -2.0));
/// assert_eq!(stab.kept, vec![true, true]);
/// ```
pub fn stabilize<F: Frames + ?Sized>(
    frames: &F,
    params: &StabilizeParams,
) -> Result<Stabilization, StabilizeError> {
    let (width, height) = validate(frames, params)?;
    let factor = params
        .downsample
        .unwrap_or_else(|| (width.min(height) / 190).max(1)) as usize;
    if (width as usize / factor) < 32 || (height as usize / factor) < 32 {
        return Err(StabilizeError::TooSmall {
            w: width,
            h: height,
        });
    }
    let work = WorkImages::build(frames, factor, params)?;
    let (ww, wh) = work.size();
    let side = |n: usize| {
        fft_friendly_at_most(
            params
                .max_window
                .min((n as f64 * params.window_fraction) as usize),
        )
    };
    let (wx, wy) = (side(ww).min(ww), side(wh).min(wh));
    let corr = Correlator::new(wx, wy, params.taper_fraction, params.whitening);
    let (cx0, cy0) = ((ww - wx) / 2, (wh - wy) / 2);

    let energy: Vec<[f64; 4]> = (0..work.len())
        .into_par_iter()
        .map(|t| directional_energy(&work.get(t), cx0, cy0, cx0 + wx, cy0 + wy))
        .collect();
    let sharpness: Vec<f64> = energy.iter().map(|e| e.iter().sum::<f64>() / 4.0).collect();
    let reference = choose_reference(&sharpness);
    let blur_score = blur_scores(&energy);

    // Pass 1: all frames against the central reference window, in parallel.
    let reference_image = work.get(reference);
    let ref_spec = corr.spectrum(&reference_image, cx0, cy0, &mut corr.scratch());
    let ref_fixed = Fixed::new(&reference_image);
    let lk = |fixed: &Fixed, moving: &WorkImage, start: [f64; 2]| {
        refine_over_overlap(fixed, moving, start, params)
    };
    let mut results: Vec<Attempt> = (0..work.len())
        .into_par_iter()
        .map_init(
            || corr.scratch(),
            |scratch, t| {
                let img = work.get(t);
                let peak = corr.correlate(&ref_spec, &img, cx0, cy0, scratch);
                let refined = lk(&ref_fixed, &img, [peak.dx, peak.dy]);
                Attempt {
                    refined,
                    peak_ratio: peak.ratio,
                    status: FrameStatus::Registered,
                }
            },
        )
        .collect();
    results[reference] = Attempt {
        refined: Refined {
            shift: [0.0, 0.0],
            ncc: 1.0,
            last_step: 0.0,
        },
        peak_ratio: f64::INFINITY,
        status: FrameStatus::Reference,
    };
    let ncc_floor = ncc_floor(&results, params);
    let capture = [wx as f64 / 4.0, wy as f64 / 4.0];
    let ok = |a: &Attempt| {
        a.status == FrameStatus::Reference
            || (a.refined.ncc >= ncc_floor
                && a.refined.last_step < 0.5
                && a.refined.shift[0].abs() <= capture[0]
                && a.refined.shift[1].abs() <= capture[1])
    };

    // Spikes: first shifts far from the median of the two neighbours on each side.
    let spike = spikes(
        &results.iter().map(|a| a.refined.shift).collect::<Vec<_>>(),
        params.max_spike_px,
    );

    // Pass 2: failed or far frames, outward from the reference, guided by their neighbour.
    let mut scratch = corr.scratch();
    let order = (reference + 1..work.len())
        .map(|t| (t, t - 1))
        .chain((0..reference).rev().map(|t| (t, t + 1)));
    for (t, neighbour) in order {
        if spike[t] && ok(&results[t]) && t != reference {
            // Refined locally from the neighbour's shift: the nearest optimum, not the
            // strongest peak anywhere.
            let local = refine_over_overlap(
                &ref_fixed,
                &work.get(t),
                results[neighbour].refined.shift,
                params,
            );
            if local.ncc >= ncc_floor
                && local.last_step < 0.5
                && local.ncc >= 0.9 * results[t].refined.ncc
            {
                results[t].refined = local;
            }
            continue;
        }
        if ok(&results[t]) {
            continue;
        }
        let guess = results[neighbour].refined.shift;
        let attempt = reregister(
            &work,
            &ref_fixed,
            t,
            neighbour,
            guess,
            &corr,
            &mut scratch,
            params,
        );
        let better = attempt.status == FrameStatus::OutOfField
            || attempt.refined.ncc > results[t].refined.ncc;
        if better {
            results[t] = attempt;
        }
        if results[t].status == FrameStatus::Registered && !ok(&results[t]) {
            // Both correlation peaks were spurious (a faint, noisy frame): the nearest
            // optimum from the neighbour's shift.
            let local = refine_over_overlap(
                &ref_fixed,
                &work.get(t),
                results[neighbour].refined.shift,
                params,
            );
            if local.ncc > results[t].refined.ncc {
                results[t].refined = local;
            }
        }
        if results[t].status == FrameStatus::Registered
            && !ok(&results[t])
            && results[t].refined.ncc < ncc_floor
        {
            results[t].status = FrameStatus::LowCorrelation;
        }
    }
    for (a, &s) in results.iter_mut().zip(&blur_score) {
        if a.status == FrameStatus::Registered && a.refined.ncc < ncc_floor {
            a.status = FrameStatus::LowCorrelation;
        }
        if a.status == FrameStatus::Registered && s < params.blur_ratio {
            a.status = FrameStatus::Blurred;
        }
    }
    let kept: Vec<bool> = results
        .iter()
        .map(|a| matches!(a.status, FrameStatus::Registered | FrameStatus::Reference))
        .collect();
    let first: Vec<[f64; 2]> = results.iter().map(|a| a.refined.shift).collect();

    // Pass 3: every kept frame against the temporal mean of the kept working images.
    let second = refine_to_mean(&work, &first, &kept, reference, params);
    work.check()?;
    let residual = rms_difference(&first, &second, &kept) * factor as f64;
    let chosen = if params.refine_to_mean {
        &second
    } else {
        &first
    };
    let scale = factor as f64;
    let shifts_px: Vec<[f64; 2]> = chosen
        .iter()
        .map(|s| [s[0] * scale, s[1] * scale])
        .collect();

    let frames_info: Vec<FrameRegistration> = results
        .iter()
        .zip(sharpness.iter().zip(&blur_score))
        .map(|(a, (&s, &b))| FrameRegistration {
            status: a.status,
            ncc: a.refined.ncc,
            peak_ratio: a.peak_ratio,
            sharpness: s,
            blur_score: b,
        })
        .collect();
    Ok(summarize(
        shifts_px,
        kept,
        reference,
        residual,
        width,
        height,
        factor as u32,
        frames_info,
    ))
}

/// For each frame, whether its shift goes out and comes back: further than `max_px` (in x
/// or y) from both neighbours' shifts while those two lie within `max_px` of each other. A
/// probe that slips jumps and stays, so the frames on either side of a jump are no spikes.
/// None when `max_px` is not positive.
fn spikes(shifts: &[[f64; 2]], max_px: f64) -> Vec<bool> {
    let far = |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).abs().max((a[1] - b[1]).abs()) > max_px;
    (0..shifts.len())
        .map(|t| {
            max_px > 0.0
                && t > 0
                && t + 1 < shifts.len()
                && far(shifts[t], shifts[t - 1])
                && far(shifts[t], shifts[t + 1])
                && !far(shifts[t - 1], shifts[t + 1])
        })
        .collect()
}

/// One registration attempt of one frame (working px).
#[derive(Debug, Clone, Copy)]
struct Attempt {
    refined: Refined,
    peak_ratio: f64,
    status: FrameStatus,
}

fn validate<F: Frames + ?Sized>(
    frames: &F,
    params: &StabilizeParams,
) -> Result<(u32, u32), StabilizeError> {
    if frames.is_empty() {
        return Err(StabilizeError::NoFrames);
    }
    let (w, h) = frames.dimensions(0);
    for index in 0..frames.len() {
        let (found_w, found_h) = frames.dimensions(index);
        if (found_w, found_h) != (w, h) {
            return Err(StabilizeError::SizeMismatch {
                index,
                w,
                h,
                found_w,
                found_h,
            });
        }
    }
    if w < 32 || h < 32 {
        return Err(StabilizeError::TooSmall { w, h });
    }
    if params.downsample == Some(0) {
        return Err(StabilizeError::BadParams(
            "downsample must be at least 1".into(),
        ));
    }
    if !(params.window_fraction > 0.0 && params.window_fraction <= 1.0) {
        return Err(StabilizeError::BadParams(format!(
            "window_fraction {} is not in (0, 1]",
            params.window_fraction
        )));
    }
    if params.max_window < 16 {
        return Err(StabilizeError::BadParams(format!(
            "max_window {} is below 16",
            params.max_window
        )));
    }
    Ok((w, h))
}

/// The sharpest frame of the middle half of the clip: away from the start and end, where
/// the probe is placed and lifted, and in focus.
fn choose_reference(sharpness: &[f64]) -> usize {
    let n = sharpness.len();
    let (lo, hi) = if n >= 4 {
        (n / 4, (3 * n).div_ceil(4))
    } else {
        (0, n)
    };
    let mut best = lo;
    for t in lo..hi {
        if sharpness[t] > sharpness[best] {
            best = t;
        }
    }
    best
}

fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Per frame, the smallest ratio of its directional sharpness to the clip median in that
/// direction (1 = as sharp as usual in every direction).
fn blur_scores(energy: &[[f64; 4]]) -> Vec<f64> {
    let medians: Vec<f64> = (0..4)
        .map(|k| median(&energy.iter().map(|e| e[k]).collect::<Vec<_>>()))
        .collect();
    energy
        .iter()
        .map(|e| {
            e.iter()
                .zip(&medians)
                .map(|(v, m)| if *m > 0.0 { v / m } else { 1.0 })
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

/// NCC below which a frame counts as unregistered: absolute floor, or a fraction of the
/// clip's median (noisy clips have lower NCC throughout).
fn ncc_floor(results: &[Attempt], params: &StabilizeParams) -> f64 {
    let nccs: Vec<f64> = results
        .iter()
        .filter(|a| a.status != FrameStatus::Reference)
        .map(|a| a.refined.ncc)
        .collect();
    params.min_ncc.max(params.min_relative_ncc * median(&nccs))
}

/// Re-registers frame `t` with the reference window placed inside the overlap predicted by
/// `guess`; too little overlap → chained to `neighbour` and marked out of field.
#[allow(clippy::too_many_arguments)]
fn reregister(
    work: &WorkImages,
    reference: &Fixed,
    t: usize,
    neighbour: usize,
    guess: [f64; 2],
    corr: &Correlator,
    scratch: &mut Scratch,
    params: &StabilizeParams,
) -> Attempt {
    let (ww, wh) = work.size();
    let moving = work.get(t);
    let gx = guess[0].round() as isize;
    let gy = guess[1].round() as isize;
    let place = |g: isize, n: usize, win: usize| -> Option<usize> {
        // Reference coordinates u with u and u + g both inside [0, n): [max(0,-g), min(n, n-g)).
        let lo = (-g).max(0);
        let hi = (n as isize).min(n as isize - g);
        if hi - lo < win as isize {
            return None;
        }
        Some(((lo + hi - win as isize) / 2) as usize)
    };
    match (place(gx, ww, corr.wx), place(gy, wh, corr.wy)) {
        (Some(ox), Some(oy)) => {
            let spec = corr.spectrum(reference.img, ox, oy, scratch);
            let mx = (ox as isize + gx) as usize;
            let my = (oy as isize + gy) as usize;
            let peak = corr.correlate(&spec, &moving, mx, my, scratch);
            let start = [gx as f64 + peak.dx, gy as f64 + peak.dy];
            let refined = refine_over_overlap(reference, &moving, start, params);
            Attempt {
                refined,
                peak_ratio: peak.ratio,
                status: FrameStatus::Registered,
            }
        }
        _ => {
            // Chain: central window of the neighbour against the same window of frame t.
            let (cx0, cy0) = ((ww - corr.wx) / 2, (wh - corr.wy) / 2);
            let neighbour_image = work.get(neighbour);
            let spec = corr.spectrum(&neighbour_image, cx0, cy0, scratch);
            let peak = corr.correlate(&spec, &moving, cx0, cy0, scratch);
            let local = refine_over_overlap(
                &Fixed::new(&neighbour_image),
                &moving,
                [peak.dx, peak.dy],
                params,
            );
            let shift = [guess[0] + local.shift[0], guess[1] + local.shift[1]];
            Attempt {
                refined: Refined { shift, ..local },
                peak_ratio: peak.ratio,
                status: FrameStatus::OutOfField,
            }
        }
    }
}

/// Second pass: registers each kept frame to the temporal mean of the kept working images
/// (reference coordinates) and re-anchors the shifts on the reference frame.
fn refine_to_mean(
    work: &WorkImages,
    first: &[[f64; 2]],
    kept: &[bool],
    reference: usize,
    params: &StabilizeParams,
) -> Vec<[f64; 2]> {
    let (w, h) = work.size();
    // Frame by frame, so one working image is read at a time; each pixel still sums the
    // frames in time order, whatever the number of threads.
    let mut sums = vec![vec![0.0f32; w]; h];
    let mut counts = vec![vec![0u32; w]; h];
    for t in (0..work.len()).filter(|&t| kept[t]) {
        let image = work.get(t);
        sums.par_iter_mut()
            .zip(counts.par_iter_mut())
            .enumerate()
            .for_each(|(y, (sum, count))| {
                accumulate_shifted_row(&image.data, w, h, y, first[t], sum, count);
            });
    }
    let reference_image = work.get(reference);
    let rows: Vec<Vec<f32>> = sums
        .iter()
        .zip(&counts)
        .enumerate()
        .map(|(y, (sum, count))| {
            sum.iter()
                .zip(count)
                .zip(reference_image.row(y))
                .map(|((&s, &c), &f)| if c > 0 { s / c as f32 } else { f })
                .collect()
        })
        .collect();
    let mean = WorkImage {
        w,
        h,
        data: rows.concat(),
    };
    let fixed = Fixed::new(&mean);
    let refined: Vec<[f64; 2]> = (0..work.len())
        .into_par_iter()
        .map(|t| {
            if kept[t] {
                refine_over_overlap(&fixed, &work.get(t), first[t], params).shift
            } else {
                first[t]
            }
        })
        .collect();
    let anchor = refined[reference];
    refined
        .iter()
        .zip(kept)
        .zip(first)
        .map(|((s, &k), f)| {
            if k {
                [s[0] - anchor[0], s[1] - anchor[1]]
            } else {
                [f[0] - anchor[0], f[1] - anchor[1]]
            }
        })
        .collect()
}

/// Gauss–Newton refinement over the whole overlap of `fixed` and `moving` at `start`
/// (less a margin), Tukey-weighted: far more pixels than the correlation window, so moving
/// cells in a few vessels and sensor noise average out.
fn refine_over_overlap(
    fixed: &Fixed,
    moving: &WorkImage,
    start: [f64; 2],
    params: &StabilizeParams,
) -> Refined {
    const MARGIN: f64 = 3.0;
    let span = |s: f64, n: usize| -> (usize, usize) {
        let lo = (-s).max(0.0) + MARGIN;
        let hi = (n as f64 - 1.0).min(n as f64 - 1.0 - s) - MARGIN;
        let lo_i = lo.ceil().max(0.0) as usize;
        let hi_i = if hi < 0.0 {
            0
        } else {
            (hi.floor() as usize).min(n - 1)
        };
        (lo_i, (hi_i + 1).saturating_sub(lo_i))
    };
    let (ox, wx) = span(start[0], fixed.img.w);
    let (oy, wy) = span(start[1], fixed.img.h);
    if wx < 8 || wy < 8 {
        return Refined {
            shift: start,
            ncc: 0.0,
            last_step: f64::INFINITY,
        };
    }
    let tx = tukey(wx, 0.3);
    let ty = tukey(wy, 0.3);
    let stride = params
        .refine_stride
        .unwrap_or_else(|| ((wx * wy) as f64 / 12_000.0).sqrt().round().max(1.0) as usize);
    let region = Region {
        ox,
        oy,
        tx: &tx,
        ty: &ty,
        stride,
    };
    refine_translation(fixed, &region, moving, start, params.refine_iterations)
}

fn rms_difference(a: &[[f64; 2]], b: &[[f64; 2]], kept: &[bool]) -> f64 {
    let mut sum = 0.0;
    let mut n = 0usize;
    for ((p, q), &k) in a.iter().zip(b).zip(kept) {
        if k {
            sum += (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2);
            n += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        (sum / n as f64).sqrt()
    }
}

#[allow(clippy::too_many_arguments)]
fn summarize(
    shifts_px: Vec<[f64; 2]>,
    kept: Vec<bool>,
    reference: usize,
    residual_rms_px: f64,
    width: u32,
    height: u32,
    downsample: u32,
    frames: Vec<FrameRegistration>,
) -> Stabilization {
    let (wm, hm) = (f64::from(width), f64::from(height));
    let mut region = [0.0, 0.0, wm, hm];
    let mut max_disp = 0.0f64;
    let mut max_all = 0.0f64;
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for (s, &k) in shifts_px.iter().zip(&kept) {
        let norm = s[0].hypot(s[1]);
        max_all = max_all.max(norm);
        if !k {
            continue;
        }
        max_disp = max_disp.max(norm);
        // Pixel-edge coordinates: frame t shows the reference points x in [-dx, w - dx].
        region[0] = region[0].max(-s[0]);
        region[1] = region[1].max(-s[1]);
        region[2] = region[2].min(wm - s[0]);
        region[3] = region[3].min(hm - s[1]);
        for a in 0..2 {
            lo[a] = lo[a].min(s[a]);
            hi[a] = hi[a].max(s[a]);
        }
    }
    if region[2] < region[0] {
        region[2] = region[0];
    }
    if region[3] < region[1] {
        region[3] = region[1];
    }
    let max_jump = shifts_px
        .windows(2)
        .map(|p| (p[1][0] - p[0][0]).hypot(p[1][1] - p[0][1]))
        .fold(0.0, f64::max);
    let unregistered = kept.iter().filter(|&&k| !k).count();
    let blurred = frames
        .iter()
        .filter(|f| f.status == FrameStatus::Blurred)
        .count();
    Stabilization {
        shifts_px,
        reference_frame: reference,
        residual_rms_px,
        valid_region: region,
        kept,
        unregistered_frames: unregistered,
        max_displacement_px: max_disp,
        max_displacement_all_px: max_all,
        shift_range_px: [(hi[0] - lo[0]).max(0.0), (hi[1] - lo[1]).max(0.0)],
        max_jump_px: max_jump,
        blurred_frames: blurred,
        width,
        height,
        downsample,
        frames,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_far_shift_is_a_spike_and_a_jump_is_not() {
        let mut shifts: Vec<[f64; 2]> = (0..10).map(|t| [0.1 * t as f64, 0.0]).collect();
        shifts[4] = [30.0, 0.0];
        let found = spikes(&shifts, 8.0);
        assert_eq!(found.iter().filter(|&&s| s).count(), 1);
        assert!(found[4]);
        // A jump of 20 px that stays: the frames on either side of it are not spikes.
        let jump: Vec<[f64; 2]> = (0..10)
            .map(|t| [0.0, if t < 5 { 0.0 } else { 20.0 }])
            .collect();
        assert!(spikes(&jump, 8.0).iter().all(|&s| !s));
        assert!(spikes(&shifts, 0.0).iter().all(|&s| !s));
    }

    #[test]
    fn reference_is_the_sharpest_of_the_middle_half() {
        assert_eq!(
            choose_reference(&[9.0, 1.0, 2.0, 5.0, 3.0, 1.0, 1.0, 9.0]),
            3
        );
        assert_eq!(choose_reference(&[1.0, 2.0]), 1);
    }

    #[test]
    fn empty_and_mismatched_inputs_are_errors() {
        use image::GrayImage;
        let p = StabilizeParams::default();
        let none: &[GrayImage] = &[];
        assert_eq!(stabilize(none, &p), Err(StabilizeError::NoFrames));
        let a = GrayImage::new(64, 64);
        let b = GrayImage::new(64, 48);
        assert!(matches!(
            stabilize(&[a.clone(), b][..], &p),
            Err(StabilizeError::SizeMismatch { index: 1, .. })
        ));
        assert!(matches!(
            stabilize(&[GrayImage::new(20, 20)][..], &p),
            Err(StabilizeError::TooSmall { .. })
        ));
        let bad = StabilizeParams {
            downsample: Some(0),
            ..StabilizeParams::default()
        };
        assert!(matches!(
            stabilize(&[a][..], &bad),
            Err(StabilizeError::BadParams(_))
        ));
    }
}

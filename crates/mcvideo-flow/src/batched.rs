//! Flow of a clip's vessels read frame by frame: each frame is read once for a batch of
//! vessels, whose space-time diagrams together stay within a memory budget.
//!
//! The diagrams, and so the flow, are the same as [`crate::measure_vessels`] and
//! [`crate::motion_splits`] give: only the order in which they are filled differs (frame by
//! frame for many vessels, instead of vessel by vessel over every frame), which lets a clip
//! kept in a temporary file ([`mcvideo_frames::SpilledFrames`]) be read sequentially, a few
//! times at most, rather than once per vessel. Vessels are batched from the top of the frame
//! down, and each frame is read only across the rows a batch's vessels sample, so a clip is
//! read about once in all however small the budget.

use crate::diagram::{remove_static_background, FrameBand, SamplingPlan};
use crate::split::{split_diagram, MotionSplit};
use crate::{half_width, measure_flow, vessel_plan, FlowParams, VesselFlow};
use mcvideo_frames::Frames;
use ndarray::Array2;
use rayon::prelude::*;
use std::ops::Range;

/// Bytes of one f32 diagram value.
const VALUE_BYTES: usize = std::mem::size_of::<f32>();

/// The plans' indices ordered by the highest row each samples (top of the frame first), so
/// that a run of them spans a band of rows.
pub fn top_down(plans: &[SamplingPlan], height: usize) -> Vec<usize> {
    let top = |p: &SamplingPlan| p.rows_read([0.0, 0.0], height).map_or(0, |(lo, _)| lo);
    let mut order: Vec<usize> = (0..plans.len()).collect();
    order.sort_by_key(|&i| (top(&plans[i]), i));
    order
}

/// Consecutive runs of plans whose diagrams of `rows` rows fit in `budget_bytes` together
/// (a plan larger than the budget alone makes a run of its own).
pub fn batches(plans: &[SamplingPlan], rows: usize, budget_bytes: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut used) = (0, 0usize);
    for (i, plan) in plans.iter().enumerate() {
        let bytes = plan.columns() * rows * VALUE_BYTES;
        if i > start && used + bytes > budget_bytes {
            out.push(start..i);
            (start, used) = (i, 0);
        }
        used += bytes;
    }
    if start < plans.len() {
        out.push(start..plans.len());
    }
    out
}

/// The raw diagrams of `plans` over the frames that have a shift, filled frame by frame
/// (each frame read once), as [`SamplingPlan::diagram`] gives them one at a time.
///
/// ```
/// use mcvideo_flow::{batched::diagrams, SamplingPlan};
/// let frames: Vec<image::GrayImage> = (0..3u8)
///     .map(|t| image::GrayImage::from_fn(12, 6, |x, y| image::Luma([t * 50 + (x + y) as u8])))
///     .collect();
/// let shifts = [[0.0, 0.0], [0.5, 0.0], [0.0, 1.0]];
/// let plans = [SamplingPlan::new(&[[1.0, 2.0], [9.0, 2.0]], 1.0), SamplingPlan::new(&[[3.0, 1.0], [3.0, 5.0]], 0.0)];
/// let together = diagrams(&plans, &frames, &shifts);
/// assert_eq!(together[0], plans[0].diagram(&frames, &shifts));
/// assert_eq!(together[1], plans[1].diagram(&frames, &shifts));
/// ```
pub fn diagrams<F: Frames + ?Sized>(
    plans: &[SamplingPlan],
    frames: &F,
    shifts_px: &[[f64; 2]],
) -> Vec<Array2<f32>> {
    let rows = frames.len().min(shifts_px.len());
    let mut out: Vec<Array2<f32>> = plans
        .iter()
        .map(|plan| Array2::<f32>::zeros((rows, plan.columns())))
        .collect();
    for (t, &shift) in shifts_px.iter().enumerate().take(rows) {
        let (width, height) = frames.dimensions(t);
        // Every row the plans read at this frame's shift, and no other.
        let span = plans
            .iter()
            .filter_map(|plan| plan.rows_read(shift, height as usize))
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
        let Some((first, last)) = span else { continue };
        let (band, band_first) = frames.rows(t, first as u32..last as u32 + 1);
        let band = FrameBand {
            pixels: band.as_raw(),
            width: width as usize,
            height: height as usize,
            first_row: band_first as usize,
        };
        out.par_iter_mut().zip(plans).for_each(|(diagram, plan)| {
            if let Some(row) = diagram.row_mut(t).into_slice() {
                plan.sample_band(&band, shift, row);
            }
        });
    }
    out
}

/// [`crate::measure_vessels`] reading each frame once per batch of vessels whose diagrams
/// take at most `diagram_budget_bytes` together.
pub fn measure_vessels<F: Frames + ?Sized>(
    frames: &F,
    shifts_px: &[[f64; 2]],
    vessels: &[(Vec<[f64; 2]>, f64)],
    fps: f64,
    um_per_px: f64,
    params: &FlowParams,
    diagram_budget_bytes: usize,
) -> Vec<VesselFlow> {
    let plans: Vec<SamplingPlan> = vessels
        .iter()
        .map(|(centerline, diameter_px)| vessel_plan(centerline, *diameter_px, params))
        .collect();
    let rows = frames.len().min(shifts_px.len());
    let height = if frames.is_empty() {
        0
    } else {
        frames.dimensions(0).1 as usize
    };
    let order = top_down(&plans, height);
    let ordered: Vec<SamplingPlan> = order.iter().map(|&i| plans[i].clone()).collect();
    let mut flows: Vec<Option<VesselFlow>> = vec![None; vessels.len()];
    for batch in batches(&ordered, rows, diagram_budget_bytes) {
        let diagrams = diagrams(&ordered[batch.clone()], frames, shifts_px);
        let measured: Vec<VesselFlow> = diagrams
            .par_iter()
            .map(|std| measure_flow(std, fps, um_per_px, params))
            .collect();
        for (&i, flow) in order[batch].iter().zip(measured) {
            flows[i] = Some(flow);
        }
    }
    flows.into_iter().flatten().collect()
}

/// [`crate::motion_splits`] reading each frame once per batch of vessels whose diagrams
/// take at most `diagram_budget_bytes` together.
pub fn motion_splits<F: Frames + ?Sized>(
    frames: &F,
    shifts_px: &[[f64; 2]],
    vessels: &[(Vec<[f64; 2]>, f64)],
    fps: f64,
    um_per_px: f64,
    params: &FlowParams,
    diagram_budget_bytes: usize,
) -> Vec<Option<f64>> {
    if !(params.split_min_piece_um > 0.0 && um_per_px.is_finite() && um_per_px > 0.0) {
        return vec![None; vessels.len()];
    }
    let rule = MotionSplit {
        min_piece_px: (params.split_min_piece_um / um_per_px).ceil() as usize,
        min_ratio: params.split_min_ratio,
        min_moving: params.split_min_moving,
        min_ratio_above_noise: params.split_min_ratio_above_noise,
    };
    // Vessels too short to hold two pieces, or clips too short, are not sampled.
    let candidates: Vec<(usize, SamplingPlan)> = vessels
        .iter()
        .enumerate()
        .map(|(i, (centerline, diameter_px))| {
            (
                i,
                SamplingPlan::new(centerline, half_width(*diameter_px, params)),
            )
        })
        .filter(|(_, plan)| plan.columns() >= 2 * rule.min_piece_px.max(2) && frames.len() >= 3)
        .collect();
    let height = if frames.is_empty() {
        0
    } else {
        frames.dimensions(0).1 as usize
    };
    let (indices, plans): (Vec<usize>, Vec<SamplingPlan>) = {
        let (indices, plans): (Vec<usize>, Vec<SamplingPlan>) = candidates.into_iter().unzip();
        let order = top_down(&plans, height);
        order
            .iter()
            .map(|&k| (indices[k], plans[k].clone()))
            .unzip()
    };
    let rows = frames.len().min(shifts_px.len());
    let mut splits = vec![None; vessels.len()];
    for batch in batches(&plans, rows, diagram_budget_bytes) {
        let mut diagrams = diagrams(&plans[batch.clone()], frames, shifts_px);
        let found: Vec<Option<f64>> = diagrams
            .par_iter_mut()
            .map(|s| {
                remove_static_background(s);
                let noise = crate::motion::noise_variance(s);
                // Columns are 1-px steps of arc length.
                split_diagram(s, noise, fps, params, &rule).map(|c| c as f64)
            })
            .collect();
        for (&i, split) in indices[batch].iter().zip(found) {
            splits[i] = split;
        }
    }
    splits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_keep_order_and_budget() {
        let plan = |len: f64| SamplingPlan::new(&[[0.0, 0.0], [len, 0.0]], 0.0);
        // 11, 21, 6 and 31 columns over 10 rows: 440, 840, 240, 1240 bytes.
        let plans = [plan(10.0), plan(20.0), plan(5.0), plan(30.0)];
        assert_eq!(batches(&plans, 10, 1300), vec![0..2, 2..3, 3..4]);
        assert_eq!(batches(&plans, 10, usize::MAX), vec![0..4]);
        assert_eq!(batches(&plans, 10, 1), vec![0..1, 1..2, 2..3, 3..4]);
        assert!(batches(&[], 10, 1).is_empty());
    }

    /// Dark dots moving along a horizontal, a vertical and a diagonal vessel at different
    /// speeds, over a textured background; the frames also move a little.
    type Vessels = Vec<(Vec<[f64; 2]>, f64)>;

    fn moving_dots() -> (Vec<image::GrayImage>, Vec<[f64; 2]>, Vessels) {
        let (w, h, n) = (96u32, 80u32, 40usize);
        let shifts: Vec<[f64; 2]> = (0..n)
            .map(|t| [0.3 * (t as f64 * 0.7).sin(), 0.4 * (t as f64 * 0.5).cos()])
            .collect();
        let vessels = vec![
            (vec![[8.0, 12.0], [88.0, 12.0]], 4.0),
            (vec![[40.0, 30.0], [40.0, 74.0]], 3.0),
            (vec![[10.0, 70.0], [70.0, 40.0]], 3.0),
        ];
        let frames = shifts
            .iter()
            .enumerate()
            .map(|(t, s)| {
                image::GrayImage::from_fn(w, h, |x, y| {
                    let (px, py) = (x as f64 - s[0], y as f64 - s[1]);
                    let background = 150.0 + 20.0 * (0.3 * px).sin() * (0.2 * py).cos();
                    let dots = [
                        ((8.0 + 2.0 * t as f64) % 80.0 + 8.0, 12.0),
                        (40.0, (30.0 + 1.0 * t as f64) % 44.0 + 30.0),
                        (10.0 + 1.5 * t as f64 % 60.0, 70.0 - 0.75 * t as f64 % 30.0),
                    ];
                    let dark = dots
                        .iter()
                        .map(|(cx, cy)| (-((px - cx).powi(2) + (py - cy).powi(2)) / 4.0).exp())
                        .sum::<f64>();
                    image::Luma([(background - 90.0 * dark).clamp(0.0, 255.0) as u8])
                })
            })
            .collect();
        (frames, shifts, vessels)
    }

    #[test]
    fn spilled_frames_in_row_bands_give_the_flow_of_whole_frames() {
        let (frames, shifts, vessels) = moving_dots();
        let params = FlowParams::default();
        let whole = crate::measure_vessels(&frames, &shifts, &vessels, 30.0, 1.0, &params);
        let mut writer =
            mcvideo_frames::SpillWriter::create(&std::env::temp_dir(), 96, 80).unwrap();
        for frame in &frames {
            writer.push(frame).unwrap();
        }
        let spilled = mcvideo_frames::ClipFrames::Spilled(writer.finish().unwrap());
        // One vessel per batch (each frame read once per vessel, in bands) and all at once.
        for budget in [1, usize::MAX] {
            let banded = measure_vessels(&spilled, &shifts, &vessels, 30.0, 1.0, &params, budget);
            assert_eq!(banded, whole);
        }
        assert_eq!(spilled.read_failure(), None);
        assert!(whole
            .iter()
            .any(|f| f.velocity_um_s.is_some_and(|v| v > 0.0)));
    }

    #[test]
    fn the_rows_a_plan_reads_bound_its_samples() {
        let plan = SamplingPlan::new(&[[2.0, 10.0], [20.0, 30.0]], 2.0);
        let (lo, hi) = plan.rows_read([0.5, -3.25], 40).unwrap();
        assert!((4..=6).contains(&lo), "{lo}");
        assert!((28..=30).contains(&hi), "{hi}");
        // Clamped to the frame, as the sampling is.
        assert_eq!(plan.rows_read([0.0, 100.0], 40), Some((39, 39)));
    }
}

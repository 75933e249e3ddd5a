//! Flow of a clip's vessels read frame by frame: each frame is read once for a batch of
//! vessels, whose space-time diagrams together stay within a memory budget.
//!
//! The diagrams, and so the flow, are the same as [`crate::measure_vessels`] and
//! [`crate::motion_splits`] give: only the order in which they are filled differs (frame by
//! frame for many vessels, instead of vessel by vessel over every frame), which lets a clip
//! kept in a temporary file ([`mcvideo_frames::SpilledFrames`]) be read sequentially, a few
//! times at most, rather than once per vessel.

use crate::diagram::{remove_static_background, SamplingPlan};
use crate::split::{split_diagram, MotionSplit};
use crate::{half_width, measure_flow, vessel_plan, FlowParams, VesselFlow};
use mcvideo_frames::Frames;
use ndarray::Array2;
use rayon::prelude::*;
use std::ops::Range;

/// Bytes of one f32 diagram value.
const VALUE_BYTES: usize = std::mem::size_of::<f32>();

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
        let frame = frames.frame(t);
        out.par_iter_mut().zip(plans).for_each(|(diagram, plan)| {
            if let Some(row) = diagram.row_mut(t).into_slice() {
                plan.sample_row(&frame, shift, row);
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
    let mut flows = Vec::with_capacity(vessels.len());
    for batch in batches(&plans, rows, diagram_budget_bytes) {
        let diagrams = diagrams(&plans[batch], frames, shifts_px);
        flows.par_extend(
            diagrams
                .par_iter()
                .map(|std| measure_flow(std, fps, um_per_px, params)),
        );
    }
    flows
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
    let (indices, plans): (Vec<usize>, Vec<SamplingPlan>) = candidates.into_iter().unzip();
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
}

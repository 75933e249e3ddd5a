//! Vessel refinement once flow is known: segments cut where flow says two vessels meet,
//! short pieces given the flow of the vessel they continue, and stopped pieces joined
//! across plasma gaps. The measurements behind each step live in their stages (split points:
//! [`mcvideo_flow::motion_splits`]; end joins: [`mcvideo_vessels::join`]); this module
//! applies them to the clip's vessels, with its constants in [`RefineParams`].

use crate::report::VesselReport;
use mcvideo_flow::VesselFlow;
use mcvideo_metrics::FlowClass;
use mcvideo_vessels::VesselSegment;
use serde::{Deserialize, Serialize};

/// Constants of the refinement steps (`[refine]` in a parameter file). The largest join gap
/// and angle are `[vessels] join_stopped_gap_um` and `join_max_angle_deg`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RefineParams {
    /// A short segment inherits the flow of a neighbour whose end lies within this many
    /// pixels of one of its ends (or within half its diameter, if that is more). Default 2 px.
    pub inherit_touch_px: f64,
    /// Stopped pieces are joined only when the wider is at most this many times the
    /// narrower (at least 1). Default 1.6.
    pub join_max_diameter_ratio: f64,
    /// An end is free (may be joined) when no other vessel comes within this many pixels of
    /// it. Default 3 px.
    pub join_free_end_px: f64,
    /// The straight gap between two joined ends keeps this many pixels from every other
    /// vessel. Default 1.5 px.
    pub join_clearance_px: f64,
}

impl Default for RefineParams {
    fn default() -> Self {
        RefineParams {
            inherit_touch_px: 2.0,
            join_max_diameter_ratio: 1.6,
            join_free_end_px: 3.0,
            join_clearance_px: 1.5,
        }
    }
}

/// Cuts each segment at its split point (arc length in px), if any; ids are renumbered in
/// order.
pub(crate) fn split_segments(
    segments: Vec<VesselSegment>,
    splits: &[Option<f64>],
) -> Vec<VesselSegment> {
    let mut out = Vec::with_capacity(segments.len());
    for (segment, split) in segments.into_iter().zip(splits) {
        let parts = split
            .and_then(|at| mcvideo_vessels::polyline::split_at_length(&segment.centerline_px, at));
        match parts {
            Some((a, b)) => {
                for piece in [a, b] {
                    out.push(VesselSegment {
                        length_px: mcvideo_vessels::polyline::length(&piece),
                        centerline_px: piece,
                        ..segment.clone()
                    });
                }
            }
            None => out.push(segment),
        }
    }
    for (id, segment) in out.iter_mut().enumerate() {
        segment.id = id;
    }
    out
}

/// Flow of segments too short to measure, taken from the vessel they continue. A short
/// piece between two junctions (or a stub at one) is part of the same blood stream as its
/// neighbours; scoring it "no flow" because its space-time diagram is too short would count
/// a non-perfused vessel that is not there (PPV by count, MFI quadrants).
///
/// For each vessel whose flow was not measurable, copies the flow (class, flowing fraction,
/// velocity, "at least") of the longest measurable vessel that shares one of its ends
/// (endpoints within `max(touch_px, radius)`). Chains of short pieces fill over up to three
/// passes, in input order. Returns which vessels inherited.
///
/// ```
/// use mcvideo_flow::{measure_flow, FlowParams};
/// use mcvideo_metrics::FlowClass;
/// use mcvideo_score::refine::inherit_short_segment_flow;
/// let flowing = mcvideo_flow::VesselFlow { flow_class: FlowClass::Continuous, flowing_fraction: 1.0,
///     velocity_um_s: Some(600.0), measurable: true, columns: 40,
///     ..measure_flow(&ndarray::Array2::zeros((2, 2)), 25.0, 1.0, &FlowParams::default()) };
/// let short = measure_flow(&ndarray::Array2::zeros((2, 2)), 25.0, 1.0, &FlowParams::default());
/// assert!(!short.measurable);
/// let lines = vec![
///     (vec![[0.0, 0.0], [40.0, 0.0]], 6.0),
///     (vec![[40.0, 0.0], [46.0, 3.0]], 6.0),
/// ];
/// let mut flows = vec![flowing, short];
/// assert_eq!(inherit_short_segment_flow(&lines, &mut flows, 2.0), vec![false, true]);
/// assert_eq!((flows[1].flow_class, flows[1].velocity_um_s), (FlowClass::Continuous, Some(600.0)));
/// ```
pub fn inherit_short_segment_flow(
    lines: &[(Vec<[f64; 2]>, f64)],
    flows: &mut [VesselFlow],
    touch_px: f64,
) -> Vec<bool> {
    let n = lines.len().min(flows.len());
    let mut inherited = vec![false; n];
    // Ends and lengths once: the search below compares every pair, pass after pass.
    let ends: Vec<Option<[[f64; 2]; 2]>> = lines[..n]
        .iter()
        .map(|(line, _)| Some([*line.first()?, *line.last()?]))
        .collect();
    let lengths: Vec<f64> = lines[..n]
        .iter()
        .map(|(line, _)| {
            line.windows(2)
                .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
                .sum()
        })
        .collect();
    for _pass in 0..3 {
        let mut changed = false;
        for i in 0..n {
            if flows[i].measurable || inherited[i] {
                continue;
            }
            let Some(mine) = ends[i] else { continue };
            let reach = touch_px.max(0.5 * lines[i].1);
            let source = (0..n)
                .filter(|&j| j != i && (flows[j].measurable || inherited[j]))
                .filter(|&j| {
                    ends[j].is_some_and(|theirs| {
                        mine.iter().any(|a| {
                            theirs
                                .iter()
                                .any(|b| (a[0] - b[0]).hypot(a[1] - b[1]) <= reach)
                        })
                    })
                })
                // Longest neighbour; ties to the lower index, so the result is deterministic.
                .max_by(|&a, &b| lengths[a].total_cmp(&lengths[b]).then(b.cmp(&a)));
            if let Some(j) = source {
                let from = &flows[j];
                let (class, fraction, velocity, at_least) = (
                    from.flow_class,
                    from.flowing_fraction,
                    from.velocity_um_s,
                    from.at_least,
                );
                let own = &mut flows[i];
                own.flow_class = class;
                own.flowing_fraction = fraction;
                own.velocity_um_s = velocity;
                own.at_least = at_least;
                inherited[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    inherited
}

/// Joins stopped pieces (flow class 0) whose free ends face each other across a plasma gap
/// into one vessel each (see [`mcvideo_vessels::join`]); ids are renumbered in order. A
/// joined vessel keeps no flow, its length is the pieces' and the gaps', and its diameter
/// the pieces' length-weighted mean.
pub(crate) fn join_stopped_pieces(
    vessels: Vec<VesselReport>,
    um_per_px: f64,
    params: &mcvideo_vessels::VesselParams,
    refine: &RefineParams,
) -> Vec<VesselReport> {
    if !(params.join_stopped_gap_um > 0.0 && um_per_px > 0.0) {
        return vessels;
    }
    let lines: Vec<(Vec<[f64; 2]>, f64)> = vessels
        .iter()
        .map(|v| (v.centerline_px.clone(), v.diameter_um / um_per_px))
        .collect();
    let stopped: Vec<bool> = vessels
        .iter()
        .map(|v| v.flow_class == FlowClass::NoFlow && !v.flow_unresolved)
        .collect();
    let rule = mcvideo_vessels::join::JoinRule {
        max_gap_px: params.join_stopped_gap_um / um_per_px,
        max_angle_deg: params.join_max_angle_deg,
        max_diameter_ratio: refine.join_max_diameter_ratio,
        free_end_px: refine.join_free_end_px,
        clearance_px: refine.join_clearance_px,
    };
    let joins = mcvideo_vessels::join::find_end_joins(&lines, &stopped, &rule);
    if joins.is_empty() {
        return vessels;
    }
    let centerlines: Vec<Vec<[f64; 2]>> = lines.into_iter().map(|(c, _)| c).collect();
    let mut out = Vec::with_capacity(vessels.len());
    for chain in mcvideo_vessels::join::chains(vessels.len(), &joins) {
        let pieces: Vec<&VesselReport> = chain.iter().map(|&(i, _)| &vessels[i]).collect();
        let [first, ..] = pieces[..] else { continue };
        if pieces.len() == 1 {
            out.push(first.clone());
            continue;
        }
        let centerline_px = mcvideo_vessels::join::join_chain(&centerlines, &chain);
        let length_um = mcvideo_vessels::polyline::length(&centerline_px) * um_per_px;
        let pieces_um: f64 = pieces.iter().map(|v| v.length_um).sum();
        let weighted = |value: fn(&VesselReport) -> f64| {
            pieces.iter().map(|v| value(v) * v.length_um).sum::<f64>()
                / pieces_um.max(f64::MIN_POSITIVE)
        };
        let diameter_um = weighted(|v| v.diameter_um);
        out.push(VesselReport {
            centerline_px,
            length_um,
            diameter_um,
            small: diameter_um < params.small_vessel_cutoff_um,
            v_max_um_s: pieces.iter().map(|v| v.v_max_um_s).fold(0.0, f64::max),
            flowing_fraction: weighted(|v| v.flowing_fraction),
            contrast: weighted(|v| v.contrast),
            unresolved_fraction: weighted(|v| v.unresolved_fraction),
            flow_from_neighbour: pieces.iter().any(|v| v.flow_from_neighbour),
            joined_gaps_um: (length_um - pieces_um).max(0.0)
                + pieces.iter().map(|v| v.joined_gaps_um).sum::<f64>(),
            ..first.clone()
        });
    }
    for (id, v) in out.iter_mut().enumerate() {
        v.id = id;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vessel(from_x: f64, to_x: f64, y: f64, flow_class: FlowClass) -> VesselReport {
        let centerline_px: Vec<[f64; 2]> = (from_x as i32..=to_x as i32)
            .map(|x| [f64::from(x), y])
            .collect();
        let flowing = flow_class != FlowClass::NoFlow;
        VesselReport {
            id: 0,
            length_um: mcvideo_vessels::polyline::length(&centerline_px),
            centerline_px,
            diameter_um: 6.0,
            small: true,
            contrast: 0.2,
            velocity_um_s: flowing.then_some(400.0),
            velocity_at_least: false,
            v_max_um_s: 300.0,
            flowing_fraction: if flowing { 1.0 } else { 0.0 },
            flow_class,
            unresolved_fraction: 0.0,
            flow_unresolved: false,
            flow_from_neighbour: false,
            joined_gaps_um: 0.0,
        }
    }

    fn join(
        vessels: Vec<VesselReport>,
        um_per_px: f64,
        refine: &RefineParams,
    ) -> Vec<VesselReport> {
        join_stopped_pieces(
            vessels,
            um_per_px,
            &mcvideo_vessels::VesselParams::default(),
            refine,
        )
    }

    #[test]
    fn stopped_pieces_facing_across_a_gap_become_one_vessel() {
        // Two stopped pieces of one line (gap 25 px at 1 µm/px), a flowing vessel in line
        // with them beyond, and a stopped piece off the line.
        let vessels = vec![
            vessel(0.0, 30.0, 20.0, FlowClass::NoFlow),
            vessel(55.0, 90.0, 20.0, FlowClass::NoFlow),
            vessel(110.0, 150.0, 20.0, FlowClass::Continuous),
            vessel(0.0, 30.0, 60.0, FlowClass::NoFlow),
        ];
        let defaults = RefineParams::default();
        let joined = join(vessels.clone(), 1.0, &defaults);
        assert_eq!(joined.len(), 3);
        let [one, flowing, apart] = &joined[..] else {
            panic!("three vessels")
        };
        assert_eq!(one.length_um, 90.0);
        assert_eq!(one.joined_gaps_um, 25.0);
        assert_eq!(one.flow_class, FlowClass::NoFlow);
        assert_eq!(one.centerline_px.first(), Some(&[0.0, 20.0]));
        assert_eq!(one.centerline_px.last(), Some(&[90.0, 20.0]));
        assert_eq!(
            (flowing.flow_class, flowing.length_um),
            (FlowClass::Continuous, 40.0)
        );
        assert_eq!(
            (apart.flow_class, apart.joined_gaps_um),
            (FlowClass::NoFlow, 0.0)
        );
        assert_eq!(
            joined.iter().map(|v| v.id).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        // The gap is 12.5 µm at 0.5 µm/px (joined) and 50 µm at 2 µm/px (beyond 40: apart).
        assert_eq!(join(vessels.clone(), 0.5, &defaults).len(), 3);
        assert_eq!(join(vessels, 2.0, &defaults).len(), 4);
    }

    #[test]
    fn the_join_constants_come_from_the_params() {
        // The same two pieces, one 1.5 times as wide: joined under the default ratio 1.6,
        // kept apart under 1.4.
        let mut wide = vessel(55.0, 90.0, 20.0, FlowClass::NoFlow);
        wide.diameter_um = 9.0;
        let vessels = vec![vessel(0.0, 30.0, 20.0, FlowClass::NoFlow), wide];
        assert_eq!(
            join(vessels.clone(), 1.0, &RefineParams::default()).len(),
            1
        );
        let strict = RefineParams {
            join_max_diameter_ratio: 1.4,
            ..RefineParams::default()
        };
        assert_eq!(join(vessels, 1.0, &strict).len(), 2);
    }

    #[test]
    fn split_segments_cut_at_the_split_and_renumber() {
        let segment = |id: usize, y: f64| VesselSegment {
            id,
            centerline_px: (0..=40).map(|x| [f64::from(x), y]).collect(),
            length_px: 40.0,
            diameter_px: 6.0,
            diameter_um: 6.0,
            small: true,
            contrast: 0.2,
        };
        let out = split_segments(
            vec![segment(0, 10.0), segment(1, 30.0)],
            &[Some(15.0), None],
        );
        assert_eq!(out.len(), 3);
        assert_eq!(out.iter().map(|s| s.id).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert!(
            (out[0].length_px - 15.0).abs() < 1e-9,
            "{}",
            out[0].length_px
        );
        assert!(
            (out[1].length_px - 25.0).abs() < 1e-9,
            "{}",
            out[1].length_px
        );
        assert_eq!(out[2].centerline_px, segment(1, 30.0).centerline_px);
    }

    #[test]
    fn a_diameter_ratio_below_one_is_refused_by_name() {
        let mut params = crate::ScoreParams::default();
        params.refine.join_max_diameter_ratio = 0.5;
        let err = params.validate().unwrap_err();
        assert!(err.starts_with("refine.join_max_diameter_ratio"), "{err}");
        params.refine.inherit_touch_px = f64::NAN;
        params.refine.join_max_diameter_ratio = 1.6;
        let err = params.validate().unwrap_err();
        assert!(err.starts_with("refine.inherit_touch_px"), "{err}");
    }
}

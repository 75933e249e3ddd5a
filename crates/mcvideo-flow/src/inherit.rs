//! Flow of segments too short to measure, taken from the vessel they continue. A short
//! piece between two junctions (or a stub at one) is part of the same blood stream as its
//! neighbours; scoring it "no flow" because its space-time diagram is too short would count
//! a non-perfused vessel that is not there (PPV by count, MFI quadrants).

use crate::VesselFlow;

/// For each vessel whose flow was not measurable, copies the flow (class, flowing fraction,
/// velocity, "at least") of the longest measurable vessel that shares one of its ends
/// (endpoints within `max(touch_px, radius)`). Chains of short pieces fill over up to three
/// passes, in input order. Returns which vessels inherited.
///
/// ```
/// use mcvideo_flow::{inherit::inherit_short_segment_flow, measure_flow, FlowParams};
/// let flowing = mcvideo_flow::VesselFlow { flow_class: 3, flowing_fraction: 1.0,
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
/// assert_eq!((flows[1].flow_class, flows[1].velocity_um_s), (3, Some(600.0)));
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

//! Gap bridging along the ridge direction: a pixel between two ridge pixels that lie on one
//! line through it (each within reach, both oriented along that line) gets the weaker of their
//! significances. A no-flow capillary is a dotted line in the mean image (static red cells
//! separated by faint plasma gaps); this joins the dots without widening any ridge sideways.
//! A reduced, two-sided form of tensor voting (Medioni G, Lee MS, Tang CK. A computational
//! framework for segmentation and grouping. Elsevier 2000).

/// Unit tangent of a ridge from its normal, with a canonical sign (x > 0, or x = 0 and y > 0)
/// so that two collinear pixels agree on "ahead" and "behind".
#[inline]
fn canonical_tangent(normal: [f32; 2]) -> [f32; 2] {
    let (tx, ty) = (-normal[1], normal[0]);
    if tx > 0.0 || (tx == 0.0 && ty > 0.0) {
        [tx, ty]
    } else {
        [-tx, -ty]
    }
}

/// Returns `significance` where every pixel below `voter_min` that lies within `reach_px`
/// along the tangent of a voter (a pixel at or above `voter_min`) on both sides, by voters
/// whose tangents agree within `acos(min_cos)`, is raised to the weaker of the two strongest
/// votes. Pixels outside `allowed` neither vote nor receive.
///
/// ```
/// use mcvideo_vessels::bridge::bridge_gaps;
/// // A horizontal dotted line on one row: strong, 3-px gap, strong.
/// let sig = [2.0, 2.0, 0.1, 0.1, 0.1, 1.5, 1.5f32];
/// let normal = [[0.0, 1.0f32]; 7];
/// let out = bridge_gaps(&sig, &normal, 7, 1, &[true; 7], 0.7, 0.0, 4.0, 0.9);
/// assert_eq!(out, vec![2.0, 2.0, 1.5, 1.5, 1.5, 1.5, 1.5]);
/// // One side only: nothing is bridged.
/// let sig = [2.0, 2.0, 0.1, 0.1, 0.1, 0.1, 0.1f32];
/// let out = bridge_gaps(&sig, &normal, 7, 1, &[true; 7], 0.7, 0.0, 4.0, 0.9);
/// assert_eq!(out, sig.to_vec());
/// ```
#[allow(clippy::too_many_arguments)]
pub fn bridge_gaps(
    significance: &[f32],
    normal: &[[f32; 2]],
    width: usize,
    height: usize,
    allowed: &[bool],
    voter_min: f32,
    gap_min: f32,
    reach_px: f32,
    min_cos: f32,
) -> Vec<f32> {
    let n = significance.len();
    // Best vote from behind (voter at lower tangent coordinate) and from ahead, with the voter.
    let mut behind = vec![0.0f32; n];
    let mut behind_src = vec![u32::MAX; n];
    let mut ahead = vec![0.0f32; n];
    let mut ahead_src = vec![u32::MAX; n];
    let steps = reach_px.floor().max(0.0) as i32;
    for p in 0..n {
        let v = significance[p];
        if v < voter_min || !allowed[p] {
            continue;
        }
        let t = canonical_tangent(normal[p]);
        let (px, py) = ((p % width) as f32, (p / width) as f32);
        for sign in [1.0f32, -1.0] {
            for s in 1..=steps {
                let fs = sign * s as f32;
                let (qx, qy) = ((px + fs * t[0]).round(), (py + fs * t[1]).round());
                if qx < 0.0 || qy < 0.0 || qx >= width as f32 || qy >= height as f32 {
                    break;
                }
                let q = qy as usize * width + qx as usize;
                if significance[q] >= voter_min || significance[q] < gap_min || !allowed[q] {
                    continue;
                }
                // sign > 0: q is ahead of p, so p votes from behind q.
                let (best, src) = if sign > 0.0 {
                    (&mut behind, &mut behind_src)
                } else {
                    (&mut ahead, &mut ahead_src)
                };
                if v > best[q] {
                    best[q] = v;
                    src[q] = p as u32;
                }
            }
        }
    }
    let mut out = significance.to_vec();
    for q in 0..n {
        let (a, b) = (behind_src[q], ahead_src[q]);
        if a == u32::MAX || b == u32::MAX {
            continue;
        }
        let (ta, tb) = (
            canonical_tangent(normal[a as usize]),
            canonical_tangent(normal[b as usize]),
        );
        if (ta[0] * tb[0] + ta[1] * tb[1]).abs() < min_cos {
            continue;
        }
        out[q] = out[q].max(behind[q].min(ahead[q]));
    }
    out
}

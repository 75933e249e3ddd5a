//! Joining the pieces of one stopped capillary across a plasma gap the mean image does not
//! show. In dark-field light only haemoglobin absorbs, so a stopped capillary is a row of
//! static red cells, and where plasma separates two of them by more than the ridge bridge
//! reaches (`VesselParams::bridge_gap_um`) detection returns two pieces whose free ends face
//! each other. A human scorer follows the vessel across the gap, and the consensus metrics
//! count vessel length (Ince C et al. Intensive Care Med 2018;44:281-299); so do we,
//! for pieces whose flow says they hold stopped cells: two free ends that face each other,
//! of lines of like width, with nothing between them. (The ridge detector itself links only
//! line points a pixel apart; this is the longer-range step a scorer takes by eye.)

/// One end of a polyline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    First,
    Last,
}

/// Two line ends to join across a gap of `gap_px`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EndJoin {
    pub a: usize,
    pub a_end: End,
    pub b: usize,
    pub b_end: End,
    pub gap_px: f64,
}

use crate::polyline::distance_to;

/// When two free ends are joined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JoinRule {
    /// Longest gap between the two end points, px.
    pub max_gap_px: f64,
    /// Largest angle between each end's outward direction and the line to the other end.
    pub max_angle_deg: f64,
    /// Largest ratio of the two pieces' diameters.
    pub max_diameter_ratio: f64,
    /// An end is free when no other line passes within this distance, px.
    pub free_end_px: f64,
    /// The straight bridge must pass no third line closer than this, px.
    pub clearance_px: f64,
}

/// End point and outward unit direction of `line` at `end` (see [`crate::end_tangent`]).
fn end_direction(line: &[[f64; 2]], end: End) -> Option<([f64; 2], [f64; 2])> {
    match end {
        End::Last => crate::end_tangent(line),
        End::First => {
            // `end_tangent` reads only the last five points.
            let head: Vec<[f64; 2]> = line.iter().take(5).rev().copied().collect();
            crate::end_tangent(&head)
        }
    }
}

/// Root of line `i` in the union-find forest `parent` (joined lines share a root), pointing
/// `i` straight at it.
fn find(parent: &mut [usize], i: usize) -> usize {
    let mut root = i;
    while parent[root] != root {
        root = parent[root];
    }
    parent[i] = root;
    root
}

/// The end joins among `lines` (centerline px, diameter px) of which both lines are
/// `eligible`, by `rule`, shortest gap first. Each end joins at most once and no join closes
/// a loop, so the joined lines form chains. Ends are free only of other lines, eligible or
/// not; a bridge may not pass close to any third line.
///
/// ```
/// use mcvideo_vessels::join::{find_end_joins, End, EndJoin, JoinRule};
/// let rule = JoinRule { max_gap_px: 30.0, max_angle_deg: 30.0, max_diameter_ratio: 1.6,
///     free_end_px: 3.0, clearance_px: 1.5 };
/// // Two pieces of one horizontal line with a 20 px gap, and a third piece far off its axis.
/// let lines = vec![
///     ((0..=20).map(|x| [x as f64, 10.0]).collect::<Vec<_>>(), 5.0),
///     ((40..=70).map(|x| [x as f64, 10.0]).collect(), 6.0),
///     ((40..=60).map(|x| [x as f64, 40.0]).collect(), 5.0),
/// ];
/// let joins = find_end_joins(&lines, &[true, true, true], &rule);
/// assert_eq!(joins, vec![EndJoin { a: 0, a_end: End::Last, b: 1, b_end: End::First, gap_px: 20.0 }]);
/// // Not eligible (a flowing piece): no join.
/// assert!(find_end_joins(&lines, &[true, false, true], &rule).is_empty());
/// ```
pub fn find_end_joins(
    lines: &[(Vec<[f64; 2]>, f64)],
    eligible: &[bool],
    rule: &JoinRule,
) -> Vec<EndJoin> {
    let min_cos = rule.max_angle_deg.to_radians().cos();
    // Free ends of eligible lines.
    let mut ends = Vec::new();
    for (i, (line, _)) in lines.iter().enumerate() {
        if !eligible.get(i).copied().unwrap_or(false) {
            continue;
        }
        for end in [End::First, End::Last] {
            let Some((tip, out)) = end_direction(line, end) else {
                continue;
            };
            let free = lines
                .iter()
                .enumerate()
                .all(|(j, (other, _))| j == i || distance_to(tip, other) > rule.free_end_px);
            if free {
                ends.push((i, end, tip, out));
            }
        }
    }
    let mut candidates = Vec::new();
    for (k, &(a, a_end, p, pa)) in ends.iter().enumerate() {
        for &(b, b_end, q, qb) in &ends[k + 1..] {
            if a == b {
                continue;
            }
            let gap = (q[0] - p[0]).hypot(q[1] - p[1]);
            if !(gap > 0.0 && gap <= rule.max_gap_px) {
                continue;
            }
            let toward = [(q[0] - p[0]) / gap, (q[1] - p[1]) / gap];
            let facing_a = pa[0] * toward[0] + pa[1] * toward[1];
            let facing_b = -(qb[0] * toward[0] + qb[1] * toward[1]);
            if facing_a.min(facing_b) < min_cos {
                continue;
            }
            let (da, db) = (lines[a].1, lines[b].1);
            if !(da > 0.0 && db > 0.0 && da.max(db) / da.min(db) <= rule.max_diameter_ratio) {
                continue;
            }
            let steps = gap.ceil().max(2.0) as usize;
            let clear = (1..steps).all(|s| {
                let t = s as f64 / steps as f64;
                let x = [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
                lines.iter().enumerate().all(|(j, (other, _))| {
                    j == a || j == b || distance_to(x, other) > rule.clearance_px
                })
            });
            if clear {
                candidates.push(EndJoin {
                    a,
                    a_end,
                    b,
                    b_end,
                    gap_px: gap,
                });
            }
        }
    }
    // Shortest first; ties in input order, so the result does not depend on anything else.
    candidates.sort_by(|x, y| {
        x.gap_px
            .total_cmp(&y.gap_px)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let mut parent: Vec<usize> = (0..lines.len()).collect();
    let mut used: Vec<(usize, End)> = Vec::new();
    let mut joins = Vec::new();
    for c in candidates {
        if used.contains(&(c.a, c.a_end)) || used.contains(&(c.b, c.b_end)) {
            continue;
        }
        let (ra, rb) = (find(&mut parent, c.a), find(&mut parent, c.b));
        if ra == rb {
            continue;
        }
        parent[ra] = rb;
        used.push((c.a, c.a_end));
        used.push((c.b, c.b_end));
        joins.push(c);
    }
    joins
}

/// The chains that `joins` make of `count` lines: each chain lists `(line, reversed)` in
/// order along the joined vessel, a line on its own being a chain of one. Chains come in the
/// order of their lowest line.
///
/// ```
/// use mcvideo_vessels::join::{chains, End, EndJoin};
/// // Line 2's last end meets line 0's last end; line 0's first end meets line 1's first end.
/// let joins = [
///     EndJoin { a: 0, a_end: End::Last, b: 2, b_end: End::Last, gap_px: 5.0 },
///     EndJoin { a: 0, a_end: End::First, b: 1, b_end: End::First, gap_px: 9.0 },
/// ];
/// assert_eq!(chains(4, &joins), vec![vec![(1, true), (0, false), (2, true)], vec![(3, false)]]);
/// ```
pub fn chains(count: usize, joins: &[EndJoin]) -> Vec<Vec<(usize, bool)>> {
    // For each line and end, the line and end it joins.
    let mut link: Vec<[Option<(usize, End)>; 2]> = vec![[None, None]; count];
    let slot = |end: End| if end == End::First { 0 } else { 1 };
    for j in joins {
        if j.a < count && j.b < count {
            link[j.a][slot(j.a_end)] = Some((j.b, j.b_end));
            link[j.b][slot(j.b_end)] = Some((j.a, j.a_end));
        }
    }
    let mut seen = vec![false; count];
    let mut out = Vec::new();
    for start in 0..count {
        if seen[start] {
            continue;
        }
        // Walk to one end of the chain: from `start`, leave by its first end while it links.
        let (mut line, mut exit) = (start, End::First);
        let mut steps = 0;
        while let Some((next, entered)) = link[line][slot(exit)] {
            line = next;
            exit = if entered == End::First {
                End::Last
            } else {
                End::First
            };
            steps += 1;
            if steps > count {
                break;
            }
        }
        // `line` is a chain end whose free side is `exit`; walk the chain from there.
        let mut chain = Vec::new();
        let mut entry = exit;
        loop {
            seen[line] = true;
            // Entered by `entry`: the line runs forward when that is its first end.
            chain.push((line, entry == End::Last));
            let leave = if entry == End::First {
                End::Last
            } else {
                End::First
            };
            match link[line][slot(leave)] {
                Some((next, next_entry)) if !seen[next] => {
                    line = next;
                    entry = next_entry;
                }
                _ => break,
            }
        }
        out.push(chain);
    }
    out.sort_by_key(|c| c.iter().map(|&(l, _)| l).min());
    out
}

/// One polyline from a chain of [`chains`]: each line in its direction, joined by straight
/// bridges with points about 1 px apart (as the centerlines' own).
///
/// ```
/// use mcvideo_vessels::join::join_chain;
/// let lines = vec![vec![[0.0, 0.0], [2.0, 0.0]], vec![[7.0, 0.0], [5.0, 0.0]]];
/// let joined = join_chain(&lines, &[(0, false), (1, true)]);
/// assert_eq!(joined, vec![[0.0, 0.0], [2.0, 0.0], [3.0, 0.0], [4.0, 0.0], [5.0, 0.0], [7.0, 0.0]]);
/// ```
pub fn join_chain(lines: &[Vec<[f64; 2]>], chain: &[(usize, bool)]) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::new();
    for &(i, reversed) in chain {
        let Some(line) = lines.get(i) else { continue };
        let ordered: Vec<[f64; 2]> = if reversed {
            line.iter().rev().copied().collect()
        } else {
            line.clone()
        };
        if let (Some(&from), Some(&to)) = (out.last(), ordered.first()) {
            let gap = (to[0] - from[0]).hypot(to[1] - from[1]);
            let steps = gap.round() as usize;
            for s in 1..steps {
                let t = s as f64 / steps as f64;
                out.push([
                    from[0] + t * (to[0] - from[0]),
                    from[1] + t * (to[1] - from[1]),
                ]);
            }
        }
        out.extend(ordered);
    }
    out
}

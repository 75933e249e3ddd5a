//! Polyline operations on centerlines: length, smoothing, clipping to a rectangle.

/// Length in px.
///
/// ```
/// assert_eq!(mcvideo_vessels::polyline::length(&[[0.0, 0.0], [3.0, 4.0], [3.0, 5.0]]), 6.0);
/// ```
pub fn length(points: &[[f64; 2]]) -> f64 {
    points
        .windows(2)
        .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
        .sum()
}

/// Moving average over `2 half_window + 1` points (window shrunk symmetrically near the
/// ends, so the end points stay put).
///
/// ```
/// let p = mcvideo_vessels::polyline::smooth(&[[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [3.0, 0.0]], 1);
/// assert_eq!(p, vec![[0.0, 0.0], [1.0, 1.0 / 3.0], [2.0, 1.0 / 3.0], [3.0, 0.0]]);
/// ```
pub fn smooth(points: &[[f64; 2]], half_window: usize) -> Vec<[f64; 2]> {
    let n = points.len();
    (0..n)
        .map(|i| {
            let h = half_window.min(i).min(n - 1 - i);
            let span = &points[i - h..=i + h];
            let k = span.len() as f64;
            [
                span.iter().map(|p| p[0]).sum::<f64>() / k,
                span.iter().map(|p| p[1]).sum::<f64>() / k,
            ]
        })
        .collect()
}

fn inside(p: [f64; 2], r: [f64; 4]) -> bool {
    p[0] >= r[0] && p[0] <= r[2] && p[1] >= r[1] && p[1] <= r[3]
}

/// Parameter in (0, 1] where the segment a→b (a inside) leaves rectangle `r`.
fn exit_fraction(a: [f64; 2], b: [f64; 2], r: [f64; 4]) -> f64 {
    let mut t: f64 = 1.0;
    for (axis, lo, hi) in [(0, r[0], r[2]), (1, r[1], r[3])] {
        let d = b[axis] - a[axis];
        if d > 0.0 && b[axis] > hi {
            t = t.min((hi - a[axis]) / d);
        } else if d < 0.0 && b[axis] < lo {
            t = t.min((lo - a[axis]) / d);
        }
    }
    t.clamp(0.0, 1.0)
}

fn lerp(a: [f64; 2], b: [f64; 2], t: f64) -> [f64; 2] {
    [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
}

/// Pieces of the polyline inside rectangle `[x0, y0, x1, y1]`, cut exactly at the border.
/// (A segment with both ends outside that cuts a corner is dropped: centerlines are sampled
/// at about 1 px, so that loses under 1 px.)
///
/// ```
/// use mcvideo_vessels::polyline::clip_to_rect;
/// let pieces = clip_to_rect(&[[-2.0, 1.0], [2.0, 1.0], [6.0, 1.0]], [0.0, 0.0, 4.0, 4.0]);
/// assert_eq!(pieces, vec![vec![[0.0, 1.0], [2.0, 1.0], [4.0, 1.0]]]);
/// ```
pub fn clip_to_rect(points: &[[f64; 2]], r: [f64; 4]) -> Vec<Vec<[f64; 2]>> {
    let mut pieces = Vec::new();
    let mut current: Vec<[f64; 2]> = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        let p_in = inside(p, r);
        if i > 0 {
            let q = points[i - 1];
            let q_in = inside(q, r);
            if q_in && !p_in {
                current.push(lerp(q, p, exit_fraction(q, p, r)));
                pieces.push(std::mem::take(&mut current));
            } else if !q_in && p_in {
                current.push(lerp(p, q, exit_fraction(p, q, r)));
            }
        }
        if p_in {
            current.push(p);
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces.retain(|piece| piece.len() >= 2 && length(piece) > 0.0);
    pieces
}

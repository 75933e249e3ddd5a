//! Polyline operations on centerlines: length, distance, smoothing, clipping to a rectangle.

fn point_segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy)
}

/// Distance in px from `p` to the nearest point of a polyline (infinite when it is empty).
///
/// ```
/// use mcvideo_vessels::polyline::distance_to;
/// assert_eq!(distance_to([1.0, 2.0], &[[0.0, 0.0], [4.0, 0.0]]), 2.0);
/// assert_eq!(distance_to([7.0, 4.0], &[[0.0, 0.0], [4.0, 0.0]]), 5.0);
/// ```
pub fn distance_to(p: [f64; 2], line: &[[f64; 2]]) -> f64 {
    if line.len() == 1 {
        return (p[0] - line[0][0]).hypot(p[1] - line[0][1]);
    }
    line.windows(2)
        .map(|w| point_segment_distance(p, w[0], w[1]))
        .fold(f64::INFINITY, f64::min)
}

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

/// Points of a polyline, px.
pub type Polyline = Vec<[f64; 2]>;

/// The two parts of a polyline on either side of arc length `at` (px from its first point),
/// both holding the cut point; `None` unless `at` lies strictly inside.
///
/// ```
/// let (a, b) = mcvideo_vessels::polyline::split_at_length(&[[0.0, 0.0], [4.0, 0.0], [4.0, 4.0]], 6.0).unwrap();
/// assert_eq!(a, vec![[0.0, 0.0], [4.0, 0.0], [4.0, 2.0]]);
/// assert_eq!(b, vec![[4.0, 2.0], [4.0, 4.0]]);
/// assert!(mcvideo_vessels::polyline::split_at_length(&[[0.0, 0.0], [4.0, 0.0]], 4.0).is_none());
/// ```
pub fn split_at_length(points: &[[f64; 2]], at: f64) -> Option<(Polyline, Polyline)> {
    if at.is_nan() || at <= 0.0 {
        return None;
    }
    let mut walked = 0.0;
    for (i, w) in points.windows(2).enumerate() {
        let step = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
        if step > 0.0 && walked + step > at {
            let t = (at - walked) / step;
            let cut = [
                w[0][0] + t * (w[1][0] - w[0][0]),
                w[0][1] + t * (w[1][1] - w[0][1]),
            ];
            let mut first = points[..=i].to_vec();
            if first.last() != Some(&cut) {
                first.push(cut);
            }
            let mut second = vec![cut];
            second.extend_from_slice(&points[i + 1..]);
            return Some((first, second));
        }
        walked += step;
    }
    None
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

/// Liang–Barsky: the parameter interval of segment a→b inside rectangle `r`.
fn clip_interval(a: [f64; 2], b: [f64; 2], r: [f64; 4]) -> Option<(f64, f64)> {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a[0] - r[0]),
        (dx, r[2] - a[0]),
        (-dy, a[1] - r[1]),
        (dy, r[3] - a[1]),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then_some((t0, t1))
}

fn lerp(a: [f64; 2], b: [f64; 2], t: f64) -> [f64; 2] {
    [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
}

/// Pieces of the polyline inside rectangle `[x0, y0, x1, y1]`, cut exactly at the border.
///
/// ```
/// use mcvideo_vessels::polyline::clip_to_rect;
/// let pieces = clip_to_rect(&[[-2.0, 1.0], [2.0, 1.0], [6.0, 1.0]], [0.0, 0.0, 4.0, 4.0]);
/// assert_eq!(pieces, vec![vec![[0.0, 1.0], [2.0, 1.0], [4.0, 1.0]]]);
/// // A segment passing through with both ends outside.
/// let pieces = clip_to_rect(&[[-2.0, 2.0], [6.0, 2.0]], [0.0, 0.0, 4.0, 4.0]);
/// assert_eq!(pieces, vec![vec![[0.0, 2.0], [4.0, 2.0]]]);
/// ```
pub fn clip_to_rect(points: &[[f64; 2]], r: [f64; 4]) -> Vec<Vec<[f64; 2]>> {
    let mut pieces = Vec::new();
    let mut current: Vec<[f64; 2]> = Vec::new();
    for w in points.windows(2) {
        match clip_interval(w[0], w[1], r) {
            None => {
                if !current.is_empty() {
                    pieces.push(std::mem::take(&mut current));
                }
            }
            Some((t0, t1)) => {
                if t0 > 0.0 && !current.is_empty() {
                    pieces.push(std::mem::take(&mut current));
                }
                if current.is_empty() {
                    current.push(lerp(w[0], w[1], t0));
                }
                current.push(lerp(w[0], w[1], t1));
                if t1 < 1.0 {
                    pieces.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if points.len() == 1 && clip_interval(points[0], points[0], r).is_some() {
        current.push(points[0]);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces.retain(|piece| piece.len() >= 2 && length(piece) > 0.0);
    pieces
}

//! A polyline parametrised by arc length: position and tangent at any distance along it.

/// A polyline with its cumulative arc length, in scene (frame-0) pixels.
#[derive(Debug, Clone)]
pub(crate) struct Curve {
    pub points: Vec<[f64; 2]>,
    cumulative: Vec<f64>,
}

impl Curve {
    /// Builds the arc-length table; `points` needs at least two points.
    pub fn new(points: Vec<[f64; 2]>) -> Curve {
        let mut cumulative = Vec::with_capacity(points.len());
        let mut total = 0.0;
        cumulative.push(0.0);
        for w in points.windows(2) {
            total += (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
            cumulative.push(total);
        }
        Curve { points, cumulative }
    }

    /// Total length in pixels.
    pub fn length(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    /// The points of the curve between arc lengths `from` and `to` (clamped), ends included.
    pub fn sub_points(&self, from: f64, to: f64) -> Vec<[f64; 2]> {
        let (from, to) = (from.max(0.0), to.min(self.length()));
        let mut out = vec![self.at(from).0];
        let first = self.cumulative.partition_point(|&c| c <= from);
        let last = self.cumulative.partition_point(|&c| c < to);
        out.extend_from_slice(&self.points[first..last.max(first)]);
        out.push(self.at(to).0);
        out.dedup();
        out
    }

    /// Position and unit tangent at arc length `s` (clamped to the curve).
    pub fn at(&self, s: f64) -> ([f64; 2], [f64; 2]) {
        let n = self.points.len();
        if n < 2 {
            return (
                self.points.first().copied().unwrap_or([0.0, 0.0]),
                [1.0, 0.0],
            );
        }
        let s = s.clamp(0.0, self.length());
        // Index of the edge holding s.
        let i = match self.cumulative.partition_point(|&c| c <= s) {
            0 => 0,
            k => (k - 1).min(n - 2),
        };
        let (a, b) = (self.points[i], self.points[i + 1]);
        let edge = self.cumulative[i + 1] - self.cumulative[i];
        let (tx, ty) = (b[0] - a[0], b[1] - a[1]);
        if edge <= 0.0 {
            return (a, [1.0, 0.0]);
        }
        let f = (s - self.cumulative[i]) / edge;
        ([a[0] + f * tx, a[1] + f * ty], [tx / edge, ty / edge])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_points_cut_the_curve_at_arc_lengths() {
        let c = Curve::new(vec![[0.0, 0.0], [3.0, 0.0], [3.0, 4.0]]);
        assert_eq!(
            c.sub_points(1.0, 5.0),
            vec![[1.0, 0.0], [3.0, 0.0], [3.0, 2.0]]
        );
        assert_eq!(c.sub_points(0.0, 7.0), c.points);
        assert_eq!(c.sub_points(0.5, 2.5), vec![[0.5, 0.0], [2.5, 0.0]]);
    }

    #[test]
    fn arc_length_positions_follow_the_polyline() {
        let c = Curve::new(vec![[0.0, 0.0], [3.0, 0.0], [3.0, 4.0]]);
        assert_eq!(c.length(), 7.0);
        let (p, t) = c.at(1.5);
        assert_eq!((p, t), ([1.5, 0.0], [1.0, 0.0]));
        let (p, t) = c.at(5.0);
        assert_eq!((p, t), ([3.0, 2.0], [0.0, 1.0]));
        assert_eq!(c.at(99.0).0, [3.0, 4.0]);
        assert_eq!(c.at(-1.0).0, [0.0, 0.0]);
    }
}

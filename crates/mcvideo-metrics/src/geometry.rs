//! Polyline geometry for the metrics: clipping to rectangles and counting line crossings.

/// An axis-aligned rectangle `[x0, x1] × [y0, y1]` in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

/// A horizontal (`y = at`, from `from` to `to` in x) or vertical line of the De Backer grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GridLine {
    Horizontal { at: f64, from: f64, to: f64 },
    Vertical { at: f64, from: f64, to: f64 },
}

impl Rect {
    /// Width in pixels.
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    /// Height in pixels.
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// The four equal quadrants: top-left, top-right, bottom-left, bottom-right.
    pub fn quadrants(&self) -> [Rect; 4] {
        let xm = 0.5 * (self.x0 + self.x1);
        let ym = 0.5 * (self.y0 + self.y1);
        [
            Rect {
                x0: self.x0,
                y0: self.y0,
                x1: xm,
                y1: ym,
            },
            Rect {
                x0: xm,
                y0: self.y0,
                x1: self.x1,
                y1: ym,
            },
            Rect {
                x0: self.x0,
                y0: ym,
                x1: xm,
                y1: self.y1,
            },
            Rect {
                x0: xm,
                y0: ym,
                x1: self.x1,
                y1: self.y1,
            },
        ]
    }

    /// Three equidistant horizontal and three vertical lines (De Backer D et al. How to
    /// evaluate the microcirculation: report of a round table conference. Crit Care
    /// 2007;11:R101), at quarter, half and three-quarter positions.
    pub fn de_backer_lines(&self) -> [GridLine; 6] {
        let fx = |f: f64| self.x0 + f * self.width();
        let fy = |f: f64| self.y0 + f * self.height();
        let h = |f: f64| GridLine::Horizontal {
            at: fy(f),
            from: self.x0,
            to: self.x1,
        };
        let v = |f: f64| GridLine::Vertical {
            at: fx(f),
            from: self.y0,
            to: self.y1,
        };
        [h(0.25), h(0.5), h(0.75), v(0.25), v(0.5), v(0.75)]
    }
}

/// Length of the part of segment `a`–`b` inside `rect` (Liang–Barsky clipping).
fn clipped_segment_length(a: [f64; 2], b: [f64; 2], rect: &Rect) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    for (p, q) in [
        (-dx, a[0] - rect.x0),
        (dx, rect.x1 - a[0]),
        (-dy, a[1] - rect.y0),
        (dy, rect.y1 - a[1]),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return 0.0;
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
    if t1 <= t0 {
        return 0.0;
    }
    (t1 - t0) * dx.hypot(dy)
}

/// Length in pixels of the part of a polyline inside `rect`.
///
/// ```
/// use mcvideo_metrics::geometry::{clipped_length, Rect};
/// let rect = Rect { x0: 0.0, y0: 0.0, x1: 10.0, y1: 10.0 };
/// assert_eq!(clipped_length(&[[-5.0, 5.0], [5.0, 5.0], [5.0, 20.0]], &rect), 10.0);
/// ```
pub fn clipped_length(polyline: &[[f64; 2]], rect: &Rect) -> f64 {
    polyline
        .windows(2)
        .map(|w| clipped_segment_length(w[0], w[1], rect))
        .sum()
}

/// How many times a polyline crosses a grid line. A vertex lying exactly on the line counts
/// once, through the half-open rule on the crossed coordinate.
///
/// ```
/// use mcvideo_metrics::geometry::{crossings_of_line, GridLine};
/// let zigzag = [[0.0, 0.0], [1.0, 2.0], [2.0, 0.0], [3.0, 2.0]];
/// let line = GridLine::Horizontal { at: 1.0, from: 0.0, to: 10.0 };
/// assert_eq!(crossings_of_line(&zigzag, &line), 3);
/// ```
pub fn crossings_of_line(polyline: &[[f64; 2]], line: &GridLine) -> usize {
    // (coordinate across the line, coordinate along it) for each point.
    let (at, from, to, across, along) = match *line {
        GridLine::Horizontal { at, from, to } => (at, from, to, 1, 0),
        GridLine::Vertical { at, from, to } => (at, from, to, 0, 1),
    };
    polyline
        .windows(2)
        .filter(|w| {
            let (a, b) = (w[0][across], w[1][across]);
            if (a < at) == (b < at) {
                return false;
            }
            let t = (at - a) / (b - a);
            let pos = w[0][along] + t * (w[1][along] - w[0][along]);
            (from..=to).contains(&pos)
        })
        .count()
}

//! Space-time diagrams: sampling stabilized frames along a vessel centerline.
//!
//! The space-time diagram (STD) of Dobbe JGG, Streekstra GJ, Atasever B, van Zijderveld R,
//! Ince C. Measurement of functional microcirculatory geometry and velocity distributions
//! using automated image analysis. Med Biol Eng Comput 2008;46:659-670: each row is one frame,
//! each column one point along the centerline; red cells moving along the vessel draw streaks
//! whose slope is their velocity. Rows are sampled at `p + shifts_px[t]` (SPEC shift
//! convention), so no warped copies of the frames are made.

use image::GrayImage;
use ndarray::Array2;

/// Sample positions of one vessel, computed once and reused for every frame.
///
/// Columns are 1-px arc-length steps along the centerline; at each column the lumen is
/// sampled at 1-px steps along the normal within `±half_width_px`, and the row value is the
/// mean of those samples.
#[derive(Debug, Clone)]
pub struct SamplingPlan {
    columns: usize,
    across: usize,
    /// Sample x coordinates, column-major (`column * across + j`), reference-frame pixels.
    xs: Vec<f32>,
    /// Sample y coordinates, same layout as `xs`.
    ys: Vec<f32>,
    /// The smallest and largest of `ys` (`None` for an empty plan).
    y_extent: Option<(f32, f32)>,
}

/// Consecutive whole rows of a frame: rows `first_row..` of a frame `width`×`height`.
#[derive(Debug, Clone, Copy)]
pub struct FrameBand<'a> {
    /// The band's pixels, row by row, `width` per row.
    pub pixels: &'a [u8],
    /// Width of the frame (and of the band).
    pub width: usize,
    /// Height of the whole frame, which the sampling clamps to.
    pub height: usize,
    /// The frame row the band starts at.
    pub first_row: usize,
}

/// Points at `step_px` arc-length spacing along a polyline, starting at its first point.
/// The last point is kept only when it falls on the grid.
///
/// ```
/// use mcvideo_flow::diagram::resample_polyline;
/// let pts = resample_polyline(&[[0.0, 0.0], [3.0, 0.0], [3.0, 2.0]], 1.0);
/// assert_eq!(pts, vec![[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [3.0, 1.0], [3.0, 2.0]]);
/// ```
pub fn resample_polyline(polyline: &[[f64; 2]], step_px: f64) -> Vec<[f64; 2]> {
    let finite: Vec<[f64; 2]> = polyline
        .iter()
        .copied()
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .collect();
    if finite.is_empty() || step_px.is_nan() || step_px <= 0.0 {
        return Vec::new();
    }
    let mut out = vec![finite[0]];
    // Arc length still to walk before the next sample.
    let mut to_next = step_px;
    for w in finite.windows(2) {
        let (a, b) = (w[0], w[1]);
        let seg = (b[0] - a[0]).hypot(b[1] - a[1]);
        if seg <= 0.0 {
            continue;
        }
        let mut pos = 0.0;
        while seg - pos >= to_next - 1e-9 {
            pos += to_next;
            let f = (pos / seg).min(1.0);
            out.push([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]);
            to_next = step_px;
        }
        to_next -= seg - pos;
    }
    out
}

/// The part of a polyline left after cutting `trim_px` of arc length off each end, the cut
/// limited to `max_share` of the length per end.
///
/// ```
/// use mcvideo_flow::diagram::trim_polyline;
/// assert_eq!(trim_polyline(&[[0.0, 0.0], [10.0, 0.0]], 2.0, 0.25), vec![[2.0, 0.0], [8.0, 0.0]]);
/// assert_eq!(trim_polyline(&[[0.0, 0.0], [8.0, 0.0]], 5.0, 0.25), vec![[2.0, 0.0], [6.0, 0.0]]);
/// ```
pub fn trim_polyline(polyline: &[[f64; 2]], trim_px: f64, max_share: f64) -> Vec<[f64; 2]> {
    let total: f64 = polyline
        .windows(2)
        .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
        .sum();
    let cut = trim_px.min(max_share * total);
    if cut.is_nan() || cut <= 0.0 || !total.is_finite() {
        return polyline.to_vec();
    }
    sub_polyline(polyline, cut, total - cut)
}

/// The part of a polyline between arc lengths `from` and `to` (px from its first point), its
/// ends interpolated.
///
/// ```
/// use mcvideo_flow::diagram::sub_polyline;
/// let line = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]];
/// assert_eq!(sub_polyline(&line, 5.0, 15.0), vec![[5.0, 0.0], [10.0, 0.0], [10.0, 5.0]]);
/// assert_eq!(sub_polyline(&line, 12.0, 20.0), vec![[10.0, 2.0], [10.0, 10.0]]);
/// ```
pub fn sub_polyline(polyline: &[[f64; 2]], from: f64, to: f64) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    let mut at = 0.0;
    for w in polyline.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = (b[0] - a[0]).hypot(b[1] - a[1]);
        let lerp = |s: f64| {
            let f = if len > 0.0 { (s - at) / len } else { 0.0 };
            [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]
        };
        if at + len >= from && at <= to {
            if out.is_empty() {
                out.push(lerp(from.max(at)));
            }
            out.push(lerp(to.min(at + len)));
        }
        at += len;
    }
    out
}

impl SamplingPlan {
    /// Builds the plan for a centerline (reference-frame pixels) and a half-width across the
    /// lumen. The normal at each column comes from the chord between the points 2 px before
    /// and after it, which steadies it against pixel-level kinks of a skeleton.
    ///
    /// ```
    /// use mcvideo_flow::diagram::SamplingPlan;
    /// let plan = SamplingPlan::new(&[[2.0, 5.0], [12.0, 5.0]], 1.0);
    /// assert_eq!((plan.columns(), plan.across()), (11, 3));
    /// ```
    pub fn new(centerline_px: &[[f64; 2]], half_width_px: f64) -> SamplingPlan {
        let points = resample_polyline(centerline_px, 1.0);
        let half = if half_width_px.is_finite() && half_width_px > 0.0 {
            half_width_px.floor() as i64
        } else {
            0
        };
        let across = (2 * half + 1) as usize;
        let n = points.len();
        let mut xs = Vec::with_capacity(n * across);
        let mut ys = Vec::with_capacity(n * across);
        for i in 0..n {
            let a = points[i.saturating_sub(2)];
            let b = points[(i + 2).min(n - 1)];
            let (tx, ty) = (b[0] - a[0], b[1] - a[1]);
            let norm = tx.hypot(ty);
            let (nx, ny) = if norm > 0.0 {
                (-ty / norm, tx / norm)
            } else {
                (0.0, 0.0)
            };
            for j in -half..=half {
                let s = j as f64;
                xs.push((points[i][0] + s * nx) as f32);
                ys.push((points[i][1] + s * ny) as f32);
            }
        }
        let y_extent = ys.iter().fold(None, |extent, &y| match extent {
            None => Some((y, y)),
            Some((lo, hi)) => Some((f32::min(lo, y), f32::max(hi, y))),
        });
        SamplingPlan {
            columns: n,
            across,
            xs,
            ys,
            y_extent,
        }
    }

    /// Number of 1-px steps along the centerline (diagram columns).
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Number of samples averaged across the lumen at each column.
    pub fn across(&self) -> usize {
        self.across
    }

    /// Fills `row` (length `columns()`) with the lumen-averaged values of `frame` at the
    /// plan's points moved by `shift` (SPEC convention: reference point p lies at p + shift).
    pub fn sample_row(&self, frame: &GrayImage, shift: [f64; 2], row: &mut [f32]) {
        let band = FrameBand {
            pixels: frame.as_raw(),
            width: frame.width() as usize,
            height: frame.height() as usize,
            first_row: 0,
        };
        self.sample_band(&band, shift, row);
    }

    /// The frame rows `sample_row` reads at `shift` in a frame of `height` rows, as an
    /// inclusive range, or None for an empty plan.
    pub fn rows_read(&self, shift: [f64; 2], height: usize) -> Option<(usize, usize)> {
        let dy = shift[1] as f32;
        let ymax = height.checked_sub(1)? as f32;
        let (top, bottom) = self.y_extent?;
        // The same arithmetic as the sampling, monotone in y: the extreme samples give the
        // extreme rows.
        let lowest = (top + dy).clamp(0.0, ymax) as usize;
        let highest = (bottom + dy).clamp(0.0, ymax) as usize;
        Some((lowest, (highest + 1).min(height - 1)))
    }

    /// [`SamplingPlan::sample_row`] from a band of the frame's rows that holds every row the
    /// plan reads ([`SamplingPlan::rows_read`]): the same values, from fewer pixels.
    pub fn sample_band(&self, band: &FrameBand<'_>, shift: [f64; 2], row: &mut [f32]) {
        let (w, h) = (band.width, band.height);
        let band_rows = band.pixels.len() / w.max(1);
        if w == 0 || h == 0 || band_rows == 0 {
            row.iter_mut().for_each(|v| *v = 0.0);
            return;
        }
        let data = band.pixels;
        let (dx, dy) = (shift[0] as f32, shift[1] as f32);
        let (xmax, ymax) = ((w - 1) as f32, (h - 1) as f32);
        let last_band_row = band_rows - 1;
        let band_row = |y: usize| y.saturating_sub(band.first_row).min(last_band_row);
        let inv = 1.0 / self.across as f32;
        for (c, out) in row.iter_mut().enumerate().take(self.columns) {
            let base = c * self.across;
            let mut acc = 0.0f32;
            for k in base..base + self.across {
                // Edge-clamped bilinear interpolation.
                let x = (self.xs[k] + dx).clamp(0.0, xmax);
                let y = (self.ys[k] + dy).clamp(0.0, ymax);
                let (x0, y0) = (x as usize, y as usize);
                let (fx, fy) = (x - x0 as f32, y - y0 as f32);
                let x1 = (x0 + 1).min(w - 1);
                let y1 = (y0 + 1).min(h - 1);
                let r0 = band_row(y0) * w;
                let r1 = band_row(y1) * w;
                let top = data[r0 + x0] as f32 * (1.0 - fx) + data[r0 + x1] as f32 * fx;
                let bottom = data[r1 + x0] as f32 * (1.0 - fx) + data[r1 + x1] as f32 * fx;
                acc += top * (1.0 - fy) + bottom * fy;
            }
            *out = acc * inv;
        }
    }

    /// The raw space-time diagram of `frames`: one row per frame that has a shift.
    pub fn diagram(&self, frames: &[GrayImage], shifts_px: &[[f64; 2]]) -> Array2<f32> {
        let rows = frames.len().min(shifts_px.len());
        let mut std = Array2::<f32>::zeros((rows, self.columns));
        for (t, mut row) in std.rows_mut().into_iter().enumerate() {
            if let Some(slice) = row.as_slice_mut() {
                self.sample_row(&frames[t], shifts_px[t], slice);
            }
        }
        std
    }
}

/// The space-time diagram of one vessel: rows = frames, columns = 1-px steps along the
/// centerline, each value the mean grey level across the lumen (`±half_width_px` along the
/// normal) of frame t at `p + shifts_px[t]`, bilinearly interpolated and edge-clamped. The
/// static background is still in it; [`remove_static_background`] takes it out (and
/// [`crate::measure_flow`] does so itself). Frames beyond `shifts_px.len()` are left out.
///
/// ```
/// use image::GrayImage;
/// use mcvideo_flow::space_time_diagram;
/// // Frame t is bright (200) at column x = 2 + t, i.e. a bright dot moving 1 px/frame.
/// let frames: Vec<GrayImage> = (0..3)
///     .map(|t| GrayImage::from_fn(8, 3, |x, _| image::Luma([if x == 2 + t { 200 } else { 0 }])))
///     .collect();
/// let std = space_time_diagram(&frames, &[[0.0, 0.0]; 3], &[[1.0, 1.0], [5.0, 1.0]], 0.0);
/// assert_eq!(std.dim(), (3, 5));
/// assert_eq!(std.row(0).to_vec(), vec![0.0, 200.0, 0.0, 0.0, 0.0]);
/// assert_eq!(std.row(2).to_vec(), vec![0.0, 0.0, 0.0, 200.0, 0.0]);
/// // Frame 1 alone has its dot at x = 3 (column 2); with a camera shift of +1 px in x the
/// // sampling moves with the scene and reads it one column earlier.
/// let std = space_time_diagram(&frames[1..2], &[[1.0, 0.0]], &[[1.0, 1.0], [5.0, 1.0]], 0.0);
/// assert_eq!(std.row(0).to_vec(), vec![0.0, 200.0, 0.0, 0.0, 0.0]);
/// ```
pub fn space_time_diagram(
    frames: &[GrayImage],
    shifts_px: &[[f64; 2]],
    centerline_px: &[[f64; 2]],
    half_width_px: f64,
) -> Array2<f32> {
    SamplingPlan::new(centerline_px, half_width_px).diagram(frames, shifts_px)
}

/// Removes what does not move: each column's temporal mean (the vessel wall, the lumen and
/// cells that never move), then each row's mean (frame-wide brightness flicker). What is left
/// is the pattern of moving cells plus noise.
///
/// ```
/// use mcvideo_flow::remove_static_background;
/// let mut std = ndarray::arr2(&[[10.0f32, 20.0], [12.0, 22.0]]);
/// remove_static_background(&mut std);
/// assert_eq!(std, ndarray::arr2(&[[0.0f32, 0.0], [0.0, 0.0]]));
/// ```
pub fn remove_static_background(std: &mut Array2<f32>) {
    let (rows, cols) = std.dim();
    if rows == 0 || cols == 0 {
        return;
    }
    let mut column_mean = vec![0.0f64; cols];
    for row in std.rows() {
        for (m, &v) in column_mean.iter_mut().zip(row.iter()) {
            *m += v as f64;
        }
    }
    for m in column_mean.iter_mut() {
        *m /= rows as f64;
    }
    for mut row in std.rows_mut() {
        let mut row_mean = 0.0f64;
        for (v, &m) in row.iter_mut().zip(column_mean.iter()) {
            *v = (*v as f64 - m) as f32;
            row_mean += *v as f64;
        }
        let row_mean = (row_mean / cols as f64) as f32;
        row.iter_mut().for_each(|v| *v -= row_mean);
    }
}

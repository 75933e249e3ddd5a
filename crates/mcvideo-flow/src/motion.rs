//! Moving versus stopped: time windows of the space-time diagram, judged one by one.
//!
//! A window moves when its cell pattern is carried along the vessel: the NCC along the best
//! streak clearly beats the NCC of a standing pattern, and the streak is steeper than a small
//! velocity floor. A window whose pattern changes far beyond the noise from frame to frame
//! but correlates at no displacement within range is flow faster than the measurable range.
//! The flowing fraction is the share of moving windows (cf. the "no flow for at least half
//! of the time" of intermittent flow, Ince C et al. Intensive Care Med 2018;44:281-299).

use ndarray::Array2;

/// Window bounds `[start, end)` in rows: windows of `len` rows; a short tail (less than half a
/// window) joins the window before it.
///
/// ```
/// use mcvideo_flow::motion::windows;
/// assert_eq!(windows(30, 12), vec![(0, 12), (12, 24), (24, 30)]);
/// assert_eq!(windows(27, 12), vec![(0, 12), (12, 27)]);
/// assert_eq!(windows(5, 12), vec![(0, 5)]);
/// ```
pub fn windows(rows: usize, len: usize) -> Vec<(usize, usize)> {
    let len = len.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    while start < rows {
        let end = (start + len).min(rows);
        out.push((start, end));
        start = end;
    }
    if out.len() > 1 {
        if let Some(&(s, e)) = out.last() {
            if e - s < len.div_ceil(2) {
                out.pop();
                if let Some(prev) = out.last_mut() {
                    prev.1 = e;
                }
            }
        }
    }
    out
}

/// Noise variance of one diagram pixel, from the differences of neighbouring columns: cell
/// images are several pixels wide, so these differences are mostly noise, and their median
/// (median of χ²₁ = 0.4549) ignores the cell edges that are not.
pub fn noise_variance(s: &Array2<f32>) -> f64 {
    let (rows, cols) = s.dim();
    if rows == 0 || cols < 2 {
        return 0.0;
    }
    let mut sq: Vec<f32> = Vec::with_capacity(rows * (cols - 1));
    for row in s.rows() {
        let mut prev = None;
        for &v in row.iter() {
            if let Some(p) = prev {
                let d: f32 = v - p;
                sq.push(d * d);
            }
            prev = Some(v);
        }
    }
    let mid = sq.len() / 2;
    let (_, median, _) = sq.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    *median as f64 / (2.0 * 0.4549)
}

/// Mean square frame-to-frame change per pixel over the rows `[start, end)`, halved so that
/// pure noise gives the noise variance.
pub fn temporal_change(s: &Array2<f32>, start: usize, end: usize) -> f64 {
    let (rows, cols) = s.dim();
    let end = end.min(rows.saturating_sub(1));
    if end <= start || cols == 0 {
        return 0.0;
    }
    let mut sum = 0.0f64;
    for t in start..end {
        for (a, b) in s.row(t).iter().zip(s.row(t + 1).iter()) {
            let d = (b - a) as f64;
            sum += d * d;
        }
    }
    sum / (2.0 * ((end - start) * cols) as f64)
}

/// Share of the frame steps of a moving window `[start, end)` during which the cells move:
/// a step moves when its frame-to-frame change reaches twice the noise variance, or rises
/// above the noise by a quarter of the window's largest change if that is less. Stops inside a window (stop-and-go flow) change no more
/// than noise, so a window half stopped counts half.
pub fn moving_share(s: &Array2<f32>, start: usize, end: usize, noise: f64) -> f64 {
    let (rows, _) = s.dim();
    let end = end.min(rows.saturating_sub(1));
    if end <= start {
        return 1.0;
    }
    let changes: Vec<f64> = (start..end).map(|t| temporal_change(s, t, t + 1)).collect();
    let max = changes.iter().copied().fold(0.0, f64::max);
    if max <= noise {
        return 1.0;
    }
    let threshold = (noise + 0.25 * (max - noise)).min(2.0 * noise);
    changes.iter().filter(|&&c| c >= threshold).count() as f64 / changes.len() as f64
}

/// Frame-to-frame change of the rows `[start, end)` of a raw diagram that a standing pattern
/// does not explain: each row is first fitted as `a · M + b`, M the window's mean row, and
/// only the residuals are compared. Standing cells seen through a shifting light field
/// (vignetting, uneven illumination) or brightness flicker change in gain only and leave no
/// residual; a train of cells passing faster than range leaves nearly all of its change.
pub fn unexplained_change(raw: &Array2<f32>, start: usize, end: usize) -> f64 {
    let (rows, cols) = raw.dim();
    let end = end.min(rows);
    if end < start + 2 || cols == 0 {
        return 0.0;
    }
    let n = (end - start) as f64;
    let mut mean = vec![0.0f64; cols];
    for t in start..end {
        for (m, &v) in mean.iter_mut().zip(raw.row(t).iter()) {
            *m += v as f64 / n;
        }
    }
    let m_avg = mean.iter().sum::<f64>() / cols as f64;
    let m_var: f64 = mean.iter().map(|m| (m - m_avg).powi(2)).sum();
    let mut previous: Vec<f64> = Vec::with_capacity(cols);
    let mut residual: Vec<f64> = vec![0.0; cols];
    let mut sum = 0.0;
    for t in start..end {
        let row = raw.row(t);
        let r_avg = row.iter().map(|&v| v as f64).sum::<f64>() / cols as f64;
        let cov: f64 = row
            .iter()
            .zip(&mean)
            .map(|(&v, &m)| (v as f64 - r_avg) * (m - m_avg))
            .sum();
        let gain = if m_var > 0.0 { cov / m_var } else { 0.0 };
        for ((r, &v), &m) in residual.iter_mut().zip(row.iter()).zip(&mean) {
            *r = (v as f64 - r_avg) - gain * (m - m_avg);
        }
        if !previous.is_empty() {
            sum += residual
                .iter()
                .zip(&previous)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>();
        }
        previous.clone_from(&residual);
    }
    sum / (2.0 * (n - 1.0) * cols as f64)
}

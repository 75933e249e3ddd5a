//! Vessel diameter from the cross profile of the background-corrected contrast image: the
//! full width at half maximum of the median profile across the segment.

/// Bilinear sample of a plane, edge-clamped.
pub fn sample(plane: &[f32], width: usize, height: usize, x: f64, y: f64) -> f32 {
    let x = x.clamp(0.0, (width - 1) as f64);
    let y = y.clamp(0.0, (height - 1) as f64);
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(width - 1), (y0 + 1).min(height - 1));
    let (fx, fy) = ((x - x0 as f64) as f32, (y - y0 as f64) as f32);
    let top = plane[y0 * width + x0] * (1.0 - fx) + plane[y0 * width + x1] * fx;
    let bottom = plane[y1 * width + x0] * (1.0 - fx) + plane[y1 * width + x1] * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Result of a cross-profile measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileWidth {
    /// Full width at half maximum in px.
    pub fwhm_px: f64,
    /// Peak height above the background (relative contrast of the lumen).
    pub contrast: f64,
}

const STEP: f64 = 0.25;

/// FWHM of the median cross profile of `contrast` along the centerline `points`, sampled
/// along the local normal out to `half_range_px`; points within `end_skip_px` of either end
/// (junction regions) are skipped when the segment is long enough. `None` when the profile
/// has no peak above its background or no half-maximum crossing on a side.
///
/// ```
/// use mcvideo_vessels::diameter::profile_width;
/// // A vertical band 6 px wide (x = 7..=12) of contrast 0.3 in a 20 x 20 plane.
/// let plane: Vec<f32> = (0..400).map(|i| if (7..13).contains(&(i % 20)) { 0.3 } else { 0.0 }).collect();
/// let line: Vec<[f64; 2]> = (2..18).map(|y| [9.5, y as f64]).collect();
/// let w = profile_width(&plane, 20, 20, &line, 8.0, 2.0).unwrap();
/// assert!((w.fwhm_px - 6.0).abs() < 0.01);
/// assert!((w.contrast - 0.3).abs() < 1e-6);
/// ```
pub fn profile_width(
    contrast: &[f32],
    width: usize,
    height: usize,
    points: &[[f64; 2]],
    half_range_px: f64,
    end_skip_px: f64,
) -> Option<ProfileWidth> {
    let n = points.len();
    if n < 2 {
        return None;
    }
    let bins = (half_range_px / STEP).ceil() as usize;
    let len = 2 * bins + 1;
    // Arc length of each point, to skip the ends.
    let mut arc = vec![0.0; n];
    for i in 1..n {
        arc[i] =
            arc[i - 1] + (points[i][0] - points[i - 1][0]).hypot(points[i][1] - points[i - 1][1]);
    }
    let total = arc[n - 1];
    let skip = end_skip_px.min(0.3 * total);
    let mut profiles: Vec<Vec<f32>> = Vec::new();
    for i in 0..n {
        if arc[i] < skip || arc[i] > total - skip {
            continue;
        }
        let (a, b) = (points[i.saturating_sub(2)], points[(i + 2).min(n - 1)]);
        let (tx, ty) = (b[0] - a[0], b[1] - a[1]);
        let norm = tx.hypot(ty);
        if norm <= 0.0 {
            continue;
        }
        let (nx, ny) = (-ty / norm, tx / norm);
        let profile: Vec<f32> = (0..len)
            .map(|k| {
                let s = (k as f64 - bins as f64) * STEP;
                sample(
                    contrast,
                    width,
                    height,
                    points[i][0] + s * nx,
                    points[i][1] + s * ny,
                )
            })
            .collect();
        profiles.push(profile);
    }
    if profiles.is_empty() {
        return None;
    }
    // Median over points, bin by bin: robust to crossing vessels and junctions.
    let mut column = Vec::with_capacity(profiles.len());
    let median: Vec<f64> = (0..len)
        .map(|k| {
            column.clear();
            column.extend(profiles.iter().map(|p| p[k]));
            column.sort_by(f32::total_cmp);
            let m = column.len();
            if m % 2 == 1 {
                f64::from(column[m / 2])
            } else {
                0.5 * f64::from(column[m / 2 - 1] + column[m / 2])
            }
        })
        .collect();
    fwhm(&median, bins)
}

/// FWHM of a profile sampled every `STEP` px with its centre at index `centre`.
fn fwhm(profile: &[f64], centre: usize) -> Option<ProfileWidth> {
    // Peak near the centre (the centerline may be off by a pixel or so).
    let reach = ((1.5 / STEP) as usize).min(centre);
    let (peak_at, peak) = (centre - reach..=centre + reach)
        .map(|k| (k, profile[k]))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    // Background on each side: the mean of the outer third of the range (the minimum would
    // be biased low by noise and texture, widening the half-maximum crossing).
    let outer = (profile.len() / 6).max(1);
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let left_base = mean(&profile[..outer]);
    let right_base = mean(&profile[profile.len() - outer..]);
    let base = 0.5 * (left_base + right_base);
    if peak - base <= 0.0 {
        return None;
    }
    let crossing = |base: f64, indices: &mut dyn Iterator<Item = usize>, dir: f64| -> Option<f64> {
        let half = 0.5 * (peak + base);
        let mut prev = peak_at;
        for k in indices {
            if profile[k] <= half {
                // Linear interpolation between prev (above) and k (below).
                let (a, b) = (profile[prev], profile[k]);
                let frac = if a > b { (a - half) / (a - b) } else { 0.0 };
                return Some((prev as f64 + dir * frac) * STEP);
            }
            prev = k;
        }
        None
    };
    let left = crossing(left_base, &mut (0..peak_at).rev(), -1.0)?;
    let right = crossing(right_base, &mut (peak_at + 1..profile.len()), 1.0)?;
    Some(ProfileWidth {
        fwhm_px: right - left,
        contrast: peak - base,
    })
}

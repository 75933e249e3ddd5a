//! Illumination item (Massey 2013): "even illumination across the entire field of view,
//! contrast sufficient to see small vessels" (0); "borders on being too dark or bright but
//! the vessels are still identifiable" (1); "oversaturated/too bright or too dark to make
//! out analysable features, insufficient contrast" (10). Measured as mean brightness,
//! dark and saturated pixel fractions, vessel contrast and unevenness over sampled frames.

use mcvideo_frames::Frames;

use crate::{
    grade_at_least, grade_at_most, Quality, QualityParams, ACCEPTABLE, OPTIMAL, UNACCEPTABLE,
};

pub(crate) fn grade<F: Frames + ?Sized>(
    q: &mut Quality,
    frames: &F,
    sample: &[usize],
    params: &QualityParams,
) {
    let mut hist = [0u64; 256];
    let mut blocks = [0.0f64; 16];
    let mut block_n = [0u64; 16];
    for &t in sample {
        let f = frames.frame(t);
        let (w, h) = f.dimensions();
        for (y, row) in f.as_raw().chunks_exact(w.max(1) as usize).enumerate() {
            let by = (y * 4) / h as usize;
            for (x, &v) in row.iter().enumerate() {
                hist[v as usize] += 1;
                let b = by * 4 + (x * 4) / w as usize;
                blocks[b] += f64::from(v);
                block_n[b] += 1;
            }
        }
    }
    let total: u64 = hist.iter().sum();
    if total == 0 {
        q.illumination = UNACCEPTABLE;
        q.flag("illumination", UNACCEPTABLE, "no pixels".into());
        return;
    }
    let mean = hist
        .iter()
        .enumerate()
        .map(|(v, &n)| v as f64 * n as f64)
        .sum::<f64>()
        / total as f64;
    let dark = hist[..=params.dark_level as usize].iter().sum::<u64>() as f64 / total as f64;
    let saturated =
        hist[params.saturated_level as usize..].iter().sum::<u64>() as f64 / total as f64;
    let median = quantile(&hist, total, 0.5);
    let p02 = quantile(&hist, total, 0.02);
    let contrast = if median > 0.0 {
        (median - p02) / median
    } else {
        0.0
    };
    let means: Vec<f64> = blocks
        .iter()
        .zip(&block_n)
        .filter(|&(_, &n)| n > 0)
        .map(|(&s, &n)| s / n as f64)
        .collect();
    let (lo, hi) = means.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &m| {
        (lo.min(m), hi.max(m))
    });
    let unevenness = if hi > 0.0 { 1.0 - lo / hi } else { 1.0 };

    let m = &mut q.measures;
    m.mean_brightness = mean;
    m.dark_fraction = dark;
    m.saturated_fraction = saturated;
    m.contrast = contrast;
    m.unevenness = unevenness;

    let brightness = if mean >= params.brightness_optimal[0] && mean <= params.brightness_optimal[1]
    {
        OPTIMAL
    } else if mean >= params.brightness_acceptable[0] && mean <= params.brightness_acceptable[1] {
        ACCEPTABLE
    } else {
        UNACCEPTABLE
    };
    let parts = [
        (brightness, format!("mean brightness {mean:.0}")),
        (
            grade_at_most(dark, params.dark_fraction),
            format!(
                "{:.1} % of pixels dark (<= {})",
                100.0 * dark,
                params.dark_level
            ),
        ),
        (
            grade_at_most(saturated, params.saturated_fraction),
            format!(
                "{:.1} % of pixels saturated (>= {})",
                100.0 * saturated,
                params.saturated_level
            ),
        ),
        (
            grade_at_least(contrast, params.contrast),
            format!("vessel contrast {contrast:.2}"),
        ),
        (
            if unevenness > params.unevenness_optimal {
                ACCEPTABLE
            } else {
                OPTIMAL
            },
            format!("uneven illumination {unevenness:.2}"),
        ),
    ];
    let grade = parts.iter().map(|p| p.0).max().unwrap_or(OPTIMAL);
    let why: Vec<&str> = parts
        .iter()
        .filter(|p| p.0 == grade && grade > OPTIMAL)
        .map(|p| p.1.as_str())
        .collect();
    q.illumination = grade;
    q.flag("illumination", grade, why.join(", "));
}

/// Intensity at quantile `p` of a histogram.
fn quantile(hist: &[u64; 256], total: u64, p: f64) -> f64 {
    let target = (p * total as f64) as u64;
    let mut acc = 0u64;
    for (v, &n) in hist.iter().enumerate() {
        acc += n;
        if acc > target {
            return v as f64;
        }
    }
    255.0
}

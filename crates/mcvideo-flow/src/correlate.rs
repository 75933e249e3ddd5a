//! Lagged cross-correlation of space-time diagram rows, pooled over time windows.
//!
//! Row t of a background-removed STD is the red-cell pattern along the vessel at frame t;
//! row t + k is the same pattern moved by k·v pixels. Summing the cross-correlation of all
//! row pairs (t, t + k) of a window and normalising by the energies of the overlapping parts
//! gives a normalised cross-correlation (NCC) per lag k and displacement d whose peak sits at
//! d = k·v (the two-slit/cross-correlation principle of Wayland H, Johnson PC. Erythrocyte
//! velocity measurement in microvessels by a two-slit photometric method. J Appl Physiol
//! 1967;22:333-337, applied to every pair of STD columns at once). The correlation of each
//! row pair is computed by FFT.

use ndarray::Array2;
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;

/// Summed cross-correlation and overlap energies of one window, all lags.
#[derive(Debug, Clone)]
pub(crate) struct WindowCorrelation {
    pub lags: usize,
    pub max_shift: usize,
    /// `[(k - 1) * (2D + 1) + (d + D)]`: Σ_t Σ_x s_t[x]·s_{t+k}[x + d].
    pub cross: Vec<f64>,
    /// Energy of the row-t parts that overlap, same layout.
    pub energy_a: Vec<f64>,
    /// Energy of the row-(t+k) parts that overlap, same layout.
    pub energy_b: Vec<f64>,
    /// Row pairs summed per lag.
    pub pairs: Vec<usize>,
}

impl WindowCorrelation {
    pub fn zeros(lags: usize, max_shift: usize) -> WindowCorrelation {
        let n = lags * (2 * max_shift + 1);
        WindowCorrelation {
            lags,
            max_shift,
            cross: vec![0.0; n],
            energy_a: vec![0.0; n],
            energy_b: vec![0.0; n],
            pairs: vec![0; lags],
        }
    }

    /// Adds another window's sums (pooling windows).
    pub fn add(&mut self, other: &WindowCorrelation) {
        for (a, b) in self.cross.iter_mut().zip(&other.cross) {
            *a += b;
        }
        for (a, b) in self.energy_a.iter_mut().zip(&other.energy_a) {
            *a += b;
        }
        for (a, b) in self.energy_b.iter_mut().zip(&other.energy_b) {
            *a += b;
        }
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            *a += b;
        }
    }

    /// The normalised cross-correlation table.
    pub fn ncc(&self) -> NccTable {
        let data = self
            .cross
            .iter()
            .zip(self.energy_a.iter().zip(&self.energy_b))
            .map(|(&c, (&a, &b))| {
                let den = (a * b).sqrt();
                if den > 0.0 {
                    c / den
                } else {
                    0.0
                }
            })
            .collect();
        NccTable {
            lags: self.lags,
            max_shift: self.max_shift,
            data,
            valid: self.pairs.iter().map(|&p| p > 0).collect(),
        }
    }
}

/// NCC per lag (1..=lags) and integer displacement (-max_shift..=max_shift).
#[derive(Debug, Clone)]
pub(crate) struct NccTable {
    pub lags: usize,
    pub max_shift: usize,
    data: Vec<f64>,
    valid: Vec<bool>,
}

impl NccTable {
    /// Whether lag k (1-based) had any row pair.
    pub fn has_lag(&self, k: usize) -> bool {
        k >= 1 && k <= self.lags && self.valid[k - 1]
    }

    /// NCC at lag k and integer displacement d, 0 outside the table.
    pub fn at_int(&self, k: usize, d: i64) -> f64 {
        let dmax = self.max_shift as i64;
        if !self.has_lag(k) || d < -dmax || d > dmax {
            return 0.0;
        }
        self.data[(k - 1) * (2 * self.max_shift + 1) + (d + dmax) as usize]
    }

    /// NCC at lag k and a fractional displacement: Catmull-Rom interpolation, which keeps a
    /// smooth peak between the integer samples (linear interpolation would pin it to them).
    pub fn at(&self, k: usize, d: f64) -> f64 {
        let i = d.floor();
        let f = d - i;
        let i = i as i64;
        let p0 = self.at_int(k, i - 1);
        let p1 = self.at_int(k, i);
        let p2 = self.at_int(k, i + 1);
        let p3 = self.at_int(k, i + 2);
        p1 + 0.5
            * f
            * (p2 - p0
                + f * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3 + f * (3.0 * (p1 - p2) + p3 - p0)))
    }
}

/// Window sums for every window `[start, end)` (row pairs are attributed to the window of
/// their first row), lags `1..=lags` and displacements `|d| <= max_shift`.
///
/// Each window is correlated on its own copy of rows `start..end + lags`, with that stretch's
/// column means removed: a pattern standing elsewhere in the clip (cells stopped during the
/// other phases of intermittent flow) then leaves no static ghost in a moving window, and a
/// window whose cells stand still is reduced to noise.
pub(crate) fn window_correlations(
    s: &Array2<f32>,
    windows: &[(usize, usize)],
    lags: usize,
    max_shift: usize,
) -> Vec<WindowCorrelation> {
    let (rows, cols) = s.dim();
    let n = (cols + max_shift + 1).next_power_of_two();
    let mut planner = FftPlanner::<f32>::new();
    let forward = planner.plan_fft_forward(n);
    let inverse = planner.plan_fft_inverse(n);
    let width = 2 * max_shift + 1;
    let dmax = max_shift as i64;
    let longest = windows.iter().map(|w| w.1 - w.0).max().unwrap_or(0) + lags;

    // Buffers reused across windows: n >= cols + max_shift keeps |d| <= max_shift free of
    // circular wrap-around.
    let mut spectra = vec![Complex::new(0.0f32, 0.0); longest * n];
    let mut prefix = vec![0.0f64; longest * (cols + 1)];
    let mut mean = vec![0.0f64; cols];
    let mut acc = vec![Complex::new(0.0f32, 0.0); n];
    let mut scratch = vec![
        Complex::new(0.0f32, 0.0);
        inverse
            .get_inplace_scratch_len()
            .max(forward.get_inplace_scratch_len())
    ];
    let mut out = Vec::with_capacity(windows.len());
    for &(start, end) in windows {
        let mut wc = WindowCorrelation::zeros(lags, max_shift);
        let stop = (end + lags).min(rows);
        let local = stop.saturating_sub(start);
        if local < 2 {
            out.push(wc);
            continue;
        }
        mean.iter_mut().for_each(|m| *m = 0.0);
        for t in start..stop {
            for (m, &v) in mean.iter_mut().zip(s.row(t).iter()) {
                *m += v as f64;
            }
        }
        mean.iter_mut().for_each(|m| *m /= local as f64);
        for (i, t) in (start..stop).enumerate() {
            let spec = &mut spectra[i * n..(i + 1) * n];
            spec.iter_mut().for_each(|c| *c = Complex::new(0.0, 0.0));
            let row = s.row(t);
            let row_mean = row
                .iter()
                .zip(&mean)
                .map(|(&v, &m)| v as f64 - m)
                .sum::<f64>()
                / cols as f64;
            let pre = &mut prefix[i * (cols + 1)..(i + 1) * (cols + 1)];
            for (x, (&v, &m)) in row.iter().zip(&mean).enumerate() {
                let r = v as f64 - m - row_mean;
                spec[x] = Complex::new(r as f32, 0.0);
                pre[x + 1] = pre[x] + r * r;
            }
        }
        forward.process_with_scratch(&mut spectra[..local * n], &mut scratch);

        for k in 1..=lags {
            let last = (end - start).min(local.saturating_sub(k));
            if last == 0 {
                continue;
            }
            acc.iter_mut().for_each(|c| *c = Complex::new(0.0, 0.0));
            let base = (k - 1) * width;
            for i in 0..last {
                let a = &spectra[i * n..(i + 1) * n];
                let b = &spectra[(i + k) * n..(i + k + 1) * n];
                for ((c, x), y) in acc.iter_mut().zip(a).zip(b) {
                    *c += x.conj() * y;
                }
                let pa = &prefix[i * (cols + 1)..(i + 1) * (cols + 1)];
                let pb = &prefix[(i + k) * (cols + 1)..(i + k + 1) * (cols + 1)];
                for d in -dmax..=dmax {
                    let du = d.unsigned_abs() as usize;
                    let (ea, eb) = if d >= 0 {
                        (pa[cols - du], pb[cols] - pb[du])
                    } else {
                        (pa[cols] - pa[du], pb[cols - du])
                    };
                    wc.energy_a[base + (d + dmax) as usize] += ea;
                    wc.energy_b[base + (d + dmax) as usize] += eb;
                }
            }
            wc.pairs[k - 1] = last;
            inverse.process_with_scratch(&mut acc, &mut scratch);
            let scale = 1.0 / n as f64;
            for d in -dmax..=dmax {
                let idx = if d >= 0 {
                    d as usize
                } else {
                    n - d.unsigned_abs() as usize
                };
                wc.cross[base + (d + dmax) as usize] = acc[idx].re as f64 * scale;
            }
        }
        out.push(wc);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ncc_peaks_at_the_displacement_of_a_shifted_pattern() {
        // Row t is a fixed irregular pattern moved by +3 px per row.
        let pattern: Vec<f32> = (0..80)
            .map(|i| ((i * 37 % 11) as f32 - 5.0) * ((i * 13 % 7) as f32 - 3.0))
            .collect();
        let s = Array2::from_shape_fn((6, 40), |(t, x)| pattern[x + 30 - 3 * t]);
        let wc = window_correlations(&s, &[(0, 6)], 2, 10);
        let ncc = wc[0].ncc();
        let best1 = (-10..=10)
            .max_by(|&a, &b| ncc.at_int(1, a).total_cmp(&ncc.at_int(1, b)))
            .unwrap_or(0);
        let best2 = (-10..=10)
            .max_by(|&a, &b| ncc.at_int(2, a).total_cmp(&ncc.at_int(2, b)))
            .unwrap_or(0);
        assert_eq!((best1, best2), (3, 6));
        assert!(ncc.at_int(1, 3) > 0.95, "{}", ncc.at_int(1, 3));
    }
}

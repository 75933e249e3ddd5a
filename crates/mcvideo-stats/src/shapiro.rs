//! Shapiro–Wilk normality test, Royston's algorithm AS R94 (Royston 1995, Appl. Statist. 44:547–551),
//! following R's `shapiro.test` (src/library/stats/src/swilk.c) step by step.

use crate::error::StatsError;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// W and its p value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShapiroWilk {
    pub w: f64,
    pub p: f64,
}

/// Polynomial c[0] + c[1] x + c[2] x² + ... (AS R94's `poly`).
fn poly(c: &[f64], x: f64) -> f64 {
    let mut result = c[0];
    if c.len() > 1 {
        let mut p = x * c[c.len() - 1];
        for &coefficient in c[1..c.len() - 1].iter().rev() {
            p = (p + coefficient) * x;
        }
        result += p;
    }
    result
}

/// Shapiro–Wilk test of normality for 3 ≤ n ≤ 5000 values, as R's `shapiro.test`.
///
/// The truncated constants of AS R94 are kept on purpose: they are what R computes with.
///
/// ```
/// let x = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.0, 3.1, 2.5];
/// let sw = mcvideo_stats::shapiro::shapiro_wilk(&x).unwrap();
/// // R: shapiro.test(x) gives W = 0.95113, p-value = 0.6819
/// assert!((sw.w - 0.95113).abs() < 5e-6 && (sw.p - 0.6819).abs() < 5e-5);
/// ```
#[allow(clippy::approx_constant)]
pub fn shapiro_wilk(data: &[f64]) -> Result<ShapiroWilk, StatsError> {
    let what = "Shapiro-Wilk test";
    let mut x = crate::summary::sorted_copy(data);
    let n = x.len();
    if !(3..=5000).contains(&n) {
        return Err(StatsError::invalid(
            what,
            format!("sample size must be between 3 and 5000, got {n}"),
        ));
    }
    let mut range = x[n - 1] - x[0];
    if range == 0.0 {
        return Err(StatsError::invalid(what, "all values are identical"));
    }
    if range < 1e-10 {
        // as shapiro.test: rescale to avoid a zero-range fault
        x.iter_mut().for_each(|v| *v /= range);
        range = x[n - 1] - x[0];
    }
    let small = 1e-19;
    let normal = Normal::standard();

    // Coefficients a[1..=nn2] (1-based as in AS R94).
    let nn2 = n / 2;
    let mut a = vec![0.0; nn2 + 1];
    let an = n as f64;
    if n == 3 {
        a[1] = 0.70710678; // sqrt(1/2) to 8 digits, as AS R94 and R
    } else {
        let c1 = [0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056];
        let c2 = [0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];
        let an25 = an + 0.25;
        let mut summ2 = 0.0;
        for (i, ai) in a.iter_mut().enumerate().skip(1) {
            *ai = normal.inverse_cdf((i as f64 - 0.375) / an25);
            summ2 += *ai * *ai;
        }
        summ2 *= 2.0;
        let ssumm2 = summ2.sqrt();
        let rsn = 1.0 / an.sqrt();
        let a1 = poly(&c1, rsn) - a[1] / ssumm2;
        let (i1, fac) = if n > 5 {
            let a2 = -a[2] / ssumm2 + poly(&c2, rsn);
            let fac = ((summ2 - 2.0 * a[1] * a[1] - 2.0 * a[2] * a[2])
                / (1.0 - 2.0 * a1 * a1 - 2.0 * a2 * a2))
                .sqrt();
            a[2] = a2;
            (3, fac)
        } else {
            let fac = ((summ2 - 2.0 * a[1] * a[1]) / (1.0 - 2.0 * a1 * a1)).sqrt();
            (2, fac)
        };
        a[1] = a1;
        for ai in a.iter_mut().skip(i1) {
            *ai /= -fac;
        }
    }
    if range < small {
        return Err(StatsError::invalid(what, "the data have zero range"));
    }

    // W as the squared correlation between the data and the coefficients (antisymmetric in i).
    let sign = |d: i64| (d.signum()) as f64;
    let coefficient = |i: usize, j: usize| -> f64 {
        if i != j {
            sign(i as i64 - j as i64) * a[1 + i.min(j)]
        } else {
            0.0
        }
    };
    let sx = x.iter().map(|v| v / range).sum::<f64>() / an;
    let sa = (0..n).map(|i| coefficient(i, n - 1 - i)).sum::<f64>() / an;
    let (mut ssa, mut ssx, mut sax) = (0.0, 0.0, 0.0);
    for (i, xi) in x.iter().enumerate() {
        let asa = coefficient(i, n - 1 - i) - sa;
        let xsx = xi / range - sx;
        ssa += asa * asa;
        ssx += xsx * xsx;
        sax += asa * xsx;
    }
    // w1 = 1 − W, computed this way to avoid rounding error for W near 1.
    let ssassx = (ssa * ssx).sqrt();
    let w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx);
    let w = 1.0 - w1;

    if n == 3 {
        // exact p value
        // 6/pi and asin(sqrt(3/4)) with the digits R uses
        let pi6 = 1.90985931710274;
        let stqr = 1.04719755119660;
        let p = (pi6 * (w.sqrt().asin() - stqr)).max(0.0);
        return Ok(ShapiroWilk { w, p });
    }
    let mut y = w1.ln();
    let xx = an.ln();
    let (m, s) = if n <= 11 {
        let gamma = poly(&[-2.273, 0.459], an);
        if y >= gamma {
            return Ok(ShapiroWilk { w, p: 1e-99 });
        }
        y = -(gamma - y).ln();
        let c3 = [0.544, -0.39978, 0.025054, -6.714e-4];
        let c4 = [1.3822, -0.77857, 0.062767, -0.0020322];
        (poly(&c3, an), poly(&c4, an).exp())
    } else {
        let c5 = [-1.5861, -0.31082, -0.083751, 0.0038915];
        let c6 = [-0.4803, -0.082676, 0.0030302];
        (poly(&c5, xx), poly(&c6, xx).exp())
    };
    let p = Normal::new(m, s)
        .map_err(|e| StatsError::invalid(what, e.to_string()))?
        .sf(y);
    Ok(ShapiroWilk { w, p })
}

#[cfg(test)]
mod tests {
    use super::shapiro_wilk;

    /// Small samples (exact p for n = 3, the n ≤ 11 branch, the n ≥ 12 branch) against
    /// R 4.2.2: `shapiro.test(x)` printed with `sprintf("%.17g")`.
    #[test]
    #[allow(clippy::excessive_precision)] // R's 17 printed digits, kept as printed
    fn small_samples_match_r() {
        let cases: [(&[f64], f64, f64); 4] = [
            (&[1.0, 2.0, 4.0], 0.96428571428571419, 0.6368868450289632),
            (
                &[2.2, 1.1, 5.3, 4.0, 3.3],
                0.99413862525579744,
                0.99199300631127618,
            ),
            (
                &[1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0, 55.0, 89.0],
                0.75912090285155642,
                0.0027346235463297616,
            ),
            (
                &[
                    3.1, 2.9, 3.0, 3.2, 2.8, 3.05, 2.95, 3.15, 2.85, 3.1, 3.0, 2.99,
                ],
                0.97881604155391855,
                0.97849914830623008,
            ),
        ];
        for (x, w, p) in cases {
            let sw = shapiro_wilk(x).unwrap();
            assert!(((sw.w - w) / w).abs() < 1e-12, "W {} vs R {w}", sw.w);
            assert!(((sw.p - p) / p).abs() < 1e-9, "p {} vs R {p}", sw.p);
        }
    }

    #[test]
    fn rejects_too_few_and_constant() {
        assert!(shapiro_wilk(&[1.0, 2.0]).is_err());
        assert!(shapiro_wilk(&[2.0, 2.0, 2.0, 2.0]).is_err());
    }
}

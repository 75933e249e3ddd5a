//! Bilinear sampling of u8 frames and f32 working images (edge-clamped).

use image::GrayImage;

/// Bilinear sample of `frame` at (x, y), pixel centres at integer coordinates.
/// Coordinates outside the frame are clamped to the nearest edge pixel.
///
/// ```
/// use image::GrayImage;
/// use mcvideo_stabilize::sample_bilinear;
/// let frame = GrayImage::from_raw(2, 2, vec![0, 100, 50, 150]).unwrap();
/// assert_eq!(sample_bilinear(&frame, 0.5, 0.0), 50.0);
/// assert_eq!(sample_bilinear(&frame, 0.5, 0.5), 75.0);
/// assert_eq!(sample_bilinear(&frame, -3.0, 9.0), 50.0);
/// ```
pub fn sample_bilinear(frame: &GrayImage, x: f64, y: f64) -> f32 {
    let (w, h) = frame.dimensions();
    sample_slice_u8(frame.as_raw(), w as usize, h as usize, x, y)
}

/// Bilinear sample of a row-major u8 buffer (edge-clamped).
pub(crate) fn sample_slice_u8(data: &[u8], w: usize, h: usize, x: f64, y: f64) -> f32 {
    if w == 0 || h == 0 {
        return 0.0;
    }
    let (x0, x1, fx) = clamp_axis(x, w);
    let (y0, y1, fy) = clamp_axis(y, h);
    let p = |xx: usize, yy: usize| f32::from(data[yy * w + xx]);
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Bilinear sample of a row-major f32 buffer; `None` when (x, y) lies outside the pixel
/// centres (the pointwise reference for [`accumulate_shifted_row`] in tests).
#[cfg(test)]
pub(crate) fn sample_inside_f32(data: &[f32], w: usize, h: usize, x: f64, y: f64) -> Option<f32> {
    if !(x >= 0.0 && y >= 0.0 && x <= (w - 1) as f64 && y <= (h - 1) as f64) {
        return None;
    }
    let xf = x.floor();
    let yf = y.floor();
    let x0 = xf as usize;
    let y0 = yf as usize;
    let x1 = (x0 + 1).min(w - 1);
    let y1 = (y0 + 1).min(h - 1);
    let fx = (x - xf) as f32;
    let fy = (y - yf) as f32;
    let r0 = &data[y0 * w..y0 * w + w];
    let r1 = &data[y1 * w..y1 * w + w];
    let top = r0[x0] + (r0[x1] - r0[x0]) * fx;
    let bottom = r1[x0] + (r1[x1] - r1[x0]) * fx;
    Some(top + (bottom - top) * fy)
}

/// Integer neighbours and fraction along one axis, clamped to [0, n-1].
#[inline]
fn clamp_axis(v: f64, n: usize) -> (usize, usize, f32) {
    let max = (n - 1) as f64;
    let v = if v.is_nan() { 0.0 } else { v.clamp(0.0, max) };
    let f = v.floor();
    let i0 = f as usize;
    let i1 = (i0 + 1).min(n - 1);
    (i0, i1, (v - f) as f32)
}

/// The four source slices and bilinear weights of output row `y` under a constant `shift`:
/// output columns `x_lo..x_hi` read `a0[i], a1[i], b0[i], b1[i]` with weights
/// `[w00, w01, w10, w11]`, `i = x - x_lo`. `None` when no output pixel of the row is covered.
struct ShiftedSlices<'a, T> {
    x_lo: usize,
    x_hi: usize,
    taps: [&'a [T]; 4],
    weights: [f32; 4],
}

fn shifted_slices<T>(
    src: &[T],
    w: usize,
    h: usize,
    y: usize,
    shift: [f64; 2],
) -> Option<ShiftedSlices<'_, T>> {
    let ShiftedRows {
        r0,
        r1,
        k,
        x_lo,
        x_hi,
        w00,
        w01,
        w10,
        w11,
    } = shifted_rows(w, h, y, shift)?;
    if x_lo >= x_hi {
        return None;
    }
    let a = &src[r0 * w..(r0 + 1) * w];
    let b = &src[r1 * w..(r1 + 1) * w];
    let n = x_hi - x_lo;
    let s0 = (x_lo as isize + k) as usize;
    Some(ShiftedSlices {
        x_lo,
        x_hi,
        taps: [
            &a[s0..s0 + n],
            &a[s0 + 1..s0 + 1 + n],
            &b[s0..s0 + n],
            &b[s0 + 1..s0 + 1 + n],
        ],
        weights: [w00, w01, w10, w11],
    })
}

/// Adds row `y` of the reference-coordinate resampling of `src` (w × h, row-major) with
/// `shift` to `sum`, counting in `count` the pixels whose shifted point lies inside `src`.
/// The shift is the same for every pixel, so the bilinear weights are too: four constant
/// weights over contiguous slices, which the compiler vectorizes.
pub(crate) fn accumulate_shifted_row<T: Copy + Into<f32>>(
    src: &[T],
    w: usize,
    h: usize,
    y: usize,
    shift: [f64; 2],
    sum: &mut [f32],
    count: &mut [u32],
) {
    let Some(ShiftedSlices {
        x_lo,
        x_hi,
        taps: [a0, a1, b0, b1],
        weights: [w00, w01, w10, w11],
    }) = shifted_slices(src, w, h, y, shift)
    else {
        return;
    };
    for (i, (o, c)) in sum[x_lo..x_hi]
        .iter_mut()
        .zip(&mut count[x_lo..x_hi])
        .enumerate()
    {
        *o += w00 * a0[i].into() + w01 * a1[i].into() + w10 * b0[i].into() + w11 * b1[i].into();
        *c += 1;
    }
}

/// Like [`accumulate_shifted_row`], but adds the squared deviation of each resampled value
/// from `mean` (the temporal mean row): the second pass of a two-pass variance, which keeps
/// f32 sums accurate where one-pass sums of squares would cancel.
pub(crate) fn accumulate_squared_deviation_row(
    src: &[u8],
    (w, h): (usize, usize),
    y: usize,
    shift: [f64; 2],
    mean: &[f32],
    sum_sq: &mut [f32],
    count: &mut [u32],
) {
    let Some(ShiftedSlices {
        x_lo,
        x_hi,
        taps: [a0, a1, b0, b1],
        weights: [w00, w01, w10, w11],
    }) = shifted_slices(src, w, h, y, shift)
    else {
        return;
    };
    for (i, ((o, c), &m)) in sum_sq[x_lo..x_hi]
        .iter_mut()
        .zip(&mut count[x_lo..x_hi])
        .zip(&mean[x_lo..x_hi])
        .enumerate()
    {
        let v = w00 * f32::from(a0[i])
            + w01 * f32::from(a1[i])
            + w10 * f32::from(b0[i])
            + w11 * f32::from(b1[i]);
        *o += (v - m) * (v - m);
        *c += 1;
    }
}

/// The two source rows, integer column offset, valid output columns and bilinear weights of
/// output row `y` under a constant `shift`.
pub(crate) struct ShiftedRows {
    pub r0: usize,
    pub r1: usize,
    pub k: isize,
    pub x_lo: usize,
    pub x_hi: usize,
    pub w00: f32,
    pub w01: f32,
    pub w10: f32,
    pub w11: f32,
}

/// `None` when the shifted row lies outside the source. Output column x reads source
/// columns x + k and x + k + 1, both inside [0, w).
pub(crate) fn shifted_rows(w: usize, h: usize, y: usize, shift: [f64; 2]) -> Option<ShiftedRows> {
    if w < 2 || h < 2 {
        return None;
    }
    let sy = y as f64 + shift[1];
    if !(sy >= 0.0 && sy <= (h - 1) as f64) {
        return None;
    }
    let y0 = (sy.floor() as usize).min(h - 2);
    let fy = (sy - y0 as f64) as f32;
    let kx = shift[0].floor();
    let fx = (shift[0] - kx) as f32;
    let k = kx as isize;
    // Need 0 <= x + k and x + k + 1 <= w - 1.
    let x_lo = (-k).max(0) as usize;
    let x_hi = ((w as isize - 1 - k).clamp(0, w as isize)) as usize;
    Some(ShiftedRows {
        r0: y0,
        r1: y0 + 1,
        k,
        x_lo: x_lo.min(w),
        x_hi,
        w00: (1.0 - fx) * (1.0 - fy),
        w01: fx * (1.0 - fy),
        w10: (1.0 - fx) * fy,
        w11: fx * fy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_sampler_rejects_outside_points() {
        let data = [0.0f32, 1.0, 2.0, 3.0];
        assert_eq!(sample_inside_f32(&data, 2, 2, 1.0, 1.0), Some(3.0));
        assert_eq!(sample_inside_f32(&data, 2, 2, 0.5, 0.5), Some(1.5));
        assert_eq!(sample_inside_f32(&data, 2, 2, 1.01, 0.0), None);
        assert_eq!(sample_inside_f32(&data, 2, 2, -0.01, 0.0), None);
    }

    #[test]
    fn shifted_rows_agree_with_pointwise_sampling() {
        let (w, h) = (9usize, 7usize);
        let data: Vec<f32> = (0..w * h).map(|i| ((i * 37) % 23) as f32).collect();
        for shift in [[0.25, 0.5], [-1.75, 1.2], [2.0, -0.3], [0.0, 0.0]] {
            for y in 0..h {
                let mut sum = vec![0.0f32; w];
                let mut count = vec![0u32; w];
                accumulate_shifted_row(&data, w, h, y, shift, &mut sum, &mut count);
                for x in 0..w {
                    let expect =
                        sample_inside_f32(&data, w, h, x as f64 + shift[0], y as f64 + shift[1]);
                    if count[x] == 1 {
                        let e = expect.unwrap();
                        assert!(
                            (sum[x] - e).abs() < 1e-4,
                            "{shift:?} {x},{y}: {} vs {e}",
                            sum[x]
                        );
                    } else {
                        // Only the last column may be dropped (exactly on the border).
                        assert!(
                            expect.is_none() || x as f64 + shift[0] >= (w - 2) as f64,
                            "{shift:?} {x},{y}"
                        );
                    }
                }
            }
        }
    }
}

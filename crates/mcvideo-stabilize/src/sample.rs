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

/// Bilinear sample of a row-major f32 buffer; `None` when (x, y) lies outside the pixel centres.
#[inline]
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
}

//! Registration working images: downsampled, dark vessels clipped, illumination removed.
//!
//! Only the tissue background is rigid: red cells move inside the vessels and drag a
//! plain correlation along with fast venular flow. Clipping the darkest pixels to a
//! frame quantile flattens the vessel interiors (their moving cells and plasma gaps)
//! while keeping the vessel outlines; a box high-pass then removes vignetting and
//! uneven illumination, which stay fixed to the sensor and would pull shifts to zero.

use image::GrayImage;

/// A row-major f32 image at registration scale.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WorkImage {
    pub w: usize,
    pub h: usize,
    pub data: Vec<f32>,
}

impl WorkImage {
    pub fn row(&self, y: usize) -> &[f32] {
        &self.data[y * self.w..(y + 1) * self.w]
    }
}

/// Intensity below which a fraction `quantile` of the frame's pixels lie, at most 249: in a
/// saturated frame the level stops below the flat white plateau, so the vessel outlines
/// against it remain.
pub(crate) fn frame_quantile(frame: &GrayImage, quantile: f64) -> u8 {
    const BELOW_SATURATION: u8 = 249;
    let mut hist = [0usize; 256];
    for &v in frame.as_raw() {
        hist[v as usize] += 1;
    }
    let n = frame.as_raw().len();
    let target = (quantile.clamp(0.0, 1.0) * n as f64) as usize;
    let mut acc = 0usize;
    for (value, &count) in hist.iter().enumerate() {
        acc += count;
        if acc > target {
            return (value as u8).min(BELOW_SATURATION);
        }
    }
    BELOW_SATURATION
}

/// Builds the working image of one frame: clip dark pixels at the `clip_quantile`
/// intensity, box-downsample by `factor`, smooth with a 3×3 binomial kernel and
/// subtract a (2r+1)² box mean (r = `highpass_radius`).
pub(crate) fn prepare(
    frame: &GrayImage,
    factor: usize,
    clip_quantile: f64,
    highpass_radius: usize,
) -> WorkImage {
    let clip = if clip_quantile > 0.0 {
        f32::from(frame_quantile(frame, clip_quantile))
    } else {
        0.0
    };
    let (fw, fh) = (frame.width() as usize, frame.height() as usize);
    let factor = factor.max(1);
    let w = fw / factor;
    let h = fh / factor;
    let raw = frame.as_raw();
    let norm = 1.0 / (factor * factor) as f32;
    // Clipped and normalized value of each grey level: one table look-up per pixel.
    let lut: Vec<f32> = (0..=255u8).map(|v| f32::from(v).max(clip) * norm).collect();
    let mut small = vec![0.0f32; w * h];
    for (y, out_row) in small.chunks_exact_mut(w.max(1)).enumerate().take(h) {
        for dy in 0..factor {
            let src = &raw[(y * factor + dy) * fw..(y * factor + dy) * fw + w * factor];
            for (out, block) in out_row.iter_mut().zip(src.chunks_exact(factor)) {
                *out += block.iter().map(|&v| lut[v as usize]).sum::<f32>();
            }
        }
    }
    let smooth = binomial3(&small, w, h);
    let mean = box_mean(&smooth, w, h, highpass_radius);
    let data = smooth.iter().zip(&mean).map(|(a, b)| a - b).collect();
    WorkImage { w, h, data }
}

/// Separable [1 2 1]/4 smoothing with edge replication.
fn binomial3(src: &[f32], w: usize, h: usize) -> Vec<f32> {
    if w < 3 || h < 3 {
        return src.to_vec();
    }
    let mut tmp = vec![0.0f32; w * h];
    for y in 0..h {
        let r = &src[y * w..(y + 1) * w];
        let o = &mut tmp[y * w..(y + 1) * w];
        o[0] = 0.75 * r[0] + 0.25 * r[1];
        for x in 1..w - 1 {
            o[x] = 0.25 * r[x - 1] + 0.5 * r[x] + 0.25 * r[x + 1];
        }
        o[w - 1] = 0.75 * r[w - 1] + 0.25 * r[w - 2];
    }
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        let up = &tmp[y.saturating_sub(1) * w..y.saturating_sub(1) * w + w];
        let mid = &tmp[y * w..y * w + w];
        let yd = (y + 1).min(h - 1);
        let down = &tmp[yd * w..yd * w + w];
        let o = &mut out[y * w..y * w + w];
        for x in 0..w {
            o[x] = 0.25 * up[x] + 0.5 * mid[x] + 0.25 * down[x];
        }
    }
    out
}

/// Mean over the (2r+1)² box around each pixel, the box cut at the image border
/// (separable running sums, O(1) per pixel).
pub(crate) fn box_mean(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let mut tmp = vec![0.0f32; w * h];
    for (src_row, out_row) in src.chunks_exact(w).zip(tmp.chunks_exact_mut(w)) {
        running_box(src_row, out_row, r);
    }
    let mut out = vec![0.0f32; w * h];
    let mut col = vec![0.0f32; h];
    let mut col_out = vec![0.0f32; h];
    for x in 0..w {
        for (y, c) in col.iter_mut().enumerate() {
            *c = tmp[y * w + x];
        }
        running_box(&col, &mut col_out, r);
        for (y, &c) in col_out.iter().enumerate() {
            out[y * w + x] = c;
        }
    }
    out
}

/// 1-D box mean of radius r with the window cut at both ends.
fn running_box(src: &[f32], out: &mut [f32], r: usize) {
    let n = src.len();
    if n == 0 {
        return;
    }
    let mut sum: f32 = src[..(r + 1).min(n)].iter().sum();
    let mut lo = 0usize; // first index in the window
    let mut hi = (r + 1).min(n); // one past the last index
    for (i, o) in out.iter_mut().enumerate() {
        let want_lo = i.saturating_sub(r);
        let want_hi = (i + r + 1).min(n);
        while hi < want_hi {
            sum += src[hi];
            hi += 1;
        }
        while lo < want_lo {
            sum -= src[lo];
            lo += 1;
        }
        *o = sum / (hi - lo) as f32;
    }
}

/// Mean squared differences along 0°, 45°, 90° and 135° inside [x0, x1) × [y0, y1):
/// sharpness per direction. Their mean picks the reference; a drop in one direction against
/// the clip median reveals motion blur, which smears along the motion only.
pub(crate) fn directional_energy(
    img: &WorkImage,
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
) -> [f64; 4] {
    let mut sum = [0.0f64; 4];
    let mut n = 0usize;
    for y in y0.max(1)..y1.min(img.h.saturating_sub(1)) {
        let r = img.row(y);
        let up = img.row(y - 1);
        let down = img.row(y + 1);
        for x in x0.max(1)..x1.min(img.w.saturating_sub(1)) {
            let d = [
                r[x + 1] - r[x - 1],
                down[x + 1] - up[x - 1],
                down[x] - up[x],
                down[x - 1] - up[x + 1],
            ];
            for (s, v) in sum.iter_mut().zip(d) {
                *s += f64::from(v * v);
            }
            n += 1;
        }
    }
    if n > 0 {
        for s in &mut sum {
            *s /= n as f64;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_mean_matches_brute_force() {
        let (w, h, r) = (13usize, 9usize, 3usize);
        let src: Vec<f32> = (0..w * h).map(|i| ((i * 31) % 17) as f32).collect();
        let fast = box_mean(&src, w, h, r);
        for y in 0..h {
            for x in 0..w {
                let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
                let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
                let mut s = 0.0;
                for yy in y0..y1 {
                    for xx in x0..x1 {
                        s += src[yy * w + xx];
                    }
                }
                let expect = s / ((y1 - y0) * (x1 - x0)) as f32;
                assert!((fast[y * w + x] - expect).abs() < 1e-3, "{x},{y}");
            }
        }
    }

    #[test]
    fn quantile_of_a_ramp() {
        let frame = GrayImage::from_fn(16, 16, |x, y| image::Luma([(y * 16 + x) as u8]));
        assert_eq!(frame_quantile(&frame, 0.25), 64);
        assert_eq!(frame_quantile(&frame, 0.0), 0);
        assert_eq!(frame_quantile(&frame, 1.0), 249);
        assert_eq!(
            frame_quantile(&GrayImage::from_pixel(4, 4, image::Luma([255])), 0.5),
            249
        );
    }

    #[test]
    fn box_mean_of_constant_is_constant_and_highpass_is_zero() {
        let frame = GrayImage::from_pixel(20, 12, image::Luma([77]));
        let img = prepare(&frame, 2, 0.2, 3);
        assert_eq!((img.w, img.h), (10, 6));
        assert!(img.data.iter().all(|v| v.abs() < 1e-4));
    }

    #[test]
    fn dark_pixels_are_clipped_before_downsampling() {
        // Half the pixels are 0, half 200: the 0.5 quantile is 200, so everything becomes 200.
        let frame =
            GrayImage::from_fn(8, 8, |x, _| image::Luma([if x % 2 == 0 { 0 } else { 200 }]));
        assert_eq!(frame_quantile(&frame, 0.5), 200);
        let img = prepare(&frame, 1, 0.5, 2);
        assert!(img.data.iter().all(|v| v.abs() < 1e-4));
    }
}

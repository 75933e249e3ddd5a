//! Synthetic clips from mcvideo-synth turned into the detector's input and truth: the
//! temporal mean in frame-0 coordinates (frame t sampled at p + shift_t, bilinear).

use crate::evaluate::TrueVessel;
use image::GrayImage;
use mcvideo_synth::{render, SynthParams, Truth};
use mcvideo_vessels::FloatImage;

fn bilinear(frame: &GrayImage, x: f64, y: f64) -> f32 {
    let (w, h) = frame.dimensions();
    let x = x.clamp(0.0, f64::from(w - 1));
    let y = y.clamp(0.0, f64::from(h - 1));
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = ((x - f64::from(x0)) as f32, (y - f64::from(y0)) as f32);
    let p = |xx, yy| f32::from(frame.get_pixel(xx, yy)[0]);
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Temporal mean of the stabilized clip in frame-0 coordinates.
pub fn mean_image(frames: &[GrayImage], shifts: &[[f64; 2]]) -> FloatImage {
    let (w, h) = frames[0].dimensions();
    let n = frames.len() as f32;
    FloatImage::from_fn(w, h, |x, y| {
        let sum: f32 = frames
            .iter()
            .zip(shifts)
            .map(|(f, s)| bilinear(f, f64::from(x) + s[0], f64::from(y) + s[1]))
            .sum();
        image::Luma([sum / n])
    })
}

/// Temporal standard deviation of the stabilized clip around `mean`, frame-0 coordinates.
pub fn std_image(frames: &[GrayImage], shifts: &[[f64; 2]], mean: &FloatImage) -> FloatImage {
    let n = frames.len() as f32;
    FloatImage::from_fn(mean.width(), mean.height(), |x, y| {
        let m = mean.get_pixel(x, y)[0];
        let sum: f32 = frames
            .iter()
            .zip(shifts)
            .map(|(f, s)| {
                let d = bilinear(f, f64::from(x) + s[0], f64::from(y) + s[1]) - m;
                d * d
            })
            .sum();
        image::Luma([(sum / n).sqrt()])
    })
}

/// Renders a clip and returns its mean and standard deviation images and truth.
#[allow(dead_code)]
pub fn synth_mean_std(params: &SynthParams) -> (FloatImage, FloatImage, Truth) {
    let (frames, truth) = render(params).expect("valid synth parameters");
    let mean = mean_image(&frames, &truth.shifts_px);
    let std = std_image(&frames, &truth.shifts_px, &mean);
    (mean, std, truth)
}

/// Renders a clip and returns its mean image and truth.
#[allow(dead_code)]
pub fn synth_mean(params: &SynthParams) -> (FloatImage, Truth) {
    let (frames, truth) = render(params).expect("valid synth parameters");
    (mean_image(&frames, &truth.shifts_px), truth)
}

/// Truth vessels for the evaluator, diameters in px.
#[allow(dead_code)]
pub fn true_vessels(truth: &Truth) -> Vec<TrueVessel> {
    truth
        .vessels
        .iter()
        .map(|v| TrueVessel {
            centerline_px: v.centerline_px.clone(),
            diameter_px: v.diameter_um / truth.um_per_px,
        })
        .collect()
}

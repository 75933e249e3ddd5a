//! A whole synthetic scene (network, flows, cells, static layer, camera path) and the
//! rendering of one frame from it.
//!
//! Image model, per camera pixel p at frame t with camera shift s_t:
//! `I = L(p) * g_t * S(p - s_t) * exp(-A_t(p))` plus sensor noise, where L is the light
//! field (illumination, vignetting), g_t a slight flicker, S the static scene (texture
//! times lumen transmittance, sampled from the 4x layer) and A_t the absorbance of the red
//! cells drawn at their exact positions. Noise is Gaussian with a variance that grows with
//! the signal (read noise plus Poisson-like shot noise, the latter times `shot_noise`).
//! In [`Polarity::Bright`] S is the fluorescence of the scene instead (bright plasma in the
//! lumen, dark tissue; see `layer::build_layer`) and the cells' `exp(-A_t)` are their shadows.

use crate::cells::{cell_free_runs, draw_train, make_train, Canvas, Train};
use crate::flow::{assign_classes, vessel_flow, Flow};
use crate::layer::{build_layer, illumination_field, StaticLayer, SUPERSAMPLE};
use crate::motion::camera_shifts;
use crate::network::{build_network, deep_network, Segment, VesselKind};
use crate::params::{Polarity, SynthParams};
use crate::truth::visible_span;
use crate::SynthError;
use image::GrayImage;
use mcvideo_metrics::FlowClass;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Grey level of well-lit tissue at illumination 1.
const BASE_LEVEL: f64 = 180.0;
/// Read noise (grey levels, sd) and shot-noise variance per grey level, at noise 1.
const READ_NOISE: f64 = 2.0;
const SHOT_NOISE: f64 = 0.12;
/// Side of the pixel box integrated by the sensor, as a Gaussian variance (1/12 px²).
const PIXEL_VARIANCE: f64 = 1.0 / 12.0;

/// Independent random streams, so that changing one aspect keeps the others.
#[derive(Clone, Copy)]
enum Stream {
    Motion = 1,
    Network = 2,
    Flow = 3,
    Cells = 4,
    Texture = 5,
    Light = 6,
    Deep = 7,
    /// Frame t uses stream `Noise + t`.
    Noise = 1000,
}

fn stream_rng(seed: u64, stream: Stream) -> ChaCha8Rng {
    stream_rng_at(seed, stream as u64)
}

fn stream_rng_at(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Everything needed to render any frame, independently of the others.
pub(crate) struct Scene {
    pub params: SynthParams,
    pub shifts: Vec<[f64; 2]>,
    pub segments: Vec<Segment>,
    pub flows: Vec<Flow>,
    pub trains: Vec<Train>,
    /// Arc intervals of each segment that no red cell covers at any frame (`cell_free_runs`).
    pub cell_free: Vec<Vec<[f64; 2]>>,
    /// Arc span of each segment that red cells show (`visible_span`); `None`: never a cell.
    pub visible: Vec<Option<[f64; 2]>>,
    layer: StaticLayer,
    light: Vec<f32>,
    flicker: Vec<f32>,
}

impl Scene {
    /// Builds the scene of `params` (validated first).
    pub fn build(params: &SynthParams) -> Result<Scene, SynthError> {
        params.validate()?;
        let frames = params.frame_count();
        let shifts = camera_shifts(params, &mut stream_rng(params.seed, Stream::Motion));
        let blur_px = (params.blur_px.powi(2) + params.defocus_px.powi(2) + PIXEL_VARIANCE).sqrt();
        let max_shift = shifts
            .iter()
            .map(|s| s[0].abs().max(s[1].abs()))
            .fold(0.0f64, f64::max);
        let margin = (max_shift + 4.0 * blur_px).ceil() + 3.0;
        let (w, h) = (f64::from(params.width), f64::from(params.height));
        let bounds = [-margin, -margin, w + margin, h + margin];
        let segments = build_network(
            params,
            bounds,
            [0.0, 0.0, w, h],
            &mut stream_rng(params.seed, Stream::Network),
        );

        let mut flow_rng = stream_rng(params.seed, Stream::Flow);
        let capillaries = segments
            .iter()
            .filter(|s| s.kind == VesselKind::Capillary)
            .count();
        let mut classes = assign_classes(capillaries, params.flow_mix, &mut flow_rng).into_iter();
        let flows: Vec<Flow> = segments
            .iter()
            .map(|s| {
                let venule = s.kind == VesselKind::Venule;
                let class = if venule {
                    FlowClass::Continuous
                } else {
                    classes.next().unwrap_or(FlowClass::Continuous)
                };
                vessel_flow(class, venule, params, &mut flow_rng)
            })
            .collect();
        let mut cell_rng = stream_rng(params.seed, Stream::Cells);
        let trains: Vec<Train> = segments
            .iter()
            .zip(&flows)
            .map(|(s, f)| make_train(s, f, blur_px, params, &mut cell_rng))
            .collect();
        let cell_free: Vec<Vec<[f64; 2]>> = segments
            .iter()
            .zip(&trains)
            .zip(&flows)
            .map(|((s, t), f)| cell_free_runs(t, f, s.curve.length()))
            .collect();
        let visible: Vec<Option<[f64; 2]>> = segments
            .iter()
            .zip(&cell_free)
            .map(|(s, free)| visible_span(free, s.curve.length()))
            .collect();
        // Dark field draws each lumen by its absorbance; fluorescence by the light its plasma
        // sends, dimmed by the same static absorbers (packed cells darken a venule).
        let lumens: Vec<(f64, Option<[f64; 2]>)> = trains
            .iter()
            .zip(&visible)
            .map(|(t, &span)| match params.polarity {
                Polarity::Dark => (t.lumen_absorbance, span),
                Polarity::Bright => ((-t.lumen_absorbance).exp(), span),
            })
            .collect();
        let mut deep_rng = stream_rng(params.seed, Stream::Deep);
        let deep: Vec<(Segment, f64, f64)> =
            deep_network(params, bounds, [0.0, 0.0, w, h], &mut deep_rng)
                .into_iter()
                .map(|segment| {
                    let absorbance = deep_rng.gen_range(0.12..=0.3);
                    let sigma = (blur_px * blur_px + deep_rng.gen_range(9.0..=36.0)).sqrt();
                    (segment, absorbance, sigma)
                })
                .collect();
        let layer = build_layer(
            bounds,
            &segments,
            &lumens,
            blur_px,
            &deep,
            params,
            &mut stream_rng(params.seed, Stream::Texture),
        );
        let mut light_rng = stream_rng(params.seed, Stream::Light);
        let light = illumination_field(params, BASE_LEVEL, &mut light_rng);
        // Lamp flicker: a slow AR(1) wobble of about 1 %.
        let mut wobble = 0.0f64;
        let flicker = (0..frames)
            .map(|_| {
                wobble = 0.8 * wobble + 0.006 * light_rng.sample::<f64, _>(StandardNormal);
                (1.0 + wobble) as f32
            })
            .collect();
        Ok(Scene {
            params: params.clone(),
            shifts,
            segments,
            flows,
            trains,
            cell_free,
            visible,
            layer,
            light,
            flicker,
        })
    }

    /// Number of frames.
    pub fn frames(&self) -> usize {
        self.shifts.len()
    }

    /// Renders frame `t`; the result depends on nothing but the scene and `t`.
    pub fn render_frame(&self, t: usize) -> GrayImage {
        let (w, h) = (self.params.width as usize, self.params.height as usize);
        let shift = self.shifts[t];
        let mut absorb = vec![0.0f32; w * h];
        {
            let mut canvas = Canvas {
                data: &mut absorb,
                width: w,
                height: h,
            };
            for ((segment, train), flow) in self.segments.iter().zip(&self.trains).zip(&self.flows)
            {
                draw_train(segment, train, flow, t, shift, &mut canvas);
            }
        }
        // Camera pixel (u, v) sees scene point (u - dx, v - dy), i.e. layer sample
        // (u * K + cx, v * K + cy): one bilinear weight pair for the whole frame.
        let k = SUPERSAMPLE as f64;
        let cx = (-shift[0] - self.layer.x0) * k;
        let cy = (-shift[1] - self.layer.y0) * k;
        let (ix, iy) = (cx.floor(), cy.floor());
        let (fx, fy) = ((cx - ix) as f32, (cy - iy) as f32);
        let (ix, iy) = (ix as usize, iy as usize);
        let lw = self.layer.width;
        let data = &self.layer.data;
        let gain = self.flicker[t];
        let noise = self.params.noise as f32;
        let read2 = (READ_NOISE * READ_NOISE) as f32;
        let shot = (SHOT_NOISE * self.params.shot_noise) as f32;
        let mut rng = stream_rng_at(self.params.seed, Stream::Noise as u64 + t as u64);
        let mut out = vec![0u8; w * h];
        for v in 0..h {
            let r0 = &data[(v * SUPERSAMPLE + iy) * lw..];
            let r1 = &data[(v * SUPERSAMPLE + iy + 1) * lw..];
            let light = &self.light[v * w..(v + 1) * w];
            let cells = &absorb[v * w..(v + 1) * w];
            let row = &mut out[v * w..(v + 1) * w];
            for u in 0..w {
                let i = u * SUPERSAMPLE + ix;
                let top = r0[i] + fx * (r0[i + 1] - r0[i]);
                let bottom = r1[i] + fx * (r1[i + 1] - r1[i]);
                let mut value = light[u] * gain * (top + fy * (bottom - top));
                if cells[u] > 0.0 {
                    value *= (-cells[u]).exp();
                }
                if noise > 0.0 {
                    let z: f32 = StandardNormal.sample(&mut rng);
                    value += noise * (read2 + shot * value.max(0.0)).sqrt() * z;
                }
                row[u] = value.round().clamp(0.0, 255.0) as u8;
            }
        }
        GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The red cells' absorbance of frame `t`, before light, quantization and noise.
    fn cell_absorbance(scene: &Scene, t: usize) -> Vec<f32> {
        let (w, h) = (scene.params.width as usize, scene.params.height as usize);
        let mut data = vec![0.0f32; w * h];
        let mut canvas = Canvas {
            data: &mut data,
            width: w,
            height: h,
        };
        for ((segment, train), flow) in scene.segments.iter().zip(&scene.trains).zip(&scene.flows) {
            draw_train(segment, train, flow, t, scene.shifts[t], &mut canvas);
        }
        data
    }

    /// Sum and Laplacian energy of an image.
    fn sum_and_laplacian_energy(a: &[f32], w: usize, h: usize) -> (f64, f64) {
        let mut energy = 0.0f64;
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let i = y * w + x;
                let l = a[i - 1] + a[i + 1] + a[i - w] + a[i + w] - 4.0 * a[i];
                energy += f64::from(l * l);
            }
        }
        (a.iter().map(|&v| f64::from(v)).sum(), energy)
    }

    #[test]
    fn cell_blur_spreads_the_same_absorbance_with_far_less_high_frequency_energy() {
        let sharp = SynthParams {
            seed: 5,
            width: 160,
            height: 120,
            duration_s: 0.2,
            ..SynthParams::default()
        };
        let diffuse = SynthParams {
            cell_blur_px: 2.5,
            ..sharp.clone()
        };
        let faint = SynthParams {
            cell_contrast: 0.25,
            ..sharp.clone()
        };
        let (w, h) = (160, 120);
        let measure = |p: &SynthParams| {
            let scene = Scene::build(p).unwrap();
            sum_and_laplacian_energy(&cell_absorbance(&scene, 2), w, h)
        };
        let (s0, e0) = measure(&sharp);
        let (s1, e1) = measure(&diffuse);
        let (s2, e2) = measure(&faint);
        assert!(s0 > 100.0, "cell absorbance {s0}");
        // Same cells, same integrated absorbance (up to the cells the widened spots push
        // across the frame edge or into the ends' fade), much smoother.
        assert!((s1 / s0 - 1.0).abs() < 0.1, "absorbance {s0} -> {s1}");
        assert!(e1 < 0.25 * e0, "Laplacian energy {e0} -> {e1}");
        // Contrast scales the absorbance linearly.
        assert!((s2 / s0 - 0.25).abs() < 1e-3, "absorbance {s0} -> {s2}");
        assert!(
            (e2 / e0 - 0.0625).abs() < 1e-3,
            "Laplacian energy {e0} -> {e2}"
        );
    }
}

//! The static part of the scene (tissue texture times vessel-lumen transmittance, or in
//! fluorescence the glow of plasma and tissue), rendered once on a 4x supersampled grid, and
//! the illumination field fixed to the camera.
//!
//! Every component is band-limited by construction (cubic B-spline noise attenuated by the
//! optical transfer function, lumen profiles convolved with the blur), so bilinear sampling
//! of the 4x grid at any sub-pixel camera position reproduces the continuous scene to well
//! under one grey level: camera motion is rendered, not resampled from a pixel image.

use crate::network::Segment;
use crate::params::{Polarity, SynthParams};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

/// Fluorescence of the tissue relative to dye-filled plasma on a capillary axis
/// ([`Polarity::Bright`]): autofluorescence and out-of-focus dye, dark but not black.
const BRIGHT_TISSUE: f64 = 0.25;

/// Supersampling factor of the static layer.
pub(crate) const SUPERSAMPLE: usize = 4;

/// Scene transmittance times tissue texture on a supersampled grid: sample (i, j) lies at
/// scene point (x0 + i / 4, y0 + j / 4).
pub(crate) struct StaticLayer {
    pub x0: f64,
    pub y0: f64,
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

/// Texture octaves: lattice spacing (µm) and log-contrast. Several scales of tissue
/// structure, from large shading to fine granularity.
const OCTAVES: [(f64, f64); 5] = [
    (120.0, 0.10),
    (45.0, 0.09),
    (18.0, 0.07),
    (8.0, 0.06),
    (4.0, 0.045),
];

/// Cubic B-spline weights for fractional position `u` in [0, 1).
fn bspline(u: f64) -> [f64; 4] {
    let u2 = u * u;
    let u3 = u2 * u;
    [
        (1.0 - u).powi(3) / 6.0,
        (3.0 * u3 - 6.0 * u2 + 4.0) / 6.0,
        (-3.0 * u3 + 3.0 * u2 + 3.0 * u + 1.0) / 6.0,
        u3 / 6.0,
    ]
}

/// Adds one octave of B-spline lattice noise (`amp` times unit-ish variance) to `log_tex`.
fn add_octave(layer: &mut StaticLayer, spacing_px: f64, amp: f64, rng: &mut ChaCha8Rng) {
    let k = SUPERSAMPLE as f64;
    let gw = (layer.width as f64 / k / spacing_px).ceil() as usize + 4;
    let gh = (layer.height as f64 / k / spacing_px).ceil() as usize + 4;
    // B-spline smoothing leaves a variance of about 0.3 of the lattice's: scale it back.
    let scale = amp / 0.55;
    let lattice: Vec<f64> = (0..gw * gh)
        .map(|_| scale * rng.sample::<f64, _>(StandardNormal))
        .collect();
    // Lattice node i sits at scene coordinate x0 + (i - 1) * spacing.
    let taps = |n: usize| -> Vec<(usize, [f64; 4])> {
        (0..n)
            .map(|i| {
                let g = i as f64 / k / spacing_px + 1.0;
                let base = g.floor();
                ((base as usize) - 1, bspline(g - base))
            })
            .collect()
    };
    let x_taps = taps(layer.width);
    let y_taps = taps(layer.height);
    // Rows of the lattice interpolated along x.
    let mut rows = vec![0.0f64; gh * layer.width];
    rows.par_chunks_mut(layer.width)
        .enumerate()
        .for_each(|(j, row)| {
            let g = &lattice[j * gw..(j + 1) * gw];
            for (value, (i, w)) in row.iter_mut().zip(&x_taps) {
                *value = w[0] * g[*i] + w[1] * g[i + 1] + w[2] * g[i + 2] + w[3] * g[i + 3];
            }
        });
    let width = layer.width;
    layer
        .data
        .par_chunks_mut(width)
        .zip(&y_taps)
        .for_each(|(out, (j, w))| {
            let r = |m: usize| &rows[(j + m) * width..(j + m + 1) * width];
            let (r0, r1, r2, r3) = (r(0), r(1), r(2), r(3));
            for (x, value) in out.iter_mut().enumerate() {
                *value += (w[0] * r0[x] + w[1] * r1[x] + w[2] * r2[x] + w[3] * r3[x]) as f32;
            }
        });
}

/// Absorbance across a round lumen of radius `r` (chord length, 1 on the axis), convolved
/// with a Gaussian blur of `sigma`, tabulated every `STEP` px of distance from the axis.
struct LumenProfile {
    table: Vec<f32>,
    reach: f64,
}

const STEP: f64 = 0.05;

impl LumenProfile {
    fn new(r: f64, sigma: f64) -> LumenProfile {
        let reach = r + 4.0 * sigma + STEP;
        let n = (reach / STEP).ceil() as usize + 2;
        let chord = |x: f64| {
            if x.abs() < r {
                (1.0 - (x / r).powi(2)).sqrt()
            } else {
                0.0
            }
        };
        let m = ((r + 4.0 * sigma) / STEP).ceil() as i64;
        let norm = 1.0 / (sigma * (std::f64::consts::TAU).sqrt());
        let table = (0..n)
            .map(|i| {
                let d = i as f64 * STEP;
                let sum: f64 = (-m..=m)
                    .map(|j| {
                        let x = j as f64 * STEP;
                        chord(x) * norm * (-0.5 * ((d - x) / sigma).powi(2)).exp()
                    })
                    .sum();
                (sum * STEP) as f32
            })
            .collect();
        LumenProfile { table, reach }
    }

    fn at(&self, d: f64) -> f32 {
        let f = d / STEP;
        let i = f as usize;
        if i + 1 >= self.table.len() {
            return 0.0;
        }
        let u = (f - i as f64) as f32;
        self.table[i] * (1.0 - u) + self.table[i + 1] * u
    }
}

/// Distance from `p` to the segment `a`-`b`.
fn distance_to_edge(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (ex, ey) = (b[0] - a[0], b[1] - a[1]);
    let (px, py) = (p[0] - a[0], p[1] - a[1]);
    let len2 = ex * ex + ey * ey;
    let t = if len2 > 0.0 {
        ((px * ex + py * ey) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (px - t * ex).hypot(py - t * ey)
}

/// Adds the lumen absorbance of a vessel of `radius_px` along `pts` into `absorb` (maximum
/// with what is there, so branches and the pieces of one vessel join without double
/// darkening).
fn add_lumen(
    layer: &StaticLayer,
    absorb: &mut [f32],
    pts: &[[f64; 2]],
    radius_px: f64,
    lumen: f64,
    blur_px: f64,
) {
    let profile = LumenProfile::new(radius_px, blur_px.max(0.3));
    let reach = profile.reach;
    let k = SUPERSAMPLE as f64;
    let (mut xa, mut ya, mut xb, mut yb) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for p in pts {
        xa = xa.min(p[0]);
        ya = ya.min(p[1]);
        xb = xb.max(p[0]);
        yb = yb.max(p[1]);
    }
    let to_index =
        |v: f64, origin: f64, n: usize| (((v - origin) * k).floor().max(0.0) as usize).min(n - 1);
    let (ia, ib) = (
        to_index(xa - reach, layer.x0, layer.width),
        to_index(xb + reach, layer.x0, layer.width) + 1,
    );
    let (ja, jb) = (
        to_index(ya - reach, layer.y0, layer.height),
        to_index(yb + reach, layer.y0, layer.height) + 1,
    );
    let width = layer.width;
    let rows = &mut absorb[ja * width..jb.min(layer.height) * width];
    rows.par_chunks_mut(width).enumerate().for_each(|(r, row)| {
        let y = layer.y0 + (ja + r) as f64 / k;
        let mut best = vec![f64::INFINITY; ib.min(width) - ia];
        for e in pts.windows(2) {
            let (a, b) = (e[0], e[1]);
            if y < a[1].min(b[1]) - reach || y > a[1].max(b[1]) + reach {
                continue;
            }
            let lo = to_index(a[0].min(b[0]) - reach, layer.x0, width).max(ia);
            let hi = (to_index(a[0].max(b[0]) + reach, layer.x0, width) + 1).min(ib.min(width));
            for i in lo..hi {
                let x = layer.x0 + i as f64 / k;
                let d = distance_to_edge([x, y], a, b);
                let slot = &mut best[i - ia];
                if d < *slot {
                    *slot = d;
                }
            }
        }
        for (i, d) in best.iter().enumerate() {
            if *d < reach {
                let a = lumen as f32 * profile.at(*d);
                let v = &mut row[ia + i];
                if a > *v {
                    *v = a;
                }
            }
        }
    });
}

/// Renders the static layer over `bounds` (scene px): texture times lumen transmittance
/// ([`Polarity::Dark`]) or times the fluorescence of tissue and plasma ([`Polarity::Bright`]).
/// `lumens` gives each segment's lumen absorbance (dark) or plasma emission (bright, 0..1) and
/// the arc span it is drawn over (the span red cells show; none: not drawn); the deep vessels'
/// values are read the same way.
pub(crate) fn build_layer(
    bounds: [f64; 4],
    segments: &[Segment],
    lumens: &[(f64, Option<[f64; 2]>)],
    blur_px: f64,
    deep: &[(Segment, f64, f64)],
    params: &SynthParams,
    rng: &mut ChaCha8Rng,
) -> StaticLayer {
    let k = SUPERSAMPLE as f64;
    let width = ((bounds[2] - bounds[0]) * k).ceil() as usize + 1;
    let height = ((bounds[3] - bounds[1]) * k).ceil() as usize + 1;
    let mut layer = StaticLayer {
        x0: bounds[0],
        y0: bounds[1],
        width,
        height,
        data: vec![0.0; width * height],
    };
    for (spacing_um, contrast) in OCTAVES {
        let spacing_px = spacing_um / params.um_per_px;
        if spacing_px < 1.5 {
            continue; // finer than the sensor resolves
        }
        // Optical transfer at the octave's main frequency (about half a cycle per node).
        let f = 0.5 / spacing_px;
        let mtf = (-2.0 * std::f64::consts::PI.powi(2) * blur_px * blur_px * f * f).exp();
        add_octave(&mut layer, spacing_px, contrast * params.texture * mtf, rng);
    }
    let mut absorb = vec![0.0f32; width * height];
    for (segment, &(lumen, span)) in segments.iter().zip(lumens) {
        if let Some([from, to]) = span {
            let pts = segment.curve.sub_points(from, to);
            add_lumen(&layer, &mut absorb, &pts, segment.radius_px, lumen, blur_px);
        }
    }
    // Deep vessels: (segment, absorbance, blur sigma).
    for (segment, lumen, blur) in deep {
        let pts = &segment.curve.points;
        add_lumen(&layer, &mut absorb, pts, segment.radius_px, *lumen, *blur);
    }
    match params.polarity {
        Polarity::Dark => layer
            .data
            .par_iter_mut()
            .zip(absorb.par_iter())
            .for_each(|(v, a)| *v = (*v - a).exp()),
        // `absorb` holds the plasma's emission here (1 on the axis of a capillary): the tissue
        // glows at BRIGHT_TISSUE of the plasma, the texture modulates both.
        Polarity::Bright => {
            let tissue = BRIGHT_TISSUE as f32;
            layer
                .data
                .par_iter_mut()
                .zip(absorb.par_iter())
                .for_each(|(v, e)| *v = v.exp() * (tissue + (1.0 - tissue) * e.min(1.0)))
        }
    }
    layer
}

/// Light reaching each camera pixel (grey levels before the scene's transmittance): base
/// level times source gain, a smooth uneven-illumination pattern and vignetting. It is fixed
/// to the camera, so it does not move with the scene.
pub(crate) fn illumination_field(
    params: &SynthParams,
    base_level: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<f32> {
    let (w, h) = (params.width as usize, params.height as usize);
    let c: [f64; 4] = std::array::from_fn(|_| rng.gen_range(-1.0..=1.0));
    let blob = [rng.gen_range(-0.7..=0.7), rng.gen_range(-0.7..=0.7)];
    let pattern = |x: f64, y: f64| {
        c[0] * x
            + c[1] * y
            + 0.5 * c[2] * x * y
            + c[3] * (-((x - blob[0]).powi(2) + (y - blob[1]).powi(2)) / 0.4).exp()
    };
    let norm = [
        (-1.0, -1.0),
        (1.0, -1.0),
        (-1.0, 1.0),
        (1.0, 1.0),
        (blob[0], blob[1]),
        (0.0, 0.0),
    ]
    .iter()
    .map(|&(x, y)| pattern(x, y).abs())
    .fold(1e-9f64, f64::max);
    let half = [0.5 * w as f64, 0.5 * h as f64];
    let corner = half[0].hypot(half[1]);
    let mut field = vec![0.0f32; w * h];
    field.par_chunks_mut(w).enumerate().for_each(|(v, row)| {
        let y = (v as f64 + 0.5 - half[1]) / half[1];
        for (u, value) in row.iter_mut().enumerate() {
            let x = (u as f64 + 0.5 - half[0]) / half[0];
            let rho = (u as f64 + 0.5 - half[0]).hypot(v as f64 + 0.5 - half[1]) / corner;
            let uneven = 1.0 + params.uneven_illumination * pattern(x, y) / norm;
            let vignette = 1.0 - params.vignetting * rho.powf(2.5);
            *value = (base_level * params.illumination * uneven * vignette).max(0.0) as f32;
        }
    });
    field
}

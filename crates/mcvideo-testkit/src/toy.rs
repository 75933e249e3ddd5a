//! A small renderer of dark red cells moving along vessels on a bright background, with
//! known speeds, stops, noise and camera motion: ground truth by construction for the tests,
//! doc examples and benches of `mcvideo-flow` (the full generator is `mcvideo-synth`).

use image::GrayImage;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Normal};

/// One vessel of a toy clip.
#[derive(Debug, Clone, PartialEq)]
pub struct ToyVessel {
    /// Centerline in scene (= frame-0) pixels; the vessel continues straight beyond its ends.
    pub centerline_px: Vec<[f64; 2]>,
    pub diameter_px: f64,
    /// Displacement per frame along the centerline while moving, px/frame (sign = direction).
    pub speed_px_per_frame: f64,
    /// Per frame: whether the cells move during the step from this frame to the next. Empty
    /// means always.
    pub moving: Vec<bool>,
    /// Mean distance between cell centres along the vessel, px.
    pub mean_cell_gap_px: f64,
}

impl ToyVessel {
    /// Share of the frame steps during which the cells move.
    pub fn flowing_fraction(&self, frames: usize) -> f64 {
        if self.moving.is_empty() || frames < 2 {
            return 1.0;
        }
        let steps = frames - 1;
        let moving = (0..steps)
            .filter(|&t| self.moving.get(t).copied().unwrap_or(true))
            .count();
        moving as f64 / steps as f64
    }
}

/// A toy clip: size, length, noise, camera motion and vessels.
#[derive(Debug, Clone, PartialEq)]
pub struct ToyClip {
    pub width: u32,
    pub height: u32,
    pub frames: usize,
    /// Standard deviation of the per-pixel Gaussian noise, grey levels.
    pub noise_sd: f64,
    /// Darkness of a red cell at its centre, grey levels.
    pub cell_contrast: f64,
    /// Amplitude of the (sinusoidal) camera motion, px.
    pub motion_px: f64,
    pub seed: u64,
    pub vessels: Vec<ToyVessel>,
}

impl ToyClip {
    /// 160×60, 50 frames, one straight horizontal 80-px capillary (6 px wide) at the given
    /// speed, noise 4 and 2 px of camera motion.
    pub fn straight(speed_px_per_frame: f64) -> ToyClip {
        ToyClip {
            width: 160,
            height: 60,
            frames: 50,
            noise_sd: 4.0,
            cell_contrast: 60.0,
            motion_px: 2.0,
            seed: 1,
            vessels: vec![ToyVessel {
                centerline_px: vec![[40.0, 30.0], [120.0, 30.0]],
                diameter_px: 6.0,
                speed_px_per_frame,
                moving: Vec::new(),
                mean_cell_gap_px: 12.0,
            }],
        }
    }
}

/// The camera shift of frame t (SPEC convention; frame 0 has none).
fn shift_at(t: usize, amplitude: f64) -> [f64; 2] {
    let phase = t as f64 * std::f64::consts::TAU / 40.0;
    [amplitude * phase.sin(), amplitude * (0.7 * phase).sin()]
}

/// Arc-length parametrisation of a polyline, extended straight beyond both ends.
struct Arc {
    points: Vec<[f64; 2]>,
    cumulative: Vec<f64>,
}

impl Arc {
    fn new(points: &[[f64; 2]]) -> Arc {
        let mut cumulative = vec![0.0];
        for w in points.windows(2) {
            let last = cumulative.last().copied().unwrap_or(0.0);
            cumulative.push(last + (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]));
        }
        Arc {
            points: points.to_vec(),
            cumulative,
        }
    }

    fn length(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    fn point(&self, s: f64) -> [f64; 2] {
        let n = self.points.len();
        if n < 2 {
            return self.points.first().copied().unwrap_or([0.0, 0.0]);
        }
        // Segment index: the first whose end is beyond s, clamped to the end segments so that
        // s outside [0, length] extrapolates along them.
        let i = self.cumulative[1..n - 1]
            .iter()
            .position(|&c| c > s)
            .unwrap_or(n - 2);
        let (a, b) = (self.points[i], self.points[i + 1]);
        let seg = self.cumulative[i + 1] - self.cumulative[i];
        let f = if seg > 0.0 {
            (s - self.cumulative[i]) / seg
        } else {
            0.0
        };
        [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]
    }
}

/// Adds `amplitude · exp(-r² / 2σ²)` around `centre` into a float image.
fn splat(
    buf: &mut [f32],
    width: usize,
    height: usize,
    centre: [f64; 2],
    sigma: f64,
    amplitude: f64,
) {
    let reach = (3.0 * sigma).ceil() as i64;
    let (cx, cy) = (centre[0].round() as i64, centre[1].round() as i64);
    let inv = 1.0 / (2.0 * sigma * sigma);
    for y in (cy - reach).max(0)..=(cy + reach).min(height as i64 - 1) {
        for x in (cx - reach).max(0)..=(cx + reach).min(width as i64 - 1) {
            let r2 = (x as f64 - centre[0]).powi(2) + (y as f64 - centre[1]).powi(2);
            buf[y as usize * width + x as usize] += (amplitude * (-r2 * inv).exp()) as f32;
        }
    }
}

/// Renders the clip: the frames and their camera shifts.
pub fn render(clip: &ToyClip) -> (Vec<GrayImage>, Vec<[f64; 2]>) {
    let mut rng = ChaCha8Rng::seed_from_u64(clip.seed);
    let (w, h) = (clip.width as usize, clip.height as usize);
    let margin = 20.0;
    struct Prepared {
        arc: Arc,
        cells: Vec<f64>,
        period: f64,
        displacement: Vec<f64>,
        sigma_cell: f64,
        sigma_lumen: f64,
    }
    let prepared: Vec<Prepared> = clip
        .vessels
        .iter()
        .map(|v| {
            let arc = Arc::new(&v.centerline_px);
            // Cells fill the whole stretch that passes through the view during the clip, so
            // the train never repeats.
            let travel = v.speed_px_per_frame.abs() * clip.frames as f64;
            let period = arc.length() + 2.0 * margin + travel;
            let min_gap = 0.8 * v.diameter_px;
            let extra_mean = (v.mean_cell_gap_px - min_gap).max(0.5);
            let extra = Exp::new(1.0 / extra_mean).ok();
            let mut cells = Vec::new();
            let mut s = rng.gen_range(0.0..v.mean_cell_gap_px.max(1.0));
            while s < period {
                cells.push(s);
                s += min_gap + extra.map_or(extra_mean, |e| e.sample(&mut rng));
            }
            let mut displacement = Vec::with_capacity(clip.frames);
            let mut d = 0.0;
            for t in 0..clip.frames {
                displacement.push(d);
                if v.moving.get(t).copied().unwrap_or(true) {
                    d += v.speed_px_per_frame;
                }
            }
            Prepared {
                arc,
                cells,
                period,
                displacement,
                sigma_cell: v.diameter_px / 3.0,
                sigma_lumen: v.diameter_px / 2.5,
            }
        })
        .collect();
    let noise = Normal::new(0.0, clip.noise_sd.max(0.0)).ok();
    let mut frames = Vec::with_capacity(clip.frames);
    let mut shifts = Vec::with_capacity(clip.frames);
    let mut buf = vec![0.0f32; w * h];
    for t in 0..clip.frames {
        let shift = shift_at(t, clip.motion_px);
        for (i, v) in buf.iter_mut().enumerate() {
            let (x, y) = ((i % w) as f64, (i / w) as f64);
            *v = (175.0 - 0.1 * (x - w as f64 / 2.0).abs() - 0.05 * y) as f32;
        }
        for p in &prepared {
            let at = |s: f64| {
                let q = p.arc.point(s);
                [q[0] + shift[0], q[1] + shift[1]]
            };
            let mut s = -margin;
            while s <= p.arc.length() + margin {
                splat(&mut buf, w, h, at(s), p.sigma_lumen, -6.0);
                s += 1.0;
            }
            for &c in &p.cells {
                let s = (c + p.displacement[t]).rem_euclid(p.period) - margin;
                splat(&mut buf, w, h, at(s), p.sigma_cell, -clip.cell_contrast);
            }
        }
        let frame = GrayImage::from_fn(clip.width, clip.height, |x, y| {
            let n = noise.map_or(0.0, |d| d.sample(&mut rng));
            let v = buf[y as usize * w + x as usize] as f64 + n;
            image::Luma([v.round().clamp(0.0, 255.0) as u8])
        });
        frames.push(frame);
        shifts.push(shift);
    }
    (frames, shifts)
}

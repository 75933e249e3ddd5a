//! Camera motion: per-frame sub-pixel shifts (drift, random walk, tremor, jumps) and the
//! part of frame 0 that stays in view.
//!
//! Shift convention of SPEC.md: `shifts[t] = [dx, dy]` means the scene point at (x, y) of
//! frame 0 lies at (x + dx, y + dy) in frame t, so `shifts[0] = [0, 0]`.

use crate::params::SynthParams;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Drift speed bound (px/s) at motion 1: a steady hand still creeps a little.
const DRIFT_PX_PER_S: f64 = 0.6;
/// Random-walk diffusion (px per sqrt(s)) at motion 1.
const WALK_PX_PER_SQRT_S: f64 = 0.35;
/// Amplitude (px) of each of the two tremor components at motion 1.
const TREMOR_PX: f64 = 0.2;

/// The per-frame shifts of the whole scene, `shifts[0] = [0, 0]`.
pub(crate) fn camera_shifts(params: &SynthParams, rng: &mut ChaCha8Rng) -> Vec<[f64; 2]> {
    let frames = params.frame_count();
    let dt = 1.0 / params.fps;
    let m = params.motion;
    let limit = 0.3 * f64::from(params.width.min(params.height));
    let mut axes = [vec![0.0; frames], vec![0.0; frames]];
    for axis in axes.iter_mut() {
        let drift = rng.gen_range(-1.0..=1.0) * DRIFT_PX_PER_S * m;
        let tremor: Vec<(f64, f64, f64)> = (0..2)
            .map(|_| {
                let hz = rng.gen_range(params.tremor_hz[0]..=params.tremor_hz[1]);
                let amp = TREMOR_PX * m * rng.gen_range(0.5..=1.5);
                let phase = rng.gen_range(0.0..std::f64::consts::TAU);
                (hz, amp, phase)
            })
            .collect();
        let mut walk = 0.0;
        for (t, value) in axis.iter_mut().enumerate() {
            if t > 0 {
                let z: f64 = StandardNormal.sample(rng);
                walk += drift * dt + WALK_PX_PER_SQRT_S * m * dt.sqrt() * z;
            }
            let time = t as f64 * dt;
            let shake: f64 = tremor
                .iter()
                .map(|(hz, amp, phase)| amp * (std::f64::consts::TAU * hz * time + phase).sin())
                .sum();
            *value = walk + shake;
        }
    }
    // Jumps: the probe slips and the field moves by jump_px within one frame, then stays.
    for _ in 0..params.jumps {
        if frames < 2 {
            break;
        }
        let at = rng.gen_range(1..frames);
        let angle = rng.gen_range(0.0..std::f64::consts::TAU);
        let size = params.jump_px * rng.gen_range(0.6..=1.4);
        let step = [size * angle.cos(), size * angle.sin()];
        for (axis, delta) in axes.iter_mut().zip(step) {
            axis[at..].iter_mut().for_each(|v| *v += delta);
        }
    }
    let (x0, y0) = (axes[0][0], axes[1][0]);
    (0..frames)
        .map(|t| {
            let dx = (axes[0][t] - x0).clamp(-limit, limit);
            let dy = (axes[1][t] - y0).clamp(-limit, limit);
            [dx, dy]
        })
        .collect()
}

/// The part of frame 0 (`[x0, y0, x1, y1]`, pixel-edge coordinates: a still clip gives
/// `[0, 0, width, height]`) that is in view in every frame.
///
/// ```
/// use mcvideo_synth::valid_region;
/// let shifts = [[0.0, 0.0], [2.5, -1.0], [-0.5, 0.0]];
/// assert_eq!(valid_region(&shifts, 100, 80), [0.5, 1.0, 97.5, 80.0]);
/// ```
pub fn valid_region(shifts: &[[f64; 2]], width: u32, height: u32) -> [f64; 4] {
    // Frame t shows the frame-0 points x in [-dx, width - dx].
    let max = |axis: usize| shifts.iter().map(|s| s[axis]).fold(0.0f64, f64::max);
    let min = |axis: usize| shifts.iter().map(|s| s[axis]).fold(0.0f64, f64::min);
    [
        0.0 - min(0),
        0.0 - min(1),
        f64::from(width) - max(0),
        f64::from(height) - max(1),
    ]
}

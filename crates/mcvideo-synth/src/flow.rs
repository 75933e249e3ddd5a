//! Red-cell velocity over time per vessel and the flow class it implies.
//!
//! Classes follow the second consensus (Ince C et al. Intensive Care Med 2018;44:281-299)
//! through `mcvideo_metrics::classify_flow`: 3 continuous, 2 sluggish, 1 intermittent (no
//! flow at least half of the time), 0 no flow (cells present but static).

use crate::params::SynthParams;
use mcvideo_metrics::FlowClass;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The motion of the cells of one vessel segment.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    /// Cumulative displacement (px) of the cells along the flow direction at each frame;
    /// `displacement_px[0] = 0`, never decreasing.
    pub displacement_px: Vec<f64>,
    /// +1: cells move towards the end of the centerline; -1: towards its start.
    pub direction: f64,
    /// Mean speed over the intervals with motion (µm/s), `None` when the cells never move.
    pub velocity_um_s: Option<f64>,
    /// Share of frame intervals with moving cells.
    pub flowing_fraction: f64,
    /// Consensus class from `flowing_fraction` and `velocity_um_s`.
    pub flow_class: FlowClass,
}

/// Exactly `round(share * n)` vessels per class (largest remainder), in random order.
///
/// ```
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let classes = mcvideo_synth::assign_classes(10, [0.1, 0.1, 0.2, 0.6], &mut rng);
/// let count = |c| classes.iter().filter(|&&k| k == c).count();
/// assert_eq!(mcvideo_metrics::FlowClass::ALL.map(count), [1, 1, 2, 6]);
/// ```
pub fn assign_classes(n: usize, mix: [f64; 4], rng: &mut ChaCha8Rng) -> Vec<FlowClass> {
    let total: f64 = mix.iter().sum();
    if n == 0 || total <= 0.0 {
        return Vec::new();
    }
    let exact: Vec<f64> = mix.iter().map(|m| m / total * n as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..4).collect();
    // Largest remainders first; ties go to the faster class.
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(b.cmp(&a))
    });
    let mut missing = n - counts.iter().sum::<usize>();
    for &class in order.iter().cycle() {
        if missing == 0 {
            break;
        }
        counts[class] += 1;
        missing -= 1;
    }
    let mut classes: Vec<FlowClass> = counts
        .iter()
        .zip(FlowClass::ALL)
        .flat_map(|(&k, c)| vec![c; k])
        .collect();
    classes.shuffle(rng);
    classes
}

/// Speed (µm/s) for each of the `frames - 1` frame intervals of a vessel meant to be of
/// class `class`; venules always flow fast.
fn interval_speeds(
    class: FlowClass,
    venule: bool,
    params: &SynthParams,
    rng: &mut ChaCha8Rng,
) -> Vec<f64> {
    let frames = params.frame_count();
    let n = frames.saturating_sub(1);
    let dt = 1.0 / params.fps;
    let pick = |rng: &mut ChaCha8Rng, [lo, hi]: [f64; 2]| {
        if hi > lo {
            rng.gen_range(lo..=hi)
        } else {
            lo
        }
    };
    // A smooth periodic modulation (cardiac pulsatility, slow fluctuations), mean ~1.
    let modulated = |rng: &mut ChaCha8Rng, v0: f64, amp: f64, hz: [f64; 2]| {
        let f = rng.gen_range(hz[0]..=hz[1]);
        let phase = rng.gen_range(0.0..std::f64::consts::TAU);
        (0..n)
            .map(|k| {
                v0 * (1.0 + amp * (std::f64::consts::TAU * f * (k as f64 + 0.5) * dt + phase).sin())
            })
            .collect::<Vec<f64>>()
    };
    if venule {
        let v0 = pick(rng, params.venule_um_s);
        let amp = rng.gen_range(0.05..=0.2);
        return modulated(rng, v0, amp, [0.8, 1.6]);
    }
    match class {
        FlowClass::Continuous => {
            let v0 = pick(rng, params.continuous_um_s);
            let amp = rng.gen_range(0.05..=0.25);
            modulated(rng, v0, amp, [0.8, 1.6])
        }
        FlowClass::Sluggish => {
            let v0 = pick(rng, params.sluggish_um_s);
            let amp = rng.gen_range(0.1..=0.5);
            modulated(rng, v0, amp, [0.2, 1.0])
        }
        FlowClass::Intermittent => {
            // Stop-and-go: a few moving episodes covering at most half of the intervals.
            let share = pick(rng, params.intermittent_flowing_fraction);
            let v0 = pick(rng, params.intermittent_um_s);
            let mut speeds = vec![0.0; n];
            if n / 2 == 0 {
                // Too short a clip to stop half of the time and still move.
                return speeds;
            }
            let moving = ((share * n as f64).round() as usize).clamp(1, n / 2);
            let episodes = rng.gen_range(1..=3usize).min(moving);
            // Episode lengths summing to `moving`, placed in order with random stops between.
            let mut lengths = vec![moving / episodes; episodes];
            for l in lengths.iter_mut().take(moving % episodes) {
                *l += 1;
            }
            // The stopped intervals spread over the gaps before, between and after episodes.
            let stops = n - moving;
            let weights: Vec<f64> = (0..=episodes).map(|_| rng.gen_range(0.1..1.0)).collect();
            let weight_sum: f64 = weights.iter().sum();
            let mut gaps: Vec<usize> = weights
                .iter()
                .map(|w| (w / weight_sum * stops as f64).floor() as usize)
                .collect();
            let used: usize = gaps.iter().sum();
            gaps[episodes] += stops - used;
            let mut at = 0;
            for (k, &len) in lengths.iter().enumerate() {
                at += gaps[k];
                let speed = v0 * rng.gen_range(0.7..=1.3);
                for s in speeds.iter_mut().skip(at).take(len) {
                    *s = speed;
                }
                at += len;
            }
            speeds
        }
        FlowClass::NoFlow => vec![0.0; n],
    }
}

/// The flow of one vessel segment.
pub(crate) fn vessel_flow(
    class: FlowClass,
    venule: bool,
    params: &SynthParams,
    rng: &mut ChaCha8Rng,
) -> Flow {
    let speeds = interval_speeds(class, venule, params, rng);
    let direction = if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
    let px_per_frame = 1.0 / (params.fps * params.um_per_px);
    let mut displacement_px = Vec::with_capacity(speeds.len() + 1);
    displacement_px.push(0.0);
    let mut x = 0.0;
    for &v in &speeds {
        x += v * px_per_frame;
        displacement_px.push(x);
    }
    let moving: Vec<f64> = speeds.iter().copied().filter(|&v| v > 0.0).collect();
    let flowing_fraction = if speeds.is_empty() {
        0.0
    } else {
        moving.len() as f64 / speeds.len() as f64
    };
    let velocity_um_s =
        (!moving.is_empty()).then(|| moving.iter().sum::<f64>() / moving.len() as f64);
    let flow_class =
        mcvideo_metrics::classify_flow(flowing_fraction, velocity_um_s, &params.flow_rule);
    Flow {
        displacement_px,
        direction,
        velocity_um_s,
        flowing_fraction,
        flow_class,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn each_class_gets_the_flow_it_asks_for() {
        let params = SynthParams {
            duration_s: 4.0,
            ..SynthParams::default()
        };
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for class in FlowClass::ALL {
                let f = vessel_flow(class, false, &params, &mut rng);
                assert_eq!(f.flow_class, class, "seed {seed}");
                assert_eq!(f.displacement_px.len(), 100);
                assert!(f.displacement_px.windows(2).all(|w| w[1] >= w[0]));
                match class {
                    FlowClass::NoFlow => {
                        assert_eq!((f.flowing_fraction, f.velocity_um_s), (0.0, None))
                    }
                    FlowClass::Intermittent => {
                        assert!(f.flowing_fraction > 0.0 && f.flowing_fraction <= 0.5)
                    }
                    FlowClass::Sluggish => {
                        assert!(f.velocity_um_s.unwrap() < 300.0 && f.flowing_fraction == 1.0)
                    }
                    FlowClass::Continuous => {
                        assert!(f.velocity_um_s.unwrap() >= 300.0 && f.flowing_fraction == 1.0)
                    }
                }
            }
        }
    }
}

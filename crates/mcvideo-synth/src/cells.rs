//! Red cells: their trains along each vessel and their drawing, as blurred anisotropic
//! Gaussian absorbers at exact sub-pixel positions, into a frame.
//!
//! Capillaries carry single-file cells (deformed to the lumen, so slightly elongated)
//! separated by plasma gaps drawn from a gamma distribution (line haematocrit varies per
//! vessel). Venules carry densely packed cells across the lumen with a blunted velocity
//! profile, which shows as a dark lumen with moving texture.

use crate::flow::Flow;
use crate::network::{Segment, VesselKind};
use crate::params::SynthParams;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma};

/// Share of a frame interval the shutter is open: fast cells smear a little along the vessel.
const EXPOSURE: f64 = 0.15;

/// One red cell.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// Arc position along the centerline at frame 0 (px).
    pub s0: f64,
    /// Offset across the vessel (px, along the left normal).
    pub lateral: f64,
    /// Speed relative to the centreline speed (velocity profile).
    pub k: f64,
    /// Peak absorbance after blur.
    pub amp: f64,
    /// Gaussian sigmas along and across the vessel after blur (px).
    pub sigma_along: f64,
    pub sigma_across: f64,
}

/// The cells of one vessel segment, sorted by `s0`.
#[derive(Debug, Clone)]
pub(crate) struct Train {
    pub cells: Vec<Cell>,
    /// Smallest `k` of the train.
    pub k_min: f64,
    /// Typical cell length along the vessel (px), for fading at the ends.
    pub cell_len_px: f64,
    /// Static absorbance of the lumen (plasma, wall, out-of-focus cells) on the centreline.
    pub lumen_absorbance: f64,
    /// Line haematocrit (capillaries) or packing (venules).
    pub haematocrit: f64,
}

/// Builds the cells of a segment, enough to fill it during the whole clip.
pub(crate) fn make_train(
    segment: &Segment,
    flow: &Flow,
    blur_px: f64,
    params: &SynthParams,
    rng: &mut ChaCha8Rng,
) -> Train {
    let um = params.um_per_px;
    let length = segment.curve.length();
    let travel = flow.displacement_px.last().copied().unwrap_or(0.0);
    // The cells' own extra blur adds in quadrature (0 by default: exactly the optical blur).
    let blur2 = blur_px * blur_px + params.cell_blur_px * params.cell_blur_px;
    let contrast = params.cell_contrast;
    let diameter_um = 2.0 * segment.radius_px * um;
    // Sigma of a Gaussian whose full width at half maximum is `size`.
    let sigma_of = |size: f64| size / 2.3548;
    // Blur keeps the integrated absorbance: the peak falls as the spot widens.
    let blurred = |along: f64, across: f64, amp: f64| {
        let (sa, sc) = (sigma_of(along), sigma_of(across));
        let (ba, bc) = ((sa * sa + blur2).sqrt(), (sc * sc + blur2).sqrt());
        (amp * sa * sc / (ba * bc) * contrast, ba, bc)
    };
    let mut cells = Vec::new();
    let (k_min, cell_len_px, lumen_absorbance, haematocrit);
    match segment.kind {
        VesselKind::Capillary => {
            let h = rng.gen_range(params.haematocrit[0]..=params.haematocrit[1]);
            // Cells squeeze into narrow capillaries and lengthen.
            let width_um = (0.85 * params.cell_um).min(0.9 * diameter_um);
            let along_um = params.cell_um * (params.cell_um / width_um).sqrt().min(1.6);
            let along_px = along_um / um;
            let width_px = width_um / um;
            let mean_gap = along_px * (1.0 / h - 1.0);
            let gap_dist = Gamma::new(1.6, mean_gap / 1.6).ok();
            let base_amp = 0.85 * (width_um / 6.0).sqrt().clamp(0.7, 1.2);
            let (lo, hi) = span(length, travel, flow.direction, along_px);
            let mut s = lo - rng.gen_range(0.0..=(mean_gap + along_px));
            while s <= hi {
                let stretch = rng.gen_range(0.85..=1.2);
                let (amp, sa, sc) = blurred(
                    along_px * stretch,
                    width_px * rng.gen_range(0.9..=1.05),
                    base_amp * rng.gen_range(0.55..=1.35),
                );
                cells.push(Cell {
                    s0: s,
                    lateral: 0.08 * segment.radius_px * rng.gen_range(-1.0..=1.0),
                    k: 1.0,
                    amp,
                    sigma_along: sa,
                    sigma_across: sc,
                });
                // Occasionally a long plasma gap (cells travel in clusters).
                let gap = gap_dist.as_ref().map_or(mean_gap, |g| g.sample(rng));
                let gap = if rng.gen_bool(0.06) { gap * 4.0 } else { gap };
                s += along_px * stretch + gap.max(0.3 / um);
            }
            k_min = 1.0;
            cell_len_px = along_px;
            lumen_absorbance = rng.gen_range(0.05..=0.12) * (diameter_um / 6.0).sqrt();
            haematocrit = h;
        }
        VesselKind::Venule => {
            let h = rng.gen_range(0.3..=0.45);
            let cells_per_px = 1.5 * h * diameter_um / (params.cell_um * params.cell_um) * um;
            let radius = segment.radius_px;
            let profile = 0.35;
            let (lo, hi) = span(length, travel, flow.direction, params.cell_um / um);
            let mut s = lo;
            while s <= hi {
                let lateral = rng.gen_range(-0.85..=0.85) * radius;
                let along = params.cell_um / um * rng.gen_range(0.9..=1.3);
                let across = params.cell_um / um * rng.gen_range(0.7..=1.0);
                let (amp, sa, sc) = blurred(along, across, rng.gen_range(0.2..=0.45));
                cells.push(Cell {
                    s0: s,
                    lateral,
                    k: 1.0 - profile * (lateral / radius).powi(2),
                    amp,
                    sigma_along: sa,
                    sigma_across: sc,
                });
                s += -rng.gen_range(1e-6f64..1.0).ln() / cells_per_px;
            }
            k_min = 1.0 - profile;
            cell_len_px = params.cell_um / um;
            lumen_absorbance = rng.gen_range(0.3..=0.5);
            haematocrit = h;
        }
    }
    Train {
        cells,
        k_min,
        cell_len_px,
        lumen_absorbance,
        haematocrit,
    }
}

/// Arc intervals `[from, to]` of `[0, length]` that no red cell of `train` covers at any frame
/// of `flow`: plasma-only stretches, which show only the faint lumen absorbance. A cell covers
/// the span it travels over the clip, widened by half its blurred full width at half maximum
/// along the vessel (displacement never decreases, so frame 0 and the last frame bound it).
pub(crate) fn cell_free_runs(train: &Train, flow: &Flow, length: f64) -> Vec<[f64; 2]> {
    // Half width at half maximum of a Gaussian: sigma * sqrt(2 ln 2).
    const HALF_MAXIMUM: f64 = 1.177_410_022_515_474_6;
    let travel = flow.displacement_px.last().copied().unwrap_or(0.0);
    let mut covered: Vec<[f64; 2]> = train
        .cells
        .iter()
        .map(|c| {
            let end = c.s0 + flow.direction * c.k * travel;
            let half = HALF_MAXIMUM * c.sigma_along;
            [c.s0.min(end) - half, c.s0.max(end) + half]
        })
        .filter(|span| span[1] > 0.0 && span[0] < length)
        .collect();
    covered.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let mut free = Vec::new();
    let mut reached = 0.0f64;
    for span in covered {
        if span[0] > reached {
            free.push([reached, span[0]]);
        }
        reached = reached.max(span[1]);
        if reached >= length {
            break;
        }
    }
    if reached < length {
        free.push([reached, length]);
    }
    free
}

/// Range of frame-0 arc positions whose cells are inside `[0, length]` at some frame,
/// padded by `pad`: a cell at `s0` is at `s0 + direction * k * X` with `0 <= X <= travel`.
fn span(length: f64, travel: f64, direction: f64, pad: f64) -> (f64, f64) {
    if direction > 0.0 {
        (-travel - pad, length + pad)
    } else {
        (-pad, length + travel + pad)
    }
}

/// A frame's absorbance buffer being drawn into.
pub(crate) struct Canvas<'a> {
    pub data: &'a mut [f32],
    pub width: usize,
    pub height: usize,
}

/// Smooth 0..1 ramp.
fn smoothstep(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// Draws the cells of one segment at frame `t` (camera shift `shift`) into `canvas`.
pub(crate) fn draw_train(
    segment: &Segment,
    train: &Train,
    flow: &Flow,
    t: usize,
    shift: [f64; 2],
    canvas: &mut Canvas,
) {
    let length = segment.curve.length();
    let disp = &flow.displacement_px;
    let travel = disp[t];
    let d = flow.direction;
    // Speed around frame t (px/frame) for the motion smear.
    let last = disp.len() - 1;
    let (a, b) = (t.saturating_sub(1), (t + 1).min(last));
    let speed = if b > a {
        (disp[b] - disp[a]) / (b - a) as f64
    } else {
        0.0
    };
    let smear2 = (speed * EXPOSURE).powi(2) / 12.0;
    let (lo, hi) = if d > 0.0 {
        (-travel, length - train.k_min * travel)
    } else {
        (train.k_min * travel, length + travel)
    };
    let first = train.cells.partition_point(|c| c.s0 < lo - 1.0);
    let fade = [
        if segment.free_ends[0] {
            train.cell_len_px
        } else {
            0.3 * train.cell_len_px
        },
        if segment.free_ends[1] {
            train.cell_len_px
        } else {
            0.3 * train.cell_len_px
        },
    ];
    for cell in train.cells[first..].iter().take_while(|c| c.s0 <= hi + 1.0) {
        let s = cell.s0 + d * cell.k * travel;
        if !(0.0..=length).contains(&s) {
            continue;
        }
        let weight = smoothstep(s / fade[0]) * smoothstep((length - s) / fade[1]);
        if weight <= 0.0 {
            continue;
        }
        let (p, tangent) = segment.curve.at(s);
        let normal = [-tangent[1], tangent[0]];
        let centre = [
            p[0] + normal[0] * cell.lateral + shift[0],
            p[1] + normal[1] * cell.lateral + shift[1],
        ];
        let k_smear = smear2 * cell.k * cell.k;
        let sigma_along = (cell.sigma_along * cell.sigma_along + k_smear).sqrt();
        let amp = cell.amp * weight * cell.sigma_along / sigma_along;
        splat(canvas, centre, tangent, sigma_along, cell.sigma_across, amp);
    }
}

/// Adds `amp * exp(-(a²/2σa² + c²/2σc²))` around `centre`, with `a` along `tangent`.
fn splat(
    canvas: &mut Canvas,
    centre: [f64; 2],
    tangent: [f64; 2],
    sigma_along: f64,
    sigma_across: f64,
    amp: f64,
) {
    let reach = 3.2 * sigma_along.max(sigma_across);
    let x0 = (centre[0] - reach).floor().max(0.0);
    let x1 = (centre[0] + reach).ceil().min(canvas.width as f64 - 1.0);
    let y0 = (centre[1] - reach).floor().max(0.0);
    let y1 = (centre[1] + reach).ceil().min(canvas.height as f64 - 1.0);
    if x1 < x0 || y1 < y0 {
        return;
    }
    let (ia, ic) = (
        (0.5 / (sigma_along * sigma_along)) as f32,
        (0.5 / (sigma_across * sigma_across)) as f32,
    );
    let (tx, ty) = (tangent[0] as f32, tangent[1] as f32);
    let amp = amp as f32;
    for y in y0 as usize..=y1 as usize {
        let dy = (y as f64 - centre[1]) as f32;
        let row = &mut canvas.data[y * canvas.width..(y + 1) * canvas.width];
        for (x, value) in row
            .iter_mut()
            .enumerate()
            .take(x1 as usize + 1)
            .skip(x0 as usize)
        {
            let dx = (x as f64 - centre[0]) as f32;
            let along = dx * tx + dy * ty;
            let across = -dx * ty + dy * tx;
            let e = ia * along * along + ic * across * across;
            if e < 10.0 {
                *value += amp * (-e).exp();
            }
        }
    }
}

//! The vessel network: venules and branching capillaries as smooth random walks whose
//! curvature follows an Ornstein-Uhlenbeck process, kept apart by an occupancy grid, then
//! split into segments at branch points.

use crate::curve::Curve;
use crate::params::SynthParams;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Capillary or venule: they differ in size, cell packing and flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VesselKind {
    /// 4-12 µm, single-file red cells with plasma gaps.
    Capillary,
    /// 20-60 µm, densely packed cells.
    Venule,
}

/// One vessel segment between branch points (or free ends), as rendered.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub curve: Curve,
    pub radius_px: f64,
    pub kind: VesselKind,
    /// Whether the start / end is a free end of the vessel (cells fade out of the focal
    /// plane there) rather than a branch point.
    pub free_ends: [bool; 2],
}

/// Minimum gap between the lumens of two vessels, in µm (they may only meet at branches).
const CLEARANCE_UM: f64 = 4.0;

/// Occupancy of the scene: per pixel, the walk that holds it (+1) and its arc position.
struct Occupancy {
    x0: f64,
    y0: f64,
    width: usize,
    height: usize,
    owner: Vec<(u32, f32)>,
}

impl Occupancy {
    fn new(bounds: [f64; 4]) -> Occupancy {
        let width = (bounds[2] - bounds[0]).ceil().max(1.0) as usize + 1;
        let height = (bounds[3] - bounds[1]).ceil().max(1.0) as usize + 1;
        Occupancy {
            x0: bounds[0],
            y0: bounds[1],
            width,
            height,
            owner: vec![(0, 0.0); width * height],
        }
    }

    /// Cells of the disk of radius `r` around `p`.
    fn disk(&self, p: [f64; 2], r: f64) -> impl Iterator<Item = usize> + '_ {
        let cx = p[0] - self.x0;
        let cy = p[1] - self.y0;
        let xa = (cx - r).floor().max(0.0) as usize;
        let xb = ((cx + r).ceil().max(0.0) as usize).min(self.width - 1);
        let ya = (cy - r).floor().max(0.0) as usize;
        let yb = ((cy + r).ceil().max(0.0) as usize).min(self.height - 1);
        (ya..=yb).flat_map(move |y| {
            (xa..=xb).filter_map(move |x| {
                let (ddx, ddy) = (x as f64 - cx, y as f64 - cy);
                (ddx * ddx + ddy * ddy <= r * r).then_some(y * self.width + x)
            })
        })
    }

    /// Whether a point of walk `walk` at arc `s` with check radius `r` hits another vessel.
    /// Its own earlier points count only when far back along the walk (loops); `parent`
    /// is ignored while `s < ignore_parent_until` (the branch leaves its parent there).
    fn collides(
        &self,
        p: [f64; 2],
        r: f64,
        walk: u32,
        s: f64,
        own_gap: f64,
        parent: Option<(u32, f64)>,
    ) -> bool {
        self.disk(p, r).any(|i| {
            let (owner, at) = self.owner[i];
            if owner == 0 {
                return false;
            }
            if owner == walk {
                return s - f64::from(at) > own_gap;
            }
            !matches!(parent, Some((id, until)) if id == owner && s < until)
        })
    }

    /// Marks the disk as held by `walk`; records the newly held cells in `taken`.
    fn mark(&mut self, p: [f64; 2], r: f64, walk: u32, s: f64, taken: &mut Vec<usize>) {
        let start = taken.len();
        taken.extend(self.disk(p, r));
        let mut kept = start;
        for k in start..taken.len() {
            let i = taken[k];
            if self.owner[i].0 == 0 {
                self.owner[i] = (walk, s as f32);
                taken[kept] = i;
                kept += 1;
            }
        }
        taken.truncate(kept);
    }

    /// Frees the cells of a rejected walk.
    fn release(&mut self, taken: &[usize]) {
        for &i in taken {
            self.owner[i] = (0, 0.0);
        }
    }
}

/// A walk before splitting: its points (1 px apart) and the arc indices where children start.
struct Walk {
    points: Vec<[f64; 2]>,
    radius_px: f64,
    kind: VesselKind,
    children_at: Vec<usize>,
    /// The walk starts on its parent (a branch point), not at a free end.
    is_branch: bool,
}

struct WalkSpec {
    start: [f64; 2],
    heading: f64,
    radius_px: f64,
    max_len_px: f64,
    /// Curvature: stationary standard deviation (rad/px) and correlation length (px).
    kappa_sd: f64,
    kappa_corr_px: f64,
    parent: Option<(u32, f64)>,
}

/// Grows one walk, marking it in the occupancy grid. Stops at the length, the scene bounds
/// or another vessel.
fn grow(
    spec: &WalkSpec,
    id: u32,
    bounds: [f64; 4],
    clearance_px: f64,
    occ: &mut Occupancy,
    rng: &mut ChaCha8Rng,
) -> (Vec<[f64; 2]>, Vec<usize>) {
    let mut taken = Vec::new();
    let step = 1.0;
    let rho = (-step / spec.kappa_corr_px).exp();
    let innovation = spec.kappa_sd * (1.0 - rho * rho).sqrt();
    let kappa_max = 1.0 / (2.5 * spec.radius_px).max(6.0);
    let mut kappa = spec.kappa_sd * rng.sample::<f64, _>(StandardNormal);
    let mut heading = spec.heading;
    let mut p = spec.start;
    let mut points = vec![p];
    let check_r = spec.radius_px + clearance_px;
    let own_gap = 2.0 * check_r + 4.0;
    let mut s = 0.0;
    while s < spec.max_len_px {
        kappa = (rho * kappa + innovation * rng.sample::<f64, _>(StandardNormal))
            .clamp(-kappa_max, kappa_max);
        heading += kappa * step;
        let next = [p[0] + step * heading.cos(), p[1] + step * heading.sin()];
        if next[0] < bounds[0] || next[1] < bounds[1] || next[0] > bounds[2] || next[1] > bounds[3]
        {
            break;
        }
        s += step;
        if occ.collides(next, check_r, id, s, own_gap, spec.parent) {
            break;
        }
        occ.mark(next, spec.radius_px, id, s, &mut taken);
        points.push(next);
        p = next;
    }
    (points, taken)
}

/// Length of the part of a polyline inside the rectangle (for the density target).
fn length_inside(points: &[[f64; 2]], rect: [f64; 4]) -> f64 {
    let r = mcvideo_metrics::geometry::Rect {
        x0: rect[0],
        y0: rect[1],
        x1: rect[2],
        y1: rect[3],
    };
    mcvideo_metrics::geometry::clipped_length(points, &r)
}

/// Builds the network inside `bounds` (scene pixels, larger than the frame so vessels enter
/// from outside). The capillary length inside the frame `field` aims at the density target.
pub(crate) fn build_network(
    params: &SynthParams,
    bounds: [f64; 4],
    field: [f64; 4],
    rng: &mut ChaCha8Rng,
) -> Vec<Segment> {
    let um = params.um_per_px;
    let clearance_px = CLEARANCE_UM / um + 1.0;
    let mut occ = Occupancy::new(bounds);
    let mut walks: Vec<Walk> = Vec::new();
    let (fw, fh) = (field[2] - field[0], field[3] - field[1]);
    let centre = [0.5 * (field[0] + field[2]), 0.5 * (field[1] + field[3])];

    // Venules first: long, gently curved, crossing the field from one side.
    for _ in 0..params.venules {
        for _attempt in 0..20 {
            let d = rng.gen_range(params.venule_diameter_um[0]..=params.venule_diameter_um[1]);
            let radius_px = 0.5 * d / um;
            // Aim through a point of the central field, start outside the field.
            let target = [
                centre[0] + rng.gen_range(-0.35..=0.35) * fw,
                centre[1] + rng.gen_range(-0.35..=0.35) * fh,
            ];
            let heading = rng.gen_range(0.0..std::f64::consts::TAU);
            let back = fw.hypot(fh);
            let mut start = [
                target[0] - back * heading.cos(),
                target[1] - back * heading.sin(),
            ];
            start[0] = start[0].clamp(bounds[0] + 1.0, bounds[2] - 1.0);
            start[1] = start[1].clamp(bounds[1] + 1.0, bounds[3] - 1.0);
            let heading = (target[1] - start[1]).atan2(target[0] - start[0]);
            let id = walks.len() as u32 + 1;
            let spec = WalkSpec {
                start,
                heading,
                radius_px,
                max_len_px: 4.0 * back,
                kappa_sd: um / 400.0,
                kappa_corr_px: 150.0 / um,
                parent: None,
            };
            if occ.collides(
                start,
                radius_px + clearance_px,
                id,
                0.0,
                f64::INFINITY,
                None,
            ) {
                continue;
            }
            let (points, taken) = grow(&spec, id, bounds, clearance_px, &mut occ, rng);
            if length_inside(&points, field) >= 0.5 * fw.min(fh) {
                walks.push(Walk {
                    points,
                    radius_px,
                    kind: VesselKind::Venule,
                    children_at: Vec::new(),
                    is_branch: false,
                });
                break;
            }
            // Too short in view: free its cells again.
            occ.release(&taken);
        }
    }

    // Capillaries until the density target is met.
    let field_area_mm2 = fw * fh * (um / 1000.0).powi(2);
    let target_px = params.capillary_density_mm_per_mm2 * field_area_mm2 * 1000.0 / um;
    let mut total_px = 0.0;
    let [dmin, dmax] = params.capillary_diameter_um;
    let mut attempts = 0;
    while total_px < target_px && attempts < 4000 {
        attempts += 1;
        // Seeds: a free start anywhere in the scene, then its branches (depth-first).
        let start = [
            rng.gen_range(bounds[0]..bounds[2]),
            rng.gen_range(bounds[1]..bounds[3]),
        ];
        let d = rng.gen_range(dmin..=dmax);
        let mut queue = vec![(
            WalkSpec {
                start,
                heading: rng.gen_range(0.0..std::f64::consts::TAU),
                radius_px: 0.5 * d / um,
                max_len_px: rng.gen_range(60.0..=300.0) / um,
                kappa_sd: um / 45.0,
                kappa_corr_px: 25.0 / um,
                parent: None,
            },
            None::<(usize, usize)>,
            0usize,
        )];
        while let Some((spec, parent_walk, depth)) = queue.pop() {
            let id = walks.len() as u32 + 1;
            if spec.parent.is_none()
                && occ.collides(
                    spec.start,
                    spec.radius_px + clearance_px,
                    id,
                    0.0,
                    f64::INFINITY,
                    None,
                )
            {
                continue;
            }
            let (points, taken) = grow(&spec, id, bounds, clearance_px, &mut occ, rng);
            let grown = (points.len() - 1) as f64;
            let min_len = 20.0 / um + spec.parent.map_or(0.0, |(_, until)| until);
            if grown < min_len {
                occ.release(&taken);
                continue;
            }
            total_px += length_inside(&points, field);
            if let Some((pw, at)) = parent_walk {
                walks[pw].children_at.push(at);
            }
            let walk_index = walks.len();
            walks.push(Walk {
                points,
                radius_px: spec.radius_px,
                kind: VesselKind::Capillary,
                children_at: Vec::new(),
                is_branch: spec.parent.is_some(),
            });
            // Branches leave from the middle part of the walk at 35-80 degrees.
            let branch_probability = if depth == 0 { 0.7 } else { 0.35 };
            let n = walks[walk_index].points.len();
            if depth < 2 && n > 30 && rng.gen_bool(branch_probability) {
                let at = rng.gen_range(n * 3 / 10..n * 7 / 10);
                let p = walks[walk_index].points[at];
                let q = walks[walk_index].points[at + 1];
                let tangent = (q[1] - p[1]).atan2(q[0] - p[0]);
                let side = if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
                let angle = rng.gen_range(35f64..=80.0).to_radians();
                let child_d = rng.gen_range(dmin..=(2.0 * spec.radius_px * um).max(dmin));
                let child_r = 0.5 * child_d / um;
                queue.push((
                    WalkSpec {
                        start: p,
                        heading: tangent + side * angle,
                        radius_px: child_r,
                        max_len_px: rng.gen_range(40.0..=200.0) / um,
                        kappa_sd: um / 45.0,
                        kappa_corr_px: 25.0 / um,
                        parent: Some((id, spec.radius_px + child_r + 2.0 * clearance_px + 2.0)),
                    },
                    Some((walk_index, at)),
                    depth + 1,
                ));
            }
        }
    }

    // Split every walk at the points where its branches leave.
    let mut segments = Vec::new();
    for walk in walks {
        let mut cuts = walk.children_at.clone();
        cuts.sort_unstable();
        cuts.dedup();
        let last = walk.points.len() - 1;
        let mut bounds_idx = vec![0];
        bounds_idx.extend(cuts.into_iter().filter(|&c| c > 0 && c < last));
        bounds_idx.push(last);
        for (k, w) in bounds_idx.windows(2).enumerate() {
            if w[1] <= w[0] {
                continue;
            }
            segments.push(Segment {
                curve: Curve::new(walk.points[w[0]..=w[1]].to_vec()),
                radius_px: walk.radius_px,
                kind: walk.kind,
                free_ends: [k == 0 && !walk.is_branch, k + 2 == bounds_idx.len()],
            });
        }
    }
    segments
}

/// Out-of-focus deeper vessels (not part of the truth): long gentle curves through the field,
/// 15-40 µm wide, that do not avoid the in-focus network.
pub(crate) fn deep_network(
    params: &SynthParams,
    bounds: [f64; 4],
    field: [f64; 4],
    rng: &mut ChaCha8Rng,
) -> Vec<Segment> {
    let um = params.um_per_px;
    let (fw, fh) = (field[2] - field[0], field[3] - field[1]);
    let mut segments = Vec::new();
    for id in 0..params.deep_vessels {
        let radius_px = 0.5 * rng.gen_range(15.0..=40.0) / um;
        let start = [
            rng.gen_range(bounds[0]..bounds[2]),
            rng.gen_range(bounds[1]..bounds[3]),
        ];
        let spec = WalkSpec {
            start,
            heading: rng.gen_range(0.0..std::f64::consts::TAU),
            radius_px,
            max_len_px: rng.gen_range(0.5..=1.5) * fw.hypot(fh),
            kappa_sd: um / 200.0,
            kappa_corr_px: 100.0 / um,
            parent: None,
        };
        // A private grid: deep vessels pass under the in-focus ones.
        let mut occ = Occupancy::new(bounds);
        let (points, _) = grow(&spec, id as u32 + 1, bounds, 0.0, &mut occ, rng);
        if points.len() >= 2 {
            segments.push(Segment {
                curve: Curve::new(points),
                radius_px,
                kind: VesselKind::Venule,
                free_ends: [true, true],
            });
        }
    }
    segments
}

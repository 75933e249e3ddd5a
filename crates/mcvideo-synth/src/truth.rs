//! The ground truth of a synthetic clip: camera shifts, valid region, vessel segments
//! clipped to the valid region, and the SPEC site metrics computed from them.

use crate::motion::valid_region;
use crate::network::VesselKind;
use crate::params::SynthParams;
use crate::scene::Scene;
use crate::SynthError;
use mcvideo_metrics::{site_metrics, FlowClass, MeasuredVessel, MetricsParams, SiteMetrics};
use serde::{Deserialize, Serialize};

/// Schema name of the truth JSON.
pub const TRUTH_SCHEMA: &str = "mcvideo.truth.v1";

/// One vessel segment of the truth (split at branch points, clipped to the valid region).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthVessel {
    pub id: usize,
    /// Centerline in frame-0 pixels (pixel centres at integer coordinates), about 1 px steps.
    pub centerline_px: Vec<[f64; 2]>,
    /// Length of the centerline in µm.
    pub length_um: f64,
    /// Lumen diameter in µm.
    pub diameter_um: f64,
    /// `diameter_um < small_vessel_cutoff_um`.
    pub small: bool,
    /// Consensus flow class (0 none, 1 intermittent, 2 sluggish, 3 continuous).
    pub flow_class: FlowClass,
    /// Mean red-cell speed while flowing (µm/s; centreline speed in venules); null without flow.
    pub velocity_um_s: Option<f64>,
    /// Share of frame intervals with moving cells.
    pub flowing_fraction: f64,
    /// Capillary or venule.
    pub kind: VesselKind,
    /// +1 when cells move from the first centerline point towards the last, -1 otherwise.
    pub direction: f64,
    /// Line haematocrit (capillaries) or packing share (venules).
    pub haematocrit: f64,
    /// Index of the rendered segment this piece was clipped from (pieces of one segment
    /// share it when the segment leaves and re-enters the valid region).
    pub segment: usize,
    /// Stretches of the centerline (`[from, to]`, px of arc from its first point) that no red
    /// cell covers at any frame: plasma only, shown by nothing but the faint lumen. Long in
    /// stopped capillaries, where the plasma gaps between static cells never fill; empty in
    /// most flowing vessels. Absent in truth files written before it existed.
    #[serde(default)]
    pub cell_free_px: Vec<[f64; 2]>,
}

/// Everything known about a synthetic clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// `"mcvideo.truth.v1"`.
    pub schema: String,
    pub params: SynthParams,
    pub frames: usize,
    pub fps: f64,
    pub width: u32,
    pub height: u32,
    pub um_per_px: f64,
    /// `shifts_px[t] = [dx, dy]`: the frame-0 point (x, y) lies at (x + dx, y + dy) in frame t.
    pub shifts_px: Vec<[f64; 2]>,
    /// `[x0, y0, x1, y1]` of frame 0 visible in every frame.
    pub valid_region: [f64; 4],
    /// The vessels as far as red cells show them (`visible_span`), clipped to the region.
    pub vessels: Vec<TruthVessel>,
    /// SPEC site metrics computed from `vessels` with `mcvideo_metrics::site_metrics`.
    pub metrics: SiteMetrics,
    /// The same metrics over every vessel piece whole, the cell-free stretches `visible_span`
    /// leaves out included (the truth before it followed visibility); absent in older files.
    #[serde(default)]
    pub metrics_geometric: Option<SiteMetrics>,
}

/// Splits a polyline into its maximal runs inside `rect` (Liang-Barsky per edge).
///
/// ```
/// use mcvideo_synth::clip_polyline;
/// let runs = clip_polyline(&[[-2.0, 1.0], [2.0, 1.0], [2.0, 8.0], [4.0, 8.0]], [0.0, 0.0, 5.0, 5.0]);
/// assert_eq!(runs, vec![vec![[0.0, 1.0], [2.0, 1.0], [2.0, 5.0]]]);
/// ```
pub fn clip_polyline(points: &[[f64; 2]], rect: [f64; 4]) -> Vec<Vec<[f64; 2]>> {
    let mut runs: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut open = false;
    for e in points.windows(2) {
        let (a, b) = (e[0], e[1]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let mut inside = true;
        for (p, q) in [
            (-dx, a[0] - rect[0]),
            (dx, rect[2] - a[0]),
            (-dy, a[1] - rect[1]),
            (dy, rect[3] - a[1]),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    inside = false;
                }
            } else if p < 0.0 {
                t0 = t0.max(q / p);
            } else {
                t1 = t1.min(q / p);
            }
        }
        if !inside || t1 <= t0 {
            open = false;
            continue;
        }
        let at = |t: f64| [a[0] + t * dx, a[1] + t * dy];
        match runs.last_mut() {
            Some(run) if open && t0 == 0.0 => run.push(at(t1)),
            _ => runs.push(vec![at(t0), at(t1)]),
        }
        open = t1 == 1.0;
    }
    runs
}

/// Arc length along `points` of the polyline point nearest to `p`.
fn arc_of_point(points: &[[f64; 2]], p: [f64; 2]) -> f64 {
    let (mut best, mut best_arc, mut arc) = (f64::INFINITY, 0.0, 0.0);
    for e in points.windows(2) {
        let (a, b) = (e[0], e[1]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let edge2 = dx * dx + dy * dy;
        let f = if edge2 > 0.0 {
            (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / edge2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let d = (a[0] + f * dx - p[0]).hypot(a[1] + f * dy - p[1]);
        if d < best {
            (best, best_arc) = (d, arc + f * edge2.sqrt());
        }
        arc += edge2.sqrt();
    }
    best_arc
}

/// `runs` (arc intervals of a segment) seen from a piece starting at arc `offset` and
/// `length` long, rounded to 0.01 px.
fn runs_of_piece(runs: &[[f64; 2]], offset: f64, length: f64) -> Vec<[f64; 2]> {
    let round2 = |v: f64| (v * 100.0).round() / 100.0;
    runs.iter()
        .map(|r| [(r[0] - offset).max(0.0), (r[1] - offset).min(length)])
        .filter(|r| r[1] - r[0] > 0.01)
        .map(|r| [round2(r[0]), round2(r[1])])
        .collect()
}

/// The visible part `[from, to]` of a vessel segment `length` px long, from its cell-free
/// runs `free` (sorted arc intervals that no red cell covers at any frame): from its first red
/// cell to its last. The second consensus classes flow by the red cells seen (class 0: cells
/// present, not moving; Ince C et al. Intensive Care Med 2018;44:281-299), and in dark-field
/// light only haemoglobin absorbs. So a segment no cell ever enters is not seen at all, and a
/// plasma-only stretch between either end (a free end where the vessel leaves the focal plane,
/// or a branch point) and the nearest cell is not seen either: nothing of this vessel marks
/// where it runs there. The gaps between its cells stay, since the eye bridges them. The
/// renderer draws no lumen outside this span, and the truth holds only this span.
///
/// ```
/// use mcvideo_synth::visible_span;
/// // Cells cover 10..40 of a 50 px segment: it is seen from 10 to 40.
/// assert_eq!(visible_span(&[[0.0, 10.0], [40.0, 50.0]], 50.0), Some([10.0, 40.0]));
/// // Gaps between cells stay.
/// assert_eq!(visible_span(&[[20.0, 30.0]], 50.0), Some([0.0, 50.0]));
/// // A segment no cell ever enters is hidden.
/// assert_eq!(visible_span(&[[0.0, 50.0]], 50.0), None);
/// ```
pub fn visible_span(free: &[[f64; 2]], length: f64) -> Option<[f64; 2]> {
    let first_cell = match free.first() {
        Some(r) if r[0] <= 0.0 => r[1],
        _ => 0.0,
    };
    let last_cell = match free.last() {
        Some(r) if r[1] >= length => r[0],
        _ => length,
    };
    (first_cell < last_cell).then_some([first_cell, last_cell])
}

fn round4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

fn polyline_length(points: &[[f64; 2]]) -> f64 {
    points
        .windows(2)
        .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
        .sum()
}

/// Builds the truth of a scene.
pub(crate) fn build_truth(scene: &Scene) -> Result<Truth, SynthError> {
    let p: &SynthParams = &scene.params;
    let region = valid_region(&scene.shifts, p.width, p.height);
    let mut vessels = Vec::new();
    // Every piece whole, cell-free ends included, for `metrics_geometric`.
    let mut geometric = Vec::new();
    for (index, ((((segment, flow), train), visible), cell_free)) in scene
        .segments
        .iter()
        .zip(&scene.flows)
        .zip(&scene.trains)
        .zip(&scene.visible)
        .zip(&scene.cell_free)
        .enumerate()
    {
        let diameter_um = 2.0 * segment.radius_px * p.um_per_px;
        for run in clip_polyline(&segment.curve.points, region) {
            geometric.push(MeasuredVessel {
                flow_unresolved: false,
                centerline_px: run,
                diameter_um,
                flow_class: flow.flow_class,
                velocity_um_s: flow.velocity_um_s,
            });
        }
        let Some([from, to]) = *visible else {
            continue;
        };
        let shown = segment.curve.sub_points(from, to);
        for mut run in clip_polyline(&shown, region) {
            let offset = from + run.first().map_or(0.0, |&q| arc_of_point(&shown, q));
            // 1e-4 px is far below any measurement; it halves the JSON.
            for q in run.iter_mut() {
                *q = [round4(q[0]), round4(q[1])];
            }
            let length_px = polyline_length(&run);
            if length_px < 1.0 {
                continue;
            }
            vessels.push(TruthVessel {
                id: vessels.len(),
                centerline_px: run,
                length_um: length_px * p.um_per_px,
                diameter_um,
                small: diameter_um < p.small_vessel_cutoff_um,
                flow_class: flow.flow_class,
                velocity_um_s: flow.velocity_um_s,
                flowing_fraction: flow.flowing_fraction,
                kind: segment.kind,
                direction: flow.direction,
                haematocrit: train.haematocrit,
                segment: index,
                cell_free_px: runs_of_piece(cell_free, offset, length_px),
            });
        }
    }
    let measured: Vec<MeasuredVessel> = vessels
        .iter()
        .map(|v| MeasuredVessel {
            flow_unresolved: false,
            centerline_px: v.centerline_px.clone(),
            diameter_um: v.diameter_um,
            flow_class: v.flow_class,
            velocity_um_s: v.velocity_um_s,
        })
        .collect();
    let metrics_params = MetricsParams {
        um_per_px: p.um_per_px,
        small_vessel_cutoff_um: p.small_vessel_cutoff_um,
        valid_region: region,
    };
    let metrics = site_metrics(&measured, &metrics_params)?;
    let metrics_geometric = Some(site_metrics(&geometric, &metrics_params)?);
    Ok(Truth {
        schema: TRUTH_SCHEMA.to_string(),
        params: p.clone(),
        frames: scene.frames(),
        fps: p.fps,
        width: p.width,
        height: p.height,
        um_per_px: p.um_per_px,
        shifts_px: scene.shifts.clone(),
        valid_region: region,
        vessels,
        metrics,
        metrics_geometric,
    })
}

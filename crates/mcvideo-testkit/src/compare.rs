//! Comparison of a `mcvideo score` report with the exact truth of its synthetic clip, for the
//! accuracy harnesses (`mcvideo-score/examples/accuracy.rs`, `interlaced.rs`) and the
//! end-to-end test (`mcvideo-score/tests/score/score_accuracy.rs`).
//!
//! Vessels are matched by distance: a truth centerline point is found when a detected
//! centerline point lies within max(2 px, its radius) (in frame-0 pixels, after undoing the
//! reference frame's shift), and a detected point is false when no truth point is that close.
use mcvideo_metrics::{site_metrics, FlowClass, MeasuredVessel, MetricsParams, SiteMetrics};
use mcvideo_score::ScoreReport;
use mcvideo_synth::Truth;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// Points (with the index of the polyline they belong to) per grid cell.
type Cells = HashMap<(i64, i64), Vec<(usize, [f64; 2])>>;

/// Detected points on a coarse grid, for nearest-point queries.
struct PointGrid {
    cell: f64,
    cells: Cells,
}

impl PointGrid {
    fn new(cell: f64) -> Self {
        PointGrid {
            cell,
            cells: HashMap::new(),
        }
    }
    fn insert(&mut self, owner: usize, p: [f64; 2]) {
        let key = (
            (p[0] / self.cell).floor() as i64,
            (p[1] / self.cell).floor() as i64,
        );
        self.cells.entry(key).or_default().push((owner, p));
    }
    /// Nearest point within `radius`: (owner, distance).
    fn nearest(&self, p: [f64; 2], radius: f64) -> Option<(usize, f64)> {
        let r = (radius / self.cell).ceil() as i64;
        let (cx, cy) = (
            (p[0] / self.cell).floor() as i64,
            (p[1] / self.cell).floor() as i64,
        );
        let mut best: Option<(usize, f64)> = None;
        for dy in -r..=r {
            for dx in -r..=r {
                if let Some(points) = self.cells.get(&(cx + dx, cy + dy)) {
                    for &(owner, q) in points {
                        let d = (q[0] - p[0]).hypot(q[1] - p[1]);
                        if d <= radius && best.is_none_or(|(_, b)| d < b) {
                            best = Some((owner, d));
                        }
                    }
                }
            }
        }
        best
    }
}

/// Points of a polyline at about 1 px steps.
fn resample(line: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        let n = ((b[0] - a[0]).hypot(b[1] - a[1])).ceil().max(1.0) as usize;
        for k in 0..n {
            let t = k as f64 / n as f64;
            out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
        }
    }
    if let Some(last) = line.last() {
        out.push(*last);
    }
    out
}

fn inside(p: [f64; 2], r: [f64; 4]) -> bool {
    p[0] >= r[0] && p[0] <= r[2] && p[1] >= r[1] && p[1] <= r[3]
}

pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

/// Errors of one scored clip against its truth.
#[derive(Default, Debug)]
pub struct Row {
    pub tvd_err_pct: f64,
    pub found_pct: f64,
    pub false_pct: f64,
    pub pos_err_px: Option<f64>,
    pub diam_err_um: Option<f64>,
    pub class_acc_pct: f64,
    /// Small-vessel length (px) by true flow class (row) and measured class (column).
    pub confusion: [[f64; 4]; 4],
    /// True small-vessel length (px) by flow class, found or not: a row of `confusion` over
    /// this is the share of that class the detector found.
    pub class_total: [f64; 4],
    pub vel_err_pct: Option<f64>,
    pub ppv_err: f64,
    /// Error of PPV by count (the share of perfused small segments), points.
    pub ppv_count_err: f64,
    pub mfi_err: f64,
    /// `(gap µm, PPV error, MFI error)` against the truth with plasma gaps longer than the
    /// gap left out ([`truth_metrics_without_gaps`]), for each of [`TRUTH_GAPS_UM`].
    pub gap_errs: Vec<(f64, f64, f64)>,
    /// `(PPV error, MFI error)` of the detected vessels carrying the flow class of the truth
    /// vessel each lies on ([`oracle_flow_metrics`]): what detection alone leaves.
    pub oracle_flow_errs: (f64, f64),
    pub seconds: f64,
}

/// Gap lengths (µm) of the truth-sensitivity check.
pub const TRUTH_GAPS_UM: [f64; 3] = [20.0, 30.0, 40.0];

/// The truth's site metrics with every plasma-only stretch (`cell_free_px`) longer than
/// `gap_um` left out of its vessels. The truth keeps a gap between two red cells however
/// long (`mcvideo_synth::visible_span`); this asks how much PPV and MFI depend on that rule,
/// since a row of stopped cells far apart may not read as a vessel to a human scorer either.
/// With an infinite gap it reproduces `truth.metrics`.
pub fn truth_metrics_without_gaps(truth: &Truth, gap_um: f64) -> Option<SiteMetrics> {
    let um = truth.um_per_px;
    let mut pieces = Vec::new();
    for v in &truth.vessels {
        let length: f64 = v
            .centerline_px
            .windows(2)
            .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
            .sum();
        let mut start = 0.0;
        let mut keep = Vec::new();
        for gap in &v.cell_free_px {
            if (gap[1] - gap[0]) * um > gap_um {
                keep.push([start, gap[0]]);
                start = gap[1];
            }
        }
        keep.push([start, length]);
        for [from, to] in keep {
            let line = if from <= 0.0 && to >= length {
                v.centerline_px.clone()
            } else {
                mcvideo_flow::diagram::sub_polyline(&v.centerline_px, from, to)
            };
            if to > from && line.len() >= 2 {
                pieces.push(MeasuredVessel {
                    flow_unresolved: false,
                    centerline_px: line,
                    diameter_um: v.diameter_um,
                    flow_class: v.flow_class,
                    velocity_um_s: v.velocity_um_s,
                });
            }
        }
    }
    let params = MetricsParams {
        um_per_px: um,
        small_vessel_cutoff_um: truth.params.small_vessel_cutoff_um,
        valid_region: truth.valid_region,
    };
    site_metrics(&pieces, &params).ok()
}

/// Extra diagnostics on stderr, switched on by the accuracy harness (`--diagnose`).
static DIAGNOSE_MERGES: AtomicBool = AtomicBool::new(false);
static DIAGNOSE_QUADRANTS: AtomicBool = AtomicBool::new(false);

/// Turns the diagnostics on: `merges` (wrong-class length on segments merged across a
/// junction) and `quadrants` (MFI quadrant by quadrant).
pub fn set_diagnostics(merges: bool, quadrants: bool) {
    DIAGNOSE_MERGES.store(merges, Ordering::Relaxed);
    DIAGNOSE_QUADRANTS.store(quadrants, Ordering::Relaxed);
}

/// Scores `report` against `truth`; `seconds` is the wall time to keep in the row.
pub fn compare(truth: &Truth, report: &ScoreReport, seconds: f64) -> Row {
    let r = report.stabilization.reference_frame;
    let shift = truth.shifts_px.get(r).copied().unwrap_or([0.0, 0.0]);
    let to_frame0 = |p: [f64; 2]| [p[0] - shift[0], p[1] - shift[1]];
    let vr = report.stabilization.valid_region;
    let region = [
        vr[0] - shift[0],
        vr[1] - shift[1],
        vr[2] - shift[0],
        vr[3] - shift[1],
    ];
    let um = truth.um_per_px;

    let mut grid = PointGrid::new(4.0);
    let detected: Vec<Vec<[f64; 2]>> = report
        .vessels
        .iter()
        .map(|v| {
            resample(&v.centerline_px)
                .into_iter()
                .map(to_frame0)
                .collect()
        })
        .collect();
    for (i, pts) in detected.iter().enumerate() {
        for &p in pts {
            grid.insert(i, p);
        }
    }
    let mut truth_grid = PointGrid::new(4.0);
    let truth_pts: Vec<Vec<[f64; 2]>> = truth
        .vessels
        .iter()
        .map(|v| resample(&v.centerline_px))
        .collect();
    for (i, pts) in truth_pts.iter().enumerate() {
        for &p in pts {
            truth_grid.insert(i, p);
        }
    }
    let mut small_found = 0.0f64;
    let (mut class_len, mut class_ok) = (0.0f64, 0.0f64);
    let mut confusion = [[0.0f64; 4]; 4];
    let mut class_total = [0.0f64; 4];
    // Classes of the truth vessels each detected vessel lies on (merges across classes).
    let mut owner_classes: HashMap<usize, [f64; 4]> = HashMap::new();
    let mut wrong_points: Vec<(usize, usize, usize)> = Vec::new();
    let mut pos_errs = Vec::new();
    let mut diam_errs = Vec::new();
    let mut vel_errs = Vec::new();
    for (tv, pts) in truth.vessels.iter().zip(&truth_pts) {
        let tol = (tv.diameter_um / um / 2.0).max(2.0);
        let mut votes: HashMap<usize, usize> = HashMap::new();
        let mut n_in = 0usize;
        for &p in pts {
            if !inside(p, region) {
                continue;
            }
            n_in += 1;
            let hit = grid.nearest(p, tol);
            if tv.small {
                class_total[tv.flow_class.index()] += 1.0;
            }
            if let Some((owner, d)) = hit {
                *votes.entry(owner).or_default() += 1;
                pos_errs.push(d);
                if tv.small {
                    small_found += 1.0;
                    class_len += 1.0;
                    let measured = report.vessels[owner].flow_class.index();
                    confusion[tv.flow_class.index()][measured] += 1.0;
                    owner_classes.entry(owner).or_default()[tv.flow_class.index()] += 1.0;
                    if measured != tv.flow_class.index() {
                        wrong_points.push((owner, tv.flow_class.index(), measured));
                    }
                    if report.vessels[owner].flow_class == tv.flow_class {
                        class_ok += 1.0;
                    }
                }
            }
        }
        // The detected vessel covering most of this truth vessel stands for it.
        if let Some((&owner, &count)) = votes.iter().max_by_key(|(o, c)| (**c, usize::MAX - **o))
            && n_in > 0
            && count * 2 >= n_in
        {
            let det = &report.vessels[owner];
            if (5.0..=30.0).contains(&tv.diameter_um) {
                diam_errs.push((det.diameter_um - tv.diameter_um).abs());
            }
            if tv.small
                && tv.flow_class == FlowClass::Continuous
                && let (Some(tvel), Some(dvel)) = (tv.velocity_um_s, det.velocity_um_s)
                && tvel < det.v_max_um_s
                && !det.velocity_at_least
            {
                vel_errs.push(((dvel - tvel) / tvel).abs());
            }
        }
    }
    if DIAGNOSE_MERGES.load(Ordering::Relaxed) {
        // Wrong-class length on detected vessels that also cover a truth vessel of the
        // measured class (a merge across a junction) versus not.
        let (mut merged, mut alone) = (0usize, 0usize);
        for &(owner, _, measured) in &wrong_points {
            if owner_classes.get(&owner).is_some_and(|c| c[measured] > 3.0) {
                merged += 1;
            } else {
                alone += 1;
            }
        }
        eprintln!("wrong-class points: on merged segments {merged}, alone {alone}");
    }
    let (mut det_total, mut det_false) = (0.0f64, 0.0f64);
    // The flow class of the truth vessel each detected vessel mostly lies on (its own when
    // it lies on none).
    let mut true_classes: Vec<FlowClass> = report.vessels.iter().map(|v| v.flow_class).collect();
    for ((v, pts), class_slot) in report.vessels.iter().zip(&detected).zip(&mut true_classes) {
        if !v.small {
            continue;
        }
        let tol = (v.diameter_um / um / 2.0).max(2.0);
        let mut votes: HashMap<usize, usize> = HashMap::new();
        let mut unmatched = 0usize;
        for &p in pts {
            let hit = truth_grid.nearest(p, tol);
            match hit {
                Some((owner, _)) => *votes.entry(owner).or_default() += 1,
                None => unmatched += 1,
            }
            if !inside(p, region) {
                continue;
            }
            det_total += 1.0;
            if hit.is_none() {
                det_false += 1.0;
            }
        }
        if let Some((&owner, &count)) = votes.iter().max_by_key(|(o, c)| (**c, usize::MAX - **o))
            && count > unmatched
        {
            *class_slot = truth.vessels[owner].flow_class;
        }
    }
    let oracle = oracle_flow_metrics(truth, report, &true_classes);
    if DIAGNOSE_QUADRANTS.load(Ordering::Relaxed) {
        let truth_lines: Vec<_> = truth
            .vessels
            .iter()
            .map(|v| (v.centerline_px.clone(), v.small, v.flow_class))
            .collect();
        let measured_lines: Vec<_> = report
            .vessels
            .iter()
            .map(|v| {
                let line = v.centerline_px.iter().map(|&p| to_frame0(p)).collect();
                (line, v.small, v.flow_class)
            })
            .collect();
        // Found small length (truth points about 1 px apart) by true class (rows) and measured class.
        eprintln!(
            "  confusion {:?}",
            confusion.map(|row| row.map(|x| x.round()))
        );
        let t = quadrant_class_lengths(&truth_lines, truth.valid_region, um);
        let d = quadrant_class_lengths(&measured_lines, region, um);
        for q in 0..4 {
            eprintln!(
                "  q{} truth {:?} measured {:?}",
                q + 1,
                t[q].map(|x| x.round()),
                d[q].map(|x| x.round())
            );
        }
    }
    let tm = &truth.metrics;
    let m = &report.metrics;
    Row {
        tvd_err_pct: 100.0 * (m.tvd_mm_per_mm2 - tm.tvd_mm_per_mm2) / tm.tvd_mm_per_mm2,
        found_pct: 100.0 * small_found / class_total.iter().sum::<f64>().max(1.0),
        false_pct: 100.0 * det_false / det_total.max(1.0),
        pos_err_px: median(pos_errs),
        diam_err_um: median(diam_errs),
        class_acc_pct: 100.0 * class_ok / class_len.max(1.0),
        confusion,
        class_total,
        vel_err_pct: median(vel_errs).map(|e| 100.0 * e),
        ppv_err: m.ppv_pct.unwrap_or(f64::NAN) - tm.ppv_pct.unwrap_or(f64::NAN),
        ppv_count_err: m.ppv_count_pct.unwrap_or(f64::NAN) - tm.ppv_count_pct.unwrap_or(f64::NAN),
        mfi_err: m.mfi.unwrap_or(f64::NAN) - tm.mfi.unwrap_or(f64::NAN),
        gap_errs: TRUTH_GAPS_UM
            .iter()
            .map(|&gap| {
                let g = truth_metrics_without_gaps(truth, gap);
                let ppv = g.as_ref().and_then(|g| g.ppv_pct).unwrap_or(f64::NAN);
                let mfi = g.as_ref().and_then(|g| g.mfi).unwrap_or(f64::NAN);
                (
                    gap,
                    m.ppv_pct.unwrap_or(f64::NAN) - ppv,
                    m.mfi.unwrap_or(f64::NAN) - mfi,
                )
            })
            .collect(),
        oracle_flow_errs: (
            oracle.as_ref().and_then(|o| o.ppv_pct).unwrap_or(f64::NAN)
                - tm.ppv_pct.unwrap_or(f64::NAN),
            oracle.as_ref().and_then(|o| o.mfi).unwrap_or(f64::NAN) - tm.mfi.unwrap_or(f64::NAN),
        ),
        seconds,
    }
}

/// Site metrics of the detected vessels with `classes` in place of their measured flow
/// classes: given the truth's classes, the errors left are the detector's (missed and false
/// length), so the PPV and MFI errors split into detection and flow classification.
pub fn oracle_flow_metrics(
    truth: &Truth,
    report: &ScoreReport,
    classes: &[FlowClass],
) -> Option<SiteMetrics> {
    let vessels: Vec<MeasuredVessel> = report
        .vessels
        .iter()
        .zip(classes)
        .map(|(v, &flow_class)| MeasuredVessel {
            flow_unresolved: false,
            centerline_px: v.centerline_px.clone(),
            diameter_um: v.diameter_um,
            flow_class,
            velocity_um_s: v.velocity_um_s,
        })
        .collect();
    let params = MetricsParams {
        um_per_px: truth.um_per_px,
        small_vessel_cutoff_um: truth.params.small_vessel_cutoff_um,
        valid_region: report.stabilization.valid_region,
    };
    site_metrics(&vessels, &params).ok()
}

/// Small-vessel length (µm) per quadrant and flow class, in the frame-0 coordinates of the
/// truth: `[quadrant][class]`. `--diagnose quadrants` prints it for truth and measurement, to see why
/// an MFI quadrant score differs.
pub fn quadrant_class_lengths(
    lines: &[(Vec<[f64; 2]>, bool, FlowClass)],
    region: [f64; 4],
    um_per_px: f64,
) -> [[f64; 4]; 4] {
    use mcvideo_metrics::geometry::{clipped_length, Rect};
    let rect = Rect {
        x0: region[0],
        y0: region[1],
        x1: region[2],
        y1: region[3],
    };
    let mut out = [[0.0; 4]; 4];
    for (line, small, class) in lines {
        if !small {
            continue;
        }
        for (q, quadrant) in rect.quadrants().iter().enumerate() {
            out[q][class.index()] += clipped_length(line, quadrant) * um_per_px;
        }
    }
    out
}

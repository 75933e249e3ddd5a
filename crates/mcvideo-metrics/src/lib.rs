//! Consensus microcirculation metrics (TVD, PVD, PPV, MFI, De Backer) from measured vessels.
//!
//! Definitions follow the second consensus on the assessment of sublingual microcirculation
//! (Ince C, Boerma EC, Cecconi M, et al. Intensive Care Med 2018;44:281-299) as fixed in
//! `SPEC.md`: lengths are clipped to the valid region, the unsuffixed metrics count small
//! vessels only (diameter below the cutoff, 20 µm by default), and the `_all` metrics count
//! every vessel. The same code scores the synthetic truth and the measured clip, so any
//! difference between them is measurement error, never a difference of definition.
//!
//! ```
//! use mcvideo_metrics::{site_metrics, FlowClass, MeasuredVessel, MetricsParams};
//!
//! // One 100 µm horizontal capillary with continuous flow in a 100 x 100 µm field.
//! let vessels = vec![MeasuredVessel {
//!     centerline_px: vec![[0.0, 25.0], [100.0, 25.0]],
//!     diameter_um: 6.0,
//!     flow_class: FlowClass::Continuous,
//!     velocity_um_s: Some(800.0),
//!     flow_unresolved: false,
//! }];
//! let params = MetricsParams { um_per_px: 1.0, small_vessel_cutoff_um: 20.0, valid_region: [0.0, 0.0, 100.0, 100.0] };
//! let m = site_metrics(&vessels, &params).unwrap();
//! assert!((m.area_mm2 - 0.01).abs() < 1e-15);
//! assert!((m.tvd_mm_per_mm2 - 10.0).abs() < 1e-9); // 0.1 mm / 0.01 mm²
//! assert_eq!(m.ppv_pct, Some(100.0));
//! assert_eq!(m.mfi_quadrants, [Some(3.0), Some(3.0), None, None]);
//! assert_eq!(m.mfi, Some(3.0));
//! ```

pub mod classify;
pub mod geometry;

pub use classify::{classify_flow, FlowClass, FlowClassRule, NotAFlowClass};

use geometry::{clipped_length, crossings_of_line, Rect};
use serde::{Deserialize, Serialize};

/// Errors of the metrics stage.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MetricsError {
    /// The valid region has no area.
    #[error("valid region {0:?} is empty")]
    EmptyRegion([f64; 4]),
    /// The scale is not a positive finite number.
    #[error("um_per_px {0} must be positive and finite")]
    BadScale(f64),
    /// A vessel carries a non-finite coordinate or diameter.
    #[error("vessel {index}: {problem}")]
    BadVessel { index: usize, problem: String },
}

/// One vessel segment as the metrics need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredVessel {
    /// Centerline in reference-frame pixels.
    pub centerline_px: Vec<[f64; 2]>,
    /// Mean lumen diameter in µm.
    pub diameter_um: f64,
    /// Consensus flow class: 0 none, 1 intermittent, 2 sluggish, 3 continuous.
    pub flow_class: FlowClass,
    /// Mean red-cell velocity while flowing; `None` when there is no flow or it is unmeasured.
    pub velocity_um_s: Option<f64>,
    /// True when nothing in the clip tells whether this vessel flows: its length counts in
    /// TVD, and it is left out of PPV, PVD's share and MFI (see `SiteMetrics::flow_unresolved_mm`).
    #[serde(default)]
    pub flow_unresolved: bool,
}

/// Scale, small-vessel cutoff and the region over which densities are computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricsParams {
    /// Micrometres per pixel.
    pub um_per_px: f64,
    /// Vessels with diameter strictly below this are small (20 µm by default).
    pub small_vessel_cutoff_um: f64,
    /// `[x0, y0, x1, y1]` in reference-frame pixels.
    pub valid_region: [f64; 4],
}

/// The small-vessel cutoff of the consensus and of Dai et al. 2026.
pub const DEFAULT_SMALL_VESSEL_CUTOFF_UM: f64 = 20.0;

/// The SPEC `metrics` object of one site. `None` (JSON `null`) where a ratio has no
/// denominator, e.g. PPV of a field without vessels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SiteMetrics {
    pub small_vessel_cutoff_um: f64,
    pub area_mm2: f64,
    pub tvd_mm_per_mm2: f64,
    pub pvd_mm_per_mm2: f64,
    pub ppv_pct: Option<f64>,
    pub ppv_count_pct: Option<f64>,
    pub mfi: Option<f64>,
    pub mfi_quadrants: [Option<f64>; 4],
    pub mfi_vessel: Option<f64>,
    pub de_backer_per_mm: f64,
    pub mean_velocity_um_s: Option<f64>,
    pub tvd_all_mm_per_mm2: f64,
    pub pvd_all_mm_per_mm2: f64,
    pub ppv_all_pct: Option<f64>,
    /// Small-vessel length whose flow could not be told (mm): counted in TVD, left out of
    /// PPV and MFI rather than called no flow.
    #[serde(default)]
    pub flow_unresolved_mm: f64,
}

fn validate(vessels: &[MeasuredVessel], params: &MetricsParams) -> Result<Rect, MetricsError> {
    if !(params.um_per_px.is_finite() && params.um_per_px > 0.0) {
        return Err(MetricsError::BadScale(params.um_per_px));
    }
    let [x0, y0, x1, y1] = params.valid_region;
    if !([x0, y0, x1, y1].iter().all(|v| v.is_finite()) && x1 > x0 && y1 > y0) {
        return Err(MetricsError::EmptyRegion(params.valid_region));
    }
    for (index, v) in vessels.iter().enumerate() {
        let bad = |problem: &str| MetricsError::BadVessel {
            index,
            problem: problem.to_string(),
        };
        if !(v.diameter_um.is_finite() && v.diameter_um >= 0.0) {
            return Err(bad("diameter is not a finite non-negative number"));
        }
        if v.centerline_px.iter().flatten().any(|c| !c.is_finite()) {
            return Err(bad("centerline has a non-finite coordinate"));
        }
    }
    Ok(Rect { x0, y0, x1, y1 })
}

/// Length-weighted predominant class; ties go to the lower class, the conservative reading.
fn predominant_class(length_per_class: &[f64; 4]) -> Option<f64> {
    let total: f64 = length_per_class.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut best = 0;
    for class in 1..4 {
        if length_per_class[class] > length_per_class[best] {
            best = class;
        }
    }
    Some(best as f64)
}

fn ratio_pct(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| 100.0 * part / whole)
}

/// Computes every SPEC site metric.
pub fn site_metrics(
    vessels: &[MeasuredVessel],
    params: &MetricsParams,
) -> Result<SiteMetrics, MetricsError> {
    let region = validate(vessels, params)?;
    let mm_per_px = params.um_per_px / 1000.0;
    let area_mm2 = region.width() * region.height() * mm_per_px * mm_per_px;
    let quadrants = region.quadrants();

    let mut small_len = 0.0;
    let mut small_perfused_len = 0.0;
    let mut all_len = 0.0;
    let mut all_perfused_len = 0.0;
    let mut small_count = 0usize;
    let mut small_perfused_count = 0usize;
    let mut class_weighted = 0.0;
    let mut quadrant_class_len = [[0.0f64; 4]; 4];
    let mut velocity_weighted = 0.0;
    let mut velocity_len = 0.0;
    let mut crossings = 0usize;
    let mut unresolved_len = 0.0;
    let mut all_unresolved_len = 0.0;

    for v in vessels {
        let len_mm = clipped_length(&v.centerline_px, &region) * mm_per_px;
        if len_mm <= 0.0 {
            continue;
        }
        let perfused = v.flow_class.is_perfused() && !v.flow_unresolved;
        all_len += len_mm;
        if perfused {
            all_perfused_len += len_mm;
        }
        if v.flow_unresolved {
            all_unresolved_len += len_mm;
        }
        if v.diameter_um >= params.small_vessel_cutoff_um {
            continue;
        }
        small_len += len_mm;
        for line in region.de_backer_lines() {
            crossings += crossings_of_line(&v.centerline_px, &line);
        }
        if v.flow_unresolved {
            unresolved_len += len_mm;
            continue;
        }
        small_count += 1;
        if perfused {
            small_perfused_len += len_mm;
            small_perfused_count += 1;
        }
        class_weighted += len_mm * f64::from(v.flow_class);
        for (q, quadrant) in quadrants.iter().enumerate() {
            quadrant_class_len[q][v.flow_class.index()] +=
                clipped_length(&v.centerline_px, quadrant);
        }
        if let Some(speed) = v.velocity_um_s.filter(|s| s.is_finite()) {
            velocity_weighted += speed * len_mm;
            velocity_len += len_mm;
        }
    }
    // PPV and MFI are shares of the length whose flow was told.
    let told_len = small_len - unresolved_len;

    let mfi_quadrants = quadrant_class_len.map(|lengths| predominant_class(&lengths));
    let scored: Vec<f64> = mfi_quadrants.iter().flatten().copied().collect();
    let mfi = (!scored.is_empty()).then(|| scored.iter().sum::<f64>() / scored.len() as f64);
    // Three horizontal lines span the width, three vertical ones the height.
    let line_length_mm = 3.0 * (region.width() + region.height()) * mm_per_px;

    Ok(SiteMetrics {
        small_vessel_cutoff_um: params.small_vessel_cutoff_um,
        area_mm2,
        tvd_mm_per_mm2: small_len / area_mm2,
        pvd_mm_per_mm2: small_perfused_len / area_mm2,
        ppv_pct: ratio_pct(small_perfused_len, told_len),
        ppv_count_pct: ratio_pct(small_perfused_count as f64, small_count as f64),
        mfi,
        mfi_quadrants,
        mfi_vessel: (told_len > 0.0).then(|| class_weighted / told_len),
        de_backer_per_mm: crossings as f64 / line_length_mm,
        mean_velocity_um_s: (velocity_len > 0.0).then(|| velocity_weighted / velocity_len),
        tvd_all_mm_per_mm2: all_len / area_mm2,
        pvd_all_mm_per_mm2: all_perfused_len / area_mm2,
        ppv_all_pct: ratio_pct(all_perfused_len, all_len - all_unresolved_len),
        flow_unresolved_mm: unresolved_len,
    })
}

/// Heterogeneity index across the sites of one patient and day (Trzeciak S et al. Ann Emerg
/// Med 2007;49:88-98): (max MFI − min MFI) / mean MFI. `None` with no site or a zero mean.
///
/// ```
/// assert_eq!(mcvideo_metrics::heterogeneity_index(&[3.0, 2.0, 2.5]), Some(0.4));
/// assert_eq!(mcvideo_metrics::heterogeneity_index(&[]), None);
/// ```
pub fn heterogeneity_index(site_mfi: &[f64]) -> Option<f64> {
    if site_mfi.is_empty() || site_mfi.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let max = site_mfi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = site_mfi.iter().copied().fold(f64::INFINITY, f64::min);
    let mean = site_mfi.iter().sum::<f64>() / site_mfi.len() as f64;
    (mean > 0.0).then(|| (max - min) / mean)
}

impl SiteMetrics {
    /// The metrics as named numeric columns, in a fixed order, for CSV tables. The four
    /// quadrant scores become `mfi_q1` … `mfi_q4` (top-left, top-right, bottom-left,
    /// bottom-right).
    ///
    /// ```
    /// use mcvideo_metrics::SiteMetrics;
    /// let names: Vec<&str> = SiteMetrics::column_names().collect();
    /// assert_eq!(names[0], "small_vessel_cutoff_um");
    /// assert!(names.contains(&"ppv_pct") && names.contains(&"mfi_q4"));
    /// ```
    pub fn columns(&self) -> Vec<(&'static str, Option<f64>)> {
        vec![
            ("small_vessel_cutoff_um", Some(self.small_vessel_cutoff_um)),
            ("area_mm2", Some(self.area_mm2)),
            ("tvd_mm_per_mm2", Some(self.tvd_mm_per_mm2)),
            ("pvd_mm_per_mm2", Some(self.pvd_mm_per_mm2)),
            ("ppv_pct", self.ppv_pct),
            ("ppv_count_pct", self.ppv_count_pct),
            ("mfi", self.mfi),
            ("mfi_q1", self.mfi_quadrants[0]),
            ("mfi_q2", self.mfi_quadrants[1]),
            ("mfi_q3", self.mfi_quadrants[2]),
            ("mfi_q4", self.mfi_quadrants[3]),
            ("mfi_vessel", self.mfi_vessel),
            ("de_backer_per_mm", Some(self.de_backer_per_mm)),
            ("mean_velocity_um_s", self.mean_velocity_um_s),
            ("tvd_all_mm_per_mm2", Some(self.tvd_all_mm_per_mm2)),
            ("pvd_all_mm_per_mm2", Some(self.pvd_all_mm_per_mm2)),
            ("ppv_all_pct", self.ppv_all_pct),
            ("flow_unresolved_mm", Some(self.flow_unresolved_mm)),
        ]
    }

    /// The column names of [`SiteMetrics::columns`], without needing a value.
    pub fn column_names() -> impl Iterator<Item = &'static str> {
        let empty = SiteMetrics {
            small_vessel_cutoff_um: 0.0,
            area_mm2: 0.0,
            tvd_mm_per_mm2: 0.0,
            pvd_mm_per_mm2: 0.0,
            ppv_pct: None,
            ppv_count_pct: None,
            mfi: None,
            mfi_quadrants: [None; 4],
            mfi_vessel: None,
            de_backer_per_mm: 0.0,
            mean_velocity_um_s: None,
            tvd_all_mm_per_mm2: 0.0,
            pvd_all_mm_per_mm2: 0.0,
            ppv_all_pct: None,
            flow_unresolved_mm: 0.0,
        };
        empty.columns().into_iter().map(|(name, _)| name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vessel(points: &[[f64; 2]], diameter_um: f64, flow_class: u8) -> MeasuredVessel {
        MeasuredVessel {
            flow_unresolved: false,
            centerline_px: points.to_vec(),
            diameter_um,
            flow_class: FlowClass::try_from(flow_class).unwrap(),
            velocity_um_s: (flow_class >= 2).then_some(500.0),
        }
    }

    #[test]
    fn unresolved_flow_counts_in_tvd_and_is_left_out_of_ppv_and_mfi() {
        let flowing = vessel(&[[0.0, 20.0], [40.0, 20.0]], 6.0, 3);
        let stopped = vessel(&[[0.0, 30.0], [20.0, 30.0]], 6.0, 0);
        let unknown = MeasuredVessel {
            flow_unresolved: true,
            ..vessel(&[[0.0, 40.0], [60.0, 40.0]], 6.0, 0)
        };
        let m = site_metrics(&[flowing, stopped, unknown], &params()).unwrap();
        // At 2 µm/px TVD counts all 240 µm; PPV is 80 of the 120 µm whose flow was told.
        let area = m.area_mm2;
        assert!((m.tvd_mm_per_mm2 - 0.24 / area).abs() < 1e-9);
        assert!((m.ppv_pct.unwrap() - 100.0 * 40.0 / 60.0).abs() < 1e-9);
        assert_eq!(m.ppv_count_pct, Some(50.0));
        assert!((m.flow_unresolved_mm - 0.12).abs() < 1e-12);
        assert!((m.mfi_vessel.unwrap() - 3.0 * 40.0 / 60.0).abs() < 1e-9);
    }

    fn params() -> MetricsParams {
        MetricsParams {
            um_per_px: 2.0,
            small_vessel_cutoff_um: 20.0,
            valid_region: [0.0, 0.0, 100.0, 50.0],
        }
    }

    #[test]
    fn densities_split_small_and_large_and_perfused() {
        // Field 200 x 100 µm = 0.02 mm².
        let vessels = vec![
            vessel(&[[0.0, 10.0], [100.0, 10.0]], 8.0, 3), // 0.2 mm small perfused
            vessel(&[[0.0, 30.0], [50.0, 30.0]], 8.0, 1),  // 0.1 mm small intermittent
            vessel(&[[0.0, 40.0], [100.0, 40.0]], 30.0, 3), // 0.2 mm large perfused
        ];
        let m = site_metrics(&vessels, &params()).unwrap();
        assert!((m.area_mm2 - 0.02).abs() < 1e-15);
        assert!((m.tvd_mm_per_mm2 - 15.0).abs() < 1e-9);
        assert!((m.pvd_mm_per_mm2 - 10.0).abs() < 1e-9);
        assert!((m.ppv_pct.unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(m.ppv_count_pct, Some(50.0));
        assert!((m.tvd_all_mm_per_mm2 - 25.0).abs() < 1e-9);
        assert!((m.pvd_all_mm_per_mm2 - 20.0).abs() < 1e-9);
        assert!((m.ppv_all_pct.unwrap() - 80.0).abs() < 1e-9);
        // Length-weighted class: (0.2*3 + 0.1*1) / 0.3.
        assert!((m.mfi_vessel.unwrap() - 0.7 / 0.3).abs() < 1e-12);
    }

    #[test]
    fn lengths_are_clipped_to_the_valid_region() {
        let inside = vessel(&[[0.0, 10.0], [100.0, 10.0]], 8.0, 3);
        let sticking_out = vessel(&[[-100.0, 10.0], [200.0, 10.0]], 8.0, 3);
        let outside = vessel(&[[0.0, 60.0], [100.0, 60.0]], 8.0, 3);
        let a = site_metrics(&[inside], &params()).unwrap();
        let b = site_metrics(&[sticking_out, outside], &params()).unwrap();
        assert!((a.tvd_mm_per_mm2 - b.tvd_mm_per_mm2).abs() < 1e-12);
    }

    #[test]
    fn mfi_scores_each_quadrant_by_predominant_length() {
        // Quadrants of [0,100]x[0,50]: TL, TR, BL, BR split at x=50, y=25.
        let vessels = vec![
            vessel(&[[0.0, 10.0], [40.0, 10.0]], 8.0, 3), // TL: 40 px class 3
            vessel(&[[0.0, 20.0], [10.0, 20.0]], 8.0, 0), // TL: 10 px class 0
            vessel(&[[60.0, 10.0], [90.0, 10.0]], 8.0, 1), // TR: class 1
            vessel(&[[10.0, 40.0], [40.0, 40.0]], 8.0, 2), // BL: class 2
        ];
        let m = site_metrics(&vessels, &params()).unwrap();
        assert_eq!(m.mfi_quadrants, [Some(3.0), Some(1.0), Some(2.0), None]);
        assert_eq!(m.mfi, Some(2.0));
    }

    #[test]
    fn mean_velocity_is_length_weighted_over_small_vessels() {
        let mut a = vessel(&[[0.0, 10.0], [75.0, 10.0]], 8.0, 3);
        a.velocity_um_s = Some(400.0);
        let mut b = vessel(&[[0.0, 20.0], [25.0, 20.0]], 8.0, 3);
        b.velocity_um_s = Some(800.0);
        let mut big = vessel(&[[0.0, 30.0], [100.0, 30.0]], 40.0, 3);
        big.velocity_um_s = Some(5000.0);
        let m = site_metrics(&[a, b, big], &params()).unwrap();
        assert!((m.mean_velocity_um_s.unwrap() - 500.0).abs() < 1e-9);
    }

    #[test]
    fn de_backer_counts_crossings_per_mm_of_grid_line() {
        // A vertical vessel at x=10 crosses the 3 horizontal lines (y=12.5, 25, 37.5).
        let m = site_metrics(&[vessel(&[[10.0, 0.0], [10.0, 50.0]], 8.0, 3)], &params()).unwrap();
        let line_mm = 3.0 * (200.0 + 100.0) / 1000.0;
        assert!((m.de_backer_per_mm - 3.0 / line_mm).abs() < 1e-12);
    }

    #[test]
    fn empty_field_has_null_ratios() {
        let m = site_metrics(&[], &params()).unwrap();
        assert_eq!(m.tvd_mm_per_mm2, 0.0);
        assert_eq!(m.ppv_pct, None);
        assert_eq!(m.mfi, None);
        assert_eq!(m.mfi_vessel, None);
        assert_eq!(m.mean_velocity_um_s, None);
    }

    #[test]
    fn bad_input_is_rejected() {
        let mut p = params();
        p.valid_region = [10.0, 0.0, 10.0, 50.0];
        assert!(matches!(
            site_metrics(&[], &p),
            Err(MetricsError::EmptyRegion(_))
        ));
        let mut p = params();
        p.um_per_px = 0.0;
        assert!(matches!(
            site_metrics(&[], &p),
            Err(MetricsError::BadScale(_))
        ));
        let v = vessel(&[[0.0, f64::NAN]], 8.0, 3);
        assert!(matches!(
            site_metrics(&[v], &params()),
            Err(MetricsError::BadVessel { index: 0, .. })
        ));
        let class_four = r#"{"centerline_px": [[0.0, 1.0]], "diameter_um": 8.0, "flow_class": 4, "velocity_um_s": null}"#;
        assert!(serde_json::from_str::<MeasuredVessel>(class_four).is_err());
    }

    proptest::proptest! {
        #[test]
        fn ppv_is_a_percentage_and_pvd_never_exceeds_tvd(
            ys in proptest::collection::vec((0.0f64..50.0, 0u8..4, 2.0f64..40.0), 1..20)
        ) {
            let vessels: Vec<_> = ys.iter().map(|&(y, c, d)| vessel(&[[-5.0, y], [70.0, y + 3.0]], d, c)).collect();
            let m = site_metrics(&vessels, &params()).unwrap();
            proptest::prop_assert!(m.pvd_mm_per_mm2 <= m.tvd_mm_per_mm2 + 1e-12);
            proptest::prop_assert!(m.tvd_mm_per_mm2 <= m.tvd_all_mm_per_mm2 + 1e-12);
            if let Some(ppv) = m.ppv_pct { proptest::prop_assert!((0.0..=100.0 + 1e-9).contains(&ppv)); }
            if let Some(mfi) = m.mfi { proptest::prop_assert!((0.0..=3.0).contains(&mfi)); }
        }
    }
}

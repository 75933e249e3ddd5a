//! Fills the quality items that need vessels and flow: content and pressure (Massey et al. 2013).

use crate::report::VesselReport;
use mcvideo_metrics::SiteMetrics;
use mcvideo_quality::{
    grade_content, grade_pressure, ContentInput, PressureInput, Quality, QualityParams,
};

/// Grades content from the detected vessels and pressure from the flow in the venules.
pub fn fill(
    quality: &mut Quality,
    vessels: &[VesselReport],
    metrics: &SiteMetrics,
    params: &QualityParams,
    valid_area_fraction: f64,
) {
    let content = ContentInput {
        tvd_small_mm_per_mm2: metrics.tvd_mm_per_mm2,
        n_small_vessels: vessels.iter().filter(|v| v.small).count(),
        n_vessels: vessels.len(),
        valid_area_fraction,
        looped_fraction: None,
        occluded_fraction: None,
    };
    grade_content(quality, &content, params);
    // Only venule segments at least two diameters long are judged: stubs at the border or at
    // junctions carry too few cells to say whether the flow is impaired.
    let pressure = PressureInput {
        venule_flow_classes: vessels
            .iter()
            .filter(|v| !v.small && v.length_um >= 2.0 * v.diameter_um)
            .map(|v| v.flow_class.into())
            .collect(),
    };
    grade_pressure(quality, &pressure, params);
}

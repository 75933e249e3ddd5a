//! The score overlay: the mean image with centerlines coloured by flow class, and a legend.

use crate::report::VesselReport;
use mcvideo_overlay::{
    encode_png, flow_class_color, gray_background, render_overlay, OverlayError, OverlayLine,
    FLOW_LEGEND, UNRESOLVED_FLOW_COLOR,
};
use mcvideo_stabilize::FloatImage;

/// Draws the overlay PNG of a scored clip.
pub fn draw_score_overlay(
    mean: &FloatImage,
    vessels: &[VesselReport],
) -> Result<Vec<u8>, OverlayError> {
    let background = gray_background(mean.as_raw(), mean.width(), mean.height())?;
    let lines: Vec<OverlayLine> = vessels
        .iter()
        .map(|v| OverlayLine {
            points: v.centerline_px.clone(),
            color: if v.flow_unresolved {
                UNRESOLVED_FLOW_COLOR
            } else {
                flow_class_color(v.flow_class.into())
            },
            // Large vessels drawn thicker, so the small/large split also shows.
            width: if v.small { 2.0 } else { 4.0 },
        })
        .collect();
    let mut legend: Vec<(String, [u8; 3])> = FLOW_LEGEND
        .iter()
        .map(|(label, class)| (label.to_string(), flow_class_color(*class)))
        .collect();
    if vessels.iter().any(|v| v.flow_unresolved) {
        legend.push(("Flow not resolved".to_string(), UNRESOLVED_FLOW_COLOR));
    }
    let image = render_overlay(background, &lines, &legend, Some("Flow class"));
    encode_png(&image)
}

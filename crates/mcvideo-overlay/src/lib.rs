//! Overlay pictures: the stabilized mean image with vessel centerlines coloured by class, and a legend.
//!
//! The overlay is the picture a clinician checks at a glance: did the detector find the
//! vessels, and which ones flow? Plain functions over `image` types, as imageproc writes them.

pub mod draw;
pub mod palette;
pub mod text;

pub use draw::{encode_png, gray_background, render_overlay, OverlayError, OverlayLine};
pub use palette::{
    diameter_class_color, flow_class_color, DIAMETER_LEGEND, FLOW_LEGEND, UNRESOLVED_FLOW_COLOR,
};

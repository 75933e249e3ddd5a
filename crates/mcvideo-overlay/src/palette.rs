//! Colours for vessel classes, chosen to stay distinguishable for red–green colour-blind readers.

/// Colour of a consensus flow class (0 none, 1 intermittent, 2 sluggish, 3 continuous).
///
/// A blue-to-red ramp would hide the perfused/non-perfused split, so the two non-perfused
/// classes are warm (red, orange) and the perfused ones cool (sky blue, bluish green), after
/// the Okabe–Ito palette.
///
/// ```
/// assert_eq!(mcvideo_overlay::flow_class_color(3), [0, 158, 115]);
/// assert_eq!(mcvideo_overlay::flow_class_color(9), [255, 0, 255]);
/// ```
pub fn flow_class_color(class: u8) -> [u8; 3] {
    match class {
        0 => [213, 94, 0],
        1 => [230, 159, 0],
        2 => [86, 180, 233],
        3 => [0, 158, 115],
        // An impossible class is drawn magenta so that it is noticed.
        _ => [255, 0, 255],
    }
}

/// Colour of a vessel whose flow could not be told (neither moving nor stopped on any
/// evidence): a neutral grey, apart from the four classes' hues.
///
/// ```
/// assert_eq!(mcvideo_overlay::UNRESOLVED_FLOW_COLOR, [150, 150, 150]);
/// ```
pub const UNRESOLVED_FLOW_COLOR: [u8; 3] = [150, 150, 150];

/// Legend entries for flow classes.
pub const FLOW_LEGEND: [(&str, u8); 4] = [
    ("0 no flow", 0),
    ("1 intermittent", 1),
    ("2 sluggish", 2),
    ("3 continuous", 3),
];

/// Colour of a diameter class: small vessels (below the cutoff) sky blue, large ones orange.
///
/// ```
/// assert_eq!(mcvideo_overlay::diameter_class_color(8.0, 20.0), [86, 180, 233]);
/// assert_eq!(mcvideo_overlay::diameter_class_color(25.0, 20.0), [230, 159, 0]);
/// ```
pub fn diameter_class_color(diameter_um: f64, cutoff_um: f64) -> [u8; 3] {
    if diameter_um < cutoff_um {
        [86, 180, 233]
    } else {
        [230, 159, 0]
    }
}

/// Legend entries for diameter classes: (label, representative diameter relative to cutoff).
pub const DIAMETER_LEGEND: [(&str, bool); 2] = [("Small vessel", true), ("Large vessel", false)];

//! Sub-pixel frame registration by phase correlation, stabilized frames and temporal mean image.
//!
//! [`stabilize`] registers every frame of a clip to a reference frame (translation only) and
//! reports per-frame shifts in the SPEC convention: a point at (x, y) of the reference frame
//! lies at (x + dx, y + dy) in frame t. Later stages sample frame t at `p + shifts_px[t]`
//! ([`sample_bilinear`]) instead of warping copies; [`mean_image`] and [`median_image`] give
//! the temporal background in reference coordinates for vessel detection.

mod error;
mod mean;
mod phase_correlation;
mod preprocess;
mod refine;
mod register;
mod sample;
mod work_images;

pub use error::StabilizeError;
pub use mean::{mean_image, median_image, stabilized_frame, std_image, to_gray8};
pub use register::stabilize;
pub use sample::sample_bilinear;

use image::{ImageBuffer, Luma};
use serde::{Deserialize, Serialize};

/// A single-channel f32 image (reference-frame coordinates for stabilized products).
pub type FloatImage = ImageBuffer<Luma<f32>, Vec<f32>>;

/// Tuning of [`stabilize`]. Sizes are in working (downsampled) pixels unless named `_px`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StabilizeParams {
    /// Downsampling factor of the working images; `None` picks max(1, min(w, h) / 190)
    /// (integer division: 1 up to 379 px, 3 for 720×576).
    pub downsample: Option<u32>,
    /// Largest correlation window side (working px); the window is also at most
    /// `window_fraction` of the working frame.
    pub max_window: usize,
    /// Window side as a fraction of the working frame side.
    pub window_fraction: f64,
    /// Tapered fraction of the Tukey window.
    pub taper_fraction: f64,
    /// Exponent p of the cross-power whitening |X|^-p (1 = pure phase correlation).
    pub whitening: f64,
    /// Pixels darker than this frame quantile are clipped (flattens vessel interiors, where
    /// red cells move); 0 disables.
    pub clip_dark_quantile: f64,
    /// Radius of the box high-pass that removes illumination and vignetting (working px).
    pub highpass_radius: usize,
    /// Gauss–Newton iterations of the sub-pixel refinement.
    pub refine_iterations: usize,
    /// The refinement uses every `refine_stride`-th working pixel in x and y; `None` picks
    /// the stride that leaves about 12 000 pixels (speed on large frames).
    pub refine_stride: Option<usize>,
    /// Re-register every kept frame to the temporal mean after the first pass.
    pub refine_to_mean: bool,
    /// A frame is unregistered below this normalized cross-correlation...
    pub min_ncc: f64,
    /// ...or below this fraction of the clip's median normalized cross-correlation.
    pub min_relative_ncc: f64,
    /// A frame whose sharpness in some direction (0°, 45°, 90°, 135°) is below this fraction
    /// of the clip median in that direction is motion-blurred.
    pub blur_ratio: f64,
    /// A frame whose first registration lands further than this (working px) from the
    /// median of its two neighbours on each side is a spike: faint, noisy frames let a
    /// spurious correlation peak win, while the hand moves the field smoothly or jumps and
    /// stays. It is registered again from its neighbour's shift and takes that result when
    /// it correlates nearly as well (at least 0.9 times). 0 disables.
    pub max_spike_px: f64,
}

impl Default for StabilizeParams {
    fn default() -> Self {
        StabilizeParams {
            downsample: None,
            max_window: 256,
            window_fraction: 0.5,
            taper_fraction: 0.5,
            whitening: 0.5,
            clip_dark_quantile: 0.2,
            highpass_radius: 6,
            refine_iterations: 10,
            refine_stride: None,
            refine_to_mean: true,
            min_ncc: 0.15,
            min_relative_ncc: 0.5,
            blur_ratio: 0.5,
            max_spike_px: 8.0,
        }
    }
}

/// Why a frame was or was not registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FrameStatus {
    /// The reference frame itself.
    Reference,
    /// Registered to the reference (kept).
    Registered,
    /// Correlation too low after registration: occlusion, violent motion, other field.
    LowCorrelation,
    /// Much less sharp than the clip median: motion blur or focus loss.
    Blurred,
    /// Too little of the reference left in view; the shift comes from chaining to the
    /// neighbouring frame.
    OutOfField,
}

/// Per-frame registration diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FrameRegistration {
    pub status: FrameStatus,
    /// Normalized cross-correlation of the working images after registration.
    pub ncc: f64,
    /// Phase correlation peak over the next highest peak; infinite for the reference frame,
    /// which JSON writes as `null` (hence the schema's number-or-null).
    #[schemars(with = "Option<f64>")]
    pub peak_ratio: f64,
    /// Mean squared gradient of the working image (sharpness, arbitrary units).
    pub sharpness: f64,
    /// Smallest directional sharpness over the clip median in that direction.
    pub blur_score: f64,
}

/// Result of [`stabilize`]. Shifts and regions are in full-resolution pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Stabilization {
    /// `shifts_px[t] = [dx, dy]`: a point at (x, y) of the reference lies at (x+dx, y+dy) in frame t.
    pub shifts_px: Vec<[f64; 2]>,
    pub reference_frame: usize,
    /// RMS over kept frames of the difference between each frame's registration to the
    /// reference frame and its registration to the temporal mean of the kept frames
    /// (re-anchored on the reference): an estimate of the per-frame registration error.
    pub residual_rms_px: f64,
    /// [x0, y0, x1, y1] in reference pixel-edge coordinates (a still clip gives
    /// [0, 0, width, height]): the part of the reference seen in every kept frame.
    pub valid_region: [f64; 4],
    /// false = the frame could not be registered (see `frames[t].status`).
    pub kept: Vec<bool>,
    pub unregistered_frames: usize,
    /// Largest |shift| over kept frames.
    pub max_displacement_px: f64,
    /// Largest |shift| over all frames, including unregistered ones (chained estimates).
    pub max_displacement_all_px: f64,
    /// Extent of the kept shifts: [max dx − min dx, max dy − min dy].
    pub shift_range_px: [f64; 2],
    /// Largest frame-to-frame displacement between consecutive frames.
    pub max_jump_px: f64,
    /// Frames flagged as blurred.
    pub blurred_frames: usize,
    pub width: u32,
    pub height: u32,
    pub downsample: u32,
    pub frames: Vec<FrameRegistration>,
}

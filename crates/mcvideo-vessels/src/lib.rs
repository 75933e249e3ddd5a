//! Vessel segmentation of the stabilized mean image of a sidestream dark-field clip:
//! background correction, multiscale Hessian ridges with sub-pixel centerlines (Steger 1998),
//! the vessel graph split into segments at junctions, pruning, and diameters from the cross
//! profile.
//!
//! ```
//! use mcvideo_vessels::{detect_vessels, FloatImage, VesselParams};
//! // A 120 x 80 field of textured tissue with a dark horizontal capillary 5 px wide at y = 40.
//! let img = FloatImage::from_fn(120, 80, |x, y| {
//!     let (xf, yf) = (x as f32, y as f32);
//!     let tissue = 200.0 + 4.0 * (0.9 * xf).sin() * (1.3 * yf).cos() + 3.0 * (0.37 * xf + 0.5 * yf).sin();
//!     image::Luma([if (38..=42).contains(&y) { 0.75 * tissue } else { tissue }])
//! });
//! let vessels = detect_vessels(&img, 1.0, [0.0, 0.0, 120.0, 80.0], &VesselParams::default()).unwrap();
//! assert_eq!(vessels.len(), 1);
//! assert!((vessels[0].diameter_um - 5.0).abs() < 0.5);
//! assert!(vessels[0].small);
//! assert!(vessels[0].centerline_px.iter().all(|p| (p[1] - 40.0).abs() < 0.3));
//! ```

pub mod background;
pub mod bridge;
pub mod diameter;
pub mod ends;
pub mod gaussian;
pub mod graph;
pub mod join;
pub mod lumen;
pub mod motion;
pub mod polarity;
pub mod polyline;
pub mod ridge;
pub mod skeleton;

use graph::{EdgeEnd, PixelEdge};
use image::{ImageBuffer, Luma};
use serde::{Deserialize, Serialize};

/// Float grey image, same type as `mcvideo_stabilize::FloatImage`.
pub type FloatImage = ImageBuffer<Luma<f32>, Vec<f32>>;

/// Errors of vessel detection.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum VesselError {
    /// The scale is not a positive finite number.
    #[error("um_per_px {0} must be positive and finite")]
    BadScale(f64),
    /// The valid region does not overlap the image.
    #[error("valid region {region:?} is empty or outside the {width}x{height} image")]
    EmptyRegion {
        region: [f64; 4],
        width: u32,
        height: u32,
    },
    /// The image is too small to hold a vessel.
    #[error("mean image {0}x{1} is smaller than 16x16")]
    ImageTooSmall(u32, u32),
    /// The mean image holds NaN or infinite values.
    #[error("mean image has a non-finite pixel at ({0}, {1})")]
    NonFinitePixel(u32, u32),
    /// A parameter is out of range.
    #[error("bad vessel parameter: {0}")]
    BadParams(String),
}

/// Detection parameters. Lengths in µm are converted to px through the calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VesselParams {
    /// Vessels with a diameter strictly below this are small (consensus: 20 µm).
    pub small_vessel_cutoff_um: f64,
    /// Smallest vessel diameter looked for (sets the finest ridge scale).
    pub min_diameter_um: f64,
    /// Largest vessel diameter looked for (sets the coarsest scale and the background window).
    pub max_diameter_um: f64,
    /// Segments with a free end are kept only when they reach this far beyond the wall of the
    /// vessel they branch from; isolated segments only when at least this long and twice
    /// their own diameter.
    pub min_segment_length_um: f64,
    /// Ratio between consecutive ridge scales.
    pub scale_ratio: f64,
    /// Frangi's blob sensitivity beta (larger keeps more blob-like responses). The default 3
    /// suppresses a round blob by at most 5%: with Frangi's usual 0.5–0.75 the synthetic
    /// acceptance suite lost static-cell dots and junctions and gained texture (0.75: found
    /// 90.2%, false 7.3%, 32 of 63 clips meeting both targets; 3: 91.3%, 4.8%, 44 of 63).
    pub blob_beta: f64,
    /// Lowest relative lumen contrast (0.02 = 2 % darker than the background) a vessel must
    /// reach somewhere to be seeded.
    pub min_contrast: f64,
    /// Seed threshold on the ridge score: strength over the median strength of its scale
    /// across the image (the texture and noise clutter of that scale). A seed needs both
    /// this and `min_contrast`.
    pub seed_over_background: f64,
    /// Hysteresis: the growing threshold as a fraction of the seed threshold.
    pub grow_fraction: f64,
    /// Half window (points, ~px) of the centerline moving average.
    pub smooth_half_window: usize,
    /// FWHM range (µm) over which the FWHM-to-diameter factor ramps from 1 (capillaries with
    /// single-file cells) to 2/sqrt(3) (cylindrical lumen); see [`cylinder_factor`].
    pub cylinder_ramp_um: [f64; 2],
    /// Longest gap (µm) bridged along the ridge direction between two collinear ridge
    /// pieces (no-flow capillaries are dotted lines of static cells); 0 disables.
    pub bridge_gap_um: f64,
    /// Cosine of the largest angle between the ridge directions on the two sides of a gap.
    pub bridge_min_cos: f64,
    /// Lowest significance (1 = seed level) of a gap pixel that may be bridged: the plasma
    /// between static cells still gives a faint ridge response, bare tissue does not.
    pub bridge_min_significance: f64,
    /// With the temporal standard deviation image: weight of the relative temporal modulation
    /// (`std / mean`, see [`motion::relative_modulation`]) added to the relative contrast before
    /// the ridge filter, so a faint lumen that carries moving cells is a stronger line while
    /// static texture is unchanged (0 disables). 0.5 counts a modulation of 0.1 as 5% contrast.
    /// Off by default: it finds flowing capillaries in heavy texture (synthetic acceptance
    /// suite at 0.5 with `motion_boost` 0.75: TVD within ±8% on 60 instead of 56 of 63 clips,
    /// false length 4.1% instead of 5.0%) but not stopped ones, so detected length leans further
    /// towards flow and PPV rises above the truth (end to end within ±5 points on 27 instead of
    /// 30 of 36 clips). Turn it on when density matters more than PPV.
    pub motion_evidence: f64,
    /// With the temporal standard deviation image: a ridge on moving cells counts up to
    /// `1 + motion_boost` times its significance (0 disables).
    pub motion_boost: f64,
    /// Motion z-scores (see [`motion::motion_z`]) where the boost starts and where it is full.
    pub motion_z_range: [f64; 2],
    /// Small-vessel centerlines are cut where they run inside a part of the vessel mask that
    /// holds a disk this wide (µm): the lumen of a wide venule (see [`lumen`]). 0 disables.
    pub wide_lumen_um: f64,
    /// A free end of a centerline stops at the last skeleton pixel whose sub-pixel ridge
    /// centre lies within this many px (in x and in y) of it; skeleton beyond it runs through
    /// mask grown past the line's end (see [`ends`]). 0 keeps the skeleton's ends. On the
    /// synthetic acceptance suite (63 clips) 1.5 px put small TVD within ±8% on 60 instead
    /// of 55 clips and cut false length from 5.7% to 4.9% for 0.3 points of found length;
    /// 1.0 px cut true line ends in heavy texture, 2.0 px left more tails (57 of 63).
    pub end_ridge_offset_px: f64,
    /// Two pieces whose cells stand still (flow class 0) are one vessel across a plasma gap
    /// up to this long (µm) when their free ends face each other (see [`join`]); 0 disables.
    /// The score pipeline applies it once flow is known.
    pub join_stopped_gap_um: f64,
    /// Largest angle (degrees) between each free end's direction and the line to the other.
    pub join_max_angle_deg: f64,
}

impl Default for VesselParams {
    fn default() -> Self {
        VesselParams {
            small_vessel_cutoff_um: 20.0,
            min_diameter_um: 4.0,
            max_diameter_um: 60.0,
            min_segment_length_um: 6.0,
            scale_ratio: 1.35,
            blob_beta: 3.0,
            min_contrast: 0.03,
            seed_over_background: 2.5,
            grow_fraction: 0.7,
            smooth_half_window: 2,
            cylinder_ramp_um: [10.0, 16.0],
            bridge_gap_um: 10.0,
            bridge_min_cos: 0.95,
            bridge_min_significance: 0.2,
            motion_evidence: 0.0,
            motion_boost: 1.5,
            motion_z_range: [6.0, 15.0],
            wide_lumen_um: 30.0,
            end_ridge_offset_px: 1.5,
            join_stopped_gap_um: 40.0,
            join_max_angle_deg: 30.0,
        }
    }
}

/// One vessel segment between junctions or free ends, clipped to the valid region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VesselSegment {
    pub id: usize,
    /// Sub-pixel centerline in reference-frame pixels, about 1 px between points.
    pub centerline_px: Vec<[f64; 2]>,
    pub length_px: f64,
    /// Lumen diameter (FWHM of the background-corrected cross profile).
    pub diameter_px: f64,
    pub diameter_um: f64,
    /// `diameter_um < small_vessel_cutoff_um`.
    pub small: bool,
    /// Relative lumen contrast of the cross profile (0.1 = 10 % darker than background).
    pub contrast: f64,
}

fn validate(
    mean: &FloatImage,
    um_per_px: f64,
    region: [f64; 4],
    params: &VesselParams,
) -> Result<[f64; 4], VesselError> {
    if !(um_per_px.is_finite() && um_per_px > 0.0) {
        return Err(VesselError::BadScale(um_per_px));
    }
    let (w, h) = mean.dimensions();
    if w < 16 || h < 16 {
        return Err(VesselError::ImageTooSmall(w, h));
    }
    if let Some((x, y, _)) = mean.enumerate_pixels().find(|(_, _, p)| !p[0].is_finite()) {
        return Err(VesselError::NonFinitePixel(x, y));
    }
    let clipped = [
        region[0].max(0.0),
        region[1].max(0.0),
        region[2].min(f64::from(w - 1)),
        region[3].min(f64::from(h - 1)),
    ];
    if !(region.iter().all(|v| v.is_finite()) && clipped[2] > clipped[0] && clipped[3] > clipped[1])
    {
        return Err(VesselError::EmptyRegion {
            region,
            width: w,
            height: h,
        });
    }
    let positive = [
        ("min_diameter_um", params.min_diameter_um),
        ("max_diameter_um", params.max_diameter_um),
        ("small_vessel_cutoff_um", params.small_vessel_cutoff_um),
        ("blob_beta", params.blob_beta),
        ("grow_fraction", params.grow_fraction),
    ];
    for (name, v) in positive {
        if !(v.is_finite() && v > 0.0) {
            return Err(VesselError::BadParams(format!(
                "{name} = {v} must be positive"
            )));
        }
    }
    let zero_or_positive = [
        ("bridge_gap_um", params.bridge_gap_um),
        ("wide_lumen_um", params.wide_lumen_um),
        ("end_ridge_offset_px", params.end_ridge_offset_px),
        ("join_stopped_gap_um", params.join_stopped_gap_um),
    ];
    for (name, v) in zero_or_positive {
        if !(v.is_finite() && v >= 0.0) {
            return Err(VesselError::BadParams(format!(
                "{name} = {v} must be zero or positive"
            )));
        }
    }
    if !(0.0..=1.0).contains(&params.bridge_min_cos) {
        return Err(VesselError::BadParams(format!(
            "bridge_min_cos = {} must lie in 0..=1",
            params.bridge_min_cos
        )));
    }
    if !(0.0..=90.0).contains(&params.join_max_angle_deg) {
        return Err(VesselError::BadParams(format!(
            "join_max_angle_deg = {} must lie in 0..=90",
            params.join_max_angle_deg
        )));
    }
    if !(params.motion_evidence.is_finite() && params.motion_evidence >= 0.0) {
        return Err(VesselError::BadParams(format!(
            "motion_evidence = {} must be zero or positive",
            params.motion_evidence
        )));
    }
    if !(params.motion_boost.is_finite() && params.motion_boost >= 0.0) {
        return Err(VesselError::BadParams(format!(
            "motion_boost = {} must be zero or positive",
            params.motion_boost
        )));
    }
    let [z_lo, z_hi] = params.motion_z_range;
    if !(z_lo.is_finite() && z_hi.is_finite() && z_hi > z_lo) {
        return Err(VesselError::BadParams(format!(
            "motion_z_range = [{z_lo}, {z_hi}] must be increasing"
        )));
    }
    if params.max_diameter_um < params.min_diameter_um {
        return Err(VesselError::BadParams(
            "max_diameter_um < min_diameter_um".into(),
        ));
    }
    if !(params.scale_ratio.is_finite() && params.scale_ratio > 1.0) {
        return Err(VesselError::BadParams(format!(
            "scale_ratio = {} must exceed 1",
            params.scale_ratio
        )));
    }
    Ok(clipped)
}

/// Median (upper middle for even counts); 0 for no values.
pub(crate) fn median(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    *m
}

/// FWHM-to-diameter factor. Red cells in single file fill a capillary lumen and its mean
/// profile is about as wide at half maximum as the lumen; in wider vessels the absorbance
/// follows the chord through a cylinder, `sqrt(1 - (x/r)^2)`, whose FWHM is `sqrt(3)/2` of the
/// diameter. The factor ramps linearly between the two over `cylinder_ramp_um`.
///
/// ```
/// let p = mcvideo_vessels::VesselParams::default();
/// assert_eq!(mcvideo_vessels::cylinder_factor(6.0, &p), 1.0);
/// assert!((mcvideo_vessels::cylinder_factor(30.0, &p) - 2.0 / 3f64.sqrt()).abs() < 1e-12);
/// ```
pub fn cylinder_factor(fwhm_um: f64, params: &VesselParams) -> f64 {
    let [lo, hi] = params.cylinder_ramp_um;
    let full = 2.0 / 3f64.sqrt();
    if fwhm_um <= lo {
        1.0
    } else if fwhm_um >= hi || hi <= lo {
        full
    } else {
        1.0 + (full - 1.0) * (fwhm_um - lo) / (hi - lo)
    }
}

/// The last point of a line and its outward unit tangent (over the last four steps, which
/// the sub-pixel jitter of single points would otherwise tilt); `None` for lines of fewer than
/// three points or with no direction.
pub(crate) fn end_tangent(points: &[[f64; 2]]) -> Option<([f64; 2], [f64; 2])> {
    let n = points.len();
    if n < 3 {
        return None;
    }
    let end = points[n - 1];
    let back = points[n.saturating_sub(5)];
    let (dx, dy) = (end[0] - back[0], end[1] - back[1]);
    let norm = dx.hypot(dy);
    (norm > 0.0).then(|| (end, [dx / norm, dy / norm]))
}

/// Moves the last point of `points` outwards along the end tangent, in 0.5 px steps up to
/// `reach` px, while the step stays inside `mask`.
fn extend_end(points: &mut [[f64; 2]], mask: &[bool], width: usize, height: usize, reach: f64) {
    let Some((end, [ux, uy])) = end_tangent(points) else {
        return;
    };
    let mut best = end;
    let mut step = 0.5;
    while step <= reach {
        let p = [end[0] + step * ux, end[1] + step * uy];
        let (x, y) = (p[0].round(), p[1].round());
        if x < 0.0 || y < 0.0 || x >= width as f64 || y >= height as f64 {
            break;
        }
        if !mask[y as usize * width + x as usize] {
            break;
        }
        best = p;
        step += 0.5;
    }
    if let Some(last) = points.last_mut() {
        *last = best;
    }
}

/// Carries a free end on along its tangent to the border of `rect` when the border lies
/// within `reach` px ahead. The Hessian fades and thinning retreats within a radius of the
/// image border, so a vessel that leaves the field otherwise stops a few pixels short of it.
fn reach_border(points: &mut Vec<[f64; 2]>, rect: [f64; 4], reach: f64) {
    let Some((end, [ux, uy])) = end_tangent(points) else {
        return;
    };
    // Distance along the tangent to the first border crossed.
    let exit = |p: f64, u: f64, lo: f64, hi: f64| {
        if u > 1e-9 {
            (hi - p) / u
        } else if u < -1e-9 {
            (lo - p) / u
        } else {
            f64::INFINITY
        }
    };
    let t = exit(end[0], ux, rect[0], rect[2]).min(exit(end[1], uy, rect[1], rect[3]));
    if t > 0.0 && t <= reach {
        points.push([end[0] + t * ux, end[1] + t * uy]);
    }
}

/// How far ahead of a free end the field's border may lie for the end to be carried to it:
/// the two image-border pixels the ridge filter leaves out, and two for thinning's retreat.
const BORDER_REACH_PX: f64 = 4.0;

/// Significance of a seed pixel: hysteresis grows lines from pixels at least this
/// significant, and the gap bridge counts them as voters.
const SEED_SIGNIFICANCE: f32 = 1.0;

/// A measured skeleton edge before it becomes segments.
struct Line {
    points: Vec<[f64; 2]>,
    /// Points inside a wide lumen (all false for a wide line or with the cut disabled).
    inside: Vec<bool>,
    ends: [EdgeEnd; 2],
    diameter_px: f64,
    contrast_peak: f64,
    /// The ridge-scale diameter, the profile's search width.
    guess: f64,
}

/// A capillary crossing a venule is thinned into two lines that meet on the venule's axis
/// from opposite walls, in line with each other; a branch that merely runs into the lumen
/// from one wall has no such partner. Crossing pairs keep their runs inside the lumen. Their
/// ends may sit on two junction nodes a few pixels apart, hence `meet_px`.
fn keep_crossings(lines: &mut [Line], meet_px: f64) {
    // Ends inside a lumen at a junction: (end point, line, which end, arrival direction).
    let mut tails = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        for (side, end) in line.ends.iter().enumerate() {
            if let (EdgeEnd::Junction(_), Some(dir)) = (
                end,
                lumen::tail_direction(&line.points, &line.inside, side == 1),
            ) {
                let point = if side == 1 {
                    line.points[line.points.len() - 1]
                } else {
                    line.points[0]
                };
                tails.push((point, k, side, dir));
            }
        }
    }
    // Opposite arrivals within 30 degrees of a straight line.
    let straight = -(30f64.to_radians().cos());
    let mut keep = Vec::new();
    for (a, &(pa, ka, sa, da)) in tails.iter().enumerate() {
        for &(pb, kb, sb, db) in &tails[a + 1..] {
            let apart = (pa[0] - pb[0]).hypot(pa[1] - pb[1]);
            if ka != kb && apart <= meet_px && da[0] * db[0] + da[1] * db[1] <= straight {
                keep.push((ka, sa));
                keep.push((kb, sb));
            }
        }
    }
    for (k, side) in keep {
        let inside = &mut lines[k].inside;
        let n = inside.len();
        for i in 0..n {
            let idx = if side == 1 { n - 1 - i } else { i };
            if !inside[idx] {
                break;
            }
            inside[idx] = false;
        }
    }
}

/// Finds the vessels of a mean image (vessels dark on bright). Returns segments split at
/// junctions, clipped to `valid_region` (`[x0, y0, x1, y1]`, reference-frame px), in a
/// deterministic order with `id` = index.
pub fn detect_vessels(
    mean: &FloatImage,
    um_per_px: f64,
    valid_region: [f64; 4],
    params: &VesselParams,
) -> Result<Vec<VesselSegment>, VesselError> {
    detect_vessels_with_motion(mean, None, um_per_px, valid_region, params)
}

/// [`detect_vessels`] with the clip's temporal standard deviation image as evidence of flow:
/// faint ridges of the mean image that carry moving cells are kept, where texture of the
/// same faintness is not. `std` must have the mean image's size.
pub fn detect_vessels_with_motion(
    mean: &FloatImage,
    std: Option<&FloatImage>,
    um_per_px: f64,
    valid_region: [f64; 4],
    params: &VesselParams,
) -> Result<Vec<VesselSegment>, VesselError> {
    let region = validate(mean, um_per_px, valid_region, params)?;
    if let Some(s) = std
        && s.dimensions() != mean.dimensions()
    {
        return Err(VesselError::BadParams(format!(
            "std image {:?} differs from mean image {:?}",
            s.dimensions(),
            mean.dimensions()
        )));
    }
    let field = Field::new(mean, um_per_px, region, params);
    let ridges = field.ridges(mean, std);
    let significance = field.significance(&ridges, mean, std);
    let (vessel_mask, mut skeleton) = field.vessel_masks(&significance);
    let graph = field.prune(&mut skeleton, &ridges);
    let mut lines = field.trace_lines(&graph, &ridges, &vessel_mask);
    field.mark_lines_inside_wide_lumen(&mut lines, &vessel_mask);
    Ok(field.segments(lines))
}

/// What every step of [`detect_vessels_with_motion`] reads: the image size, the scale, the
/// valid region, the relative contrast image and the parameters.
struct Field<'a> {
    width: usize,
    height: usize,
    um_per_px: f64,
    /// Valid region `[x0, y0, x1, y1]`, reference-frame px.
    region: [f64; 4],
    /// Narrowest and widest vessel, px.
    min_w: f64,
    max_w: f64,
    /// Inclusive pixel bounds `[x0, y0, x1, y1]` of the rectangle lines may grow in.
    allowed_rect: [usize; 4],
    /// Relative contrast of the mean image against its background.
    contrast: Vec<f32>,
    /// Clutter floor: a quarter of the weakest seed strength, so a flawless image does not
    /// turn numerical dust into significant ridges.
    seed_strength: f32,
    /// Shortest segment, px.
    min_len_px: f64,
    params: &'a VesselParams,
}

impl<'a> Field<'a> {
    /// Background removal: a closing with a square 1.2x the widest vessel; and the rectangle
    /// lines may grow in, the valid region plus a margin so lines reach its border.
    fn new(mean: &FloatImage, um_per_px: f64, region: [f64; 4], params: &'a VesselParams) -> Self {
        let (width, height) = (mean.width() as usize, mean.height() as usize);
        let min_w = params.min_diameter_um / um_per_px;
        let max_w = params.max_diameter_um / um_per_px;
        let radius = (0.6 * max_w).ceil() as usize + 1;
        let contrast = background::relative_contrast(mean.as_raw(), width, height, radius);
        // Two pixels at the image border are left out: clamped derivatives there make false
        // ridges across the corners and forks where a vessel meets the border.
        let margin = 2.0;
        let (xmax, ymax) = ((width - 3) as f64, (height - 3) as f64);
        let allowed_rect = [
            (region[0] - margin).max(2.0).ceil() as usize,
            (region[1] - margin).max(2.0).ceil() as usize,
            (region[2] + margin).min(xmax).floor() as usize,
            (region[3] + margin).min(ymax).floor() as usize,
        ];
        Field {
            width,
            height,
            um_per_px,
            region,
            min_w,
            max_w,
            allowed_rect,
            contrast,
            seed_strength: 0.48 * params.min_contrast as f32,
            min_len_px: params.min_segment_length_um / um_per_px,
            params,
        }
    }

    /// Whether each pixel lies in [`Field::allowed_rect`].
    fn allowed(&self) -> Vec<bool> {
        let [x0, y0, x1, y1] = self.allowed_rect;
        (0..self.width * self.height)
            .map(|i| {
                let (x, y) = (i % self.width, i / self.width);
                (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
            })
            .collect()
    }

    /// Multiscale ridges of the evidence: the contrast plus the weighted flow modulation.
    fn ridges(&self, mean: &FloatImage, std: Option<&FloatImage>) -> ridge::RidgeMap {
        let params = self.params;
        let scales = ridge::scales_for_widths(self.min_w, self.max_w, params.scale_ratio);
        let evidence: std::borrow::Cow<[f32]> = match std {
            Some(sd) if params.motion_evidence > 0.0 => {
                let weight = params.motion_evidence as f32;
                motion::relative_modulation(mean.as_raw(), sd.as_raw())
                    .iter()
                    .zip(&self.contrast)
                    .map(|(&m, &c)| c + weight * m)
                    .collect()
            }
            _ => std::borrow::Cow::Borrowed(&self.contrast),
        };
        ridge::ridge_map(
            &evidence,
            self.width,
            self.height,
            &scales,
            params.blob_beta as f32,
            0.25 * self.seed_strength,
        )
    }

    /// Each pixel's significance (1 = exactly at both seed thresholds: score over clutter,
    /// and contrast), raised where cells move, with the gaps between collinear seed pieces
    /// bridged.
    fn significance(
        &self,
        ridges: &ridge::RidgeMap,
        mean: &FloatImage,
        std: Option<&FloatImage>,
    ) -> Vec<f32> {
        let params = self.params;
        let allowed = self.allowed();
        let seed_score = params.seed_over_background as f32;
        let mut significance: Vec<f32> = ridges
            .score
            .iter()
            .zip(&ridges.strength)
            .map(|(&sc, &st)| (sc / seed_score).min(st / self.seed_strength))
            .collect();
        if let (Some(std), true) = (std, params.motion_boost > 0.0) {
            let z = motion::motion_z(
                mean.as_raw(),
                std.as_raw(),
                self.width,
                self.height,
                &allowed,
                (0.5 * self.min_w).max(1.0) as f32,
            );
            let [z_lo, z_hi] = params.motion_z_range;
            let (z_lo, z_span) = (z_lo as f32, (z_hi - z_lo) as f32);
            let boost = params.motion_boost as f32;
            for (s, &zp) in significance.iter_mut().zip(&z) {
                *s *= 1.0 + boost * ((zp - z_lo) / z_span).clamp(0.0, 1.0);
            }
        }
        // Bridge gaps between collinear seed pieces (dotted no-flow capillaries): voters are
        // seed pixels, a gap pixel must show at least a faint ridge response of its own.
        if params.bridge_gap_um > 0.0 {
            bridge::bridge_gaps(
                &significance,
                &ridges.normal,
                self.width,
                self.height,
                &allowed,
                SEED_SIGNIFICANCE,
                params.bridge_min_significance as f32,
                (params.bridge_gap_um / self.um_per_px) as f32,
                params.bridge_min_cos as f32,
            )
        } else {
            significance
        }
    }

    /// Hysteresis inside the allowed rectangle, with small holes filled: the vessel mask;
    /// and its thinned copy, the skeleton.
    fn vessel_masks(&self, significance: &[f32]) -> (Vec<bool>, Vec<bool>) {
        let (width, height) = (self.width, self.height);
        let low = self.params.grow_fraction as f32;
        let mut vessel_mask = skeleton::hysteresis(
            significance,
            width,
            height,
            low,
            SEED_SIGNIFICANCE,
            &self.allowed(),
        );
        // Holes smaller than a square of two smallest diameters are gaps in the response, not
        // tissue islands inside capillary loops.
        let max_hole = (2.0 * self.min_w).powi(2).ceil() as usize;
        skeleton::fill_holes(&mut vessel_mask, width, height, max_hole);
        let mut thinned = vessel_mask.clone();
        skeleton::thin(&mut thinned, width, height);
        (vessel_mask, thinned)
    }

    /// The diameter the ridge scale gives an edge: twice its median sigma.
    fn edge_diameter(ridges: &ridge::RidgeMap, edge: &PixelEdge) -> f64 {
        let mut d: Vec<f32> = edge.pixels.iter().map(|&p| ridges.sigma[p]).collect();
        2.0 * f64::from(median(&mut d))
    }

    /// The skeleton as a graph, its spurs and short fragments pruned.
    fn prune(&self, skeleton: &mut [bool], ridges: &ridge::RidgeMap) -> graph::SkeletonGraph {
        let width = self.width;
        let min_len_px = self.min_len_px;
        let diameter_at = |p: usize| 2.0 * f64::from(ridges.sigma[p]);
        let spur_length = |e: &PixelEdge| {
            let junction_pixel = if e.start == EdgeEnd::Free {
                e.pixels[e.pixels.len() - 1]
            } else {
                e.pixels[0]
            };
            0.5 * diameter_at(junction_pixel) + min_len_px
        };
        // A fragment ending near the field's border is the end of a vessel outside it:
        // thinning and the fading ridge response leave it short, so it must be as long as it
        // is wide, not twice as long (the rule against blobs in the interior).
        let at_border = |p: usize, reach: f64| {
            let (x, y) = ((p % width) as f64, (p / width) as f64);
            let [x0, y0, x1, y1] = self.allowed_rect.map(|v| v as f64);
            (x - x0).min(x1 - x).min(y - y0).min(y1 - y) <= reach
        };
        let fragment_length = |e: &PixelEdge| {
            let d = Self::edge_diameter(ridges, e);
            let (first, last) = (e.pixels[0], e.pixels[e.pixels.len() - 1]);
            let reach = d + BORDER_REACH_PX;
            if at_border(first, reach) || at_border(last, reach) {
                min_len_px.max(d)
            } else {
                min_len_px.max(2.0 * d)
            }
        };
        graph::prune(skeleton, width, self.height, spur_length, fragment_length)
    }

    /// Diameter (FWHM of the cross profile, cylinder-corrected) and peak contrast of a line
    /// whose ridge scale suggests `guess` px.
    fn measure(&self, points: &[[f64; 2]], guess: f64) -> (f64, f64) {
        let measured = diameter::profile_width(
            &self.contrast,
            self.width,
            self.height,
            points,
            (1.5 * guess + 3.0).min(self.max_w),
            0.5 * guess + 1.0,
        );
        let (diameter_px, contrast_peak) = match measured {
            Some(m) if m.fwhm_px.is_finite() && m.fwhm_px > 0.0 => (m.fwhm_px, m.contrast),
            Some(_) => (guess, 0.0),
            None => (guess, 0.0),
        };
        let diameter_px = diameter_px * cylinder_factor(diameter_px * self.um_per_px, self.params);
        (diameter_px, contrast_peak)
    }

    /// Sub-pixel centerlines of the graph's edges, free ends trimmed to the ridge and walked
    /// back out to the vessel's end, each with its diameter and contrast.
    fn trace_lines(
        &self,
        graph: &graph::SkeletonGraph,
        ridges: &ridge::RidgeMap,
        vessel_mask: &[bool],
    ) -> Vec<Line> {
        let mut lines = Vec::with_capacity(graph.edges.len());
        for edge in &graph.edges {
            let Some(mut points) = self.edge_points(edge, graph, ridges) else {
                continue;
            };
            let closed = edge.pixels.first() == edge.pixels.last();
            let guess = Self::edge_diameter(ridges, edge);
            // Thinning shortens a line by about its radius at each free end: walk the ends
            // back out along their tangent while still inside the vessel mask.
            let reach = 0.75 * guess + 2.0;
            if !closed {
                if edge.start == EdgeEnd::Free {
                    points.reverse();
                    extend_end(&mut points, vessel_mask, self.width, self.height, reach);
                    reach_border(&mut points, self.region, BORDER_REACH_PX);
                    points.reverse();
                }
                if edge.end == EdgeEnd::Free {
                    extend_end(&mut points, vessel_mask, self.width, self.height, reach);
                    reach_border(&mut points, self.region, BORDER_REACH_PX);
                }
            }
            let (diameter_px, contrast_peak) = self.measure(&points, guess);
            lines.push(Line {
                inside: vec![false; points.len()],
                points,
                ends: [edge.start, edge.end],
                diameter_px,
                contrast_peak,
                guess,
            });
        }
        lines
    }

    /// An edge's smoothed sub-pixel centerline: junction ends at the junction's centre, other
    /// pixels moved to the line centre (Steger's condition: when it lies within the pixel),
    /// free ends trimmed to the last point on the ridge (see [`ends`]). `None` when nothing
    /// of the edge lies on the ridge.
    fn edge_points(
        &self,
        edge: &PixelEdge,
        graph: &graph::SkeletonGraph,
        ridges: &ridge::RidgeMap,
    ) -> Option<Vec<[f64; 2]>> {
        let width = self.width;
        let last = edge.pixels.len() - 1;
        let mut points: Vec<[f64; 2]> = edge
            .pixels
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                let end = if i == 0 {
                    Some(edge.start)
                } else if i == last {
                    Some(edge.end)
                } else {
                    None
                };
                if let Some(EdgeEnd::Junction(j)) = end {
                    return graph.junctions[j];
                }
                let (x, y) = ((p % width) as f64, (p / width) as f64);
                let [ox, oy] = ridges.offset[p];
                if ox.abs() <= 0.75 && oy.abs() <= 0.75 {
                    [x + f64::from(ox), y + f64::from(oy)]
                } else {
                    [x, y]
                }
            })
            .collect();
        let closed = edge.pixels.first() == edge.pixels.last();
        if self.params.end_ridge_offset_px > 0.0 && !closed {
            let limit = self.params.end_ridge_offset_px as f32;
            let on_ridge: Vec<bool> = edge
                .pixels
                .iter()
                .map(|&p| {
                    let [ox, oy] = ridges.offset[p];
                    ox.abs() <= limit && oy.abs() <= limit
                })
                .collect();
            let start_free = edge.start == EdgeEnd::Free;
            let end_free = edge.end == EdgeEnd::Free;
            let (first, last) = ends::trim_off_ridge_ends(&on_ridge, start_free, end_free)?;
            points = points[first..last].to_vec();
        }
        Some(polyline::smooth(&points, self.params.smooth_half_window))
    }

    /// A small vessel's branch inside a wide lumen is no vessel of its own (a capillary counts
    /// up to the wall of the vessel it joins): marks the points of small lines inside one, so
    /// that only their pieces outside are kept. A wide lumen is where the mask is wide (within
    /// 1.5 radii of the centre of a `wide_lumen_um` disk that fits in it) and a line at least
    /// that wide was measured (within its radius less 2 px). Either alone cuts true
    /// capillaries: a strong capillary's mask can hold such a disk, and a false wide line can
    /// lie on a capillary junction.
    fn mark_lines_inside_wide_lumen(&self, lines: &mut [Line], vessel_mask: &[bool]) {
        let params = self.params;
        if params.wide_lumen_um <= 0.0 {
            return;
        }
        let (width, height) = (self.width, self.height);
        let wide_px = params.wide_lumen_um / self.um_per_px;
        let mut wide = lumen::wide_regions(
            vessel_mask,
            width,
            height,
            self.allowed_rect,
            wide_px,
            0.75 * wide_px,
        );
        let mut measured_lumen = vec![false; width * height];
        for line in lines.iter().filter(|l| l.diameter_px >= wide_px) {
            let radius = 0.5 * line.diameter_px;
            lumen::paint_lumen(&mut measured_lumen, width, height, &line.points, radius);
        }
        for (w, &m) in wide.iter_mut().zip(&measured_lumen) {
            *w = *w && m;
        }
        let small_px = params.small_vessel_cutoff_um / self.um_per_px;
        for line in lines.iter_mut().filter(|l| l.diameter_px < small_px) {
            line.inside = lumen::inside_wide(&line.points, &wide, width, height);
        }
        keep_crossings(lines, 0.25 * wide_px);
    }

    /// The segments: each line's pieces outside a wide lumen (measured again without the
    /// lumen), clipped to the valid region, numbered in order.
    fn segments(&self, lines: Vec<Line>) -> Vec<VesselSegment> {
        let mut segments = Vec::new();
        for line in lines {
            let pieces: Vec<(Vec<[f64; 2]>, f64, f64)> = if line.inside.iter().any(|&b| b) {
                lumen::pieces_outside(&line.points, &line.inside, self.min_len_px)
                    .into_iter()
                    .map(|piece| {
                        let (d, c) = self.measure(&piece, line.guess);
                        (piece, d, c)
                    })
                    .collect()
            } else {
                vec![(line.points, line.diameter_px, line.contrast_peak)]
            };
            for (points, diameter_px, contrast_peak) in pieces {
                let diameter_um = diameter_px * self.um_per_px;
                for piece in polyline::clip_to_rect(&points, self.region) {
                    segments.push(VesselSegment {
                        id: segments.len(),
                        length_px: polyline::length(&piece),
                        centerline_px: piece,
                        diameter_px,
                        diameter_um,
                        small: diameter_um < self.params.small_vessel_cutoff_um,
                        contrast: contrast_peak,
                    });
                }
            }
        }
        segments
    }
}

//! Content item (Massey 2013): free of occlusions, good distribution of large and small
//! vessels, < 30 % of vessels looped (0); a few artefacts, acceptable distribution, 30–50 %
//! looped (1); most of the field occluded (saliva, bubbles), > 50 % looped (10). Filled after
//! vessel detection; the analysable (valid) area and the small-vessel density stand in for
//! "distribution" when the detector cannot tell loops or occlusions.

use serde::{Deserialize, Serialize};

use crate::{
    grade_at_least, grade_at_most, Quality, QualityParams, ACCEPTABLE, OPTIMAL, UNACCEPTABLE,
};

/// What vessel detection found, for the content item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ContentInput {
    /// Small-vessel density (mm/mm²) in the valid region.
    pub tvd_small_mm_per_mm2: f64,
    pub n_small_vessels: usize,
    /// All vessels, small and large.
    pub n_vessels: usize,
    /// Valid (stabilized) area over the frame area.
    pub valid_area_fraction: f64,
    /// Share of vessels looped upon themselves, when known.
    pub looped_fraction: Option<f64>,
    /// Share of the field occluded by saliva, bubbles or other artefacts, when known.
    pub occluded_fraction: Option<f64>,
}

/// The field-of-view part of content, graded with the frames: a picture narrower than
/// [`QualityParams::min_field_um`] either way is unacceptable (content 10), since its MFI
/// quadrants cannot each hold a capillary. Leaves `q.content` as it is otherwise.
pub(crate) fn grade_field<F: mcvideo_frames::Frames + ?Sized>(
    q: &mut Quality,
    frames: &F,
    params: &QualityParams,
) {
    if frames.is_empty() {
        return;
    }
    let (w, h) = frames.dimensions(0);
    let (width, height) = (
        f64::from(w) * params.um_per_px,
        f64::from(h) * params.um_per_px,
    );
    q.measures.field_um = [width, height];
    if width.min(height) < params.min_field_um {
        q.content = Some(UNACCEPTABLE);
        q.not_graded.remove("content");
        q.flag(
            "content",
            UNACCEPTABLE,
            format!(
                "the field of view is {width:.0}x{height:.0} µm ({}x{} px); at least {:.0} µm \
                 each way are needed to score four MFI quadrants",
                w, h, params.min_field_um
            ),
        );
    }
}

/// Grades content into `q.content` and updates the score; a field already graded too small
/// ([`crate::grade_clip`]) stays unacceptable.
///
/// ```
/// use mcvideo_quality::{grade_content, ContentInput, Quality, QualityMeasures, QualityParams};
/// let mut q = Quality { illumination: 0, focus: 0, stability: 1, duration: 0, content: None,
///     pressure: None, not_graded: Default::default(), score: 1, acceptable: true, flags: vec![], measures: QualityMeasures::default() };
/// let input = ContentInput { tvd_small_mm_per_mm2: 18.0, n_small_vessels: 30, n_vessels: 32,
///     valid_area_fraction: 0.9, looped_fraction: Some(0.4), occluded_fraction: None };
/// grade_content(&mut q, &input, &QualityParams::default());
/// assert_eq!((q.content, q.score, q.acceptable), (Some(1), 2, true));
/// ```
pub fn grade_content(q: &mut Quality, input: &ContentInput, params: &QualityParams) {
    let mut parts: Vec<(u8, String)> = Vec::new();
    if input.n_small_vessels == 0 {
        parts.push((UNACCEPTABLE, "no small vessel detected".into()));
    } else {
        parts.push((
            grade_at_least(input.tvd_small_mm_per_mm2, params.tvd_small_mm_per_mm2),
            format!(
                "small-vessel density {:.1} mm/mm²",
                input.tvd_small_mm_per_mm2
            ),
        ));
    }
    if input.n_vessels == input.n_small_vessels && input.n_small_vessels > 0 {
        parts.push((ACCEPTABLE, "no large vessel in view".into()));
    }
    parts.push((
        grade_at_least(input.valid_area_fraction, params.valid_area_fraction),
        format!(
            "{:.0} % of the frame analysable",
            100.0 * input.valid_area_fraction
        ),
    ));
    if let Some(looped) = input.looped_fraction {
        let g = if looped < params.looped_fraction[0] {
            OPTIMAL
        } else {
            grade_at_most(looped, [f64::NEG_INFINITY, params.looped_fraction[1]])
        };
        parts.push((g, format!("{:.0} % of vessels looped", 100.0 * looped)));
    }
    if let Some(occluded) = input.occluded_fraction {
        parts.push((
            grade_at_most(occluded, params.occluded_fraction),
            format!("{:.0} % of the field occluded", 100.0 * occluded),
        ));
    }
    let grade = parts.iter().map(|p| p.0).max().unwrap_or(OPTIMAL);
    let why: Vec<&str> = parts
        .iter()
        .filter(|p| p.0 == grade && grade > OPTIMAL)
        .map(|p| p.1.as_str())
        .collect();
    q.flag("content", grade, why.join(", "));
    q.content = Some(grade.max(q.content.unwrap_or(OPTIMAL)));
    q.not_graded.remove("content");
    q.update_total();
}

//! Pressure item (Massey 2013): probe pressure on the mucosa compresses the venules first.
//! Paraphrased criteria: no pressure artefact, flow in every venule (0); flow impaired in
//! some venules (1); flow stopped or impaired in most venules (10). Filled after flow
//! measurement from the flow classes of the large vessels (venules).

use serde::{Deserialize, Serialize};

use crate::{grade_at_most, Quality, QualityParams, OPTIMAL};

/// What flow measurement found in the venules, for the pressure item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PressureInput {
    /// Flow class (0 none, 1 intermittent, 2 sluggish, 3 continuous) of each venule
    /// (vessel at or above the small-vessel cutoff).
    pub venule_flow_classes: Vec<u8>,
}

/// Grades pressure into `q.pressure` and updates the score. A clip without venules scores 0
/// and says so in the flags (pressure cannot be judged there).
///
/// ```
/// use mcvideo_quality::{grade_pressure, PressureInput, Quality, QualityMeasures, QualityParams};
/// let mut q = Quality { illumination: 0, focus: 0, stability: 0, duration: 0, content: Some(0),
///     pressure: None, not_graded: Default::default(), score: 0, acceptable: true, flags: vec![], measures: QualityMeasures::default() };
/// grade_pressure(&mut q, &PressureInput { venule_flow_classes: vec![0, 1, 3] }, &QualityParams::default());
/// assert_eq!((q.pressure, q.score, q.acceptable), (Some(10), 10, false));
/// ```
pub fn grade_pressure(q: &mut Quality, input: &PressureInput, params: &QualityParams) {
    q.not_graded.remove("pressure");
    let n = input.venule_flow_classes.len();
    if n == 0 {
        q.pressure = Some(OPTIMAL);
        q.flags
            .push("pressure not assessable: no venule in view".into());
        q.update_total();
        return;
    }
    let impaired = input.venule_flow_classes.iter().filter(|&&c| c < 3).count();
    let fraction = impaired as f64 / n as f64;
    let grade = grade_at_most(fraction, params.impaired_venule_fraction);
    q.pressure = Some(grade);
    q.flag(
        "pressure",
        grade,
        format!("{impaired} of {n} venules without continuous flow"),
    );
    q.update_total();
}

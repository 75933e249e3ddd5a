//! Stability item (Massey 2013): movement within ¼ of the field of view and no motion blur
//! (0); within ½ of the field, no motion blur (1); more than ½ of the field and/or motion
//! blur (10). Movement is the extent of the frame shifts over the clip (all frames with a
//! trusted shift, including those chained out of the field), as a fraction of the frame
//! width or height, whichever is larger. Frames that cannot be registered count as well, and
//! so does a sudden slip of the probe (see `QualityParams::jump_fraction`).

use mcvideo_stabilize::{FrameStatus, Stabilization};

use crate::{grade_at_most, Quality, QualityParams, OPTIMAL};

pub(crate) fn grade(q: &mut Quality, stab: &Stabilization, params: &QualityParams) {
    let n = stab.kept.len().max(1) as f64;
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for (s, f) in stab.shifts_px.iter().zip(&stab.frames) {
        if f.status == FrameStatus::LowCorrelation {
            continue;
        }
        for a in 0..2 {
            lo[a] = lo[a].min(s[a]);
            hi[a] = hi[a].max(s[a]);
        }
    }
    let trusted = |t: usize| {
        stab.frames
            .get(t)
            .is_some_and(|f| f.status != FrameStatus::LowCorrelation)
    };
    let mut max_jump = 0.0f64;
    for t in 1..stab.shifts_px.len() {
        if trusted(t) && trusted(t - 1) {
            let (a, b) = (stab.shifts_px[t - 1], stab.shifts_px[t]);
            max_jump = max_jump.max((b[0] - a[0]).hypot(b[1] - a[1]));
        }
    }
    let jump = max_jump / f64::from(stab.width.min(stab.height).max(1));
    let extent = |a: usize| if hi[a] >= lo[a] { hi[a] - lo[a] } else { 0.0 };
    let movement =
        (extent(0) / f64::from(stab.width.max(1))).max(extent(1) / f64::from(stab.height.max(1)));
    let unregistered = stab.unregistered_frames as f64 / n;
    let blurred = stab.blurred_frames as f64 / n;
    let m = &mut q.measures;
    m.movement_fraction = movement;
    m.unregistered_fraction = unregistered;
    m.blurred_fraction = blurred;
    m.max_jump_px = max_jump;
    m.residual_rms_px = stab.residual_rms_px;
    let parts = [
        (
            grade_at_most(movement, params.movement_fraction),
            format!("movement {:.0} % of the field of view", 100.0 * movement),
        ),
        (
            grade_at_most(unregistered, params.unregistered_fraction),
            format!(
                "{} of {} frames could not be registered",
                stab.unregistered_frames,
                stab.kept.len()
            ),
        ),
        (
            grade_at_most(blurred, params.blurred_fraction),
            format!("{} motion-blurred frames", stab.blurred_frames),
        ),
        (
            grade_at_most(jump, params.jump_fraction),
            format!("sudden jump of {max_jump:.0} px between frames"),
        ),
    ];
    let grade = parts.iter().map(|p| p.0).max().unwrap_or(OPTIMAL);
    let why: Vec<&str> = parts
        .iter()
        .filter(|p| p.0 == grade && grade > OPTIMAL)
        .map(|p| p.1.as_str())
        .collect();
    q.stability = grade;
    q.flag("stability", grade, why.join(", "));
}

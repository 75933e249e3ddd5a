//! Duration item (Massey 2013): analysable segment ≥ 5 s (0), 3–5 s (1), < 3 s (10).
//! The analysable segment is the longest run of consecutive kept (registered) frames.

use mcvideo_stabilize::Stabilization;

use crate::{grade_at_least, Quality, QualityParams, UNACCEPTABLE};

pub(crate) fn grade(
    q: &mut Quality,
    frames: usize,
    fps: f64,
    stab: &Stabilization,
    params: &QualityParams,
) {
    let mut longest = 0usize;
    let mut run = 0usize;
    for t in 0..frames {
        if stab.kept.get(t).copied().unwrap_or(false) {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let m = &mut q.measures;
    m.frames = frames;
    m.kept_frames = stab.kept.iter().take(frames).filter(|&&k| k).count();
    m.fps = fps;
    if !(fps.is_finite() && fps > 0.0) {
        q.duration = UNACCEPTABLE;
        q.flag(
            "duration",
            UNACCEPTABLE,
            format!("frame rate {fps} is unknown"),
        );
        return;
    }
    m.duration_s = frames as f64 / fps;
    m.analysable_s = longest as f64 / fps;
    let analysable = m.analysable_s;
    let total = m.duration_s;
    q.duration = grade_at_least(analysable, params.duration_s);
    q.flag(
        "duration",
        q.duration,
        format!("{analysable:.1} s analysable ({longest} consecutive registered frames of {frames}, {total:.1} s at {fps:.1} fps)"),
    );
}

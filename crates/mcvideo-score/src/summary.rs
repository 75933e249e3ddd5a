//! The short human summaries that `score` and `inspect` print.

use crate::report::{ClipReport, InspectReport, PolaritySource, ScoreReport};
use std::fmt::Write;

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "n/a".to_string(), |x| format!("{x:.digits$}"))
}

/// "dark vessels (auto, score -0.62)": the polarity, how it was chosen, the automatic score.
fn polarity_words(c: &ClipReport) -> String {
    let source = match c.polarity_source {
        PolaritySource::Auto => "auto",
        PolaritySource::Option => "given",
    };
    format!(
        "{} vessels ({source}, score {:+.2})",
        c.polarity.name(),
        c.polarity_score
    )
}

/// The quality score and verdict, its flags, and one line per item left ungraded (`inspect`
/// grades no content or pressure), so a partial verdict never reads as a whole one.
fn quality_line(q: &mcvideo_quality::Quality) -> String {
    let verdict = match (q.acceptable, q.not_graded.is_empty()) {
        (false, _) => "UNACCEPTABLE",
        (true, true) => "acceptable",
        (true, false) => "acceptable so far",
    };
    let mut line = format!("quality    score {} ({verdict})", q.score);
    if !q.flags.is_empty() {
        let _ = write!(line, ": {}", q.flags.join("; "));
    }
    for (item, why) in &q.not_graded {
        let _ = write!(line, "\n           {item} not graded: {why}");
    }
    line
}

/// A few lines on the clip, its scale, its registration and its quality.
pub fn inspect_summary(r: &InspectReport) -> String {
    let mut s = String::new();
    let c = &r.clip;
    let _ = writeln!(
        s,
        "clip       {}: {} frames, {}x{}, {:.2} fps, {:.2} s, {}, {}",
        c.path.display(),
        c.frames,
        c.width,
        c.height,
        c.fps,
        c.duration_s,
        c.codec,
        polarity_words(c)
    );
    let _ = writeln!(
        s,
        "scale      {:.3} um/px ({})",
        r.calibration.um_per_px, r.calibration.source
    );
    let st = &r.stabilization;
    let [x0, y0, x1, y1] = st.valid_region;
    let _ = writeln!(
        s,
        "registered reference frame {}, residual {:.2} px, {} frames not registered, valid region {:.0}x{:.0} px",
        st.reference_frame,
        st.residual_rms_px,
        st.unregistered_frames,
        x1 - x0,
        y1 - y0
    );
    let _ = writeln!(s, "{}", quality_line(&r.quality));
    s
}

/// A few lines with the clinical numbers of one clip.
pub fn score_summary(r: &ScoreReport) -> String {
    let mut s = String::new();
    let c = &r.clip;
    let _ = writeln!(
        s,
        "clip       {}: {} frames, {}x{}, {:.2} fps, {:.3} um/px, {}",
        c.path.display(),
        c.frames,
        c.width,
        c.height,
        c.fps,
        r.calibration.um_per_px,
        polarity_words(c)
    );
    let _ = writeln!(s, "{}", quality_line(&r.quality));
    let m = &r.metrics;
    let small = r.vessels.iter().filter(|v| v.small).count();
    let _ = writeln!(
        s,
        "vessels    {} segments ({small} small, < {} um)",
        r.vessels.len(),
        m.small_vessel_cutoff_um
    );
    let _ = writeln!(
        s,
        "density    TVD {:.2} mm/mm2, PVD {:.2} mm/mm2, De Backer {:.2} /mm (small vessels)",
        m.tvd_mm_per_mm2, m.pvd_mm_per_mm2, m.de_backer_per_mm
    );
    let _ = writeln!(
        s,
        "perfusion  PPV {}% (count {}%), MFI {}, mean velocity {} um/s",
        opt(m.ppv_pct, 1),
        opt(m.ppv_count_pct, 1),
        opt(m.mfi, 2),
        opt(m.mean_velocity_um_s, 0)
    );
    if m.flow_unresolved_mm > 0.0 {
        let unresolved = r.vessels.iter().filter(|v| v.flow_unresolved).count();
        let _ = writeln!(
            s,
            "unresolved {unresolved} vessels, {:.0} um of small-vessel length: flow not told, left out of PPV and MFI",
            m.flow_unresolved_mm * 1000.0
        );
    }
    let total: f64 = r.timings_ms.values().sum();
    let _ = writeln!(s, "time       {:.0} ms", total);
    s
}

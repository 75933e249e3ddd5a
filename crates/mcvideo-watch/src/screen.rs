//! How a window is shown: a live terminal screen, or one plain line per window.

use crate::report::WindowReport;
use crate::WatchParams;
use std::fmt::Write;

/// Moves the cursor home and clears the terminal, before each screen.
pub const CLEAR: &str = "\x1b[H\x1b[2J";

fn item(value: Option<u8>) -> String {
    value.map_or("-".to_string(), |v| v.to_string())
}

fn number(value: Option<f64>, decimals: usize) -> String {
    value.map_or("-".to_string(), |v| format!("{v:.decimals$}"))
}

fn metric(report: &WindowReport, key: &str) -> Option<f64> {
    report.metrics.as_ref().and_then(|m| m[key].as_f64())
}

/// The verdict on the view: keep it, how long it has been optimal, or what is wrong.
fn verdict(report: &WindowReport, params: &WatchParams) -> String {
    if report.keep {
        format!(
            "KEEP: every Massey item at 0 for {:.0} s",
            report.optimal_for_s
        )
    } else if report.all_optimal {
        format!(
            "optimal for {:.0} s of {:.0} s",
            report.optimal_for_s, params.keep_after_s
        )
    } else {
        "not yet: some Massey item above 0".to_string()
    }
}

/// One window as a single line (logs, pipes).
///
/// ```
/// # use mcvideo_watch::{screen::line, WindowReport, WatchParams, WATCH_SCHEMA};
/// let report = WindowReport {
///     schema: WATCH_SCHEMA, source: "-".into(), window: 2, first_frame: 125, frames: 125,
///     start_s: 5.0, end_s: 9.96, fps: 25.0, width: 720, height: 576, quality: None,
///     metrics: None, error: Some("too dark".into()), lag_s: 0.8, decode_lag_s: 0.01,
///     scoring_s: 0.7, input_fps: 25.0, decoded_frames: 250, dropped_frames: 0,
///     skipped_windows: 0, all_optimal: false, optimal_for_s: 0.0, keep: false, recorded: None,
/// };
/// assert_eq!(
///     line(&report, &WatchParams::default()),
///     "window 2 [5.0-10.0 s]: not scored: too dark | lag 0.8 s, 0 dropped, 0 skipped"
/// );
/// ```
pub fn line(report: &WindowReport, params: &WatchParams) -> String {
    let span = format!(
        "window {} [{:.1}-{:.1} s]",
        report.window,
        report.start_s,
        report.end_s + 1.0 / report.fps
    );
    let live = format!(
        "lag {:.1} s, {} dropped, {} skipped",
        report.lag_s, report.dropped_frames, report.skipped_windows
    );
    let Some(q) = &report.quality else {
        let why = report.error.as_deref().unwrap_or("no score");
        return format!("{span}: not scored: {why} | {live}");
    };
    format!(
        "{span}: Massey illumination {} focus {} stability {} duration {} content {} pressure {} \
         (score {}) | TVD {} mm/mm² PPV {} % MFI {} velocity {} µm/s | {live} | {}",
        q.illumination,
        q.focus,
        q.stability,
        q.duration,
        item(q.content),
        item(q.pressure),
        q.score,
        number(metric(report, "tvd_mm_per_mm2"), 1),
        number(metric(report, "ppv_pct"), 0),
        number(metric(report, "mfi"), 2),
        number(metric(report, "mean_velocity_um_s"), 0),
        verdict(report, params)
    )
}

/// One window as a full terminal screen (without [`CLEAR`]).
pub fn screen(report: &WindowReport, params: &WatchParams) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "mcvideo watch {}  {}x{} at {:.2} fps",
        report.source, report.width, report.height, report.fps
    );
    let _ = writeln!(
        out,
        "window {}: {:.1}-{:.1} s of stream ({} frames from frame {})\n",
        report.window,
        report.start_s,
        report.end_s + 1.0 / report.fps,
        report.frames,
        report.first_frame
    );
    match &report.quality {
        Some(q) => {
            let _ = writeln!(
                out,
                "Massey quality (0 optimal, 1 acceptable, 10 unacceptable)"
            );
            for (name, value) in [
                ("illumination", Some(q.illumination)),
                ("focus", Some(q.focus)),
                ("stability", Some(q.stability)),
                ("duration", Some(q.duration)),
                ("content", q.content),
                ("pressure", q.pressure),
            ] {
                let _ = writeln!(out, "  {name:<13} {:>2}", item(value));
            }
            let _ = writeln!(out, "  {:<13} {:>2}\n", "score", q.score);
            let rows = [
                ("TVD", number(metric(report, "tvd_mm_per_mm2"), 1), "mm/mm²"),
                ("PPV", number(metric(report, "ppv_pct"), 1), "%"),
                ("MFI", number(metric(report, "mfi"), 2), ""),
                (
                    "velocity",
                    number(metric(report, "mean_velocity_um_s"), 0),
                    "µm/s",
                ),
            ];
            for (name, value, unit) in rows {
                let _ = writeln!(out, "  {name:<13} {value:>7} {unit}");
            }
            for flag in &q.flags {
                let _ = writeln!(out, "  ! {flag}");
            }
        }
        None => {
            let why = report.error.as_deref().unwrap_or("no score");
            let _ = writeln!(out, "not scored: {why}");
        }
    }
    let _ = writeln!(out, "\n{}", verdict(report, params));
    let _ = writeln!(
        out,
        "live: score {:.1} s behind the live edge (decoder {:.2} s), scored in {:.1} s; \
         {:.1} frames/s in, {} dropped, {} windows skipped",
        report.lag_s,
        report.decode_lag_s,
        report.scoring_s,
        report.input_fps,
        report.dropped_frames,
        report.skipped_windows
    );
    if let Some(path) = &report.recorded {
        let _ = writeln!(out, "best window so far saved as {path}");
    }
    out
}

//! `mcvideo watch SOURCE`: live scoring while recording, one rolling window every few seconds.

use mcvideo_watch::{screen, watch, WatchError, WatchParams, WindowReport};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Arguments of `mcvideo watch`.
#[derive(clap::Args)]
pub struct Args {
    /// What to watch: a capture device (/dev/video0), `-` for standard input, a file still
    /// being written, or a stream URL (rtsp://...): anything FFmpeg opens.
    source: String,
    #[command(flatten)]
    scale: super::scale::ScaleArgs,
    #[command(flatten)]
    tuning: super::tuning::TuningArgs,
    /// Seconds of stream between two scored windows.
    #[arg(long, value_parser = super::numbers::positive, default_value_t = WatchParams::default().every_s)]
    every: f64,
    /// Seconds of stream in each window (default: Massey's optimal clip duration).
    #[arg(long, value_parser = super::numbers::positive, default_value_t = WatchParams::default().window_s)]
    window: f64,
    /// Seconds with every Massey item at 0 after which the view is good to keep.
    #[arg(long, value_parser = super::numbers::positive, default_value_t = WatchParams::default().keep_after_s)]
    keep_after: f64,
    /// Frames further than this many seconds behind the live edge are dropped and counted.
    #[arg(long, value_parser = super::numbers::positive, default_value_t = WatchParams::default().max_lag_s)]
    max_lag: f64,
    /// A growing file ends after this many seconds without new data.
    #[arg(long, value_parser = super::numbers::positive, default_value_t = WatchParams::default().idle_timeout_s)]
    idle_timeout: f64,
    /// Keep the best window so far in DIR as best.avi (FFV1) with best.score.json.
    #[arg(long)]
    record: Option<PathBuf>,
    /// One JSON object per window on stdout (schema mcvideo.watch.v1).
    #[arg(long)]
    json_lines: bool,
    #[command(flatten)]
    scoring: super::tuning::ScoringArgs,
}

/// Runs `mcvideo watch`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let mut params = args.tuning.params()?;
    args.scale.apply(&mut params);
    args.scoring.apply(&mut params);
    let watch_params = WatchParams {
        every_s: args.every,
        window_s: args.window,
        keep_after_s: args.keep_after,
        max_lag_s: args.max_lag,
        idle_timeout_s: args.idle_timeout,
        ..WatchParams::default()
    };
    let live_screen = !args.json_lines && std::io::stdout().is_terminal();
    let mut sink = |report: &WindowReport| -> Result<(), WatchError> {
        let text = if args.json_lines {
            serde_json::to_string(report).map_err(|e| WatchError::Output(e.into()))? + "\n"
        } else if live_screen {
            format!("{}{}", screen::CLEAR, screen::screen(report, &watch_params))
        } else {
            screen::line(report, &watch_params) + "\n"
        };
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(WatchError::Output)
    };
    let summary = watch(
        &args.source,
        &watch_params,
        &params,
        args.record.as_deref(),
        &mut sink,
    )?;
    let recorded = summary
        .recorded
        .as_ref()
        .map(|p| format!("; best window saved as {}", p.display()))
        .unwrap_or_default();
    eprintln!(
        "watch done: {} windows scored, {} frames decoded, {} dropped, {} windows skipped{}{recorded}",
        summary.windows,
        summary.decoded_frames,
        summary.dropped_frames,
        summary.skipped_windows,
        if summary.kept { "; the view was good to keep" } else { "" }
    );
    Ok(())
}

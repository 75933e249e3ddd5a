//! The two threads of live scoring: one decodes at the live edge and cuts windows, the other
//! scores the newest window, reports it, and records the best one.

use crate::report::{KeepTracker, WindowQuality, WindowReport, WATCH_SCHEMA};
use crate::{WatchError, WatchParams};
use image::GrayImage;
use mcvideo_decode::{DecodeError, FrameReader};
use mcvideo_encode::{VideoFormat, VideoWriter};
use mcvideo_frames::ClipFrames;
use mcvideo_score::{FrameClip, ScoreParams, ScoredOutput};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// Where `--record` writes the best window and its score JSON.
pub const RECORD_CLIP: &str = "best.avi";
pub const RECORD_SCORE: &str = "best.score.json";

/// What one watch did, once the source has ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WatchSummary {
    pub windows: u64,
    pub decoded_frames: u64,
    pub dropped_frames: u64,
    pub skipped_windows: u64,
    /// The view was good to keep in at least one window.
    pub kept: bool,
    /// The clip `--record` saved, if any window was scored.
    pub recorded: Option<PathBuf>,
}

/// A window cut from the stream, waiting to be scored.
struct WindowJob {
    first_frame: u64,
    frames: Vec<Arc<GrayImage>>,
    start_s: f64,
    end_s: f64,
}

/// What the decoder and the scorer share.
#[derive(Default)]
struct Exchange {
    /// The newest window not yet scored; a newer one replaces it (`skipped_windows`).
    pending: Option<WindowJob>,
    ended: bool,
    decoded: u64,
    dropped: u64,
    skipped_windows: u64,
    /// Wall seconds since the start minus stream seconds, the least seen over the frames:
    /// stream time `t` was live at wall time `t + edge_offset_s`.
    edge_offset_s: f64,
    /// Stream time of the newest decoded frame.
    newest_s: f64,
    /// The error that ended the stream, if one did.
    error: Option<DecodeError>,
}

struct Shared {
    state: Mutex<Exchange>,
    ready: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Exchange> {
        // A panic on the other thread leaves counters that are still meaningful.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The decoding thread: takes every frame as it arrives, drops those too far behind the live
/// edge, and hands a window to the scorer every `every_s` of stream.
fn decode_live(
    mut reader: FrameReader,
    fps: f64,
    params: &WatchParams,
    started: Instant,
    shared: &Shared,
) {
    let (window_frames, every_frames) = params.frames_at(fps);
    let mut ring: VecDeque<(Arc<GrayImage>, f64)> = VecDeque::with_capacity(window_frames + 1);
    // Frames since the last window; the first window comes as soon as the ring is full.
    let mut since_window = every_frames;
    let mut first_pts: Option<f64> = None;
    let mut index: u64 = 0;
    while let Some(next) = reader.next_timed() {
        let (frame, pts) = match next {
            Ok(frame) => frame,
            Err(error) => {
                shared.lock().error = Some(error);
                break;
            }
        };
        let arrived = started.elapsed().as_secs_f64();
        let time_s = match pts {
            Some(pts) => pts - *first_pts.get_or_insert(pts),
            None => index as f64 / fps,
        };
        let this = index;
        index += 1;
        {
            let mut state = shared.lock();
            state.decoded = index;
            state.edge_offset_s = if this == 0 {
                arrived - time_s
            } else {
                state.edge_offset_s.min(arrived - time_s)
            };
            state.newest_s = time_s;
            if arrived - (time_s + state.edge_offset_s) > params.max_lag_s {
                state.dropped += 1;
                // A window holds consecutive frames only.
                ring.clear();
                continue;
            }
        }
        ring.push_back((Arc::new(frame), time_s));
        if ring.len() > window_frames {
            ring.pop_front();
        }
        since_window += 1;
        if ring.len() == window_frames && since_window >= every_frames {
            since_window = 0;
            let job = WindowJob {
                first_frame: this + 1 - window_frames as u64,
                frames: ring.iter().map(|(f, _)| Arc::clone(f)).collect(),
                start_s: ring.front().map_or(time_s, |(_, t)| *t),
                end_s: time_s,
            };
            let mut state = shared.lock();
            if state.pending.replace(job).is_some() {
                state.skipped_windows += 1;
            }
            shared.ready.notify_one();
        }
    }
    shared.lock().ended = true;
    shared.ready.notify_one();
}

/// Writes frames losslessly as a clip at `fps` (`format`), whole or not at all.
fn write_clip(
    path: &Path,
    frames: &[Arc<GrayImage>],
    fps: f64,
    format: VideoFormat,
) -> Result<(), WatchError> {
    let Some(first) = frames.first() else {
        return Ok(());
    };
    let mut writer = VideoWriter::create(path, first.width(), first.height(), fps, format)?;
    for frame in frames {
        writer.write_frame(frame)?;
    }
    writer.finish()?;
    Ok(())
}

/// Ranks scored windows for `--record`: the lowest Massey score, then the most small-vessel
/// density in view; the earlier window wins a tie.
fn better(candidate: &ScoredOutput, best: Option<&(u32, f64)>) -> bool {
    let key = rank(candidate);
    best.is_none_or(|&(score, tvd)| key.0 < score || (key.0 == score && key.1 > tvd))
}

fn rank(scored: &ScoredOutput) -> (u32, f64) {
    (
        scored.report.quality.score,
        scored.report.metrics.tvd_mm_per_mm2,
    )
}

/// Saves the best window as an FFV1 clip and its score JSON (the clip path and codec in it
/// are the saved clip's), each written whole or not at all.
fn record_best(
    dir: &Path,
    job: &WindowJob,
    fps: f64,
    scored: &ScoredOutput,
    source: &str,
) -> Result<PathBuf, WatchError> {
    let clip = dir.join(RECORD_CLIP);
    write_clip(&clip, &job.frames, fps, VideoFormat::Ffv1Avi)?;
    let mut json = serde_json::to_value(&scored.report)
        .map_err(|e| WatchError::Record(format!("{}: {e}", dir.join(RECORD_SCORE).display())))?;
    json["clip"]["path"] = serde_json::json!(clip);
    json["clip"]["codec"] = serde_json::json!("ffv1");
    json["watch"] = serde_json::json!({
        "source": source,
        "first_frame": job.first_frame,
        "start_s": job.start_s,
        "end_s": job.end_s,
    });
    mcvideo_batch::atomic::write_json_atomic(&dir.join(RECORD_SCORE), &json)
        .map_err(|e| WatchError::Record(e.to_string()))?;
    Ok(clip)
}

/// Watches `source` (see [`mcvideo_decode::live::open_live`]): every `every_s` of stream the
/// newest window of `window_s` is scored with `score_params` and handed to `sink`, which
/// prints it. With `record`, the best window so far is kept in that folder as `best.avi` and
/// `best.score.json`. Returns when the source ends or `sink` fails.
///
/// A window is scored as `mcvideo score` scores a clip of the same frames at the stream's
/// rate: its frames go to [`mcvideo_score::score_frames`] as they were decoded.
pub fn watch(
    source: &str,
    params: &WatchParams,
    score_params: &ScoreParams,
    record: Option<&Path>,
    sink: &mut dyn FnMut(&WindowReport) -> Result<(), WatchError>,
) -> Result<WatchSummary, WatchError> {
    params.validate().map_err(WatchError::Params)?;
    let decode_options = mcvideo_decode::DecodeOptions {
        // One decoding thread: frame threads would hold back each frame by their number.
        threads: 1,
        ..Default::default()
    };
    let reader = mcvideo_decode::live::open_live(
        source,
        &decode_options,
        params.idle_timeout_s,
        params.probe_s,
    )?;
    let info = reader.info().clone();
    // The scale must be known before the first window, not after it.
    let calibration = mcvideo_calibration::resolve(
        score_params.device.as_deref(),
        score_params.um_per_px,
        Path::new(source),
        info.width,
    )?;
    if let Some(dir) = record {
        std::fs::create_dir_all(dir).map_err(|e| WatchError::Io {
            path: dir.to_path_buf(),
            source: e,
        })?;
    }
    let score_params = ScoreParams {
        no_overlay: true,
        ..score_params.clone()
    };
    let fps = info.fps;
    let started = Instant::now();
    let shared = Arc::new(Shared {
        state: Mutex::new(Exchange::default()),
        ready: Condvar::new(),
    });
    let decoder = {
        let (shared, params) = (Arc::clone(&shared), params.clone());
        std::thread::Builder::new()
            .name("watch-decode".to_string())
            .spawn(move || decode_live(reader, fps, &params, started, &shared))
            .map_err(|e| WatchError::Io {
                path: PathBuf::from(source),
                source: e,
            })?
    };
    let mut keep = KeepTracker::default();
    let mut best: Option<(u32, f64)> = None;
    let mut summary = WatchSummary {
        windows: 0,
        decoded_frames: 0,
        dropped_frames: 0,
        skipped_windows: 0,
        kept: false,
        recorded: None,
    };
    loop {
        let job = {
            let mut state = shared.lock();
            loop {
                if let Some(job) = state.pending.take() {
                    break Some(job);
                }
                if state.ended {
                    break None;
                }
                state = shared.ready.wait(state).unwrap_or_else(|p| p.into_inner());
            }
        };
        let Some(job) = job else { break };
        let scoring = Instant::now();
        let frames = ClipFrames::Memory(job.frames.iter().map(|f| (**f).clone()).collect());
        let window = FrameClip::new(source, frames, fps, calibration.clone());
        let scored = mcvideo_score::score_frames(window, &score_params);
        let scoring_s = scoring.elapsed().as_secs_f64();
        summary.windows += 1;
        let frame_s = 1.0 / fps;
        let (quality, metrics, error, optimal_for_s, all_optimal) = match &scored {
            Ok(scored) => {
                let quality = WindowQuality::of(&scored.report);
                let optimal = quality.all_optimal();
                let optimal_for = keep.update(job.start_s, job.end_s, frame_s, optimal);
                let metrics = serde_json::to_value(&scored.report.metrics).ok();
                (Some(quality), metrics, None, optimal_for, optimal)
            }
            Err(e) => {
                keep.update(job.start_s, job.end_s, frame_s, false);
                (None, None, Some(e.to_string()), 0.0, false)
            }
        };
        let recorded = match (&scored, record) {
            (Ok(scored), Some(dir)) if better(scored, best.as_ref()) => {
                best = Some(rank(scored));
                let clip = record_best(dir, &job, fps, scored, source)?;
                summary.recorded = Some(clip.clone());
                Some(clip.display().to_string())
            }
            _ => None,
        };
        let (decoded, dropped, skipped, offset, newest) = {
            let s = shared.lock();
            (
                s.decoded,
                s.dropped,
                s.skipped_windows,
                s.edge_offset_s,
                s.newest_s,
            )
        };
        let now = started.elapsed().as_secs_f64();
        let round = |v: f64| (v * 1e3).round() / 1e3;
        let keep_now = optimal_for_s >= params.keep_after_s - 0.5 * frame_s;
        summary.kept |= keep_now;
        let (width, height) = job.frames.first().map_or((0, 0), |f| f.dimensions());
        let report = WindowReport {
            schema: WATCH_SCHEMA,
            source: source.to_string(),
            window: summary.windows,
            first_frame: job.first_frame,
            frames: job.frames.len(),
            start_s: round(job.start_s),
            end_s: round(job.end_s),
            fps,
            width,
            height,
            quality,
            metrics,
            error,
            lag_s: round((now - (job.end_s + offset)).max(0.0)),
            decode_lag_s: round((now - (newest + offset)).max(0.0)),
            scoring_s: round(scoring_s),
            input_fps: round(if now > 0.0 { decoded as f64 / now } else { 0.0 }),
            decoded_frames: decoded,
            dropped_frames: dropped,
            skipped_windows: skipped,
            all_optimal,
            optimal_for_s,
            keep: keep_now,
            recorded,
        };
        // A failing sink (a closed pipe) ends the watch; the decoder thread ends with the
        // process, as it may be waiting on a source that sends nothing.
        sink(&report)?;
    }
    let _ = decoder.join();
    let mut state = shared.lock();
    summary.decoded_frames = state.decoded;
    summary.dropped_frames = state.dropped;
    summary.skipped_windows = state.skipped_windows;
    if let Some(error) = state.error.take() {
        return Err(error.into());
    }
    if summary.windows == 0 {
        let (needed, _) = params.frames_at(fps);
        return Err(WatchError::TooShort {
            source_name: source.to_string(),
            frames: state.decoded,
            needed,
            window_s: params.window_s,
            fps,
        });
    }
    Ok(summary)
}

//! Running a batch: scoring clips in parallel, writing each result as it comes, resuming,
//! and building the tables at the end.

use crate::atomic::{remove_partials, write_atomic, write_json_atomic};
use crate::fingerprint::{clip_settings_sha256, clip_sha256, sha256_hex, ResumeKey};
use crate::lock::OutputLock;
use crate::manifest::{Archive, ClipJob};
use crate::shard::Shard;
use crate::tables::{write_failures, write_patients, write_sites, FailureRow, SiteRow};
use crate::BatchError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// The schema a complete score JSON carries.
pub const SCORE_SCHEMA: &str = "mcvideo.score.v1";

/// What a scorer returns for one clip.
#[derive(Debug, Clone)]
pub struct ScoredClip {
    /// The SPEC score JSON.
    pub score_json: Value,
    /// The overlay PNG, encoded.
    pub overlay_png: Option<Vec<u8>>,
    /// The stabilized mean image as PNG (what the review page opens on).
    pub mean_png: Option<Vec<u8>>,
}

/// Scores one clip. The batch calls it from several threads at once.
pub trait ClipScorer: Sync {
    /// Scores `job`; an `Err` is the reason written to `failures.csv`.
    fn score(&self, job: &ClipJob) -> Result<ScoredClip, String>;
}

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Output folder.
    pub out_dir: PathBuf,
    /// Worker threads (clips in flight at once).
    pub jobs: usize,
    /// Reuse stored scores whose resume key (clip content and settings) fits this run.
    pub resume: bool,
    /// Score only this part of the archive.
    pub shard: Option<Shard>,
    /// Parameters recorded in `run.json` (the command line as the CLI understood it).
    pub parameters: Value,
    /// SHA-256 of every run-wide setting that changes a clip's result (for the CLI, the
    /// scoring parameters' hash). With each clip's own manifest overrides it makes the
    /// settings half of the resume key, and `merge` compares it across shards.
    pub settings_sha256: String,
    /// The command line, recorded in the output folder's lock.
    pub command: String,
    /// Show a progress bar when stderr is a terminal, and print notices (re-scored clips,
    /// a stale lock taken over) on stderr as they happen.
    pub progress: bool,
    /// When stderr is not a terminal (a SLURM log), how often a progress line is printed
    /// ([`DEFAULT_PROGRESS_EVERY`]); the bar stands in for it on a terminal.
    pub progress_every: Duration,
}

/// How often a batch logging to a file prints its progress line.
pub const DEFAULT_PROGRESS_EVERY: Duration = Duration::from_secs(30);

/// What happened, for the final summary and `run.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BatchSummary {
    /// Clips in the whole archive.
    pub archive: usize,
    /// Clips in this shard.
    pub in_shard: usize,
    /// Clips scored in this run.
    pub scored: usize,
    /// Clips whose stored score `--resume` reused.
    pub resumed: usize,
    /// Clips that `--resume` found scored but re-scored: their clip or settings changed, or
    /// the stored score had no resume key. Counted in `scored` or `failed` as well.
    pub rescored: usize,
    /// Clips that failed (listed in failures.csv).
    pub failed: usize,
    /// Folder entries that looked like clips but matched no pattern (listed in failures.csv
    /// by the unsharded run or shard 1).
    pub skipped: usize,
    /// Scored clips whose quality is acceptable.
    pub acceptable: usize,
    /// Wall time in seconds.
    pub elapsed_s: f64,
}

/// A clip that `--resume` re-scored, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rescored {
    pub id: String,
    pub path: String,
    pub reason: String,
}

fn score_path(clips: &Path, job: &ClipJob) -> PathBuf {
    clips.join(format!("{}.score.json", job.id()))
}

fn failure_path(clips: &Path, job: &ClipJob) -> PathBuf {
    clips.join(format!("{}.failure.json", job.id()))
}

/// Reads a score JSON if it is complete (parses, right schema, has metrics and quality).
fn read_complete_score(path: &Path) -> Option<Value> {
    let bytes = std::fs::read(path).ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    let complete = value["schema"] == SCORE_SCHEMA
        && value["metrics"].is_object()
        && value["quality"]["score"].is_number();
    complete.then_some(value)
}

fn remove_if_present(path: &Path) -> Result<(), BatchError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(BatchError::io(path, e)),
    }
}

fn record_failure(job: &ClipJob, clips: &Path, error: &str) -> Result<(), BatchError> {
    // An older score of this clip must not stand in for the failed one in the tables.
    remove_if_present(&score_path(clips, job))?;
    let row = FailureRow::new(job, error);
    write_json_atomic(&failure_path(clips, job), &row)
}

fn score_one(
    job: &ClipJob,
    key: &ResumeKey,
    clips: &Path,
    scorer: &dyn ClipScorer,
) -> Result<bool, BatchError> {
    // A panic inside a stage is a bug, but it must cost one clip, not the archive.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scorer.score(job)))
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("internal error (please report): {what}"))
        });
    match outcome {
        Ok(mut scored) => {
            for (kind, png) in [("overlay", &scored.overlay_png), ("mean", &scored.mean_png)] {
                let path = clips.join(format!("{}.{kind}.png", job.id()));
                match png {
                    Some(png) => write_atomic(&path, png)?,
                    // A picture of an earlier scoring would no longer match the score.
                    None => match std::fs::remove_file(&path) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                            return Err(BatchError::io(&path, e));
                        }
                        _ => {}
                    },
                }
            }
            let key_json = serde_json::to_value(key).map_err(|e| BatchError::Data {
                path: score_path(clips, job),
                problem: e.to_string(),
            })?;
            match scored.score_json.as_object_mut() {
                Some(object) => {
                    object.insert("resume_key".to_string(), key_json);
                }
                None => {
                    record_failure(job, clips, "internal error: the score is not a JSON object")?;
                    return Ok(false);
                }
            }
            // The score JSON goes last: its presence marks the clip complete.
            write_json_atomic(&score_path(clips, job), &scored.score_json)?;
            remove_if_present(&failure_path(clips, job))?;
            Ok(true)
        }
        Err(error) => {
            record_failure(job, clips, &error)?;
            Ok(false)
        }
    }
}

/// What became of one clip in this run.
enum Outcome {
    Scored,
    Failed,
    Resumed,
}

/// Runs one clip: its resume key, the stored score if `--resume` may reuse it, else scoring.
fn process_one(
    job: &ClipJob,
    clips: &Path,
    options: &BatchOptions,
    scorer: &dyn ClipScorer,
) -> Result<(Outcome, Option<Rescored>), BatchError> {
    let clip_hash = match clip_sha256(&job.path) {
        Ok(hash) => hash,
        Err(e) => {
            let error = format!("{}: cannot read the clip: {e}", job.path.display());
            record_failure(job, clips, &error)?;
            return Ok((Outcome::Failed, None));
        }
    };
    let key = ResumeKey {
        clip_sha256: clip_hash,
        settings_sha256: clip_settings_sha256(&options.settings_sha256, job),
    };
    let mut rescored = None;
    if options.resume
        && let Some(stored) = read_complete_score(&score_path(clips, job))
    {
        let stored_key: Option<ResumeKey> =
            serde_json::from_value(stored["resume_key"].clone()).ok();
        match key.mismatch(stored_key.as_ref()) {
            None => return Ok((Outcome::Resumed, None)),
            Some(reason) => {
                rescored = Some(Rescored {
                    id: job.id(),
                    path: job.path_as_given.clone(),
                    reason,
                })
            }
        }
    }
    let outcome = if score_one(job, &key, clips, scorer)? {
        Outcome::Scored
    } else {
        Outcome::Failed
    };
    Ok((outcome, rescored))
}

fn progress_bar(total: usize, enabled: bool) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    if !(enabled && std::io::stderr().is_terminal()) {
        bar.set_draw_target(ProgressDrawTarget::hidden());
        return bar;
    }
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {pos}/{len} clips, {per_sec}, ETA {eta} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// The progress line of a batch logging to a file: clips done of the total, the rate, the
/// time left at that rate and the failures so far.
fn progress_line(done: usize, failed: usize, total: usize, elapsed: Duration) -> String {
    let minutes = elapsed.as_secs_f64() / 60.0;
    let rate = if minutes > 0.0 {
        done as f64 / minutes
    } else {
        0.0
    };
    let eta = if done == 0 || rate <= 0.0 {
        "unknown".to_string()
    } else {
        let left_s = (total.saturating_sub(done) as f64 / rate * 60.0).round() as u64;
        humantime::format_duration(Duration::from_secs(left_s)).to_string()
    };
    format!(
        "progress: {done}/{total} clips done, {rate:.1} clips/min, ETA {eta}, {failed} failed \
         ({} elapsed)",
        humantime::format_duration(Duration::from_secs(elapsed.as_secs()))
    )
}

fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// SHA-256 of what the archive lists (ids, paths as given, per-clip overrides, skipped
/// entries): shards of one archive agree on it, whatever folder it is mounted in.
pub fn archive_sha256(archive: &Archive) -> String {
    let jobs: Vec<Value> = archive
        .jobs
        .iter()
        .map(|j| json!([j.id(), j.path_as_given, j.device, j.um_per_px]))
        .collect();
    let skipped: Vec<&str> = archive.skipped.iter().map(|s| s.path.as_str()).collect();
    sha256_hex(&json!({"jobs": jobs, "skipped": skipped}).to_string())
}

/// Scores `archive` into `options.out_dir`, then writes the tables and `run.json`. The output
/// folder is locked for the whole run (see [`crate::lock`]).
pub fn run_batch(
    archive: &Archive,
    options: &BatchOptions,
    scorer: &dyn ClipScorer,
) -> Result<BatchSummary, BatchError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let out = &options.out_dir;
    std::fs::create_dir_all(out).map_err(|e| BatchError::io(out, e))?;
    let lock = OutputLock::acquire(out, &options.command)?;
    let mut notices = Vec::new();
    if let Some(stale) = &lock.taken_over {
        notices.push(format!(
            "took over the stale lock {} of {stale}: that process is no longer running",
            lock.path().display()
        ));
    }
    if options.progress {
        for notice in &notices {
            eprintln!("note: {notice}");
        }
    }
    let clips = out.join("clips");
    std::fs::create_dir_all(&clips).map_err(|e| BatchError::io(&clips, e))?;
    remove_partials(&clips)?;
    remove_partials(out)?;

    let jobs = match options.shard {
        Some(shard) => shard.select(&archive.jobs),
        None => archive.jobs.clone(),
    };
    let bar = progress_bar(jobs.len(), options.progress);
    let (scored, failed_now, resumed) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let rescored: Mutex<Vec<Rescored>> = Mutex::new(Vec::new());
    // One single-thread rayon pool per worker: the stages' parallel loops run inside their
    // clip's pool. With one shared pool, a thread waiting in one clip's parallel loop could steal
    // another clip's whole job and run it nested, serializing the two (and holding both in memory).
    // Clips are handed out by plain worker threads, not as rayon tasks, for the same reason: at
    // most `jobs` clips are in memory, and `--jobs` alone decides how many cores are used.
    let workers = options.jobs.max(1).min(jobs.len().max(1));
    let pools = (0..workers)
        .map(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| BatchError::ThreadPool(options.jobs))?;
    let next = AtomicUsize::new(0);
    let first_error: Mutex<Option<BatchError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        // In a log file the bar is hidden: a line every `progress_every` stands in for it.
        let (stop_log, stopped) = std::sync::mpsc::channel::<()>();
        if options.progress && !std::io::stderr().is_terminal() {
            let counts = [&scored, &failed_now, &resumed];
            let total = jobs.len();
            scope.spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(options.progress_every)
                {
                    let [scored, failed, resumed] = counts.map(|c| c.load(Ordering::Relaxed));
                    eprintln!(
                        "{}",
                        progress_line(scored + resumed + failed, failed, total, clock.elapsed())
                    );
                }
            });
        }
        let mut workers = Vec::with_capacity(pools.len());
        for pool in &pools {
            let (next, first_error, jobs, clips, bar) = (&next, &first_error, &jobs, &clips, &bar);
            let (scored, failed_now, resumed, rescored) =
                (&scored, &failed_now, &resumed, &rescored);
            workers.push(scope.spawn(move || loop {
                if first_error.lock().map(|e| e.is_some()).unwrap_or(true) {
                    return;
                }
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(index) else {
                    return;
                };
                match pool.install(|| process_one(job, clips, options, scorer)) {
                    Ok((outcome, redo)) => {
                        if let Some(redo) = redo {
                            if options.progress {
                                bar.suspend(|| {
                                    eprintln!(
                                        "note: re-scoring {} ({}): {}",
                                        redo.path, redo.id, redo.reason
                                    )
                                });
                            }
                            if let Ok(mut list) = rescored.lock() {
                                list.push(redo);
                            }
                        }
                        match outcome {
                            Outcome::Scored => {
                                scored.fetch_add(1, Ordering::Relaxed);
                            }
                            Outcome::Resumed => {
                                resumed.fetch_add(1, Ordering::Relaxed);
                            }
                            Outcome::Failed => {
                                let n = failed_now.fetch_add(1, Ordering::Relaxed) + 1;
                                bar.set_message(format!("({n} failed)"));
                            }
                        }
                        bar.inc(1);
                    }
                    Err(e) => {
                        if let Ok(mut slot) = first_error.lock() {
                            slot.get_or_insert(e);
                        }
                        return;
                    }
                }
            }));
        }
        for worker in workers {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        drop(stop_log);
    });
    if let Some(e) = first_error.into_inner().ok().flatten() {
        return Err(e);
    }
    bar.finish_and_clear();
    let mut rescored = rescored.into_inner().unwrap_or_default();
    rescored.sort_by(|a, b| a.id.cmp(&b.id));

    // Tables come from the files on disk, so a resumed run and an uninterrupted one agree.
    let mut sites = Vec::new();
    let mut failures = Vec::new();
    for job in &jobs {
        let path = score_path(&clips, job);
        if let Some(score) = read_complete_score(&path) {
            sites.push(SiteRow::from_score_json(job, &score, &path)?);
        } else {
            let path = failure_path(&clips, job);
            let row = std::fs::read(&path)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<FailureRow>(&bytes).ok())
                .unwrap_or_else(|| FailureRow::new(job, "no result (the run was interrupted)"));
            failures.push(row);
        }
    }
    let failed = failures.len();
    // Entries that yield no clip are listed once: by the whole run, or by shard 1.
    if options.shard.is_none_or(|s| s.index == 1) {
        failures.extend(archive.skipped.iter().map(|s| FailureRow {
            path: s.path.clone(),
            patient: String::new(),
            day: String::new(),
            site: String::new(),
            error: s.reason.clone(),
        }));
    }
    write_sites(&out.join("sites.csv"), &sites)?;
    write_patients(&out.join("patients.csv"), &sites)?;
    write_failures(&out.join("failures.csv"), &failures)?;

    let summary = BatchSummary {
        archive: archive.jobs.len(),
        in_shard: jobs.len(),
        scored: scored.into_inner(),
        resumed: resumed.into_inner(),
        rescored: rescored.len(),
        failed,
        skipped: archive.skipped.len(),
        acceptable: sites.iter().filter(|s| s.acceptable).count(),
        elapsed_s: clock.elapsed().as_secs_f64(),
    };
    let run = json!({
        "kind": "batch",
        "program": "mcvideo",
        "version": env!("CARGO_PKG_VERSION"),
        "parameters": options.parameters,
        "settings_sha256": options.settings_sha256,
        "archive_sha256": archive_sha256(archive),
        "shard": options.shard,
        "jobs": options.jobs,
        "resume": options.resume,
        "started": timestamp(started),
        "finished": timestamp(SystemTime::now()),
        "counts": summary,
        "rescored": rescored,
        "skipped": archive.skipped,
        "warnings": archive.warnings,
        "notices": notices,
    });
    write_json_atomic(&out.join("run.json"), &run)?;
    drop(lock);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::merge_outputs;
    use mcvideo_metrics::{site_metrics, MeasuredVessel, MetricsParams};

    /// A deterministic stand-in for the video pipeline: metrics from the clip's name.
    struct FakeScorer;

    impl ClipScorer for FakeScorer {
        fn score(&self, job: &ClipJob) -> Result<ScoredClip, String> {
            if job.path_as_given.contains("corrupt") {
                return Err(format!("{}: not a video", job.path_as_given));
            }
            if job.path_as_given.contains("panic") {
                panic!("stage bug");
            }
            let seed = job.path_as_given.bytes().map(u64::from).sum::<u64>();
            let class = mcvideo_metrics::FlowClass::ALL[(seed % 4) as usize];
            let vessels = vec![MeasuredVessel {
                flow_unresolved: false,
                centerline_px: vec![[0.0, 10.0], [(seed % 90) as f64 + 5.0, 40.0]],
                diameter_um: 8.0,
                flow_class: class,
                velocity_um_s: Some(seed as f64),
            }];
            let params = MetricsParams {
                um_per_px: 1.3,
                small_vessel_cutoff_um: 20.0,
                valid_region: [0.0, 0.0, 100.0, 80.0],
            };
            let metrics = site_metrics(&vessels, &params).map_err(|e| e.to_string())?;
            Ok(ScoredClip {
                score_json: json!({
                    "schema": SCORE_SCHEMA,
                    "metrics": metrics,
                    "quality": {"score": (seed % 3) as f64, "acceptable": seed % 5 != 0},
                }),
                overlay_png: Some(vec![1, 2, 3]),
                mean_png: Some(vec![4, 5, 6]),
            })
        }
    }

    /// `n` clip files in `files` (their bytes are their names) and their archive.
    fn archive(n: usize, files: &Path) -> Archive {
        let jobs = (0..n)
            .map(|i| {
                let name = if i == 3 {
                    "corrupt"
                } else if i == 5 {
                    "panic"
                } else {
                    "clip"
                };
                let path = files.join(format!("{name}{i}.avi"));
                std::fs::write(&path, name).unwrap();
                ClipJob {
                    path,
                    path_as_given: format!("{name}{i}.avi"),
                    patient: format!("P{}", i / 6),
                    day: format!("{}", 1 + (i / 3) % 2),
                    site: format!("{}", i % 3),
                    device: None,
                    um_per_px: None,
                }
            })
            .collect();
        Archive {
            jobs: crate::manifest::normalize_jobs(jobs).unwrap(),
            ..Archive::default()
        }
    }

    fn options(dir: &Path, jobs: usize) -> BatchOptions {
        BatchOptions {
            out_dir: dir.to_path_buf(),
            jobs,
            resume: false,
            shard: None,
            parameters: json!({}),
            settings_sha256: "settings".to_string(),
            command: "test".to_string(),
            progress: false,
            progress_every: DEFAULT_PROGRESS_EVERY,
        }
    }

    fn tables(dir: &Path) -> Vec<Vec<u8>> {
        ["sites.csv", "patients.csv", "failures.csv"]
            .iter()
            .map(|f| std::fs::read(dir.join(f)).unwrap())
            .collect()
    }

    #[test]
    fn failures_are_recorded_and_the_batch_goes_on() {
        let files = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let summary = run_batch(
            &archive(12, files.path()),
            &options(dir.path(), 2),
            &FakeScorer,
        )
        .unwrap();
        assert_eq!(summary.failed, 2);
        assert_eq!(summary.scored, 10);
        let failures = std::fs::read_to_string(dir.path().join("failures.csv")).unwrap();
        assert!(failures.contains("corrupt3.avi: not a video"));
        assert!(failures.contains("internal error"));
        let sites = std::fs::read_to_string(dir.path().join("sites.csv")).unwrap();
        assert_eq!(sites.lines().count(), 11);
        assert!(dir.path().join("run.json").exists());
    }

    #[test]
    fn progress_line_gives_done_rate_eta_and_failures() {
        let line = progress_line(30, 2, 120, Duration::from_secs(600));
        assert_eq!(
            line,
            "progress: 30/120 clips done, 3.0 clips/min, ETA 30m, 2 failed (10m elapsed)"
        );
        let start = progress_line(0, 0, 5, Duration::from_secs(30));
        assert_eq!(
            start,
            "progress: 0/5 clips done, 0.0 clips/min, ETA unknown, 0 failed (30s elapsed)"
        );
    }

    #[test]
    fn tables_do_not_depend_on_thread_count() {
        let files = tempfile::tempdir().unwrap();
        let one = tempfile::tempdir().unwrap();
        let four = tempfile::tempdir().unwrap();
        run_batch(
            &archive(30, files.path()),
            &options(one.path(), 1),
            &FakeScorer,
        )
        .unwrap();
        run_batch(
            &archive(30, files.path()),
            &options(four.path(), 4),
            &FakeScorer,
        )
        .unwrap();
        assert_eq!(tables(one.path()), tables(four.path()));
    }

    #[test]
    fn shards_merged_equal_one_run() {
        let files = tempfile::tempdir().unwrap();
        let whole = tempfile::tempdir().unwrap();
        run_batch(
            &archive(25, files.path()),
            &options(whole.path(), 2),
            &FakeScorer,
        )
        .unwrap();
        let parts = tempfile::tempdir().unwrap();
        let mut dirs = Vec::new();
        for k in 1..=4 {
            let dir = parts.path().join(format!("shard{k}"));
            let mut opts = options(&dir, 1);
            opts.shard = Some(Shard { index: k, count: 4 });
            run_batch(&archive(25, files.path()), &opts, &FakeScorer).unwrap();
            dirs.push(dir);
        }
        let merged = parts.path().join("merged");
        merge_outputs(&dirs, &merged, &Default::default()).unwrap();
        assert_eq!(tables(whole.path()), tables(&merged));
    }

    #[test]
    fn resume_skips_complete_clips_and_redoes_the_rest() {
        let files = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let archive = archive(12, files.path());
        let jobs = &archive.jobs;
        run_batch(&archive, &options(dir.path(), 2), &FakeScorer).unwrap();
        let reference = tables(dir.path());
        // Simulate a kill: one result lost, one torn partial file left behind.
        let clips = dir.path().join("clips");
        std::fs::remove_file(clips.join(format!("{}.score.json", jobs[0].id()))).unwrap();
        std::fs::write(clips.join(".x.score.json.partial-1"), b"{").unwrap();
        let mut opts = options(dir.path(), 2);
        opts.resume = true;
        let summary = run_batch(&archive, &opts, &FakeScorer).unwrap();
        // The lost clip and the two failures are retried; the others are skipped.
        assert_eq!(summary.resumed, 9);
        assert_eq!(summary.scored, 1);
        assert_eq!(summary.rescored, 0);
        assert_eq!(tables(dir.path()), reference);
        assert!(!clips.join(".x.score.json.partial-1").exists());
        // Other settings: every stored score is redone, and run.json says why.
        opts.settings_sha256 = "other settings".to_string();
        let summary = run_batch(&archive, &opts, &FakeScorer).unwrap();
        assert_eq!((summary.resumed, summary.rescored), (0, 10));
        let run: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("run.json")).unwrap()).unwrap();
        assert_eq!(run["rescored"].as_array().unwrap().len(), 10);
        assert!(run["rescored"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("settings changed"));
    }

    #[test]
    fn a_clip_that_now_fails_loses_its_old_score() {
        let files = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let archive = archive(12, files.path());
        run_batch(&archive, &options(dir.path(), 1), &FakeScorer).unwrap();
        let mut changed = archive.clone();
        changed.jobs[0].path_as_given = "corrupt-now.avi".to_string();
        run_batch(&changed, &options(dir.path(), 1), &FakeScorer).unwrap();
        let failures = std::fs::read_to_string(dir.path().join("failures.csv")).unwrap();
        assert!(failures.contains("corrupt-now.avi"), "{failures}");
        let sites = std::fs::read_to_string(dir.path().join("sites.csv")).unwrap();
        assert!(!sites.contains(&archive.jobs[0].path_as_given), "{sites}");
    }
}

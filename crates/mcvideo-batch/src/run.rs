//! Running a batch: scoring clips in parallel, writing each result as it comes, resuming,
//! and building the tables at the end.

use crate::atomic::{remove_partials, write_atomic};
use crate::manifest::ClipJob;
use crate::shard::Shard;
use crate::tables::{write_failures, write_patients, write_sites, FailureRow, SiteRow};
use crate::BatchError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime};

/// The schema a complete score JSON carries.
pub const SCORE_SCHEMA: &str = "mcvideo.score.v1";

/// What a scorer returns for one clip.
#[derive(Debug, Clone)]
pub struct ScoredClip {
    /// The SPEC score JSON.
    pub score_json: Value,
    /// The overlay PNG, encoded.
    pub overlay_png: Option<Vec<u8>>,
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
    /// Skip clips whose score JSON is already complete.
    pub resume: bool,
    /// Score only this part of the archive.
    pub shard: Option<Shard>,
    /// Parameters recorded in `run.json` (the command line as the CLI understood it).
    pub parameters: Value,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
}

/// What happened, for the final summary and `run.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BatchSummary {
    /// Clips in the whole archive.
    pub archive: usize,
    /// Clips in this shard.
    pub in_shard: usize,
    /// Clips scored in this run.
    pub scored: usize,
    /// Clips skipped because `--resume` found them complete.
    pub resumed: usize,
    /// Clips that failed (listed in failures.csv).
    pub failed: usize,
    /// Scored clips whose quality is acceptable.
    pub acceptable: usize,
    /// Wall time in seconds.
    pub elapsed_s: f64,
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

fn score_one(job: &ClipJob, clips: &Path, scorer: &dyn ClipScorer) -> Result<bool, BatchError> {
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
        Ok(scored) => {
            if let Some(png) = &scored.overlay_png {
                write_atomic(&clips.join(format!("{}.overlay.png", job.id())), png)?;
            }
            let text =
                serde_json::to_vec_pretty(&scored.score_json).map_err(|e| BatchError::Data {
                    path: score_path(clips, job),
                    problem: e.to_string(),
                })?;
            // The score JSON goes last: its presence marks the clip complete.
            write_atomic(&score_path(clips, job), &text)?;
            let _ = std::fs::remove_file(failure_path(clips, job));
            Ok(true)
        }
        Err(error) => {
            let row = FailureRow::new(job, &error);
            let text = serde_json::to_vec_pretty(&row).map_err(|e| BatchError::Data {
                path: failure_path(clips, job),
                problem: e.to_string(),
            })?;
            write_atomic(&failure_path(clips, job), &text)?;
            Ok(false)
        }
    }
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

fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// Scores `archive` (sorted, as [`crate::manifest::normalize_jobs`] leaves it) into
/// `options.out_dir`, then writes the tables and `run.json`.
pub fn run_batch(
    archive: &[ClipJob],
    options: &BatchOptions,
    scorer: &dyn ClipScorer,
) -> Result<BatchSummary, BatchError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let clips = options.out_dir.join("clips");
    std::fs::create_dir_all(&clips).map_err(|e| BatchError::io(&clips, e))?;
    remove_partials(&clips)?;
    remove_partials(&options.out_dir)?;

    let jobs = match options.shard {
        Some(shard) => shard.select(archive),
        None => archive.to_vec(),
    };
    let todo: Vec<&ClipJob> = jobs
        .iter()
        .filter(|job| !(options.resume && read_complete_score(&score_path(&clips, job)).is_some()))
        .collect();
    let resumed = jobs.len() - todo.len();

    let bar = progress_bar(todo.len(), options.progress);
    let failed = AtomicUsize::new(0);
    // One single-thread rayon pool per worker: the stages' parallel loops run inside their
    // clip's pool. With one shared pool, a thread waiting in one clip's parallel loop could steal
    // another clip's whole job and run it nested, serializing the two (and holding both in memory).
    // Clips are handed out by plain worker threads, not as rayon tasks, for the same reason: at
    // most `jobs` clips are in memory, and `--jobs` alone decides how many cores are used.
    let workers = options.jobs.max(1).min(todo.len().max(1));
    let pools = (0..workers)
        .map(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| BatchError::ThreadPool(options.jobs))?;
    let next = AtomicUsize::new(0);
    let first_error: std::sync::Mutex<Option<BatchError>> = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for pool in &pools {
            let (next, first_error, todo, clips, failed, bar) =
                (&next, &first_error, &todo, &clips, &failed, &bar);
            scope.spawn(move || loop {
                if first_error.lock().map(|e| e.is_some()).unwrap_or(true) {
                    return;
                }
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = todo.get(index) else {
                    return;
                };
                match pool.install(|| score_one(job, clips, scorer)) {
                    Ok(ok) => {
                        if !ok {
                            let n = failed.fetch_add(1, Ordering::Relaxed) + 1;
                            bar.set_message(format!("({n} failed)"));
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
            });
        }
    });
    if let Some(e) = first_error.into_inner().ok().flatten() {
        return Err(e);
    }
    bar.finish_and_clear();

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
    let out = &options.out_dir;
    write_sites(&out.join("sites.csv"), &sites)?;
    write_patients(&out.join("patients.csv"), &sites)?;
    write_failures(&out.join("failures.csv"), &failures)?;

    let summary = BatchSummary {
        archive: archive.len(),
        in_shard: jobs.len(),
        scored: todo.len() - failures.len().min(todo.len()),
        resumed,
        failed: failures.len(),
        acceptable: sites.iter().filter(|s| s.acceptable).count(),
        elapsed_s: clock.elapsed().as_secs_f64(),
    };
    let run = json!({
        "program": "mcvideo",
        "version": env!("CARGO_PKG_VERSION"),
        "parameters": options.parameters,
        "shard": options.shard,
        "jobs": options.jobs,
        "resume": options.resume,
        "started": timestamp(started),
        "finished": timestamp(SystemTime::now()),
        "counts": summary,
    });
    let text = serde_json::to_vec_pretty(&run).map_err(|e| BatchError::Data {
        path: out.join("run.json"),
        problem: e.to_string(),
    })?;
    write_atomic(&out.join("run.json"), &text)?;
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
            let class = (seed % 4) as u8;
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
            })
        }
    }

    fn archive(n: usize) -> Vec<ClipJob> {
        let jobs = (0..n)
            .map(|i| {
                let name = if i == 3 {
                    "corrupt"
                } else if i == 5 {
                    "panic"
                } else {
                    "clip"
                };
                ClipJob {
                    path: PathBuf::from(format!("{name}{i}.avi")),
                    path_as_given: format!("{name}{i}.avi"),
                    patient: format!("P{}", i / 6),
                    day: format!("{}", 1 + (i / 3) % 2),
                    site: format!("{}", i % 3),
                    device: None,
                    um_per_px: None,
                }
            })
            .collect();
        crate::manifest::normalize_jobs(jobs).unwrap()
    }

    fn options(dir: &Path, jobs: usize) -> BatchOptions {
        BatchOptions {
            out_dir: dir.to_path_buf(),
            jobs,
            resume: false,
            shard: None,
            parameters: json!({}),
            progress: false,
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
        let dir = tempfile::tempdir().unwrap();
        let summary = run_batch(&archive(12), &options(dir.path(), 2), &FakeScorer).unwrap();
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
    fn tables_do_not_depend_on_thread_count() {
        let one = tempfile::tempdir().unwrap();
        let four = tempfile::tempdir().unwrap();
        run_batch(&archive(30), &options(one.path(), 1), &FakeScorer).unwrap();
        run_batch(&archive(30), &options(four.path(), 4), &FakeScorer).unwrap();
        assert_eq!(tables(one.path()), tables(four.path()));
    }

    #[test]
    fn shards_merged_equal_one_run() {
        let whole = tempfile::tempdir().unwrap();
        run_batch(&archive(25), &options(whole.path(), 2), &FakeScorer).unwrap();
        let parts = tempfile::tempdir().unwrap();
        let mut dirs = Vec::new();
        for k in 1..=4 {
            let dir = parts.path().join(format!("shard{k}"));
            let mut opts = options(&dir, 1);
            opts.shard = Some(Shard { index: k, count: 4 });
            run_batch(&archive(25), &opts, &FakeScorer).unwrap();
            dirs.push(dir);
        }
        let merged = parts.path().join("merged");
        merge_outputs(&dirs, &merged).unwrap();
        assert_eq!(tables(whole.path()), tables(&merged));
    }

    #[test]
    fn resume_skips_complete_clips_and_redoes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let jobs = archive(12);
        run_batch(&jobs, &options(dir.path(), 2), &FakeScorer).unwrap();
        let reference = tables(dir.path());
        // Simulate a kill: one result lost, one torn partial file left behind.
        let clips = dir.path().join("clips");
        std::fs::remove_file(clips.join(format!("{}.score.json", jobs[0].id()))).unwrap();
        std::fs::write(clips.join(".x.score.json.partial-1"), b"{").unwrap();
        let mut opts = options(dir.path(), 2);
        opts.resume = true;
        let summary = run_batch(&jobs, &opts, &FakeScorer).unwrap();
        // The lost clip and the two failures are retried; the others are skipped.
        assert_eq!(summary.resumed, 9);
        assert_eq!(summary.scored, 1);
        assert_eq!(tables(dir.path()), reference);
        assert!(!clips.join(".x.score.json.partial-1").exists());
    }
}

//! Batch scaling and memory: a 200-clip synthetic archive scored with `--jobs 1` and
//! `--jobs 2` (throughput ratio, target ≥ 1.8×), and peak memory of a 50-clip and a 200-clip
//! run (target: equal within 10%). Each run is a fresh child process, so peak memory is its own.

use mcvideo_batch::{load_manifest, run_batch, Archive, BatchOptions};
use mcvideo_benches::{data_dir, peak_rss_mib, run_self};
use mcvideo_encode::VideoFormat;
use mcvideo_score::{PipelineScorer, ScoreParams};
use mcvideo_synth_study::{write_study, StudyParams};

/// 25 patients × 2 days × 4 sites of 160×120, 1 s clips.
fn archive() -> std::path::PathBuf {
    let dir = data_dir().join("batch-archive-200");
    let manifest = dir.join("manifest.csv");
    if !manifest.is_file() {
        let params = StudyParams {
            patients: 25,
            seed: 11,
            sites: [4, 4],
            width: 160,
            height: 120,
            duration_s: 1.0,
            ..StudyParams::default()
        };
        write_study(&params, &dir, VideoFormat::Ffv1Avi).expect("the bench archive renders");
    }
    manifest
}

/// Child: scores the first `n` clips with `jobs` threads and prints "seconds peak_mib".
fn child(n: usize, jobs: usize) {
    let manifest = archive();
    let all = load_manifest(&manifest).expect("manifest");
    let clips = Archive {
        jobs: all.jobs.into_iter().take(n).collect(),
        ..all
    };
    let out = tempfile_dir();
    let options = BatchOptions {
        out_dir: out.clone(),
        jobs,
        resume: false,
        shard: None,
        parameters: serde_json::json!({}),
        settings_sha256: String::new(),
        command: "batch_scaling bench".to_string(),
        progress: false,
        progress_every: mcvideo_batch::DEFAULT_PROGRESS_EVERY,
    };
    let scorer = PipelineScorer {
        params: ScoreParams {
            no_overlay: false,
            decode_threads: 1,
            ..ScoreParams::default()
        },
    };
    let options = BatchOptions {
        settings_sha256: scorer.params.sha256(),
        ..options
    };
    let started = std::time::Instant::now();
    let summary = run_batch(&clips, &options, &scorer).expect("batch runs");
    let seconds = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&out);
    assert_eq!(summary.failed, 0, "bench clips all score");
    println!("{seconds} {}", peak_rss_mib().unwrap_or(f64::NAN));
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = data_dir().join(format!("batch-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run_child(n: usize, jobs: usize) -> (f64, f64) {
    let (n, jobs) = (n.to_string(), jobs.to_string());
    let text = run_self(&["--child".as_ref(), n.as_ref(), jobs.as_ref()]);
    let mut it = text
        .split_whitespace()
        .map(|v| v.parse::<f64>().unwrap_or(f64::NAN));
    (it.next().unwrap_or(f64::NAN), it.next().unwrap_or(f64::NAN))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let n = args[i + 1].parse().expect("clip count");
        let jobs = args[i + 2].parse().expect("jobs");
        child(n, jobs);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    archive();
    let (t1, m1) = run_child(200, 1);
    let (t2, m2) = run_child(200, 2);
    let (_, m50) = run_child(50, 2);
    println!("batch of 200 clips (160x120, 1 s): --jobs 1 {t1:.1} s ({:.2} clips/s), --jobs 2 {t2:.1} s ({:.2} clips/s): speed-up {:.2}x", 200.0 / t1, 200.0 / t2, t1 / t2);
    println!("peak memory: 50 clips {m50:.0} MiB, 200 clips {m2:.0} MiB (jobs 2), ratio {:.3}; 200 clips jobs 1 {m1:.0} MiB", m2 / m50);
}

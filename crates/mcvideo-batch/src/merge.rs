//! `mcvideo merge`: joins the tables of shard outputs into the tables of one run, after
//! checking that the shards belong together and are all there.
//!
//! Shards belong together when their `run.json` files agree on the settings hash and on the
//! archive hash, and were split the same way (`--shard K/N` with one N). They are all there
//! when every K of 1..N is given exactly once, each finished (a `run.json`, no lock file) with
//! as many clips in its tables as its `run.json` counts, and no clip appears twice. Missing
//! shards may be let through with `--allow-incomplete`, which the merged `run.json` records;
//! anything mixed never is.

use crate::atomic::write_json_atomic;
use crate::lock::{lock_holder, OutputLock};
use crate::manifest::SkippedEntry;
use crate::tables::{
    read_failures, read_sites, write_failures, write_patients, write_sites, FailureRow,
};
use crate::BatchError;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// How to merge.
#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    /// Merge even when shards are missing (never when they are mixed or duplicated).
    pub allow_incomplete: bool,
    /// The command line, recorded in the output folder's lock.
    pub command: String,
}

/// What `merge` joined.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MergeSummary {
    pub shards: usize,
    pub sites: usize,
    pub failures: usize,
    /// What is missing, when `--allow-incomplete` let an incomplete set through.
    pub incomplete: Vec<String>,
}

/// What one shard folder's `run.json` says.
struct ShardRun {
    dir: PathBuf,
    run: Value,
    settings: String,
    archive: String,
    /// (K, N); an unsharded run is 1/1.
    part: (u64, u64),
    in_shard: u64,
    archive_clips: u64,
    skipped: Vec<SkippedEntry>,
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn read_shard_run(dir: &Path, fatal: &mut Vec<String>) -> Option<ShardRun> {
    let shown = dir.display();
    if let Some(holder) = lock_holder(dir) {
        let who = holder.map_or_else(|e| e, |h| h.to_string());
        fatal.push(format!(
            "{shown} is locked ({who}): a batch is still writing there, or was killed (resume it with --resume)"
        ));
        return None;
    }
    let path = dir.join("run.json");
    let run: Value = match std::fs::read(&path) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(run) => run,
            Err(e) => {
                fatal.push(format!("{}: not valid JSON: {e}", path.display()));
                return None;
            }
        },
        Err(e) => {
            fatal.push(format!(
                "{}: {e}: not the output of a finished `mcvideo batch`",
                path.display()
            ));
            return None;
        }
    };
    let text = |key: &str| run[key].as_str().map(str::to_string);
    let (Some(settings), Some(archive)) = (text("settings_sha256"), text("archive_sha256")) else {
        fatal.push(format!(
            "{}: no settings or archive hash (written by an older mcvideo, or not by `batch`); run that batch again with --resume",
            path.display()
        ));
        return None;
    };
    let part = match &run["shard"] {
        Value::Null => (1, 1),
        shard => match (shard["index"].as_u64(), shard["count"].as_u64()) {
            (Some(k), Some(n)) => (k, n),
            _ => {
                fatal.push(format!("{}: malformed 'shard'", path.display()));
                return None;
            }
        },
    };
    let counts = &run["counts"];
    let (Some(in_shard), Some(archive_clips)) =
        (counts["in_shard"].as_u64(), counts["archive"].as_u64())
    else {
        fatal.push(format!("{}: malformed 'counts'", path.display()));
        return None;
    };
    let skipped = match &run["skipped"] {
        Value::Null => Vec::new(),
        listed => match serde_json::from_value::<Vec<SkippedEntry>>(listed.clone()) {
            Ok(skipped) => skipped,
            Err(e) => {
                fatal.push(format!("{}: malformed 'skipped': {e}", path.display()));
                return None;
            }
        },
    };
    Some(ShardRun {
        dir: dir.to_path_buf(),
        run,
        settings,
        archive,
        part,
        in_shard,
        archive_clips,
        skipped,
    })
}

/// Lists the groups of shards that disagree on one value, or nothing when all agree.
fn disagreement(
    runs: &[ShardRun],
    what: &str,
    value: impl Fn(&ShardRun) -> String,
) -> Option<String> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for run in runs {
        groups
            .entry(value(run))
            .or_default()
            .push(run.dir.display().to_string());
    }
    (groups.len() > 1).then(|| {
        let listed: Vec<String> = groups
            .iter()
            .map(|(v, dirs)| format!("{v}: {}", dirs.join(", ")))
            .collect();
        format!("the shards differ in {what}: {}", listed.join("; "))
    })
}

/// Reads `sites.csv` and `failures.csv` of every shard folder and, when the shards are
/// complete and alike (see the module documentation), writes the joined `sites.csv`,
/// `patients.csv` (recomputed from the joined sites), `failures.csv` and a `run.json` to `out`.
/// Otherwise it writes nothing and fails with [`BatchError::MergeRefused`] listing every
/// problem found.
pub fn merge_outputs(
    shards: &[PathBuf],
    out: &Path,
    options: &MergeOptions,
) -> Result<MergeSummary, BatchError> {
    let started = SystemTime::now();
    let mut fatal = Vec::new();
    let mut missing = Vec::new();
    let out_canonical = std::fs::canonicalize(out).ok();
    let mut runs = Vec::new();
    for dir in shards {
        if out_canonical.is_some() && std::fs::canonicalize(dir).ok() == out_canonical {
            fatal.push(format!(
                "{} is both a shard and --out: merge into a folder of its own",
                dir.display()
            ));
            continue;
        }
        if let Some(run) = read_shard_run(dir, &mut fatal) {
            runs.push(run);
        }
    }
    fatal.extend(disagreement(&runs, "settings (settings_sha256)", |r| {
        short(&r.settings).to_string()
    }));
    fatal.extend(disagreement(
        &runs,
        "the archive they split (archive_sha256: the manifest or folder changed between shards)",
        |r| short(&r.archive).to_string(),
    ));
    let split = disagreement(&runs, "how the archive was split (--shard K/N)", |r| {
        format!("N = {}", r.part.1)
    });
    let split_agrees = split.is_none();
    fatal.extend(split);

    let mut sites = Vec::new();
    let mut failures: Vec<FailureRow> = Vec::new();
    for run in &runs {
        let tables = (
            read_sites(&run.dir.join("sites.csv")),
            read_failures(&run.dir.join("failures.csv")),
        );
        let (shard_sites, shard_failures) = match tables {
            (Ok(sites), Ok(failures)) => (sites, failures),
            (sites, failures) => {
                fatal.extend(sites.err().map(|e| e.to_string()));
                fatal.extend(failures.err().map(|e| e.to_string()));
                continue;
            }
        };
        // Rows without a patient are folder entries that yield no clip; they are listed once
        // below, from run.json.
        let clip_failures: Vec<FailureRow> = shard_failures
            .into_iter()
            .filter(|f| !f.patient.is_empty())
            .collect();
        let rows = (shard_sites.len() + clip_failures.len()) as u64;
        if rows != run.in_shard {
            fatal.push(format!(
                "{}: sites.csv and failures.csv hold {rows} clips but run.json counts {}: the tables do not belong to that run",
                run.dir.display(),
                run.in_shard
            ));
        }
        sites.extend(shard_sites);
        failures.extend(clip_failures);
    }

    if split_agrees && let Some(first) = runs.first() {
        let n = first.part.1;
        let mut by_index: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for run in &runs {
            by_index
                .entry(run.part.0)
                .or_default()
                .push(run.dir.display().to_string());
        }
        for (k, dirs) in &by_index {
            if dirs.len() > 1 {
                fatal.push(format!(
                    "shard {k}/{n} is given {} times: {}",
                    dirs.len(),
                    dirs.join(", ")
                ));
            }
        }
        for k in 1..=n {
            if !by_index.contains_key(&k) {
                missing.push(format!("shard {k}/{n} is missing"));
            }
        }
        let total: u64 = runs.iter().map(|r| r.in_shard).sum();
        if missing.is_empty()
            && by_index.values().all(|d| d.len() == 1)
            && total != first.archive_clips
        {
            fatal.push(format!(
                "the shards hold {total} clips together but the archive has {}",
                first.archive_clips
            ));
        }
    }

    let mut seen = BTreeMap::new();
    let mut duplicated = BTreeSet::new();
    let keys = sites
        .iter()
        .map(|s| (&s.patient, &s.day, &s.site))
        .chain(failures.iter().map(|f| (&f.patient, &f.day, &f.site)));
    for key in keys {
        *seen.entry(key).or_insert(0usize) += 1;
        if seen[&key] > 1 {
            duplicated.insert(key);
        }
    }
    for (patient, day, site) in duplicated.iter().take(20) {
        fatal.push(format!(
            "patient {patient} day {day} site {site} appears in more than one shard"
        ));
    }
    if duplicated.len() > 20 {
        fatal.push(format!(
            "... and {} more duplicated clips",
            duplicated.len() - 20
        ));
    }
    if runs.is_empty() && fatal.is_empty() {
        fatal.push("no shard folder given".to_string());
    }

    if !fatal.is_empty() || (!missing.is_empty() && !options.allow_incomplete) {
        let mut problems = fatal;
        let only_missing = problems.is_empty();
        problems.extend(missing);
        if only_missing {
            problems.push(
                "give --allow-incomplete to merge the shards that are there (the merged run.json then says so)"
                    .to_string(),
            );
        }
        return Err(BatchError::MergeRefused {
            out: out.to_path_buf(),
            problems,
        });
    }

    // Entries that yield no clip, once (every shard's run.json lists the same ones).
    if let Some(first) = runs.first() {
        failures.extend(first.skipped.iter().map(|s| FailureRow {
            path: s.path.clone(),
            patient: String::new(),
            day: String::new(),
            site: String::new(),
            error: s.reason.clone(),
        }));
    }

    std::fs::create_dir_all(out).map_err(|e| BatchError::io(out, e))?;
    let lock = OutputLock::acquire(out, &options.command)?;
    write_sites(&out.join("sites.csv"), &sites)?;
    write_patients(&out.join("patients.csv"), &sites)?;
    write_failures(&out.join("failures.csv"), &failures)?;
    let summary = MergeSummary {
        shards: runs.len(),
        sites: sites.len(),
        failures: failures.len(),
        incomplete: missing,
    };
    let first = &runs[0];
    let merged_from: Vec<Value> = runs
        .iter()
        .map(|r| {
            json!({
                "dir": r.dir,
                "shard": r.run["shard"],
                "counts": r.run["counts"],
                "started": r.run["started"],
                "finished": r.run["finished"],
            })
        })
        .collect();
    let run = json!({
        "kind": "merge",
        "program": "mcvideo",
        "version": env!("CARGO_PKG_VERSION"),
        "parameters": first.run["parameters"],
        "settings_sha256": first.settings,
        "archive_sha256": first.archive,
        "shards": merged_from,
        "allow_incomplete": options.allow_incomplete,
        "incomplete": summary.incomplete,
        "skipped": first.skipped,
        "counts": {"shards": summary.shards, "sites": summary.sites, "failures": summary.failures},
        "started": humantime::format_rfc3339_seconds(started).to_string(),
        "finished": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
    });
    write_json_atomic(&out.join("run.json"), &run)?;
    drop(lock);
    Ok(summary)
}

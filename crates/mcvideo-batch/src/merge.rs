//! `mcvideo merge`: joins the tables of shard outputs into the tables of one run.

use crate::tables::{read_failures, read_sites, write_failures, write_patients, write_sites};
use crate::BatchError;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What `merge` joined.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MergeSummary {
    pub shards: usize,
    pub sites: usize,
    pub failures: usize,
}

/// Reads `sites.csv` and `failures.csv` of every shard folder and writes the joined
/// `sites.csv`, `patients.csv` (recomputed from the joined sites) and `failures.csv` to
/// `out`. A clip that appears in two shards is an error: shards must be disjoint.
pub fn merge_outputs(shards: &[PathBuf], out: &Path) -> Result<MergeSummary, BatchError> {
    let mut sites = Vec::new();
    let mut failures = Vec::new();
    for dir in shards {
        sites.extend(read_sites(&dir.join("sites.csv"))?);
        failures.extend(read_failures(&dir.join("failures.csv"))?);
    }
    let mut seen = BTreeSet::new();
    let keys = sites
        .iter()
        .map(|s| (&s.patient, &s.day, &s.site))
        .chain(failures.iter().map(|f| (&f.patient, &f.day, &f.site)));
    for key in keys {
        if !seen.insert(key) {
            return Err(BatchError::Data {
                path: out.to_path_buf(),
                problem: format!(
                    "patient {} day {} site {} appears in more than one shard",
                    key.0, key.1, key.2
                ),
            });
        }
    }
    std::fs::create_dir_all(out).map_err(|e| BatchError::io(out, e))?;
    write_sites(&out.join("sites.csv"), &sites)?;
    write_patients(&out.join("patients.csv"), &sites)?;
    write_failures(&out.join("failures.csv"), &failures)?;
    Ok(MergeSummary {
        shards: shards.len(),
        sites: sites.len(),
        failures: failures.len(),
    })
}

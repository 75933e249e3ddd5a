//! Readers of the R reference set in fixtures/reference shared by the survival tests.

use serde_json::Value;
use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/reference")
        .join(name)
}

/// The named numeric columns of a reference CSV; rows with a missing value in any are dropped.
pub fn columns(file: &str, names: &[&str]) -> Vec<Vec<f64>> {
    let mut reader = csv::Reader::from_path(fixture(file)).unwrap();
    let header = reader.headers().unwrap().clone();
    let idx: Vec<usize> = names
        .iter()
        .map(|n| header.iter().position(|h| h == *n).unwrap())
        .collect();
    let mut cols = vec![Vec::new(); names.len()];
    for record in reader.records() {
        let record = record.unwrap();
        let values: Vec<Option<f64>> = idx.iter().map(|&i| record[i].trim().parse().ok()).collect();
        if values.iter().all(Option::is_some) {
            for (c, v) in cols.iter_mut().zip(values) {
                c.push(v.unwrap());
            }
        }
    }
    cols
}

pub fn reference(file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(file)).unwrap()).unwrap()
}

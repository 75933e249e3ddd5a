//! Test helpers: read the reference fixtures copied from R into /work/main/fixtures/reference.

use serde_json::Value;

pub fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/reference/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub struct Csv {
    pub header: Vec<String>,
    pub cols: Vec<Vec<f64>>,
}

impl Csv {
    pub fn load(name: &str) -> Csv {
        let text = fixture(name);
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap()
            .split(',')
            .map(|s| s.trim_matches('"').to_string())
            .collect();
        let mut cols = vec![Vec::new(); header.len()];
        for line in lines.filter(|l| !l.trim().is_empty()) {
            for (j, v) in line.split(',').enumerate() {
                cols[j].push(v.trim_matches('"').parse().unwrap_or(f64::NAN));
            }
        }
        Csv { header, cols }
    }
    pub fn col(&self, name: &str) -> &[f64] {
        let j = self.header.iter().position(|h| h == name).unwrap();
        &self.cols[j]
    }
}

pub fn json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

pub fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} missing"))
}

pub const COVARIATES: [&str; 3] = ["apache2", "heart_rate", "log_il6"];

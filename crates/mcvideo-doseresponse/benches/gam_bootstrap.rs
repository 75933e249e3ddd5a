//! Criterion bench: GAM (tp, k = 10, three covariates) + 1000 bootstrap resamples on n = 66.

use criterion::{criterion_group, criterion_main, Criterion};
use mcvideo_doseresponse::{fit_gam, GamOptions};

fn load() -> Vec<(String, Vec<f64>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/reference/cohort_a.csv"
    );
    let text = std::fs::read_to_string(path).expect("fixture cohort_a.csv");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(|s| s.trim_matches('"').to_string())
        .collect();
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); header.len()];
    for line in lines {
        for (j, v) in line.split(',').enumerate() {
            cols[j].push(v.trim_matches('"').parse().unwrap_or(f64::NAN));
        }
    }
    header.into_iter().zip(cols).collect()
}

fn col<'a>(t: &'a [(String, Vec<f64>)], name: &str) -> &'a [f64] {
    &t.iter().find(|(n, _)| n == name).expect("column").1
}

fn bench(c: &mut Criterion) {
    let t = load();
    let x = col(&t, "ne_dose");
    let y = col(&t, "mfi");
    let covs = [
        ("apache2", col(&t, "apache2")),
        ("heart_rate", col(&t, "heart_rate")),
        ("log_il6", col(&t, "log_il6")),
    ];
    let opts = GamOptions::default();
    let mut g = c.benchmark_group("gam");
    g.sample_size(10);
    g.bench_function("gam_tp_boot1000_n66", |b| {
        b.iter(|| fit_gam(x, y, &covs, &opts).expect("fit"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

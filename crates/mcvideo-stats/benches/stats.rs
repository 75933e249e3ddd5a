//! Criterion benchmarks of mcvideo-stats: CSV loading, describe, Shapiro–Wilk, OLS, Fisher r×c.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mcvideo_stats::data::Table;
use mcvideo_stats::describe::{describe, DescribeOptions};

/// Deterministic pseudo-data (no RNG needed): a smooth signal plus a scrambled fraction.
fn values(n: usize, seed: f64) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let t = i as f64 + seed;
            (t * 0.7).sin() * 3.0 + ((t * 12.9898).sin() * 43758.5453).fract()
        })
        .collect()
}

fn cohort_csv(n: usize) -> String {
    let mut csv = String::from("dose,mfi,ppv,hi,lactate,group,death\n");
    let cols: Vec<Vec<f64>> = (0..5).map(|k| values(n, k as f64 * 101.0)).collect();
    for (i, dose) in cols[0].iter().enumerate() {
        let row: Vec<String> = cols.iter().map(|c| c[i].to_string()).collect();
        let group = if *dose > 0.0 { "high" } else { "low" };
        csv.push_str(&format!("{},{group},{}\n", row.join(","), i % 3 == 0));
    }
    csv
}

fn benches(c: &mut Criterion) {
    let csv = cohort_csv(10_000);
    c.bench_function("load csv 10k rows x 7", |b| {
        b.iter(|| Table::from_reader(black_box(csv.as_bytes()), "bench.csv").unwrap())
    });
    let table = Table::from_reader(csv.as_bytes(), "bench.csv").unwrap();
    let options = DescribeOptions {
        group: Some("group".into()),
        ..Default::default()
    };
    c.bench_function("describe 10k rows, 4 numeric + 1 categorical", |b| {
        b.iter(|| describe(&table, &["mfi", "ppv", "hi", "lactate", "death"], &options).unwrap())
    });
    let x = values(5000, 7.0);
    c.bench_function("shapiro_wilk n=5000", |b| {
        b.iter(|| mcvideo_stats::shapiro::shapiro_wilk(black_box(&x)).unwrap())
    });
    c.bench_function("regress 10k rows, 4 predictors", |b| {
        b.iter(|| {
            mcvideo_stats::regress::regress(&table, "mfi", &["dose", "ppv", "hi", "lactate"])
                .unwrap()
        })
    });
    let counts = vec![vec![8, 3, 5], vec![2, 9, 4], vec![6, 1, 7]];
    c.bench_function("fisher_exact 3x3, n=45", |b| {
        b.iter(|| mcvideo_stats::contingency::fisher_exact(black_box(&counts)).unwrap())
    });
}

criterion_group!(stats, benches);
criterion_main!(stats);

//! Benchmarks of the survival methods on a synthetic cohort of 500 patients.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mcvideo_survival::{cox, km_groups, Ties};

/// A synthetic cohort: times, events, a dose group, age and dose.
struct Cohort {
    time: Vec<f64>,
    event: Vec<bool>,
    group: Vec<String>,
    age: Vec<f64>,
    dose: Vec<f64>,
}

/// A deterministic synthetic cohort of `n` patients (LCG draws, no RNG state shared).
fn cohort(n: usize) -> Cohort {
    let mut state: u64 = 12345;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    };
    let mut time = Vec::new();
    let mut event = Vec::new();
    let mut group = Vec::new();
    let mut age = Vec::new();
    let mut dose = Vec::new();
    for _ in 0..n {
        let a = 40.0 + 40.0 * next();
        let d = next();
        let hazard = (0.03 * (a - 60.0) + 1.0 * d).exp();
        let t = -next().max(1e-12).ln() / hazard * 30.0;
        time.push((t.min(90.0) * 10.0).round() / 10.0);
        event.push(t < 90.0 && next() > 0.2);
        group.push(if d > 0.5 { "high" } else { "low" }.to_string());
        age.push(a.round());
        dose.push(d);
    }
    Cohort {
        time,
        event,
        group,
        age,
        dose,
    }
}

fn bench(c: &mut Criterion) {
    let Cohort {
        time,
        event,
        group,
        age,
        dose,
    } = cohort(500);
    c.bench_function("km_groups_500", |b| {
        b.iter(|| km_groups(black_box(&time), black_box(&event), black_box(&group)))
    });
    c.bench_function("cox_efron_500_2cov", |b| {
        b.iter(|| {
            cox(
                black_box(&time),
                black_box(&event),
                &[("age", &age), ("dose", &dose)],
                Ties::Efron,
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

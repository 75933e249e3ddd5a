//! Statistics at 100k rows (targets on 2 cores: `gam` without bootstrap <= 5 s,
//! `segmented` <= 5 s, `cox` <= 10 s), and the GAM threshold with its default 1000 bootstrap
//! resamples at 2000 and 100k rows. The data are synthetic cohorts drawn from ChaCha8 with fixed
//! seeds.

use criterion::{criterion_group, criterion_main, Criterion};
use mcvideo_doseresponse::{fit_gam, fit_segmented, GamOptions, SegmentedOptions};
use mcvideo_survival::{cox, Ties};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// A dose-response cohort: dose, outcome with a bend at 0.8, and two covariates.
struct DoseCohort {
    dose: Vec<f64>,
    outcome: Vec<f64>,
    age: Vec<f64>,
    severity: Vec<f64>,
}

/// `n` patients; every dose distinct, so the tp basis needs the knot subset beyond 2000.
fn dose_cohort(n: usize, seed: u64) -> DoseCohort {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = DoseCohort {
        dose: Vec::with_capacity(n),
        outcome: Vec::with_capacity(n),
        age: Vec::with_capacity(n),
        severity: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let dose: f64 = rng.gen_range(0.0..2.0);
        let age: f64 = rng.gen_range(20.0..90.0);
        let severity: f64 = rng.gen_range(0.0..40.0);
        let noise: f64 = rng.gen_range(-0.3..0.3);
        let outcome =
            3.0 - 0.2 * dose - 1.5 * (dose - 0.8).max(0.0) - 0.005 * age - 0.01 * severity + noise;
        c.dose.push(dose);
        c.outcome.push(outcome);
        c.age.push(age);
        c.severity.push(severity);
    }
    c
}

/// A survival cohort: exponential times (hazard rising with age and dose), 20% censored,
/// times rounded to 0.1 day so that ties occur.
struct SurvivalCohort {
    time: Vec<f64>,
    event: Vec<bool>,
    age: Vec<f64>,
    dose: Vec<f64>,
}

fn survival_cohort(n: usize, seed: u64) -> SurvivalCohort {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut c = SurvivalCohort {
        time: Vec::with_capacity(n),
        event: Vec::with_capacity(n),
        age: Vec::with_capacity(n),
        dose: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let age: f64 = rng.gen_range(40.0..80.0);
        let dose: f64 = rng.gen_range(0.0..1.0);
        let hazard = (0.03 * (age - 60.0) + dose).exp();
        let u: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
        let t = -u.ln() / hazard * 30.0;
        c.time.push((t.min(90.0) * 10.0).round() / 10.0);
        c.event.push(t < 90.0 && rng.gen_bool(0.8));
        c.age.push(age.round());
        c.dose.push(dose);
    }
    c
}

fn at_100k(c: &mut Criterion) {
    let n = 100_000;
    let d = dose_cohort(n, 2026);
    let covariates = [
        ("age", d.age.as_slice()),
        ("severity", d.severity.as_slice()),
    ];
    let mut group = c.benchmark_group("stats_100k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    let gam = GamOptions {
        boot: 0,
        ..GamOptions::default()
    };
    group.bench_function("gam tp k=10 no bootstrap, 100k rows", |b| {
        b.iter(|| fit_gam(&d.dose, &d.outcome, &covariates, &gam).expect("gam fits"))
    });
    group.bench_function("segmented, 100k rows", |b| {
        b.iter(|| {
            fit_segmented(
                &d.dose,
                &d.outcome,
                &covariates,
                &SegmentedOptions::default(),
            )
            .expect("segmented fits")
        })
    });
    let s = survival_cohort(n, 2027);
    group.bench_function("cox efron 2 covariates, 100k rows", |b| {
        b.iter(|| {
            cox(
                &s.time,
                &s.event,
                &[("age", &s.age), ("dose", &s.dose)],
                Ties::Efron,
            )
            .expect("cox fits")
        })
    });
    group.finish();
}

fn bootstrap(c: &mut Criterion) {
    let mut group = c.benchmark_group("gam_bootstrap");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    let opts = GamOptions::default();
    for (n, seed) in [(2000, 2028), (100_000, 2029)] {
        let d = dose_cohort(n, seed);
        let covariates = [
            ("age", d.age.as_slice()),
            ("severity", d.severity.as_slice()),
        ];
        group.bench_function(
            format!("gam tp k=10 + {} resamples, {n} rows", opts.boot),
            |b| b.iter(|| fit_gam(&d.dose, &d.outcome, &covariates, &opts).expect("gam fits")),
        );
    }
    group.finish();
}

criterion_group!(benches, at_100k, bootstrap);
criterion_main!(benches);

//! The bootstrap CI depends on the seed only, not on the thread count.

mod common;
use common::*;
use mcvideo_doseresponse::{fit_gam, fit_rcs, GamOptions, RcsOptions};

#[test]
fn same_ci_on_one_and_three_threads() {
    let d = Csv::load("cohort_a.csv");
    let covs: Vec<(&str, &[f64])> = COVARIATES.iter().map(|c| (*c, d.col(c))).collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let g = fit_gam(
                d.col("ne_dose"),
                d.col("mfi"),
                &covs,
                &GamOptions {
                    boot: 60,
                    seed: 9,
                    ..GamOptions::default()
                },
            )
            .unwrap();
            let r = fit_rcs(
                d.col("ne_dose"),
                d.col("mfi"),
                &covs,
                &RcsOptions {
                    boot: 60,
                    seed: 9,
                    ..RcsOptions::default()
                },
            )
            .unwrap();
            (g.threshold, r.threshold)
        })
    };
    let one = run(1);
    let three = run(3);
    assert_eq!(one, three);
    let [lo, hi] = one.0.ci.unwrap();
    assert!(lo <= one.0.x && one.0.x <= hi, "{lo} {} {hi}", one.0.x);
    assert_eq!(one.0.boot_resamples, 60);
    // a different seed gives a different interval
    let other = fit_gam(
        d.col("ne_dose"),
        d.col("mfi"),
        &covs,
        &GamOptions {
            boot: 60,
            seed: 10,
            ..GamOptions::default()
        },
    )
    .unwrap();
    assert_ne!(other.threshold.ci, one.0.ci);
}

//! The bootstrap CI depends on the seed only, not on the thread count, and keeping the basis
//! across resamples changes it little.

use crate::common::*;
use mcvideo_doseresponse::{fit_gam, fit_rcs, BootBasis, GamOptions, RcsOptions};

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

/// Resamples that keep the full data's basis give nearly the interval of resamples that rebuild
/// it, thread count aside, and each fit records which was used.
#[test]
fn fixed_basis_resamples_agree_with_refitted_ones() {
    let d = Csv::load("cohort_a.csv");
    let covs: Vec<(&str, &[f64])> = COVARIATES.iter().map(|c| (*c, d.col(c))).collect();
    let dose = d.col("ne_dose");
    let fit = |refit_max_knots: usize, threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            fit_gam(
                dose,
                d.col("mfi"),
                &covs,
                &GamOptions {
                    boot: 400,
                    seed: 3,
                    boot_refit_max_knots: refit_max_knots,
                    ..GamOptions::default()
                },
            )
            .unwrap()
            .threshold
        })
    };
    let refit = fit(GamOptions::default().boot_refit_max_knots, 2);
    let fixed = fit(0, 2);
    assert_eq!(refit.boot_basis, Some(BootBasis::Refit));
    assert_eq!(fixed.boot_basis, Some(BootBasis::Fixed));
    assert_eq!(fixed, fit(0, 1));
    assert_eq!(refit.x, fixed.x);
    let range = dose.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        - dose.iter().cloned().fold(f64::INFINITY, f64::min);
    let (r, f) = (refit.ci.unwrap(), fixed.ci.unwrap());
    assert_ne!(
        r, f,
        "the two kinds of resample are not the same computation"
    );
    for (a, b) in r.iter().zip(f.iter()) {
        assert!((a - b).abs() < 0.1 * range, "refit {r:?} vs fixed {f:?}");
    }
    assert!(f[0] <= fixed.x && fixed.x <= f[1]);
}

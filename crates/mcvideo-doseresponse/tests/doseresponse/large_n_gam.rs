//! The tp basis beyond `max_knots` distinct doses, as mgcv builds it: a seeded random subset of
//! the distinct x are the knots. The fit with a forced subset equals the fit on a basis built
//! from that same explicit knot set (which reference_knots.rs checks against
//! `gam(..., knots = list(x = kn))` in mgcv), the subset is recorded and reproducible, and a
//! subset basis stays close to the all-knots basis.

use mcvideo_doseresponse::gam::{fit_gam, fit_gam_with_knots, GamFit, GamOptions};
use mcvideo_doseresponse::tp::{select_knots, TpKnotOptions};

fn data(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..n)
        .map(|i| 2.0 * ((i * 7919 % n) as f64 + 0.37) / n as f64)
        .collect();
    let cov: Vec<f64> = (0..n).map(|i| ((i * 31 % 17) as f64).sqrt()).collect();
    let y: Vec<f64> = x
        .iter()
        .zip(&cov)
        .enumerate()
        .map(|(i, (&v, &c))| {
            1.0 - 1.5 * (v - 0.8).max(0.0)
                + 0.3 * (3.0 * v).sin()
                + 0.05 * c
                + 0.2 * (((i * 104729) % 1000) as f64 / 1000.0 - 0.5)
        })
        .collect();
    (x, y, cov)
}

fn max_curve_gap(a: &GamFit, b: &GamFit) -> f64 {
    a.curve
        .iter()
        .zip(&b.curve)
        .map(|(p, q)| (p.fit - q.fit).abs())
        .fold(0.0, f64::max)
}

fn curve_range(a: &GamFit) -> f64 {
    let (lo, hi) = a
        .curve
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
            (l.min(p.fit), h.max(p.fit))
        });
    hi - lo
}

#[test]
fn forced_subset_equals_the_fit_on_the_same_explicit_knots() {
    let (x, y, cov) = data(900);
    let opts = GamOptions {
        boot: 0,
        max_knots: 150,
        knot_seed: 5,
        ..GamOptions::default()
    };
    let subset = fit_gam(&x, &y, &[("c", &cov)], &opts).unwrap();
    assert_eq!(
        (subset.knots, subset.max_knots, subset.knot_seed),
        (150, 150, 5)
    );
    let knots = select_knots(
        &x,
        &TpKnotOptions {
            max_knots: 150,
            seed: 5,
        },
    );
    // Given in another order and with a duplicate, the explicit set is the same set.
    let mut shuffled: Vec<f64> = knots.iter().rev().copied().collect();
    shuffled.push(knots[3]);
    let explicit = fit_gam_with_knots(&x, &y, &[("c", &cov)], &opts, &shuffled).unwrap();
    assert_eq!(explicit.knots, 150);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
    assert!(
        close(subset.edf, explicit.edf),
        "{} {}",
        subset.edf,
        explicit.edf
    );
    assert!(close(subset.reml, explicit.reml));
    assert!(close(subset.scale, explicit.scale));
    assert!(close(subset.threshold.x, explicit.threshold.x));
    for (a, b) in subset.linear_terms.iter().zip(&explicit.linear_terms) {
        assert!(close(a.coef, b.coef) && close(a.se, b.se), "{}", a.name);
    }
    assert!(max_curve_gap(&subset, &explicit) <= 1e-9 * curve_range(&explicit));
}

#[test]
fn a_subset_basis_stays_close_to_the_all_knots_basis() {
    let (x, y, cov) = data(900);
    let all = GamOptions {
        boot: 0,
        ..GamOptions::default()
    };
    let full = fit_gam(&x, &y, &[("c", &cov)], &all).unwrap();
    assert_eq!(full.knots, 900);
    for seed in [1, 2] {
        let subset = fit_gam(
            &x,
            &y,
            &[("c", &cov)],
            &GamOptions {
                max_knots: 150,
                knot_seed: seed,
                ..all
            },
        )
        .unwrap();
        let gap = max_curve_gap(&subset, &full) / curve_range(&full);
        assert!(gap < 0.02, "seed {seed}: curve gap {gap} of the range");
        assert!(
            (subset.edf - full.edf).abs() < 0.5,
            "{} {}",
            subset.edf,
            full.edf
        );
        assert!((subset.threshold.x - full.threshold.x).abs() < 0.05);
    }
}

#[test]
fn no_subset_at_or_below_max_knots() {
    let (x, y, cov) = data(300);
    let opts = GamOptions {
        boot: 0,
        ..GamOptions::default()
    };
    let default = fit_gam(&x, &y, &[("c", &cov)], &opts).unwrap();
    let exact = fit_gam(
        &x,
        &y,
        &[("c", &cov)],
        &GamOptions {
            max_knots: 300,
            knot_seed: 99,
            ..opts
        },
    )
    .unwrap();
    assert_eq!((default.knots, exact.knots), (300, 300));
    assert_eq!(default.edf, exact.edf);
    assert_eq!(default.reml, exact.reml);
    assert!(default
        .curve
        .iter()
        .zip(&exact.curve)
        .all(|(a, b)| a.fit == b.fit));
}

#[test]
fn max_knots_below_k_is_refused() {
    let (x, y, _) = data(100);
    let opts = GamOptions {
        boot: 0,
        max_knots: 5,
        ..GamOptions::default()
    };
    assert!(fit_gam(&x, &y, &[], &opts).is_err());
}

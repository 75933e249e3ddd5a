//! Property tests: Spearman is invariant under monotone transforms, BH-adjusted p values are
//! monotone in p and never below the raw ones, OLS recovers exact coefficients without noise.

use mcvideo_stats::correlate::{pearson, spearman};
use mcvideo_stats::fdr::benjamini_hochberg;
use mcvideo_stats::regress::ols;
use proptest::prelude::*;

fn distinct(values: Vec<f64>) -> bool {
    let mut v = values;
    v.sort_by(f64::total_cmp);
    v.windows(2).any(|w| w[0] != w[1])
}

proptest! {
    #[test]
    fn spearman_is_invariant_under_monotone_transforms(
        pairs in prop::collection::vec((-50i32..50, -50i32..50), 5..40),
        shift in -10.0f64..10.0,
        scale in 0.1f64..10.0,
    ) {
        let x: Vec<f64> = pairs.iter().map(|p| p.0 as f64 / 10.0).collect();
        let y: Vec<f64> = pairs.iter().map(|p| p.1 as f64 / 10.0).collect();
        prop_assume!(distinct(x.clone()) && distinct(y.clone()));
        let base = spearman(&x, &y).unwrap();
        // strictly increasing transforms keep ties as ties
        let exp_x: Vec<f64> = x.iter().map(|v| (v / 2.0).exp()).collect();
        let cube_y: Vec<f64> = y.iter().map(|v| scale * v * v * v + shift).collect();
        let transformed = spearman(&exp_x, &cube_y).unwrap();
        prop_assert!((base.r - transformed.r).abs() < 1e-12);
        prop_assert!((base.p - transformed.p).abs() < 1e-12);
        // a decreasing transform flips the sign
        let neg_x: Vec<f64> = x.iter().map(|v| -v.atan()).collect();
        let flipped = spearman(&neg_x, &y).unwrap();
        prop_assert!((base.r + flipped.r).abs() < 1e-12);
        // Pearson on ranks is Spearman by definition; on the raw data it differs in general
        prop_assert!(pearson(&x, &y).unwrap().r.abs() <= 1.0);
    }

    #[test]
    fn bh_adjusted_p_is_monotone_and_never_below_raw(
        p in prop::collection::vec(0.0f64..=1.0, 1..60),
    ) {
        let q = benjamini_hochberg(&p);
        prop_assert_eq!(q.len(), p.len());
        for i in 0..p.len() {
            prop_assert!(q[i] >= p[i] - 1e-15, "q {} < p {}", q[i], p[i]);
            prop_assert!(q[i] <= 1.0);
            for j in 0..p.len() {
                if p[i] < p[j] {
                    prop_assert!(q[i] <= q[j] + 1e-15);
                }
            }
        }
        // the largest p is not adjusted
        let (imax, _) = p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
        prop_assert!((q[imax] - p[imax]).abs() < 1e-15);
    }

    #[test]
    fn ols_recovers_exact_coefficients_without_noise(
        beta in prop::collection::vec(-5.0f64..5.0, 3),
        rows in prop::collection::vec((-20i32..20, -20i32..20), 8..40),
    ) {
        let x1: Vec<f64> = rows.iter().map(|r| r.0 as f64 / 4.0).collect();
        let x2: Vec<f64> = rows.iter().enumerate().map(|(i, r)| r.1 as f64 / 3.0 + (i as f64).sqrt()).collect();
        let y: Vec<f64> = x1.iter().zip(&x2).map(|(a, b)| beta[0] + beta[1] * a + beta[2] * b).collect();
        match ols("y", &y, &[("x1", &x1), ("x2", &x2)]) {
            Ok(fit) => {
                for (term, b) in fit.terms.iter().zip(&beta) {
                    prop_assert!((term.coef - b).abs() < 1e-9 * (1.0 + b.abs()), "{} vs {}", term.coef, b);
                }
                prop_assert!(fit.sigma < 1e-9);
            }
            // a degenerate random design must be reported, never fitted silently
            Err(e) => prop_assert!(e.to_string().contains("collinear"), "{e}"),
        }
    }
}

//! Correlation at the smallest sample sizes: n < 3 is refused, a perfect rank correlation of a
//! few points has the permutation p R's `cor.test(method = "spearman")` prints, not 0, and
//! Pearson's p is Student's t on n - 2 df (statrs).

use mcvideo_stats::correlate::{pearson, spearman};
use mcvideo_stats::error::StatsError;
use statrs::distribution::{ContinuousCDF, StudentsT};

#[test]
fn fewer_than_three_pairs_are_refused() {
    for n in 0..3 {
        let x: Vec<f64> = (0..n).map(f64::from).collect();
        assert!(matches!(
            spearman(&x, &x),
            Err(StatsError::TooFew { need: 3, .. })
        ));
        assert!(matches!(pearson(&x, &x), Err(StatsError::TooFew { .. })));
    }
}

#[test]
fn spearman_with_three_points_matches_r() {
    // R: cor.test(1:3, c(2, 5, 9), method = "spearman")$p.value == 1/3
    let c = spearman(&[1.0, 2.0, 3.0], &[2.0, 5.0, 9.0]).unwrap();
    assert_eq!(c.r, 1.0);
    assert!((c.p - 1.0 / 3.0).abs() < 1e-15, "{}", c.p);
    // R: cor.test(1:3, c(1, 3, 2), method = "spearman")$p.value == 1 (rho = 0.5)
    let c = spearman(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]).unwrap();
    assert_eq!(c.r, 0.5);
    assert_eq!(c.p, 1.0);
    // R: cor.test(1:5, 5:1, method = "spearman")$p.value == 0.01666667 (2/120)
    let c = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap();
    assert!((c.p - 2.0 / 120.0).abs() < 1e-15, "{}", c.p);
}

#[test]
fn spearman_with_ties_or_ten_points_uses_the_t_approximation() {
    let x = [1.0, 2.0, 2.0, 3.0];
    let y = [1.0, 3.0, 2.0, 4.0];
    let c = spearman(&x, &y).unwrap();
    let expected = 2.0 * StudentsT::new(0.0, 1.0, 2.0).unwrap().sf(c.t.abs());
    assert!((c.p - expected).abs() < 1e-12, "{} vs {expected}", c.p);
    let x: Vec<f64> = (0..10).map(f64::from).collect();
    let y: Vec<f64> = [3, 1, 4, 0, 5, 9, 2, 6, 8, 7]
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    let c = spearman(&x, &y).unwrap();
    let expected = 2.0 * StudentsT::new(0.0, 1.0, 8.0).unwrap().sf(c.t.abs());
    assert!((c.p - expected).abs() < 1e-12);
}

#[test]
fn pearson_with_three_points_uses_one_degree_of_freedom() {
    let c = pearson(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.5]).unwrap();
    assert_eq!(c.df, 1.0);
    let expected = 2.0 * StudentsT::new(0.0, 1.0, 1.0).unwrap().sf(c.t.abs());
    assert!(
        c.p > 0.05 && (c.p - expected).abs() < 1e-12,
        "{} vs {expected}",
        c.p
    );
}

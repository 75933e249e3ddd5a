//! Degenerate inputs: no events, all censored, a constant or collinear covariate, separation.
//! Expected values from R 4.2.2, survival 3.5-3 (the calls are quoted beside each test).

use mcvideo_survival::{cox, kaplan_meier, km_groups, SurvivalError, Ties};

const T: [f64; 10] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
const E: [bool; 10] = [true, true, true, false, true, true, true, false, true, true];
const Z: [f64; 10] = [3.1, 0.2, 1.5, 2.2, 0.7, 1.9, 2.8, 0.4, 1.1, 2.5];

fn close(ours: f64, r: f64, tol: f64) -> bool {
    (ours - r).abs() <= tol * r.abs()
}

#[test]
fn all_censored_km_stays_at_one() {
    let event = [false; 10];
    let curve = kaplan_meier(&T, &event).unwrap();
    assert_eq!(curve.events, 0);
    assert!(curve.steps.iter().all(|s| s.survival == 1.0));
    assert!(curve.steps.iter().all(|s| s.se == Some(0.0)));
    assert!(curve.steps.iter().all(|s| s.ci == [Some(1.0), Some(1.0)]));
    assert_eq!(curve.median, None);
    assert_eq!(curve.steps[3].n_risk, 7);
}

#[test]
fn no_events_give_no_logrank_test() {
    let group = ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b"];
    let km = km_groups(&T, &[false; 10], &group).unwrap();
    assert_eq!(km.groups.len(), 2);
    assert!(km.logrank.is_none());
}

#[test]
fn one_group_gives_no_logrank_test() {
    let km = km_groups(&T, &E, &["x"; 10]).unwrap();
    assert_eq!(km.groups.len(), 1);
    assert_eq!(km.groups[0].events, 8);
    assert!(km.logrank.is_none());
}

#[test]
fn cox_without_events_is_an_error() {
    let err = cox(&T, &[false; 10], &[("z", &Z)], Ties::Efron).unwrap_err();
    assert_eq!(err, SurvivalError::NoEvents);
    assert!(err.to_string().contains("no events"));
}

#[test]
fn constant_covariate_is_aliased_like_r_na() {
    // coxph(Surv(t, e) ~ z + k), k = rep(2, 10): coef z -0.0481901404279686, k NA;
    // se z 0.428754771148008; loglik -12.0598901353521 -12.0535764631365; C 0.513513513513513.
    let k = [2.0; 10];
    let fit = cox(&T, &E, &[("z", &Z), ("k", &k)], Ties::Efron).unwrap();
    assert_eq!(fit.aliased, vec!["k".to_string()]);
    assert_eq!(fit.terms.len(), 1);
    assert!(close(fit.terms[0].coef, -0.0481901404279686, 1e-9));
    assert!(close(fit.terms[0].se, 0.428754771148008, 1e-9));
    assert!(close(fit.loglik_null, -12.0598901353521, 1e-12));
    assert!(close(fit.loglik, -12.0535764631365, 1e-12));
    assert!(close(fit.concordance, 0.513513513513513, 1e-12));
    assert_eq!(fit.lr_test.df, 1);
    assert!(fit.warnings[0].contains("k is constant"));
}

#[test]
fn collinear_covariate_is_aliased_like_r_na() {
    // coxph(Surv(t, e) ~ z + w), w = 2 z + 1: w NA, z -0.0481901404279686.
    let w: Vec<f64> = Z.iter().map(|z| 2.0 * z + 1.0).collect();
    let fit = cox(&T, &E, &[("z", &Z), ("w", &w)], Ties::Efron).unwrap();
    assert_eq!(fit.aliased, vec!["w".to_string()]);
    assert!(close(fit.terms[0].coef, -0.0481901404279686, 1e-9));
}

#[test]
fn all_constant_covariates_are_an_error() {
    let err = cox(&T, &E, &[("k", &[2.0; 10])], Ties::Efron).unwrap_err();
    assert!(matches!(err, SurvivalError::NoEstimableCovariate { .. }));
}

#[test]
fn separation_is_reported_like_coxph() {
    // x = 1 for the five earliest times: the hazard ratio of x is infinite.
    // coxph(Surv(t, e) ~ x + z) warns "Loglik converged before variable 1; coefficient may be
    // infinite", coef x 22.352554631596114, z 0.286342765315077, loglik -12.05989013535209
    // -7.61251206854104, 20 iterations, C 0.8108108108108107.
    let x = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    let fit = cox(&T, &E, &[("x", &x), ("z", &Z)], Ties::Efron).unwrap();
    assert_eq!(fit.infinite, vec!["x".to_string()]);
    assert!(fit
        .warnings
        .iter()
        .any(|w| w.contains("Loglik converged before variable x")));
    assert!(
        close(fit.terms[0].coef, 22.352554631596114, 1e-6),
        "{}",
        fit.terms[0].coef
    );
    assert!(
        close(fit.terms[1].coef, 0.286342765315077, 1e-6),
        "{}",
        fit.terms[1].coef
    );
    assert!(close(fit.loglik, -7.61251206854104, 1e-9));
    assert!(close(fit.concordance, 0.8108108108108107, 1e-12));
    assert_eq!(fit.iterations, 20);
}

#[test]
fn non_convergence_is_reported() {
    let x = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    let opts = mcvideo_survival::CoxOptions {
        max_iter: 5,
        ..Default::default()
    };
    let fit = mcvideo_survival::cox_with(&T, &E, &[("x", &x)], &opts).unwrap();
    assert!(!fit.converged);
    assert!(fit.warnings.iter().any(|w| w.contains("did not converge")));
}

#[test]
fn bad_input_names_the_problem() {
    let err = cox(&T, &E, &[("z", &Z[..9])], Ties::Efron).unwrap_err();
    assert_eq!(
        err.to_string(),
        "z has 9 values, expected 10 (one per row of time)"
    );
    let mut t = T;
    t[4] = f64::NAN;
    let err = kaplan_meier(&t, &E).unwrap_err();
    assert_eq!(err.to_string(), "time at row 4 is not finite (NaN)");
    assert_eq!(kaplan_meier(&[], &[]).unwrap_err(), SurvivalError::Empty);
}

#[test]
fn nearly_equal_times_are_tied_as_in_r() {
    // survfit(Surv(c(1, 1 + 1e-10, 2, 3), c(1, 1, 1, 0)) ~ 1)$time is 1 2 3 (timefix = TRUE).
    let curve = kaplan_meier(&[1.0, 1.0 + 1e-10, 2.0, 3.0], &[true, true, true, false]).unwrap();
    let times: Vec<f64> = curve.steps.iter().map(|s| s.time).collect();
    assert_eq!(times, vec![1.0, 2.0, 3.0]);
    assert_eq!(curve.steps[0].n_event, 2);
}

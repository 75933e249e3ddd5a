//! Degenerate input gets a clear error, never a NaN in the output.

use mcvideo_doseresponse::simulate::{run_study, SimConfig};
use mcvideo_doseresponse::{
    fit_gam, fit_rcs, fit_segmented, DoseError, GamOptions, RcsOptions, SegmentedOptions,
};

fn no_boot() -> GamOptions {
    GamOptions {
        boot: 0,
        ..GamOptions::default()
    }
}

fn line(n: usize) -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let y: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| v + 0.01 * ((i * 5 % 7) as f64))
        .collect();
    (x, y)
}

#[test]
fn gam_fewer_rows_than_basis_functions() {
    let (x, y) = line(8);
    let err = fit_gam(&x, &y, &[], &no_boot()).unwrap_err();
    assert!(
        matches!(
            err,
            DoseError::TooFewData {
                have: 8,
                need: 10,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("distinct x values"));
}

#[test]
fn gam_rows_vs_columns_with_covariates() {
    // 11 distinct x but 10 + 3 coefficients
    let (x, y) = line(12);
    let c: Vec<f64> = (0..12).map(|i| (i * i % 5) as f64).collect();
    let covs = [
        ("a", c.as_slice()),
        ("b", c.as_slice()),
        ("c", c.as_slice()),
    ];
    let err = fit_gam(&x, &y, &covs, &no_boot()).unwrap_err();
    assert!(
        matches!(err, DoseError::TooFewData { .. } | DoseError::Singular(_)),
        "{err}"
    );
}

#[test]
fn constant_x_is_an_error_for_every_method() {
    let x = vec![0.5; 30];
    let (_, y) = line(30);
    assert!(matches!(
        fit_gam(&x, &y, &[], &no_boot()),
        Err(DoseError::ConstantX(_))
    ));
    assert!(matches!(
        fit_segmented(&x, &y, &[], &SegmentedOptions::default()),
        Err(DoseError::ConstantX(_))
    ));
    assert!(matches!(
        fit_rcs(
            &x,
            &y,
            &[],
            &RcsOptions {
                boot: 0,
                ..RcsOptions::default()
            }
        ),
        Err(DoseError::ConstantX(_))
    ));
}

#[test]
fn breakpoint_start_outside_range() {
    let (x, y) = line(30);
    for psi in [-1.0, 0.0, 0.99, 5.0, f64::NAN] {
        let err = fit_segmented(
            &x,
            &y,
            &[],
            &SegmentedOptions {
                psi: Some(psi),
                davies_k: 10,
            },
        )
        .unwrap_err();
        assert!(
            matches!(err, DoseError::PsiOutOfRange { .. }),
            "{psi}: {err}"
        );
    }
    assert!(fit_segmented(
        &x,
        &y,
        &[],
        &SegmentedOptions {
            psi: Some(0.5),
            davies_k: 10
        }
    )
    .is_ok());
}

#[test]
fn nan_input_is_rejected() {
    let (x, mut y) = line(30);
    y[3] = f64::NAN;
    assert!(matches!(
        fit_gam(&x, &y, &[], &no_boot()),
        Err(DoseError::NonFinite("y"))
    ));
    assert!(matches!(
        fit_segmented(&x, &y, &[], &SegmentedOptions::default()),
        Err(DoseError::NonFinite("y"))
    ));
}

#[test]
fn length_mismatch_is_rejected() {
    let (x, y) = line(30);
    assert!(matches!(
        fit_gam(&x[..20], &y, &[], &no_boot()),
        Err(DoseError::LengthMismatch { .. })
    ));
}

#[test]
fn constant_y_gives_an_error_not_nan() {
    let (x, _) = line(30);
    let y = vec![1.0; 30];
    match fit_gam(&x, &y, &[], &no_boot()) {
        Ok(f) => panic!("constant y fitted: edf {}", f.edf),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    assert!(fit_segmented(&x, &y, &[], &SegmentedOptions::default()).is_err());
    assert!(fit_rcs(
        &x,
        &y,
        &[],
        &RcsOptions {
            boot: 0,
            ..RcsOptions::default()
        }
    )
    .is_err());
}

#[test]
fn rcs_needs_distinct_knots() {
    let mut x = vec![0.0; 20];
    x.extend(vec![1.0; 20]);
    let (_, y) = line(40);
    assert!(fit_rcs(
        &x,
        &y,
        &[],
        &RcsOptions {
            boot: 0,
            ..RcsOptions::default()
        }
    )
    .is_err());
}

#[test]
fn reduced_simulation_recovers_the_breakpoint() {
    // 12 cohorts without bootstrap: the full study is the threshold_sim binary.
    let rows = run_study(&SimConfig {
        cohorts: 12,
        boot: 0,
        ..SimConfig::default()
    });
    let seg = rows.iter().find(|r| r.method == "segmented").unwrap();
    assert_eq!(seg.n_ok, 12);
    assert!(seg.rmse < 0.15 && seg.bias.abs() < 0.08, "{seg:?}");
    for r in &rows {
        assert!(r.rmse.is_finite() && r.failure_rate < 0.2, "{r:?}");
    }
}

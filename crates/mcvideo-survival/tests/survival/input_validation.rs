//! Input validation shared by every survival method: negative, NaN and infinite follow-up
//! times are refused with the row and the value, never fitted.

use mcvideo_survival::{concordance, cox, kaplan_meier, km_groups, logrank, SurvivalError, Ties};

const E: [bool; 5] = [true, false, true, true, false];
const Z: [f64; 5] = [0.3, 1.2, 0.7, 2.1, 1.5];

#[test]
fn negative_time_is_refused_by_every_method() {
    let time = [3.0, 5.0, -28.0, 7.0, 9.0];
    let expected = SurvivalError::NegativeTime {
        row: 2,
        value: -28.0,
    };
    assert_eq!(kaplan_meier(&time, &E).unwrap_err(), expected);
    assert_eq!(
        km_groups(&time, &E, &["a", "b", "a", "b", "a"]).unwrap_err(),
        expected
    );
    assert_eq!(
        logrank(&time, &E, &["a", "b", "a", "b", "a"]).unwrap_err(),
        expected
    );
    assert_eq!(
        cox(&time, &E, &[("z", &Z)], Ties::Efron).unwrap_err(),
        expected
    );
    assert_eq!(concordance(&time, &E, &Z).unwrap_err(), expected);
    let message = kaplan_meier(&time, &E).unwrap_err().to_string();
    assert!(
        message.contains("row 2") && message.contains("-28"),
        "{message}"
    );
}

#[test]
fn non_finite_time_is_refused_with_its_row() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let time = [3.0, bad, 4.0, 7.0, 9.0];
        for err in [
            kaplan_meier(&time, &E).unwrap_err(),
            cox(&time, &E, &[("z", &Z)], Ties::Breslow).unwrap_err(),
        ] {
            assert!(
                matches!(err, SurvivalError::NotFinite { ref what, row: 1, .. } if what == "time"),
                "{bad}: {err:?}"
            );
        }
    }
}

#[test]
fn zero_time_is_a_valid_follow_up() {
    let time = [0.0, 5.0, 2.0, 7.0, 9.0];
    let curve = kaplan_meier(&time, &E).unwrap();
    assert_eq!(curve.steps[0].time, 0.0);
    assert!((curve.steps[0].survival - 0.8).abs() < 1e-12);
}

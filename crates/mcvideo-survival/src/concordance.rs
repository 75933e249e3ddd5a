//! Harrell's concordance of a risk score with survival times, counted as R's
//! `survival::concordance(..., reverse = TRUE)` counts it for a Cox model (timewt = "n").

use crate::validate::{check_len, check_time_event, timefix};
use crate::SurvivalError;
use serde::{Deserialize, Serialize};

/// Pair counts and the concordance index C.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concordance {
    /// Comparable pairs where the earlier event has the higher risk score.
    pub concordant: f64,
    /// Comparable pairs where the earlier event has the lower risk score.
    pub discordant: f64,
    /// Comparable pairs with equal risk scores (count one half).
    pub tied_x: f64,
    /// Pairs of events at the same time (not comparable).
    pub tied_y: f64,
    /// Pairs of events at the same time with equal risk scores.
    pub tied_xy: f64,
    /// C = (concordant + tied_x / 2) / (concordant + discordant + tied_x); NaN with no comparable pair.
    pub c: f64,
}

/// Harrell's C of a risk score (higher = earlier event), with R's rules for ties: a pair is
/// comparable when the shorter time is an event; an event and a censoring at the same time count
/// as the censored one surviving longer; two events at the same time are `tied_y`.
///
/// O(n²) pair count; fine for clinical cohorts of a few thousand.
///
/// ```
/// use mcvideo_survival::concordance;
/// // R: concordance(Surv(t, e) ~ x, reverse = TRUE)$count -> 8 2 1 1 0
/// let t = [1.0, 2.0, 2.0, 3.0, 3.0, 4.0];
/// let e = [true, true, false, true, true, false];
/// let x = [5.0, 3.0, 4.0, 1.0, 2.0, 2.0];
/// let c = concordance(&t, &e, &x).unwrap();
/// assert_eq!((c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy), (8.0, 2.0, 1.0, 1.0, 0.0));
/// assert_eq!(c.c, 8.5 / 11.0);
/// ```
pub fn concordance(
    time: &[f64],
    event: &[bool],
    score: &[f64],
) -> Result<Concordance, SurvivalError> {
    check_time_event(time, event)?;
    let fixed = timefix(time);
    let time = fixed.as_slice();
    check_len("score", score.len(), time.len())?;
    let (mut concordant, mut discordant, mut tied_x, mut tied_y, mut tied_xy) =
        (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..time.len() {
        if !event[i] {
            continue;
        }
        for j in 0..time.len() {
            if j == i {
                continue;
            }
            let later = time[j] > time[i] || (time[j] == time[i] && !event[j]);
            if later {
                if score[i] > score[j] {
                    concordant += 1.0;
                } else if score[i] < score[j] {
                    discordant += 1.0;
                } else {
                    tied_x += 1.0;
                }
            } else if time[j] == time[i] && event[j] && j > i {
                tied_y += 1.0;
                if score[i] == score[j] {
                    tied_xy += 1.0;
                }
            }
        }
    }
    let comparable = concordant + discordant + tied_x;
    let c = if comparable > 0.0 {
        (concordant + tied_x / 2.0) / comparable
    } else {
        f64::NAN
    };
    Ok(Concordance {
        concordant,
        discordant,
        tied_x,
        tied_y,
        tied_xy,
        c,
    })
}

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
/// Counted in O(n log n) as survival's `concordancefit` does: rows are visited from the longest
/// time down, and a Fenwick tree over the ranks of the scores holds the rows already at risk
/// beyond the current time, so each event's concordant, discordant and tied pairs are three
/// prefix counts.
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
    let n = time.len();
    let mut distinct: Vec<f64> = score.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup_by(|a, b| a.total_cmp(b).is_eq());
    let rank: Vec<usize> = score
        .iter()
        .map(|s| distinct.partition_point(|d| d.total_cmp(s).is_lt()))
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| time[b].total_cmp(&time[a]));
    let mut at_risk = Fenwick::new(distinct.len());
    let (mut concordant, mut discordant, mut tied_x, mut tied_y, mut tied_xy) =
        (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut start = 0;
    while start < n {
        let t = time[order[start]];
        let end = start + order[start..].partition_point(|&i| time[i] == t);
        let group = &order[start..end];
        // A censoring at the same time counts as surviving longer than the event.
        for &i in group.iter().filter(|&&i| !event[i]) {
            at_risk.add(rank[i]);
        }
        let mut event_ranks: Vec<usize> = group
            .iter()
            .filter(|&&i| event[i])
            .map(|&i| rank[i])
            .collect();
        let total = at_risk.total();
        for &r in &event_ranks {
            let below = at_risk.prefix(r);
            let equal = at_risk.prefix(r + 1) - below;
            concordant += below as f64;
            tied_x += equal as f64;
            discordant += (total - below - equal) as f64;
        }
        let m = event_ranks.len() as f64;
        tied_y += m * (m - 1.0) / 2.0;
        event_ranks.sort_unstable();
        for run in event_ranks.chunk_by(|a, b| a == b) {
            let c = run.len() as f64;
            tied_xy += c * (c - 1.0) / 2.0;
        }
        for &r in &event_ranks {
            at_risk.add(r);
        }
        start = end;
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

/// Counts per score rank with O(log n) insertion and prefix sums (Fenwick 1994).
struct Fenwick {
    tree: Vec<u64>,
    total: u64,
}

impl Fenwick {
    fn new(size: usize) -> Self {
        Fenwick {
            tree: vec![0; size + 1],
            total: 0,
        }
    }

    fn add(&mut self, rank: usize) {
        let mut i = rank + 1;
        while i < self.tree.len() {
            self.tree[i] += 1;
            i += i & i.wrapping_neg();
        }
        self.total += 1;
    }

    /// Count of ranks below `rank`.
    fn prefix(&self, rank: usize) -> u64 {
        let mut i = rank;
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }

    fn total(&self) -> u64 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, pair by pair.
    fn brute_force(time: &[f64], event: &[bool], score: &[f64]) -> [f64; 5] {
        let mut c = [0.0; 5];
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
                    let k = if score[i] > score[j] {
                        0
                    } else if score[i] < score[j] {
                        1
                    } else {
                        2
                    };
                    c[k] += 1.0;
                } else if time[j] == time[i] && event[j] && j > i {
                    c[3] += 1.0;
                    if score[i] == score[j] {
                        c[4] += 1.0;
                    }
                }
            }
        }
        c
    }

    #[test]
    fn tree_count_equals_the_pairwise_definition() {
        let mut state: u64 = 7;
        let mut next = move |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        for _ in 0..40 {
            let n = 1 + next(60) as usize;
            let time: Vec<f64> = (0..n).map(|_| next(12) as f64).collect();
            let event: Vec<bool> = (0..n).map(|_| next(3) > 0).collect();
            let score: Vec<f64> = (0..n).map(|_| next(6) as f64 - 2.5).collect();
            let c = concordance(&time, &event, &score).unwrap();
            assert_eq!(
                [c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy],
                brute_force(&time, &event, &score)
            );
        }
    }
}

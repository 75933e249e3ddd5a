//! Agreement with R on simulated data with many tied times and tied predictors
//! (fixtures/survival/sim*.csv and sim_answers.json, written by survival 3.5-3:
//! coxph with Efron and Breslow ties, survfit by a 3-level group, quantile, survdiff).

use mcvideo_survival::{cox, km_groups, Ties};
use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/survival")
        .join(name)
}

struct Sim {
    time: Vec<f64>,
    event: Vec<bool>,
    x: [Vec<f64>; 3],
    group: Vec<String>,
}

fn load(k: usize) -> Sim {
    let mut reader = csv::Reader::from_path(fixture(&format!("sim{k}.csv"))).unwrap();
    let mut sim = Sim {
        time: vec![],
        event: vec![],
        x: [vec![], vec![], vec![]],
        group: vec![],
    };
    for record in reader.records() {
        let r = record.unwrap();
        let num = |i: usize| r[i].parse::<f64>().unwrap();
        sim.time.push(num(0));
        sim.event.push(num(1) == 1.0);
        for j in 0..3 {
            sim.x[j].push(num(2 + j));
        }
        sim.group.push(r[5].to_string());
    }
    sim
}

/// R prints 15 significant digits; allow a little more than that rounding.
fn close(ours: f64, r: &Value) -> bool {
    let r = r.as_f64().unwrap();
    (ours - r).abs() <= 1e-9 * r.abs().max(1e-300) || (ours - r).abs() < 1e-15
}

fn opt_close(ours: Option<f64>, r: &Value) -> bool {
    match ours {
        None => r.is_null(),
        Some(v) => !r.is_null() && close(v, r),
    }
}

fn answers() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("sim_answers.json")).unwrap()).unwrap()
}

#[test]
fn cox_matches_r_on_tied_data() {
    let answers = answers();
    for k in 1..=4 {
        let sim = load(k);
        let covs = [
            ("x1", &sim.x[0][..]),
            ("x2", &sim.x[1][..]),
            ("x3", &sim.x[2][..]),
        ];
        for (ties, name) in [(Ties::Efron, "efron"), (Ties::Breslow, "breslow")] {
            let r = &answers[format!("sim{k}_cox_{name}")];
            let fit = cox(&sim.time, &sim.event, &covs, ties).unwrap();
            assert!(fit.converged && fit.warnings.is_empty());
            for (j, term) in fit.terms.iter().enumerate() {
                assert!(
                    close(term.coef, &r["coef"][j]),
                    "sim{k} {name} coef {j}: {}",
                    term.coef
                );
                assert!(close(term.se, &r["se"][j]), "sim{k} {name} se {j}");
            }
            assert!(close(fit.loglik_null, &r["loglik"][0]), "sim{k} {name}");
            assert!(close(fit.loglik, &r["loglik"][1]), "sim{k} {name}");
            assert!(close(fit.concordance, &r["concordance"]), "sim{k} {name} C");
            assert_eq!(fit.iterations as u64, r["iter"].as_u64().unwrap());
        }
    }
}

#[test]
fn km_and_logrank_match_r_on_tied_data() {
    let answers = answers();
    for k in 1..=4 {
        let sim = load(k);
        let r = &answers[format!("sim{k}_km")];
        let km = km_groups(&sim.time, &sim.event, &sim.group).unwrap();
        let steps: Vec<_> = km.groups.iter().flat_map(|g| &g.steps).collect();
        assert_eq!(steps.len(), r["surv"].as_array().unwrap().len(), "sim{k}");
        for (i, s) in steps.iter().enumerate() {
            assert!(close(s.survival, &r["surv"][i]), "sim{k} step {i}");
            assert!(opt_close(s.se, &r["se"][i]), "sim{k} se {i}: {:?}", s.se);
            assert!(opt_close(s.ci[0], &r["lower"][i]), "sim{k} lower {i}");
            assert!(opt_close(s.ci[1], &r["upper"][i]), "sim{k} upper {i}");
            assert_eq!(s.n_risk as u64, r["n_risk"][i].as_u64().unwrap());
        }
        for (g, curve) in km.groups.iter().enumerate() {
            assert!(
                opt_close(curve.median, &r["median"][g][0]),
                "sim{k} median {g}"
            );
            assert!(
                opt_close(curve.median_ci[0], &r["median_lower"][g][0]),
                "sim{k} {g}"
            );
            assert!(
                opt_close(curve.median_ci[1], &r["median_upper"][g][0]),
                "sim{k} {g}"
            );
        }
        let test = km.logrank.unwrap();
        assert!(close(test.chi2, &r["chi2"]), "sim{k} chi2 {}", test.chi2);
        assert_eq!(test.df, 2);
    }
}

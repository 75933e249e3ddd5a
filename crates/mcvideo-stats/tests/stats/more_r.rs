//! `correlate` (Pearson and Spearman) and `regress` against R on more data sets, with missing
//! values (fixtures/stats/more_r.json from tools/stats-reference.R: `cor.test(exact = FALSE)`,
//! `p.adjust(method = "BH")`, `lm`, `confint`).

use crate::common::{assert_close, fixture, json, num};
use mcvideo_stats::correlate::correlate;
use mcvideo_stats::data::Table;
use mcvideo_stats::regress::regress;

const TOL: f64 = 1e-9;

fn strings(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::Array(a) => a.iter().map(|s| s.as_str().unwrap().to_string()).collect(),
        other => vec![other.as_str().unwrap().to_string()],
    }
}

#[test]
fn correlations_match_r() {
    let mut worst: f64 = 0.0;
    for case in json("stats/more_r.json")["correlate"].as_array().unwrap() {
        let table = Table::from_path(&fixture(case["data"].as_str().unwrap())).unwrap();
        let rows = case["results"].as_array().unwrap();
        let ys: Vec<String> = rows
            .iter()
            .map(|r| r["y"].as_str().unwrap().to_string())
            .collect();
        let ys: Vec<&str> = ys.iter().map(String::as_str).collect();
        let kind = case["kind"].as_str().unwrap().parse().unwrap();
        let result = correlate(&table, case["x"].as_str().unwrap(), &ys, kind).unwrap();
        for (ours, r) in result.results.iter().zip(rows) {
            let what = format!("{} {:?} {}", case["data"], kind, ours.y);
            assert_eq!(ours.n as u64, r["n"].as_u64().unwrap(), "{what} n");
            assert_eq!(ours.dropped, table.n_rows() - ours.n);
            for (field, value) in [("r", ours.r), ("p", ours.p), ("p_fdr", ours.p_fdr)] {
                worst = worst.max(assert_close(
                    &format!("{what} {field}"),
                    value,
                    num(&r[field]),
                    TOL,
                ));
            }
        }
    }
    eprintln!("correlate (more data): max relative error vs R {worst:e}");
}

#[test]
fn linear_models_match_r() {
    let mut worst: f64 = 0.0;
    for case in json("stats/more_r.json")["regress"].as_array().unwrap() {
        let table = Table::from_path(&fixture(case["data"].as_str().unwrap())).unwrap();
        let xs = strings(&case["x"]);
        let xs: Vec<&str> = xs.iter().map(String::as_str).collect();
        let fit = regress(&table, case["y"].as_str().unwrap(), &xs).unwrap();
        let what = format!("{} {}", case["data"], fit.y);
        assert_eq!(fit.n as u64, case["n"].as_u64().unwrap(), "{what} n");
        assert_eq!(fit.dropped, table.n_rows() - fit.n);
        worst = worst.max(assert_close(
            &format!("{what} r2"),
            fit.r2,
            num(&case["r2"]),
            TOL,
        ));
        worst = worst.max(assert_close(
            &format!("{what} r2_adj"),
            fit.r2_adj,
            num(&case["r2_adj"]),
            TOL,
        ));
        for (term, r) in fit.terms.iter().zip(case["terms"].as_array().unwrap()) {
            assert_eq!(term.name, r["name"].as_str().unwrap());
            for (field, value) in [
                ("coef", term.coef),
                ("se", term.se),
                ("t", term.t),
                ("p", term.p),
                ("ci0", term.ci[0]),
                ("ci1", term.ci[1]),
            ] {
                let expected = match field {
                    "ci0" => num(&r["ci"][0]),
                    "ci1" => num(&r["ci"][1]),
                    _ => num(&r[field]),
                };
                worst = worst.max(assert_close(
                    &format!("{what} {} {field}", term.name),
                    value,
                    expected,
                    TOL,
                ));
            }
        }
    }
    eprintln!("regress (more data): max relative error vs R {worst:e}");
}

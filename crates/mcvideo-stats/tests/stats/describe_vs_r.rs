//! `describe` and every test it uses agree with R on five data sets (answers from
//! tools/stats-reference.R in fixtures/stats/*_describe_r.json): cohort_a, lung, mtcars,
//! ToothGrowth and sleep.

use crate::common::{assert_close, fixture, json, num};
use mcvideo_stats::contingency::{chi_square, fisher_exact};
use mcvideo_stats::data::Table;
use mcvideo_stats::describe::{describe, DescribeOptions, NumericDescription};
use mcvideo_stats::ttest::{t_test, TTestKind};
use mcvideo_stats::wilcoxon::rank_sum;
use serde_json::Value;

const TOL: f64 = 1e-9; // R's answers are printed with 15 significant digits

/// (R answers file, data file, group column).
const DATA_SETS: [(&str, &str); 5] = [
    ("stats/cohort_a_describe_r.json", "reference/cohort_a.csv"),
    ("stats/lung_describe_r.json", "reference/lung.csv"),
    ("stats/mtcars_describe_r.json", "stats/mtcars.csv"),
    ("stats/toothgrowth_describe_r.json", "stats/toothgrowth.csv"),
    ("stats/sleep_describe_r.json", "stats/sleep.csv"),
];

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|v| v["name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn compare_summary(what: &str, ours: &NumericDescription, r: &Value) -> f64 {
    assert_eq!(ours.summary.n as u64, r["n"].as_u64().unwrap(), "{what} n");
    let mut worst: f64 = 0.0;
    for (field, value) in [
        ("mean", ours.summary.mean),
        ("sd", ours.summary.sd),
        ("median", ours.summary.median),
        ("q1", ours.summary.q1),
        ("q3", ours.summary.q3),
    ] {
        worst = worst.max(assert_close(
            &format!("{what} {field}"),
            value,
            num(&r[field]),
            TOL,
        ));
    }
    match (ours.shapiro_w, ours.shapiro_p, r["shapiro_w"].as_f64()) {
        (Some(w), Some(p), Some(rw)) => {
            worst = worst.max(assert_close(&format!("{what} shapiro_w"), w, rw, TOL));
            worst = worst.max(assert_close(
                &format!("{what} shapiro_p"),
                p,
                num(&r["shapiro_p"]),
                TOL,
            ));
        }
        (None, None, None) => {}
        other => panic!("{what}: Shapiro-Wilk availability differs from R: {other:?}"),
    }
    worst
}

/// The two group samples of `var`, in R's level order.
fn samples(table: &Table, var: &str, group: &str, levels: &[String]) -> Vec<Vec<f64>> {
    let x = table.numeric(var).unwrap();
    let g = table.text(group).unwrap();
    levels
        .iter()
        .map(|level| {
            x.iter()
                .zip(&g)
                .filter_map(|(x, g)| match (x, g) {
                    (Some(x), Some(g)) if g == level => Some(*x),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[test]
fn describe_and_its_tests_agree_with_r_on_five_data_sets() {
    let mut worst: f64 = 0.0;
    let mut checked = [0usize; 6]; // shapiro, welch, student, wilcoxon, chisq, fisher
    for (answers, data) in DATA_SETS {
        let r = json(answers);
        let table = Table::from_path(&fixture(data)).unwrap();
        let group = r["group"].as_str().unwrap();
        let numeric = names(&r["numeric"]);
        let categorical = names(&r["categorical"]);
        let mut vars: Vec<&str> = numeric.iter().map(String::as_str).collect();
        vars.extend(categorical.iter().map(String::as_str));
        let options = DescribeOptions {
            group: Some(group.to_string()),
            categorical: categorical.clone(),
            ..Default::default()
        };
        let d = describe(&table, &vars, &options).unwrap();

        for (i, rv) in r["numeric"].as_array().unwrap().iter().enumerate() {
            let ours = &d.variables[i];
            let what = format!("{data} {}", ours.name);
            worst = worst.max(compare_summary(
                &what,
                ours.overall.as_ref().unwrap(),
                &rv["overall"],
            ));
            let r_groups = rv["groups"].as_array().unwrap();
            let levels: Vec<String> = r_groups
                .iter()
                .map(|g| g["group"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(d.group_levels, levels, "{what}: group levels");
            let mut r_normal = true;
            for (g, rg) in ours.groups.iter().zip(r_groups) {
                worst = worst.max(compare_summary(
                    &format!("{what} [{}]", g.group),
                    &g.description,
                    rg,
                ));
                r_normal &= rg["shapiro_p"].as_f64().is_some_and(|p| p > 0.05);
                checked[0] += 1;
            }
            // the test R would run, by the same rule, and its p
            let s = samples(&table, &ours.name, group, &levels);
            let welch = t_test(&s[0], &s[1], TTestKind::Welch).unwrap();
            let student = t_test(&s[0], &s[1], TTestKind::Student).unwrap();
            let wilcoxon = rank_sum(&s[0], &s[1]).unwrap();
            for (name, t, rt) in [
                ("welch", welch, &rv["welch"]),
                ("student", student, &rv["student"]),
            ] {
                worst = worst.max(assert_close(
                    &format!("{what} {name} t"),
                    t.t,
                    num(&rt["t"]),
                    TOL,
                ));
                worst = worst.max(assert_close(
                    &format!("{what} {name} df"),
                    t.df,
                    num(&rt["df"]),
                    TOL,
                ));
                worst = worst.max(assert_close(
                    &format!("{what} {name} p"),
                    t.p,
                    num(&rt["p"]),
                    TOL,
                ));
            }
            worst = worst.max(assert_close(
                &format!("{what} wilcoxon W"),
                wilcoxon.w,
                num(&rv["wilcoxon"]["w"]),
                TOL,
            ));
            worst = worst.max(assert_close(
                &format!("{what} wilcoxon p"),
                wilcoxon.p,
                num(&rv["wilcoxon"]["p"]),
                TOL,
            ));
            checked[1] += 1;
            checked[2] += 1;
            checked[3] += 1;
            let comparison = ours.comparison.as_ref().unwrap();
            assert_eq!(ours.normal, Some(r_normal), "{what}: normality decision");
            let (test, p) = if r_normal {
                ("t", &rv["welch"]["p"])
            } else {
                ("wilcoxon", &rv["wilcoxon"]["p"])
            };
            assert_eq!(comparison.test, test, "{what}: test chosen");
            worst = worst.max(assert_close(
                &format!("{what} chosen p"),
                comparison.p,
                num(p),
                TOL,
            ));
        }

        for (k, rv) in r["categorical"].as_array().unwrap().iter().enumerate() {
            let ours = &d.variables[numeric.len() + k];
            let what = format!("{data} {}", ours.name);
            let counts: Vec<Vec<u64>> = rv["table"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| {
                    row.as_array()
                        .unwrap()
                        .iter()
                        .map(|c| c.as_u64().unwrap())
                        .collect()
                })
                .collect();
            let our_counts: Vec<Vec<u64>> = ours
                .levels
                .iter()
                .map(|l| l.groups.iter().map(|g| g.n).collect())
                .collect();
            assert_eq!(our_counts, counts, "{what}: contingency table");
            let chi = chi_square(&counts).unwrap();
            worst = worst.max(assert_close(
                &format!("{what} chisq"),
                chi.statistic,
                num(&rv["chisq"]["statistic"]),
                TOL,
            ));
            worst = worst.max(assert_close(
                &format!("{what} chisq p"),
                chi.p,
                num(&rv["chisq"]["p"]),
                TOL,
            ));
            let fisher = fisher_exact(&counts).unwrap();
            worst = worst.max(assert_close(
                &format!("{what} fisher p"),
                fisher.p,
                num(&rv["fisher"]["p"]),
                TOL,
            ));
            checked[4] += 1;
            checked[5] += 1;
            let min_expected = num(&rv["min_expected"]);
            assert_close(
                &format!("{what} min expected"),
                ours.min_expected.unwrap(),
                min_expected,
                TOL,
            );
            let comparison = ours.comparison.as_ref().unwrap();
            let (test, p) = if min_expected < 5.0 {
                ("fisher", &rv["fisher"]["p"])
            } else {
                ("chisq", &rv["chisq"]["p"])
            };
            assert_eq!(comparison.test, test, "{what}: test chosen");
            worst = worst.max(assert_close(
                &format!("{what} chosen p"),
                comparison.p,
                num(p),
                TOL,
            ));
        }
    }
    eprintln!("describe: max relative error vs R {worst:e}; checks {checked:?}");
}

#[test]
fn cutoff_split_equals_the_indicator_column() {
    // ne_gt_080 is 1 exactly where ne_dose > 0.8: the boundary goes to the low group.
    let table = Table::from_path(&fixture("reference/cohort_a.csv")).unwrap();
    let by_cutoff = describe(
        &table,
        &["mfi", "lactate"],
        &DescribeOptions {
            group: Some("ne_dose".into()),
            cutoff: Some(0.8),
            ..Default::default()
        },
    )
    .unwrap();
    let by_column = describe(
        &table,
        &["mfi", "lactate"],
        &DescribeOptions {
            group: Some("ne_gt_080".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(by_cutoff.group_levels, vec!["<= 0.8", "> 0.8"]);
    for (a, b) in by_cutoff.variables.iter().zip(&by_column.variables) {
        assert_eq!(
            a.comparison.as_ref().unwrap().p,
            b.comparison.as_ref().unwrap().p
        );
        assert_eq!(a.groups[0].description, b.groups[0].description);
    }
}

#[test]
fn student_t_on_request() {
    let table = Table::from_path(&fixture("stats/sleep.csv")).unwrap();
    let r = json("stats/sleep_describe_r.json");
    let d = describe(
        &table,
        &["extra"],
        &DescribeOptions {
            group: Some("group".into()),
            t_test: TTestKind::Student,
            ..Default::default()
        },
    )
    .unwrap();
    let c = d.variables[0].comparison.as_ref().unwrap();
    assert_eq!(
        (c.test.as_str(), c.test_variant.as_deref()),
        ("t", Some("student"))
    );
    assert_close(
        "sleep student p",
        c.p,
        num(&r["numeric"][0]["student"]["p"]),
        TOL,
    );
}

#[test]
fn three_groups_use_anova_or_kruskal_as_r() {
    let mut worst: f64 = 0.0;
    for (answers, data) in [
        ("stats/mtcars_cyl_describe_r.json", "stats/mtcars.csv"),
        (
            "stats/toothgrowth_dose_describe_r.json",
            "stats/toothgrowth.csv",
        ),
    ] {
        let r = json(answers);
        let table = Table::from_path(&fixture(data)).unwrap();
        let numeric = names(&r["numeric"]);
        let categorical = names(&r["categorical"]);
        let mut vars: Vec<&str> = numeric.iter().map(String::as_str).collect();
        vars.extend(categorical.iter().map(String::as_str));
        let options = DescribeOptions {
            group: Some(r["group"].as_str().unwrap().to_string()),
            categorical: categorical.clone(),
            ..Default::default()
        };
        let d = describe(&table, &vars, &options).unwrap();
        assert_eq!(d.group_levels.len(), 3);
        for (i, rv) in r["numeric"].as_array().unwrap().iter().enumerate() {
            let ours = &d.variables[i];
            let what = format!("{data} {}", ours.name);
            let r_groups = rv["groups"].as_array().unwrap();
            for (g, rg) in ours.groups.iter().zip(r_groups) {
                assert_eq!(g.group, rg["group"].as_str().unwrap());
                worst = worst.max(compare_summary(
                    &format!("{what} [{}]", g.group),
                    &g.description,
                    rg,
                ));
            }
            let r_normal = r_groups
                .iter()
                .all(|g| g["shapiro_p"].as_f64().is_some_and(|p| p > 0.05));
            let c = ours.comparison.as_ref().unwrap();
            if r_normal {
                assert_eq!(c.test, "anova", "{what}");
                worst = worst.max(assert_close(
                    &format!("{what} F"),
                    c.statistic.unwrap(),
                    num(&rv["anova"]["f"]),
                    TOL,
                ));
                worst = worst.max(assert_close(
                    &format!("{what} F p"),
                    c.p,
                    num(&rv["anova"]["p"]),
                    TOL,
                ));
            } else {
                assert_eq!(c.test, "kruskal", "{what}");
                worst = worst.max(assert_close(
                    &format!("{what} H"),
                    c.statistic.unwrap(),
                    num(&rv["kruskal"]["statistic"]),
                    TOL,
                ));
                worst = worst.max(assert_close(
                    &format!("{what} H p"),
                    c.p,
                    num(&rv["kruskal"]["p"]),
                    TOL,
                ));
            }
            // both tests, whichever was chosen
            let samples = samples(
                &table,
                &ours.name,
                r["group"].as_str().unwrap(),
                &d.group_levels,
            );
            let refs: Vec<&[f64]> = samples.iter().map(Vec::as_slice).collect();
            let anova = mcvideo_stats::anova::one_way_anova(&refs).unwrap();
            let kruskal = mcvideo_stats::anova::kruskal_wallis(&refs).unwrap();
            worst = worst.max(assert_close(
                &format!("{what} anova p"),
                anova.p,
                num(&rv["anova"]["p"]),
                TOL,
            ));
            worst = worst.max(assert_close(
                &format!("{what} kruskal p"),
                kruskal.p,
                num(&rv["kruskal"]["p"]),
                TOL,
            ));
        }
        for (k, rv) in r["categorical"].as_array().unwrap().iter().enumerate() {
            let ours = &d.variables[numeric.len() + k];
            let min_expected = num(&rv["min_expected"]);
            let c = ours.comparison.as_ref().unwrap();
            let (test, p) = if min_expected < 5.0 {
                ("fisher", &rv["fisher"]["p"])
            } else {
                ("chisq", &rv["chisq"]["p"])
            };
            assert_eq!(c.test, test, "{data} {}", ours.name);
            worst = worst.max(assert_close(
                &format!("{data} {} p", ours.name),
                c.p,
                num(p),
                TOL,
            ));
        }
    }
    eprintln!("describe, three groups: max relative error vs R {worst:e}");
}

//! Exports for checking the study elsewhere: `analysis_data.csv` (one row per patient and day
//! with every variable a model used, plus the dose-group indicators), `refit.R` (the R lines
//! that refit each model from that file with mgcv, segmented and survival), and the
//! reproducibility section of the report.

use crate::analysis::{cutoff_label, Analysis};
use crate::report::Block;

/// Columns every model used, in order, without repeats: dose, outcomes, secondary variables,
/// covariates, baseline variables, survival times and events.
fn model_columns(a: &Analysis) -> Vec<String> {
    let c = &a.config;
    let mut cols: Vec<String> = Vec::new();
    let mut add = |v: &String| {
        if !cols.contains(v) {
            cols.push(v.clone());
        }
    };
    add(&c.dose);
    c.outcomes.iter().for_each(&mut add);
    c.secondary.iter().for_each(&mut add);
    c.covariates.iter().for_each(&mut add);
    c.baseline.variables.iter().for_each(&mut add);
    for h in &c.survival.horizons {
        add(&h.time);
        add(&h.event);
    }
    if c.change.is_some() {
        c.change_variables().iter().for_each(&mut add);
    }
    cols
}

/// The name of the 0/1 column for dose > cutoff, e.g. `ne_dose_gt_0.5` → `ne_dose_gt_0_5`.
pub fn indicator_name(dose: &str, cutoff: f64) -> String {
    crate::output::safe_name(&format!("{dose}_gt_{}", cutoff_label(cutoff)))
}

/// `analysis_data.csv`: header and rows (patient, day, every model column as read, then one 0/1
/// column per dose cutoff of the baseline table and of the survival analyses).
pub fn analysis_data(a: &Analysis) -> (Vec<String>, Vec<Vec<String>>) {
    let c = &a.config;
    let cols = model_columns(a);
    let mut cutoffs = vec![c.baseline.cutoff];
    for r in &a.cutoffs {
        if !cutoffs.iter().any(|v| (v - r.value).abs() < 1e-12) {
            cutoffs.push(r.value);
        }
    }
    let mut header = vec![c.data.patient_column.clone(), c.data.day_column.clone()];
    header.extend(cols.iter().cloned());
    header.extend(cutoffs.iter().map(|v| indicator_name(&c.dose, *v)));
    let Some(table) = &a.all_days_table else {
        return (header, Vec::new());
    };
    let names = table.column_names();
    let text = |name: &str| -> Vec<Option<String>> {
        if names.iter().any(|n| n == name) {
            table.text(name).unwrap_or_default()
        } else {
            vec![None; table.n_rows()]
        }
    };
    let patient = table.text(&names[0]).unwrap_or_default();
    let day = table.text(&names[1]).unwrap_or_default();
    let values: Vec<Vec<Option<String>>> = cols.iter().map(|c| text(c)).collect();
    let dose = table.numeric(&c.dose).unwrap_or_default();
    let rows = (0..table.n_rows())
        .map(|r| {
            let mut row = vec![
                patient.get(r).cloned().flatten().unwrap_or_default(),
                day.get(r).cloned().flatten().unwrap_or_default(),
            ];
            row.extend(
                values
                    .iter()
                    .map(|v| v.get(r).cloned().flatten().unwrap_or_default()),
            );
            row.extend(cutoffs.iter().map(|cut| {
                dose.get(r)
                    .copied()
                    .flatten()
                    .map_or(String::new(), |d| u8::from(d > *cut).to_string())
            }));
            row
        })
        .collect();
    (header, rows)
}

/// R code that refits every model of the run from `analysis_data.csv`.
pub fn refit_r(a: &Analysis) -> String {
    let c = &a.config;
    let covs = if c.covariates.is_empty() {
        String::new()
    } else {
        format!(" + {}", c.covariates.join(" + "))
    };
    let mut r = String::new();
    r.push_str("# Refits every model of this report from analysis_data.csv.\n");
    r.push_str("# R >= 4 with mgcv, segmented and survival: install.packages(c(\"mgcv\", \"segmented\"))\n");
    r.push_str("library(mgcv)\nlibrary(segmented)\nlibrary(survival)\n");
    r.push_str("d <- read.csv(\"analysis_data.csv\")\n");
    r.push_str(&format!(
        "m <- d[d${} == {}, ]  # the main day\n\n",
        c.data.day_column, c.data.main_day
    ));
    let method = match c.correlation.kind {
        crate::config::CorrelationKind::Spearman => "spearman",
        crate::config::CorrelationKind::Pearson => "pearson",
    };
    r.push_str("# Correlations (p.adjust(..., \"BH\") over the variables gives p_fdr)\n");
    for y in c.outcomes.iter().chain(&c.secondary) {
        r.push_str(&format!(
            "cor.test(m${}, m${y}, method = \"{method}\", exact = FALSE)\n",
            c.dose
        ));
    }
    r.push_str("\n# Univariate and adjusted regressions\n");
    for y in c.outcomes.iter().chain(&c.secondary) {
        r.push_str(&format!("summary(lm({y} ~ {}, data = m))\n", c.dose));
        if !c.covariates.is_empty() {
            r.push_str(&format!("confint(lm({y} ~ {}{covs}, data = m))\n", c.dose));
        }
    }
    r.push_str("\n# GAM, segmented regression and restricted cubic spline of each outcome\n");
    for t in &a.thresholds {
        let y = &t.outcome;
        if t.gam.is_some() {
            r.push_str(&format!(
                "g <- gam({y} ~ s({}, bs = \"{}\", k = {}){covs}, data = m, method = \"REML\")\nsummary(g); plot(g, residuals = TRUE, shade = TRUE)\n",
                c.dose, c.threshold.basis, t.k_used
            ));
        }
        r.push_str(&format!(
            "fit0 <- lm({y} ~ {}{covs}, data = m)\ns <- segmented(fit0, seg.Z = ~{})\nsummary(s); confint(s); slope(s); davies.test(fit0, seg.Z = ~{}, k = 10)\n",
            c.dose, c.dose, c.dose
        ));
        if t.rcs.is_some() {
            r.push_str(&format!(
                "# RCS with Harrell's default knots: library(rms); ols({y} ~ rcs({}, {}){covs}, data = m)\n",
                c.dose, t.rcs_knots_used
            ));
        }
    }
    let ties = format!("{:?}", c.survival.ties).to_lowercase();
    let times = c
        .survival
        .times
        .iter()
        .map(|t| cutoff_label(*t))
        .collect::<Vec<_>>()
        .join(", ");
    r.push_str("\n# Survival: Kaplan–Meier (log-type CI), log-rank, Cox and the proportional-hazards test\n");
    for s in &a.survival {
        let g = indicator_name(&c.dose, s.cutoff);
        let surv = format!("Surv({}, {})", s.time, s.event);
        r.push_str(&format!(
            "km <- survfit({surv} ~ {g}, data = m); print(km); summary(km, times = c({times}))\nsurvdiff({surv} ~ {g}, data = m)\n"
        ));
        r.push_str(&format!(
            "coxph({surv} ~ {g}, data = m, ties = \"{ties}\")\ncx <- coxph({surv} ~ {g}{covs}, data = m, ties = \"{ties}\"); summary(cx); cox.zph(cx)\n"
        ));
    }
    if let Some(ch) = &c.change {
        r.push_str(&format!(
            "\n# Changes: merge day {} and day {} by patient and subtract\nw <- merge(d[d${day} == {}, ], d[d${day} == {}, ], by = \"{}\", suffixes = c(\".from\", \".to\"))\n",
            ch.day_from,
            ch.day_to,
            ch.day_from,
            ch.day_to,
            c.data.patient_column,
            day = c.data.day_column
        ));
        for v in c.change_variables() {
            r.push_str(&format!(
                "cor.test(w${d}.to - w${d}.from, w${v}.to - w${v}.from, method = \"{method}\", exact = FALSE)\n",
                d = c.dose
            ));
        }
    }
    r
}

/// The reproducibility section: version, commit, date, seeds, input hashes and the config text.
pub fn reproducibility_blocks(a: &Analysis) -> Vec<Block> {
    let r = &a.reproducibility;
    let mut rows = vec![
        vec!["mcvideo version".to_string(), r.version.clone()],
        vec![
            "git commit".to_string(),
            r.git_commit
                .clone()
                .unwrap_or_else(|| "unknown (built outside a git checkout)".to_string()),
        ],
        vec!["run (UTC)".to_string(), r.date_utc.clone()],
        vec!["config".to_string(), r.config_file.clone()],
        vec!["output schema".to_string(), a.schema.to_string()],
    ];
    for (k, v) in &r.seeds {
        rows.push(vec![format!("seed ({k})"), v.to_string()]);
    }
    let mut blocks = vec![Block::Table {
        caption: "Run".to_string(),
        header: vec!["item".to_string(), "value".to_string()],
        rows,
    }];
    blocks.push(Block::Table {
        caption: "Input files (SHA-256)".to_string(),
        header: vec![
            "file".to_string(),
            "bytes".to_string(),
            "sha256".to_string(),
        ],
        rows: r
            .inputs
            .iter()
            .map(|f| vec![f.path.clone(), f.bytes.to_string(), f.sha256.clone()])
            .collect(),
    });
    if !r.config_text.is_empty() {
        blocks.push(Block::Text("The config as read:".to_string()));
        blocks.push(Block::Code(r.config_text.clone()));
    }
    blocks.push(Block::Text(
        "analysis_data.csv holds one row per patient and day with every model variable; refit.R beside this report refits each model from it in R.".to_string(),
    ));
    blocks
}

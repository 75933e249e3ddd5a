//! One run of the study: read the config and data, analyse, then write `analysis.json`, the CSV
//! tables, the SVG figures and `report.html` into the output folder (each file atomically).

use crate::analysis::{analyze, cutoff_label, Analysis, RegressionPair};
use crate::config::StudyConfig;
use crate::data::Dataset;
use crate::error::{Result, StudyError};
use crate::figures::{self, format_p, CurvePoint, ForestRow, KmCurve};
use crate::output::{csv_text, num, safe_name, write_atomic};
use crate::report::{render, Block, Section};
use std::path::Path;

/// What a run wrote.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Every file written, relative to the output folder, in order.
    pub files: Vec<String>,
    /// The results.
    pub analysis: Analysis,
}

/// Reads `config_path`, runs the study and writes every output into `out_dir` (created if needed).
pub fn run(config_path: &Path, out_dir: &Path) -> Result<RunSummary> {
    let config = StudyConfig::from_path(config_path)?;
    let data = Dataset::load(
        &config.data.clinical,
        config.data.batch.as_deref(),
        &config.data.patient_column,
        &config.data.day_column,
        config.data.main_day,
    )?;
    let analysis = analyze(&config, &data)?;
    std::fs::create_dir_all(out_dir).map_err(|cause| StudyError::Io {
        path: out_dir.to_path_buf(),
        action: "cannot create the output folder",
        cause,
    })?;
    let files = write_outputs(&analysis, out_dir)?;
    Ok(RunSummary { files, analysis })
}

/// A figure ready for the report and the folder.
struct Figure {
    file: String,
    svg: String,
    caption: String,
}

/// Writes all outputs of an analysis; returns the file names.
pub fn write_outputs(a: &Analysis, out: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| -> Result<()> {
        write_atomic(out, name, bytes)?;
        files.push(name.to_string());
        Ok(())
    };
    let config = &a.config;
    let dose_label = config.label(&config.dose).to_string();

    // Tables.
    let (b_header, b_rows) = crate::baseline::table(a);
    let b_header_ref: Vec<&str> = b_header.iter().map(String::as_str).collect();
    put("baseline.csv", csv_text(&b_header_ref, &b_rows)?.as_bytes())?;
    let corr_header = ["x", "y", "n", "r", "p", "p_fdr"];
    let corr_rows = correlation_rows(Style::Human, &a.correlations);
    put(
        "correlations.csv",
        csv_text(&corr_header, &correlation_rows(Style::Raw, &a.correlations))?.as_bytes(),
    )?;
    let reg_header = [
        "y", "model", "n", "term", "coef", "ci_lo", "ci_hi", "p", "r2",
    ];
    let reg_rows = regression_rows(Style::Human, &config.dose, &a.regressions);
    put(
        "regressions.csv",
        csv_text(
            &reg_header,
            &regression_rows(Style::Raw, &config.dose, &a.regressions),
        )?
        .as_bytes(),
    )?;
    let thr_header = [
        "outcome",
        "n",
        "gam_edf",
        "gam_p_smooth",
        "gam_r2_adj",
        "gam_threshold",
        "gam_ci_lo",
        "gam_ci_hi",
        "gam_x_max_abs_f2",
        "segmented_breakpoint",
        "segmented_ci_lo",
        "segmented_ci_hi",
        "segmented_slope_left",
        "segmented_slope_right",
        "segmented_r2",
        "segmented_p_davies",
        "rcs_threshold",
        "rcs_p_nonlinear",
    ];
    let (thr_html_header, thr_html_rows) = threshold_html(a);
    put(
        "thresholds.csv",
        csv_text(&thr_header, &threshold_rows(Style::Raw, a))?.as_bytes(),
    )?;
    let km_header = [
        "horizon",
        "cutoff",
        "group",
        "n",
        "events",
        "median",
        "logrank_chi2",
        "logrank_p",
    ];
    let km_human = km_rows(Style::Human, a);
    put(
        "km.csv",
        csv_text(&km_header, &km_rows(Style::Raw, a))?.as_bytes(),
    )?;
    let cox_header = [
        "horizon",
        "cutoff",
        "model",
        "term",
        "hr",
        "hr_ci_lo",
        "hr_ci_hi",
        "p",
        "events",
        "n",
        "concordance",
        "converged",
        "warning",
    ];
    let cox_human = cox_rows(Style::Human, a);
    put(
        "cox.csv",
        csv_text(&cox_header, &cox_rows(Style::Raw, a))?.as_bytes(),
    )?;
    if let Some(ch) = &a.change {
        put(
            "change_correlations.csv",
            csv_text(
                &corr_header,
                &correlation_rows(Style::Raw, &ch.correlations),
            )?
            .as_bytes(),
        )?;
        let dx = format!("delta_{}", config.dose);
        put(
            "change_regressions.csv",
            csv_text(
                &reg_header,
                &regression_rows(Style::Raw, &dx, &ch.regressions),
            )?
            .as_bytes(),
        )?;
    }

    // Figures.
    let mut scatter_figs = Vec::new();
    let main_points = |y: &str| -> Option<(Vec<f64>, Vec<f64>)> {
        a.thresholds
            .iter()
            .find(|t| t.outcome == y)
            .map(|t| t.points.clone())
    };
    for row in &a.correlations.results {
        let (x, y) = match main_points(&row.y) {
            Some(p) => p,
            None => pairs(&a.main_table, &config.dose, &row.y),
        };
        let note = format!("{} r = {:.3}, p {}", kind_name(a), row.r, p_text(row.p));
        let svg = figures::scatter(&dose_label, config.label(&row.y), &x, &y, &note)?;
        scatter_figs.push(Figure {
            file: format!("scatter_{}.svg", safe_name(&row.y)),
            caption: format!(
                "{} against {dose_label} (n = {}): {note}, FDR-adjusted p {}.",
                config.label(&row.y),
                row.n,
                p_text(row.p_fdr)
            ),
            svg,
        });
    }
    let mut gam_figs = Vec::new();
    for t in &a.thresholds {
        let curve: Vec<CurvePoint> = t
            .gam
            .curve
            .iter()
            .map(|p| CurvePoint {
                x: p.x,
                fit: p.fit,
                se: p.se,
            })
            .collect();
        let note = format!("edf {:.2}, p {}", t.gam.edf, p_text(t.gam.p_smooth));
        let svg = figures::gam_curve(
            &dose_label,
            config.label(&t.outcome),
            &curve,
            &t.points.0,
            t.gam.threshold.x,
            t.gam.threshold.ci,
            t.segmented.as_ref().map(|s| s.breakpoint),
            &note,
        )?;
        gam_figs.push(Figure {
            file: format!("gam_{}.svg", safe_name(&t.outcome)),
            caption: format!(
                "GAM smooth of {} on {dose_label} (fit ± 2 se){}: maximum-curvature threshold {:.3}{}{}.",
                config.label(&t.outcome),
                if config.covariates.is_empty() { String::new() } else { format!(", adjusted for {}", config.covariates.join(", ")) },
                t.gam.threshold.x,
                t.gam.threshold.ci.map_or(String::new(), |[lo, hi]| format!(" (bootstrap 95% CI {lo:.3}–{hi:.3}, shaded)")),
                t.segmented.as_ref().map_or(String::new(), |s| format!("; segmented breakpoint {:.3} (dashed)", s.breakpoint)),
            ),
            svg,
        });
    }
    let mut km_figs = Vec::new();
    for s in &a.survival {
        let (time, event, group) = &s.raw;
        let curves: Vec<KmCurve> =
            s.km.groups
                .iter()
                .enumerate()
                .map(|(gi, g)| {
                    let rows: Vec<usize> = (0..time.len()).filter(|&r| group[r] == gi).collect();
                    KmCurve {
                        label: format!("{} (n = {}, deaths {})", g.group, g.n, g.events),
                        short: g
                            .group
                            .trim_start_matches(config.dose.as_str())
                            .trim()
                            .to_string(),
                        steps: g
                            .steps
                            .iter()
                            .filter(|st| st.n_event > 0)
                            .map(|st| (st.time, st.survival))
                            .collect(),
                        censored: rows
                            .iter()
                            .filter(|&&r| !event[r])
                            .map(|&r| time[r])
                            .collect(),
                        times: rows.iter().map(|&r| time[r]).collect(),
                    }
                })
                .collect();
        let horizon = time.iter().copied().fold(0.0_f64, f64::max);
        let note = s.km.logrank.as_ref().map_or("one group".to_string(), |l| {
            format!("log-rank p {}", p_text(l.p))
        });
        let title = format!("{} survival, cutoff {}", s.horizon, cutoff_label(s.cutoff));
        let svg = figures::km_plot(&title, horizon, &curves, &note)?;
        km_figs.push(Figure {
            file: format!("km_{}_{}.svg", safe_name(&s.horizon), safe_name(&cutoff_label(s.cutoff))),
            caption: format!(
                "Kaplan–Meier {} survival by {} at {} ({}); {note}. Ticks mark censored patients; numbers at risk below.",
                s.horizon,
                dose_label,
                cutoff_label(s.cutoff),
                s.cutoff_source
            ),
            svg,
        });
    }
    let mut forest_rows = Vec::new();
    for s in &a.survival {
        for (model, fit) in [
            ("univariate", Some(&s.cox_univariate)),
            ("adjusted", s.cox_adjusted.as_ref()),
        ] {
            if let Some(term) = fit.and_then(|f| f.terms.first()) {
                forest_rows.push(ForestRow {
                    label: format!("{} {}, {model}", s.horizon, term.name),
                    estimate: term.hr,
                    lo: term.hr_ci[0],
                    hi: term.hr_ci[1],
                    p: term.p,
                });
            }
        }
    }
    let forest_cox = Figure {
        file: "forest_cox.svg".to_string(),
        svg: figures::forest("Cox models: hazard ratio of the high-dose group", "hazard ratio (log scale)", &forest_rows, true)?,
        caption: format!(
            "Hazard ratios of death for {dose_label} above each cutoff, univariate and adjusted{} (95% CI; orange: p < 0.05).",
            if config.covariates.is_empty() { String::new() } else { format!(" for {}", config.covariates.join(", ")) }
        ),
    };
    let mut change_figs = Vec::new();
    let dx = format!("delta_{}", config.dose);
    if let Some(ch) = &a.change {
        if let Some(table) = &ch.table {
            for row in &ch.correlations.results {
                let (x, y) = pairs(table, &dx, &row.y);
                let base = row.y.trim_start_matches("delta_");
                let note = format!("{} r = {:.3}, p {}", kind_name(a), row.r, p_text(row.p));
                change_figs.push(Figure {
                    file: format!("change_scatter_{}.svg", safe_name(base)),
                    svg: figures::scatter(&format!("Δ {dose_label}"), &format!("Δ {}", config.label(base)), &x, &y, &note)?,
                    caption: format!(
                        "Change (day {} − day {}) of {} against the change of {dose_label} (n = {}): {note}, FDR p {}.",
                        ch.day_to, ch.day_from, config.label(base), row.n, p_text(row.p_fdr)
                    ),
                });
            }
        }
        // Standardized coefficients (SD of Δy per SD of Δdose, on the rows each model used), so
        // variables on different scales share one axis; the raw coefficients are in the table.
        let rows: Vec<ForestRow> = ch
            .regressions
            .iter()
            .filter_map(|r| {
                let fit = r.adjusted.as_ref().unwrap_or(&r.univariate);
                let t = fit.terms.get(1)?;
                let table = ch.table.as_ref()?;
                let mut names = vec![r.y.as_str(), dx.as_str()];
                if r.adjusted.is_some() {
                    names.extend(config.covariates.iter().map(String::as_str));
                }
                let (cols, _) = table.complete_numeric(&names).ok()?;
                let scale =
                    mcvideo_stats::summary::sd(&cols[1]) / mcvideo_stats::summary::sd(&cols[0]);
                scale.is_finite().then(|| ForestRow {
                    label: format!("Δ {}", config.label(r.y.trim_start_matches("delta_"))),
                    estimate: t.coef * scale,
                    lo: t.ci[0] * scale,
                    hi: t.ci[1] * scale,
                    p: t.p,
                })
            })
            .collect();
        change_figs.push(Figure {
            file: "forest_change.svg".to_string(),
            svg: figures::forest("Changes: standardized coefficient of Δ dose", "SD of Δ variable per SD of Δ dose", &rows, false)?,
            caption: format!(
                "Standardized coefficient of Δ {dose_label} in the regression of each Δ variable{} (95% CI; raw coefficients in the table above).",
                if config.covariates.is_empty() { String::new() } else { format!(", adjusted for {} on day {}", config.covariates.join(", "), ch.day_from) }
            ),
        });
    }
    for f in scatter_figs
        .iter()
        .chain(&gam_figs)
        .chain(&km_figs)
        .chain(std::iter::once(&forest_cox))
        .chain(&change_figs)
    {
        put(&f.file, f.svg.as_bytes())?;
    }

    // Report, in the paper's order.
    let fig_blocks = |figs: &[Figure]| -> Vec<Block> {
        figs.iter()
            .map(|f| Block::Figure {
                file: f.file.clone(),
                svg: f.svg.clone(),
                caption: f.caption.clone(),
            })
            .collect()
    };
    let mut sections = Vec::new();
    sections.push(Section {
        title: "Data".to_string(),
        blocks: vec![Block::Text(format!(
            "Source: {}. {} rows over days {:?}; the main analysis uses day {}: {} rows, {} patients. Dose: {} ({}). Outcomes: {}. Secondary: {}. Covariates of the adjusted models: {}.",
            a.data.source,
            a.data.rows,
            a.data.days,
            config.data.main_day,
            a.data.main_day_rows,
            a.data.patients,
            config.dose,
            dose_label,
            config.outcomes.join(", "),
            if config.secondary.is_empty() { "none".to_string() } else { config.secondary.join(", ") },
            if config.covariates.is_empty() { "none".to_string() } else { config.covariates.join(", ") },
        ))],
    });
    sections.push(Section {
        title: format!("Cohort characteristics (split at {dose_label} {})", cutoff_label(config.baseline.cutoff)),
        blocks: vec![
            Block::Text("Normality by Shapiro–Wilk in each group: normal variables as mean (SD) with the t test, others as median [IQR] with the Wilcoxon rank-sum test; 0/1 variables as n (%) with the chi-square or Fisher's exact test.".to_string()),
            Block::Table { caption: "Table 1. Baseline characteristics".to_string(), header: b_header.clone(), rows: b_rows.clone() },
        ],
    });
    let mut corr_blocks = vec![Block::Table {
        caption: format!("{} correlations with {dose_label} (p by the t approximation; FDR by Benjamini–Hochberg)", kind_name(a)),
        header: corr_header.iter().map(|s| s.to_string()).collect(),
        rows: corr_rows.clone(),
    }];
    corr_blocks.extend(fig_blocks(&scatter_figs));
    sections.push(Section {
        title: format!("Correlation between {dose_label} and the microcirculation"),
        blocks: corr_blocks,
    });
    sections.push(Section {
        title: "Univariate and adjusted linear regression".to_string(),
        blocks: vec![Block::Table {
            caption: format!("Table 2. Coefficient of {dose_label} (95% CI)"),
            header: reg_header.iter().map(|s| s.to_string()).collect(),
            rows: reg_rows.clone(),
        }],
    });
    let mut gam_blocks = vec![
        Block::Text(format!(
            "GAM ({} basis, k = {}, REML): the threshold is the dose of maximum curvature of the smooth term, with a {}-resample percentile bootstrap CI (seed {}). Checked by segmented regression (one breakpoint, Davies test) and a restricted cubic spline ({} knots).",
            config.threshold.basis, config.threshold.k, config.threshold.bootstrap, config.threshold.seed, config.threshold.rcs_knots
        )),
        Block::Table {
            caption: "Thresholds (all columns in thresholds.csv)".to_string(),
            header: thr_html_header,
            rows: thr_html_rows,
        },
    ];
    gam_blocks.extend(fig_blocks(&gam_figs));
    sections.push(Section {
        title: "Nonlinear dose–response and thresholds".to_string(),
        blocks: gam_blocks,
    });
    if let Some(ch) = &a.change {
        let mut blocks = vec![
            Block::Text(format!(
                "Δ = day {} − day {} for {} patients with both days.",
                ch.day_to, ch.day_from, ch.paired
            )),
            Block::Table {
                caption: "Correlations of the changes".to_string(),
                header: corr_header.iter().map(|s| s.to_string()).collect(),
                rows: correlation_rows(Style::Human, &ch.correlations),
            },
            Block::Table {
                caption: "Regressions of the changes".to_string(),
                header: reg_header.iter().map(|s| s.to_string()).collect(),
                rows: regression_rows(
                    Style::Human,
                    &format!("delta_{}", config.dose),
                    &ch.regressions,
                ),
            },
        ];
        blocks.extend(fig_blocks(&change_figs));
        sections.push(Section {
            title: "Changes in dose and in the microcirculation".to_string(),
            blocks,
        });
    }
    let mut surv_blocks = vec![
        Block::Text(
            a.cutoffs
                .iter()
                .map(|c| format!("cutoff {} ({})", cutoff_label(c.value), c.source))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Block::Table {
            caption: "Kaplan–Meier groups and log-rank tests".to_string(),
            header: km_header.iter().map(|s| s.to_string()).collect(),
            rows: km_human.clone(),
        },
    ];
    surv_blocks.extend(fig_blocks(&km_figs));
    surv_blocks.push(Block::Table {
        caption: format!("Cox proportional hazards ({:?} ties)", config.survival.ties)
            .to_lowercase(),
        header: cox_header.iter().map(|s| s.to_string()).collect(),
        rows: cox_human.clone(),
    });
    surv_blocks.extend(fig_blocks(std::slice::from_ref(&forest_cox)));
    sections.push(Section {
        title: format!("{dose_label} and mortality"),
        blocks: surv_blocks,
    });
    let meta = format!(
        "mcvideo {} · schema {} · data {} · every number also in analysis.json and the CSV files beside this report",
        a.version, a.schema, a.data.source
    );
    let html = render(&config.title, &meta, &sections);
    put("report.html", html.as_bytes())?;
    let json = serde_json::to_string_pretty(a).map_err(|e| StudyError::Data {
        file: "analysis.json".to_string(),
        problem: e.to_string(),
    })?;
    put("analysis.json", json.as_bytes())?;
    Ok(files)
}

fn kind_name(a: &Analysis) -> &'static str {
    match a.config.correlation.kind {
        crate::config::CorrelationKind::Spearman => "Spearman",
        crate::config::CorrelationKind::Pearson => "Pearson",
    }
}

/// `= 0.031` or `< 0.001`.
fn p_text(p: f64) -> String {
    let f = format_p(p);
    if f.starts_with('<') {
        f
    } else {
        format!("= {f}")
    }
}

/// Complete (x, y) pairs of two numeric columns (empty when unreadable).
fn pairs(table: &mcvideo_stats::data::Table, x: &str, y: &str) -> (Vec<f64>, Vec<f64>) {
    match table.complete_numeric(&[x, y]) {
        Ok((mut cols, _)) if cols.len() == 2 => {
            let y = cols.pop().unwrap_or_default();
            let x = cols.pop().unwrap_or_default();
            (x, y)
        }
        _ => (Vec::new(), Vec::new()),
    }
}

/// Numbers for the HTML tables (rounded, `< 0.001`) or the CSV files (full precision).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Human,
    Raw,
}

fn fnum(style: Style, v: f64, digits: usize) -> String {
    match style {
        Style::Human => num(v, digits),
        // Shortest round-trip text; exponent form for very small or large magnitudes.
        Style::Raw if v != 0.0 && (v.abs() < 1e-4 || v.abs() >= 1e15) => format!("{v:e}"),
        Style::Raw if v.is_finite() => format!("{v}"),
        Style::Raw => "NA".to_string(),
    }
}

fn fp(style: Style, p: f64) -> String {
    match style {
        Style::Human => format_p(p),
        Style::Raw => fnum(style, p, 0),
    }
}

fn correlation_rows(
    style: Style,
    c: &mcvideo_stats::correlate::CorrelateResult,
) -> Vec<Vec<String>> {
    c.results
        .iter()
        .map(|r| {
            vec![
                c.x.clone(),
                r.y.clone(),
                r.n.to_string(),
                fnum(style, r.r, 3),
                fp(style, r.p),
                fp(style, r.p_fdr),
            ]
        })
        .collect()
}

fn regression_rows(style: Style, x: &str, regs: &[RegressionPair]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for r in regs {
        for (model, fit) in [
            ("univariate", Some(&r.univariate)),
            ("adjusted", r.adjusted.as_ref()),
        ] {
            let Some(fit) = fit else { continue };
            if let Some(t) = fit.terms.iter().find(|t| t.name == x) {
                rows.push(vec![
                    r.y.clone(),
                    model.to_string(),
                    fit.n.to_string(),
                    t.name.clone(),
                    fnum(style, t.coef, 4),
                    fnum(style, t.ci[0], 4),
                    fnum(style, t.ci[1], 4),
                    fp(style, t.p),
                    fnum(style, fit.r2, 3),
                ]);
            }
        }
    }
    rows
}

fn threshold_rows(style: Style, a: &Analysis) -> Vec<Vec<String>> {
    let na = || "NA".to_string();
    a.thresholds
        .iter()
        .map(|t| {
            let g = &t.gam;
            let ci = g.threshold.ci;
            let mut row = vec![
                t.outcome.clone(),
                t.n.to_string(),
                fnum(style, g.edf, 3),
                fp(style, g.p_smooth),
                fnum(style, g.r2_adj, 3),
                fnum(style, g.threshold.x, 3),
                ci.map_or_else(na, |c| fnum(style, c[0], 3)),
                ci.map_or_else(na, |c| fnum(style, c[1], 3)),
                fnum(style, g.threshold.x_max_abs_f2, 3),
            ];
            match &t.segmented {
                Some(s) => row.extend([
                    fnum(style, s.breakpoint, 3),
                    fnum(style, s.breakpoint_ci[0], 3),
                    fnum(style, s.breakpoint_ci[1], 3),
                    fnum(style, s.slope_left, 4),
                    fnum(style, s.slope_right, 4),
                    fnum(style, s.r2, 3),
                    fp(style, s.p_davies),
                ]),
                None => row.extend(std::iter::repeat_with(na).take(7)),
            }
            match &t.rcs {
                Some(r) => row.extend([fnum(style, r.threshold.x, 3), fp(style, r.p_nonlinear)]),
                None => row.extend([na(), na()]),
            }
            row
        })
        .collect()
}

fn km_rows(style: Style, a: &Analysis) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &a.survival {
        for g in &s.km.groups {
            rows.push(vec![
                s.horizon.clone(),
                cutoff_label(s.cutoff),
                g.group.clone(),
                g.n.to_string(),
                g.events.to_string(),
                g.median
                    .map_or("not reached".to_string(), |m| fnum(style, m, 2)),
                s.km.logrank
                    .as_ref()
                    .map_or("NA".to_string(), |l| fnum(style, l.chi2, 3)),
                s.km.logrank
                    .as_ref()
                    .map_or("NA".to_string(), |l| fp(style, l.p)),
            ]);
        }
    }
    rows
}

fn cox_rows(style: Style, a: &Analysis) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &a.survival {
        for (model, fit) in [
            ("univariate", Some(&s.cox_univariate)),
            ("adjusted", s.cox_adjusted.as_ref()),
        ] {
            let Some(fit) = fit else { continue };
            for t in &fit.terms {
                rows.push(vec![
                    s.horizon.clone(),
                    cutoff_label(s.cutoff),
                    model.to_string(),
                    t.name.clone(),
                    fnum(style, t.hr, 3),
                    fnum(style, t.hr_ci[0], 3),
                    fnum(style, t.hr_ci[1], 3),
                    fp(style, t.p),
                    fit.events.to_string(),
                    fit.n.to_string(),
                    fnum(style, fit.concordance, 3),
                    fit.converged.to_string(),
                    // Separation (e.g. no event in one dose group): the HR is not finite, as
                    // coxph warns; say so beside the number rather than print it as a result.
                    if fit.infinite.contains(&t.name) {
                        "coefficient may be infinite (separation)".to_string()
                    } else {
                        String::new()
                    },
                ]);
            }
        }
    }
    rows
}

/// The thresholds table for the report: estimates with their CIs in one cell each.
fn threshold_html(a: &Analysis) -> (Vec<String>, Vec<Vec<String>>) {
    let header = [
        "outcome",
        "n",
        "GAM edf",
        "GAM p",
        "GAM threshold (95% CI)",
        "max |f''|",
        "segmented breakpoint (95% CI)",
        "slopes left / right",
        "Davies p",
        "RCS threshold",
        "RCS p nonlinear",
    ];
    let with_ci = |x: f64, ci: Option<[f64; 2]>| match ci {
        Some([lo, hi]) => format!("{} ({}–{})", num(x, 3), num(lo, 3), num(hi, 3)),
        None => num(x, 3),
    };
    let rows = a
        .thresholds
        .iter()
        .map(|t| {
            let g = &t.gam;
            let mut row = vec![
                a.config.label(&t.outcome).to_string(),
                t.n.to_string(),
                num(g.edf, 2),
                format_p(g.p_smooth),
                with_ci(g.threshold.x, g.threshold.ci),
                num(g.threshold.x_max_abs_f2, 3),
            ];
            match &t.segmented {
                Some(s) => row.extend([
                    with_ci(s.breakpoint, Some(s.breakpoint_ci)),
                    format!("{} / {}", num(s.slope_left, 3), num(s.slope_right, 3)),
                    format_p(s.p_davies),
                ]),
                None => row.extend([
                    t.segmented_error.clone().unwrap_or_default(),
                    String::new(),
                    String::new(),
                ]),
            }
            match &t.rcs {
                Some(r) => row.extend([num(r.threshold.x, 3), format_p(r.p_nonlinear)]),
                None => row.extend([t.rcs_error.clone().unwrap_or_default(), String::new()]),
            }
            row
        })
        .collect();
    (header.iter().map(|s| s.to_string()).collect(), rows)
}

//! One run of the study: read the config and data, analyse, then write `analysis.json`, the CSV
//! tables, the SVG figures and `report.html` into the output folder (each file atomically).

use crate::analysis::{analyze_with, cutoff_label, Analysis, Flag, Note, RegressionPair};
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
    let flow = config
        .data
        .batch
        .as_deref()
        .map(crate::provenance::Flow::from_batch)
        .unwrap_or_default();
    let reproducibility = crate::provenance::Reproducibility::gather(config_path, &config);
    let analysis = analyze_with(&config, &data, flow, reproducibility)?;
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

/// The output folder as it is written: each file atomically, its name recorded in order.
struct OutputFolder<'a> {
    dir: &'a Path,
    files: Vec<String>,
}

impl OutputFolder<'_> {
    fn put(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        write_atomic(self.dir, name, bytes)?;
        self.files.push(name.to_string());
        Ok(())
    }

    fn put_csv(&mut self, name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
        self.put(name, csv_text(header, rows)?.as_bytes())
    }
}

const CORRELATION_HEADER: [&str; 6] = ["x", "y", "n", "r", "p", "p_fdr"];
const REGRESSION_HEADER: [&str; 9] = [
    "y", "model", "n", "term", "coef", "ci_lo", "ci_hi", "p", "r2",
];
const THRESHOLD_HEADER: [&str; 22] = [
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
    "k_used",
    "rcs_knots_used",
    "gam_threshold_reportable",
    "flags",
];
const KM_HEADER: [&str; 10] = [
    "horizon",
    "cutoff",
    "group",
    "n",
    "events",
    "median",
    "median_ci_lo",
    "median_ci_hi",
    "logrank_chi2",
    "logrank_p",
];
const COX_HEADER: [&str; 14] = [
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
    "estimable",
    "flags",
];
const SURVIVAL_AT_HEADER: [&str; 9] = [
    "horizon", "cutoff", "group", "day", "n_risk", "survival", "se", "ci_lo", "ci_hi",
];
const ZPH_HEADER: [&str; 7] = ["horizon", "cutoff", "model", "term", "chi2", "df", "p"];
const NOTES_HEADER: [&str; 3] = ["analysis", "action", "reason"];
const FLOW_HEADER: [&str; 4] = ["stage", "count", "excluded_reason", "excluded_count"];

/// Writes all outputs of an analysis; returns the file names.
///
/// The steps: the CSV tables and the R refit script, the figures (SVG with PNG and PDF
/// copies), `report.html`, then `analysis.json`.
pub fn write_outputs(a: &Analysis, out: &Path) -> Result<Vec<String>> {
    let mut folder = OutputFolder {
        dir: out,
        files: Vec::new(),
    };
    write_tables(a, &mut folder)?;
    let figures = Figures::draw(a)?;
    figures.write(&mut folder)?;
    folder.put("report.html", report_html(a, &figures).as_bytes())?;
    let json = serde_json::to_string_pretty(a).map_err(|e| StudyError::Data {
        file: "analysis.json".to_string(),
        problem: e.to_string(),
    })?;
    folder.put("analysis.json", json.as_bytes())?;
    Ok(folder.files)
}

/// The CSV tables (raw numbers), `analysis_data.csv` and `refit.R`.
fn write_tables(a: &Analysis, folder: &mut OutputFolder) -> Result<()> {
    let config = &a.config;
    let (b_header, b_rows) = crate::baseline::table(a);
    let b_header_ref: Vec<&str> = b_header.iter().map(String::as_str).collect();
    folder.put_csv("baseline.csv", &b_header_ref, &b_rows)?;
    if let Some(c) = &a.correlations {
        folder.put_csv(
            "correlations.csv",
            &CORRELATION_HEADER,
            &correlation_rows(Style::Raw, c),
        )?;
    }
    folder.put_csv(
        "regressions.csv",
        &REGRESSION_HEADER,
        &regression_rows(Style::Raw, &config.dose, &a.regressions),
    )?;
    folder.put_csv(
        "thresholds.csv",
        &THRESHOLD_HEADER,
        &threshold_rows(Style::Raw, a),
    )?;
    folder.put_csv("km.csv", &KM_HEADER, &km_rows(Style::Raw, a))?;
    folder.put_csv("cox.csv", &COX_HEADER, &cox_rows(Style::Raw, a))?;
    folder.put_csv(
        "survival_at.csv",
        &SURVIVAL_AT_HEADER,
        &survival_at_rows(Style::Raw, a),
    )?;
    folder.put_csv("ph_test.csv", &ZPH_HEADER, &zph_rows(Style::Raw, a))?;
    folder.put_csv("notes.csv", &NOTES_HEADER, &note_rows(a))?;
    folder.put_csv("flow.csv", &FLOW_HEADER, &flow_rows(a))?;
    let (data_header, data_rows) = crate::export::analysis_data(a);
    let data_header_ref: Vec<&str> = data_header.iter().map(String::as_str).collect();
    folder.put_csv("analysis_data.csv", &data_header_ref, &data_rows)?;
    folder.put("refit.R", crate::export::refit_r(a).as_bytes())?;
    if let Some(ch) = &a.change {
        if let Some(cc) = &ch.correlations {
            folder.put_csv(
                "change_correlations.csv",
                &CORRELATION_HEADER,
                &correlation_rows(Style::Raw, cc),
            )?;
        }
        let dx = format!("delta_{}", config.dose);
        folder.put_csv(
            "change_regressions.csv",
            &REGRESSION_HEADER,
            &regression_rows(Style::Raw, &dx, &ch.regressions),
        )?;
    }
    Ok(())
}

fn note_rows(a: &Analysis) -> Vec<Vec<String>> {
    a.notes
        .iter()
        .map(|n| vec![n.analysis.clone(), n.action.to_string(), n.reason.clone()])
        .collect()
}

/// Column labels as the figures and the report typeset them (units with sub/superscripts).
struct Labels<'a> {
    config: &'a StudyConfig,
    /// The dose's label.
    dose: String,
}

impl<'a> Labels<'a> {
    fn new(config: &'a StudyConfig) -> Self {
        Labels {
            config,
            dose: figures::typeset_units(config.label(&config.dose)),
        }
    }

    /// `text` with its units typeset.
    fn units(&self, text: &str) -> String {
        figures::typeset_units(text)
    }

    /// The label of column `column`.
    fn of(&self, column: &str) -> String {
        self.units(self.config.label(column))
    }

    /// The labels of `columns` joined by commas.
    fn list(&self, columns: &[String]) -> String {
        columns
            .iter()
            .map(|c| self.of(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `group` (which starts with the dose's column name) with the dose's label in its place.
    fn dose_in(&self, group: &str) -> String {
        self.units(&group.replacen(self.config.dose.as_str(), &self.dose, 1))
    }

    /// The label of `column` when the config gives it one.
    fn given(&self, column: &str) -> Option<String> {
        self.config.labels.get(column).map(|l| self.units(l))
    }

    /// A report table's cell or header as a reader wants it: a column name becomes its label
    /// (`mfi` → `MFI`), a change its Δ (`delta_mfi` → `Δ MFI`), a term above or at most a
    /// cutoff its label with ≤/> (`ne_dose <= 0.5` → `NE dose (µg/kg/min) ≤ 0.5`), and a phrase
    /// ending in a column its label (`thresholds of mfi`); other text is kept. The CSV files
    /// keep the column names, for R.
    fn cell(&self, text: &str) -> String {
        if let Some(label) = self.given(text) {
            return label;
        }
        if let Some(label) = text.strip_prefix("delta_").and_then(|c| self.given(c)) {
            return format!("Δ {label}");
        }
        if let Some((column, rest)) = text.split_once(' ')
            && (rest.starts_with("<= ") || rest.starts_with("> "))
        {
            let name = column
                .strip_prefix("delta_")
                .and_then(|c| self.given(c).map(|l| format!("Δ {l}")))
                .or_else(|| self.given(column));
            if let Some(name) = name {
                return format!("{name} {}", rest.replacen("<=", "≤", 1));
            }
        }
        if let Some((phrase, last)) = text.rsplit_once(' ')
            && let Some(label) = self.given(last)
        {
            return format!("{phrase} {label}");
        }
        text.to_string()
    }
}

/// Report table headers that are CSV column names, in words.
fn header_text(header: &str) -> &str {
    match header {
        "ci_lo" => "95% CI low",
        "ci_hi" => "95% CI high",
        "r2" => "R²",
        "chi2" => "χ²",
        "coef" => "coefficient",
        "p_fdr" => "p (FDR)",
        "excluded_reason" => "excluded (reason)",
        "excluded_count" => "excluded (n)",
        other => other,
    }
}

/// Every table of `sections` with its column names and cells as [`Labels::cell`] words them,
/// and R's `NA` (no estimate) as a dash.
fn label_tables(sections: &mut [Section], labels: &Labels) {
    for block in sections.iter_mut().flat_map(|s| s.blocks.iter_mut()) {
        if let Block::Table { header, rows, .. } = block {
            for h in header.iter_mut() {
                *h = labels.cell(header_text(h));
            }
            for cell in rows.iter_mut().flat_map(|r| r.iter_mut()) {
                *cell = if cell == "NA" {
                    "—".to_string()
                } else {
                    labels.cell(cell)
                };
            }
        }
    }
}

/// Every figure of the report.
struct Figures {
    flow: Figure,
    scatter: Vec<Figure>,
    gam: Vec<Figure>,
    km: Vec<Figure>,
    forest_cox: Figure,
    change: Vec<Figure>,
}

impl Figures {
    fn draw(a: &Analysis) -> Result<Figures> {
        let labels = Labels::new(&a.config);
        Ok(Figures {
            flow: Figure {
                file: "flow.svg".to_string(),
                svg: figures::flow_diagram(&a.flow)?,
                caption: "Flow of clips, sites and patients into the analysis, with the count and reason of each exclusion (flow.csv).".to_string(),
            },
            scatter: scatter_figures(a, &labels)?,
            gam: gam_figures(a, &labels)?,
            km: km_figures(a, &labels)?,
            forest_cox: forest_cox_figure(a, &labels)?,
            change: change_figures(a, &labels)?,
        })
    }

    /// Each figure as SVG, PNG and PDF.
    fn write(&self, folder: &mut OutputFolder) -> Result<()> {
        for f in std::iter::once(&self.flow)
            .chain(&self.scatter)
            .chain(&self.gam)
            .chain(&self.km)
            .chain(std::iter::once(&self.forest_cox))
            .chain(&self.change)
        {
            folder.put(&f.file, f.svg.as_bytes())?;
            let stem = f.file.trim_end_matches(".svg");
            folder.put(
                &format!("{stem}.png"),
                &crate::raster::svg_to_png(&f.file, &f.svg)?,
            )?;
            folder.put(
                &format!("{stem}.pdf"),
                &crate::raster::svg_to_pdf(&f.file, &f.svg)?,
            )?;
        }
        Ok(())
    }
}

/// Each outcome against the dose, on the rows its threshold fit used when there is one.
fn scatter_figures(a: &Analysis, labels: &Labels) -> Result<Vec<Figure>> {
    let config = &a.config;
    let dose_label = &labels.dose;
    let main_points = |y: &str| -> Option<(Vec<f64>, Vec<f64>)> {
        a.thresholds
            .iter()
            .find(|t| t.outcome == y)
            .map(|t| t.points.clone())
    };
    let mut figs = Vec::new();
    for row in a.correlations.iter().flat_map(|c| &c.results) {
        let (x, y) = match main_points(&row.y) {
            Some(p) => p,
            None => pairs(&a.main_table, &config.dose, &row.y),
        };
        let note = format!("{} r = {:.3}, p {}", kind_name(a), row.r, p_text(row.p));
        let svg = figures::scatter(dose_label, &labels.of(&row.y), &x, &y, &note)?;
        figs.push(Figure {
            file: format!("scatter_{}.svg", safe_name(&row.y)),
            caption: format!(
                "{} against {dose_label} (n = {}): {note}, FDR-adjusted p {}. Line: least squares with its 95% confidence band.",
                labels.of(&row.y),
                row.n,
                p_text(row.p_fdr)
            ),
            svg,
        });
    }
    Ok(figs)
}

/// The GAM smooth of each outcome with its threshold and the segmented breakpoint.
fn gam_figures(a: &Analysis, labels: &Labels) -> Result<Vec<Figure>> {
    let config = &a.config;
    let dose_label = &labels.dose;
    let mut figs = Vec::new();
    for t in &a.thresholds {
        let Some(g) = &t.gam else { continue };
        let curve: Vec<CurvePoint> = g
            .curve
            .iter()
            .map(|p| CurvePoint {
                x: p.x,
                fit: p.fit,
                se: p.se,
            })
            .collect();
        let note = format!("edf {:.2} (k = {}), p {}", g.edf, g.k, p_text(g.p_smooth));
        let gam_flags: Vec<&Flag> = t.flags.iter().filter(|f| f.model == "gam").collect();
        let seg_ok = t
            .segmented
            .as_ref()
            .filter(|_| !t.flags.iter().any(|f| f.model == "segmented"));
        let svg = figures::gam_curve(&figures::GamPlot {
            x_label: dose_label,
            y_label: &labels.of(&t.outcome),
            curve: &curve,
            points: (&t.points.0, &t.partial_residuals),
            threshold: t.gam_threshold_reportable.then_some(g.threshold.x),
            threshold_ci: if t.gam_threshold_reportable {
                g.threshold.ci
            } else {
                None
            },
            breakpoint: seg_ok.map(|s| s.breakpoint),
            note: &note,
        })?;
        let flag_text = if gam_flags.is_empty() {
            String::new()
        } else {
            format!(
                " FLAGGED, not a finding: {}.",
                gam_flags
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        };
        figs.push(Figure {
            file: format!("gam_{}.svg", safe_name(&t.outcome)),
            caption: format!(
                "GAM smooth of {} on {dose_label} (fit ± 2 se; points: partial residuals){}: {}{}.{flag_text}",
                labels.of(&t.outcome),
                if config.covariates.is_empty() { String::new() } else { format!(", adjusted for {}", labels.list(&config.covariates)) },
                if t.gam_threshold_reportable {
                    format!(
                        "maximum-curvature threshold {:.3}{}",
                        g.threshold.x,
                        g.threshold.ci.map_or(String::new(), |[lo, hi]| format!(" (bootstrap 95% CI {lo:.3}–{hi:.3}, shaded)"))
                    )
                } else {
                    "no threshold is drawn".to_string()
                },
                seg_ok.map_or(String::new(), |s| format!("; segmented breakpoint {:.3} (dashed)", s.breakpoint)),
            ),
            svg,
        });
    }
    Ok(figs)
}

/// The Kaplan–Meier curves of each horizon and cutoff.
fn km_figures(a: &Analysis, labels: &Labels) -> Result<Vec<Figure>> {
    let config = &a.config;
    let dose_label = &labels.dose;
    let mut figs = Vec::new();
    for s in &a.survival {
        let (time, event, group) = &s.raw;
        let curves: Vec<KmCurve> =
            s.km.groups
                .iter()
                .enumerate()
                .map(|(gi, g)| {
                    let rows: Vec<usize> = (0..time.len()).filter(|&r| group[r] == gi).collect();
                    KmCurve {
                        label: format!(
                            "{} (n = {}, deaths {})",
                            labels.cell(&g.group),
                            g.n,
                            g.events
                        ),
                        short: g
                            .group
                            .trim_start_matches(config.dose.as_str())
                            .trim()
                            .replacen("<=", "≤", 1),
                        steps: g
                            .steps
                            .iter()
                            .filter(|st| st.n_event > 0)
                            .map(|st| (st.time, st.survival))
                            .collect(),
                        band: g
                            .steps
                            .iter()
                            .filter(|st| st.n_event > 0)
                            .map(|st| (st.time, st.ci[0].unwrap_or(0.0), st.ci[1].unwrap_or(0.0)))
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
        let medians: Vec<String> =
            s.km.groups
                .iter()
                .map(|g| format!("{}: median {}", labels.cell(&g.group), median_text(g)))
                .collect();
        figs.push(Figure {
            file: format!("km_{}_{}.svg", safe_name(&s.horizon), safe_name(&cutoff_label(s.cutoff))),
            caption: format!(
                "Kaplan–Meier {} survival by {} at {} ({}); {note}. Shaded: log-type 95% CI; ticks mark censored patients; numbers at risk below. {}.",
                s.horizon,
                dose_label,
                cutoff_label(s.cutoff),
                s.cutoff_source,
                medians.join("; ")
            ),
            svg,
        });
    }
    Ok(figs)
}

/// The hazard ratio of the high-dose group in every Cox model.
fn forest_cox_figure(a: &Analysis, labels: &Labels) -> Result<Figure> {
    let config = &a.config;
    let mut rows = Vec::new();
    for s in &a.survival {
        for (model, fit) in [
            ("univariate", s.cox_univariate.as_ref()),
            ("adjusted", s.cox_adjusted.as_ref()),
        ] {
            if let Some((fit, term)) = fit.and_then(|f| f.terms.first().map(|t| (f, t))) {
                let estimable = !fit.infinite.contains(&term.name);
                rows.push(ForestRow {
                    label: format!("{} {}, {model}", s.horizon, labels.dose_in(&term.name)),
                    estimate: if estimable { term.hr } else { f64::NAN },
                    lo: if estimable { term.hr_ci[0] } else { f64::NAN },
                    hi: if estimable { term.hr_ci[1] } else { f64::NAN },
                    p: if estimable { term.p } else { f64::NAN },
                });
            }
        }
    }
    Ok(Figure {
        file: "forest_cox.svg".to_string(),
        svg: figures::forest("Cox models: hazard ratio of the high-dose group", "hazard ratio (log scale)", &rows, true)?,
        caption: format!(
            "Hazard ratios of death for {} above each cutoff, univariate and adjusted{} (95% CI; orange: p < 0.05). \"not estimable\": separation (no point is drawn).",
            labels.dose,
            if config.covariates.is_empty() { String::new() } else { format!(" for {}", labels.list(&config.covariates)) }
        ),
    })
}

/// The changes between days: a scatter per outcome and the standardized coefficients.
fn change_figures(a: &Analysis, labels: &Labels) -> Result<Vec<Figure>> {
    let config = &a.config;
    let dose_label = &labels.dose;
    let mut figs = Vec::new();
    let dx = format!("delta_{}", config.dose);
    let Some(ch) = &a.change else {
        return Ok(figs);
    };
    if let Some(table) = &ch.table {
        for row in ch.correlations.iter().flat_map(|c| &c.results) {
            let (x, y) = pairs(table, &dx, &row.y);
            let base = row.y.trim_start_matches("delta_");
            let note = format!("{} r = {:.3}, p {}", kind_name(a), row.r, p_text(row.p));
            figs.push(Figure {
                file: format!("change_scatter_{}.svg", safe_name(base)),
                svg: figures::scatter(&format!("Δ {dose_label}"), &format!("Δ {}", labels.of(base)), &x, &y, &note)?,
                caption: format!(
                    "Change (day {} − day {}) of {} against the change of {dose_label} (n = {}): {note}, FDR p {}; least-squares line with its 95% confidence band.",
                    ch.day_to, ch.day_from, labels.of(base), row.n, p_text(row.p_fdr)
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
            let scale = mcvideo_stats::summary::sd(&cols[1]) / mcvideo_stats::summary::sd(&cols[0]);
            scale.is_finite().then(|| ForestRow {
                label: format!("Δ {}", labels.of(r.y.trim_start_matches("delta_"))),
                estimate: t.coef * scale,
                lo: t.ci[0] * scale,
                hi: t.ci[1] * scale,
                p: t.p,
            })
        })
        .collect();
    figs.push(Figure {
        file: "forest_change.svg".to_string(),
        svg: figures::forest("Changes: standardized coefficient of Δ dose", "SD of Δ variable per SD of Δ dose", &rows, false)?,
        caption: format!(
            "Standardized coefficient of Δ {dose_label} in the regression of each Δ variable{} (95% CI; raw coefficients in the table above).",
            if config.covariates.is_empty() { String::new() } else { format!(", adjusted for {} on day {}", labels.list(&config.covariates), ch.day_from) }
        ),
    });
    Ok(figs)
}

fn fig_blocks(figs: &[Figure]) -> Vec<Block> {
    figs.iter()
        .map(|f| Block::Figure {
            file: f.file.clone(),
            svg: f.svg.clone(),
            caption: f.caption.clone(),
        })
        .collect()
}

/// A table block with a header of string literals.
fn table_block(caption: String, header: &[&str], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        caption,
        header: header.iter().map(|s| s.to_string()).collect(),
        rows,
    }
}

/// The notes of the analyses skipped whose name starts with `prefix`.
fn skipped(a: &Analysis, prefix: &str) -> Vec<Block> {
    a.notes
        .iter()
        .filter(|n| n.action == "skipped" && n.analysis.starts_with(prefix))
        .map(note_block)
        .collect()
}

/// `report.html`: the sections in the paper's order.
fn report_html(a: &Analysis, figs: &Figures) -> String {
    let config = &a.config;
    let labels = Labels::new(config);
    let mut sections = vec![
        data_section(a, &labels, figs),
        baseline_section(a, &labels),
        correlation_section(a, &labels, figs),
        regression_section(a, &labels),
        threshold_section(a, &labels, figs),
    ];
    if let Some(section) = change_section(a, figs) {
        sections.push(section);
    }
    sections.push(survival_section(a, &labels, figs));
    label_tables(&mut sections, &labels);
    sections.push(Section {
        title: "Reproducibility".to_string(),
        blocks: crate::export::reproducibility_blocks(a),
    });
    let meta = format!(
        "mcvideo {} · commit {} · schema {} · run {} · data {} · every number also in analysis.json and the CSV files beside this report; analysis_data.csv and refit.R refit each model in R",
        a.version,
        a.reproducibility.git_commit.as_deref().map_or("unknown", |c| &c[..c.len().min(12)]),
        a.schema,
        a.reproducibility.date_utc,
        a.data.source
    );
    render(&config.title, &meta, &sections)
}

fn data_section(a: &Analysis, labels: &Labels, figs: &Figures) -> Section {
    let config = &a.config;
    let mut blocks = vec![Block::Text(format!(
        "Source: {}. {} rows over days {:?}; the main analysis uses day {}: {} rows, {} patients. Dose: {} ({}). Outcomes: {}. Secondary: {}. Covariates of the adjusted models: {}.",
        a.data.source,
        a.data.rows,
        a.data.days,
        config.data.main_day,
        a.data.main_day_rows,
        a.data.patients,
        config.dose,
        labels.dose,
        labels.list(&config.outcomes),
        if config.secondary.is_empty() { "none".to_string() } else { labels.list(&config.secondary) },
        if config.covariates.is_empty() { "none".to_string() } else { labels.list(&config.covariates) },
    ))];
    blocks.push(table_block(
        "Flow of clips and patients (CONSORT style; flow.csv)".to_string(),
        &FLOW_HEADER,
        flow_rows(a),
    ));
    blocks.extend(fig_blocks(std::slice::from_ref(&figs.flow)));
    if !a.notes.is_empty() {
        blocks.push(table_block(
            "Analyses adapted to the cohort or skipped (notes.csv)".to_string(),
            &NOTES_HEADER,
            note_rows(a),
        ));
    }
    Section {
        title: "Data".to_string(),
        blocks,
    }
}

fn baseline_section(a: &Analysis, labels: &Labels) -> Section {
    let mut blocks = vec![
        Block::Text("Normality by Shapiro–Wilk in each group: normal variables as mean (SD) with the t test, others as median [IQR] with the Wilcoxon rank-sum test; 0/1 variables as n (%) with the chi-square or Fisher's exact test.".to_string()),
    ];
    if a.baseline.is_some() {
        let (header, rows) = crate::baseline::table(a);
        blocks.push(Block::Table {
            caption: "Table 1. Baseline characteristics".to_string(),
            header,
            rows,
        });
    } else {
        blocks.extend(skipped(a, "baseline"));
    }
    Section {
        title: format!(
            "Cohort characteristics (split at {} {})",
            labels.dose,
            cutoff_label(a.config.baseline.cutoff)
        ),
        blocks,
    }
}

fn correlation_section(a: &Analysis, labels: &Labels, figs: &Figures) -> Section {
    let mut blocks = match &a.correlations {
        Some(c) => vec![table_block(
            format!(
                "{} correlations with {} (p by the t approximation; FDR by Benjamini–Hochberg)",
                kind_name(a),
                labels.dose
            ),
            &CORRELATION_HEADER,
            correlation_rows(Style::Human, c),
        )],
        None => skipped(a, "correlations"),
    };
    blocks.extend(fig_blocks(&figs.scatter));
    Section {
        title: format!(
            "Correlation between {} and the microcirculation",
            labels.dose
        ),
        blocks,
    }
}

fn regression_section(a: &Analysis, labels: &Labels) -> Section {
    let mut blocks = vec![table_block(
        format!("Table 2. Coefficient of {} (95% CI)", labels.dose),
        &REGRESSION_HEADER,
        regression_rows(Style::Human, &a.config.dose, &a.regressions),
    )];
    blocks.extend(skipped(a, "regression"));
    blocks.extend(skipped(a, "adjusted regression"));
    Section {
        title: "Univariate and adjusted linear regression".to_string(),
        blocks,
    }
}

fn threshold_section(a: &Analysis, labels: &Labels, figs: &Figures) -> Section {
    let config = &a.config;
    let (header, rows) = threshold_html(a);
    let mut blocks = vec![
        Block::Text(format!(
            "GAM ({} basis, k = {} unless reduced for the cohort, REML): the threshold is the dose of maximum curvature of the smooth term, with a {}-resample percentile bootstrap CI (seed {}). Checked by segmented regression (one breakpoint, Davies test) and a restricted cubic spline ({} knots). A fit is flagged, and its threshold not reported as a finding, when its edf is within 10% of k − 1, its residual variance is zero, its CI collapsed to a point, or the threshold has fewer than max(3, 10% of n) doses on one side.",
            config.threshold.basis, config.threshold.k, config.threshold.bootstrap, config.threshold.seed, config.threshold.rcs_knots
        )),
        Block::Table {
            caption: "Thresholds (all columns in thresholds.csv; flags below)".to_string(),
            header,
            rows,
        },
    ];
    let flag_rows: Vec<Vec<String>> = a
        .thresholds
        .iter()
        .flat_map(|t| {
            t.flags.iter().map(move |f| {
                vec![
                    labels.of(&t.outcome),
                    f.model.clone(),
                    f.code.to_string(),
                    f.message.clone(),
                ]
            })
        })
        .collect();
    if !flag_rows.is_empty() {
        blocks.push(table_block(
            "Degenerate fits (flagged: not findings)".to_string(),
            &["outcome", "model", "flag", "meaning"],
            flag_rows,
        ));
    }
    blocks.extend(skipped(a, "GAM"));
    blocks.extend(skipped(a, "thresholds"));
    blocks.extend(fig_blocks(&figs.gam));
    Section {
        title: "Nonlinear dose–response and thresholds".to_string(),
        blocks,
    }
}

/// The changes between days, when the config asks for them.
fn change_section(a: &Analysis, figs: &Figures) -> Option<Section> {
    let title = "Changes in dose and in the microcirculation".to_string();
    let Some(ch) = &a.change else {
        return a.config.change.is_some().then(|| Section {
            title,
            blocks: skipped(a, "change"),
        });
    };
    let mut blocks = vec![Block::Text(format!(
        "Δ = day {} − day {} for {} patients with both days.",
        ch.day_to, ch.day_from, ch.paired
    ))];
    match &ch.correlations {
        Some(cc) => blocks.push(table_block(
            "Correlations of the changes".to_string(),
            &CORRELATION_HEADER,
            correlation_rows(Style::Human, cc),
        )),
        None => blocks.extend(skipped(a, "change correlations")),
    }
    blocks.push(table_block(
        "Regressions of the changes".to_string(),
        &REGRESSION_HEADER,
        regression_rows(
            Style::Human,
            &format!("delta_{}", a.config.dose),
            &ch.regressions,
        ),
    ));
    blocks.extend(fig_blocks(&figs.change));
    Some(Section { title, blocks })
}

fn survival_section(a: &Analysis, labels: &Labels, figs: &Figures) -> Section {
    let config = &a.config;
    let mut blocks = vec![Block::Text(
        a.cutoffs
            .iter()
            .map(|c| format!("cutoff {} ({})", cutoff_label(c.value), c.source))
            .collect::<Vec<_>>()
            .join("; "),
    )];
    blocks.extend(skipped(a, "survival cutoff"));
    for h in &config.survival.horizons {
        blocks.extend(skipped(a, &h.label));
    }
    blocks.push(table_block(
        "Kaplan–Meier groups: median survival (95% CI) and log-rank tests".to_string(),
        &[
            "horizon",
            "cutoff",
            "group",
            "n",
            "deaths",
            "median (95% CI)",
            "log-rank chi²",
            "p",
        ],
        km_rows(Style::Human, a),
    ));
    blocks.push(table_block(
        format!(
            "Survival at day {} (Kaplan–Meier, log-type 95% CI; survival_at.csv)",
            config
                .survival
                .times
                .iter()
                .map(|t| cutoff_label(*t))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        &[
            "horizon",
            "cutoff",
            "group",
            "day",
            "at risk",
            "survival (95% CI)",
        ],
        survival_at_rows(Style::Human, a),
    ));
    blocks.extend(fig_blocks(&figs.km));
    blocks.push(table_block(
        format!(
            "Cox proportional hazards ({} ties); HR (95% CI)",
            format!("{:?}", config.survival.ties).to_lowercase()
        ),
        &[
            "horizon",
            "cutoff",
            "model",
            "term",
            "HR (95% CI)",
            "p",
            "deaths / n",
            "C",
        ],
        cox_rows(Style::Human, a),
    ));
    let cox_flags: Vec<Vec<String>> = a
        .survival
        .iter()
        .flat_map(|s| {
            s.flags.iter().map(move |f| {
                vec![
                    s.horizon.clone(),
                    cutoff_label(s.cutoff),
                    f.model.clone(),
                    f.code.to_string(),
                    f.message.clone(),
                ]
            })
        })
        .collect();
    if !cox_flags.is_empty() {
        blocks.push(table_block(
            "Cox models flagged".to_string(),
            &["horizon", "cutoff", "model", "flag", "meaning"],
            cox_flags,
        ));
    }
    blocks.push(table_block(
        "Proportional-hazards test (scaled Schoenfeld residuals, as R's cox.zph with transform \"km\"; ph_test.csv)".to_string(),
        &ZPH_HEADER,
        zph_rows(Style::Human, a),
    ));
    blocks.extend(fig_blocks(std::slice::from_ref(&figs.forest_cox)));
    Section {
        title: format!("{} and mortality", labels.dose),
        blocks,
    }
}

fn note_block(n: &Note) -> Block {
    Block::Text(format!("{} skipped: {}", n.analysis, n.reason))
}

fn median_text(g: &mcvideo_survival::KmCurve) -> String {
    let v = |x: Option<f64>| x.map_or("NR".to_string(), |m| num(m, 0));
    match g.median {
        None => "not reached".to_string(),
        Some(m) => format!(
            "{} ({}–{})",
            num(m, 0),
            v(g.median_ci[0]),
            v(g.median_ci[1])
        ),
    }
}

fn flow_rows(a: &Analysis) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for st in &a.flow.stages {
        rows.push(vec![
            st.label.clone(),
            st.count.to_string(),
            String::new(),
            String::new(),
        ]);
        for e in &st.excluded {
            rows.push(vec![
                String::new(),
                String::new(),
                e.reason.clone(),
                e.count.to_string(),
            ]);
        }
    }
    for c in &a.flow.analyses {
        rows.push(vec![
            c.analysis.clone(),
            c.n.to_string(),
            if c.excluded_missing > 0 {
                "a missing value in a model variable".to_string()
            } else {
                String::new()
            },
            if c.excluded_missing > 0 {
                c.excluded_missing.to_string()
            } else {
                String::new()
            },
        ]);
    }
    rows
}

fn survival_at_rows(style: Style, a: &Analysis) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &a.survival {
        for g in &s.survival_at {
            for (day, at) in a.config.survival.times.iter().zip(&g.at) {
                let Some(at) = at else { continue };
                let opt = |v: Option<f64>| v.map_or("NA".to_string(), |x| fnum(style, x, 3));
                let mut row = vec![
                    s.horizon.clone(),
                    cutoff_label(s.cutoff),
                    g.group.clone(),
                    fnum(style, *day, 0),
                    at.n_risk.to_string(),
                ];
                match style {
                    Style::Raw => row.extend([
                        fnum(style, at.survival, 3),
                        opt(at.se),
                        opt(at.ci[0]),
                        opt(at.ci[1]),
                    ]),
                    Style::Human => row.push(format!(
                        "{} ({}–{})",
                        num(at.survival, 3),
                        opt(at.ci[0]),
                        opt(at.ci[1])
                    )),
                }
                rows.push(row);
            }
        }
    }
    rows
}

fn zph_rows(style: Style, a: &Analysis) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &a.survival {
        let model = if s.cox_adjusted.is_some() {
            "adjusted"
        } else {
            "univariate"
        };
        match &s.ph_test {
            Some(z) => {
                for t in z.terms.iter().chain(std::iter::once(&z.global)) {
                    rows.push(vec![
                        s.horizon.clone(),
                        cutoff_label(s.cutoff),
                        model.to_string(),
                        t.term.clone(),
                        fnum(style, t.chi2, 3),
                        t.df.to_string(),
                        fp(style, t.p),
                    ]);
                }
            }
            None => rows.push(vec![
                s.horizon.clone(),
                cutoff_label(s.cutoff),
                model.to_string(),
                s.ph_test_error.clone().unwrap_or_default(),
                "NA".to_string(),
                String::new(),
                "NA".to_string(),
            ]),
        }
    }
    rows
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

fn flag_codes(flags: &[Flag], model: Option<&str>) -> String {
    flags
        .iter()
        .filter(|f| model.is_none_or(|m| f.model == m))
        .map(|f| format!("{}:{}", f.model, f.code))
        .collect::<Vec<_>>()
        .join(";")
}

fn threshold_rows(style: Style, a: &Analysis) -> Vec<Vec<String>> {
    let na = || "NA".to_string();
    a.thresholds
        .iter()
        .map(|t| {
            let mut row = vec![t.outcome.clone(), t.n.to_string()];
            match &t.gam {
                Some(g) => {
                    let ci = g.threshold.ci;
                    row.extend([
                        fnum(style, g.edf, 3),
                        fp(style, g.p_smooth),
                        fnum(style, g.r2_adj, 3),
                        fnum(style, g.threshold.x, 3),
                        ci.map_or_else(na, |c| fnum(style, c[0], 3)),
                        ci.map_or_else(na, |c| fnum(style, c[1], 3)),
                        fnum(style, g.threshold.x_max_abs_f2, 3),
                    ]);
                }
                None => row.extend(std::iter::repeat_with(na).take(7)),
            }
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
            row.extend([
                t.k_used.to_string(),
                t.rcs_knots_used.to_string(),
                t.gam_threshold_reportable.to_string(),
                flag_codes(&t.flags, None),
            ]);
            row
        })
        .collect()
}

fn km_rows(style: Style, a: &Analysis) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &a.survival {
        for g in &s.km.groups {
            let opt = |v: Option<f64>| v.map_or("NA".to_string(), |m| fnum(style, m, 2));
            let mut row = vec![
                s.horizon.clone(),
                cutoff_label(s.cutoff),
                g.group.clone(),
                g.n.to_string(),
                g.events.to_string(),
            ];
            match style {
                Style::Raw => row.extend([opt(g.median), opt(g.median_ci[0]), opt(g.median_ci[1])]),
                Style::Human => row.push(median_text(g)),
            }
            row.extend([
                s.km.logrank
                    .as_ref()
                    .map_or("NA".to_string(), |l| fnum(style, l.chi2, 3)),
                s.km.logrank
                    .as_ref()
                    .map_or("NA".to_string(), |l| fp(style, l.p)),
            ]);
            rows.push(row);
        }
    }
    rows
}

fn cox_rows(style: Style, a: &Analysis) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &a.survival {
        for (model, fit, error) in [
            (
                "univariate",
                s.cox_univariate.as_ref(),
                &s.cox_univariate_error,
            ),
            ("adjusted", s.cox_adjusted.as_ref(), &s.cox_adjusted_error),
        ] {
            let Some(fit) = fit else {
                if let Some(e) = error {
                    let mut row = vec![
                        s.horizon.clone(),
                        cutoff_label(s.cutoff),
                        model.to_string(),
                        format!("not fitted: {e}"),
                    ];
                    // The rest of the row (estimates, counts, flags) is empty as NA.
                    let width = if style == Style::Raw {
                        COX_HEADER.len()
                    } else {
                        8
                    };
                    let fill = width - row.len();
                    row.extend(std::iter::repeat_with(|| "NA".to_string()).take(fill));
                    rows.push(row);
                }
                continue;
            };
            for t in &fit.terms {
                // Separation (e.g. no death in one dose group): the HR is infinite, as coxph
                // warns; no number is shown for it.
                let estimable = !fit.infinite.contains(&t.name);
                let mut row = vec![
                    s.horizon.clone(),
                    cutoff_label(s.cutoff),
                    model.to_string(),
                    t.name.clone(),
                ];
                match (style, estimable) {
                    (Style::Raw, true) => row.extend([
                        fnum(style, t.hr, 3),
                        fnum(style, t.hr_ci[0], 3),
                        fnum(style, t.hr_ci[1], 3),
                        fp(style, t.p),
                    ]),
                    (Style::Raw, false) => {
                        row.extend(std::iter::repeat_with(|| "NA".to_string()).take(4))
                    }
                    (Style::Human, true) => row.extend([
                        format!(
                            "{} ({}–{})",
                            num(t.hr, 2),
                            num(t.hr_ci[0], 2),
                            num(t.hr_ci[1], 2)
                        ),
                        fp(style, t.p),
                    ]),
                    (Style::Human, false) => {
                        row.extend(["not estimable (separation)".to_string(), String::new()])
                    }
                }
                match style {
                    Style::Raw => row.extend([
                        fit.events.to_string(),
                        fit.n.to_string(),
                        fnum(style, fit.concordance, 3),
                        fit.converged.to_string(),
                        estimable.to_string(),
                        flag_codes(&s.flags, Some(&format!("cox {model}"))),
                    ]),
                    Style::Human => row.extend([
                        format!("{} / {}", fit.events, fit.n),
                        fnum(style, fit.concordance, 3),
                    ]),
                }
                rows.push(row);
            }
        }
    }
    rows
}

/// The thresholds table for the report: estimates with their CIs in one cell each; a flagged
/// estimate is shown as such, not as a finding.
fn threshold_html(a: &Analysis) -> (Vec<String>, Vec<Vec<String>>) {
    let header = [
        "outcome",
        "n",
        "GAM edf (k)",
        "GAM p",
        "GAM threshold (95% CI)",
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
    let flagged = |t: &crate::analysis::ThresholdResult, model: &str, text: String| {
        let codes: Vec<&str> = t
            .flags
            .iter()
            .filter(|f| f.model == model)
            .map(|f| f.code)
            .collect();
        if codes.is_empty() {
            text
        } else {
            format!("flagged ({}): {text}", codes.join(", "))
        }
    };
    let rows = a
        .thresholds
        .iter()
        .map(|t| {
            let mut row = vec![
                crate::figures::typeset_units(a.config.label(&t.outcome)),
                t.n.to_string(),
            ];
            match &t.gam {
                Some(g) => row.extend([
                    format!("{} ({})", num(g.edf, 2), g.k),
                    format_p(g.p_smooth),
                    flagged(t, "gam", with_ci(g.threshold.x, g.threshold.ci)),
                ]),
                None => row.extend([
                    format!("not fitted: {}", t.gam_error.clone().unwrap_or_default()),
                    String::new(),
                    String::new(),
                ]),
            }
            match &t.segmented {
                Some(s) => row.extend([
                    flagged(t, "segmented", with_ci(s.breakpoint, Some(s.breakpoint_ci))),
                    format!("{} / {}", num(s.slope_left, 3), num(s.slope_right, 3)),
                    format_p(s.p_davies),
                ]),
                None => row.extend([
                    format!(
                        "not fitted: {}",
                        t.segmented_error.clone().unwrap_or_default()
                    ),
                    String::new(),
                    String::new(),
                ]),
            }
            match &t.rcs {
                Some(r) => row.extend([
                    flagged(t, "rcs", num(r.threshold.x, 3)),
                    format_p(r.p_nonlinear),
                ]),
                None => row.extend([
                    format!("not fitted: {}", t.rcs_error.clone().unwrap_or_default()),
                    String::new(),
                ]),
            }
            row
        })
        .collect();
    (header.iter().map(|s| s.to_string()).collect(), rows)
}

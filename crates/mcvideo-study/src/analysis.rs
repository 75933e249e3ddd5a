//! The study's statistics, in the paper's order, by calling the statistics crates: baseline
//! table (mcvideo-stats), correlations with FDR, univariate and adjusted regressions, GAM
//! thresholds checked by segmented regression and RCS (mcvideo-doseresponse), Kaplan–Meier and
//! Cox models at each horizon and cutoff (mcvideo-survival), and the Day-to-Day change analysis.

use crate::config::{CorrelationKind, Cutoff, StudyConfig, Ties};
use crate::data::Dataset;
use crate::error::{Result, StudyError};
use mcvideo_doseresponse::{
    fit_gam, fit_rcs, fit_segmented, BasisKind, GamFit, GamOptions, RcsFit, RcsOptions,
    SegmentedFit, SegmentedOptions,
};
use mcvideo_stats::correlate::{correlate, CorrelateResult};
use mcvideo_stats::data::Table;
use mcvideo_stats::regress::{regress, Regression};
use mcvideo_survival::{
    cox, cox_zph, km_indexed, survival_at_times, CoxFit, CoxZph, KmAnalysis, SurvivalAtTime,
    DEFAULT_CONF_LEVEL,
};
use serde::Serialize;

/// Every result of one run (`analysis.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// `mcvideo.study.v1`.
    pub schema: &'static str,
    /// Program version.
    pub version: &'static str,
    /// The config as read (paths resolved).
    pub config: StudyConfig,
    /// What was read.
    pub data: DataSummary,
    /// The flow of clips, sites and patients from the batch to the analysis, with exclusions.
    pub flow: crate::provenance::Flow,
    /// Version, commit, config text, seeds, input hashes and date.
    pub reproducibility: crate::provenance::Reproducibility,
    /// Analyses adapted to the cohort (e.g. a smaller k) or skipped, with the reason.
    pub notes: Vec<Note>,
    /// Baseline table split at the group cutoff (None when skipped; see `notes`).
    pub baseline: Option<crate::baseline::Baseline>,
    /// Dose vs outcomes and secondary variables (None when skipped; see `notes`).
    pub correlations: Option<CorrelateResult>,
    /// Univariate and adjusted linear regressions of each variable on the dose.
    pub regressions: Vec<RegressionPair>,
    /// GAM threshold, segmented breakpoint and RCS for each outcome.
    pub thresholds: Vec<ThresholdResult>,
    /// The dose cutoffs used for survival, resolved.
    pub cutoffs: Vec<ResolvedCutoff>,
    /// Kaplan–Meier and Cox per horizon and cutoff.
    pub survival: Vec<SurvivalResult>,
    /// The change analysis (when configured).
    pub change: Option<ChangeResult>,
    /// The main-day table, for the figures.
    #[serde(skip)]
    pub main_table: Table,
    /// Every joined row (all days), for `analysis_data.csv`.
    #[serde(skip)]
    pub all_days_table: Option<Table>,
}

/// What was read and used.
#[derive(Debug, Clone, Serialize)]
pub struct DataSummary {
    /// Source files.
    pub source: String,
    /// Joined rows (all days).
    pub rows: usize,
    /// Rows of the main day.
    pub main_day_rows: usize,
    /// Distinct patients on the main day.
    pub patients: usize,
    /// Days present.
    pub days: Vec<i64>,
}

/// An analysis that was adapted to the cohort or skipped.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Note {
    /// Which analysis (e.g. `GAM of mfi`).
    pub analysis: String,
    /// `adapted` or `skipped`.
    pub action: &'static str,
    /// Why, in words.
    pub reason: String,
}

impl Note {
    fn adapted(analysis: impl Into<String>, reason: impl Into<String>) -> Note {
        Note {
            analysis: analysis.into(),
            action: "adapted",
            reason: reason.into(),
        }
    }
    fn skipped(analysis: impl Into<String>, reason: impl Into<String>) -> Note {
        Note {
            analysis: analysis.into(),
            action: "skipped",
            reason: reason.into(),
        }
    }
}

/// A warning that a fit is degenerate: its numbers are not a finding.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Flag {
    /// `edf_near_max`, `zero_residual_variance`, `collapsed_ci`, `wide_ci`,
    /// `threshold_at_edge`, `separation` or `not_converged`.
    pub code: &'static str,
    /// The model it concerns (`gam`, `segmented`, `rcs`, `cox univariate`, ...).
    pub model: String,
    /// What it means, in words.
    pub message: String,
}

/// A univariate and an adjusted regression of one variable on the dose.
#[derive(Debug, Clone, Serialize)]
pub struct RegressionPair {
    /// The dependent variable.
    pub y: String,
    /// `y ~ dose`.
    pub univariate: Regression,
    /// `y ~ dose + covariates` (None without covariates or when it could not be fitted).
    pub adjusted: Option<Regression>,
    /// Why the adjusted model could not be fitted.
    pub adjusted_error: Option<String>,
}

/// The three dose-response models of one outcome.
#[derive(Debug, Clone, Serialize)]
pub struct ThresholdResult {
    /// The outcome.
    pub outcome: String,
    /// Complete rows used.
    pub n: usize,
    /// Rows dropped for a missing value.
    pub dropped: usize,
    /// GAM with the curvature threshold and its bootstrap CI (None when it could not be fitted).
    pub gam: Option<GamFit>,
    /// Why the GAM could not be fitted.
    pub gam_error: Option<String>,
    /// Basis dimension used (the config's k, or less for a small cohort).
    pub k_used: usize,
    /// RCS knots used.
    pub rcs_knots_used: usize,
    /// Degenerate-fit warnings of the three models.
    pub flags: Vec<Flag>,
    /// True when the GAM threshold is unflagged and can be reported as a finding.
    pub gam_threshold_reportable: bool,
    /// Partial residuals of the smooth (y minus the parametric terms), one per row, as
    /// `plot.gam(residuals = TRUE)` draws them.
    pub partial_residuals: Vec<f64>,
    /// Segmented regression (None when it failed; see `segmented_error`).
    pub segmented: Option<SegmentedFit>,
    /// Why the segmented fit failed.
    pub segmented_error: Option<String>,
    /// Restricted cubic spline.
    pub rcs: Option<RcsFit>,
    /// Why the RCS fit failed.
    pub rcs_error: Option<String>,
    /// The complete-case data (dose, outcome) for the figures.
    #[serde(skip)]
    pub points: (Vec<f64>, Vec<f64>),
}

/// A survival cutoff with where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedCutoff {
    /// The dose.
    pub value: f64,
    /// `fixed`, or `GAM threshold of <outcome>`.
    pub source: String,
}

/// KM and Cox at one horizon and cutoff.
#[derive(Debug, Clone, Serialize)]
pub struct SurvivalResult {
    /// Horizon label.
    pub horizon: String,
    /// Time column.
    pub time: String,
    /// Event column.
    pub event: String,
    /// Dose cutoff (high = dose > cutoff).
    pub cutoff: f64,
    /// Where the cutoff came from.
    pub cutoff_source: String,
    /// The indicator's name in the Cox models, e.g. `ne_dose > 0.5`.
    pub indicator: String,
    /// Kaplan–Meier curves (low, high) and the log-rank test.
    pub km: KmAnalysis,
    /// Survival of each group at `survival.times` (None past the group's follow-up).
    pub survival_at: Vec<GroupSurvivalAt>,
    /// Cox with the indicator alone (None when it could not be fitted; see `cox_univariate_error`).
    pub cox_univariate: Option<CoxFit>,
    /// Why the univariate Cox model could not be fitted.
    pub cox_univariate_error: Option<String>,
    /// Cox with the indicator and the covariates.
    pub cox_adjusted: Option<CoxFit>,
    /// Why the adjusted Cox model could not be fitted.
    pub cox_adjusted_error: Option<String>,
    /// Proportional-hazards test of the adjusted model (the univariate one without covariates).
    pub ph_test: Option<CoxZph>,
    /// Why there is no proportional-hazards test.
    pub ph_test_error: Option<String>,
    /// Separation and convergence warnings of the Cox models.
    pub flags: Vec<Flag>,
    /// Follow-up times and groups (0 low, 1 high) for the figure.
    #[serde(skip)]
    pub raw: (Vec<f64>, Vec<bool>, Vec<usize>),
}

/// Survival of one KM group at chosen days.
#[derive(Debug, Clone, Serialize)]
pub struct GroupSurvivalAt {
    /// Group label.
    pub group: String,
    /// One entry per `survival.times` value (None past the group's last follow-up).
    pub at: Vec<Option<SurvivalAtTime>>,
}

/// The change analysis: Δ variable vs Δ dose.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeResult {
    /// First day.
    pub day_from: i64,
    /// Second day.
    pub day_to: i64,
    /// Patients with both days.
    pub paired: usize,
    /// Correlations of Δdose with each Δvariable (BH over the variables).
    pub correlations: Option<CorrelateResult>,
    /// Δvariable ~ Δdose (+ covariates of the first day).
    pub regressions: Vec<RegressionPair>,
    /// The change table, for the figures.
    #[serde(skip)]
    pub table: Option<Table>,
}

fn method_err(what: impl Into<String>) -> impl FnOnce(String) -> StudyError {
    let what = what.into();
    move |message| StudyError::Method { what, message }
}

fn basis(config: &StudyConfig) -> BasisKind {
    if config.threshold.basis == "cr" {
        BasisKind::Cr
    } else {
        BasisKind::Tp
    }
}

/// Checks the follow-up time and event cells of every survival horizon, on every day: a time
/// is a finite number ≥ 0 and an event 0 or 1; anything else (text, `NaN`, `Inf`, a negative
/// time) is an error naming the file, row and column, since a survival curve fitted around it
/// would be silently wrong. A missing cell (empty or `NA`) leaves its row out of that horizon's
/// analyses; a note counts the main-day rows left out.
pub fn check_survival_columns(config: &StudyConfig, data: &Dataset) -> Result<Vec<Note>> {
    let mut notes = Vec::new();
    for h in &config.survival.horizons {
        let mut missing = vec![false; data.patients.len()];
        for (column, is_time) in [(&h.time, true), (&h.event, false)] {
            let Some(cells) = data.column(column) else {
                continue;
            };
            for (row, cell) in cells.iter().enumerate() {
                let Some(text) = cell else {
                    missing[row] = true;
                    continue;
                };
                let problem = match text.parse::<f64>() {
                    Err(_) => Some(format!("`{text}` is not a number")),
                    Ok(v) if !v.is_finite() => Some(format!(
                        "`{text}` is not a finite number (a missing value is an empty cell or NA)"
                    )),
                    Ok(v) if is_time && v < 0.0 => {
                        Some(format!("follow-up time must be 0 or more, got {text}"))
                    }
                    Ok(v) if !is_time && v != 0.0 && v != 1.0 => Some(format!(
                        "event must be 0 (censored) or 1 (event), got {text}"
                    )),
                    Ok(_) => None,
                };
                if let Some(problem) = problem {
                    return Err(StudyError::Data {
                        file: data.cell_origin(column, row),
                        problem,
                    });
                }
            }
        }
        let main_rows = data.days.iter().filter(|&&d| d == config.data.main_day);
        let left_out = missing
            .iter()
            .zip(&data.days)
            .filter(|&(&m, &d)| m && d == config.data.main_day)
            .count();
        if left_out > 0 {
            notes.push(Note::adapted(
                format!("{} survival", h.label),
                format!(
                    "{left_out} of {} day-{} rows without a follow-up time (`{}`) or event (`{}`) \
                     (empty or NA) left out",
                    main_rows.count(),
                    config.data.main_day,
                    h.time,
                    h.event
                ),
            ));
        }
    }
    Ok(notes)
}

/// Checks that every column the config names exists, naming the column and its key otherwise.
pub fn check_columns(config: &StudyConfig, data: &Dataset) -> Result<()> {
    data.require(&config.dose, "dose")?;
    for v in &config.outcomes {
        data.require(v, "outcomes")?;
    }
    for v in &config.secondary {
        data.require(v, "secondary")?;
    }
    for v in &config.covariates {
        data.require(v, "covariates")?;
    }
    for v in &config.baseline.variables {
        data.require(v, "baseline.variables")?;
    }
    for h in &config.survival.horizons {
        data.require(&h.time, "survival.horizons.time")?;
        data.require(&h.event, "survival.horizons.event")?;
    }
    if config.change.is_some() {
        for v in config.change_variables() {
            data.require(&v, "change.variables")?;
        }
    }
    Ok(())
}

/// Runs the whole study on loaded data. Analyses that the cohort cannot support are adapted
/// (a smaller basis, fewer knots) or skipped, each with a [`Note`]; only a config naming a
/// column the data lack is an error.
pub fn analyze(config: &StudyConfig, data: &Dataset) -> Result<Analysis> {
    analyze_with(
        config,
        data,
        crate::provenance::Flow::default(),
        crate::provenance::Reproducibility::default(),
    )
}

/// [`analyze`] with the flow and reproducibility block the caller has gathered.
pub fn analyze_with(
    config: &StudyConfig,
    data: &Dataset,
    mut flow: crate::provenance::Flow,
    reproducibility: crate::provenance::Reproducibility,
) -> Result<Analysis> {
    check_columns(config, data)?;
    let survival_notes = check_survival_columns(config, data)?;
    let main = data.day_table(config.data.main_day)?;
    let mut days: Vec<i64> = data.days.clone();
    days.sort_unstable();
    days.dedup();
    let mut patients: Vec<&String> = data
        .patients
        .iter()
        .zip(&data.days)
        .filter(|&(_, &d)| d == config.data.main_day)
        .map(|(p, _)| p)
        .collect();
    patients.sort();
    patients.dedup();
    let summary = DataSummary {
        source: data.source.clone(),
        rows: data.patients.len(),
        main_day_rows: main.n_rows(),
        patients: patients.len(),
        days,
    };
    let mut notes = survival_notes;
    let baseline = match crate::baseline::baseline(config, &main) {
        Ok(b) => Some(b),
        Err(e) => {
            notes.push(Note::skipped("baseline table", e.to_string()));
            None
        }
    };
    let related: Vec<String> = config
        .outcomes
        .iter()
        .chain(&config.secondary)
        .cloned()
        .collect();
    let correlations = match correlations(config, &main, &config.dose, &related) {
        Ok(c) => Some(c),
        Err(e) => {
            notes.push(Note::skipped("correlations", e.to_string()));
            None
        }
    };
    let regressions = regressions(
        &main,
        &config.dose,
        &related,
        &config.covariates,
        &mut notes,
    );
    let thresholds: Vec<ThresholdResult> = config
        .outcomes
        .iter()
        .filter_map(|y| thresholds(config, &main, y, &mut notes))
        .collect();
    let cutoffs = resolve_cutoffs(config, &thresholds, &mut notes);
    let mut survival = Vec::new();
    for h in &config.survival.horizons {
        for c in &cutoffs {
            match survival_at(config, &main, h, c) {
                Ok(s) => survival.push(s),
                Err(e) => notes.push(Note::skipped(
                    format!(
                        "{} survival at {} > {}",
                        h.label,
                        config.dose,
                        cutoff_label(c.value)
                    ),
                    e.to_string(),
                )),
            }
        }
    }
    let change = match &config.change {
        None => None,
        Some(ch) => match change(config, data, ch.day_from, ch.day_to, &mut notes) {
            Ok(c) => Some(c),
            Err(e) => {
                notes.push(Note::skipped(
                    format!("change day {} to day {}", ch.day_from, ch.day_to),
                    e.to_string(),
                ));
                None
            }
        },
    };
    flow.add_analysis_counts(config, &main, &thresholds);
    Ok(Analysis {
        schema: "mcvideo.study.v2",
        version: env!("CARGO_PKG_VERSION"),
        config: config.clone(),
        data: summary,
        flow,
        reproducibility,
        notes,
        baseline,
        correlations,
        regressions,
        thresholds,
        cutoffs,
        survival,
        change,
        main_table: main,
        all_days_table: data.all_days_table().ok(),
    })
}

fn correlations(
    config: &StudyConfig,
    table: &Table,
    x: &str,
    ys: &[String],
) -> Result<CorrelateResult> {
    let kind = match config.correlation.kind {
        CorrelationKind::Spearman => mcvideo_stats::correlate::CorrelationKind::Spearman,
        CorrelationKind::Pearson => mcvideo_stats::correlate::CorrelationKind::Pearson,
    };
    let ys: Vec<&str> = ys.iter().map(String::as_str).collect();
    correlate(table, x, &ys, kind)
        .map_err(|e| method_err(format!("correlation of {x}"))(e.to_string()))
}

fn regressions(
    table: &Table,
    x: &str,
    ys: &[String],
    covariates: &[String],
    notes: &mut Vec<Note>,
) -> Vec<RegressionPair> {
    let mut out = Vec::new();
    for y in ys {
        let uni = match regress(table, y, &[x]) {
            Ok(r) => r,
            Err(e) => {
                notes.push(Note::skipped(
                    format!("regression of {y} on {x}"),
                    e.to_string(),
                ));
                continue;
            }
        };
        let (adjusted, adjusted_error) = if covariates.is_empty() {
            (None, None)
        } else {
            let mut xs = vec![x];
            xs.extend(covariates.iter().map(String::as_str));
            match regress(table, y, &xs) {
                Ok(r) => (Some(r), None),
                Err(e) => {
                    notes.push(Note::skipped(
                        format!("adjusted regression of {y} on {x}"),
                        e.to_string(),
                    ));
                    (None, Some(e.to_string()))
                }
            }
        };
        out.push(RegressionPair {
            y: y.clone(),
            univariate: uni,
            adjusted,
            adjusted_error,
        });
    }
    out
}

/// The largest basis dimension the data support: at most the config's k, the number of distinct
/// doses, and n − (parametric terms) − 2 so that the fit keeps residual degrees of freedom.
///
/// ```
/// use mcvideo_study::analysis::feasible_k;
/// assert_eq!(feasible_k(10, 66, 60, 3), 10);
/// assert_eq!(feasible_k(10, 12, 12, 2), 7);
/// assert_eq!(feasible_k(10, 5, 5, 2), 0);
/// ```
pub fn feasible_k(k: usize, n: usize, distinct_x: usize, covariates: usize) -> usize {
    let by_rows = n.saturating_sub(1 + covariates + 2);
    let k = k.min(distinct_x).min(by_rows);
    if k < 3 {
        0
    } else {
        k
    }
}

/// Share of the data within which a threshold counts as "at the edge".
const EDGE_SHARE: f64 = 0.1;

/// A threshold with fewer than max(3, 10% of n) doses on one side sits at the edge of the data.
fn edge_flag(model: &str, x: &[f64], threshold: f64) -> Option<Flag> {
    let below = x.iter().filter(|&&v| v < threshold).count();
    let above = x.iter().filter(|&&v| v > threshold).count();
    let need = ((x.len() as f64 * EDGE_SHARE).ceil() as usize).max(3);
    (below < need || above < need).then(|| Flag {
        code: "threshold_at_edge",
        model: model.to_string(),
        message: format!(
            "{threshold:.3} lies at the edge of the data ({below} doses below, {above} above; at least {need} on each side are needed)"
        ),
    })
}

/// Share of the observed dose range beyond which a CI does not locate a threshold.
const WIDE_CI_SHARE: f64 = 0.5;

/// The CI's width as a share of the observed dose range (NaN for a NaN width).
fn ci_share(ci: [f64; 2], x: &[f64]) -> f64 {
    let (lo, hi) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    (ci[1] - ci[0]) / (hi - lo).max(f64::MIN_POSITIVE)
}

fn collapsed(ci: [f64; 2], x: &[f64]) -> bool {
    let share = ci_share(ci, x);
    share.is_nan() || share <= 1e-6
}

/// A CI spanning more than [`WIDE_CI_SHARE`] of the doses: the data do not locate the point.
fn wide_ci_flag(model: &str, what: &str, ci: [f64; 2], x: &[f64]) -> Option<Flag> {
    let share = ci_share(ci, x);
    (share > WIDE_CI_SHARE).then(|| Flag {
        code: "wide_ci",
        model: model.to_string(),
        message: format!(
            "the {what} CI ({:.3}–{:.3}) spans {:.0}% of the dose range: the data do not locate it",
            ci[0],
            ci[1],
            100.0 * share
        ),
    })
}

/// The degenerate-fit flags of a GAM (see [`Flag`]).
pub fn gam_flags(gam: &GamFit, x: &[f64], y: &[f64]) -> Vec<Flag> {
    let mut flags = Vec::new();
    let max_edf = gam.k.saturating_sub(1) as f64;
    if gam.edf >= 0.9 * max_edf {
        flags.push(Flag {
            code: "edf_near_max",
            model: "gam".to_string(),
            message: format!(
                "edf {:.2} of a possible {max_edf}: the smooth may be overfitted or k too small (raise k; mgcv's k.check)",
                gam.edf
            ),
        });
    }
    let var_y = mcvideo_stats::summary::sd(y).powi(2);
    if gam.scale.is_nan() || gam.scale <= 1e-10 * var_y {
        flags.push(Flag {
            code: "zero_residual_variance",
            model: "gam".to_string(),
            message: "residual variance is zero: the model interpolates the data".to_string(),
        });
    }
    if let Some(ci) = gam.threshold.ci {
        if collapsed(ci, x) {
            flags.push(Flag {
                code: "collapsed_ci",
                model: "gam".to_string(),
                message: format!(
                    "the bootstrap CI collapsed to a point ({:.3}–{:.3})",
                    ci[0], ci[1]
                ),
            });
        }
        flags.extend(wide_ci_flag("gam", "bootstrap", ci, x));
    }
    flags.extend(edge_flag("gam", x, gam.threshold.x));
    flags
}

/// The degenerate-fit flags of a segmented fit.
pub fn segmented_flags(s: &SegmentedFit, x: &[f64]) -> Vec<Flag> {
    let mut flags = Vec::new();
    if s.r2.is_nan() || s.r2 >= 1.0 - 1e-10 {
        flags.push(Flag {
            code: "zero_residual_variance",
            model: "segmented".to_string(),
            message: format!("R² = {:.6}: the broken line interpolates the data", s.r2),
        });
    }
    if collapsed(s.breakpoint_ci, x) {
        flags.push(Flag {
            code: "collapsed_ci",
            model: "segmented".to_string(),
            message: format!(
                "the breakpoint CI collapsed to a point ({:.3}–{:.3})",
                s.breakpoint_ci[0], s.breakpoint_ci[1]
            ),
        });
    }
    flags.extend(wide_ci_flag("segmented", "breakpoint", s.breakpoint_ci, x));
    flags.extend(edge_flag("segmented", x, s.breakpoint));
    flags
}

fn thresholds(
    config: &StudyConfig,
    table: &Table,
    y: &str,
    notes: &mut Vec<Note>,
) -> Option<ThresholdResult> {
    let mut names: Vec<&str> = vec![config.dose.as_str(), y];
    names.extend(config.covariates.iter().map(String::as_str));
    let (cols, dropped) = match table.complete_numeric(&names) {
        Ok(v) => v,
        Err(e) => {
            notes.push(Note::skipped(format!("thresholds of {y}"), e.to_string()));
            return None;
        }
    };
    let covs: Vec<(&str, &[f64])> = config
        .covariates
        .iter()
        .zip(&cols[2..])
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let (x, yv) = (&cols[0], &cols[1]);
    let n = x.len();
    let t = &config.threshold;
    let mut distinct = x.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let what = format!("GAM of {y}");
    let mut k = feasible_k(t.k, n, distinct.len(), covs.len());
    let (mut gam, mut gam_error) = (None, None);
    if k == 0 {
        let reason = format!(
            "{n} complete rows with {} distinct doses and {} covariates cannot support a smooth with k ≥ 3",
            distinct.len(),
            covs.len()
        );
        notes.push(Note::skipped(what.clone(), reason.clone()));
        gam_error = Some(reason);
    } else {
        if k < t.k {
            notes.push(Note::adapted(
                what.clone(),
                format!(
                    "k reduced from {} to {k} for {n} rows, {} distinct doses and {} covariates",
                    t.k,
                    distinct.len(),
                    covs.len()
                ),
            ));
        }
        loop {
            let opts = GamOptions {
                basis: basis(config),
                k,
                boot: t.bootstrap,
                seed: t.seed,
                ..GamOptions::default()
            };
            match fit_gam(x, yv, &covs, &opts) {
                Ok(g) => {
                    gam = Some(g);
                    break;
                }
                Err(mcvideo_doseresponse::DoseError::TooFewData { .. }) if k > 3 => {
                    k -= 1;
                    if let Some(last) = notes.last_mut().filter(|n| n.analysis == what) {
                        last.reason = format!("k reduced from {} to {k} for {n} rows", t.k);
                    } else {
                        notes.push(Note::adapted(
                            what.clone(),
                            format!("k reduced from {} to {k} for {n} rows", t.k),
                        ));
                    }
                }
                Err(e) => {
                    notes.push(Note::skipped(what.clone(), e.to_string()));
                    gam_error = Some(e.to_string());
                    break;
                }
            }
        }
    }
    let (segmented, segmented_error) =
        match fit_segmented(x, yv, &covs, &SegmentedOptions::default()) {
            Ok(f) => (Some(f), None),
            Err(e) => {
                notes.push(Note::skipped(
                    format!("segmented regression of {y}"),
                    e.to_string(),
                ));
                (None, Some(e.to_string()))
            }
        };
    let mut knots = t.rcs_knots;
    let (rcs, rcs_error) = loop {
        match fit_rcs(
            x,
            yv,
            &covs,
            &RcsOptions {
                knots,
                boot: 0,
                seed: t.seed,
            },
        ) {
            Ok(f) => {
                if knots < t.rcs_knots {
                    notes.push(Note::adapted(
                        format!("RCS of {y}"),
                        format!("knots reduced from {} to {knots} for {n} rows", t.rcs_knots),
                    ));
                }
                break (Some(f), None);
            }
            Err(mcvideo_doseresponse::DoseError::TooFewData { .. }) if knots > 3 => knots -= 1,
            Err(e) => {
                notes.push(Note::skipped(format!("RCS of {y}"), e.to_string()));
                break (None, Some(e.to_string()));
            }
        }
    };
    let mut flags = Vec::new();
    let mut partial_residuals = Vec::new();
    if let Some(g) = &gam {
        flags.extend(gam_flags(g, x, yv));
        // y minus the intercept and covariate terms: the smooth plus the residual.
        partial_residuals = (0..n)
            .map(|i| {
                let mut v = yv[i];
                for (j, term) in g.linear_terms.iter().enumerate() {
                    v -= if j == 0 {
                        term.coef
                    } else {
                        term.coef * covs[j - 1].1[i]
                    };
                }
                v
            })
            .collect();
    }
    if let Some(s) = &segmented {
        flags.extend(segmented_flags(s, x));
    }
    if let Some(r) = &rcs {
        flags.extend(edge_flag("rcs", x, r.threshold.x));
    }
    let gam_threshold_reportable = gam.is_some() && !flags.iter().any(|f| f.model == "gam");
    Some(ThresholdResult {
        outcome: y.to_string(),
        n,
        dropped,
        k_used: gam.as_ref().map_or(0, |g| g.k),
        rcs_knots_used: if rcs.is_some() { knots } else { 0 },
        gam,
        gam_error,
        segmented,
        segmented_error,
        rcs,
        rcs_error,
        flags,
        gam_threshold_reportable,
        partial_residuals,
        points: (x.clone(), yv.clone()),
    })
}

fn resolve_cutoffs(
    config: &StudyConfig,
    thresholds: &[ThresholdResult],
    notes: &mut Vec<Note>,
) -> Vec<ResolvedCutoff> {
    let mut out = Vec::new();
    for c in &config.survival.cutoffs {
        match c {
            Cutoff::Value(v) => out.push(ResolvedCutoff {
                value: *v,
                source: "fixed".to_string(),
            }),
            Cutoff::Threshold => {
                let primary = config.primary_outcome();
                let what = "survival cutoff \"threshold\"";
                match thresholds.iter().find(|t| t.outcome == primary) {
                    Some(ThresholdResult {
                        gam: Some(g),
                        gam_threshold_reportable: true,
                        ..
                    }) => out.push(ResolvedCutoff {
                        value: g.threshold.x,
                        source: format!("GAM threshold of {primary}"),
                    }),
                    Some(t) if t.gam.is_some() => notes.push(Note::skipped(
                        what,
                        format!(
                            "the GAM threshold of {primary} is flagged ({}), so it is not used as a cutoff",
                            t.flags.iter().filter(|f| f.model == "gam").map(|f| f.code).collect::<Vec<_>>().join(", ")
                        ),
                    )),
                    _ => notes.push(Note::skipped(
                        what,
                        format!("there is no GAM threshold of {primary}"),
                    )),
                }
            }
        }
    }
    out
}

/// Rounds a cutoff for labels (3 decimals, trailing zeros dropped).
///
/// ```
/// use mcvideo_study::analysis::cutoff_label;
/// assert_eq!(cutoff_label(0.5), "0.5");
/// assert_eq!(cutoff_label(0.783166), "0.783");
/// assert_eq!(cutoff_label(1.0), "1");
/// ```
pub fn cutoff_label(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn cox_flags(model: &str, fit: &CoxFit) -> Vec<Flag> {
    let mut flags: Vec<Flag> = fit
        .infinite
        .iter()
        .map(|name| Flag {
            code: "separation",
            model: model.to_string(),
            message: format!(
                "the coefficient of {name} may be infinite (separation, e.g. no death in one group): its hazard ratio is not estimable"
            ),
        })
        .collect();
    if !fit.converged {
        flags.push(Flag {
            code: "not_converged",
            model: model.to_string(),
            message: format!("did not converge in {} iterations", fit.iterations),
        });
    }
    flags
}

fn survival_at(
    config: &StudyConfig,
    table: &Table,
    h: &crate::config::Horizon,
    c: &ResolvedCutoff,
) -> Result<SurvivalResult> {
    let mut names: Vec<&str> = vec![h.time.as_str(), h.event.as_str(), config.dose.as_str()];
    names.extend(config.covariates.iter().map(String::as_str));
    let what = format!(
        "{} survival, {} > {}",
        h.label,
        config.dose,
        cutoff_label(c.value)
    );
    let (cols, _dropped) = table
        .complete_numeric(&names)
        .map_err(|e| method_err(what.clone())(e.to_string()))?;
    let time = &cols[0];
    let event: Vec<bool> = cols[1].iter().map(|&e| e != 0.0).collect();
    if let Some(bad) = cols[1].iter().find(|&&e| e != 0.0 && e != 1.0) {
        return Err(StudyError::Method {
            what,
            message: format!("event column `{}` holds {bad}; it must be 0 or 1", h.event),
        });
    }
    let group: Vec<usize> = cols[2].iter().map(|&d| usize::from(d > c.value)).collect();
    let label = cutoff_label(c.value);
    let labels = vec![
        format!("{} <= {label}", config.dose),
        format!("{} > {label}", config.dose),
    ];
    let km = km_indexed(time, &event, &group, &labels, DEFAULT_CONF_LEVEL)
        .map_err(|e| method_err(what.clone())(e.to_string()))?;
    let survival_at = km
        .groups
        .iter()
        .map(|g| GroupSurvivalAt {
            group: g.group.clone(),
            at: survival_at_times(g, &config.survival.times),
        })
        .collect();
    let indicator: Vec<f64> = group.iter().map(|&g| g as f64).collect();
    let ind_name = format!("{} > {label}", config.dose);
    let ties = match config.survival.ties {
        Ties::Efron => mcvideo_survival::Ties::Efron,
        Ties::Breslow => mcvideo_survival::Ties::Breslow,
    };
    let mut flags = Vec::new();
    let uni_covs: Vec<(&str, &[f64])> = vec![(ind_name.as_str(), &indicator)];
    let (cox_univariate, cox_univariate_error) = match cox(time, &event, &uni_covs, ties) {
        Ok(f) => {
            flags.extend(cox_flags("cox univariate", &f));
            (Some(f), None)
        }
        Err(e) => (None, Some(e.to_string())),
    };
    let mut adj_covs = uni_covs.clone();
    adj_covs.extend(
        config
            .covariates
            .iter()
            .zip(&cols[3..])
            .map(|(n, v)| (n.as_str(), v.as_slice())),
    );
    let (cox_adjusted, cox_adjusted_error) = if config.covariates.is_empty() {
        (None, None)
    } else {
        match cox(time, &event, &adj_covs, ties) {
            Ok(f) => {
                flags.extend(cox_flags("cox adjusted", &f));
                (Some(f), None)
            }
            Err(e) => (None, Some(e.to_string())),
        }
    };
    let (ph_fit, ph_covs) = match &cox_adjusted {
        Some(f) => (Some(f), &adj_covs),
        None => (cox_univariate.as_ref(), &uni_covs),
    };
    let (ph_test, ph_test_error) = match ph_fit {
        None => (None, Some("no Cox model to test".to_string())),
        Some(f) if !f.infinite.is_empty() => (
            None,
            Some(
                "not estimable: the Cox model has an infinite coefficient (separation)".to_string(),
            ),
        ),
        Some(f) => match cox_zph(time, &event, ph_covs, f) {
            Ok(z) => (Some(z), None),
            Err(e) => (None, Some(e.to_string())),
        },
    };
    Ok(SurvivalResult {
        horizon: h.label.clone(),
        time: h.time.clone(),
        event: h.event.clone(),
        cutoff: c.value,
        cutoff_source: c.source.clone(),
        indicator: ind_name,
        km,
        survival_at,
        cox_univariate,
        cox_univariate_error,
        cox_adjusted,
        cox_adjusted_error,
        ph_test,
        ph_test_error,
        flags,
        raw: (time.clone(), event, group),
    })
}

fn change(
    config: &StudyConfig,
    data: &Dataset,
    from: i64,
    to: i64,
    notes: &mut Vec<Note>,
) -> Result<ChangeResult> {
    let mut vars = vec![config.dose.clone()];
    vars.extend(
        config
            .change_variables()
            .into_iter()
            .filter(|v| *v != config.dose),
    );
    let (table, paired) = data.change_table(from, to, &vars, &config.covariates)?;
    let dx = format!("delta_{}", config.dose);
    let dys: Vec<String> = vars[1..].iter().map(|v| format!("delta_{v}")).collect();
    let correlations = match correlations(config, &table, &dx, &dys) {
        Ok(c) => Some(c),
        Err(e) => {
            notes.push(Note::skipped("change correlations", e.to_string()));
            None
        }
    };
    let regressions = regressions(&table, &dx, &dys, &config.covariates, notes);
    Ok(ChangeResult {
        day_from: from,
        day_to: to,
        paired,
        correlations,
        regressions,
        table: Some(table),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ci_over_half_the_doses_is_wide_and_a_point_is_collapsed() {
        let doses: Vec<f64> = (0..=20).map(|i| 0.1 * f64::from(i)).collect();
        // 0.2–1.8 spans 80% of 0–2; 0.6–1.2 spans 30%.
        let wide = wide_ci_flag("gam", "bootstrap", [0.2, 1.8], &doses).unwrap();
        assert_eq!(wide.code, "wide_ci");
        assert!(
            wide.message.contains("spans 80% of the dose range"),
            "{}",
            wide.message
        );
        assert!(wide_ci_flag("gam", "bootstrap", [0.6, 1.2], &doses).is_none());
        assert!(collapsed([0.7, 0.7], &doses));
        assert!(!collapsed([0.6, 1.2], &doses));
        assert!(collapsed([f64::NAN, 0.7], &doses));
    }
}

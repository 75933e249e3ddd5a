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
use mcvideo_survival::{cox, km_indexed, CoxFit, KmAnalysis, DEFAULT_CONF_LEVEL};
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
    /// Baseline table split at the group cutoff.
    pub baseline: crate::baseline::Baseline,
    /// Dose vs outcomes and secondary variables.
    pub correlations: CorrelateResult,
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

/// A univariate and an adjusted regression of one variable on the dose.
#[derive(Debug, Clone, Serialize)]
pub struct RegressionPair {
    /// The dependent variable.
    pub y: String,
    /// `y ~ dose`.
    pub univariate: Regression,
    /// `y ~ dose + covariates` (None without covariates).
    pub adjusted: Option<Regression>,
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
    /// GAM with the curvature threshold and its bootstrap CI.
    pub gam: GamFit,
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
    /// Cox with the indicator alone.
    pub cox_univariate: CoxFit,
    /// Cox with the indicator and the covariates.
    pub cox_adjusted: Option<CoxFit>,
    /// Follow-up times and groups (0 low, 1 high) for the figure.
    #[serde(skip)]
    pub raw: (Vec<f64>, Vec<bool>, Vec<usize>),
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
    pub correlations: CorrelateResult,
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

/// Runs the whole study on loaded data.
pub fn analyze(config: &StudyConfig, data: &Dataset) -> Result<Analysis> {
    check_columns(config, data)?;
    let main = data.day_table(config.data.main_day)?;
    let mut days: Vec<i64> = data.days.clone();
    days.sort_unstable();
    days.dedup();
    let mut patients: Vec<&String> = data
        .patients
        .iter()
        .zip(&data.days)
        .filter(|(_, &d)| d == config.data.main_day)
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
    let baseline = crate::baseline::baseline(config, &main)?;
    let related: Vec<String> = config
        .outcomes
        .iter()
        .chain(&config.secondary)
        .cloned()
        .collect();
    let correlations = correlations(config, &main, &config.dose, &related)?;
    let regressions = regressions(config, &main, &config.dose, &related, &config.covariates)?;
    let thresholds = config
        .outcomes
        .iter()
        .map(|y| thresholds(config, &main, y))
        .collect::<Result<Vec<_>>>()?;
    let cutoffs = resolve_cutoffs(config, &thresholds)?;
    let mut survival = Vec::new();
    for h in &config.survival.horizons {
        for c in &cutoffs {
            survival.push(survival_at(config, &main, h, c)?);
        }
    }
    let change = match &config.change {
        None => None,
        Some(ch) => Some(change(config, data, ch.day_from, ch.day_to)?),
    };
    Ok(Analysis {
        schema: "mcvideo.study.v1",
        version: env!("CARGO_PKG_VERSION"),
        config: config.clone(),
        data: summary,
        baseline,
        correlations,
        regressions,
        thresholds,
        cutoffs,
        survival,
        change,
        main_table: main,
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
    _config: &StudyConfig,
    table: &Table,
    x: &str,
    ys: &[String],
    covariates: &[String],
) -> Result<Vec<RegressionPair>> {
    ys.iter()
        .map(|y| {
            let uni = regress(table, y, &[x])
                .map_err(|e| method_err(format!("regression of {y} on {x}"))(e.to_string()))?;
            let adjusted = if covariates.is_empty() {
                None
            } else {
                let mut xs = vec![x];
                xs.extend(covariates.iter().map(String::as_str));
                Some(regress(table, y, &xs).map_err(|e| {
                    method_err(format!("adjusted regression of {y} on {x}"))(e.to_string())
                })?)
            };
            Ok(RegressionPair {
                y: y.clone(),
                univariate: uni,
                adjusted,
            })
        })
        .collect()
}

fn thresholds(config: &StudyConfig, table: &Table, y: &str) -> Result<ThresholdResult> {
    let mut names: Vec<&str> = vec![config.dose.as_str(), y];
    names.extend(config.covariates.iter().map(String::as_str));
    let (cols, dropped) = table
        .complete_numeric(&names)
        .map_err(|e| method_err(format!("thresholds of {y}"))(e.to_string()))?;
    let covs: Vec<(&str, &[f64])> = config
        .covariates
        .iter()
        .zip(&cols[2..])
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let (x, yv) = (&cols[0], &cols[1]);
    let t = &config.threshold;
    let gam = fit_gam(
        x,
        yv,
        &covs,
        &GamOptions {
            basis: basis(config),
            k: t.k,
            boot: t.bootstrap,
            seed: t.seed,
        },
    )
    .map_err(|e| method_err(format!("GAM of {y} on {}", config.dose))(e.to_string()))?;
    let (segmented, segmented_error) =
        match fit_segmented(x, yv, &covs, &SegmentedOptions::default()) {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e.to_string())),
        };
    let (rcs, rcs_error) = match fit_rcs(
        x,
        yv,
        &covs,
        &RcsOptions {
            knots: t.rcs_knots,
            boot: 0,
            seed: t.seed,
        },
    ) {
        Ok(f) => (Some(f), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(ThresholdResult {
        outcome: y.to_string(),
        n: x.len(),
        dropped,
        gam,
        segmented,
        segmented_error,
        rcs,
        rcs_error,
        points: (x.clone(), yv.clone()),
    })
}

fn resolve_cutoffs(
    config: &StudyConfig,
    thresholds: &[ThresholdResult],
) -> Result<Vec<ResolvedCutoff>> {
    config
        .survival
        .cutoffs
        .iter()
        .map(|c| match c {
            Cutoff::Value(v) => Ok(ResolvedCutoff {
                value: *v,
                source: "fixed".to_string(),
            }),
            Cutoff::Threshold => {
                let primary = config.primary_outcome();
                let t = thresholds
                    .iter()
                    .find(|t| t.outcome == primary)
                    .ok_or_else(|| StudyError::Method {
                        what: "survival cutoff \"threshold\"".to_string(),
                        message: format!("no GAM threshold for `{primary}`"),
                    })?;
                Ok(ResolvedCutoff {
                    value: t.gam.threshold.x,
                    source: format!("GAM threshold of {primary}"),
                })
            }
        })
        .collect()
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
    let indicator: Vec<f64> = group.iter().map(|&g| g as f64).collect();
    let ind_name = format!("{} > {label}", config.dose);
    let ties = match config.survival.ties {
        Ties::Efron => mcvideo_survival::Ties::Efron,
        Ties::Breslow => mcvideo_survival::Ties::Breslow,
    };
    let cox_univariate = cox(time, &event, &[(ind_name.as_str(), &indicator)], ties)
        .map_err(|e| method_err(format!("univariate Cox, {what}"))(e.to_string()))?;
    let cox_adjusted = if config.covariates.is_empty() {
        None
    } else {
        let mut covs: Vec<(&str, &[f64])> = vec![(ind_name.as_str(), &indicator)];
        covs.extend(
            config
                .covariates
                .iter()
                .zip(&cols[3..])
                .map(|(n, v)| (n.as_str(), v.as_slice())),
        );
        Some(
            cox(time, &event, &covs, ties)
                .map_err(|e| method_err(format!("adjusted Cox, {what}"))(e.to_string()))?,
        )
    };
    Ok(SurvivalResult {
        horizon: h.label.clone(),
        time: h.time.clone(),
        event: h.event.clone(),
        cutoff: c.value,
        cutoff_source: c.source.clone(),
        indicator: ind_name,
        km,
        cox_univariate,
        cox_adjusted,
        raw: (time.clone(), event, group),
    })
}

fn change(config: &StudyConfig, data: &Dataset, from: i64, to: i64) -> Result<ChangeResult> {
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
    let correlations = correlations(config, &table, &dx, &dys)?;
    let regressions = regressions(config, &table, &dx, &dys, &config.covariates)?;
    Ok(ChangeResult {
        day_from: from,
        day_to: to,
        paired,
        correlations,
        regressions,
        table: Some(table),
    })
}

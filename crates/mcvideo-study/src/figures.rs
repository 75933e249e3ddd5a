//! SVG figures drawn with plotters: scatter plots with the correlation, GAM curves with their
//! band and threshold, Kaplan–Meier curves with numbers at risk, and forest plots.
//!
//! Each function takes plain slices and returns the SVG text; plotters escapes every text it draws.

use crate::error::{Result, StudyError};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const FONT: &str = "sans-serif";
/// Group colours (Okabe–Ito, readable by colour-blind readers).
const PALETTE: [RGBColor; 4] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
];

fn draw_err<E: std::fmt::Debug>(name: &str) -> impl Fn(E) -> StudyError + '_ {
    move |e| StudyError::Figure {
        name: name.to_string(),
        message: format!("{e:?}"),
    }
}

/// Range of finite values, padded by `pad` of its width (a unit range when degenerate).
fn padded_range(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let w = hi - lo;
    if w <= 0.0 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo - pad * w, hi + pad * w)
    }
}

/// Tick label text with a precision fitted to the axis width, and no `-0`.
fn tick_text(v: f64, width: f64) -> String {
    let step = (width / 10.0).abs().max(1e-12);
    let prec = (-step.log10().floor()).clamp(0.0, 6.0) as usize;
    let t = format!("{v:.prec$}");
    if t.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        t.trim_start_matches('-').to_string()
    } else {
        t
    }
}

/// Writes units as typeset text: `ug` → `µg`, `um` → `µm`, `mm2` → `mm²`, `mm3` → `mm³`.
///
/// ```
/// use mcvideo_study::figures::typeset_units;
/// assert_eq!(typeset_units("NE dose (ug/kg/min)"), "NE dose (µg/kg/min)");
/// assert_eq!(typeset_units("TVD (mm/mm2)"), "TVD (mm/mm²)");
/// assert_eq!(typeset_units("drug (mg)"), "drug (mg)");
/// ```
pub fn typeset_units(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let boundary = |i: usize| i == 0 || !chars[i - 1].is_ascii_alphanumeric();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(3).collect();
        if boundary(i) && (rest.starts_with("ug") || rest.starts_with("um")) {
            let next = chars.get(i + 2).copied();
            if next.is_none_or(|c| !c.is_ascii_alphabetic()) {
                out.push('µ');
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
        }
        if boundary(i) && (rest == "mm2" || rest == "mm3") {
            let next = chars.get(i + 3).copied();
            if next.is_none_or(|c| !c.is_ascii_alphanumeric()) {
                out.push_str(if rest == "mm2" { "mm²" } else { "mm³" });
                i += 3;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Maps data coordinates to sub-pixel SVG coordinates of a chart's plotting area, so that curves
/// and bands are drawn smooth instead of on plotters' whole-pixel grid.
struct PixelMap {
    x: (f64, f64),
    y: (f64, f64),
    px: (f64, f64),
    py: (f64, f64),
}

impl PixelMap {
    fn new<DB: DrawingBackend>(
        area: &DrawingArea<
            DB,
            plotters::coord::cartesian::Cartesian2d<
                plotters::coord::types::RangedCoordf64,
                plotters::coord::types::RangedCoordf64,
            >,
        >,
        x: (f64, f64),
        y: (f64, f64),
    ) -> PixelMap {
        let (xr, yr) = area.get_pixel_range();
        PixelMap {
            x,
            y,
            px: (f64::from(xr.start), f64::from(xr.end - 1)),
            py: (f64::from(yr.end - 1), f64::from(yr.start)),
        }
    }

    /// Pixel position of a data point, clamped to the plotting area (so that bands reaching
    /// past the axes end at them, with no clip path).
    fn at(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let x = x.clamp(self.x.0.min(self.x.1), self.x.0.max(self.x.1));
        let y = y.clamp(self.y.0.min(self.y.1), self.y.0.max(self.y.1));
        (
            self.px.0 + (x - self.x.0) / (self.x.1 - self.x.0) * (self.px.1 - self.px.0),
            self.py.0 + (y - self.y.0) / (self.y.1 - self.y.0) * (self.py.1 - self.py.0),
        )
    }

    fn path(&self, points: &[(f64, f64)], close: bool) -> String {
        let mut d = String::new();
        for (i, &p) in points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .enumerate()
        {
            let (x, y) = self.at(p);
            d.push_str(&format!("{}{x:.2} {y:.2} ", if i == 0 { "M" } else { "L" }));
        }
        if close {
            d.push('Z');
        }
        d.trim_end().to_string()
    }
}

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// A stroked (and optionally filled) smooth path element.
fn path_element(
    d: &str,
    stroke: Option<(RGBColor, f64)>,
    fill: Option<(RGBColor, f64)>,
    dash: bool,
) -> String {
    let stroke_attr = stroke.map_or("stroke=\"none\"".to_string(), |(c, w)| {
        format!(
            "stroke=\"{}\" stroke-width=\"{w}\" stroke-linejoin=\"round\"",
            hex(c)
        )
    });
    let fill_attr = fill.map_or("fill=\"none\"".to_string(), |(c, o)| {
        format!("fill=\"{}\" fill-opacity=\"{o}\"", hex(c))
    });
    let dash_attr = if dash {
        " stroke-dasharray=\"6 4\""
    } else {
        ""
    };
    format!("<path d=\"{d}\" {stroke_attr} {fill_attr}{dash_attr}/>")
}

/// Puts `elements` right after the SVG's background, beneath the axes, points and legend that
/// plotters drew.
fn overlay(svg: &mut String, elements: &[String]) {
    if elements.is_empty() {
        return;
    }
    let group = format!("\n<g class=\"smooth\">{}</g>", elements.join(""));
    let at = svg
        .find("<rect")
        .and_then(|r| svg[r..].find("/>").map(|e| r + e + 2))
        .unwrap_or(0);
    if at > 0 {
        svg.insert_str(at, &group);
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom; the normal's 1.96 when
/// there is no t (df ≤ 0).
fn t975(df: f64) -> f64 {
    let q = mcvideo_stats::dist::t_quantile(0.975, df);
    if q.is_finite() {
        q
    } else {
        1.96
    }
}

/// A scatter plot of `y` against `x` with a least-squares line and a note (e.g. the Spearman r) as title.
///
/// ```
/// let svg = mcvideo_study::figures::scatter("NE", "MFI", &[0.1, 0.5, 1.0], &[3.0, 2.8, 2.2], "Spearman r = -1.00").unwrap();
/// assert!(svg.starts_with("<svg") && svg.contains("Spearman r = -1.00"));
/// assert_eq!(svg.matches("<circle").count(), 3);
/// assert!(svg.contains("fill-opacity")); // the 95% band of the line
/// ```
pub fn scatter(x_label: &str, y_label: &str, x: &[f64], y: &[f64], note: &str) -> Result<String> {
    let name = format!("scatter {y_label}");
    let err = draw_err(&name);
    let mut svg = String::new();
    let mut elements = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let (x0, x1) = padded_range(x.iter().copied(), 0.05);
        let (y0, y1) = padded_range(y.iter().copied(), 0.08);
        let mut chart = ChartBuilder::on(&root)
            .caption(note, (FONT, 16))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(58)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(&err)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_desc(x_label)
            .y_desc(y_label)
            .x_label_formatter(&|v: &f64| tick_text(*v, x1 - x0))
            .y_label_formatter(&|v: &f64| tick_text(*v, y1 - y0))
            .label_style((FONT, 13))
            .draw()
            .map_err(&err)?;
        chart
            .draw_series(
                x.iter()
                    .zip(y)
                    .map(|(&a, &b)| Circle::new((a, b), 3, PALETTE[0].mix(0.7).filled())),
            )
            .map_err(&err)?;
        let map = PixelMap::new(chart.plotting_area(), (x0, x1), (y0, y1));
        if let Some(line) = FittedLine::fit(x, y) {
            let grid: Vec<f64> = (0..=100)
                .map(|i| x0 + (x1 - x0) * f64::from(i) / 100.0)
                .collect();
            let bounds: Option<Vec<[f64; 2]>> = grid.iter().map(|&u| line.confidence(u)).collect();
            if let Some(bounds) = bounds {
                let mut band: Vec<(f64, f64)> =
                    grid.iter().zip(&bounds).map(|(&u, b)| (u, b[1])).collect();
                band.extend(grid.iter().zip(&bounds).rev().map(|(&u, b)| (u, b[0])));
                elements.push(path_element(
                    &map.path(&band, true),
                    None,
                    Some((PALETTE[1], 0.18)),
                    false,
                ));
            }
            let fitted: Vec<(f64, f64)> = grid.iter().map(|&u| (u, line.predict(u))).collect();
            elements.push(path_element(
                &map.path(&fitted, false),
                Some((PALETTE[1], 2.0)),
                None,
                false,
            ));
        }
        root.present().map_err(&err)?;
    }
    overlay(&mut svg, &elements);
    Ok(svg)
}

/// The least-squares line of y on x with the 95% confidence band of its mean, as R's
/// `predict(lm(y ~ x), newdata, interval = "confidence")`: ŷ ± t(n − 2) · σ̂ · √(x₀ᵀ(XᵀX)⁻¹x₀).
///
/// ```
/// use mcvideo_study::figures::FittedLine;
/// let line = FittedLine::fit(&[0.0, 1.0, 2.0, 3.0], &[1.0, 3.2, 4.8, 7.1]).unwrap();
/// assert!((line.predict(1.5) - 4.025).abs() < 1e-12);
/// let [lower, upper] = line.confidence(1.5).unwrap();
/// assert!(lower < 4.025 && upper > 4.025);
/// assert!(FittedLine::fit(&[1.0, 1.0], &[2.0, 3.0]).is_none()); // constant x: no line
/// assert!(FittedLine::fit(&[0.0, 1.0], &[2.0, 3.0]).unwrap().confidence(0.5).is_none()); // no df
/// ```
#[derive(Debug, Clone)]
pub struct FittedLine {
    intercept: f64,
    slope: f64,
    /// (XᵀX)⁻¹ of the design [1, x], row-major.
    xtx_inv: [f64; 4],
    /// Residual standard error (NaN without residual degrees of freedom).
    sigma: f64,
    df_residual: usize,
}

impl FittedLine {
    /// The fit; None with fewer than 2 points or a constant x (lm's collinearity rule).
    pub fn fit(x: &[f64], y: &[f64]) -> Option<FittedLine> {
        let n = x.len().min(y.len());
        let design = nalgebra::DMatrix::from_fn(n, 2, |i, j| if j == 0 { 1.0 } else { x[i] });
        let response = nalgebra::DVector::from_column_slice(&y[..n]);
        let fit = mcvideo_stats::regress::least_squares(&design, &response).ok()?;
        let df_residual = n - 2;
        Some(FittedLine {
            intercept: fit.coef[0],
            slope: fit.coef[1],
            xtx_inv: [
                fit.xtx_inv[(0, 0)],
                fit.xtx_inv[(0, 1)],
                fit.xtx_inv[(1, 0)],
                fit.xtx_inv[(1, 1)],
            ],
            sigma: (fit.rss / df_residual as f64).sqrt(),
            df_residual,
        })
    }

    /// The fitted mean at `x`.
    pub fn predict(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }

    /// The 95% confidence interval of the mean at `x`; None without residual degrees of freedom.
    pub fn confidence(&self, x: f64) -> Option<[f64; 2]> {
        if self.df_residual == 0 {
            return None;
        }
        let [a, b, c, d] = self.xtx_inv;
        let variance = a + (b + c) * x + d * x * x;
        let half = t975(self.df_residual as f64) * self.sigma * variance.max(0.0).sqrt();
        let mean = self.predict(x);
        Some([mean - half, mean + half])
    }
}

/// One point of a fitted curve.
#[derive(Debug, Clone, Copy)]
pub struct CurvePoint {
    /// Dose.
    pub x: f64,
    /// Fitted smooth term.
    pub fit: f64,
    /// Its standard error.
    pub se: f64,
}

/// What a GAM figure shows.
#[derive(Debug, Clone, Copy)]
pub struct GamPlot<'a> {
    /// x axis label (the dose with its unit).
    pub x_label: &'a str,
    /// The outcome's label.
    pub y_label: &'a str,
    /// The smooth term with its standard error.
    pub curve: &'a [CurvePoint],
    /// Doses and partial residuals (y minus the parametric terms), drawn as points.
    pub points: (&'a [f64], &'a [f64]),
    /// The threshold (None: not drawn, e.g. a flagged fit).
    pub threshold: Option<f64>,
    /// Its CI, shaded.
    pub threshold_ci: Option<[f64; 2]>,
    /// The segmented breakpoint (dashed).
    pub breakpoint: Option<f64>,
    /// Title note (edf, p).
    pub note: &'a str,
}

/// A GAM smooth term f(x) with the band f ± 2 se, the partial residuals as points (as
/// `plot.gam(residuals = TRUE)`), a rug of the doses, the threshold as a vertical line (with its
/// CI shaded when known) and, if given, the segmented breakpoint (dashed).
///
/// ```
/// use mcvideo_study::figures::{gam_curve, CurvePoint, GamPlot};
/// let curve: Vec<CurvePoint> = (0..11).map(|i| CurvePoint { x: i as f64 / 10.0, fit: -(i as f64 / 10.0 - 0.5).max(0.0), se: 0.05 }).collect();
/// let svg = gam_curve(&GamPlot { x_label: "NE", y_label: "MFI", curve: &curve, points: (&[0.2, 0.7], &[0.01, -0.2]),
///     threshold: Some(0.5), threshold_ci: Some([0.4, 0.6]), breakpoint: Some(0.52), note: "edf 2.1" }).unwrap();
/// assert!(svg.contains("threshold 0.500"));
/// assert_eq!(svg.matches("<circle").count(), 3); // two points and the legend's
/// ```
pub fn gam_curve(plot: &GamPlot) -> Result<String> {
    let GamPlot {
        x_label,
        y_label,
        curve,
        points,
        threshold,
        threshold_ci,
        breakpoint,
        note,
    } = *plot;
    let name = format!("gam {y_label}");
    let err = draw_err(&name);
    let mut svg = String::new();
    let mut elements = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let (x0, x1) = padded_range(
            curve.iter().map(|p| p.x).chain(points.0.iter().copied()),
            0.02,
        );
        let (y0, y1) = padded_range(
            curve
                .iter()
                .flat_map(|p| [p.fit - 2.0 * p.se, p.fit + 2.0 * p.se])
                .chain(points.1.iter().copied()),
            0.08,
        );
        // The legend goes into the upper corner the curve leaves free.
        let rising = curve.last().map_or(0.0, |p| p.fit) > curve.first().map_or(0.0, |p| p.fit);
        let legend_corner = if rising {
            SeriesLabelPosition::UpperLeft
        } else {
            SeriesLabelPosition::UpperRight
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("{y_label}  ({note})"), (FONT, 17))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(58)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(&err)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_desc(x_label)
            .y_desc(format!("partial effect on {y_label}"))
            .x_label_formatter(&|v: &f64| tick_text(*v, x1 - x0))
            .y_label_formatter(&|v: &f64| tick_text(*v, y1 - y0))
            .label_style((FONT, 13))
            .draw()
            .map_err(&err)?;
        let map = PixelMap::new(chart.plotting_area(), (x0, x1), (y0, y1));
        if let Some([lo, hi]) = threshold_ci {
            elements.push(path_element(
                &map.path(
                    &[
                        (lo.max(x0), y0),
                        (hi.min(x1), y0),
                        (hi.min(x1), y1),
                        (lo.max(x0), y1),
                    ],
                    true,
                ),
                None,
                Some((PALETTE[1], 0.10)),
                false,
            ));
        }
        let mut band: Vec<(f64, f64)> = curve.iter().map(|p| (p.x, p.fit + 2.0 * p.se)).collect();
        band.extend(curve.iter().rev().map(|p| (p.x, p.fit - 2.0 * p.se)));
        elements.push(path_element(
            &map.path(&band, true),
            None,
            Some((PALETTE[0], 0.2)),
            false,
        ));
        let line: Vec<(f64, f64)> = curve.iter().map(|p| (p.x, p.fit)).collect();
        elements.push(path_element(
            &map.path(&line, false),
            Some((PALETTE[0], 2.0)),
            None,
            false,
        ));
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(&err)?
            .label("fit ± 2 se")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], PALETTE[0].mix(0.2).filled())
            });
        chart
            .draw_series(
                points
                    .0
                    .iter()
                    .zip(points.1)
                    .map(|(&a, &b)| Circle::new((a, b), 2, BLACK.mix(0.45).filled())),
            )
            .map_err(&err)?
            .label("partial residuals")
            .legend(|(x, y)| Circle::new((x + 8, y), 2, BLACK.mix(0.45).filled()));
        let rug_h = (y1 - y0) * 0.03;
        chart
            .draw_series(
                points
                    .0
                    .iter()
                    .map(|&v| PathElement::new(vec![(v, y0), (v, y0 + rug_h)], BLACK.mix(0.5))),
            )
            .map_err(&err)?;
        if let Some(threshold) = threshold {
            elements.push(path_element(
                &map.path(&[(threshold, y0), (threshold, y1)], false),
                Some((PALETTE[1], 2.0)),
                None,
                false,
            ));
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(&err)?
                .label(format!("threshold {threshold:.3}"))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], PALETTE[1].stroke_width(2))
                });
        }
        if let Some(bp) = breakpoint {
            elements.push(path_element(
                &map.path(&[(bp, y0), (bp, y1)], false),
                Some((PALETTE[2], 2.0)),
                None,
                true,
            ));
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(&err)?
                .label(format!("segmented {bp:.3}"))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 6, y)], PALETTE[2].stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 12))
            .position(legend_corner)
            .draw()
            .map_err(&err)?;
        root.present().map_err(&err)?;
    }
    overlay(&mut svg, &elements);
    Ok(svg)
}

/// One group of a Kaplan–Meier plot.
#[derive(Debug, Clone)]
pub struct KmCurve {
    /// Legend label (e.g. `NE > 0.5 (n = 30, deaths 14)`).
    pub label: String,
    /// Short label for the numbers-at-risk rows (e.g. `> 0.5`).
    pub short: String,
    /// Event times with the survival just after them, ascending.
    pub steps: Vec<(f64, f64)>,
    /// The pointwise 95% CI just after each event time (time, lower, upper).
    pub band: Vec<(f64, f64, f64)>,
    /// Censoring times (marked with a tick).
    pub censored: Vec<f64>,
    /// Every follow-up time of the group, for the numbers at risk.
    pub times: Vec<f64>,
}

/// Kaplan–Meier step curves with censoring ticks, a legend with the log-rank p, and the numbers
/// at risk at each x tick below the plot.
///
/// ```
/// use mcvideo_study::figures::{km_plot, KmCurve};
/// let g = KmCurve { label: "low".into(), short: "low".into(), steps: vec![(5.0, 0.5)], band: vec![(5.0, 0.1, 1.0)], censored: vec![28.0], times: vec![5.0, 28.0] };
/// let svg = km_plot("28-day survival", 28.0, &[g], "log-rank p = 0.04").unwrap();
/// assert!(svg.contains("Number at risk") && svg.contains("log-rank p = 0.04"));
/// // At risk at days 0, 5 (time >= 5): both patients; at 10, 15, 20, 25: the one followed to 28.
/// assert_eq!(svg.matches(">\n2\n</text>").count(), 2);
/// assert_eq!(svg.matches(">\n1\n</text>").count(), 4);
/// assert!(svg.contains("fill-opacity")); // the CI band
/// ```
pub fn km_plot(title: &str, horizon: f64, groups: &[KmCurve], note: &str) -> Result<String> {
    let name = format!("km {title}");
    let err = draw_err(&name);
    let mut svg = String::new();
    let mut elements = Vec::new();
    let risk_rows = groups.len() as u32;
    let height = 400 + 22 * risk_rows + 30;
    {
        let root = SVGBackend::with_string(&mut svg, (540, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let (upper, lower) = root.split_vertically(400);
        let x_max = if horizon > 0.0 {
            horizon
        } else {
            padded_range(groups.iter().flat_map(|g| g.times.iter().copied()), 0.0).1
        };
        let mut chart = ChartBuilder::on(&upper)
            .caption(format!("{title}  ({note})"), (FONT, 17))
            .margin(12)
            .margin_left(20)
            .x_label_area_size(42)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..x_max, 0.0..1.02)
            .map_err(&err)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_desc("days")
            .y_desc("survival probability")
            .x_labels(risk_ticks(x_max).len())
            .x_label_formatter(&|v: &f64| tick_text(*v, x_max * 10.0))
            .y_label_formatter(&|v: &f64| tick_text(*v, 1.0))
            .label_style((FONT, 13))
            .draw()
            .map_err(&err)?;
        let map = PixelMap::new(chart.plotting_area(), (0.0, x_max), (0.0, 1.02));
        for (i, g) in groups.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let mut path = vec![(0.0, 1.0)];
            let mut s = 1.0;
            for &(t, surv) in &g.steps {
                path.push((t, s));
                path.push((t, surv));
                s = surv;
            }
            path.push((x_max, s));
            // The CI as a step band: upper bounds forwards, lower bounds back.
            let (mut upper, mut lower) = (vec![(0.0, 1.0)], vec![(0.0, 1.0)]);
            let (mut lo, mut hi) = (1.0, 1.0);
            for &(t, l, h) in &g.band {
                upper.extend([(t, hi), (t, h)]);
                lower.extend([(t, lo), (t, l)]);
                (lo, hi) = (l, h);
            }
            upper.push((x_max, hi));
            lower.push((x_max, lo));
            upper.extend(lower.into_iter().rev());
            elements.push(path_element(
                &map.path(&upper, true),
                None,
                Some((colour, 0.15)),
                false,
            ));
            elements.push(path_element(
                &map.path(&path, false),
                Some((colour, 2.0)),
                None,
                false,
            ));
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(&err)?
                .label(g.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
            let at = |t: f64| {
                g.steps
                    .iter()
                    .take_while(|(st, _)| *st <= t)
                    .last()
                    .map_or(1.0, |(_, sv)| *sv)
            };
            let tick = 0.015;
            chart
                .draw_series(g.censored.iter().filter(|&&t| t <= x_max).map(|&t| {
                    PathElement::new(
                        vec![(t, at(t) - tick), (t, at(t) + tick)],
                        colour.stroke_width(2),
                    )
                }))
                .map_err(&err)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 12))
            .position(SeriesLabelPosition::LowerLeft)
            .draw()
            .map_err(&err)?;
        // Numbers at risk below, at the x axis ticks.
        let ticks = risk_ticks(x_max);
        lower
            .draw(&Text::new(
                "Number at risk",
                (20, 6),
                (FONT, 13).into_font().style(FontStyle::Bold),
            ))
            .map_err(&err)?;
        let offset_x = chart.plotting_area().get_base_pixel().0 - lower.get_base_pixel().0;
        for (row, g) in groups.iter().enumerate() {
            let y = 28 + 22 * row as i32;
            let colour = PALETTE[row % PALETTE.len()];
            lower
                .draw(&Text::new(
                    g.short.clone(),
                    (4, y),
                    (FONT, 12).into_font().color(&colour),
                ))
                .map_err(&err)?;
            for &t in &ticks {
                let n = g.times.iter().filter(|&&v| v >= t).count();
                let px = chart.backend_coord(&(t, 0.0)).0
                    - chart.plotting_area().get_base_pixel().0
                    + offset_x;
                lower
                    .draw(&Text::new(
                        n.to_string(),
                        (px, y),
                        TextStyle::from((FONT, 12).into_font())
                            .pos(Pos::new(HPos::Center, VPos::Top)),
                    ))
                    .map_err(&err)?;
            }
        }
        root.present().map_err(&err)?;
    }
    overlay(&mut svg, &elements);
    Ok(svg)
}

/// The CONSORT-style flow: one box per stage with its count, and the exclusions (reason and
/// count) in a box to the right of the arrow to the next stage.
///
/// ```
/// use mcvideo_study::provenance::{Exclusion, Flow, FlowStage};
/// let flow = Flow { batch_folder: None, analyses: vec![], stages: vec![
///     FlowStage { label: "clips".into(), count: 120, excluded: vec![Exclusion { reason: "not scored: bad file".into(), count: 2 }] },
///     FlowStage { label: "clips scored".into(), count: 118, excluded: vec![] }] };
/// let svg = mcvideo_study::figures::flow_diagram(&flow).unwrap();
/// assert!(svg.contains("clips scored (n = 118)") && svg.contains("not scored: bad file (n = 2)"));
/// ```
pub fn flow_diagram(flow: &crate::provenance::Flow) -> Result<String> {
    let name = "flow".to_string();
    let err = draw_err(&name);
    let mut svg = String::new();
    let box_h = 34;
    let gap = 26;
    let rows: Vec<(String, Vec<String>)> = flow
        .stages
        .iter()
        .map(|s| {
            (
                format!("{} (n = {})", s.label, s.count),
                s.excluded
                    .iter()
                    .map(|e| format!("{} (n = {})", e.reason, e.count))
                    .collect(),
            )
        })
        .collect();
    let excl_lines: Vec<usize> = rows.iter().map(|r| r.1.len()).collect();
    let heights: Vec<i32> = excl_lines
        .iter()
        .map(|&n| box_h + gap + (n as i32 * 16).saturating_sub(gap).max(0))
        .collect();
    let height = 20 + heights.iter().sum::<i32>().max(60) as u32;
    {
        let root = SVGBackend::with_string(&mut svg, (860, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let mut y = 10;
        for (i, (label, excluded)) in rows.iter().enumerate() {
            root.draw(&Rectangle::new(
                [(20, y), (400, y + box_h)],
                BLACK.stroke_width(1),
            ))
            .map_err(&err)?;
            root.draw(&Text::new(
                label.clone(),
                (30, y + 10),
                (FONT, 13).into_font(),
            ))
            .map_err(&err)?;
            let next = y + heights[i];
            if i + 1 < rows.len() {
                root.draw(&PathElement::new(
                    vec![(210, y + box_h), (210, next)],
                    BLACK.stroke_width(1),
                ))
                .map_err(&err)?;
                root.draw(&Polygon::new(
                    vec![(205, next - 7), (215, next - 7), (210, next)],
                    BLACK.filled(),
                ))
                .map_err(&err)?;
            }
            if !excluded.is_empty() {
                let top = y + box_h + 4;
                let bottom = top + 16 * excluded.len() as i32 + 6;
                root.draw(&PathElement::new(
                    vec![(210, top + 8), (430, top + 8)],
                    BLACK.stroke_width(1),
                ))
                .map_err(&err)?;
                root.draw(&Rectangle::new(
                    [(430, top - 2), (850, bottom)],
                    RGBColor(213, 94, 0).stroke_width(1),
                ))
                .map_err(&err)?;
                for (k, line) in excluded.iter().enumerate() {
                    root.draw(&Text::new(
                        line.clone(),
                        (438, top + 2 + 16 * k as i32),
                        (FONT, 12).into_font(),
                    ))
                    .map_err(&err)?;
                }
            }
            y = next;
        }
        if rows.is_empty() {
            root.draw(&Text::new(
                "no flow recorded",
                (20, 20),
                (FONT, 13).into_font(),
            ))
            .map_err(&err)?;
        }
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

/// Times at which the numbers at risk are printed: multiples of a 1-2-5 step, at most 8 of
/// them, so that they fall on the x axis ticks plotters draws for the same count.
fn risk_ticks(x_max: f64) -> Vec<f64> {
    let mut step = 1.0;
    let mut k = 0;
    while x_max / step > 7.0 {
        step *= [2.0, 2.5, 2.0][k % 3];
        k += 1;
    }
    let mut out = Vec::new();
    let mut t = 0.0;
    while t <= x_max + 1e-9 {
        out.push(t);
        t += step;
    }
    out
}

/// One row of a forest plot.
#[derive(Debug, Clone)]
pub struct ForestRow {
    /// Row label.
    pub label: String,
    /// Estimate (HR or coefficient).
    pub estimate: f64,
    /// 95% CI lower bound.
    pub lo: f64,
    /// 95% CI upper bound.
    pub hi: f64,
    /// p value.
    pub p: f64,
}

/// Formats a p value as papers do (`< 0.001` below it, else three decimals).
///
/// ```
/// assert_eq!(mcvideo_study::figures::format_p(0.0004), "< 0.001");
/// assert_eq!(mcvideo_study::figures::format_p(0.0312), "0.031");
/// ```
pub fn format_p(p: f64) -> String {
    if !p.is_finite() {
        "NA".to_string()
    } else if p < 0.001 {
        "< 0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

/// A forest plot: one row per estimate with its CI, a reference line (1 on a log axis for hazard
/// ratios, 0 on a linear axis for coefficients), and the estimate, CI and p printed at the right.
///
/// ```
/// use mcvideo_study::figures::{forest, ForestRow};
/// let rows = vec![ForestRow { label: "NE > 0.5".into(), estimate: 2.3, lo: 1.2, hi: 4.5, p: 0.017 }];
/// let svg = forest("Cox", "hazard ratio", &rows, true).unwrap();
/// assert!(svg.contains("2.30 (1.20, 4.50)") && svg.contains("0.017"));
/// ```
pub fn forest(title: &str, x_label: &str, rows: &[ForestRow], log_scale: bool) -> Result<String> {
    let name = format!("forest {title}");
    let err = draw_err(&name);
    let mut svg = String::new();
    let height = 110 + 30 * rows.len() as u32;
    {
        let root = SVGBackend::with_string(&mut svg, (860, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let (left, rest) = root.split_horizontally(300);
        let (mid, right) = rest.split_horizontally(340);
        let tr = |v: f64| if log_scale { v.max(1e-6).ln() } else { v };
        let finite: Vec<&ForestRow> = rows
            .iter()
            .filter(|r| {
                r.lo.is_finite() && r.hi.is_finite() && (!log_scale || (r.lo > 0.0 && r.hi > 0.0))
            })
            .collect();
        // ln(1) = 0 on the log axis, 0 on the linear one.
        let reference = 0.0;
        let (x0, x1) = padded_range(
            finite
                .iter()
                .flat_map(|r| [tr(r.lo), tr(r.hi)])
                .chain([reference]),
            0.08,
        );
        let n = rows.len().max(1) as f64;
        // Room below the rows for hand-drawn tick labels on the log axis.
        let y_min = if log_scale { -1.1 } else { -0.5 };
        let mut chart = ChartBuilder::on(&mid)
            .caption(title, (FONT, 17))
            .margin(10)
            .x_label_area_size(if log_scale { 20 } else { 42 })
            .build_cartesian_2d(x0..x1, y_min..(n - 0.5))
            .map_err(&err)?;
        if log_scale {
            // Plotters would tick the log axis at e^k; ratios read better at 0.2, 0.5, 1, 2, 5.
            chart
                .configure_mesh()
                .disable_mesh()
                .disable_y_axis()
                .x_labels(0)
                .x_desc(x_label)
                .label_style((FONT, 12))
                .draw()
                .map_err(&err)?;
            let ticks: Vec<f64> = [0.05_f64, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
                .into_iter()
                .filter(|v: &f64| (x0..=x1).contains(&v.ln()))
                .collect();
            chart
                .draw_series(ticks.iter().map(|&v| {
                    PathElement::new(
                        vec![(v.ln(), -0.6), (v.ln(), n - 0.5)],
                        RGBColor(225, 225, 225),
                    )
                }))
                .map_err(&err)?;
            chart
                .draw_series(ticks.iter().map(|&v| {
                    Text::new(
                        format!("{v}"),
                        (v.ln(), -0.75),
                        TextStyle::from((FONT, 12).into_font())
                            .pos(Pos::new(HPos::Center, VPos::Top)),
                    )
                }))
                .map_err(&err)?;
        } else {
            chart
                .configure_mesh()
                .disable_y_mesh()
                .disable_y_axis()
                .light_line_style(RGBColor(240, 240, 240))
                .x_desc(x_label)
                .x_labels(6)
                .x_label_formatter(&|v: &f64| tick_text(*v, x1 - x0))
                .label_style((FONT, 12))
                .draw()
                .map_err(&err)?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(reference, -0.5), (reference, n - 0.5)],
                BLACK.mix(0.6),
            )))
            .map_err(&err)?;
        for (i, r) in rows.iter().enumerate() {
            let y = n - 1.0 - i as f64;
            if !(r.lo.is_finite() && r.hi.is_finite() && r.estimate.is_finite())
                || (log_scale && r.lo <= 0.0)
            {
                continue;
            }
            let colour = if r.p < 0.05 { PALETTE[1] } else { PALETTE[0] };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(tr(r.lo).max(x0), y), (tr(r.hi).min(x1), y)],
                    colour.stroke_width(2),
                )))
                .map_err(&err)?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (tr(r.estimate), y),
                    5,
                    colour.filled(),
                )))
                .map_err(&err)?;
        }
        // Labels and numbers in pixel rows that line up with the chart's rows.
        let base_y = chart.plotting_area().get_base_pixel().1 - root.get_base_pixel().1;
        let row_px = |i: usize| {
            chart.backend_coord(&(x0, n - 1.0 - i as f64)).1
                - chart.plotting_area().get_base_pixel().1
                + base_y
        };
        let header = (FONT, 13).into_font().style(FontStyle::Bold);
        left.draw(&Text::new("term", (8, base_y - 22), header.clone()))
            .map_err(&err)?;
        right
            .draw(&Text::new(
                "estimate (95% CI)",
                (8, base_y - 22),
                header.clone(),
            ))
            .map_err(&err)?;
        right
            .draw(&Text::new("p", (160, base_y - 22), header))
            .map_err(&err)?;
        for (i, r) in rows.iter().enumerate() {
            let y = row_px(i) - 7;
            left.draw(&Text::new(r.label.clone(), (8, y), (FONT, 13)))
                .map_err(&err)?;
            let text = if r.estimate.is_finite() {
                format!("{:.2} ({:.2}, {:.2})", r.estimate, r.lo, r.hi)
            } else {
                "not estimable".to_string()
            };
            right
                .draw(&Text::new(text, (8, y), (FONT, 13)))
                .map_err(&err)?;
            let p = if r.p.is_finite() {
                format_p(r.p)
            } else {
                "—".to_string()
            };
            right
                .draw(&Text::new(p, (160, y), (FONT, 13)))
                .map_err(&err)?;
        }
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

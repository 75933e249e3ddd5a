//! Red-cell velocity, flowing fraction and consensus flow class of each vessel, from
//! space-time diagrams of stabilized sidestream dark-field video.
//!
//! Per vessel: [`space_time_diagram`] samples the frames along the centerline (Dobbe et al.
//! 2008); [`measure_flow`] removes the static background, correlates rows at lags 1..K by FFT,
//! takes the streak slope that best explains every lag (velocity), judges each time window
//! moving or stopped (flowing fraction) and classifies the vessel with
//! [`mcvideo_metrics::classify_flow`]. [`measure_vessels`] runs all vessels in parallel.
//!
//! Measurable range: a displacement of at most `max_displacement_fraction` (default ½) of
//! the segment per frame, so `v_max = fraction · L_px · fps · um_per_px`; faster flow is
//! reported as `at_least = true` with `velocity_um_s = v_max`.
//!
//! ```
//! use mcvideo_flow::{measure_vessels, FlowParams};
//! use mcvideo_testkit::toy;
//! // A straight 80-px capillary with cells moving 4 px/frame (25 fps, 1 µm/px: 100 µm/s).
//! let clip = toy::ToyClip::straight(4.0);
//! let (frames, shifts) = toy::render(&clip);
//! let vessels = vec![(clip.vessels[0].centerline_px.clone(), clip.vessels[0].diameter_px)];
//! let flow = measure_vessels(&frames, &shifts, &vessels, 25.0, 1.0, &FlowParams::default());
//! let v = flow[0].velocity_um_s.unwrap();
//! assert!((v - 100.0).abs() < 5.0, "{v}");
//! assert_eq!(flow[0].flow_class, mcvideo_metrics::FlowClass::Sluggish); // sluggish: below the 300 µm/s default
//! assert_eq!(flow[0].flowing_fraction, 1.0);
//! ```

pub mod batched;
pub mod correlate;
pub mod diagram;
pub mod episodes;
pub mod motion;
pub mod split;
mod velocity;

pub use diagram::{remove_static_background, space_time_diagram, SamplingPlan};

use image::GrayImage;
use mcvideo_metrics::{classify_flow, FlowClass, FlowClassRule};
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Errors of the flow stage (from the checked entry points).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FlowError {
    /// Frames and shifts disagree in number.
    #[error("{frames} frames but {shifts} shifts")]
    ShiftCount { frames: usize, shifts: usize },
    /// Frame rate or scale is not a positive finite number.
    #[error("{name} = {value} must be positive and finite")]
    BadNumber { name: &'static str, value: f64 },
}

/// Settings of the flow stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FlowParams {
    /// Class thresholds. Default: [`FlowClassRule::default`] (sluggish below 300 µm/s,
    /// intermittent when flowing at most half the time), with a no-flow tolerance of one
    /// spurious window in ten.
    pub rule: FlowClassRule,
    /// Length of a moving/stopped window, seconds.
    pub window_s: f64,
    /// Longest frame lag correlated (slow flow gains precision from long lags).
    pub max_lag: usize,
    /// Largest displacement per frame measured, as a share of the segment length.
    pub max_displacement_fraction: f64,
    /// Velocity floor below which cells count as stopped, µm/s.
    pub min_velocity_um_s: f64,
    /// Least mean NCC along the streak for a window to count as moving.
    pub min_correlation: f64,
    /// A window moves when (1 − NCC at rest) ≥ `motion_ratio` · (1 − NCC along the streak).
    pub motion_ratio: f64,
    /// A window with no streak in range is flow faster than range when its frame-to-frame
    /// change exceeds this many times the noise variance...
    pub fast_change_ratio: f64,
    /// ...and at least this share of the segment's positions change by more than twice the
    /// noise variance (see [`motion::changing_columns`]).
    pub fast_min_coverage: f64,
    /// ...and consecutive frames of the raw diagram correlate below this (a standing
    /// pattern of static cells flickers with registration jitter but keeps its shape; see
    /// [`motion::row_similarity`]).
    pub fast_max_row_similarity: f64,
    /// Samples are averaged across the lumen within ± this share of the diameter.
    pub half_width_fraction: f64,
    /// Segments shorter than this many 1-px columns are not measured.
    pub min_columns: usize,
    /// How to classify flow faster than the measurable range when `v_max` is below the
    /// sluggish boundary (short segments): true reads it as continuous (cells crossing a
    /// short segment within two frames are fast), false as sluggish (the conservative
    /// reading of "at least v_max"). The reported velocity is `v_max` either way.
    pub beyond_range_is_continuous: bool,
    /// [`measure_vessels`] leaves out this many diameters of centerline at each end (at most
    /// 15% of the segment per end): at a junction the ends lie in the lumen of the
    /// neighbouring vessel, whose cells would be read as this vessel's.
    pub end_trim_diameters: f64,
    /// A segment whose cells stand still along one stretch and move along another holds two
    /// vessels behind a missed junction and is split there (see [`split`]), when each piece
    /// is at least this long (µm); 0 disables.
    pub split_min_piece_um: f64,
    /// ...the moving stretch changes at least this many times the noise variance...
    pub split_min_moving: f64,
    /// ...and this many times more than the still stretch.
    pub split_min_ratio: f64,
    /// A segment whose cells move all along but stop at different times on two stretches
    /// (an intermittent capillary behind a missed junction with a flowing one) is split where
    /// at least this many windows hold stopped cells on one side and moving ones on the
    /// other (see [`split::split_column_by_windows`]); 0 disables.
    #[serde(default = "default_split_min_discordant_windows")]
    pub split_min_discordant_windows: usize,
    /// ...or when the still stretch changes above the noise estimate (below
    /// `split_min_moving`) but at least this many times less than the moving one (see
    /// [`split::MotionSplit::min_ratio_above_noise`]); 0 disables. 20-fold: 8- and
    /// 12-fold cuts between two moving stretches also cut single vessels whose cells thin out.
    #[serde(default = "default_split_min_ratio_above_noise")]
    pub split_min_ratio_above_noise: f64,
    /// ...or, step by step, where the cells on one side stand still while those on the other
    /// move for at least this share of the frame steps (see
    /// [`split::split_column_by_steps`]); 0 disables.
    #[serde(default = "default_split_min_still_share")]
    pub split_min_still_share: f64,
    /// ...or where the cells on one side move at least this many times faster than those
    /// on the other (see [`split::split_column_by_speed`]); 0 disables.
    #[serde(default = "default_split_min_speed_ratio")]
    pub split_min_speed_ratio: f64,
    /// Outside the moving windows, a run of at least this many frame steps whose pattern
    /// changes by twice the noise variance is correlated on its own (lag 1) and counts as
    /// flow when its streak passes the window test at `episode_min_correlation` (see
    /// [`episodes`]): brief stop-and-go episodes that a whole window's standing pattern
    /// outweighs. 0 disables.
    #[serde(default = "default_episode_min_steps")]
    pub episode_min_steps: usize,
    /// Least NCC along an episode's streak (stricter than `min_correlation`: an episode has
    /// few frame pairs).
    #[serde(default = "default_episode_min_correlation")]
    pub episode_min_correlation: f64,
    /// A streak that stands alone — one window's when it is the only motion of a segment,
    /// and every brief episode's (see `episode_min_steps`) — must reach this significance:
    /// its NCC times the square root of the samples it rests on (the NCC of noise has a
    /// standard deviation of about one over that root, and the best of many candidate slopes
    /// reaches further). Below it the window counts as stopped and the episode is dropped: one
    /// chance streak would make a stopped vessel intermittent. 0 disables.
    #[serde(default = "default_lone_streak_min_z")]
    pub lone_streak_min_z: f64,
    /// ...or where the cells on the two sides move in opposite directions, each side's
    /// direction significant at this many standard errors (see
    /// [`split::split_column_by_direction`]); 0 disables.
    #[serde(default = "default_split_min_direction_z")]
    pub split_min_direction_z: f64,
    /// A window whose streak fails the crisp test still moves when the streak's significance
    /// (NCC times the square root of its samples) reaches this... 0 disables the faint test.
    #[serde(default = "default_faint_min_z")]
    pub faint_min_z: f64,
    /// ...and its NCC beats the standing pattern's by this many standard errors...
    #[serde(default = "default_faint_min_margin_z")]
    pub faint_min_margin_z: f64,
    /// ...and by at least this much NCC (a pattern that creeps barely faster than the
    /// velocity floor while nearly standing is no evidence of flow, however many samples).
    #[serde(default = "default_faint_min_ncc_margin")]
    pub faint_min_ncc_margin: f64,
    /// A window without a streak is stopped when its pattern, less the whole clip's mean,
    /// correlates with itself from frame to frame at least this much (see
    /// [`motion::persistence`]); the whole clip's raw pattern must persist as much for a vessel
    /// that never moves to read stopped rather than unresolved.
    #[serde(default = "default_stop_min_persistence")]
    pub stop_min_persistence: f64,
    /// ...or when it changes at most this share as much as the vessel's moving windows do.
    #[serde(default = "default_stop_max_change_share")]
    pub stop_max_change_share: f64,
    /// An unresolved window of a vessel whose whole clip shows a streak is stopped when the
    /// clip's streak, had the window carried it, would reach this significance on the window's
    /// own samples and the window shows less than half of it; otherwise it takes the clip's
    /// motion. 0 always takes the clip's.
    #[serde(default = "default_window_told_min_z")]
    pub window_told_min_z: f64,
    /// Inside a moving window, single frame steps are told moving or stopped by their change
    /// only when two steps change at least this many times as much as the window's floor (its
    /// lower quartile of change, at least the noise variance); otherwise the cells are too
    /// faint for a step to show it and the whole window moves (see [`motion::moving_share`]).
    /// 0 always tells steps apart.
    #[serde(default = "default_step_resolve_ratio")]
    pub step_resolve_ratio: f64,
}

fn default_split_min_direction_z() -> f64 {
    FlowParams::default().split_min_direction_z
}

fn default_faint_min_z() -> f64 {
    FlowParams::default().faint_min_z
}

fn default_faint_min_margin_z() -> f64 {
    FlowParams::default().faint_min_margin_z
}

fn default_faint_min_ncc_margin() -> f64 {
    FlowParams::default().faint_min_ncc_margin
}

fn default_stop_min_persistence() -> f64 {
    FlowParams::default().stop_min_persistence
}

fn default_stop_max_change_share() -> f64 {
    FlowParams::default().stop_max_change_share
}

fn default_window_told_min_z() -> f64 {
    FlowParams::default().window_told_min_z
}

fn default_step_resolve_ratio() -> f64 {
    FlowParams::default().step_resolve_ratio
}

fn default_split_min_ratio_above_noise() -> f64 {
    FlowParams::default().split_min_ratio_above_noise
}

fn default_split_min_still_share() -> f64 {
    FlowParams::default().split_min_still_share
}

fn default_split_min_speed_ratio() -> f64 {
    FlowParams::default().split_min_speed_ratio
}

fn default_lone_streak_min_z() -> f64 {
    FlowParams::default().lone_streak_min_z
}

fn default_episode_min_steps() -> usize {
    FlowParams::default().episode_min_steps
}

fn default_episode_min_correlation() -> f64 {
    FlowParams::default().episode_min_correlation
}

fn default_split_min_discordant_windows() -> usize {
    FlowParams::default().split_min_discordant_windows
}

impl Default for FlowParams {
    fn default() -> Self {
        FlowParams {
            rule: FlowClassRule {
                // Any sustained motion is flow: 3% of a 20 s clip is 0.6 s, about one window
                // of spurious motion; intermittent vessels move 10% of the time or more.
                no_flow_max_flowing_fraction: 0.03,
                ..FlowClassRule::default()
            },
            window_s: 0.5,
            max_lag: 8,
            max_displacement_fraction: 0.5,
            min_velocity_um_s: 20.0,
            min_correlation: 0.3,
            motion_ratio: 1.5,
            fast_change_ratio: 4.0,
            fast_min_coverage: 0.6,
            fast_max_row_similarity: 0.9,
            half_width_fraction: 0.3,
            min_columns: 8,
            beyond_range_is_continuous: true,
            end_trim_diameters: 0.5,
            split_min_piece_um: 20.0,
            split_min_moving: 4.0,
            split_min_ratio: 3.0,
            split_min_discordant_windows: 2,
            split_min_ratio_above_noise: 20.0,
            split_min_still_share: 0.25,
            split_min_speed_ratio: 2.0,
            episode_min_steps: 2,
            episode_min_correlation: 0.5,
            lone_streak_min_z: 4.0,
            split_min_direction_z: 8.0,
            faint_min_z: 8.0,
            faint_min_margin_z: 6.0,
            faint_min_ncc_margin: 0.05,
            stop_min_persistence: 0.5,
            stop_max_change_share: 0.5,
            window_told_min_z: 4.0,
            step_resolve_ratio: 4.0,
        }
    }
}

/// Flow of one vessel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VesselFlow {
    /// Mean red-cell speed while flowing, µm/s; `None` when there is no flow.
    pub velocity_um_s: Option<f64>,
    /// True when the cells move faster than `v_max_um_s`; then `velocity_um_s = v_max`.
    pub at_least: bool,
    /// Fastest measurable speed for this segment and frame rate, µm/s.
    pub v_max_um_s: f64,
    /// Share of the frame steps in which cells move (see [`motion::moving_share`] and
    /// [`episodes`]).
    pub flowing_fraction: f64,
    /// Consensus class: 0 no flow, 1 intermittent, 2 sluggish, 3 continuous.
    pub flow_class: FlowClass,
    /// Signed displacement per frame along the centerline (positive = towards its end).
    pub velocity_px_per_frame: Option<f64>,
    /// Mean NCC along the streak of the pooled moving windows (0 when none).
    pub correlation: f64,
    /// Diagram size: columns (1-px steps along the centerline) and rows (frames).
    pub columns: usize,
    pub frames: usize,
    /// Moving (true) or stopped, per window of `window_s`.
    pub window_moving: Vec<bool>,
    /// Each window's state on its own evidence (before unresolved windows take theirs from
    /// the rest of the clip).
    pub window_state: Vec<WindowState>,
    /// Share of the frames in windows that showed neither a streak nor standing cells of
    /// their own (their state came from the whole clip; see [`WindowState::Unresolved`]).
    pub unresolved_fraction: f64,
    /// True when nothing in the clip tells whether this vessel flows: no window moved, the
    /// whole clip shows no streak, and no standing cells are visible. Such a vessel is left
    /// out of PPV and MFI (its class reads 0, but it is not a finding of no flow).
    pub flow_unresolved: bool,
    /// The evidence behind each window's state, in time order.
    pub windows: Vec<WindowEvidence>,
    /// The same evidence pooled over the whole clip (all windows' correlations summed), and
    /// the persistence of the raw pattern over the whole clip; computed only when a window is
    /// unresolved.
    pub whole_clip: Option<WindowEvidence>,
    /// Windows judged faster than the measurable range.
    pub fast_windows: usize,
    /// False when the segment or clip is too short to measure (then class 0, no velocity).
    pub measurable: bool,
}

impl VesselFlow {
    fn unmeasurable(columns: usize, frames: usize, v_max_um_s: f64) -> VesselFlow {
        VesselFlow {
            velocity_um_s: None,
            at_least: false,
            v_max_um_s,
            flowing_fraction: 0.0,
            flow_class: FlowClass::NoFlow,
            velocity_px_per_frame: None,
            correlation: 0.0,
            columns,
            frames,
            window_moving: Vec::new(),
            window_state: Vec::new(),
            unresolved_fraction: 0.0,
            flow_unresolved: false,
            windows: Vec::new(),
            whole_clip: None,
            fast_windows: 0,
            measurable: false,
        }
    }
}

/// A time window's state on its own evidence.
///
/// A window without a resolvable streak is not a stop: a stop needs cells that are visible
/// and stand still. Real footage is faint and noisy, and steady flow can fail to show a streak
/// in half a second that the whole clip shows plainly (the space-time diagram's streaks are
/// the evidence of flow in Dobbe et al. 2008; Ellis et al. 1992 read stopped cells as
/// vertical, persisting streaks). A window is
/// - `Moving` when its own streak passes the crisp test (NCC and motion ratio) or the faint
///   test (significance, see [`FlowParams::faint_min_z`]), or it churns beyond range;
/// - `Stopped` when its cells visibly stand: the pattern, apart from the whole clip's,
///   persists from frame to frame ([`FlowParams::stop_min_persistence`]), or it changes far
///   less than this vessel's moving windows do ([`FlowParams::stop_max_change_share`]);
/// - `Unresolved` otherwise. An unresolved window moves when the whole clip's pooled
///   correlation shows a significant streak, stands when it does not and the vessel's cells are
///   visible and persist, and is left out of the flowing fraction when neither holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowState {
    Moving,
    Stopped,
    Unresolved,
}

/// What one time window of a vessel's diagram shows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowEvidence {
    /// First frame of the window.
    pub start: usize,
    /// One past its last frame.
    pub end: usize,
    /// Best streak slope, px/frame (sign = direction along the centerline).
    pub v_px: f64,
    /// Mean NCC along that streak (window's own column means removed).
    pub streak_ncc: f64,
    /// Mean NCC of a standing pattern, same lags (window's own column means removed).
    pub standing_ncc: f64,
    /// Significance of the streak: NCC times the square root of its samples.
    pub streak_z: f64,
    /// Mean NCC at rest of the clip-background-free pattern (only the whole clip's column
    /// means removed): cells standing still here, apart from what they do in the rest of
    /// the clip, keep it near one.
    pub persistence: f64,
    /// Frame-to-frame change in noise variances.
    pub change_ratio: f64,
}

impl WindowEvidence {
    /// The faint-streak test: a streak at least `v_floor` px/frame steep whose significance
    /// reaches `params.faint_min_z` and beats the standing pattern by
    /// `params.faint_min_margin_z` (the NCC difference times the square root of the samples)
    /// and `params.faint_min_ncc_margin`.
    pub fn is_faint_streak(&self, v_floor: f64, params: &FlowParams) -> bool {
        params.faint_min_z > 0.0
            && self.v_px.abs() >= v_floor
            && self.streak_ncc > 0.0
            && self.streak_z >= params.faint_min_z
            && self.streak_ncc - self.standing_ncc >= params.faint_min_ncc_margin
            && self.streak_z * (self.streak_ncc - self.standing_ncc) / self.streak_ncc
                >= params.faint_min_margin_z
    }
}

/// The fastest measurable speed of a segment of `columns` px, µm/s.
///
/// ```
/// // 60 px at 25 fps and 1.2 µm/px: at most 30 px/frame, 900 µm/s.
/// assert_eq!(mcvideo_flow::v_max_um_s(60, 25.0, 1.2, 0.5), 900.0);
/// ```
pub fn v_max_um_s(columns: usize, fps: f64, um_per_px: f64, fraction: f64) -> f64 {
    max_shift(columns, fraction) as f64 * fps * um_per_px
}

fn max_shift(columns: usize, fraction: f64) -> usize {
    ((columns as f64 * fraction).floor() as usize).max(1)
}

/// Velocity, flowing fraction and class from one raw space-time diagram (rows = frames;
/// the static background is removed here). See the crate documentation for the method.
///
/// ```
/// use mcvideo_flow::{measure_flow, FlowParams};
/// // Cells that never move: a static pattern plus nothing else is no flow.
/// let std = ndarray::Array2::from_shape_fn((50, 40), |(_, x)| ((x * 7 % 5) * 20) as f32);
/// let flow = measure_flow(&std, 25.0, 1.0, &FlowParams::default());
/// assert_eq!(
///     (flow.flow_class, flow.velocity_um_s, flow.flowing_fraction),
///     (mcvideo_metrics::FlowClass::NoFlow, None, 0.0)
/// );
/// assert_eq!(flow.v_max_um_s, 500.0);
/// ```
pub fn measure_flow(
    std: &Array2<f32>,
    fps: f64,
    um_per_px: f64,
    params: &FlowParams,
) -> VesselFlow {
    let (rows, columns) = std.dim();
    let fps_ok = fps.is_finite() && fps > 0.0;
    let scale_ok = um_per_px.is_finite() && um_per_px > 0.0;
    let fraction = params.max_displacement_fraction.clamp(0.05, 0.9);
    let vmax = if fps_ok && scale_ok {
        v_max_um_s(columns, fps, um_per_px, fraction)
    } else {
        0.0
    };
    if !fps_ok || !scale_ok || rows < 3 || columns < params.min_columns.max(2) {
        return VesselFlow::unmeasurable(columns, rows, vmax);
    }
    let mut s = std.clone();
    remove_static_background(&mut s);
    let noise = motion::noise_variance(&s);
    let dmax = max_shift(columns, fraction);
    let lags = params.max_lag.clamp(1, rows - 1);
    let wins = motion::windows(rows, window_rows(params, fps));
    let sums = correlate::window_correlations(&s, &wins, lags, dmax);
    let px_per_frame = |um_s: f64| um_s / (um_per_px * fps);
    let v_floor = px_per_frame(params.min_velocity_um_s);

    let mut window_moving = Vec::with_capacity(wins.len());
    let mut pooled = correlate::WindowCorrelation::zeros(lags, dmax);
    let mut resolved = 0usize;
    let mut fast = 0usize;
    let mut window_speeds = Vec::new();
    // Moving frame steps per window (0 for windows not moving).
    let mut window_steps = vec![0.0f64; wins.len()];
    // The last crisp streak window and its significance.
    let mut lone_candidate = None;
    let mut evidence = Vec::with_capacity(wins.len());
    for (i, (&(start, end), wc)) in wins.iter().zip(&sums).enumerate() {
        let est = velocity::estimate_velocity(&wc.ncc());
        let z = est.map_or(0.0, |e| velocity::streak_z(wc, &e, columns));
        let change = motion::temporal_change(&s, start, end);
        let window = WindowEvidence {
            start,
            end,
            v_px: est.map_or(0.0, |e| e.v_px),
            streak_ncc: est.map_or(0.0, |e| e.score),
            standing_ncc: est.map_or(0.0, |e| e.static_score),
            streak_z: z,
            persistence: motion::persistence(&s, start, end, lags),
            change_ratio: if noise > 0.0 { change / noise } else { 0.0 },
        };
        let crisp =
            est.filter(|e| e.is_streak(v_floor, params.min_correlation, params.motion_ratio));
        let streak = crisp.or(est.filter(|_| window.is_faint_streak(v_floor, params)));
        let moving = if let Some(e) = streak {
            resolved += 1;
            window_speeds.push(e.v_px);
            pooled.add(wc);
            if crisp.is_some() {
                lone_candidate = Some((i, z));
            }
            true
        } else {
            // No streak in range: flow beyond range if the pattern churns far above noise
            // while a standing pattern does not explain it.
            let standing = est.map_or(0.0, |e| e.static_score);
            let churn = noise > 0.0
                && change >= params.fast_change_ratio * noise
                && standing < 0.5
                && motion::changing_columns(&s, start, end, 2.0 * noise)
                    >= params.fast_min_coverage
                && motion::row_similarity(std, start, end) < params.fast_max_row_similarity;
            if churn {
                fast += 1;
            }
            churn
        };
        if moving {
            window_steps[i] =
                motion::moving_share(&s, start, end, noise, params.step_resolve_ratio)
                    * (end - start) as f64;
        }
        window_moving.push(moving);
        evidence.push(window);
    }
    let moving_windows = window_moving.iter().filter(|&&m| m).count();
    // A single streak window that noise on so few samples could give is no sustained motion:
    // it alone would make a stopped vessel intermittent. (With no resolved window the pooled
    // correlation and window speeds go unread.)
    if let Some((i, z)) = lone_candidate
        && moving_windows == 1
        && fast == 0
        && z < params.lone_streak_min_z
    {
        window_moving[i] = false;
        window_steps[i] = 0.0;
        resolved = 0;
    }
    // Windows that did not move: stopped only on evidence of standing cells; otherwise
    // unresolved, and their state comes from the rest of the clip (see `WindowState`).
    let moving_change = {
        let mut changes: Vec<f64> = evidence
            .iter()
            .zip(&window_moving)
            .filter(|&(_, &m)| m)
            .map(|(w, _)| w.change_ratio)
            .collect();
        changes.sort_by(|a, b| a.total_cmp(b));
        changes.get(changes.len() / 2).copied()
    };
    let window_state: Vec<WindowState> = evidence
        .iter()
        .zip(&window_moving)
        .map(|(w, &moving)| {
            let standing_apart = w.persistence >= params.stop_min_persistence;
            let quiet =
                moving_change.is_some_and(|m| w.change_ratio <= params.stop_max_change_share * m);
            if moving {
                WindowState::Moving
            } else if standing_apart || quiet {
                WindowState::Stopped
            } else {
                WindowState::Unresolved
            }
        })
        .collect();
    // The whole clip's evidence, needed only where a window is unresolved: every window's
    // correlations pooled. Flow too faint to show a streak in any one window shows one here.
    let whole_clip = window_state
        .contains(&WindowState::Unresolved)
        .then(|| {
            let mut all = correlate::WindowCorrelation::zeros(lags, dmax);
            sums.iter().for_each(|wc| all.add(wc));
            velocity::estimate_velocity(&all.ncc()).map(|e| WindowEvidence {
                start: 0,
                end: rows,
                v_px: e.v_px,
                streak_ncc: e.score,
                standing_ncc: e.static_score,
                streak_z: velocity::streak_z(&all, &e, columns),
                persistence: motion::persistence(&raw_centred(std), 0, rows, lags),
                change_ratio: if noise > 0.0 {
                    motion::temporal_change(&s, 0, rows) / noise
                } else {
                    0.0
                },
            })
        })
        .flatten();
    let clip_flows = whole_clip.is_some_and(|w| w.is_faint_streak(v_floor, params));
    let cells_visible = whole_clip.is_some_and(|w| w.persistence >= params.stop_min_persistence);
    let mut unresolved_rows = 0usize;
    let mut undecided_rows = 0usize;
    for (i, w) in evidence.iter().enumerate() {
        if window_state[i] != WindowState::Unresolved {
            continue;
        }
        unresolved_rows += w.end - w.start;
        if let Some(clip) = whole_clip.filter(|_| clip_flows) {
            // Told against the whole clip's streak: where this window's own correlation at the
            // clip's velocity is significant enough to have shown that streak, it moves only
            // if it does show it (a stop of faint cells shows no streak, only noise).
            let ncc = sums[i].ncc();
            let (at_clip, lags_used) = velocity::streak_score(&ncc, clip.v_px);
            let margin = at_clip - velocity::static_score(&ncc, lags_used.max(1));
            let clip_margin = clip.streak_ncc - clip.standing_ncc;
            let expected_z =
                clip_margin * velocity::streak_samples(&sums[i], clip.v_px, columns).sqrt();
            let stops = params.window_told_min_z > 0.0
                && expected_z >= params.window_told_min_z
                && margin < 0.5 * clip_margin;
            if !stops {
                window_moving[i] = true;
                window_steps[i] = (w.end - w.start) as f64;
            }
        } else if !cells_visible {
            undecided_rows += w.end - w.start;
        }
    }
    let moving_windows = window_moving.iter().filter(|&&m| m).count();
    let mut moving_steps: f64 = window_steps.iter().sum();
    // Brief episodes outside the moving windows (see [`episodes`]).
    let found = if params.episode_min_steps > 0 && noise > 0.0 {
        let gates = episodes::EpisodeGates {
            noise,
            max_shift: dmax,
            v_floor,
        };
        episodes::brief_episodes(&s, std, &wins, &window_moving, &gates, params)
    } else {
        Vec::new()
    };
    moving_steps += found.iter().map(|e| e.steps as f64).sum::<f64>();
    let known_rows = rows - undecided_rows;
    let flow_unresolved = known_rows == 0;
    let flowing_fraction = if flow_unresolved {
        0.0
    } else {
        (moving_steps / known_rows as f64).min(1.0)
    };

    // The velocity while flowing is the mean of the moving windows' own streak slopes (the
    // truth is a time average of speed), keeping those within 35% of their median so that a
    // window misled by a passing plasma gap does not pull it; the pooled correlation of the
    // moving windows settles the direction and the quality figure.
    let mut velocity_px = None;
    let mut correlation = 0.0;
    let mut at_least = false;
    if fast >= resolved && fast > 0 {
        at_least = true;
    } else if resolved > 0 {
        if let Some(e) = velocity::estimate_velocity(&pooled.ncc()) {
            correlation = e.score;
            let mut speeds: Vec<f64> = window_speeds.iter().map(|v| v.abs()).collect();
            speeds.sort_by(|a, b| a.total_cmp(b));
            let median = speeds[speeds.len() / 2];
            let kept: Vec<f64> = speeds
                .iter()
                .copied()
                .filter(|&v| (v - median).abs() <= 0.35 * median)
                .collect();
            let speed = kept.iter().sum::<f64>() / kept.len().max(1) as f64;
            // Near the top of the range with some windows beyond it: the mean speed while
            // flowing is beyond range too (pulsatile flow crossing v_max).
            let near_top = fast > 0 && speed >= 0.7 * dmax as f64;
            if speed >= dmax as f64 - 0.5 || near_top {
                at_least = true;
            } else {
                velocity_px = Some(speed.copysign(e.v_px));
            }
        }
    } else if let Some(e) = whole_clip.filter(|_| clip_flows) {
        // Flow seen only over the whole clip: its pooled streak.
        correlation = e.streak_ncc;
        if e.v_px.abs() >= dmax as f64 - 0.5 {
            at_least = true;
        } else {
            velocity_px = Some(e.v_px);
        }
    } else if !found.is_empty() {
        // Only brief episodes moved: their mean speed, signed by their net direction.
        let n = found.len() as f64;
        let speed = found.iter().map(|e| e.v_px.abs()).sum::<f64>() / n;
        let net: f64 = found.iter().map(|e| e.v_px).sum();
        correlation = found.iter().map(|e| e.score).sum::<f64>() / n;
        if speed >= dmax as f64 - 0.5 {
            at_least = true;
        } else {
            velocity_px = Some(speed.copysign(net));
        }
    }
    let velocity_um_s = if moving_windows == 0 && found.is_empty() {
        None
    } else if at_least {
        Some(vmax)
    } else {
        velocity_px.map(|v| v.abs() * um_per_px * fps)
    };
    let class_velocity = match velocity_um_s {
        Some(v) if at_least && params.beyond_range_is_continuous => {
            Some(v.max(params.rule.sluggish_below_um_s))
        }
        v => v,
    };
    let flow_class = classify_flow(flowing_fraction, class_velocity, &params.rule);
    let stopped = flow_class == FlowClass::NoFlow;
    let velocity_um_s = if stopped { None } else { velocity_um_s };
    VesselFlow {
        velocity_um_s,
        at_least: at_least && !stopped,
        v_max_um_s: vmax,
        flowing_fraction,
        flow_class,
        velocity_px_per_frame: if stopped { None } else { velocity_px },
        correlation,
        columns,
        frames: rows,
        window_moving,
        window_state,
        unresolved_fraction: unresolved_rows as f64 / rows as f64,
        flow_unresolved,
        windows: evidence,
        whole_clip,
        fast_windows: fast,
        measurable: true,
    }
}

/// The raw diagram less each row's mean (brightness flicker), keeping the static pattern.
fn raw_centred(raw: &Array2<f32>) -> Array2<f32> {
    let mut out = raw.clone();
    for mut row in out.rows_mut() {
        let mean = row.iter().map(|&v| f64::from(v)).sum::<f64>() / row.len().max(1) as f64;
        row.iter_mut().for_each(|v| *v -= mean as f32);
    }
    out
}

/// Half-width across the lumen sampled for a vessel of `diameter_px`.
/// Frames per moving/stopped window: `params.window_s` at `fps`, at least 2.
pub(crate) fn window_rows(params: &FlowParams, fps: f64) -> usize {
    ((params.window_s * fps).round() as usize).max(2)
}

pub(crate) fn half_width(diameter_px: f64, params: &FlowParams) -> f64 {
    if diameter_px.is_finite() && diameter_px > 0.0 {
        diameter_px * params.half_width_fraction
    } else {
        0.0
    }
}

/// Flow of every vessel `(centerline_px, diameter_px)`, in parallel over vessels, in input
/// order. Results do not depend on the thread count. Frames beyond `shifts_px.len()` are
/// left out (see [`try_measure_vessels`] for a checked call).
pub fn measure_vessels(
    frames: &[GrayImage],
    shifts_px: &[[f64; 2]],
    vessels: &[(Vec<[f64; 2]>, f64)],
    fps: f64,
    um_per_px: f64,
    params: &FlowParams,
) -> Vec<VesselFlow> {
    vessels
        .par_iter()
        .map(|(centerline, diameter_px)| {
            let std = vessel_diagram(frames, shifts_px, centerline, *diameter_px, params);
            measure_flow(&std, fps, um_per_px, params)
        })
        .collect()
}

/// The raw space–time diagram that [`measure_vessels`] reads for one vessel: its centerline
/// less `end_trim_diameters` diameters at each end (at most 15% of the length per end, since
/// at a junction the ends lie in the neighbouring vessel's lumen), sampled across
/// `half_width_fraction` of the diameter.
///
/// ```
/// use mcvideo_flow::{vessel_diagram, FlowParams};
/// let frames = vec![image::GrayImage::from_fn(30, 9, |x, _| image::Luma([x as u8])); 2];
/// let params = FlowParams::default();
/// // A 20 px line, 4 px wide: 2 px off each end, so 17 columns from x = 7 to 23.
/// let d = vessel_diagram(&frames, &[[0.0, 0.0]; 2], &[[5.0, 4.0], [25.0, 4.0]], 4.0, &params);
/// assert_eq!(d.dim(), (2, 17));
/// assert_eq!((d[[0, 0]], d[[1, 16]]), (7.0, 23.0));
/// ```
pub fn vessel_diagram(
    frames: &[GrayImage],
    shifts_px: &[[f64; 2]],
    centerline: &[[f64; 2]],
    diameter_px: f64,
    params: &FlowParams,
) -> Array2<f32> {
    vessel_plan(centerline, diameter_px, params).diagram(frames, shifts_px)
}

/// Where [`vessel_diagram`] samples a vessel: its centerline less the trimmed ends, across
/// `half_width_fraction` of the diameter.
pub fn vessel_plan(centerline: &[[f64; 2]], diameter_px: f64, params: &FlowParams) -> SamplingPlan {
    let trim = if diameter_px.is_finite() && diameter_px > 0.0 {
        params.end_trim_diameters.max(0.0) * diameter_px
    } else {
        0.0
    };
    let inner = diagram::trim_polyline(centerline, trim, 0.15);
    SamplingPlan::new(&inner, half_width(diameter_px, params))
}

/// For each vessel, the arc length (px from its first point) at which to split it because
/// its cells stand still on one side and move on the other, or move at different speeds (see
/// [`split`]); all `None` when `params.split_min_piece_um` is 0.
pub fn motion_splits(
    frames: &[GrayImage],
    shifts_px: &[[f64; 2]],
    vessels: &[(Vec<[f64; 2]>, f64)],
    fps: f64,
    um_per_px: f64,
    params: &FlowParams,
) -> Vec<Option<f64>> {
    if !(params.split_min_piece_um > 0.0 && um_per_px.is_finite() && um_per_px > 0.0) {
        return vec![None; vessels.len()];
    }
    let rule = split::MotionSplit {
        min_piece_px: (params.split_min_piece_um / um_per_px).ceil() as usize,
        min_ratio: params.split_min_ratio,
        min_moving: params.split_min_moving,
        min_ratio_above_noise: params.split_min_ratio_above_noise,
    };
    split::find_motion_splits(frames, shifts_px, vessels, fps, params, &rule)
}

/// [`measure_vessels`] that refuses mismatched shifts and bad frame rates or scales.
///
/// ```
/// use mcvideo_flow::{try_measure_vessels, FlowError, FlowParams};
/// let frames = vec![image::GrayImage::new(16, 16); 3];
/// let err = try_measure_vessels(&frames, &[[0.0, 0.0]], &[], 25.0, 1.0, &FlowParams::default());
/// assert_eq!(err, Err(FlowError::ShiftCount { frames: 3, shifts: 1 }));
/// ```
pub fn try_measure_vessels(
    frames: &[GrayImage],
    shifts_px: &[[f64; 2]],
    vessels: &[(Vec<[f64; 2]>, f64)],
    fps: f64,
    um_per_px: f64,
    params: &FlowParams,
) -> Result<Vec<VesselFlow>, FlowError> {
    if frames.len() != shifts_px.len() {
        return Err(FlowError::ShiftCount {
            frames: frames.len(),
            shifts: shifts_px.len(),
        });
    }
    for (name, value) in [("fps", fps), ("um_per_px", um_per_px)] {
        if !(value.is_finite() && value > 0.0) {
            return Err(FlowError::BadNumber { name, value });
        }
    }
    Ok(measure_vessels(
        frames, shifts_px, vessels, fps, um_per_px, params,
    ))
}

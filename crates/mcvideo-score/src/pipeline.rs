//! The pipeline of one clip: each stage's output feeds the next. [`score_frames`] runs it on
//! frames already decoded (or made in memory); [`score_clip`] decodes a file once, into a
//! temporary file that each stage reads back ([`crate::stream`]), and hands the frames to it.

use crate::overlay::draw_score_overlay;
use crate::report::{
    ClipReport, InspectReport, PolaritySource, ScoreReport, VesselReport, SCORE_SCHEMA,
};
use crate::{PolarityChoice, ScoreError, ScoreParams};
use mcvideo_calibration::Calibration;
use mcvideo_decode::ClipInfo;
use mcvideo_frames::{ClipFrames, Frames};
use mcvideo_metrics::{site_metrics, MeasuredVessel, MetricsParams};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Fewest frames flow can be measured in: a space-time diagram needs three rows.
pub const MIN_FLOW_FRAMES: usize = 3;

/// What `score` produces: the report and, unless disabled, the overlay PNG and the stabilized
/// mean image as PNG (the picture the review page opens on, without decoding the clip).
#[derive(Debug, Clone)]
pub struct ScoredOutput {
    pub report: ScoreReport,
    pub overlay_png: Option<Vec<u8>>,
    pub mean_png: Option<Vec<u8>>,
}

/// A clip as frames, with what a decoder would say of them: what [`score_frames`] scores.
#[derive(Debug)]
pub struct FrameClip {
    /// What the frames are. `path` names their source in the report and in every error
    /// message; `fps` is the rate velocities are measured at.
    pub info: ClipInfo,
    pub frames: ClipFrames,
    /// The scale, µm per pixel, and where it came from.
    pub calibration: Calibration,
}

impl FrameClip {
    /// Frames that come from no file of their own (a live stream's window, frames made in
    /// memory), taken at `fps` frames per second, named `source`. Their codec reads
    /// `"in-memory"`; nothing is known of their timing beyond `fps`, nor of decoding damage.
    pub fn new(
        source: impl Into<PathBuf>,
        frames: ClipFrames,
        fps: f64,
        calibration: Calibration,
    ) -> Self {
        let (width, height) = if frames.is_empty() {
            (0, 0)
        } else {
            frames.dimensions(0)
        };
        let count = frames.len() as u64;
        FrameClip {
            info: ClipInfo {
                path: source.into(),
                frames: count,
                fps,
                width,
                height,
                duration_s: count as f64 / fps,
                codec: IN_MEMORY_CODEC.to_string(),
                interlaced: false,
                content_region: None,
                timing: None,
                decode_errors: Default::default(),
                frame_times_s: Vec::new(),
            },
            frames,
            calibration,
        }
    }
}

/// The `clip.codec` of frames scored without a file ([`FrameClip::new`]).
pub const IN_MEMORY_CODEC: &str = "in-memory";

/// Stage timings, in milliseconds, in the order the stages ran.
struct Timer {
    timings: BTreeMap<String, f64>,
    started: Instant,
}

impl Timer {
    fn new() -> Self {
        Timer {
            timings: BTreeMap::new(),
            started: Instant::now(),
        }
    }
    /// Records the time since the last lap under `stage`.
    fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        self.timings
            .insert(stage.to_string(), to_ms(now - self.started));
        self.started = now;
    }
}

/// Milliseconds, to the microsecond.
fn to_ms(duration: std::time::Duration) -> f64 {
    (duration.as_secs_f64() * 1e6).round() / 1e3
}

/// Calibrated, registered and graded frames and what was learnt of them on the way.
struct Prepared {
    info: ClipInfo,
    /// Which way round the vessels are; bright clips' frames are inverted.
    polarity: (mcvideo_vessels::polarity::Polarity, PolaritySource, f64),
    calibration: mcvideo_calibration::Calibration,
    frames: ClipFrames,
    memory: crate::stream::MemoryPlan,
    stabilization: mcvideo_stabilize::Stabilization,
    quality: mcvideo_quality::Quality,
    timer: Timer,
}

/// Decodes the clip at `path` and resolves its scale; the scale and the memory budget are
/// checked before decoding, so a clip that cannot be scored fails at once.
fn decode(path: &Path, params: &ScoreParams) -> Result<FrameClip, ScoreError> {
    let probed = mcvideo_decode::probe(path)?;
    // A MetaImage clip may state its scale in its header.
    let header_scale = if path.is_file() && mcvideo_decode::mha::is_metaimage(path) {
        mcvideo_decode::mha::read_header(path)?.um_per_px()
    } else {
        None
    };
    let calibration = mcvideo_calibration::resolve_with_header(
        params.device.as_deref(),
        params.um_per_px,
        header_scale,
        path,
        probed.width,
    )?;
    let decode_options = mcvideo_decode::DecodeOptions {
        threads: params.decode_threads,
        fields: params.fields,
        ..Default::default()
    };
    let budget = crate::stream::clip_budget(params.memory_budget_bytes);
    crate::stream::plan_memory(path, probed.width, probed.height, probed.frames, budget)?;
    let (info, frames) = crate::stream::decode_clip(path, &decode_options)?;
    Ok(FrameClip {
        info,
        frames,
        calibration,
    })
}

/// Refuses frames that are no clip: none, of differing sizes or too small, at a rate that
/// is not positive, or at a scale outside [`mcvideo_calibration::UM_PER_PX_RANGE`].
fn check_input(clip: &FrameClip) -> Result<(), ScoreError> {
    let refuse = |message: String| ScoreError::Input {
        path: clip.info.path.clone(),
        message,
    };
    let frames = &clip.frames;
    if frames.is_empty() {
        return Err(refuse("no frames".to_string()));
    }
    let first = frames.dimensions(0);
    if first.0 < mcvideo_decode::MIN_FRAME_SIDE || first.1 < mcvideo_decode::MIN_FRAME_SIDE {
        return Err(refuse(format!(
            "frames of {}x{} are smaller than {} pixels on a side",
            first.0,
            first.1,
            mcvideo_decode::MIN_FRAME_SIDE
        )));
    }
    if let Some(t) = (1..frames.len()).find(|&t| frames.dimensions(t) != first) {
        let (w, h) = frames.dimensions(t);
        return Err(refuse(format!(
            "frame {t} is {w}x{h} where frame 0 is {}x{}",
            first.0, first.1
        )));
    }
    if !(clip.info.fps.is_finite() && clip.info.fps > 0.0) {
        return Err(refuse(format!(
            "a frame rate of {} fps is not positive",
            clip.info.fps
        )));
    }
    let scale = clip.calibration.um_per_px;
    let (min, max) = mcvideo_calibration::UM_PER_PX_RANGE;
    if !(scale.is_finite() && (min..=max).contains(&scale)) {
        return Err(mcvideo_calibration::CalibrationError::ImplausibleScale {
            value: scale,
            min,
            max,
        }
        .into());
    }
    Ok(())
}

/// Calibrated, registered and graded: what `inspect` shows and `score` builds on.
fn prepare(clip: FrameClip, params: &ScoreParams) -> Result<Prepared, ScoreError> {
    let mut timer = Timer::new();
    check_input(&clip)?;
    let FrameClip {
        mut info,
        frames,
        calibration,
    } = clip;
    let path = info.path.clone();
    let path = path.as_path();
    let (width, height) = frames.dimensions(0);
    let budget = crate::stream::clip_budget(params.memory_budget_bytes);
    let memory = crate::stream::plan_memory(path, width, height, frames.len() as u64, budget)?;
    // A picture framed by a blank border is analysed alone; coordinates go back to the
    // frame's at the end (`to_frame_coordinates`).
    let area = mcvideo_decode::border::content_box(&frames);
    let mut frames = if area == [0, 0, width, height] {
        frames
    } else {
        info.content_region = Some(area);
        frames.crop(area)
    };
    let polarity = decide_polarity(&mut frames, calibration.um_per_px, params.polarity);
    crate::stream::check_frames(path, &frames, "polarity")?;
    timer.lap("polarity");
    let stabilization = mcvideo_stabilize::stabilize(&frames, &params.stabilize)
        .map_err(|e| ScoreError::stage(path, "stabilization", e))?;
    timer.lap("stabilize");
    // The focus bands are in micrometres, so the grader needs this clip's scale.
    let quality_params = mcvideo_quality::QualityParams {
        um_per_px: calibration.um_per_px,
        ..params.quality.clone()
    };
    let mut quality =
        mcvideo_quality::grade_clip(&frames, info.fps, &stabilization, &quality_params);
    if let Some([x0, y0, x1, y1]) = info.content_region {
        quality.flags.push(format!(
            "blank border: the picture is {}x{} at ({x0}, {y0}) of the {}x{} frame, analysed alone",
            x1 - x0,
            y1 - y0,
            info.width,
            info.height
        ));
    }
    note_decoding(&mut quality, &info);
    if info.interlaced {
        // Not a Massey item and no grade: how the two fields of each frame were read.
        quality.flags.push(match params.fields {
            mcvideo_decode::FieldMode::Frames => format!(
                "interlaced: each frame holds two fields {:.0} ms apart, read whole; moving cells \
                 show twice (--fields split reads them apart)",
                500.0 / info.fps
            ),
            mcvideo_decode::FieldMode::Split => format!(
                "interlaced: fields read apart as {:.0} images/s at full height",
                info.fps
            ),
        });
    }
    crate::stream::check_frames(path, &frames, "quality grading")?;
    timer.lap("quality");
    Ok(Prepared {
        info,
        polarity,
        calibration,
        frames,
        memory,
        stabilization,
        quality,
        timer,
    })
}

/// Records in the quality section how the frames were timed and decoded: the spread of the
/// frame intervals, a variable frame rate (and the even rate it was resampled to), and
/// damaged frames the decoder concealed or lost (too many fail the clip in decoding). Not
/// Massey items and no grade: they say how far the frames can be trusted.
fn note_decoding(quality: &mut mcvideo_quality::Quality, info: &mcvideo_decode::ClipInfo) {
    let m = &mut quality.measures;
    m.frame_interval_spread = info.timing.as_ref().map(|t| t.interval_spread);
    m.variable_frame_rate = info.timing.as_ref().is_some_and(|t| t.variable);
    m.damaged_frames = info.decode_errors.frames;
    if let Some(timing) = info.timing.as_ref().filter(|t| t.variable) {
        let [shortest, longest] = timing.interval_ms;
        quality.flags.push(format!(
            "variable frame rate: frames {shortest:.1} to {longest:.1} ms apart (spread {:.2} \
             of the mean interval, effective {:.2} fps against {:.2} stated); resampled to an \
             even {:.2} fps before measuring velocities",
            timing.interval_spread,
            timing.effective_fps,
            timing.nominal_fps,
            timing.resampled_fps.unwrap_or(info.fps)
        ));
    }
    let damage = &info.decode_errors;
    if damage.frames > 0 {
        quality.flags.push(format!(
            "damaged frames: {} decoded with errors ({} lost, the rest concealed by the \
             decoder), {} in a row at most; a clip fails at {} or {} in a row",
            damage.frames,
            damage.lost,
            damage.longest_run,
            mcvideo_decode::damage_limit(info.frames.max(damage.frames)),
            mcvideo_decode::MAX_DAMAGED_RUN
        ));
    }
}

/// Decides whether the vessels are dark or bright (or takes the given choice) and inverts
/// the frames of a bright clip (`255 - v`), so that every later stage sees dark vessels on
/// bright tissue; pixel positions do not change. Returns the polarity, how it was chosen and
/// the automatic decision's score (computed also when the polarity is given, as a check).
fn decide_polarity(
    frames: &mut ClipFrames,
    um_per_px: f64,
    choice: PolarityChoice,
) -> (mcvideo_vessels::polarity::Polarity, PolaritySource, f64) {
    use mcvideo_vessels::polarity::{polarity_of_frames, Polarity};
    let evidence = polarity_of_frames(frames, um_per_px);
    let (polarity, source) = match choice {
        PolarityChoice::Auto => (evidence.polarity, PolaritySource::Auto),
        PolarityChoice::Dark => (Polarity::Dark, PolaritySource::Option),
        PolarityChoice::Bright => (Polarity::Bright, PolaritySource::Option),
    };
    if polarity == Polarity::Bright {
        frames.invert();
    }
    (polarity, source, evidence.score)
}

/// The clip section of the JSON: what was decoded and which way round its vessels are.
fn clip_report(
    info: mcvideo_decode::ClipInfo,
    polarity: (mcvideo_vessels::polarity::Polarity, PolaritySource, f64),
) -> ClipReport {
    let (polarity, polarity_source, score) = polarity;
    ClipReport {
        info,
        polarity,
        polarity_source,
        // Rounded so that the JSON does not carry float noise.
        polarity_score: (score * 1e4).round() / 1e4,
    }
}

/// Moves reference-frame coordinates computed on a picture cropped out of a blank border
/// (`info.content_region`) back to the whole frame's: the valid region and centerlines.
fn to_frame_coordinates(
    info: &mcvideo_decode::ClipInfo,
    stabilization: &mut mcvideo_stabilize::Stabilization,
    vessels: &mut [VesselReport],
) {
    let Some([x0, y0, ..]) = info.content_region else {
        return;
    };
    let (dx, dy) = (f64::from(x0), f64::from(y0));
    let r = &mut stabilization.valid_region;
    *r = [r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy];
    for vessel in vessels {
        for p in &mut vessel.centerline_px {
            *p = [p[0] + dx, p[1] + dy];
        }
    }
}

/// Decodes, registers and grades one clip (`mcvideo inspect`).
pub fn inspect_clip(path: &Path, params: &ScoreParams) -> Result<InspectReport, ScoreError> {
    let decoding = Instant::now();
    let clip = decode(path, params)?;
    let decode_ms = to_ms(decoding.elapsed());
    let mut p = prepare(clip, params)?;
    p.timer.timings.insert("decode".to_string(), decode_ms);
    to_frame_coordinates(&p.info, &mut p.stabilization, &mut []);
    Ok(InspectReport {
        schema: SCORE_SCHEMA.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        clip: clip_report(p.info, p.polarity),
        calibration: p.calibration,
        stabilization: p.stabilization,
        quality: p.quality,
        timings_ms: p.timer.timings,
        params: params.clone(),
    })
}

/// Scores one clip end to end (`mcvideo score`): decodes it, then [`score_frames`].
pub fn score_clip(path: &Path, params: &ScoreParams) -> Result<ScoredOutput, ScoreError> {
    let decoding = Instant::now();
    let clip = decode(path, params)?;
    let decode_ms = to_ms(decoding.elapsed());
    let mut scored = score_frames(clip, params)?;
    scored
        .report
        .timings_ms
        .insert("decode".to_string(), decode_ms);
    Ok(scored)
}

/// Scores frames that are already decoded or made in memory, exactly as [`score_clip`]
/// scores a file holding the same frames at the same rate and scale. `params` is used
/// whole except what only decoding reads (the scale options, `fields`, `decode_threads`):
/// the scale is `clip.calibration`'s. Errors name `clip.info.path`.
///
/// ```no_run
/// use mcvideo_frames::ClipFrames;
/// use mcvideo_score::{score_frames, FrameClip, ScoreParams};
/// # fn frames() -> Vec<image::GrayImage> { Vec::new() }
/// let scale = mcvideo_calibration::resolve(None, Some(1.2), "camera-1".as_ref(), 640)?;
/// let clip = FrameClip::new("camera-1", ClipFrames::Memory(frames()), 25.0, scale);
/// let scored = score_frames(clip, &ScoreParams::default())?;
/// println!("MFI {:?}", scored.report.metrics.mfi);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn score_frames(clip: FrameClip, params: &ScoreParams) -> Result<ScoredOutput, ScoreError> {
    let Prepared {
        info,
        polarity,
        calibration,
        frames,
        memory,
        mut stabilization,
        mut quality,
        mut timer,
    } = prepare(clip, params)?;
    let path = info.path.clone();
    let path = path.as_path();
    let um_per_px = calibration.um_per_px;
    // Flow is told per window of `flow.window_s`; a clip shorter than one window (or than
    // the three frames a space-time diagram needs) cannot tell flowing from stopped vessels,
    // and would read as no flow (MFI 0, PPV 0).
    let needed = ((params.flow.window_s * info.fps).round() as usize).max(MIN_FLOW_FRAMES);
    if frames.len() < needed {
        return Err(ScoreError::TooShort {
            path: path.to_path_buf(),
            frames: frames.len(),
            needed,
            fps: info.fps,
            window_s: params.flow.window_s,
        });
    }

    let mean = mcvideo_stabilize::mean_image(&frames, &stabilization);
    // Temporal spread: moving red cells confirm faint vessels that texture would mimic.
    let uses_motion = params.vessels.motion_boost > 0.0 || params.vessels.motion_evidence > 0.0;
    let std = uses_motion.then(|| mcvideo_stabilize::std_image(&frames, &stabilization, &mean));
    crate::stream::check_frames(path, &frames, "mean image")?;
    timer.lap("mean_image");
    let segments = mcvideo_vessels::detect_vessels_with_motion(
        &mean,
        std.as_ref(),
        um_per_px,
        stabilization.valid_region,
        &params.vessels,
    )
    .map_err(|e| ScoreError::stage(path, "vessel detection", e))?;
    timer.lap("vessels");

    let as_lines = |segments: &[mcvideo_vessels::VesselSegment]| -> Vec<(Vec<[f64; 2]>, f64)> {
        segments
            .iter()
            .map(|s| (s.centerline_px.clone(), s.diameter_px))
            .collect()
    };
    let mut lines = as_lines(&segments);
    // Missed junctions: a segment still along one stretch and moving along another is two.
    let diagram_bytes = usize::try_from(memory.diagram_bytes).unwrap_or(usize::MAX);
    let splits = mcvideo_flow::batched::motion_splits(
        &frames,
        &stabilization.shifts_px,
        &lines,
        info.fps,
        um_per_px,
        &params.flow,
        diagram_bytes,
    );
    let segments = if splits.iter().any(Option::is_some) {
        let split = crate::refine::split_segments(segments, &splits);
        lines = as_lines(&split);
        split
    } else {
        segments
    };
    let mut flows = mcvideo_flow::batched::measure_vessels(
        &frames,
        &stabilization.shifts_px,
        &lines,
        info.fps,
        um_per_px,
        &params.flow,
        diagram_bytes,
    );
    crate::stream::check_frames(path, &frames, "flow")?;
    drop(frames);
    let inherited = crate::refine::inherit_short_segment_flow(
        &lines,
        &mut flows,
        params.refine.inherit_touch_px,
    );
    timer.lap("flow");

    let vessels: Vec<VesselReport> = segments
        .iter()
        .zip(&flows)
        .zip(&inherited)
        .map(|((s, f), &from_neighbour)| VesselReport {
            id: s.id,
            centerline_px: s.centerline_px.clone(),
            length_um: s.length_px * um_per_px,
            diameter_um: s.diameter_um,
            small: s.small,
            contrast: s.contrast,
            velocity_um_s: f.velocity_um_s,
            velocity_at_least: f.at_least,
            v_max_um_s: f.v_max_um_s,
            flowing_fraction: f.flowing_fraction,
            flow_class: f.flow_class,
            unresolved_fraction: f.unresolved_fraction,
            flow_unresolved: f.flow_unresolved,
            flow_from_neighbour: from_neighbour,
            joined_gaps_um: 0.0,
        })
        .collect();
    let mut vessels =
        crate::refine::join_stopped_pieces(vessels, um_per_px, &params.vessels, &params.refine);
    let measured: Vec<MeasuredVessel> = vessels
        .iter()
        .map(|v| MeasuredVessel {
            centerline_px: v.centerline_px.clone(),
            diameter_um: v.diameter_um,
            flow_class: v.flow_class,
            velocity_um_s: v.velocity_um_s,
            flow_unresolved: v.flow_unresolved,
        })
        .collect();
    let metrics = site_metrics(
        &measured,
        &MetricsParams {
            um_per_px,
            small_vessel_cutoff_um: params.vessels.small_vessel_cutoff_um,
            valid_region: stabilization.valid_region,
        },
    )
    .map_err(|e| ScoreError::stage(path, "metrics", e))?;
    let [x0, y0, x1, y1] = stabilization.valid_region;
    // The picture's area: the frame's, less any blank border.
    let frame_area = f64::from(mean.width()) * f64::from(mean.height());
    let valid_area_fraction = ((x1 - x0).max(0.0) * (y1 - y0).max(0.0) / frame_area).min(1.0);
    let quality_params = mcvideo_quality::QualityParams {
        um_per_px,
        ..params.quality.clone()
    };
    crate::quality_slots::fill(
        &mut quality,
        &vessels,
        &metrics,
        &quality_params,
        valid_area_fraction,
    );
    timer.lap("metrics");

    let (overlay_png, mean_png) = if params.no_overlay {
        (None, None)
    } else {
        // The overlay shows the clip as recorded: a bright clip's mean is inverted back.
        let shown = match polarity.0 {
            mcvideo_vessels::polarity::Polarity::Dark => mean,
            mcvideo_vessels::polarity::Polarity::Bright => {
                let mut back = mean;
                back.iter_mut().for_each(|v| *v = 255.0 - *v);
                back
            }
        };
        let png = draw_score_overlay(&shown, &vessels)
            .map_err(|e| ScoreError::stage(path, "overlay", e))?;
        let mean_png = gray_png(&mcvideo_stabilize::to_gray8(&shown))
            .map_err(|e| ScoreError::stage(path, "overlay", e))?;
        timer.lap("overlay");
        (Some(png), Some(mean_png))
    };
    to_frame_coordinates(&info, &mut stabilization, &mut vessels);
    Ok(ScoredOutput {
        report: ScoreReport {
            schema: SCORE_SCHEMA.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            clip: clip_report(info, polarity),
            calibration,
            stabilization,
            quality,
            vessels,
            metrics,
            timings_ms: timer.timings,
            params: params.clone(),
        },
        overlay_png,
        mean_png,
    })
}

/// A grey picture as PNG.
fn gray_png(image: &image::GrayImage) -> image::ImageResult<Vec<u8>> {
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        image.as_raw(),
        image.width(),
        image.height(),
        image::ExtendedColorType::L8,
    )?;
    Ok(out)
}

//! Synthetic sidestream-dark-field clips with exact ground truth.
//!
//! [`render`] draws a clip in memory with its [`Truth`]; [`write_clip`] encodes it (FFV1
//! AVI by default) next to `<name>.truth.json`; [`Renderer`] gives frames one at a time for
//! long clips. The model is described in the crate README: branching vessels as smooth
//! random walks on textured tissue, red cells moving along them in the four consensus flow
//! classes, camera drift and tremor rendered at exact sub-pixel positions, blur, uneven
//! illumination, vignetting and sensor noise. [`SynthParams::low_snr`] and
//! [`SynthParams::cytocam`] give other regimes: faint diffuse cells near the noise level,
//! shot noise, and [`Polarity::Bright`] (negative-contrast fluorescence).
//!
//! ```
//! let params = mcvideo_synth::SynthParams { width: 64, height: 48, duration_s: 0.2, ..Default::default() };
//! let (frames, truth) = mcvideo_synth::render(&params).unwrap();
//! assert_eq!(frames.len(), 5);
//! assert_eq!(truth.frames, 5);
//! assert_eq!(frames[0].dimensions(), (64, 48));
//! assert_eq!(truth.shifts_px[0], [0.0, 0.0]);
//! ```

mod cells;
mod curve;
mod error;
mod flow;
mod interlace;
mod layer;
mod motion;
mod network;
mod params;
mod scene;
mod truth;

pub use error::SynthError;
pub use flow::assign_classes;
pub use interlace::weave_fields;
pub use motion::valid_region;
pub use network::VesselKind;
pub use params::{Polarity, SynthParams};
pub use truth::{clip_polyline, visible_span, Truth, TruthVessel, TRUTH_SCHEMA};

use image::GrayImage;
use mcvideo_encode::{EncodeError, VideoFormat, VideoWriter};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A built scene that renders any frame on demand (frames are independent of each other
/// and of the thread that draws them).
pub struct Renderer {
    scene: scene::Scene,
    truth: Truth,
}

impl Renderer {
    /// Builds the scene and its truth.
    ///
    /// ```
    /// let params = mcvideo_synth::SynthParams { width: 64, height: 48, duration_s: 0.2, ..Default::default() };
    /// let renderer = mcvideo_synth::Renderer::new(&params).unwrap();
    /// assert_eq!(renderer.frames(), 5);
    /// assert_eq!(renderer.frame(3), mcvideo_synth::render(&params).unwrap().0[3]);
    /// ```
    pub fn new(params: &SynthParams) -> Result<Renderer, SynthError> {
        let scene = scene::Scene::build(params)?;
        let truth = truth::build_truth(&scene)?;
        Ok(Renderer { scene, truth })
    }

    /// Number of frames.
    ///
    /// ```
    /// let params = mcvideo_synth::SynthParams { width: 32, height: 32, fps: 30.0, duration_s: 0.5, ..Default::default() };
    /// assert_eq!(mcvideo_synth::Renderer::new(&params).unwrap().frames(), 15);
    /// ```
    pub fn frames(&self) -> usize {
        self.scene.frames()
    }

    /// The ground truth.
    ///
    /// ```
    /// let params = mcvideo_synth::SynthParams { width: 32, height: 32, duration_s: 0.2, ..Default::default() };
    /// let renderer = mcvideo_synth::Renderer::new(&params).unwrap();
    /// assert_eq!(renderer.truth().shifts_px.len(), 5);
    /// assert_eq!(renderer.truth().um_per_px, 1.2);
    /// ```
    pub fn truth(&self) -> &Truth {
        &self.truth
    }

    /// Renders frame `t` (0-based; beyond the end, the last frame).
    ///
    /// ```
    /// let params = mcvideo_synth::SynthParams { width: 32, height: 24, duration_s: 0.2, ..Default::default() };
    /// let renderer = mcvideo_synth::Renderer::new(&params).unwrap();
    /// assert_eq!(renderer.frame(2).dimensions(), (32, 24));
    /// assert_eq!(renderer.frame(99), renderer.frame(4));
    /// ```
    pub fn frame(&self, t: usize) -> GrayImage {
        self.scene.render_frame(t.min(self.frames() - 1))
    }

    /// Renders frames `range` (clipped to the clip) in parallel (rayon), in order.
    ///
    /// ```
    /// let params = mcvideo_synth::SynthParams { width: 32, height: 24, duration_s: 0.2, ..Default::default() };
    /// let renderer = mcvideo_synth::Renderer::new(&params).unwrap();
    /// let frames = renderer.frames_in(3..10);
    /// assert_eq!(frames.len(), 2);
    /// assert_eq!(frames[0], renderer.frame(3));
    /// ```
    pub fn frames_in(&self, range: std::ops::Range<usize>) -> Vec<GrayImage> {
        let end = range.end.min(self.frames());
        (range.start.min(end)..end)
            .into_par_iter()
            .map(|t| self.scene.render_frame(t))
            .collect()
    }
}

/// Renders every frame of the clip (in parallel; the output does not depend on the number
/// of threads) and its ground truth.
///
/// ```
/// let params = mcvideo_synth::SynthParams { width: 64, height: 48, duration_s: 0.2, seed: 7, ..Default::default() };
/// let (a, truth) = mcvideo_synth::render(&params).unwrap();
/// let (b, _) = mcvideo_synth::render(&params).unwrap();
/// assert_eq!(a, b);
/// assert_eq!(truth.schema, "mcvideo.truth.v1");
/// ```
pub fn render(params: &SynthParams) -> Result<(Vec<GrayImage>, Truth), SynthError> {
    let renderer = Renderer::new(params)?;
    let frames = renderer.frames_in(0..renderer.frames());
    Ok((frames, renderer.truth))
}

/// What [`write_clip`] wrote.
#[derive(Debug, Clone)]
pub struct SynthOutput {
    /// The clip.
    pub clip_path: PathBuf,
    /// `<name>.truth.json` beside it.
    pub truth_path: PathBuf,
    /// The format actually written (MPEG-4 when H.264 was asked but libx264 is missing).
    pub format: VideoFormat,
    /// A note for the user about a fallback, if any.
    pub note: Option<String>,
    /// The truth that was written.
    pub truth: Truth,
}

/// Frames rendered at a time while encoding: bounded memory for long clips.
const CHUNK_FRAMES: usize = 32;

/// Renders the clip and writes `<out_dir>/<name>.<ext>` and `<out_dir>/<name>.truth.json`
/// (each written aside and renamed when complete). H.264 falls back to MPEG-4 Part 2 in MP4
/// when FFmpeg lacks libx264; [`SynthOutput::note`] says so.
///
/// ```
/// use mcvideo_encode::VideoFormat;
/// let dir = tempfile::tempdir().unwrap();
/// let params = mcvideo_synth::SynthParams { width: 64, height: 48, duration_s: 0.2, ..Default::default() };
/// let out = mcvideo_synth::write_clip(&params, dir.path(), "demo", VideoFormat::Ffv1Avi).unwrap();
/// assert_eq!(out.clip_path, dir.path().join("demo.avi"));
/// assert_eq!(out.truth_path, dir.path().join("demo.truth.json"));
/// assert!(out.clip_path.exists() && out.truth_path.exists());
/// ```
pub fn write_clip(
    params: &SynthParams,
    out_dir: &Path,
    name: &str,
    format: VideoFormat,
) -> Result<SynthOutput, SynthError> {
    // An interlaced clip is rendered at twice the rate, one image per field.
    let field_params = SynthParams {
        fps: 2.0 * params.fps,
        interlaced: false,
        ..params.clone()
    };
    let renderer = Renderer::new(if params.interlaced {
        &field_params
    } else {
        params
    })?;
    std::fs::create_dir_all(out_dir).map_err(|source| SynthError::Io {
        path: out_dir.to_path_buf(),
        step: "creating the output folder",
        source,
    })?;
    let mut format = format;
    let mut note = None;
    let mut clip_path = out_dir.join(format!("{name}.{}", format.extension()));
    let (w, h) = (params.width, params.height);
    let scale = Some(params.um_per_px);
    let mut writer = match VideoWriter::create_scaled(&clip_path, w, h, params.fps, format, scale) {
        Err(EncodeError::MissingEncoder {
            codec: "libx264", ..
        }) if matches!(format, VideoFormat::H264Mp4 | VideoFormat::H264Mov) => {
            format = VideoFormat::Mpeg4Mp4;
            clip_path = out_dir.join(format!("{name}.{}", format.extension()));
            note = Some(format!(
                "this FFmpeg has no libx264 encoder: wrote MPEG-4 Part 2 ({}) instead of H.264",
                clip_path.display()
            ));
            VideoWriter::create(&clip_path, w, h, params.fps, format)?
        }
        other => other?,
    };
    // Interlaced: whole pairs of fields only (CHUNK_FRAMES is even).
    let total = if params.interlaced {
        renderer.frames() / 2 * 2
    } else {
        renderer.frames()
    };
    let mut start = 0;
    while start < total {
        let end = (start + CHUNK_FRAMES).min(total);
        let images = renderer.frames_in(start..end);
        if params.interlaced {
            for pair in images.chunks_exact(2) {
                writer.write_frame(&weave_fields(&pair[0], &pair[1]))?;
            }
        } else {
            for frame in &images {
                writer.write_frame(frame)?;
            }
        }
        start = end;
    }
    writer.finish()?;

    let mut truth = renderer.truth;
    truth.params = params.clone();
    let truth_path = out_dir.join(format!("{name}.truth.json"));
    write_truth(&truth, &truth_path)?;
    Ok(SynthOutput {
        clip_path,
        truth_path,
        format,
        note,
        truth,
    })
}

/// Writes the truth as pretty JSON, whole or not at all (`mcvideo_atomic::write`).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let params = mcvideo_synth::SynthParams { width: 32, height: 24, duration_s: 0.2, ..Default::default() };
/// let (_, truth) = mcvideo_synth::render(&params).unwrap();
/// let path = dir.path().join("t.truth.json");
/// mcvideo_synth::write_truth(&truth, &path).unwrap();
/// let back: mcvideo_synth::Truth = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
/// assert_eq!(back.frames, 5);
/// assert_eq!(back.schema, "mcvideo.truth.v1");
/// ```
pub fn write_truth(truth: &Truth, path: &Path) -> Result<(), SynthError> {
    let json = serde_json::to_string_pretty(truth).map_err(|source| SynthError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    mcvideo_atomic::write(path, (json + "\n").as_bytes()).map_err(|source| SynthError::Io {
        path: path.to_path_buf(),
        step: "writing the truth",
        source,
    })
}

//! The pictures of a clip for the page, made by the scoring crates from the clip file and
//! the score JSON's registration: the stabilized mean image, stabilized frames, a vessel's
//! space–time diagram, and the measured diameter of a drawn vessel.
//!
//! Frames are shown as recorded (bright-vessel clips are not inverted for display); the
//! diameter is measured on the dark-vessel picture the detector saw.

use crate::catalog::ScoreData;
use crate::ReviewError;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{GrayImage, ImageEncoder};
use mcvideo_stabilize::{to_gray8, FloatImage};
use std::path::Path;
use std::sync::OnceLock;

/// A decoded clip, registered as the scorer registered it.
pub struct Media {
    id: String,
    frames: Vec<GrayImage>,
    stabilization: mcvideo_stabilize::Stabilization,
    /// Where the analysed picture starts in the frame (blank border cropped by the scorer).
    pub offset: [f64; 2],
    mean: FloatImage,
    bright: bool,
    um_per_px: f64,
    vessel_params: mcvideo_vessels::VesselParams,
    flow_params: mcvideo_flow::FlowParams,
    contrast: OnceLock<Vec<f32>>,
}

impl std::fmt::Debug for Media {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Media({}, {} frames)", self.id, self.frames.len())
    }
}

/// Encodes a grey image as PNG, fast rather than small (it goes over the loopback).
pub fn png(image: &GrayImage) -> Result<Vec<u8>, ReviewError> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Sub)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::L8,
        )
        .map_err(|e| ReviewError::BadRequest(format!("PNG encoding: {e}")))?;
    Ok(out)
}

impl Media {
    /// Decodes the clip at `path` and lays the score's registration over it.
    pub fn load(id: &str, path: &Path, score: &ScoreData) -> Result<Media, ReviewError> {
        let media_error = |problem: String| ReviewError::Media {
            id: id.to_string(),
            problem,
        };
        let options = mcvideo_decode::DecodeOptions {
            fields: score.fields,
            ..Default::default()
        };
        let (_, frames) = mcvideo_decode::read_all_with(path, &options)
            .map_err(|e| media_error(format!("cannot decode {}: {e}", path.display())))?;
        Self::from_frames(id, frames, score).map_err(|e| match e {
            ReviewError::Media { id, problem } => ReviewError::Media {
                id,
                problem: format!("{}: {problem}", path.display()),
            },
            other => other,
        })
    }

    /// The clip from its decoded frames (as recorded, before the scorer's border crop).
    pub fn from_frames(
        id: &str,
        frames: Vec<GrayImage>,
        score: &ScoreData,
    ) -> Result<Media, ReviewError> {
        let (frames, offset) = match score.content_region {
            Some(area) => (
                mcvideo_decode::border::crop_frames(frames, area),
                [f64::from(area[0]), f64::from(area[1])],
            ),
            None => (frames, [0.0, 0.0]),
        };
        let stabilization = score.stabilization.clone();
        if frames.len() != stabilization.shifts_px.len() {
            return Err(ReviewError::Media {
                id: id.to_string(),
                problem: format!(
                    "the clip has {} frames but its score JSON registered {}; was the clip replaced?",
                    frames.len(),
                    stabilization.shifts_px.len()
                ),
            });
        }
        let mean = mcvideo_stabilize::mean_image(&frames, &stabilization);
        Ok(Media {
            id: id.to_string(),
            frames,
            stabilization,
            offset,
            mean,
            bright: score.bright,
            um_per_px: score.um_per_px,
            vessel_params: score.vessel_params.clone(),
            flow_params: score.flow_params.clone(),
            contrast: OnceLock::new(),
        })
    }

    /// The clip's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Number of frames.
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// The stabilized mean image as PNG.
    pub fn mean_png(&self) -> Result<Vec<u8>, ReviewError> {
        png(&to_gray8(&self.mean))
    }

    /// Frame `t` in reference coordinates as PNG.
    pub fn frame_png(&self, t: usize) -> Result<Vec<u8>, ReviewError> {
        let frame = self.frames.get(t).ok_or_else(|| {
            ReviewError::BadRequest(format!(
                "frame {t}: the clip has {} frames",
                self.frames.len()
            ))
        })?;
        let shift = self.stabilization.shifts_px[t];
        png(&to_gray8(&mcvideo_stabilize::stabilized_frame(
            frame, shift,
        )))
    }

    fn to_picture(&self, points: &[[f64; 2]]) -> Vec<[f64; 2]> {
        points
            .iter()
            .map(|p| [p[0] - self.offset[0], p[1] - self.offset[1]])
            .collect()
    }

    /// The space–time diagram of a vessel (rows: frames, columns: positions along the
    /// centerline), sampled as the flow stage samples it, stretched to the full grey range.
    pub fn diagram_png(
        &self,
        centerline_px: &[[f64; 2]],
        diameter_um: f64,
    ) -> Result<Vec<u8>, ReviewError> {
        let line = self.to_picture(centerline_px);
        let diagram = mcvideo_flow::vessel_diagram(
            &self.frames,
            &self.stabilization.shifts_px,
            &line,
            diameter_um / self.um_per_px,
            &self.flow_params,
        );
        let (rows, cols) = diagram.dim();
        if rows == 0 || cols == 0 {
            return Err(ReviewError::BadRequest(
                "the vessel is too short for a diagram".into(),
            ));
        }
        let (lo, hi) = diagram
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let span = (hi - lo).max(1e-6);
        let image = GrayImage::from_fn(cols as u32, rows as u32, |x, y| {
            let v = (diagram[[y as usize, x as usize]] - lo) / span * 255.0;
            image::Luma([v.round().clamp(0.0, 255.0) as u8])
        });
        png(&image)
    }

    /// The diameter (µm) of a vessel drawn along `centerline_px`: the detector's measure,
    /// the full width at half maximum of the median cross profile of the background-corrected
    /// contrast, with its cylinder correction (`mcvideo_vessels::diameter::profile_width`,
    /// `mcvideo_vessels::cylinder_factor`). `None` when the profile shows no vessel.
    pub fn measure_diameter_um(&self, centerline_px: &[[f64; 2]]) -> Option<f64> {
        let (width, height) = (self.mean.width() as usize, self.mean.height() as usize);
        let max_w = self.vessel_params.max_diameter_um / self.um_per_px;
        let contrast = self.contrast.get_or_init(|| {
            let dark: Vec<f32> = if self.bright {
                self.mean.as_raw().iter().map(|v| 255.0 - v).collect()
            } else {
                self.mean.as_raw().clone()
            };
            let radius = (0.6 * max_w).ceil() as usize + 1;
            mcvideo_vessels::background::relative_contrast(&dark, width, height, radius)
        });
        let line = mcvideo_flow::diagram::resample_polyline(&self.to_picture(centerline_px), 1.0);
        // The guess is a mid-sized capillary, and the profile's reach is the detector's for
        // that guess: wider, it would take in neighbouring vessels.
        let guess = (10.0 / self.um_per_px).max(2.0);
        let measured = mcvideo_vessels::diameter::profile_width(
            contrast,
            width,
            height,
            &line,
            (1.5 * guess + 3.0).min(max_w),
            0.5 * guess + 1.0,
        )?;
        if !(measured.fwhm_px.is_finite() && measured.fwhm_px > 0.0 && measured.contrast > 0.0) {
            return None;
        }
        let d_px = measured.fwhm_px
            * mcvideo_vessels::cylinder_factor(
                measured.fwhm_px * self.um_per_px,
                &self.vessel_params,
            );
        Some(d_px * self.um_per_px)
    }
}

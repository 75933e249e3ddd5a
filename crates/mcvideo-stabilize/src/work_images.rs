//! The registration's per-frame working images: in memory, or spilled beside a spilled clip.

use crate::preprocess::{prepare, WorkImage};
use crate::{StabilizeError, StabilizeParams};
use mcvideo_frames::{Frames, SpilledPlanes};
use rayon::prelude::*;
use std::borrow::Cow;

/// Every frame's working image. A clip whose frames are spilled to a temporary file
/// ([`Frames::spill_dir`]) has its working images spilled to that folder too, so the
/// registration's memory does not grow with the clip's length; the images and the shifts
/// measured on them are the same either way.
pub(crate) enum WorkImages {
    Memory(Vec<WorkImage>),
    Spilled {
        planes: SpilledPlanes,
        w: usize,
        h: usize,
    },
}

impl WorkImages {
    /// The working image of every frame of `frames`, downsampled by `factor`.
    pub fn build<F: Frames + ?Sized>(
        frames: &F,
        factor: usize,
        params: &StabilizeParams,
    ) -> Result<WorkImages, StabilizeError> {
        let make = |t: usize| {
            prepare(
                &frames.frame(t),
                factor,
                params.clip_dark_quantile,
                params.highpass_radius,
            )
        };
        let Some(dir) = frames.spill_dir() else {
            return Ok(WorkImages::Memory(
                (0..frames.len()).into_par_iter().map(make).collect(),
            ));
        };
        let first = make(0);
        let (w, h) = (first.w, first.h);
        let planes = SpilledPlanes::create(dir, w * h, frames.len())
            .map_err(|e| StabilizeError::WorkFile(e.to_string()))?;
        planes.write(0, &first.data);
        (1..frames.len())
            .into_par_iter()
            .for_each(|t| planes.write(t, &make(t).data));
        let images = WorkImages::Spilled { planes, w, h };
        images.check()?;
        Ok(images)
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        match self {
            WorkImages::Memory(images) => images.len(),
            WorkImages::Spilled { planes, .. } => planes.len(),
        }
    }

    /// Width and height of every working image.
    pub fn size(&self) -> (usize, usize) {
        match self {
            WorkImages::Memory(images) => (images[0].w, images[0].h),
            WorkImages::Spilled { w, h, .. } => (*w, *h),
        }
    }

    /// The working image of frame `t`.
    pub fn get(&self, t: usize) -> Cow<'_, WorkImage> {
        match self {
            WorkImages::Memory(images) => Cow::Borrowed(&images[t]),
            WorkImages::Spilled { planes, w, h } => Cow::Owned(WorkImage {
                w: *w,
                h: *h,
                data: planes.read(t),
            }),
        }
    }

    /// Fails when the temporary file could not be written or read back: the images read
    /// from it would be blank and the shifts void.
    pub fn check(&self) -> Result<(), StabilizeError> {
        match self {
            WorkImages::Memory(_) => Ok(()),
            WorkImages::Spilled { planes, .. } => match planes.failure() {
                Some(message) => Err(StabilizeError::WorkFile(message)),
                None => Ok(()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{stabilize, StabilizeParams};
    use image::{GrayImage, Luma};
    use mcvideo_frames::{ClipFrames, Frames, SpillWriter};

    /// A textured field drifting and shaking, with one frame jumping far.
    fn drifting(n: usize) -> Vec<GrayImage> {
        (0..n)
            .map(|t| {
                let (sx, sy) = (
                    0.7 * t as f64 + 1.5 * (t as f64).sin(),
                    -0.4 * t as f64 + if t == n / 3 { 9.0 } else { 0.0 },
                );
                GrayImage::from_fn(200, 160, |x, y| {
                    let (u, v) = (x as f64 - sx, y as f64 - sy);
                    let value = 128.0
                        + 45.0 * (0.21 * u).sin() * (0.17 * v).cos()
                        + 30.0 * (0.05 * u + 0.13 * v).sin()
                        + 20.0 * (0.011 * u * v).sin();
                    Luma([value.clamp(0.0, 255.0) as u8])
                })
            })
            .collect()
    }

    #[test]
    fn spilled_working_images_register_exactly_as_in_memory() {
        let frames = drifting(24);
        let dir = std::env::temp_dir();
        let mut writer = SpillWriter::create(&dir, 200, 160).unwrap();
        for frame in &frames {
            writer.push(frame).unwrap();
        }
        let spilled = ClipFrames::Spilled(writer.finish().unwrap());
        assert!(spilled.spill_dir().is_some());
        let params = StabilizeParams::default();
        let in_memory = stabilize(&frames, &params).unwrap();
        let from_file = stabilize(&spilled, &params).unwrap();
        assert_eq!(from_file, in_memory);
        // The drift is measured, so the comparison is not between two failures.
        let last = in_memory.shifts_px[23];
        let reference = in_memory.reference_frame;
        assert!((last[0] - in_memory.shifts_px[reference][0]).abs() > 3.0);
    }
}

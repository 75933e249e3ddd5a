//! Equal-sized `f32` planes spilled to an unnamed temporary file, written and read by index.

use crate::FramesError;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A fixed number of `f32` planes of one length in a temporary file: a stage's per-frame
/// working images, kept out of the process's memory for clips of any length. Writes and
/// reads go by index from any thread; a failed write or read is remembered
/// ([`SpilledPlanes::failure`]) and the plane reads back as zeros, so a caller checks once
/// at the end instead of at every access.
///
/// ```
/// use mcvideo_frames::SpilledPlanes;
/// let planes = SpilledPlanes::create(&std::env::temp_dir(), 3, 2).unwrap();
/// planes.write(1, &[1.5, -2.0, 0.25]);
/// planes.write(0, &[7.0, 8.0, 9.0]);
/// assert_eq!(planes.read(1), vec![1.5, -2.0, 0.25]);
/// assert_eq!(planes.read(0), vec![7.0, 8.0, 9.0]);
/// assert_eq!(planes.failure(), None);
/// ```
#[derive(Debug)]
pub struct SpilledPlanes {
    file: File,
    dir: PathBuf,
    plane_len: usize,
    len: usize,
    failure: Mutex<Option<String>>,
}

impl SpilledPlanes {
    /// Room for `len` planes of `plane_len` values in an unnamed temporary file in `dir`
    /// (removed by the system however the program ends).
    pub fn create(dir: &Path, plane_len: usize, len: usize) -> Result<SpilledPlanes, FramesError> {
        let spill = |source| FramesError::Spill {
            dir: dir.to_path_buf(),
            source,
        };
        let file = tempfile::tempfile_in(dir).map_err(spill)?;
        file.set_len((plane_len * len * 4) as u64).map_err(spill)?;
        Ok(SpilledPlanes {
            file,
            dir: dir.to_path_buf(),
            plane_len,
            len,
            failure: Mutex::new(None),
        })
    }

    /// Number of planes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there is room for no plane.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Values per plane.
    pub fn plane_len(&self) -> usize {
        self.plane_len
    }

    /// Stores plane `t`; `values` must hold [`SpilledPlanes::plane_len`] values.
    pub fn write(&self, t: usize, values: &[f32]) {
        if t >= self.len || values.len() != self.plane_len {
            self.note(format!(
                "plane {t} of {} values does not fit {} planes of {}",
                values.len(),
                self.len,
                self.plane_len
            ));
            return;
        }
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
        if let Err(error) = self.file.write_all_at(&bytes, self.offset(t)) {
            self.note(format!("plane {t} could not be written: {error}"));
        }
    }

    /// Plane `t` (zeros if it could not be read, noted in [`SpilledPlanes::failure`]).
    pub fn read(&self, t: usize) -> Vec<f32> {
        let mut bytes = vec![0u8; self.plane_len * 4];
        if t >= self.len {
            self.note(format!("plane {t} of {} asked for", self.len));
        } else if let Err(error) = self.file.read_exact_at(&mut bytes, self.offset(t)) {
            self.note(format!("plane {t} could not be read back: {error}"));
            bytes.iter_mut().for_each(|b| *b = 0);
        }
        bytes
            .chunks_exact(4)
            .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    /// The first write or read failure, naming the folder of the temporary file.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    fn offset(&self, t: usize) -> u64 {
        (t * self.plane_len * 4) as u64
    }

    fn note(&self, message: String) {
        if let Ok(mut failure) = self.failure.lock() {
            failure.get_or_insert_with(|| {
                format!(
                    "temporary working file in {}: {message}",
                    self.dir.display()
                )
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planes_written_from_many_threads_read_back_exactly() {
        let planes = SpilledPlanes::create(&std::env::temp_dir(), 1000, 40).unwrap();
        std::thread::scope(|scope| {
            for start in 0..4 {
                let planes = &planes;
                scope.spawn(move || {
                    for t in (start..40).step_by(4) {
                        let values: Vec<f32> = (0..1000).map(|i| (t * 1000 + i) as f32).collect();
                        planes.write(t, &values);
                    }
                });
            }
        });
        for t in [0, 17, 39] {
            let values = planes.read(t);
            assert_eq!(values[0], (t * 1000) as f32);
            assert_eq!(values[999], (t * 1000 + 999) as f32);
        }
        assert_eq!(planes.failure(), None);
    }

    #[test]
    fn a_misfit_plane_is_a_failure_not_a_silent_loss() {
        let planes = SpilledPlanes::create(&std::env::temp_dir(), 4, 2).unwrap();
        planes.write(0, &[1.0, 2.0]);
        assert!(planes.failure().unwrap().contains("does not fit"));
        let out_of_range = SpilledPlanes::create(&std::env::temp_dir(), 4, 2).unwrap();
        assert_eq!(out_of_range.read(5), vec![0.0; 4]);
        assert!(out_of_range.failure().is_some());
    }
}

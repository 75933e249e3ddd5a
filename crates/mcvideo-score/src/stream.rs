//! How a clip's frames are held while it is scored, within a memory budget.
//!
//! A clip is decoded on a thread of its own into an unnamed temporary file in the system's
//! temporary folder (`std::env::temp_dir()`: `$TMPDIR`, else `/tmp`), which the operating
//! system removes however the program ends ([`mcvideo_frames::SpilledFrames`]). Stages read
//! the frames back one at a time, so the decoded pixels live in the page cache and not in the
//! process; so do the registration's per-frame working images; the space-time diagrams of the vessels are sampled in batches that fit the budget.
//! The budget changes how the work is scheduled, never the results.

use crate::ScoreError;
use mcvideo_decode::pipelined::{read_clip_with, FrameStore};
use mcvideo_decode::{ClipInfo, DecodeOptions};
use mcvideo_frames::ClipFrames;
use std::path::Path;

/// Frames decoded ahead of the analysis.
pub const DECODE_DEPTH: usize = 8;

/// Most memory the diagrams of one batch of vessels take, whatever the clip's length, so
/// that memory stays flat in it. A smaller batch costs little: each batch reads only the
/// rows of the frames its vessels cross ([`mcvideo_flow::batched`]).
pub const MAX_DIAGRAM_BYTES: u64 = 16 << 20;

/// Memory taken by everything but the frames and the diagrams, per pixel of a frame: the
/// registration's working images, the mean, deviation and vessel-detection images (f32
/// planes). An estimate from the sizes of those planes with room for their scratch, not a
/// measurement; the budget check errs on the side of refusing.
const BYTES_PER_FRAME_PIXEL: u64 = 120;

/// The smallest budget accepted on the command line.
pub const MIN_BUDGET_BYTES: u64 = 64 << 20;

/// How the memory of one clip is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryPlan {
    /// The budget of this clip.
    pub budget_bytes: u64,
    /// Most bytes of space-time diagrams sampled in one pass over the frames.
    pub diagram_bytes: u64,
}

/// MemAvailable of `/proc/meminfo` in bytes, when the system tells it.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Parses a size such as `600M`, `2G`, `1.5G`, `512K` or a plain number of bytes (binary
/// units: 1K = 1024 bytes).
///
/// ```
/// use mcvideo_score::stream::parse_size;
/// assert_eq!(parse_size("600M"), Ok(600 << 20));
/// assert_eq!(parse_size("1.5G"), Ok(3 << 29));
/// assert_eq!(parse_size("4096"), Ok(4096));
/// assert!(parse_size("lots").is_err());
/// ```
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let scale: u64 = match unit.to_ascii_uppercase().trim_end_matches('B') {
        "" => 1,
        "K" | "KI" => 1 << 10,
        "M" | "MI" => 1 << 20,
        "G" | "GI" => 1 << 30,
        "T" | "TI" => 1 << 40,
        _ => return Err(format!("{text:?} is not a size (e.g. 600M or 2G)")),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 600M or 2G)"))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("{text:?}: a size must be positive"));
    }
    Ok((value * scale as f64).round() as u64)
}

/// The budget of one clip: the given one, else the available memory.
pub fn clip_budget(given: Option<u64>) -> u64 {
    given.unwrap_or_else(|| available_memory().unwrap_or(4 << 30))
}

/// Plans the memory of a clip of `frames` frames of `width`×`height` within `budget_bytes`,
/// or refuses when even the smallest plan does not fit.
pub fn plan_memory(
    path: &Path,
    width: u32,
    height: u32,
    frames: u64,
    budget_bytes: u64,
) -> Result<MemoryPlan, ScoreError> {
    let pixels = u64::from(width) * u64::from(height);
    // The registration's per-frame working images are spilled beside the frames.
    let fixed = pixels * BYTES_PER_FRAME_PIXEL + pixels * DECODE_DEPTH as u64;
    // At least a few megabytes of diagrams, or the frames are read once per vessel.
    let least_diagrams = 4 << 20;
    if budget_bytes < fixed + least_diagrams {
        return Err(ScoreError::MemoryBudget {
            path: path.to_path_buf(),
            budget_mb: budget_bytes as f64 / f64::from(1 << 20),
            needed_mb: (fixed + least_diagrams) as f64 / f64::from(1 << 20),
            detail: format!("{frames} frames of {width}x{height}"),
        });
    }
    Ok(MemoryPlan {
        budget_bytes,
        diagram_bytes: (budget_bytes - fixed).min(MAX_DIAGRAM_BYTES),
    })
}

/// Decodes a clip into a temporary file (see the module's text), on a thread of its own.
pub fn decode_clip(
    path: &Path,
    options: &DecodeOptions,
) -> Result<(ClipInfo, ClipFrames), ScoreError> {
    let store = FrameStore::Spill(std::env::temp_dir());
    Ok(read_clip_with(path, options, &store, DECODE_DEPTH)?)
}

/// Fails the clip if its frame file could not be read back during `stage`.
pub fn check_frames(
    path: &Path,
    frames: &ClipFrames,
    stage: &'static str,
) -> Result<(), ScoreError> {
    match frames.read_failure() {
        Some(message) => Err(ScoreError::stage(path, stage, message)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units_and_refuse_nonsense() {
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("600m"), Ok(600 << 20));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert!(parse_size("0").is_err());
        assert!(parse_size("-3G").is_err());
        assert!(parse_size("3X").is_err());
    }

    #[test]
    fn a_budget_too_small_is_refused_and_a_large_one_caps_the_diagrams() {
        let path = Path::new("clip.avi");
        let error = plan_memory(path, 720, 576, 500, 32 << 20).unwrap_err();
        assert!(error
            .to_string()
            .starts_with("clip.avi: a memory budget of 32 MB cannot score 500 frames of 720x576"));
        let plan = plan_memory(path, 720, 576, 500, 8 << 30).unwrap();
        assert_eq!(plan.diagram_bytes, MAX_DIAGRAM_BYTES);
        let small = plan_memory(path, 720, 576, 500, 66 << 20).unwrap();
        assert!(small.diagram_bytes < MAX_DIAGRAM_BYTES && small.diagram_bytes >= 4 << 20);
        // Nothing held grows with the clip's length.
        assert_eq!(
            plan_memory(path, 720, 576, 15_000, 66 << 20).unwrap(),
            small
        );
    }
}

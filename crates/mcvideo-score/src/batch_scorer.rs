//! The real pipeline as the batch stage's [`ClipScorer`]: one clip per call, from any thread.

use crate::{score_clip, ScoreParams};
use mcvideo_batch::{ClipJob, ClipScorer, ScoredClip};

/// Scores batch clips with [`score_clip`]; a manifest row's device or scale overrides the
/// batch-wide one.
#[derive(Debug, Clone, Default)]
pub struct PipelineScorer {
    pub params: ScoreParams,
}

impl ClipScorer for PipelineScorer {
    fn score(&self, job: &ClipJob) -> Result<ScoredClip, String> {
        let mut params = self.params.clone();
        if job.device.is_some() || job.um_per_px.is_some() {
            params.device = job.device.clone();
            params.um_per_px = job.um_per_px;
        }
        let scored = score_clip(&job.path, &params).map_err(|e| e.to_string())?;
        let mut score_json = serde_json::to_value(&scored.report).map_err(|e| e.to_string())?;
        // Tables and merges compare paths as the manifest gave them, not where it is mounted.
        score_json["clip"]["path"] = serde_json::Value::from(job.path_as_given.clone());
        // The scale came from the manifest row, not from a command-line option.
        if job.um_per_px.is_some() {
            score_json["calibration"]["source"] = serde_json::Value::from("manifest um_per_px");
        } else if job.device.is_some() && score_json["calibration"]["source"] == "preset" {
            score_json["calibration"]["source"] = serde_json::Value::from("manifest device preset");
        }
        Ok(ScoredClip {
            score_json,
            overlay_png: scored.overlay_png,
            mean_png: scored.mean_png,
        })
    }
}

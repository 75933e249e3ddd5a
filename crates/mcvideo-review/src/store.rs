//! Reading and saving review files: `review/<clip id>.json`, written whole or not at all,
//! one writer at a time, refused when the client's version is not the saved one.

use crate::catalog::{Catalog, ClipEntry, ScoreData};
use crate::corrections::{change_of, now, EditRequest, ReviewFile, REVIEW_SCHEMA};
use crate::ReviewError;
use std::path::PathBuf;
use std::sync::Mutex;

/// The folder of review files, inside the review folder.
pub const REVIEW_DIR: &str = "review";

/// Review files of one folder; saves are serialized.
#[derive(Debug)]
pub struct Store {
    pub catalog: Catalog,
    write_lock: Mutex<()>,
}

/// A clip id is a file name of its own: no separators, no dots alone, nothing hidden.
fn check_id(id: &str) -> Result<(), ReviewError> {
    let plain = !id.is_empty()
        && id.len() <= 200
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ' | '+'));
    if plain {
        Ok(())
    } else {
        Err(ReviewError::path(id, "not a plain clip id"))
    }
}

impl Store {
    pub fn new(catalog: Catalog) -> Store {
        Store {
            catalog,
            write_lock: Mutex::new(()),
        }
    }

    fn relative(id: &str) -> Result<String, ReviewError> {
        check_id(id)?;
        Ok(format!("{REVIEW_DIR}/{id}.json"))
    }

    /// The saved review of a clip, or an empty one when there is none.
    pub fn load(&self, entry: &ClipEntry, score: &ScoreData) -> Result<ReviewFile, ReviewError> {
        let relative = Self::relative(&entry.id)?;
        let score_file = entry.score_file.clone().unwrap_or_default();
        let path = self.catalog.folder.join(&relative)?;
        if !path.exists() {
            return Ok(ReviewFile::empty(&entry.id, &score_file, score));
        }
        let path = self.catalog.folder.resolve_existing(&relative)?;
        let bytes = std::fs::read(&path).map_err(|e| ReviewError::io(&path, e))?;
        let mut review: ReviewFile = serde_json::from_slice(&bytes)
            .map_err(|e| ReviewError::data(&path, format!("not a review file: {e}")))?;
        if review.schema != REVIEW_SCHEMA || review.clip_id != entry.id {
            return Err(ReviewError::data(
                &path,
                format!("expected schema {REVIEW_SCHEMA} for clip '{}'", entry.id),
            ));
        }
        review.refresh(score)?;
        Ok(review)
    }

    /// The saved review of a clip if it has one.
    pub fn load_saved(
        &self,
        entry: &ClipEntry,
    ) -> Result<Option<(ScoreData, ReviewFile)>, ReviewError> {
        if entry.score_file.is_none()
            || !self
                .catalog
                .folder
                .join(&Self::relative(&entry.id)?)?
                .exists()
        {
            return Ok(None);
        }
        let score = self.catalog.score(entry)?;
        let review = self.load(entry, &score)?;
        Ok(Some((score, review)))
    }

    /// Applies one request and saves the result; `measure` gives a drawing's diameter.
    pub fn edit(
        &self,
        id: &str,
        request: &EditRequest,
        measure: impl FnOnce(&[[f64; 2]]) -> Option<f64>,
    ) -> Result<(ScoreData, ReviewFile), ReviewError> {
        let entry = self.catalog.clip(id)?;
        let score = self.catalog.score(entry)?;
        let _guard = self.write_lock.lock().map_err(|_| {
            ReviewError::BadRequest("a previous save failed; restart the review".into())
        })?;
        let mut review = self.load(entry, &score)?;
        if request.base_version != review.version {
            return Err(ReviewError::Conflict {
                yours: request.base_version,
                saved: review.version,
            });
        }
        let measured = match &request.action {
            crate::corrections::Action::Draw { centerline_px, .. } => measure(centerline_px),
            _ => None,
        };
        let change = change_of(&request.action, measured);
        if matches!(request.action, crate::corrections::Action::Draw { .. }) && change.is_none() {
            return Err(ReviewError::BadRequest(
                "the diameter of the drawn vessel could not be measured from the image; give diameter_um".into(),
            ));
        }
        if review.edits.is_empty() {
            // The first edit in force fixes the score JSON the review refers to.
            review.score_sha256 = score.sha256.clone();
        }
        review.perform(&request.action, change, &score, &now())?;
        self.save(&review)?;
        Ok((score, review))
    }

    fn save(&self, review: &ReviewFile) -> Result<PathBuf, ReviewError> {
        let dir = self.catalog.folder.join(REVIEW_DIR)?;
        if !dir.exists() {
            std::fs::create_dir(&dir).map_err(|e| ReviewError::io(&dir, e))?;
        }
        let path = self
            .catalog
            .folder
            .resolve_for_write(&Self::relative(&review.clip_id)?)?;
        let bytes = serde_json::to_vec_pretty(review)
            .map_err(|e| ReviewError::data(&path, e.to_string()))?;
        mcvideo_batch::atomic::write_atomic(&path, &bytes)?;
        Ok(path)
    }
}

//! Fuzz target: any text as a study config (`mcvideo_study::StudyConfig::from_toml`). A config
//! is either accepted, and then answers every question the analysis asks of it, or refused
//! with an error naming the file; it never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mcvideo_study::StudyConfig;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match StudyConfig::from_toml(text, Path::new("fuzz.toml")) {
        Ok(config) => {
            let _ = config.primary_outcome();
            let _ = config.change_variables();
            let _ = config.label(&config.dose);
            assert!(config.baseline.cutoff.is_finite());
            assert!((3..=20).contains(&config.threshold.k));
            // What `analyze` writes back into analysis.json.
            serde_json::to_string(&config).expect("an accepted config serializes");
        }
        Err(e) => assert!(e.to_string().contains("fuzz.toml"), "{e}"),
    }
});

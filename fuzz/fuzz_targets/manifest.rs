//! Fuzz target: any bytes as a batch manifest (`mcvideo_batch::manifest::parse_manifest`).
//! A manifest is either read into clips or refused with an error naming the file; it never
//! panics, and every clip it yields has the four required fields.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let manifest = Path::new("/fuzz/manifest.csv");
    match mcvideo_batch::manifest::parse_manifest(data, manifest) {
        Ok(archive) => {
            assert!(!archive.jobs.is_empty(), "a read manifest lists clips");
            for job in &archive.jobs {
                assert!(!job.path_as_given.is_empty() && !job.patient.is_empty());
                assert!(!job.day.is_empty() && !job.site.is_empty());
                // The id is a file name: no separator, no parent reference of its own.
                assert!(!job.id().contains('/'));
            }
        }
        Err(e) => assert!(e.to_string().contains("manifest.csv"), "{e}"),
    }
});

//! A tiny synthetic study on disk: every file, consistent rows, deterministic output.

use mcvideo_encode::VideoFormat;
use mcvideo_synth_study::{simulate_cohort, write_study, StudyParams};

fn tiny(patients: usize, seed: u64) -> StudyParams {
    StudyParams {
        patients,
        seed,
        sites: [2, 3],
        width: 96,
        height: 72,
        duration_s: 0.4,
        ..StudyParams::default()
    }
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn writes_every_file_with_consistent_rows() {
    let dir = tempfile::tempdir().unwrap();
    let params = tiny(3, 4);
    let out = write_study(&params, dir.path(), VideoFormat::Ffv1Avi).unwrap();
    let cohort = simulate_cohort(&params).unwrap();
    let n_clips: usize = cohort.iter().map(|pd| pd.sites.len()).sum();
    assert_eq!(out.clips, n_clips);
    let manifest = lines(&out.manifest);
    assert_eq!(manifest[0], "path,patient,day,site,um_per_px");
    assert_eq!(manifest.len(), n_clips + 1);
    for row in &manifest[1..] {
        let path = row.split(',').next().unwrap();
        assert!(dir.path().join(path).is_file(), "clip {path} exists");
        let truth = dir.path().join(path.replace(".avi", ".truth.json"));
        assert!(truth.is_file(), "truth of {path} exists");
    }
    assert_eq!(lines(&out.clinical).len(), 3 * 2 + 1);
    assert_eq!(lines(&out.truth_sites).len(), n_clips + 1);
    assert_eq!(lines(&out.truth_patients).len(), 3 * 2 + 1);
    assert!(!std::fs::read_to_string(&out.truth_patients)
        .unwrap()
        .contains("NaN"));
    assert!(dir.path().join("cohort.json").is_file());
}

#[test]
fn same_seed_same_study() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let params = tiny(2, 9);
    write_study(&params, a.path(), VideoFormat::Ffv1Avi).unwrap();
    write_study(&params, b.path(), VideoFormat::Ffv1Avi).unwrap();
    for file in [
        "manifest.csv",
        "clinical.csv",
        "truth_sites.csv",
        "truth_patients.csv",
        "cohort.json",
    ] {
        assert_eq!(
            std::fs::read(a.path().join(file)).unwrap(),
            std::fs::read(b.path().join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn perfusion_falls_past_the_planted_threshold() {
    let cohort = simulate_cohort(&StudyParams {
        patients: 300,
        ..StudyParams::default()
    })
    .unwrap();
    let perfused = |pd: &mcvideo_synth_study::PatientDay| {
        pd.sites
            .iter()
            .map(|s| s.flow_mix[2] + s.flow_mix[3])
            .sum::<f64>()
            / pd.sites.len() as f64
    };
    let mean = |lo: f64, hi: f64| {
        let v: Vec<f64> = cohort
            .iter()
            .filter(|pd| pd.ne_dose >= lo && pd.ne_dose < hi)
            .map(perfused)
            .collect();
        assert!(v.len() >= 5, "enough patients between {lo} and {hi}");
        v.iter().sum::<f64>() / v.len() as f64
    };
    let (low, mid, high) = (mean(0.1, 0.3), mean(0.4, 0.7), mean(1.0, 2.5));
    // Flat before the threshold, falling after it.
    assert!((low - mid).abs() < 0.05, "flat below: {low} vs {mid}");
    assert!(mid - high > 0.2, "falls above: {mid} vs {high}");
}

#[test]
fn bad_parameters_are_errors() {
    assert!(simulate_cohort(&StudyParams {
        patients: 0,
        ..StudyParams::default()
    })
    .is_err());
    assert!(simulate_cohort(&StudyParams {
        sites: [4, 2],
        ..StudyParams::default()
    })
    .is_err());
}

//! Velocity, flowing fraction and class on toy clips whose truth is known by construction.

use mcvideo_flow::{measure_vessels, FlowParams, VesselFlow};
use mcvideo_metrics::FlowClass;
use mcvideo_testkit::toy::{render, ToyClip, ToyVessel};

/// One diagonal vessel of `len` px, 75 frames at 25 fps, 1 µm/px.
fn clip(len: f64, speed: f64, moving: Vec<bool>, seed: u64) -> ToyClip {
    ToyClip {
        width: 200,
        height: 120,
        frames: 75,
        noise_sd: 5.0,
        cell_contrast: 50.0,
        motion_px: 3.0,
        seed,
        vessels: vec![ToyVessel {
            centerline_px: vec![[30.0, 20.0], [30.0 + len * 0.8, 20.0 + len * 0.6]],
            diameter_px: 5.0,
            speed_px_per_frame: speed,
            moving,
            mean_cell_gap_px: 10.0,
        }],
    }
}

fn measure(clip: &ToyClip) -> VesselFlow {
    measure_with(clip, &FlowParams::default())
}

fn measure_with(clip: &ToyClip, params: &FlowParams) -> VesselFlow {
    let (frames, shifts) = render(clip);
    let vessels: Vec<(Vec<[f64; 2]>, f64)> = clip
        .vessels
        .iter()
        .map(|v| (v.centerline_px.clone(), v.diameter_px))
        .collect();
    measure_vessels(&frames, &shifts, &vessels, 25.0, 1.0, params).remove(0)
}

#[test]
fn velocity_within_three_percent_from_slow_to_the_range_limit() {
    // 100 px segment: range 50 px/frame = 1250 µm/s at 25 fps and 1 µm/px.
    for (i, &speed) in [1.5, 4.0, -9.0, 14.0, -25.0, 40.0].iter().enumerate() {
        let f = measure(&clip(100.0, speed, Vec::new(), i as u64));
        let v = f.velocity_um_s.unwrap_or(f64::NAN);
        let truth = speed.abs() * 25.0;
        assert!((v - truth).abs() <= 0.03 * truth, "speed {speed}: {f:?}");
        assert_eq!(
            f.velocity_px_per_frame.map(f64::signum),
            Some(speed.signum())
        );
        assert!(!f.at_least);
        assert_eq!(f.flowing_fraction, 1.0);
        assert_eq!(
            f.flow_class,
            if truth >= 300.0 {
                FlowClass::Continuous
            } else {
                FlowClass::Sluggish
            }
        );
    }
}

#[test]
fn flow_beyond_the_range_is_reported_as_at_least_v_max() {
    // 40 px segment less half a diameter (2.5 px) at each end: 36 columns, range 18
    // px/frame (450 µm/s); cells move 32 px/frame (800 µm/s).
    let f = measure(&clip(40.0, 32.0, Vec::new(), 3));
    assert!(f.at_least, "{f:?}");
    assert_eq!(f.columns, 36);
    assert_eq!(f.v_max_um_s, 450.0);
    assert_eq!(f.velocity_um_s, Some(450.0));
    assert_eq!(f.flow_class, FlowClass::Continuous);
}

#[test]
fn static_cells_are_no_flow() {
    for seed in 0..3 {
        let f = measure(&clip(80.0, 0.0, Vec::new(), seed));
        assert_eq!(
            (f.flow_class, f.velocity_um_s),
            (FlowClass::NoFlow, None),
            "{f:?}"
        );
        assert!(f.flowing_fraction <= 0.1);
    }
}

#[test]
fn stop_and_go_is_intermittent_with_its_flowing_fraction() {
    // Moves during frames 20..45 of 75: a third of the time.
    let moving: Vec<bool> = (0..75).map(|t| (20..45).contains(&t)).collect();
    let c = clip(80.0, 12.0, moving, 4);
    let truth = c.vessels[0].flowing_fraction(75);
    let f = measure(&c);
    assert!((f.flowing_fraction - truth).abs() <= 0.1, "{truth} {f:?}");
    assert_eq!(f.flow_class, FlowClass::Intermittent);
    let v = f.velocity_um_s.unwrap_or(f64::NAN);
    assert!((v - 300.0).abs() <= 15.0, "velocity while moving {v}");
}

#[test]
fn a_brief_episode_of_flow_is_intermittent() {
    // A sparse, faint train (one cell per 30 px, line haematocrit about 0.2) moves 12 px/frame
    // (300 µm/s) for four frame steps of 74, inside one window of half a second whose other
    // steps stand still.
    let without_episodes = FlowParams {
        episode_min_steps: 0,
        ..FlowParams::default()
    };
    let moving: Vec<bool> = (0..75).map(|t| (28..32).contains(&t)).collect();
    let mut misread_by_windows = 0;
    for seed in 0..3 {
        let mut c = clip(80.0, 12.0, moving.clone(), 10 + seed);
        c.vessels[0].mean_cell_gap_px = 30.0;
        c.cell_contrast = 25.0;
        let windows_only = measure_with(&c, &without_episodes);
        misread_by_windows +=
            usize::from(windows_only.flow_class == FlowClass::NoFlow || windows_only.at_least);
        let f = measure(&c);
        assert_eq!(f.flow_class, FlowClass::Intermittent, "seed {seed}: {f:?}");
        let truth = c.vessels[0].flowing_fraction(75);
        assert!((f.flowing_fraction - truth).abs() <= 0.03, "{truth} {f:?}");
        let v = f.velocity_um_s.unwrap_or(f64::NAN);
        assert!(
            (v - 300.0).abs() <= 30.0,
            "velocity while moving {v}: {f:?}"
        );
    }
    // The windows alone read each clip as no flow or as flow beyond the range.
    assert_eq!(misread_by_windows, 3);
}

#[test]
fn a_lone_chance_streak_in_a_short_stopped_segment_is_no_flow() {
    // Short segments of static cells in heavy noise: over many clips, noise alone makes a
    // window's streak pass now and then. One such window alone is no sustained motion.
    let lone_allowed = FlowParams {
        lone_streak_min_z: 0.0,
        ..FlowParams::default()
    };
    let (mut lone, mut read_as_flow) = (0, 0);
    for seed in 0..40 {
        let mut c = clip(14.0, 0.0, Vec::new(), 100 + seed);
        c.width = 60;
        c.height = 50;
        c.noise_sd = 12.0;
        c.cell_contrast = 25.0;
        // No camera motion: its interpolation residue is a pattern of its own, not chance.
        c.motion_px = 0.0;
        let allowed = measure_with(&c, &lone_allowed);
        if allowed.window_moving.iter().filter(|&&m| m).count() == 1 {
            lone += 1;
            read_as_flow += usize::from(measure(&c).flow_class != FlowClass::NoFlow);
        }
    }
    assert!(
        lone >= 2,
        "too few lone chance streaks to test against: {lone}"
    );
    assert_eq!(read_as_flow, 0, "of {lone} lone chance streaks");
}

#[test]
fn too_short_segments_are_not_measured() {
    let f = measure(&clip(5.0, 3.0, Vec::new(), 5));
    assert!(!f.measurable);
    assert_eq!((f.flow_class, f.velocity_um_s), (FlowClass::NoFlow, None));
}

#[test]
fn results_keep_vessel_order_and_do_not_depend_on_threads() {
    let mut c = clip(80.0, 6.0, Vec::new(), 6);
    c.vessels.push(ToyVessel {
        centerline_px: vec![[20.0, 100.0], [180.0, 100.0]],
        diameter_px: 6.0,
        speed_px_per_frame: -20.0,
        moving: Vec::new(),
        mean_cell_gap_px: 14.0,
    });
    let (frames, shifts) = render(&c);
    let vessels: Vec<(Vec<[f64; 2]>, f64)> = c
        .vessels
        .iter()
        .map(|v| (v.centerline_px.clone(), v.diameter_px))
        .collect();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map(|pool| {
                pool.install(|| {
                    measure_vessels(
                        &frames,
                        &shifts,
                        &vessels,
                        25.0,
                        1.0,
                        &FlowParams::default(),
                    )
                })
            })
    };
    let (one, two) = (run(1), run(2));
    assert!(one.is_ok() && two.is_ok());
    let (one, two) = (one.unwrap_or_default(), two.unwrap_or_default());
    assert_eq!(one, two);
    assert_eq!(one.len(), 2);
    assert!((one[0].velocity_um_s.unwrap_or(0.0) - 150.0).abs() < 5.0);
    assert!((one[1].velocity_um_s.unwrap_or(0.0) - 500.0).abs() < 15.0);
}

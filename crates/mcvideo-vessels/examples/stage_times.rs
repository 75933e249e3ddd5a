//! Times the stages of detection on the bench image (release: `cargo run --release --example stage_times`).
use mcvideo_vessels::{background, detect_vessels, ridge, skeleton, FloatImage, VesselParams};
use std::time::Instant;

fn main() {
    let (width, height) = (720u32, 576u32);
    let mean = FloatImage::from_fn(width, height, |x, y| {
        let (xf, yf) = (x as f32, y as f32);
        let light = 180.0 + 40.0 * ((xf / width as f32) - 0.5)
            - 30.0 * ((yf / height as f32) - 0.5).powi(2);
        let mut v = light;
        for k in 0..12 {
            let base = 30.0 + 45.0 * k as f32;
            let centre = base + 12.0 * (xf / 40.0 + k as f32).sin();
            let half = 2.0 + (k % 4) as f32 * 2.5;
            if (yf - centre).abs() < half {
                v *= 0.85;
            }
        }
        image::Luma([v])
    });
    let (w, h) = (width as usize, height as usize);
    let um = 1.2;
    for _ in 0..2 {
        let t = Instant::now();
        let c = background::relative_contrast(mean.as_raw(), w, h, 31);
        let t1 = t.elapsed();
        let scales = ridge::scales_for_widths(4.0 / um, 60.0 / um, 1.35);
        let r = ridge::ridge_map(&c, w, h, &scales, 0.75, 1e-4);
        let t2 = t.elapsed();
        let sig: Vec<f32> = r.score.iter().map(|s| s / 2.5).collect();
        let mut m = skeleton::hysteresis(&sig, w, h, 0.7, 1.0, &vec![true; w * h]);
        let t3 = t.elapsed();
        skeleton::thin(&mut m, w, h);
        let t4 = t.elapsed();
        let found = detect_vessels(
            &mean,
            um,
            [0.0, 0.0, 719.0, 575.0],
            &VesselParams::default(),
        )
        .unwrap();
        let t5 = t.elapsed() - t4;
        println!("background {t1:?} ridges {:?} hysteresis {:?} thin {:?} | total detect {t5:?} ({} segments)", t2 - t1, t3 - t2, t4 - t3, found.len());
    }
}

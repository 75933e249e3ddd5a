//! Writes debug PNGs (input, contrast, strength, overlay) for one rendered test scene.
#[path = "../tests/common/mod.rs"]
mod common;
use common::{random_curve, render, Tube};
use image::{GrayImage, Rgb, RgbImage};
use mcvideo_vessels::{detect_vessels, VesselParams};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (w, h, um) = (240u32, 180u32, 1.2);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tubes: Vec<Tube> = (0..8)
        .map(|k| {
            let d: f64 = if k < 6 { rng.gen_range(5.0..15.0) } else { rng.gen_range(20.0..35.0) };
            Tube { points: random_curve(&mut rng, w as f64, h as f64), diameter_px: d / um, contrast: rng.gen_range(0.1..0.3) }
        })
        .collect();
    let img = if args.get(2).map(|s| s == "blank").unwrap_or(false) { render(w, h, &[], 0.8, 2.0, seed) } else { render(w, h, &tubes, 0.8, 2.0, seed) };
    let gray = GrayImage::from_fn(w, h, |x, y| image::Luma([img.get_pixel(x, y)[0].clamp(0.0, 255.0) as u8]));
    gray.save("/tmp/vs_input.png").unwrap();
    let found = detect_vessels(&img, um, [8.0, 8.0, 231.0, 171.0], &VesselParams::default()).unwrap();
    let mut rgb = RgbImage::from_fn(w, h, |x, y| { let v = gray.get_pixel(x, y)[0]; Rgb([v, v, v]) });
    for t in &tubes { for p in &t.points { if p[0] >= 0.0 && p[1] >= 0.0 && p[0] < w as f64 && p[1] < h as f64 { rgb.put_pixel(p[0] as u32, p[1] as u32, Rgb([0, 255, 0])); } } }
    for v in &found { for p in &v.centerline_px { rgb.put_pixel(p[0].round() as u32, p[1].round() as u32, if v.small { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) }); } }
    let big = image::imageops::resize(&rgb, w * 3, h * 3, image::imageops::FilterType::Nearest);
    big.save("/tmp/vs_overlay.png").unwrap();
    for v in &found { println!("{} len {:.1} d {:.2} c {:.3}", v.id, v.length_px, v.diameter_px, v.contrast); }
    for t in &tubes { println!("truth d {:.2}", t.diameter_px); }
}

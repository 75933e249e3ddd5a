//! Debug images of the intermediate planes for one synth clip.
#[path = "../tests/common/synth.rs"]
mod synth;
use image::GrayImage;
use mcvideo_synth::SynthParams;
use mcvideo_vessels::{background, ridge};

fn save(path: &str, plane: &[f32], w: usize, h: usize, lo: f32, hi: f32) {
    let img = GrayImage::from_fn(w as u32, h as u32, |x, y| {
        let v = (plane[y as usize * w + x as usize] - lo) / (hi - lo);
        image::Luma([(v.clamp(0.0, 1.0) * 255.0) as u8])
    });
    image::imageops::resize(&img, w as u32 * 3, h as u32 * 3, image::imageops::FilterType::Nearest).save(path).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let um: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1.2);
    let sp = SynthParams { seed: 0, um_per_px: um, ..SynthParams::default() };
    let (mean, truth) = synth::synth_mean(&sp);
    let (w, h) = (mean.width() as usize, mean.height() as usize);
    let max_w = 60.0 / um;
    let radius = (0.6 * max_w).ceil() as usize + 1;
    let c = background::relative_contrast(mean.as_raw(), w, h, radius);
    save("/tmp/dbg_contrast.png", &c, w, h, -0.05, 0.4);
    let scales = ridge::scales_for_widths(4.0 / um, max_w, 1.35);
    println!("scales {scales:?}");
    let r = ridge::ridge_map(&c, w, h, &scales, 0.75, 0.0005);
    println!("bg {:?}", r.background);
    let mut s = r.strength.clone();
    s.sort_by(f32::total_cmp);
    println!("strength median {} p90 {} p99 {}", s[s.len() / 2], s[s.len() * 9 / 10], s[s.len() * 99 / 100]);
    save("/tmp/dbg_strength.png", &r.strength, w, h, 0.0, 0.08);
    save("/tmp/dbg_sigma.png", &r.sigma, w, h, 0.0, 25.0);
    for v in &truth.vessels { print!("{:.1} ", v.diameter_um); }
    println!();
}

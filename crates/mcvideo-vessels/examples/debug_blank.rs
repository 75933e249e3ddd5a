//! Prints the contrast across the left border of the blank test scene.
#[path = "../tests/common/mod.rs"]
mod common;
use mcvideo_vessels::background;
fn main() {
    let img = common::render(160, 120, &[], 0.8, 0.0, 9);
    let c = background::relative_contrast(img.as_raw(), 160, 120, 31);
    for y in [20usize, 40, 60] {
        let row: Vec<String> = (0..14).map(|x| format!("{:.3}", c[y * 160 + x])).collect();
        let raw: Vec<String> = (0..14).map(|x| format!("{:.1}", img.get_pixel(x, y as u32)[0])).collect();
        println!("y{y} C {}\n    I {}", row.join(" "), raw.join(" "));
    }
}

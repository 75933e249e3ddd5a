//! Writes the space-time diagram of a toy vessel as a PNG (debug aid).

use mcvideo_flow::space_time_diagram;
use mcvideo_flow::toy::{render, ToyClip, ToyVessel};

fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (len, speed) = (args[0], args[1]);
    let mut clip = ToyClip::straight(speed);
    clip.frames = 75;
    clip.width = 220;
    clip.height = 120;
    clip.seed = (len as u64) * 100 + (speed * 10.0) as u64;
    clip.vessels = vec![ToyVessel {
        centerline_px: vec![[30.0, 20.0], [30.0 + len * 0.8, 20.0 + len * 0.6]],
        diameter_px: 5.0,
        speed_px_per_frame: speed,
        moving: Vec::new(),
        mean_cell_gap_px: 10.0,
    }];
    let (frames, shifts) = render(&clip);
    frames[0].save("/tmp/flow_frame0.png").ok();
    let std = space_time_diagram(&frames, &shifts, &clip.vessels[0].centerline_px, 1.5);
    let (r, c) = std.dim();
    let img = image::GrayImage::from_fn(c as u32 * 4, r as u32 * 4, |x, y| {
        image::Luma([std[[y as usize / 4, x as usize / 4]].clamp(0.0, 255.0) as u8])
    });
    img.save("/tmp/flow_std.png").ok();
}

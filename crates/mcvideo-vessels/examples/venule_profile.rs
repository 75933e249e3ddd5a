//! Prints the mean-image profile across the widest true vessel of a synth clip, at its truth
//! centerline midpoint (checks that truth and rendering agree).
use mcvideo_synth::SynthParams;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2);
    let um: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0.8);
    let (mean, truth) = mcvideo_testkit::synth_mean::synth_mean(&SynthParams {
        seed,
        um_per_px: um,
        ..SynthParams::default()
    });
    let Some(v) = truth
        .vessels
        .iter()
        .max_by(|a, b| a.diameter_um.total_cmp(&b.diameter_um))
    else {
        return;
    };
    let n = v.centerline_px.len();
    let (a, b) = (v.centerline_px[n / 2 - 1], v.centerline_px[n / 2 + 1]);
    let p = v.centerline_px[n / 2];
    let (tx, ty) = (b[0] - a[0], b[1] - a[1]);
    let norm = tx.hypot(ty);
    let (nx, ny) = (-ty / norm, tx / norm);
    let r = v.diameter_um / um / 2.0;
    println!(
        "diameter {:.1} um = {:.1} px at {p:?}",
        v.diameter_um,
        2.0 * r
    );
    for k in -12..=12 {
        let s = f64::from(k) * r / 6.0;
        let (x, y) = (p[0] + s * nx, p[1] + s * ny);
        if x < 0.0
            || y < 0.0
            || x >= f64::from(mean.width() - 1)
            || y >= f64::from(mean.height() - 1)
        {
            continue;
        }
        println!(
            "{:+.2} r: {:.1}",
            s / r,
            mean.get_pixel(x.round() as u32, y.round() as u32)[0]
        );
    }
}

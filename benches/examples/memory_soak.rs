//! Memory soak: scores one clip (or only decodes it) many times in one process and prints the
//! resident memory, to check that nothing accumulates from clip to clip.
//!
//! `cargo run --release -p mcvideo-benches --example memory_soak -- CLIP [N] [decode]`

use mcvideo_score::{score_clip, ScoreParams};

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(clip) = args.get(1) else {
        eprintln!("usage: memory_soak CLIP [N] [decode]");
        std::process::exit(2);
    };
    let n: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(100);
    let decode_only = args.get(3).is_some_and(|a| a.starts_with("decode"));
    // `decode1`: one decoder thread, to tell FFmpeg's threads apart from the rest.
    let options = mcvideo_decode::DecodeOptions {
        threads: usize::from(args.get(3).is_some_and(|a| a == "decode1")),
        ..Default::default()
    };
    let params = ScoreParams {
        um_per_px: Some(1.2),
        ..ScoreParams::default()
    };
    for i in 0..n {
        if decode_only {
            if let Err(e) = mcvideo_decode::read_all_with(std::path::Path::new(clip), &options) {
                eprintln!("{e}");
                std::process::exit(1);
            }
        } else if let Err(e) = score_clip(std::path::Path::new(clip), &params) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        if i % 10 == 9 {
            println!("after {:4} clips: RSS {:.1} MiB", i + 1, rss_mib());
        }
    }
}

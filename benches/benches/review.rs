//! The review page's speed, over HTTP as the page asks: opening a 720×576, 25 fps clip (its
//! JSON, then the stabilized mean image: the one the scorer saved, or, without it, decoding the
//! clip; target ≤ 1 s),
//! serving the loop's stabilized frames (frames per second, target ≥ the clip's 25 fps), and
//! listing a 500-clip batch (target: at once, well under 100 ms), plus starting the server on
//! that batch.

use criterion::{criterion_group, criterion_main, Criterion};
use mcvideo_benches::data_dir;
use mcvideo_encode::VideoFormat;
use mcvideo_review::{serve, Catalog, Running, ServeOptions, Store};
use mcvideo_score::{score_clip, ScoreParams};
use mcvideo_synth::{write_clip, SynthParams};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

const CLIP_SECONDS: f64 = 5.0;
const FPS: f64 = 25.0;

/// A `score --out` folder with one 720×576 clip under four names: `a` and `b` with the mean
/// image the scorer saves, `c` and `d` without it. Opening two in turn always finds the other
/// one decoded (a cold open).
fn clip_folder() -> PathBuf {
    let dir = data_dir().join("review-720x576-mean");
    if dir.join("d.score.json").is_file() {
        return dir;
    }
    let params = SynthParams {
        width: 720,
        height: 576,
        duration_s: CLIP_SECONDS,
        fps: FPS,
        seed: 2026,
        ..SynthParams::default()
    };
    let out = write_clip(&params, &dir, "a", VideoFormat::Ffv1Avi).expect("the bench clip");
    let _ = std::fs::remove_file(&out.truth_path);
    let scored = score_clip(
        &out.clip_path,
        &ScoreParams {
            um_per_px: Some(params.um_per_px),
            ..ScoreParams::default()
        },
    )
    .expect("the bench clip scores");
    let json = serde_json::to_vec(&scored.report).expect("score JSON");
    let mean = scored.mean_png.expect("the saved mean image");
    for name in ["a", "b", "c", "d"] {
        if name != "a" {
            std::fs::copy(&out.clip_path, dir.join(format!("{name}.avi"))).expect("the clip");
        }
        std::fs::write(dir.join(format!("{name}.score.json")), &json).expect("the JSON");
        if name == "a" || name == "b" {
            std::fs::write(dir.join(format!("{name}.mean.png")), &mean).expect("the mean");
        }
    }
    dir
}

/// A batch folder of 500 clips: one score JSON copied under 500 ids, with sites.csv.
fn batch_folder(score_json: &Path) -> PathBuf {
    let dir = data_dir().join("review-batch-500");
    if dir.join("sites.csv").is_file() {
        return dir;
    }
    let clips = dir.join("clips");
    std::fs::create_dir_all(&clips).expect("the batch folder");
    let bytes = std::fs::read(score_json).expect("the score JSON");
    let mut sites = String::from("patient,day,site,path\n");
    for n in 0..500 {
        let (patient, day, site) = (format!("P{:03}", n / 8), (n / 4) % 2 + 1, n % 4 + 1);
        std::fs::write(
            clips.join(format!("{patient}_{day}_{site}.score.json")),
            &bytes,
        )
        .expect("a score JSON");
        sites.push_str(&format!(
            "{patient},{day},{site},{patient}/{day}/{site}.avi\n"
        ));
    }
    std::fs::write(dir.join("sites.csv"), sites).expect("sites.csv");
    dir
}

/// One GET over a fresh connection; the body's length.
fn get(server: &Running, path: &str) -> usize {
    let mut stream = TcpStream::connect(server.address).expect("connecting");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nX-Review-Token: {}\r\nConnection: close\r\n\r\n",
        server.address, server.token
    )
    .expect("sending");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("reading");
    let head_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    assert!(
        response.starts_with(b"HTTP/1.1 200"),
        "{path}: {}",
        String::from_utf8_lossy(&response[..head_end])
    );
    response.len() - head_end - 4
}

fn start(folder: &Path) -> Running {
    let store = Store::new(Catalog::open(folder, None).expect("the folder"));
    serve(store, ServeOptions::default()).expect("serving")
}

fn review(c: &mut Criterion) {
    let folder = clip_folder();
    let server = start(&folder);
    let mut group = c.benchmark_group("review");
    group.sample_size(10);
    // Opening: the clip's JSON and its mean image, the other clip being the decoded one; with
    // the scorer's saved mean image (the clip decodes in the background) and without it.
    for (pair, what) in [
        (["a", "b"], "saved mean image"),
        (["c", "d"], "decoding the clip"),
    ] {
        let mut turn = 0usize;
        group.bench_function(format!("open 720x576 5 s clip ({what})"), |b| {
            b.iter(|| {
                turn += 1;
                let id = pair[turn % 2];
                get(&server, &format!("/api/clips/{id}"));
                get(&server, &format!("/api/clips/{id}/mean.png"))
            })
        });
    }
    // The loop: one stabilized frame of the open clip; frames per second = 1 / time.
    get(&server, "/api/clips/a/mean.png");
    let frames = (CLIP_SECONDS * FPS) as usize;
    let mut t = 0usize;
    group.bench_function("one loop frame 720x576", |b| {
        b.iter(|| {
            t = (t + 1) % frames;
            get(&server, &format!("/api/clips/a/frames/{t}.png"))
        })
    });
    // The page keeps three frame requests in flight: frames per second = 3 / time.
    group.bench_function("three loop frames at once 720x576", |b| {
        b.iter(|| {
            t = (t + 3) % frames;
            std::thread::scope(|scope| {
                let requests: Vec<_> = (0..3)
                    .map(|k| {
                        let server = &server;
                        scope.spawn(move || {
                            get(
                                server,
                                &format!("/api/clips/a/frames/{}.png", (t + k) % frames),
                            )
                        })
                    })
                    .collect();
                requests
                    .into_iter()
                    .map(|r| r.join().expect("a request"))
                    .sum::<usize>()
            })
        })
    });
    server.stop();

    let batch = batch_folder(&folder.join("a.score.json"));
    group.bench_function("start the server on a 500-clip batch", |b| {
        b.iter(|| start(&batch).stop())
    });
    let server = start(&batch);
    group.bench_function("list a 500-clip batch", |b| {
        b.iter(|| get(&server, "/api/clips"))
    });
    server.stop();
    group.finish();
}

criterion_group!(benches, review);
criterion_main!(benches);

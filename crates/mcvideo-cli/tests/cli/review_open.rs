//! The review page opens a clip on the mean image `score --out` saved, without waiting for the
//! clip to decode, and that picture has the pixels the review computes from the decoded clip.

use crate::common::{bin, run_ok};
use mcvideo_review::{serve, Catalog, ServeOptions, Store};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

/// GET `target` with the token; the status and the body.
fn get(addr: SocketAddr, token: &str, target: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head =
        format!("GET {target}?token={token} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let status = String::from_utf8_lossy(&response[..split])
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response[split + 4..].to_vec())
}

fn pixels(png: &[u8]) -> image::GrayImage {
    image::load_from_memory(png).unwrap().to_luma8()
}

#[test]
fn the_saved_mean_image_opens_the_clip_and_matches_the_decoded_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(
        bin()
            .args(["synth", "--name", "c", "--seed", "3", "--width", "160"])
            .args(["--height", "120", "--fps", "25", "--duration", "2", "--out"])
            .arg(d),
    );
    run_ok(
        bin()
            .current_dir(d)
            .args(["score", "c.avi", "--um-per-px", "1.2", "--out", "scored"]),
    );
    let saved = std::fs::read(d.join("scored/c.mean.png")).expect("score --out saves the mean");

    let store = Store::new(Catalog::open(&d.join("scored"), Some(d)).unwrap());
    let running = serve(store, ServeOptions::default()).unwrap();
    let (addr, token) = (running.address, running.token.clone());

    // Before the clip is decoded, the page gets the saved picture itself.
    let (status, first) = get(addr, &token, "/api/clips/c/mean.png");
    assert_eq!(status, 200);
    assert_eq!(first, saved);
    // A frame of the loop needs the decoded clip; then the mean comes from the decoded frames.
    let (status, frame) = get(addr, &token, "/api/clips/c/frames/0.png");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&frame));
    let (status, decoded) = get(addr, &token, "/api/clips/c/mean.png");
    assert_eq!(status, 200);
    assert_ne!(
        decoded, saved,
        "the second picture should come from the decoded clip"
    );
    let (a, b) = (pixels(&saved), pixels(&decoded));
    assert_eq!(a.dimensions(), b.dimensions());
    assert!(
        a.as_raw() == b.as_raw(),
        "the saved and decoded mean images differ"
    );
    running.stop();
}

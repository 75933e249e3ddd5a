//! The server's promises, checked over raw TCP (no client that would tidy the paths): the
//! token on every request, the Host check, no file outside the folder whatever the path
//! (`..`, absolute, encoded slashes, symbolic links), bodies validated and size-limited, and
//! a version check that refuses a stale edit with 409.

use mcvideo_review::{serve, Catalog, ServeOptions, Store};
use std::io::{Read, Write};
use std::net::TcpStream;

use crate::common;

struct Reply {
    status: u16,
    body: String,
}

fn send(
    addr: std::net::SocketAddr,
    method: &str,
    target: &str,
    host: Option<&str>,
    extra: &str,
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    let host = host.map(str::to_string).unwrap_or_else(|| addr.to_string());
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n{extra}\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Reply { status, body }
}

#[test]
fn the_server_keeps_its_promises() {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("batch");
    common::build_folder(&dir);
    std::fs::write(outer.path().join("secret.txt"), "SECRET-OUTSIDE").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outer.path().join("secret.txt"), dir.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(outer.path(), dir.join("up")).unwrap();
    }
    let store = Store::new(Catalog::open(&dir, None).unwrap());
    let running = serve(store, ServeOptions::default()).unwrap();
    let addr = running.address;
    assert!(addr.ip().is_loopback());
    let token = running.token.clone();
    assert_eq!(token.len(), 32);
    let with_token = |target: &str| {
        format!(
            "{target}{}token={token}",
            if target.contains('?') { "&" } else { "?" }
        )
    };
    let get = |target: &str| send(addr, "GET", &with_token(target), None, "", b"");

    // The token: required everywhere, by query or header.
    assert_eq!(send(addr, "GET", "/", None, "", b"").status, 401);
    assert_eq!(send(addr, "GET", "/api/clips", None, "", b"").status, 401);
    assert_eq!(
        send(addr, "GET", "/api/clips?token=0123", None, "", b"").status,
        401
    );
    assert_eq!(
        send(addr, "GET", "/files/sites.csv", None, "", b"").status,
        401
    );
    let page = get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&token), "the page carries its token");
    assert_eq!(
        send(
            addr,
            "GET",
            "/api/clips",
            None,
            &format!("X-Review-Token: {token}\r\n"),
            b""
        )
        .status,
        200
    );
    // Another site's name for 127.0.0.1 is refused.
    assert_eq!(
        send(
            addr,
            "GET",
            &with_token("/api/clips"),
            Some("evil.example:80"),
            "",
            b""
        )
        .status,
        403
    );

    // Files: inside the folder only.
    let inside = get("/files/clips/P1_1_1.score.json");
    assert_eq!(inside.status, 200);
    assert!(inside.body.contains("mcvideo.score.v1"));
    for bad in [
        "/files/../secret.txt",
        "/files/clips/../../secret.txt",
        "/files/..%2Fsecret.txt",
        "/files/..%2fsecret.txt",
        "/files/%2E%2E/secret.txt",
        "/files/..%5Csecret.txt",
        "/files//etc/passwd",
        "/files/%2Fetc%2Fpasswd",
        "/files/link.txt",
        "/files/up/secret.txt",
        "/files/nothing.txt",
    ] {
        let r = get(bad);
        assert!(r.status == 403 || r.status == 404, "{bad}: {}", r.status);
        assert!(
            !r.body.contains("SECRET-OUTSIDE") && !r.body.contains("root:"),
            "{bad}"
        );
    }
    // Clip ids are looked up, never used as paths.
    assert_eq!(get("/api/clips/..%2F..%2Fsecret").status, 404);
    assert_eq!(get("/api/clips/../secret.txt").status, 404);

    // Bodies: schema and size.
    let post = |id: &str, body: &[u8]| {
        send(
            addr,
            "POST",
            &with_token(&format!("/api/clips/{id}/edit")),
            None,
            "Content-Type: application/json\r\n",
            body,
        )
    };
    let r = post(
        "P1_1_1",
        br#"{"base_version":0,"action":{"op":"confirm","sneaky":true}}"#,
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(post("P1_1_1", b"not json").status, 400);
    let huge = format!(
        r#"{{"base_version":0,"action":{{"op":"confirm"}},"pad":"{}"}}"#,
        "x".repeat(600 * 1024)
    );
    let r = post("P1_1_1", huge.as_bytes());
    assert_eq!(r.status, 400);
    assert!(r.body.contains("over"), "{}", r.body);
    assert!(!dir.join("review/P1_1_1.json").exists());
    // An edit for a clip id that is a path goes nowhere.
    assert_eq!(
        post(
            "..%2F..%2Fx",
            br#"{"base_version":0,"action":{"op":"confirm"}}"#
        )
        .status,
        404
    );

    // Two tabs: the second edit against the same version is refused, and says why.
    let first = post(
        "P1_1_1",
        br#"{"base_version":0,"action":{"op":"set_class","vessel":"a1","class":0}}"#,
    );
    assert_eq!(first.status, 200, "{}", first.body);
    let second = post(
        "P1_1_1",
        br#"{"base_version":0,"action":{"op":"delete","vessel":"a0"}}"#,
    );
    assert_eq!(second.status, 409);
    assert!(second.body.contains("another tab"), "{}", second.body);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("review/P1_1_1.json")).unwrap())
            .unwrap();
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["edits"].as_array().unwrap().len(), 1);

    // Nothing was written outside the folder.
    let outside: Vec<_> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside.len(), 2, "{outside:?}");
    running.stop();
}

//! The local web server: 127.0.0.1 only, a random token on every request, the page embedded
//! in the binary, JSON and PNG endpoints over the review folder.

use crate::corrections::{apply, EditRequest, VesselKey};
use crate::export::{automatic_summaries, clip_rows, corrected_clips, folder_agreement};
use crate::media::Media;
use crate::store::Store;
use crate::ReviewError;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};
use std::io::Read;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tiny_http::{Header, Method, Request, Response, Server};

/// Largest request body accepted (a drawn vessel of 10 000 points fits).
pub const MAX_BODY_BYTES: usize = 512 * 1024;

const INDEX_HTML: &str = include_str!("web/index.html");
const APP_JS: &str = include_str!("web/app.js");
const APP_CSS: &str = include_str!("web/app.css");

/// How to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Request-handling threads.
    pub threads: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            port: 0,
            threads: 4,
        }
    }
}

/// A running server.
pub struct Running {
    pub address: SocketAddr,
    pub token: String,
    stop: Arc<AtomicBool>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    /// The page's address with its token.
    pub fn url(&self) -> String {
        format!("http://{}/?token={}", self.address, self.token)
    }

    /// A flag that stops the server when set (for a Ctrl-C handler).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Waits until the stop flag is set and every worker has finished its request.
    pub fn join(self) {
        for worker in self.workers {
            let _ = worker.join();
        }
    }

    /// Stops and waits.
    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.join();
    }
}

/// A fresh 128-bit token from the operating system's random source, as hex.
pub fn random_token() -> Result<String, ReviewError> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| ReviewError::Serve {
        address: "127.0.0.1".into(),
        problem: format!("no random source for the access token: {e}"),
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

struct State {
    store: Store,
    token: String,
    port: u16,
    automatic: std::collections::BTreeMap<String, crate::export::AutomaticSummary>,
    media: Mutex<Option<Arc<Media>>>,
    loading: Mutex<()>,
    /// The clip to decode in the background next (the latest one opened), and whether a
    /// background decoder runs: fast navigation through the list decodes only where it stops.
    wanted: Mutex<Option<String>>,
    prefetching: AtomicBool,
}

/// Starts serving `store` on 127.0.0.1.
pub fn serve(store: Store, options: ServeOptions) -> Result<Running, ReviewError> {
    let address = format!("127.0.0.1:{}", options.port);
    let server = Server::http(&address).map_err(|e| ReviewError::Serve {
        address: address.clone(),
        problem: e.to_string(),
    })?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| ReviewError::Serve {
            address: address.clone(),
            problem: "not an IP socket".into(),
        })?;
    let automatic = automatic_summaries(&store)?;
    let state = Arc::new(State {
        store,
        token: random_token()?,
        port: bound.port(),
        automatic,
        media: Mutex::new(None),
        loading: Mutex::new(()),
        wanted: Mutex::new(None),
        prefetching: AtomicBool::new(false),
    });
    let server = Arc::new(server);
    let stop = Arc::new(AtomicBool::new(false));
    let workers = (0..options.threads.max(1))
        .map(|_| {
            let (server, state, stop) = (server.clone(), state.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match server.recv_timeout(Duration::from_millis(100)) {
                        Ok(Some(request)) => handle(&state, request),
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    Ok(Running {
        address: bound,
        token: state.token.clone(),
        stop,
        workers,
    })
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|_| {
        Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("static header")
    })
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
    Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Referrer-Policy", "no-referrer"))
}

fn json_reply(status: u16, value: &Value) -> Reply {
    reply(
        status,
        "application/json; charset=utf-8",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

fn error_reply(e: &ReviewError) -> Reply {
    let status = match e {
        ReviewError::Conflict { .. } => 409,
        ReviewError::UnknownClip(_) | ReviewError::NotFound(_) => 404,
        ReviewError::Path { .. } => 403,
        ReviewError::BadRequest(_) => 400,
        ReviewError::Media { .. } => 422,
        _ => 500,
    };
    let mut body = json!({ "error": e.to_string() });
    if let ReviewError::Conflict { saved, .. } = e {
        body["saved_version"] = json!(saved);
    }
    json_reply(status, &body)
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from timings.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn authorized(state: &State, request: &Request, query: &str) -> bool {
    let from_header = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("X-Review-Token"))
        .map(|h| h.value.as_str().to_string());
    let token = from_header.or_else(|| query_param(query, "token").map(str::to_string));
    token.map(|t| same(&t, &state.token)).unwrap_or(false)
}

/// The Host header must name this server, so a page of another site cannot reach it
/// through a DNS name rebound to 127.0.0.1.
fn host_ok(state: &State, request: &Request) -> bool {
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string());
    match host {
        Some(h) => {
            h == format!("127.0.0.1:{}", state.port) || h == format!("localhost:{}", state.port)
        }
        None => false,
    }
}

fn handle(state: &Arc<State>, mut request: Request) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let response = if !host_ok(state, &request) {
        json_reply(403, &json!({"error": "wrong Host header"}))
    } else if !authorized(state, &request, query) {
        json_reply(
            401,
            &json!({"error": "missing or wrong access token: open the address that `mcvideo review` printed"}),
        )
    } else {
        let method = request.method().clone();
        match route(state, &method, path, &mut request) {
            Ok(r) => r,
            Err(e) => error_reply(&e),
        }
    };
    let _ = request.respond(response);
}

fn read_body(request: &mut Request) -> Result<Vec<u8>, ReviewError> {
    if request
        .body_length()
        .map(|n| n > MAX_BODY_BYTES)
        .unwrap_or(false)
    {
        return Err(ReviewError::BadRequest(format!(
            "request body over {MAX_BODY_BYTES} bytes"
        )));
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| ReviewError::BadRequest(format!("reading the body: {e}")))?;
    if body.len() > MAX_BODY_BYTES {
        return Err(ReviewError::BadRequest(format!(
            "request body over {MAX_BODY_BYTES} bytes"
        )));
    }
    Ok(body)
}

fn decode_segment(segment: &str) -> Result<String, ReviewError> {
    percent_decode_str(segment)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ReviewError::BadRequest("not UTF-8".into()))
}

fn route(
    state: &Arc<State>,
    method: &Method,
    path: &str,
    request: &mut Request,
) -> Result<Reply, ReviewError> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        (Method::Get, [""]) => {
            let page = INDEX_HTML
                .replace("/*APP_CSS*/", APP_CSS)
                .replace("/*APP_JS*/", APP_JS)
                .replace("__TOKEN__", &state.token);
            Ok(reply(200, "text/html; charset=utf-8", page.into_bytes())
                .with_header(header(
                    "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' blob: data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'",
                )))
        }
        (Method::Get, ["api", "clips"]) => {
            let corrected = corrected_clips(&state.store)?;
            let rows = clip_rows(&state.store, &state.automatic, &corrected);
            Ok(json_reply(
                200,
                &json!({ "folder": state.store.catalog.folder.root(), "clips": rows }),
            ))
        }
        (Method::Get, ["api", "agreement"]) => {
            let corrected = corrected_clips(&state.store)?;
            let agreement = folder_agreement(&state.automatic, &corrected);
            let mut value = serde_json::to_value(&agreement).unwrap_or_default();
            value["ava"] = match crate::ava::saved_agreement(&state.store)? {
                Some((matched, metrics)) => json!({ "matched": matched, "metrics": metrics }),
                None => Value::Null,
            };
            Ok(json_reply(200, &value))
        }
        (Method::Get, ["api", "clips", id]) => {
            let id = decode_segment(id)?;
            Ok(json_reply(200, &detail(state, &id)?))
        }
        (Method::Post, ["api", "clips", id, "edit"]) => {
            let id = decode_segment(id)?;
            let body = read_body(request)?;
            let edit: EditRequest = serde_json::from_slice(&body)
                .map_err(|e| ReviewError::BadRequest(format!("edit request: {e}")))?;
            let media = media(state, &id).ok();
            state.store.edit(&id, &edit, |line| {
                media.as_ref().and_then(|m| m.measure_diameter_um(line))
            })?;
            Ok(json_reply(200, &detail(state, &id)?))
        }
        (Method::Get, ["api", "clips", id, "mean.png"]) => {
            let id = decode_segment(id)?;
            if cached_media(state, &id).is_none() {
                // The scorer's saved mean image opens the clip at once; the clip itself is
                // decoded meanwhile for the loop and the diagrams.
                if let Some(file) = &state.store.catalog.clip(&id)?.mean_file {
                    let path = state.store.catalog.folder.resolve_existing(file)?;
                    let bytes = std::fs::read(&path).map_err(|e| ReviewError::io(&path, e))?;
                    prefetch(state, id);
                    return Ok(reply(200, "image/png", bytes));
                }
            }
            let m = media(state, &id)?;
            Ok(reply(200, "image/png", m.mean_png()?))
        }
        (Method::Get, ["api", "clips", id, "frames", frame]) => {
            let m = media(state, &decode_segment(id)?)?;
            let t: usize = frame
                .strip_suffix(".png")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| ReviewError::BadRequest(format!("frame '{frame}'")))?;
            Ok(reply(200, "image/png", m.frame_png(t)?))
        }
        (Method::Get, ["api", "clips", id, "diagram", key]) => {
            let id = decode_segment(id)?;
            let key: VesselKey = key
                .strip_suffix(".png")
                .ok_or_else(|| ReviewError::BadRequest(format!("diagram '{key}'")))?
                .parse()?;
            let entry = state.store.catalog.clip(&id)?;
            let score = state.store.catalog.score(entry)?;
            let review = state.store.load(entry, &score)?;
            let corrected = apply(&score, &review.edits)?;
            let vessel = corrected
                .vessels
                .iter()
                .find(|v| v.key == key)
                .ok_or_else(|| ReviewError::BadRequest(format!("no vessel {key}")))?;
            let m = media(state, &id)?;
            Ok(reply(
                200,
                "image/png",
                m.diagram_png(&vessel.centerline_px, vessel.diameter_um)?,
            ))
        }
        (Method::Get, ["files", rest @ ..]) if !rest.is_empty() => {
            let file = state.store.catalog.folder.resolve_url(&rest.join("/"))?;
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("png") => "image/png",
                Some("json") => "application/json",
                Some("csv") => "text/csv; charset=utf-8",
                _ => "application/octet-stream",
            };
            let bytes = std::fs::read(&file).map_err(|e| ReviewError::io(&file, e))?;
            Ok(reply(200, kind, bytes))
        }
        (Method::Get, _) | (Method::Post, _) => Err(ReviewError::NotFound(path.to_string())),
        _ => Err(ReviewError::BadRequest(format!(
            "method {method} is not served"
        ))),
    }
}

/// Decodes `id` in the background. One decoder thread at most: it takes the latest clip asked
/// for whenever it is free, so clips passed over quickly are never decoded.
fn prefetch(state: &Arc<State>, id: String) {
    if let Ok(mut wanted) = state.wanted.lock() {
        *wanted = Some(id);
    }
    if state.prefetching.swap(true, Ordering::SeqCst) {
        return;
    }
    let state = Arc::clone(state);
    std::thread::spawn(move || loop {
        let next = state.wanted.lock().ok().and_then(|mut w| w.take());
        match next {
            // A failure is reported when the page asks for the clip's frames.
            Some(id) => {
                let _ = media(&state, &id);
            }
            None => {
                state.prefetching.store(false, Ordering::SeqCst);
                // A clip asked for between the take and the store above is still served.
                let pending = state.wanted.lock().map(|w| w.is_some()).unwrap_or(false);
                if !pending || state.prefetching.swap(true, Ordering::SeqCst) {
                    return;
                }
            }
        }
    });
}

/// The decoded clip of `id` if it is the one kept.
fn cached_media(state: &State, id: &str) -> Option<Arc<Media>> {
    state
        .media
        .lock()
        .ok()?
        .as_ref()
        .filter(|m| m.id() == id)
        .cloned()
}

/// The decoded clip of `id`, decoded once and kept while it is the clip being reviewed.
fn media(state: &State, id: &str) -> Result<Arc<Media>, ReviewError> {
    if let Some(m) = cached_media(state, id) {
        return Ok(m);
    }
    let _loading = state.loading.lock().map_err(|_| {
        ReviewError::BadRequest("a previous decode failed; restart the review".into())
    })?;
    if let Some(m) = cached_media(state, id) {
        return Ok(m);
    }
    let entry = state.store.catalog.clip(id)?;
    let file = entry.clip_file.as_ref().ok_or_else(|| ReviewError::Media {
        id: id.to_string(),
        problem: format!(
            "the clip file '{}' was not found; start the review with --clips FOLDER (where the batch read its clips)",
            entry.path
        ),
    })?;
    let score = state.store.catalog.score(entry)?;
    let media = Arc::new(Media::load(id, file, &score)?);
    if let Ok(mut slot) = state.media.lock() {
        *slot = Some(media.clone());
    }
    Ok(media)
}

fn detail(state: &State, id: &str) -> Result<Value, ReviewError> {
    let entry = state.store.catalog.clip(id)?;
    if entry.score_file.is_none() {
        return Ok(json!({ "id": id, "entry": entry, "failed": true }));
    }
    let score = state.store.catalog.score(entry)?;
    let review = state.store.load(entry, &score)?;
    let corrected = apply(&score, &review.edits)?;
    let offset = score
        .content_region
        .map(|a| {
            [
                f64::from(a[0]),
                f64::from(a[1]),
                f64::from(a[2] - a[0]),
                f64::from(a[3] - a[1]),
            ]
        })
        .unwrap_or([0.0, 0.0, f64::from(score.width), f64::from(score.height)]);
    Ok(json!({
        "id": id,
        "entry": entry,
        "failed": false,
        "width": score.width,
        "height": score.height,
        "picture": offset,
        "fps": score.fps,
        "frames": score.stabilization.shifts_px.len(),
        "um_per_px": score.um_per_px,
        "valid_region": score.stabilization.valid_region,
        "quality": { "score": score.quality_score, "acceptable": score.acceptable, "flags": score.quality_flags },
        "media_available": entry.clip_file.is_some(),
        "automatic_metrics": score.metrics,
        "review": {
            "version": review.version,
            "edits": review.edits,
            "can_undo": !review.edits.is_empty(),
            "can_redo": !review.redo.is_empty(),
            "stale": review.stale(&score),
        },
        "corrected": corrected,
    }))
}

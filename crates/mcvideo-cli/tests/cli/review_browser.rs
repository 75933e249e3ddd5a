//! `mcvideo review` in a real browser: a small synthetic batch is reviewed in headless
//! Chromium with the keyboard and mouse (one vessel's class changed, one deleted, one drawn),
//! and the saved review JSON, the recomputed metrics and the exported tables are checked
//! against values computed here from the score JSON. Screenshots go to docs/review/.
//!
//! Chromium must be at /usr/bin/chromium: without it this test fails, it does not skip.

use crate::common;

use headless_chrome::browser::tab::point::Point;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use mcvideo_testkit::csv_table::csv_rows;
use serde_json::Value;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

fn mcvideo(args: &[&OsStr]) {
    common::run_ok(common::bin().args(args));
}

/// The review server, stopped (SIGINT, as Ctrl-C) when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_review(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcvideo"))
        .args([OsStr::new("review"), dir.as_os_str()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    // Keep reading what the server prints, so it never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in '{line}'"))
        .to_string();
    assert!(url.contains("?token="), "{url}");
    Server { child, url }
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn js(tab: &Tab, expression: &str) -> Value {
    tab.evaluate(expression, false)
        .unwrap()
        .value
        .unwrap_or(Value::Null)
}

fn status(tab: &Tab) -> String {
    js(tab, "document.getElementById('status').textContent")
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn wait_saved(tab: &Tab, version: u64) {
    let expected = format!("saved (version {version})");
    wait_until(&expected, || {
        let failed = js(
            tab,
            "document.getElementById('status').className === 'error'",
        );
        assert_ne!(
            failed.as_bool(),
            Some(true),
            "the page says: {}",
            status(tab)
        );
        status(tab) == expected
    });
}

fn screenshot(tab: &Tab, name: &str) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/review");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

/// Where image point (x, y) is on the screen.
fn screen_point(tab: &Tab, p: [f64; 2]) -> Point {
    let v = js(
        tab,
        &format!(
            "(() => {{ const m = document.getElementById('svg').getScreenCTM(); \
             return JSON.stringify([m.a * {x} + m.c * {y} + m.e, m.b * {x} + m.d * {y} + m.f]); }})()",
            x = p[0],
            y = p[1]
        ),
    );
    let arr: Vec<Value> = serde_json::from_str(v.as_str().unwrap()).unwrap();
    let coordinate = |i: usize| arr.get(i).and_then(Value::as_f64).unwrap();
    Point {
        x: coordinate(0),
        y: coordinate(1),
    }
}

fn small_resolved(v: &Value, cutoff: f64) -> bool {
    v["diameter_um"].as_f64().unwrap() < cutoff && !v["flow_unresolved"].as_bool().unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn measured(v: &Value) -> mcvideo_metrics::MeasuredVessel {
    mcvideo_metrics::MeasuredVessel {
        centerline_px: serde_json::from_value(v["centerline_px"].clone()).unwrap(),
        diameter_um: v["diameter_um"].as_f64().unwrap(),
        flow_class: serde_json::from_value(v["flow_class"].clone()).unwrap(),
        velocity_um_s: v["velocity_um_s"].as_f64(),
        flow_unresolved: v["flow_unresolved"].as_bool().unwrap_or(false),
    }
}

fn sites_row(path: &Path, patient: &str, site: &str) -> std::collections::HashMap<String, String> {
    csv_rows(path)
        .into_iter()
        .find(|r| r["patient"] == patient && r["site"] == site)
        .unwrap()
}

#[test]
fn a_rater_corrects_a_clip_in_headless_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "Chromium is missing at {CHROMIUM}: this test needs it (apt-get install chromium)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    common::two_site_archive(
        &archive,
        ["11", "12"],
        &["--width", "320", "--height", "240", "--duration", "2"],
    );
    let out = tmp.path().join("out");
    mcvideo(&[
        "batch".as_ref(),
        archive.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--um-per-px".as_ref(),
        "1.2".as_ref(),
        "--jobs".as_ref(),
        "1".as_ref(),
    ]);
    let score = read_json(&out.join("clips/P1_1_1.score.json"));
    let cutoff = score["metrics"]["small_vessel_cutoff_um"].as_f64().unwrap();
    let vessels = score["vessels"].as_array().unwrap().clone();
    // The vessel to reclassify: a small flowing one; the one to delete (and draw back by
    // hand): the longest other small one.
    let reclassified = vessels
        .iter()
        .find(|v| small_resolved(v, cutoff) && v["flow_class"].as_u64().unwrap() >= 2)
        .expect("a small flowing vessel")
        .clone();
    let deleted = vessels
        .iter()
        .filter(|v| small_resolved(v, cutoff) && v["id"] != reclassified["id"])
        .max_by(|a, b| {
            a["length_um"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["length_um"].as_f64().unwrap())
        })
        .expect("another small vessel")
        .clone();
    let key = |v: &Value| format!("a{}", v["id"]);

    let server = start_review(&out);
    let profile = tmp.path().join("chromium-profile");
    let browser = Browser::new(LaunchOptions {
        headless: true,
        sandbox: false,
        enable_gpu: false,
        path: Some(PathBuf::from(CHROMIUM)),
        user_data_dir: Some(profile),
        window_size: Some((1400, 900)),
        idle_browser_timeout: Duration::from_secs(120),
        args: vec![
            OsStr::new("--disable-gpu"),
            OsStr::new("--disable-background-networking"),
            OsStr::new("--no-first-run"),
        ],
        ..Default::default()
    })
    .expect("launching Chromium");
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(60));
    tab.navigate_to(&server.url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();

    // The list: two clips; Enter opens the first.
    wait_until("the clip list", || {
        js(&tab, "document.querySelectorAll('#clips tbody tr').length").as_u64() == Some(2)
    });
    screenshot(&tab, "list.png");
    tab.press_key("Enter").unwrap();
    let opened = Instant::now();
    wait_until("the mean image", || {
        js(
            &tab,
            "!!document.getElementById('picture').getAttribute('href')",
        )
        .as_bool()
            == Some(true)
    });
    let open_seconds = opened.elapsed().as_secs_f64();
    eprintln!("clip opened with its mean image in {open_seconds:.2} s");

    // 1. Class: select in the vessel list, press 0.
    tab.find_element(&format!(
        "#vessel-list tr[data-key='{}']",
        key(&reclassified)
    ))
    .unwrap()
    .click()
    .unwrap();
    tab.press_key("0").unwrap();
    wait_saved(&tab, 1);
    // 2. Delete.
    tab.find_element(&format!("#vessel-list tr[data-key='{}']", key(&deleted)))
        .unwrap()
        .click()
        .unwrap();
    tab.press_key("Delete").unwrap();
    wait_saved(&tab, 2);
    // 3. Draw the deleted vessel back by hand: d, clicks along it, Enter.
    let line: Vec<[f64; 2]> = serde_json::from_value(deleted["centerline_px"].clone()).unwrap();
    let picks: Vec<[f64; 2]> = [1, 3, 5, 7, 9]
        .iter()
        .map(|k| line[k * (line.len() - 1) / 10])
        .collect();
    tab.press_key("d").unwrap();
    for &p in &picks {
        tab.click_point(screen_point(&tab, p)).unwrap();
    }
    tab.press_key("Enter").unwrap();
    wait_saved(&tab, 3);
    // 4. The 2 s synthetic clip is graded unacceptable for its duration; the rater accepts it,
    // which brings it into the agreement.
    tab.find_element("#acceptable").unwrap().click().unwrap();
    wait_saved(&tab, 4);
    tab.find_element("#vessel-list tr[data-key='d0']")
        .unwrap()
        .click()
        .unwrap();
    wait_until("the space-time diagram", || {
        js(&tab, "!document.getElementById('diagram').hidden").as_bool() == Some(true)
    });
    screenshot(&tab, "clip.png");
    tab.find_element("#tab-agreement").unwrap().click().unwrap();
    wait_until("the agreement table", || {
        js(
            &tab,
            "document.querySelectorAll('#agreement-table tr[data-metric]').length",
        )
        .as_u64()
            == Some(5)
    });
    screenshot(&tab, "agreement.png");
    drop(tab);
    drop(browser);
    drop(server);

    // The saved review: three edits, in order, with their times.
    let review = read_json(&out.join("review/P1_1_1.json"));
    assert_eq!(review["schema"], "mcvideo.review.v1");
    assert_eq!(review["version"], 4);
    let edits = review["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 4);
    assert_eq!(edits[3]["change"]["op"], "acceptable");
    assert_eq!(edits[0]["change"]["op"], "set_class");
    assert_eq!(edits[0]["change"]["vessel"], key(&reclassified).as_str());
    assert_eq!(edits[0]["change"]["class"], 0);
    assert_eq!(edits[1]["change"]["op"], "delete");
    assert_eq!(edits[1]["change"]["vessel"], key(&deleted).as_str());
    let draw = &edits[2]["change"];
    assert_eq!(draw["op"], "draw");
    assert_eq!(draw["class"], 3);
    assert!(edits
        .iter()
        .all(|e| e["at"].as_str().unwrap().ends_with('Z')));
    let drawn_line: Vec<[f64; 2]> = serde_json::from_value(draw["centerline_px"].clone()).unwrap();
    assert_eq!(drawn_line.len(), picks.len());
    for (drawn, picked) in drawn_line.iter().zip(&picks) {
        assert!(
            (drawn[0] - picked[0]).abs() < 1.0 && (drawn[1] - picked[1]).abs() < 1.0,
            "{drawn:?} vs {picked:?}"
        );
    }
    // Its diameter: measured from the picture when the profile shows the vessel (then near
    // the detector's for the same vessel), else the rater's fallback from the page (8 µm).
    let (drawn_d, auto_d) = (
        draw["diameter_um"].as_f64().unwrap(),
        deleted["diameter_um"].as_f64().unwrap(),
    );
    eprintln!(
        "drawn vessel diameter {drawn_d} µm ({}), detected {auto_d} µm",
        draw["diameter_source"]
    );
    match draw["diameter_source"].as_str().unwrap() {
        "measured" => assert!(
            drawn_d > 0.5 * auto_d && drawn_d < 2.0 * auto_d,
            "drawn {drawn_d} µm, detected {auto_d} µm"
        ),
        "given" => assert_eq!(drawn_d, 8.0),
        other => panic!("diameter_source {other}"),
    }
    // The score JSON is untouched.
    assert_eq!(read_json(&out.join("clips/P1_1_1.score.json")), score);

    // The corrected metrics, recomputed here from the score JSON and the three changes.
    let mut corrected: Vec<mcvideo_metrics::MeasuredVessel> = Vec::new();
    for v in &vessels {
        if v["id"] == deleted["id"] {
            continue;
        }
        let mut m = measured(v);
        if v["id"] == reclassified["id"] {
            m.flow_class = mcvideo_metrics::FlowClass::NoFlow;
            m.velocity_um_s = None;
            m.flow_unresolved = false;
        }
        corrected.push(m);
    }
    corrected.push(mcvideo_metrics::MeasuredVessel {
        centerline_px: drawn_line,
        diameter_um: drawn_d,
        flow_class: mcvideo_metrics::FlowClass::Continuous,
        velocity_um_s: None,
        flow_unresolved: false,
    });
    let params = mcvideo_metrics::MetricsParams {
        um_per_px: score["calibration"]["um_per_px"].as_f64().unwrap(),
        small_vessel_cutoff_um: cutoff,
        valid_region: serde_json::from_value(score["stabilization"]["valid_region"].clone())
            .unwrap(),
    };
    let expected = mcvideo_metrics::site_metrics(&corrected, &params).unwrap();
    let saved: mcvideo_metrics::SiteMetrics =
        serde_json::from_value(review["corrected_metrics"].clone()).unwrap();
    assert_eq!(saved, expected);
    let automatic: mcvideo_metrics::SiteMetrics =
        serde_json::from_value(score["metrics"].clone()).unwrap();
    assert!(
        saved.pvd_mm_per_mm2 < automatic.pvd_mm_per_mm2,
        "a flowing vessel was stopped"
    );

    // --export, without a browser: the tables carry the corrections and `reviewed`.
    mcvideo(&["review".as_ref(), out.as_os_str(), "--export".as_ref()]);
    let site1 = sites_row(&out.join("sites.csv"), "P1", "1");
    assert_eq!(site1["reviewed"], "true");
    assert_eq!(
        site1["tvd_mm_per_mm2"].parse::<f64>().unwrap(),
        expected.tvd_mm_per_mm2
    );
    assert_eq!(
        site1["pvd_mm_per_mm2"].parse::<f64>().unwrap(),
        expected.pvd_mm_per_mm2
    );
    let site2 = sites_row(&out.join("sites.csv"), "P1", "2");
    assert_eq!(site2["reviewed"], "false");
    let score2 = read_json(&out.join("clips/P1_1_2.score.json"));
    assert_eq!(
        site2["tvd_mm_per_mm2"].parse::<f64>().unwrap(),
        score2["metrics"]["tvd_mm_per_mm2"].as_f64().unwrap()
    );
    // Agreement over the one reviewed clip: the bias is automatic − corrected.
    let agreement = std::fs::read_to_string(out.join("review/agreement.csv")).unwrap();
    let pvd_line = agreement
        .lines()
        .find(|l| l.starts_with("pvd_mm_per_mm2,"))
        .unwrap();
    let cells: Vec<&str> = pvd_line.split(',').collect();
    assert_eq!(cells[2], "1");
    let bias: f64 = cells[5].parse().unwrap();
    assert!((bias - (automatic.pvd_mm_per_mm2 - expected.pvd_mm_per_mm2)).abs() < 1e-9);

    // A later `batch --resume` leaves the corrections alone ...
    mcvideo(&[
        "batch".as_ref(),
        archive.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--um-per-px".as_ref(),
        "1.2".as_ref(),
        "--resume".as_ref(),
    ]);
    assert_eq!(read_json(&out.join("review/P1_1_1.json")), review);
    // ... and its tables carry them without another export.
    let resumed = sites_row(&out.join("sites.csv"), "P1", "1");
    assert_eq!(resumed["reviewed"], "true");
    assert_eq!(
        resumed["pvd_mm_per_mm2"].parse::<f64>().unwrap(),
        expected.pvd_mm_per_mm2
    );
}

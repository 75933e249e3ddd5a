//! Opens report.html in headless Chromium (Debian's `chromium`): the page loads without console
//! errors, every figure is in the DOM, a data value `<script>` stays text, and the README's
//! screenshots of the report are taken (`docs/study/*.png`).

use headless_chrome::protocol::cdp::Page::{CaptureScreenshotFormatOption, Viewport};
use headless_chrome::{Browser, LaunchOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

/// Chromium, which `tools/setup-system.sh` installs; these tests fail without it.
fn chromium() -> PathBuf {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("Chromium is missing at /usr/bin/chromium: this test needs it (tools/setup-system.sh installs it)")
}

/// Runs chromium headless with `args` on `url` (60 s limit); returns (stdout, stderr).
fn run_chromium(bin: &Path, args: &[&str], url: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("timeout")
        .arg("60")
        .arg(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .expect("run chromium");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Console messages, script errors and blocked loads in Chromium's log.
fn console_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Refused to")
                || l.contains("net::ERR_")
        })
        .collect()
}

#[test]
fn report_opens_in_headless_chromium() {
    let bin = chromium();
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mcvideo-study-report");
    let _ = std::fs::remove_dir_all(&work);
    let config = cohort_a_with_batch_folder(&work);
    let out = work.join("out");
    let summary = mcvideo_study::run(&config, &out).unwrap();
    let svgs: Vec<&String> = summary
        .files
        .iter()
        .filter(|f| f.ends_with(".svg"))
        .collect();
    let report = out.join("report.html");
    let url = format!("file://{}", report.display());

    let (dom, stderr) = run_chromium(&bin, &["--dump-dom"], &url);
    assert!(dom.contains("</html>"), "no DOM dumped; stderr:\n{stderr}");
    let errors = console_errors(&stderr);
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
    assert_eq!(
        dom.matches("<figure").count(),
        svgs.len(),
        "figures in the DOM"
    );
    for f in &svgs {
        assert!(
            dom.contains(&format!("data-file=\"{f}\"")),
            "{f} not in the page"
        );
    }
    assert_eq!(dom.matches("<svg").count(), svgs.len());
    check_new_elements(&dom);

    screenshots(&bin, &url);
}

/// The parts of the report the README shows, each captured as the reader sees it: the whole flow
/// of clips to patients, a GAM threshold figure, a Kaplan–Meier figure and the Cox forest plot.
fn screenshots(bin: &Path, url: &str) {
    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::new(LaunchOptions {
        headless: true,
        sandbox: false,
        enable_gpu: false,
        path: Some(bin.to_path_buf()),
        user_data_dir: Some(profile.path().to_path_buf()),
        window_size: Some((1100, 1400)),
        idle_browser_timeout: Duration::from_secs(120),
        ..Default::default()
    })
    .expect("launching Chromium");
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(60));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/study");
    std::fs::create_dir_all(&dir).unwrap();
    for (selector, name) in [
        ("figure[data-file='flow.svg']", "report_flow.png"),
        ("figure[data-file='gam_mfi.svg']", "report_gam.png"),
        ("figure[data-file='km_90-day_0_783.svg']", "report_km.png"),
        ("figure[data-file='forest_cox.svg']", "report_forest.png"),
    ] {
        tab.navigate_to(url)
            .unwrap()
            .wait_until_navigated()
            .unwrap();
        // The part alone on the page, at its top: its box is then the same in page and viewport
        // coordinates, whatever the page's length.
        let rect = tab
            .evaluate(
                &format!(
                    "(() => {{ const el = document.querySelector(\"{selector}\"); \
                     if (!el) return ''; document.body.replaceChildren(el); window.scrollTo(0, 0); \
                     const r = el.getBoundingClientRect(); \
                     return [r.left, r.top, r.width, r.height].join(','); }})()"
                ),
                false,
            )
            .unwrap()
            .value
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let r: Vec<f64> = rect.split(',').filter_map(|v| v.parse().ok()).collect();
        assert_eq!(r.len(), 4, "{selector} not in the report");
        let margin = 8.0;
        let clip = Viewport {
            x: (r[0] - margin).max(0.0),
            y: (r[1] - margin).max(0.0),
            width: r[2] + 2.0 * margin,
            height: r[3] + 2.0 * margin,
            scale: 1.0,
        };
        let png = tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, Some(clip), true)
            .unwrap_or_else(|e| panic!("screenshot of {selector}: {e}"));
        let picture = image::load_from_memory(&png)
            .expect("a PNG screenshot")
            .to_luma8();
        assert!(
            picture.width() > 300 && picture.height() > 200,
            "{selector}: {}x{} screenshot",
            picture.width(),
            picture.height()
        );
        let dark = picture.pixels().filter(|p| p.0[0] < 128).count();
        assert!(
            dark > 500,
            "{selector}: the screenshot is blank ({dark} dark pixels)"
        );
        std::fs::write(dir.join(name), png).unwrap();
    }
}

/// Cohort A (fixtures/study/cohort_a.toml) with its day-3 table in a batch folder whose
/// `sites.csv` and `failures.csv` hold exclusions at every clip stage: 400 clips in the
/// manifest, 4 not scored (two reasons), 17 of the 396 scored of unacceptable quality, and 2
/// patient-days whose every clip failed quality. Returns the config's path.
fn cohort_a_with_batch_folder(dir: &Path) -> PathBuf {
    let batch = dir.join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    std::fs::copy(
        fixture("study/cohort_a_day3.csv"),
        batch.join("patients.csv"),
    )
    .unwrap();
    let mut sites = String::from("patient,day,site,path,quality_acceptable\n");
    let mut failures = String::from("path,patient,day,site,error\n");
    for patient in 1..=66 {
        for day in [1, 3] {
            for site in 1..=3 {
                let path = format!("clips/P{patient:03}/{day}/S{site}.avi");
                let failed = match (patient, day, site) {
                    (12 | 40, 1, 3) => {
                        Some("cannot decode: Invalid data found when processing input")
                    }
                    (25 | 51, 3, 2) => Some("too few frames: 1 decoded, at least 3 needed"),
                    _ => None,
                };
                if let Some(error) = failed {
                    failures.push_str(&format!(
                        "{path},P{patient:03},{day},S{site},\"{path}: {error}\"\n"
                    ));
                    continue;
                }
                // Site 3 of every 10th patient-day fails quality, and every site of two
                // patient-days.
                let unacceptable = ((patient + day) % 10 == 0 && site == 3)
                    || (day == 3 && (patient == 7 || patient == 33));
                sites.push_str(&format!(
                    "P{patient:03},{day},S{site},{path},{}\n",
                    !unacceptable
                ));
            }
        }
    }
    // Four more clips of day 1, so that the manifest holds 400.
    for patient in 63..=66 {
        sites.push_str(&format!(
            "P{patient:03},1,S4,clips/P{patient:03}/1/S4.avi,true\n"
        ));
    }
    std::fs::write(batch.join("sites.csv"), sites).unwrap();
    std::fs::write(batch.join("failures.csv"), failures).unwrap();
    let config = std::fs::read_to_string(fixture("study/cohort_a.toml"))
        .unwrap()
        .replace(
            "clinical = \"../reference/cohort_a.csv\"",
            &format!(
                "clinical = \"{}\"",
                fixture("reference/cohort_a.csv").display()
            ),
        )
        .replace(
            "batch = \"cohort_a_day3.csv\"",
            "batch = \"batch/patients.csv\"",
        );
    let path = dir.join("study.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// The elements a publishable report needs, as Chromium parsed them.
fn check_new_elements(dom: &str) {
    // The flow of clips and patients: a table and a figure.
    assert!(dom.contains("Flow of clips and patients"), "flow table");
    assert!(dom.contains("data-file=\"flow.svg\""), "flow figure");
    // Every clip stage with its count and the reason of each exclusion, in the figure.
    let flow = figure(dom, "flow.svg");
    for text in [
        "clips in the manifest (n = 400)",
        "not scored: Invalid data found when processing input (n = 2)",
        "not scored: 1 decoded, at least 3 needed (n = 2)",
        "clips scored (n = 396)",
        "quality not acceptable (Massey 2013 score) (n = 17)",
        "clips of acceptable quality",
        "patient-days whose every clip failed quality (n = 2)",
        "patients on day 1 (n = 66)",
    ] {
        assert!(flow.contains(text), "flow figure: no {text:?}");
    }
    // Median survival with its CI, survival at day 28 and 90 with CIs, and cox.zph.
    assert!(dom.contains("median survival (95% CI)"));
    assert!(dom.contains("Survival at day 28 and 90"));
    assert!(dom.contains("Proportional-hazards test (scaled Schoenfeld residuals"));
    assert!(dom.contains("<td>GLOBAL</td>"), "the global cox.zph test");
    // GAM plots carry partial residuals; KM curves, GAM bands and scatter fits are smooth paths
    // with CI bands (sub-pixel coordinates, filled with transparency).
    let gam = figure(dom, "gam_mfi.svg");
    assert!(gam.contains("partial residuals") && gam.matches("<circle").count() >= 66);
    for f in ["gam_mfi.svg", "scatter_mfi.svg", "km_28-day_0_5.svg"] {
        let svg = figure(dom, f);
        assert!(svg.contains("fill-opacity"), "{f}: no CI band");
        let path = &svg[svg.find("<path d=\"M").map_or(0, |i| i + 10)..];
        let first = path.split_whitespace().next().unwrap_or("");
        assert!(
            first.contains('.'),
            "{f}: coordinates rounded to whole pixels: {first}"
        );
    }
    // Labels from the config with typeset units.
    assert!(dom.contains("NE dose (µg/kg/min)"));
    // The reproducibility block: version, config, seeds and input hashes.
    assert!(dom.contains(">Reproducibility</h2>"));
    assert!(dom.contains("seed (threshold.seed)"));
    let hashes = dom
        .split("<td>")
        .filter(|cell| {
            let h = cell.split('<').next().unwrap_or("");
            h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit())
        })
        .count();
    assert_eq!(
        hashes, 5,
        "config, clinical table and batch tables (patients, sites, failures) hashed"
    );
}

/// The markup of one figure of the DOM.
fn figure<'a>(dom: &'a str, file: &str) -> &'a str {
    let start = dom
        .find(&format!("data-file=\"{file}\""))
        .unwrap_or_else(|| panic!("{file} not in the page"));
    let end = dom[start..]
        .find("</figure>")
        .map_or(dom.len(), |e| start + e);
    &dom[start..end]
}

#[test]
fn script_in_data_stays_text_in_chromium() {
    let bin = chromium();
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = common_hostile(dir.path());
    let out = dir.path().join("out");
    mcvideo_study::run(&config, &out).unwrap();
    let url = format!("file://{}", out.join("report.html").display());
    let (dom, stderr) = run_chromium(&bin, &["--dump-dom"], &url);
    assert!(dom.contains("</html>"), "no DOM; stderr:\n{stderr}");
    assert!(
        !dom.contains("<script"),
        "a <script> element reached the DOM"
    );
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(console_errors(&stderr).is_empty(), "{stderr}");
}

/// A copy of cohort A with a text column holding `<script>alert(1)</script>` and a hostile label.
fn common_hostile(dir: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(fixture("reference/cohort_a.csv")).unwrap();
    let mut lines = text.lines();
    let mut csv = format!("{},note\n", lines.next().unwrap());
    for (i, l) in lines.enumerate() {
        let note = if i % 2 == 0 {
            "<script>alert(1)</script>"
        } else {
            "plain"
        };
        csv.push_str(&format!("{l},{note}\n"));
    }
    let data = dir.join("cohort.csv");
    std::fs::write(&data, csv).unwrap();
    let config = dir.join("study.toml");
    std::fs::write(
        &config,
        r#"
dose = "ne_dose"
outcomes = ["mfi"]
covariates = ["apache2"]
[labels]
mfi = "<img src=x onerror=alert(2)>"
[data]
clinical = "cohort.csv"
[baseline]
cutoff = 0.5
variables = ["mfi", "note"]
categorical = ["note"]
[threshold]
bootstrap = 20
[survival]
horizons = [{ label = "28-day", time = "time28", event = "death28" }]
cutoffs = [0.5]
"#,
    )
    .unwrap();
    (config, data)
}

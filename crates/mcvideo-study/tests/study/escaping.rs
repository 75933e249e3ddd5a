//! Every string from the data or the config is escaped in report.html; the page loads nothing
//! from outside.

use std::path::Path;

#[test]
fn data_strings_are_escaped_and_nothing_external_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let cohort =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/reference/cohort_a.csv");
    let text = std::fs::read_to_string(cohort).unwrap();
    let mut lines = text.lines();
    let mut csv = format!("{},note\n", lines.next().unwrap());
    for (i, l) in lines.enumerate() {
        let note = if i % 2 == 0 {
            "<script>alert(1)</script>"
        } else {
            "a&b \"q\""
        };
        csv.push_str(&format!("{l},{note}\n"));
    }
    std::fs::write(dir.path().join("cohort.csv"), csv).unwrap();
    let config = dir.path().join("study.toml");
    std::fs::write(
        &config,
        r#"
title = "Study <b>bold</b>"
dose = "ne_dose"
outcomes = ["mfi"]
[labels]
mfi = "<img src=x onerror=alert(2)>"
[data]
clinical = "cohort.csv"
[baseline]
cutoff = 0.5
variables = ["mfi", "note"]
categorical = ["note"]
[threshold]
bootstrap = 10
[survival]
horizons = [{ label = "28<day>", time = "time28", event = "death28" }]
cutoffs = [0.5]
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    mcvideo_study::run(&config, &out).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script"), "raw <script> in the report");
    assert!(!html.contains("<img"), "raw <img> in the report");
    assert!(!html.contains("<b>bold"), "raw title markup");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the data value is shown as text"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "the label is shown as text"
    );
    assert!(html.contains("a&amp;b &quot;q&quot;"));
    assert!(html.contains("28&lt;day&gt;"));
    // Self-contained: no element that loads anything, links only to in-page anchors.
    for tag in [
        "<img", "<link", "<iframe", "<object", "<embed", "<image", "<use",
    ] {
        assert!(!html.contains(tag), "{tag} in the report");
    }
    assert!(!html.contains("src=\""), "external source in the report");
    assert_eq!(
        html.matches("href=\"").count(),
        html.matches("href=\"#").count()
    );
    assert!(!html.contains("@import") && !html.contains("url("));
}

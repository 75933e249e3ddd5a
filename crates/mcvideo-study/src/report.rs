//! The self-contained HTML report: sections of text, tables and inline SVG figures; every
//! string is HTML-escaped, nothing is loaded from outside the file.

/// A piece of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// A paragraph of plain text.
    Text(String),
    /// A table: caption, header cells, rows of cells.
    Table {
        /// Caption above the table.
        caption: String,
        /// Header cells.
        header: Vec<String>,
        /// Rows.
        rows: Vec<Vec<String>>,
    },
    /// Preformatted text (a config file, code).
    Code(String),
    /// An inline SVG figure (drawn by [`crate::figures`]) with its file name and caption.
    Figure {
        /// File name of the figure in the output folder (shown as an id).
        file: String,
        /// The SVG text (plotters has escaped its texts).
        svg: String,
        /// Caption.
        caption: String,
    },
}

/// A titled section.
#[derive(Debug, Clone)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Content in order.
    pub blocks: Vec<Block>,
}

/// Escapes text for HTML element content and attribute values.
///
/// ```
/// assert_eq!(mcvideo_study::report::escape("<script>alert('1')</script> & \"x\""),
///            "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt; &amp; &quot;x&quot;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1140px;margin:24px auto;padding:0 16px;color:#222;line-height:1.4}\
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:2em}\
table{border-collapse:collapse;margin:8px 0 20px;font-size:0.88em}caption{text-align:left;font-weight:bold;padding:4px 0}\
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}td{white-space:nowrap}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}\
figure{display:inline-block;margin:8px;vertical-align:top}figcaption{font-size:0.85em;color:#555;max-width:540px}\
.meta{color:#666;font-size:0.85em}pre{background:#f7f7f7;padding:8px;font-size:0.8em;overflow-x:auto}.scroll{overflow-x:auto}";

/// Renders the report: title, a line of metadata, then each section.
///
/// ```
/// use mcvideo_study::report::{render, Block, Section};
/// let s = Section { title: "Cohort".into(), blocks: vec![Block::Text("<b>".into())] };
/// let html = render("Study", "n = 1", &[s]);
/// assert!(html.contains("<h2 id=\"s1\">Cohort</h2>") && html.contains("<p>&lt;b&gt;</p>"));
/// ```
pub fn render(title: &str, meta: &str, sections: &[Section]) -> String {
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n",
    );
    html.push_str(&format!(
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    ));
    html.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"meta\">{}</p>\n",
        escape(title),
        escape(meta)
    ));
    html.push_str("<nav><ol>\n");
    for (i, s) in sections.iter().enumerate() {
        html.push_str(&format!(
            "<li><a href=\"#s{}\">{}</a></li>\n",
            i + 1,
            escape(&s.title)
        ));
    }
    html.push_str("</ol></nav>\n");
    for (i, s) in sections.iter().enumerate() {
        html.push_str(&format!(
            "<section>\n<h2 id=\"s{}\">{}</h2>\n",
            i + 1,
            escape(&s.title)
        ));
        for block in &s.blocks {
            match block {
                Block::Text(t) => html.push_str(&format!("<p>{}</p>\n", escape(t))),
                Block::Code(t) => html.push_str(&format!("<pre>{}</pre>\n", escape(t))),
                Block::Table {
                    caption,
                    header,
                    rows,
                } => {
                    html.push_str(&format!(
                        "<table>\n<caption>{}</caption>\n<thead><tr>",
                        escape(caption)
                    ));
                    for h in header {
                        html.push_str(&format!("<th>{}</th>", escape(h)));
                    }
                    html.push_str("</tr></thead>\n<tbody>\n");
                    for row in rows {
                        html.push_str("<tr>");
                        for cell in row {
                            html.push_str(&format!("<td>{}</td>", escape(cell)));
                        }
                        html.push_str("</tr>\n");
                    }
                    html.push_str("</tbody>\n</table></div>\n");
                }
                Block::Figure { file, svg, caption } => {
                    html.push_str(&format!(
                        "<figure class=\"figure\" data-file=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                        escape(file),
                        strip_xml_prolog(svg),
                        escape(caption)
                    ));
                }
            }
        }
        html.push_str("</section>\n");
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// Drops an `<?xml ...?>` prolog, which is not allowed inside HTML.
fn strip_xml_prolog(svg: &str) -> &str {
    let t = svg.trim_start();
    if t.starts_with("<?xml") {
        t.find("?>").map_or(t, |i| t[i + 2..].trim_start())
    } else {
        t
    }
}

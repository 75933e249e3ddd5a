//! A lab's earlier scorings as the reference: AVA 3.0/3.2 per-clip `<video>_Report1.txt`
//! exports and CCTools text exports, read tolerantly, matched to the clips by file stem, and
//! the agreement of the automatic scoring with them over the whole archive.
//!
//! What is known of AVA's report layout comes from MicroTools' published batch script that
//! parses these files: tab-separated lines, comma decimal separators, a line whose label ends
//! in `TVD) (mm/mm2)` followed by the small-, large- and all-vessel values, the same for
//! `PVD) (mm/mm2)`, `PPV) (%)` and `MFI)`, and a per-vessel-size MFI table starting at a
//! `Small` row. CCTools writes `TVD:`, `PVD:`, `PPV:` and `MFI:` lines. Anything else in a
//! file is ignored; what could not be read is reported with its file and line, never fatal.

use crate::agreement::{metric, metric_agreement, metrics_csv, MetricAgreement};
use crate::export::automatic_summaries;
use crate::store::{Store, REVIEW_DIR};
use crate::ReviewError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The metrics an AVA or CCTools export gives, as (score JSON column, label, AVA label end,
/// CCTools key). AVA's small-vessel values are compared: the score JSON's metrics are those of
/// the small vessels too.
const READ: [(&str, &str, &str, &str); 4] = [
    ("tvd_mm_per_mm2", "TVD", "tvd)(mm/mm2)", "tvd"),
    ("pvd_mm_per_mm2", "PVD", "pvd)(mm/mm2)", "pvd"),
    ("ppv_pct", "PPV", "ppv)(%)", "ppv"),
    ("mfi", "MFI", "mfi)", "mfi"),
];

/// Folders below the AVA folder searched for exports.
const MAX_DEPTH: usize = 8;

/// Which program wrote a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// AVA 3.x `<video>_Report1.txt`.
    Ava,
    /// CCTools text export `<video>.txt`.
    Cctools,
}

/// One clip's scoring read from an export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AvaScoring {
    /// The video's name: the file name without `_Report1.txt` (AVA) or `.txt` (CCTools).
    pub video: String,
    /// The file, relative to the AVA folder, with `/` separators.
    pub file: String,
    pub format: ExportFormat,
    /// Small-vessel values in the order of [`READ`]: TVD, PVD (mm/mm²), PPV (%), MFI.
    pub values: [Option<f64>; 4],
    /// Lines recognized (metric lines and the MFI table's Small row), read or not.
    pub recognized_lines: usize,
}

/// Something in an export that could not be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadWarning {
    /// The file, relative to the AVA folder.
    pub file: String,
    /// 1-based line, when the problem is on one line.
    pub line: Option<usize>,
    pub problem: String,
}

/// Text of a file whatever encoding AVA or CCTools wrote it in: UTF-16 (with a byte order
/// mark, or recognized by its zero bytes), UTF-8 (with or without a mark), else Latin-1 (every
/// byte one character, as Windows writes µ and ²).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest)
            .map(str::to_string)
            .unwrap_or_else(|_| latin1(rest));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    // ASCII text in UTF-16 without a mark: every other byte is zero.
    let pairs = bytes.len() / 2;
    if pairs >= 2 {
        let zeros_at = |offset: usize| {
            bytes
                .chunks_exact(2)
                .filter(|pair| pair[offset] == 0 && pair[1 - offset] != 0)
                .count()
        };
        if zeros_at(1) * 2 > pairs {
            return utf16(bytes, u16::from_le_bytes);
        }
        if zeros_at(0) * 2 > pairs {
            return utf16(bytes, u16::from_be_bytes);
        }
    }
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .unwrap_or_else(|_| latin1(bytes))
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| unit([pair[0], pair[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// A number written with a decimal comma or point (`12,5`, `12.5`, `1.234,5`), a trailing `%`
/// allowed. `None` for anything else, and for infinities and NaN.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim().trim_end_matches('%').trim();
    if text.is_empty() {
        return None;
    }
    let normalized = if text.contains(',') {
        // `1.234,5`: the point groups thousands, the comma is the decimal separator.
        text.replace('.', "").replace(',', ".")
    } else {
        text.to_string()
    };
    normalized.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Where `pattern` (lower case, no spaces) ends in `line`, comparing without case, spaces and
/// with `²` read as `2`: the byte offset just after the match.
fn find_label_end(line: &str, pattern: &str) -> Option<usize> {
    let mut normalized: Vec<char> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    for (at, c) in line.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        let c = if c == '²' { '2' } else { c };
        for lower in c.to_lowercase() {
            normalized.push(lower);
            ends.push(at + c.len_utf8());
        }
    }
    let pattern: Vec<char> = pattern.chars().collect();
    if pattern.is_empty() || normalized.len() < pattern.len() {
        return None;
    }
    (0..=normalized.len() - pattern.len())
        .find(|&i| normalized[i..i + pattern.len()] == pattern[..])
        .map(|i| ends[i + pattern.len() - 1])
}

/// The value cells after a label: tab-separated when the line has tabs, else separated by
/// blanks or semicolons.
fn cells_after(rest: &str) -> Vec<&str> {
    if rest.contains('\t') {
        // What lies between the label's end and the first tab is part of the label.
        rest.split('\t').skip(1).map(str::trim).collect()
    } else {
        rest.split(|c: char| c.is_whitespace() || c == ';')
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Reads one export's text. `name` is the file relative to the AVA folder.
pub fn parse_export(text: &str, name: &str) -> (AvaScoring, Vec<ReadWarning>) {
    let file_name = name.rsplit('/').next().unwrap_or(name);
    let lower = file_name.to_lowercase();
    let (video, format) = if lower.ends_with("_report1.txt") {
        (
            file_name[..file_name.len() - "_report1.txt".len()].to_string(),
            ExportFormat::Ava,
        )
    } else {
        (
            Path::new(file_name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            ExportFormat::Cctools,
        )
    };
    let mut warnings = Vec::new();
    let mut warn = |line: Option<usize>, problem: String| {
        warnings.push(ReadWarning {
            file: name.to_string(),
            line,
            problem,
        })
    };
    let mut values: [Option<f64>; 4] = [None; 4];
    let mut seen_at: [Option<usize>; 4] = [None; 4];
    let mut small_row: Option<Vec<f64>> = None;
    let mut recognized = 0;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let first_cell = line.split('\t').next().unwrap_or("").trim();
        if small_row.is_none() && first_cell.eq_ignore_ascii_case("small") {
            // The MFI table per vessel size: its Small row holds the quadrant scores (and
            // perhaps their mean, which leaves the mean unchanged).
            let cells = cells_after(&line[line.find(first_cell).unwrap_or(0) + 5..]);
            let numbers: Vec<f64> = cells.iter().filter_map(|c| parse_number(c)).collect();
            let unread: Vec<&&str> = cells
                .iter()
                .filter(|c| !c.is_empty() && parse_number(c).is_none())
                .collect();
            if !unread.is_empty() {
                warn(
                    Some(number),
                    format!("MFI table row 'Small': cannot read {unread:?} as numbers"),
                );
            }
            small_row = Some(numbers);
            recognized += 1;
            continue;
        }
        for (slot, (_, label, ava_end, cctools_key)) in READ.iter().enumerate() {
            let value_text = match find_label_end(line, ava_end) {
                Some(end) => Some(cells_after(&line[end..]).first().copied().unwrap_or("")),
                None => {
                    let trimmed = line.trim_start();
                    let key_len = cctools_key.len();
                    let is_key = trimmed.len() > key_len
                        && trimmed.is_char_boundary(key_len)
                        && trimmed[..key_len].eq_ignore_ascii_case(cctools_key)
                        && trimmed[key_len..].trim_start().starts_with(':');
                    is_key.then(|| {
                        let after = trimmed[key_len..].trim_start()[1..].trim();
                        after
                            .split(|c: char| c.is_whitespace() || c == ';')
                            .next()
                            .unwrap_or("")
                    })
                }
            };
            let Some(value_text) = value_text else {
                continue;
            };
            recognized += 1;
            if let Some(first) = seen_at[slot] {
                warn(
                    Some(number),
                    format!("a second {label} line (the first, line {first}, is used)"),
                );
                break;
            }
            seen_at[slot] = Some(number);
            match parse_number(value_text) {
                Some(v) => values[slot] = Some(v),
                None if value_text.is_empty() => {
                    warn(Some(number), format!("{label}: no small-vessel value"))
                }
                None => warn(
                    Some(number),
                    format!("{label}: cannot read '{value_text}' as a number"),
                ),
            }
            break;
        }
    }
    if values[3].is_none()
        && let Some(row) = small_row.filter(|r| !r.is_empty())
    {
        values[3] = Some(row.iter().sum::<f64>() / row.len() as f64);
    }
    for (slot, (_, label, _, _)) in READ.iter().enumerate() {
        if seen_at[slot].is_none() && !(slot == 3 && values[3].is_some()) {
            warn(None, format!("no {label} line"));
        }
    }
    (
        AvaScoring {
            video,
            file: name.to_string(),
            format,
            values,
            recognized_lines: recognized,
        },
        warnings,
    )
}

fn collect_text_files(
    dir: &Path,
    relative: &str,
    depth: usize,
    out: &mut Vec<(String, PathBuf)>,
    warnings: &mut Vec<ReadWarning>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            warnings.push(ReadWarning {
                file: relative.to_string(),
                line: None,
                problem: format!("cannot list the folder: {e}"),
            });
            return;
        }
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let child = if relative.is_empty() {
            name.clone()
        } else {
            format!("{relative}/{name}")
        };
        if path.is_dir() {
            if depth < MAX_DEPTH {
                collect_text_files(&path, &child, depth + 1, out, warnings);
            }
        } else if name.to_lowercase().ends_with(".txt") {
            out.push((child, path));
        }
    }
}

/// Every AVA and CCTools export under `dir` (text files, sub-folders included) with what
/// could not be read. Text files holding none of the expected lines are reported and left out.
pub fn read_folder(dir: &Path) -> Result<(Vec<AvaScoring>, Vec<ReadWarning>), ReviewError> {
    if !dir.is_dir() {
        return Err(ReviewError::data(
            dir,
            "not a folder of AVA or CCTools exports",
        ));
    }
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    collect_text_files(dir, "", 0, &mut files, &mut warnings);
    let mut scorings = Vec::new();
    for (name, path) in files {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                warnings.push(ReadWarning {
                    file: name,
                    line: None,
                    problem: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let (scoring, file_warnings) = parse_export(&decode_text(&bytes), &name);
        if scoring.recognized_lines == 0 {
            warnings.push(ReadWarning {
                file: name,
                line: None,
                problem: "no TVD, PVD, PPV or MFI line: not an AVA Report1 or CCTools export"
                    .into(),
            });
            continue;
        }
        warnings.extend(file_warnings);
        scorings.push(scoring);
    }
    Ok((scorings, warnings))
}

/// One clip scored by both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchedClip {
    pub clip_id: String,
    pub ava_file: String,
    pub format: ExportFormat,
    /// The automatic values, in the order of the AVA values (`None` for a failed clip).
    pub automatic: [Option<f64>; 4],
    pub ava: [Option<f64>; 4],
}

/// What `--import-ava` found and wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AvaImport {
    /// Exports read (files with at least one value).
    pub scorings: usize,
    pub matched: Vec<MatchedClip>,
    /// Scored clips without an export.
    pub clips_without_ava: Vec<String>,
    /// Exports whose video is no clip of the folder (or names several, undecidably).
    pub ava_without_clip: Vec<String>,
    pub warnings: Vec<ReadWarning>,
    /// Automatic (method) against AVA (reference), per metric.
    pub agreement: Vec<MetricAgreement>,
}

fn lower_stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

fn parent_of(path: &str) -> String {
    let path = path.replace('\\', "/");
    path.rsplit_once('/')
        .map(|(parent, _)| parent.to_lowercase())
        .unwrap_or_default()
}

/// Reads the exports under `ava_dir`, matches them to the clips of `store` by file stem (the
/// export's video name is the clip file's stem; when several clips share a stem, the export's
/// sub-folder must equal the clip's), and writes into `review/`: `agreement_ava.csv` (the
/// automatic values against AVA's, as `agreement.csv` compares them with the rater's),
/// `ava_clips.csv` (the pairs), `ava_unmatched.csv` and `ava_warnings.csv`.
pub fn import_ava(store: &Store, ava_dir: &Path) -> Result<AvaImport, ReviewError> {
    let (scorings, mut warnings) = read_folder(ava_dir)?;
    let automatic = automatic_summaries(store)?;
    let clips = &store.catalog.clips;
    let mut by_clip: BTreeMap<String, MatchedClip> = BTreeMap::new();
    let mut ava_without_clip = Vec::new();
    for scoring in &scorings {
        let video = scoring.video.to_lowercase();
        let named: Vec<_> = clips
            .iter()
            .filter(|c| lower_stem(&c.path) == video || c.id.to_lowercase() == video)
            .collect();
        let chosen = if named.len() > 1 {
            let folder = parent_of(&scoring.file);
            let in_folder: Vec<_> = named
                .iter()
                .filter(|c| parent_of(&c.path) == folder)
                .collect();
            if in_folder.len() == 1 {
                Some(*in_folder[0])
            } else {
                warnings.push(ReadWarning {
                    file: scoring.file.clone(),
                    line: None,
                    problem: format!(
                        "{} clips are named '{}' ({}); put the export in the clip's sub-folder to tell them apart",
                        named.len(),
                        scoring.video,
                        named.iter().map(|c| c.path.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                });
                None
            }
        } else {
            named.first().copied()
        };
        let Some(clip) = chosen else {
            ava_without_clip.push(scoring.file.clone());
            continue;
        };
        if let Some(first) = by_clip.get(&clip.id) {
            warnings.push(ReadWarning {
                file: scoring.file.clone(),
                line: None,
                problem: format!(
                    "clip '{}' already has the export {}, which is used",
                    clip.id, first.ava_file
                ),
            });
            continue;
        }
        let auto = automatic.get(&clip.id);
        let mut automatic_values = [None; 4];
        for (slot, (column, _, _, _)) in READ.iter().enumerate() {
            automatic_values[slot] = auto.and_then(|a| metric(&a.metrics, column));
        }
        by_clip.insert(
            clip.id.clone(),
            MatchedClip {
                clip_id: clip.id.clone(),
                ava_file: scoring.file.clone(),
                format: scoring.format,
                automatic: automatic_values,
                ava: scoring.values,
            },
        );
    }
    let clips_without_ava: Vec<String> = clips
        .iter()
        .filter(|c| c.score_file.is_some() && !by_clip.contains_key(&c.id))
        .map(|c| c.id.clone())
        .collect();
    let matched: Vec<MatchedClip> = by_clip.into_values().collect();
    let agreement: Vec<MetricAgreement> = READ
        .iter()
        .enumerate()
        .map(|(slot, (column, label, _, _))| {
            let pairs: Vec<(f64, f64)> = matched
                .iter()
                .filter_map(|m| Some((m.automatic[slot]?, m.ava[slot]?)))
                .collect();
            metric_agreement(column, label, &pairs)
        })
        .collect();
    let import = AvaImport {
        scorings: scorings.len(),
        matched,
        clips_without_ava,
        ava_without_clip,
        warnings,
        agreement,
    };
    write_import(store, &import)?;
    Ok(import)
}

fn csv_bytes(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, ReviewError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let to_err = |e: csv::Error| ReviewError::data(path, e.to_string());
    writer.write_record(header).map_err(to_err)?;
    for row in rows {
        writer.write_record(&row).map_err(to_err)?;
    }
    writer
        .into_inner()
        .map_err(|e| ReviewError::data(path, e.to_string()))
}

fn cell(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

fn write_import(store: &Store, import: &AvaImport) -> Result<(), ReviewError> {
    let folder = &store.catalog.folder;
    let review_dir = folder.join(REVIEW_DIR)?;
    if !review_dir.exists() {
        std::fs::create_dir(&review_dir).map_err(|e| ReviewError::io(&review_dir, e))?;
    }
    let target = |name: &str| folder.resolve_for_write(&format!("{REVIEW_DIR}/{name}"));
    let agreement_path = target("agreement_ava.csv")?;
    let clips_path = target("ava_clips.csv")?;
    let unmatched_path = target("ava_unmatched.csv")?;
    let warnings_path = target("ava_warnings.csv")?;
    let mut header = vec!["clip_id", "ava_file", "format"];
    for (_, label, _, _) in READ {
        header.push(match label {
            "TVD" => "automatic_tvd",
            "PVD" => "automatic_pvd",
            "PPV" => "automatic_ppv",
            _ => "automatic_mfi",
        });
        header.push(match label {
            "TVD" => "ava_tvd",
            "PVD" => "ava_pvd",
            "PPV" => "ava_ppv",
            _ => "ava_mfi",
        });
    }
    let clips = csv_bytes(
        &clips_path,
        &header,
        import.matched.iter().map(|m| {
            let mut row = vec![
                m.clip_id.clone(),
                m.ava_file.clone(),
                match m.format {
                    ExportFormat::Ava => "ava".to_string(),
                    ExportFormat::Cctools => "cctools".to_string(),
                },
            ];
            for slot in 0..READ.len() {
                row.push(cell(m.automatic[slot]));
                row.push(cell(m.ava[slot]));
            }
            row
        }),
    )?;
    let unmatched = csv_bytes(
        &unmatched_path,
        &["kind", "name"],
        import
            .clips_without_ava
            .iter()
            .map(|id| vec!["clip_without_ava".to_string(), id.clone()])
            .chain(
                import
                    .ava_without_clip
                    .iter()
                    .map(|f| vec!["ava_without_clip".to_string(), f.clone()]),
            ),
    )?;
    let warnings = csv_bytes(
        &warnings_path,
        &["file", "line", "problem"],
        import.warnings.iter().map(|w| {
            vec![
                w.file.clone(),
                w.line.map(|l| l.to_string()).unwrap_or_default(),
                w.problem.clone(),
            ]
        }),
    )?;
    let agreement = metrics_csv(&import.agreement, "automatic", "ava");
    for (path, bytes) in [
        (&clips_path, clips),
        (&unmatched_path, unmatched),
        (&warnings_path, warnings),
        (&agreement_path, agreement),
    ] {
        mcvideo_batch::atomic::write_atomic(path, &bytes)?;
    }
    Ok(())
}

/// The agreement a previous `--import-ava` wrote (`review/agreement_ava.csv`), with the
/// number of matched clips (`review/ava_clips.csv`), for the page; `None` before any import.
pub fn saved_agreement(
    store: &Store,
) -> Result<Option<(usize, Vec<MetricAgreement>)>, ReviewError> {
    let folder = &store.catalog.folder;
    let relative = format!("{REVIEW_DIR}/agreement_ava.csv");
    if !folder.join(&relative)?.is_file() {
        return Ok(None);
    }
    let path = folder.resolve_existing(&relative)?;
    let bytes = std::fs::read(&path).map_err(|e| ReviewError::io(&path, e))?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let mut metrics = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReviewError::data(&path, e.to_string()))?;
        let text = |i: usize| record.get(i).unwrap_or("").to_string();
        let value = |i: usize| record.get(i).and_then(|v| v.parse::<f64>().ok());
        metrics.push(MetricAgreement {
            metric: text(0),
            label: text(1),
            n: record.get(2).and_then(|v| v.parse().ok()).unwrap_or(0),
            mean_automatic: value(3),
            mean_corrected: value(4),
            bias: value(5),
            sd: value(6),
            loa_lower: value(7),
            loa_upper: value(8),
            icc: value(9),
        });
    }
    let clips_relative = format!("{REVIEW_DIR}/ava_clips.csv");
    let matched = if folder.join(&clips_relative)?.is_file() {
        let clips = folder.resolve_existing(&clips_relative)?;
        let bytes = std::fs::read(&clips).map_err(|e| ReviewError::io(&clips, e))?;
        csv::Reader::from_reader(bytes.as_slice()).records().count()
    } else {
        0
    };
    Ok(Some((matched, metrics)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_decimal_commas_and_points() {
        assert_eq!(parse_number("12,5"), Some(12.5));
        assert_eq!(parse_number(" 12.5 "), Some(12.5));
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("87,3 %"), Some(87.3));
        assert_eq!(parse_number("-"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("abc"), None);
    }

    #[test]
    fn encodings_with_and_without_marks() {
        let text = "Total Vessel Density (TVD) (mm/mm²)\t12,5";
        let mut utf16le = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16le.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode_text(&utf16le), text);
        let bare_le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode_text(&bare_le), text);
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode_text(&be), text);
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend_from_slice(text.as_bytes());
        assert_eq!(decode_text(&utf8), text);
        // Latin-1: ² is the single byte 0xB2, µ 0xB5.
        let latin: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
        assert_eq!(decode_text(&latin), text);
        assert_eq!(decode_text(&[b'a', 0xB5, b'm']), "aµm");
    }

    #[test]
    fn an_ava_report_gives_the_small_vessel_values() {
        let text = "AVA 3.2\tReport\r\n\
                    Total Vessel Density (TVD) (mm/mm2)\t18,25\t3,5\t21,75\r\n\
                    Perfused Vessel Density (PVD) (mm/mm²)\t15,5\t3,5\t19\r\n\
                    Proportion of Perfused Vessels (PPV) (%)\t84,9\t100\t87,4\r\n\
                    Microvascular Flow Index (MFI)\t\t3\t2,9\r\n\
                    \tQ1\tQ2\tQ3\tQ4\r\n\
                    Small\t3\t2\t3\t2,5\r\n\
                    Large\t3\t3\t3\t3\r\n";
        let (scoring, warnings) = parse_export(text, "sub/clip7_Report1.txt");
        assert_eq!(scoring.video, "clip7");
        assert_eq!(scoring.format, ExportFormat::Ava);
        assert_eq!(
            scoring.values,
            [Some(18.25), Some(15.5), Some(84.9), Some(2.625)]
        );
        // The MFI line has no small value: reported, and the table's Small row used.
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].line, Some(5));
        assert!(warnings[0].problem.contains("MFI"), "{warnings:?}");
    }

    #[test]
    fn a_cctools_export_and_a_broken_report_are_read_as_far_as_they_go() {
        let (scoring, warnings) = parse_export(
            "CCTools\nTVD: 20,1 mm/mm2\nPVD: 18.0\nMFI : 2,75\n",
            "x/clip9.txt",
        );
        assert_eq!(scoring.format, ExportFormat::Cctools);
        assert_eq!(scoring.video, "clip9");
        assert_eq!(scoring.values, [Some(20.1), Some(18.0), None, Some(2.75)]);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].problem, "no PPV line");

        let (scoring, warnings) = parse_export(
            "Total Vessel Density (TVD) (mm/mm2)\tn.a.\t1\t2\nTotal Vessel Density (TVD) (mm/mm2)\t5\t1\t2\n",
            "bad_Report1.txt",
        );
        assert_eq!(scoring.values, [None; 4]);
        let problems: Vec<_> = warnings
            .iter()
            .map(|w| (w.line, w.problem.as_str()))
            .collect();
        assert_eq!(
            problems[0],
            (Some(1), "TVD: cannot read 'n.a.' as a number")
        );
        assert_eq!(
            problems[1],
            (Some(2), "a second TVD line (the first, line 1, is used)")
        );
        assert_eq!(problems.len(), 5, "{problems:?}");
    }
}

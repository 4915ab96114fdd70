//! Report writers: CSV (one file per view), XLSX (one sheet per view, frozen header rows) and
//! JSON. Three views: per knowledge item, per learner and item (the tracking sheet), and per
//! question (with distractor analysis). Both are spreadsheet-safe. In CSV, text that a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is
//! prefixed with an apostrophe, so a learner called `=HYPERLINK(...)` stays a name, and the
//! file starts with a UTF-8 byte order mark, so Excel reads "Zoë" as UTF-8. In XLSX every text
//! is a string cell (never a formula), so it is written exactly as it is, with no apostrophe.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};

use super::ExportError;
use super::analysis::Report;

/// A cell: text (made formula-safe in CSV) or a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Num(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<usize> for Cell {
    fn from(n: usize) -> Self {
        Cell::Num(n as f64)
    }
}
impl From<Option<f64>> for Cell {
    fn from(n: Option<f64>) -> Self {
        n.map_or(Cell::Empty, Cell::Num)
    }
}
impl From<Option<&str>> for Cell {
    fn from(s: Option<&str>) -> Self {
        s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()))
    }
}

/// Makes text safe to open in a spreadsheet from CSV.
pub fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// One view: a name, a header row and rows.
pub struct View {
    pub name: &'static str,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The three views of a report.
pub fn views(r: &Report) -> Vec<View> {
    let items = View {
        name: "items",
        header: strings(&[
            "standard",
            "code",
            "item",
            "kind",
            "text",
            "learners attempted",
            "attempts",
            "first-try correct %",
            "overall correct %",
            "facility index %",
            "facility band",
            "discrimination index",
            "discrimination band",
            "learners at mastery",
            "leeches",
            "non-functioning distractors",
            "possible key errors",
            "predicted recall on end-point date %",
            "learners not started",
        ]),
        rows: r
            .items
            .iter()
            .map(|i| {
                vec![
                    i.standard.as_str().into(),
                    i.code.as_str().into(),
                    i.id.as_str().into(),
                    i.kind.as_str().into(),
                    i.text.as_str().into(),
                    i.learners.into(),
                    i.attempts.into(),
                    i.first_try_correct.into(),
                    i.correct_rate.into(),
                    i.first_try_correct.into(),
                    i.facility_band.into(),
                    i.discrimination.into(),
                    i.discrimination_band.into(),
                    i.mastered.into(),
                    i.leeches.into(),
                    i.non_functioning.into(),
                    i.possible_key_errors.into(),
                    i.predicted_recall.into(),
                    i.not_started.into(),
                ]
            })
            .collect(),
    };
    let mut header = strings(&[
        "learner id",
        "learner",
        "end-point date",
        "predicted recall on end-point date %",
        "items not started",
    ]);
    header.extend(r.items.iter().map(|i| i.id.clone()));
    let learners = View {
        name: "learners",
        header,
        rows: r
            .matrix
            .iter()
            .map(|m| {
                [
                    Cell::Num(m.learner_id as f64),
                    Cell::from(m.learner.as_str()),
                    Cell::from(m.epa.to_string().as_str()),
                    Cell::Num(m.predicted_share),
                    Cell::Num(m.not_started as f64),
                ]
                .into_iter()
                .chain(m.cells.iter().map(|c| Cell::from(c.label())))
                .collect()
            })
            .collect(),
    };
    let mut qrows = Vec::new();
    for q in &r.questions {
        for o in &q.options {
            qrows.push(vec![
                q.id.as_str().into(),
                q.item.as_str().into(),
                q.qtype.as_str().into(),
                q.learners.into(),
                q.attempts.into(),
                q.facility.into(),
                q.facility_band.into(),
                q.correct_rate.into(),
                q.discrimination.into(),
                q.discrimination_band.into(),
                o.letter.as_str().into(),
                Cell::from(if o.key { "key" } else { "distractor" }),
                o.text.as_str().into(),
                o.chosen.into(),
                Some(o.share).into(),
                o.top_share.into(),
                o.bottom_share.into(),
                o.flag.as_deref().into(),
            ]);
        }
    }
    let questions = View {
        name: "questions",
        header: strings(&[
            "question",
            "item",
            "type",
            "learners",
            "attempts",
            "facility index %",
            "facility band",
            "overall correct %",
            "discrimination index",
            "discrimination band",
            "option",
            "role",
            "option text",
            "chosen",
            "chosen %",
            "top third %",
            "bottom third %",
            "flag",
        ]),
        rows: qrows,
    };
    vec![items, learners, questions]
}

fn num(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// The UTF-8 byte order mark: Excel reads a CSV file as UTF-8 only when it starts with it.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One view as CSV: UTF-8 with a byte order mark, RFC 4180 quoting by the csv crate.
pub fn csv(view: &View) -> Result<Vec<u8>, ExportError> {
    let err = |e: String| ExportError::Write {
        path: view.name.to_string(),
        message: e,
    };
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    w.write_record(&view.header)
        .map_err(|e| err(e.to_string()))?;
    for row in &view.rows {
        let rec: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(s) => defuse(s),
                Cell::Num(n) => num(*n),
                Cell::Empty => String::new(),
            })
            .collect();
        w.write_record(&rec).map_err(|e| err(e.to_string()))?;
    }
    w.into_inner().map_err(|e| err(e.to_string()))
}

/// Writes `items.csv`, `learners.csv` and `questions.csv` into `dir`.
pub fn csv_files(r: &Report, dir: &Path) -> Result<Vec<std::path::PathBuf>, ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| ExportError::Write {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    views(r)
        .iter()
        .map(|v| {
            let p = dir.join(format!("{}.csv", v.name));
            std::fs::write(&p, csv(v)?).map_err(|e| ExportError::Write {
                path: p.display().to_string(),
                message: e.to_string(),
            })?;
            Ok(p)
        })
        .collect()
}

/// The report as an XLSX workbook: one sheet per view, header row frozen and bold. Texts are
/// string cells, which a spreadsheet shows as they are and never evaluates, so they are not
/// defused (an apostrophe would show as part of a learner's name).
pub fn xlsx(r: &Report) -> Result<Vec<u8>, ExportError> {
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Write {
        path: "xlsx".into(),
        message: e.to_string(),
    };
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for v in views(r) {
        let ws = wb.add_worksheet();
        ws.set_name(v.name).map_err(err)?;
        for (c, h) in v.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(err)?;
        }
        for (ri, row) in v.rows.iter().enumerate() {
            let r = (ri + 1) as u32;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(r, c as u16, s).map_err(err)?;
                    }
                    Cell::Num(n) => {
                        ws.write_number(r, c as u16, *n).map_err(err)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// The report as pretty JSON.
pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default()
}

//! The self-contained HTML report: no scripts, no external files, charts drawn as inline SVG
//! (per-standard bars of facility and mastery, a learner-by-item heat map), readable offline
//! and printable. The page is the `prompts/export/report.hbs` template; this module computes
//! the chart geometry and escapes every text for HTML (the template engine does not).

use serde::Serialize;

use super::analysis::{Report, Status};
use crate::prompts::{PromptError, Prompts};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Bar chart width in pixels for 100%.
const BAR: f64 = 280.0;
const ROW: f64 = 18.0;
const CELL: f64 = 14.0;

#[derive(Serialize)]
struct Bar {
    label: String,
    title: String,
    y: f64,
    text_y: f64,
    facility_w: f64,
    mastery_w: f64,
    facility: String,
    mastery: String,
}

#[derive(Serialize)]
struct Chart {
    code: String,
    title: String,
    height: f64,
    bars: Vec<Bar>,
    facility: String,
    mastery: String,
}

#[derive(Serialize)]
struct HeatCell {
    x: f64,
    y: f64,
    class: &'static str,
    title: String,
}

#[derive(Serialize)]
struct Heat {
    width: f64,
    height: f64,
    left: f64,
    labels: Vec<(String, f64)>,
    columns: Vec<(String, f64)>,
    cells: Vec<HeatCell>,
}

#[derive(Serialize)]
struct ItemLine {
    id: String,
    text: String,
    learners: usize,
    first_try: String,
    band: String,
    discrimination: String,
    dband: String,
    mastered: usize,
    leeches: usize,
    flags: String,
}

#[derive(Serialize)]
struct Page {
    scope: String,
    generated: String,
    range: String,
    learners: usize,
    charts: Vec<Chart>,
    heat: Heat,
    items: Vec<ItemLine>,
}

fn fmt(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.0}%"))
}

/// Renders the report page.
pub fn render(r: &Report, prompts: &Prompts) -> Result<String, PromptError> {
    let charts = r
        .standards
        .iter()
        .map(|s| {
            let bars: Vec<Bar> = r
                .items
                .iter()
                .filter(|i| i.standard == s.code)
                .enumerate()
                .map(|(n, i)| {
                    let pairs = r.learners.max(1) as f64;
                    let mastery = 100.0 * i.mastered as f64 / pairs;
                    Bar {
                        label: escape(&i.code),
                        title: escape(&format!("{} {}: {}", s.code, i.code, i.text)),
                        y: 2.0 * ROW * n as f64,
                        text_y: 2.0 * ROW * n as f64 + ROW * 0.75,
                        facility_w: BAR * i.first_try_correct.unwrap_or(0.0) / 100.0,
                        mastery_w: BAR * mastery / 100.0,
                        facility: fmt(i.first_try_correct),
                        mastery: fmt(Some(mastery)),
                    }
                })
                .collect();
            Chart {
                code: escape(&s.code),
                title: escape(&s.title),
                height: 2.0 * ROW * bars.len().max(1) as f64 + 4.0,
                bars,
                facility: fmt(s.facility),
                mastery: fmt(Some(s.mastery)),
            }
        })
        .collect();
    // Learners who share a name are told apart by their id: "Sam (#4)", "Sam (#9)".
    let mut names: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for m in &r.matrix {
        *names.entry(m.learner.as_str()).or_default() += 1;
    }
    let label = |m: &crate::export::analysis::MatrixRow| {
        if names.get(m.learner.as_str()).copied().unwrap_or(0) > 1 {
            format!("{} (#{})", m.learner, m.learner_id)
        } else {
            m.learner.clone()
        }
    };
    let left = 150.0;
    let top = 110.0;
    let heat = Heat {
        width: left + CELL * r.items.len() as f64 + 10.0,
        height: top + CELL * r.matrix.len() as f64 + 10.0,
        left,
        labels: r
            .matrix
            .iter()
            .enumerate()
            .map(|(y, m)| (escape(&label(m)), top + CELL * y as f64 + CELL * 0.8))
            .collect(),
        columns: r
            .items
            .iter()
            .enumerate()
            .map(|(x, i)| (escape(&i.id), left + CELL * x as f64 + CELL * 0.8))
            .collect(),
        cells: r
            .matrix
            .iter()
            .enumerate()
            .flat_map(|(y, m)| {
                let name = label(m);
                m.cells.iter().enumerate().map(move |(x, c)| HeatCell {
                    x: left + CELL * x as f64,
                    y: top + CELL * y as f64,
                    class: match c {
                        Status::Secure => "secure",
                        Status::Learning => "learning",
                        Status::Leech => "leech",
                        Status::NotStarted => "none",
                    },
                    title: escape(&format!("{name}: {}", c.label())),
                })
            })
            .collect(),
    };
    let items = r
        .items
        .iter()
        .map(|i| ItemLine {
            id: escape(&i.id),
            text: escape(&i.text),
            learners: i.learners,
            first_try: fmt(i.first_try_correct),
            band: escape(i.facility_band.unwrap_or("")),
            discrimination: i
                .discrimination
                .map_or_else(|| "–".into(), |d| format!("{d:.0}")),
            dband: escape(i.discrimination_band.unwrap_or("")),
            mastered: i.mastered,
            leeches: i.leeches,
            flags: if i.non_functioning + i.possible_key_errors == 0 {
                String::new()
            } else {
                format!("{} / {}", i.non_functioning, i.possible_key_errors)
            },
        })
        .collect();
    let range = match (r.from, r.to) {
        (None, None) => String::new(),
        (f, t) => format!(
            "{} – {}",
            f.map_or_else(String::new, |d| d.to_string()),
            t.map_or_else(String::new, |d| d.to_string())
        ),
    };
    prompts.render(
        "export/report",
        &Page {
            scope: escape(&r.scope),
            generated: r.generated.format("%Y-%m-%d %H:%M UTC").to_string(),
            range,
            learners: r.learners,
            charts,
            heat,
            items,
        },
    )
}

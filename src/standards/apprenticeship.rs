//! Apprenticeship (occupational) standards: Knowledge, Skills and Behaviours listed as
//! `K1: ...`, `S1: ...`, `B1: ...`, typically copied from a web page with its navigation,
//! progression map and icon names around the list.
//!
//! Every run of KSB lines in the text is walked; each kind's numbering must run on across runs.
//! Metadata read: `Reference:` (the code), the title (the page's repeated heading), `Level`,
//! `Version:`, `Approved for delivery:` and `Status:`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::layout::{self, Furniture, Rules, Start};
use super::text::Line;
use super::{Item, ItemKind, ParseError, Sidecar, Standard, StandardInfo, StandardKind};

static KSB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([KSB])\s?(\d{1,3})(?:\s*[:.]\s*(.*)|\s*:?)$").expect("static regex")
});
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^reference\s*:?\s*([A-Z]{2,}[A-Z0-9]*\d+[A-Z0-9]*)$").expect("static regex")
});
static LEVEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^level\s*:?\s*(\d)\b(.*)$").expect("static regex"));
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(version|approved for delivery|status)\s*:\s*(.+)$").expect("static regex")
});
/// Icon ligature names that web extraction leaves in front of values.
static ICON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z]+(_[a-z]+)+").expect("static regex"));
static END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(occupational progression|duties|duty \d|qualifications|end-point assessment|version log|print occupational standard)\b")
        .expect("static regex")
});

fn start(text: &str) -> Option<Start> {
    let c = KSB.captures(text)?;
    Some(Start {
        kind: ItemKind::from_letter(c[1].chars().next()?)?,
        number: c[2].parse().ok()?,
        text: c
            .get(3)
            .map_or(String::new(), |m| m.as_str().trim().to_string()),
    })
}

/// Whether the text has KSB lines with text (`K1: ...`).
pub fn looks_like(lines: &[Line]) -> bool {
    lines.iter().any(|l| {
        start(&l.text).is_some_and(|s| s.kind == ItemKind::Knowledge && !s.text.is_empty())
    })
}

/// Parses an apprenticeship standard from cleaned lines.
pub fn parse(
    lines: &[Line],
    source: &str,
    sidecar: Option<&Sidecar>,
) -> Result<Standard, ParseError> {
    let mut info = metadata(lines);
    if let Some(s) = sidecar {
        s.apply(&mut info);
    }
    let names: Vec<&str> = [info.code.as_str(), info.title.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let furniture = Furniture::study(lines, &names, |t| start(t).is_some());
    let is_end = |t: &str| END.is_match(t);
    let rules = Rules {
        file: source,
        code: &info.code,
        sections: false,
        is_end: &is_end,
        start: &start,
    };
    let mut next = BTreeMap::new();
    let mut items: Vec<Item> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if start(&lines[i].text).is_none() {
            i += 1;
            continue;
        }
        let walked = layout::walk(lines, i, &furniture, &rules, &mut next)?;
        items.extend(walked.items.into_iter().map(|(it, _)| it));
        i = walked.end.max(i + 1);
    }
    if !items.iter().any(|it| it.kind == ItemKind::Knowledge) {
        return Err(ParseError {
            file: source.to_string(),
            line: 1,
            message: "no knowledge items (K1: ...) found".to_string(),
        });
    }
    items.sort_by_key(|it| (kind_order(it.kind), it.number));
    info.kind = Some(StandardKind::Apprenticeship);
    super::finish(info, items, source)
}

fn kind_order(k: ItemKind) -> u8 {
    match k {
        ItemKind::Knowledge => 0,
        ItemKind::Skill => 1,
        ItemKind::Behaviour => 2,
        ItemKind::Performance => 3,
    }
}

fn metadata(lines: &[Line]) -> StandardInfo {
    let lines = &layout::unwrap_paragraphs(lines, |t| FIELD.is_match(t) || REFERENCE.is_match(t));
    let mut info = StandardInfo::default();
    let reference = lines.iter().position(|l| REFERENCE.is_match(&l.text));
    if let Some(r) = reference
        && let Some(c) = REFERENCE.captures(&lines[r].text)
    {
        info.code = c[1].to_string();
    }
    let head = &lines[..reference.unwrap_or(lines.len()).min(lines.len())];
    let coded = |t: &str| !info.code.is_empty() && t.starts_with(&format!("{} ", info.code));
    let significant: Vec<&str> = head
        .iter()
        .map(|l| l.text.as_str())
        .filter(|t| !t.is_empty() && !layout::is_page_number(t) && !coded(t))
        .collect();
    // The page shows its title twice in a row (breadcrumb, then heading)...
    if let Some(w) = significant
        .windows(2)
        .find(|w| w[0] == w[1] && w[0].len() > 10)
    {
        info.title = w[0].to_string();
    } else if let Some(l) = lines.iter().find(|l| coded(&l.text)) {
        // ...or a running header gives "CODE Title".
        info.title = layout::strip_page_number(&l.text[info.code.len()..]);
    }
    for l in lines {
        if info.level.is_none()
            && let Some(c) = LEVEL.captures(&l.text)
        {
            info.level = Some(c[1].to_string());
        }
        if let Some(c) = FIELD.captures(&l.text) {
            let value = ICON.replace(c[2].trim(), "").trim().to_string();
            let slot = match c[1].to_lowercase().as_str() {
                "version" => &mut info.version,
                "approved for delivery" => &mut info.approved,
                _ => &mut info.status,
            };
            if slot.is_none() && !value.is_empty() {
                *slot = Some(value);
            }
        }
    }
    info
}

//! National Occupational Standards: performance criteria, knowledge and understanding, and the
//! metadata table (URN, version, approval date, suite...).
//!
//! Items are numbered `1.`, `1`, `1)`, `P1`/`PC1` or `K1`; either list may carry themed
//! sub-headings, kept as each item's `section`. The lists end at the next known heading
//! (Glossary, Additional Information, Scope/range, Values, the metadata table...) or at the
//! first line that is neither item, continuation, page furniture nor a heading over items.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::layout::{self, Furniture, Rules, Start};
use super::text::Line;
use super::{Item, ItemKind, ParseError, Sidecar, Standard, StandardInfo, StandardKind};

static PC_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^performance criteria:?$").expect("static regex"));
static KU_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^knowledge and understanding:?$").expect("static regex"));
static INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^you (must be able to|need to know and understand)\s*:?$")
        .expect("static regex")
});
static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(PC|P|K)\s?)?(\d{1,3})(?:\s*[.):]|\s*-)?(?:\s+(\S.*))?$")
        .expect("static regex")
});
static END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(glossary|additional information|scope\s*/\s*range|scope and range|values|behaviours|links to other|external links|developed by|version number|original urn|keywords|performance criteria|knowledge and understanding)\b",
    )
    .expect("static regex")
});
static META_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(developed by|version number|date approved|indicative review date|validity|status|originating organisation|original urn|relevant occupations|suite|keywords)\b\s*:?\s*(.*)$",
    )
    .expect("static regex")
});
static CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z]{2,}[A-Z0-9]*\d+[A-Z0-9]*$").expect("static regex"));

/// Whether the text has a NOS list heading.
pub fn looks_like(lines: &[Line]) -> bool {
    (0..lines.len()).any(|i| heading(lines, i).is_some())
}

/// The list heading at line `i` (which PDF layouts may split over two lines), with the index
/// of the line after it.
fn heading(lines: &[Line], i: usize) -> Option<(ItemKind, usize)> {
    let kind = |t: &str| {
        if PC_HEADING.is_match(t) {
            Some(ItemKind::Performance)
        } else if KU_HEADING.is_match(t) {
            Some(ItemKind::Knowledge)
        } else {
            None
        }
    };
    let t = &lines.get(i)?.text;
    if let Some(k) = kind(t) {
        return Some((k, i + 1));
    }
    let next = &lines.get(i + 1)?.text;
    if t.is_empty() || next.is_empty() {
        return None;
    }
    kind(&format!("{t} {next}")).map(|k| (k, i + 2))
}

/// A line starting an item of `kind` (`prefix` letters allowed for that kind, or none).
fn start(text: &str, kind: ItemKind) -> Option<Start> {
    let c = ITEM.captures(text)?;
    let prefix_ok = match c.get(1).map(|m| m.as_str()) {
        None => true,
        Some("P") | Some("PC") => kind == ItemKind::Performance,
        Some("K") => kind == ItemKind::Knowledge,
        Some(_) => false,
    };
    // A bare number with no text is a page number, not an item.
    if !prefix_ok || (c.get(1).is_none() && c.get(3).is_none()) {
        return None;
    }
    Some(Start {
        kind,
        number: c[2].parse().ok()?,
        text: c.get(3).map_or(String::new(), |m| m.as_str().to_string()),
    })
}

fn is_any_item(text: &str) -> bool {
    start(text, ItemKind::Performance).is_some() || start(text, ItemKind::Knowledge).is_some()
}

/// Parses a NOS from cleaned lines.
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
    let furniture = Furniture::study(lines, &names, is_any_item);
    let mut items: Vec<Item> = Vec::new();
    let mut next = BTreeMap::new();
    let mut seen = [false, false];
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].text.as_str();
        let Some((kind, after)) = heading(lines, i) else {
            i += 1;
            continue;
        };
        let slot = usize::from(kind == ItemKind::Knowledge);
        let heading_line = lines[i].no;
        if seen[slot] {
            return Err(ParseError {
                file: source.to_string(),
                line: heading_line,
                message: format!("a second '{t}' section: each list must appear once"),
            });
        }
        seen[slot] = true;
        i = after;
        while i < lines.len()
            && (lines[i].text.is_empty()
                || INTRO.is_match(&lines[i].text)
                || furniture.is_noise(&lines[i].text))
        {
            i += 1;
        }
        let start_fn = move |t: &str| start(t, kind);
        let is_end = |t: &str| END.is_match(t);
        let rules = Rules {
            file: source,
            code: &info.code,
            sections: true,
            is_end: &is_end,
            start: &start_fn,
        };
        let walked = layout::walk(lines, i, &furniture, &rules, &mut next)?;
        if walked.items.is_empty() {
            let at = lines.get(walked.end).map_or(heading_line, |l| l.no);
            return Err(ParseError {
                file: source.to_string(),
                line: at,
                message: format!(
                    "the '{t}' section (line {heading_line}) has no numbered items before this line"
                ),
            });
        }
        items.extend(walked.items.into_iter().map(|(it, _)| it));
        check_nothing_left(lines, walked.end, kind, &next, source)?;
        i = walked.end;
    }
    info.kind = Some(StandardKind::Nos);
    super::finish(info, items, source)
}

/// A list that stopped at a line it could not place must not leave items behind it: if the
/// next expected item turns up before the next heading, the stop is an error, not the end.
fn check_nothing_left(
    lines: &[Line],
    end: usize,
    kind: ItemKind,
    next: &BTreeMap<ItemKind, u32>,
    source: &str,
) -> Result<(), ParseError> {
    let Some(stop) = lines.get(end) else {
        return Ok(());
    };
    if END.is_match(&stop.text) || heading(lines, end).is_some() {
        return Ok(());
    }
    let expected = next.get(&kind).copied().unwrap_or(1);
    for (j, l) in lines.iter().enumerate().skip(end + 1) {
        if END.is_match(&l.text) || heading(lines, j).is_some() {
            break;
        }
        if start(&l.text, kind).is_some_and(|s| s.number == expected) {
            return Err(ParseError {
                file: source.to_string(),
                line: stop.no,
                message: format!(
                    "the list stops at {:?}, which is neither an item, a continuation nor a \
                     heading over items, but {}{} follows at line {}",
                    stop.text,
                    kind.letter(),
                    expected,
                    l.no
                ),
            });
        }
    }
    Ok(())
}

/// Reads the metadata table and the title and code around it.
fn metadata(lines: &[Line]) -> StandardInfo {
    let lines = &layout::unwrap_paragraphs(lines, |t| META_KEY.is_match(t));
    let mut info = StandardInfo::default();
    let mut first_key: Option<usize> = None;
    for (i, l) in lines.iter().enumerate() {
        let Some(c) = META_KEY.captures(&l.text) else {
            continue;
        };
        let key = c[1].to_lowercase();
        let mut value = c[2].trim().to_string();
        if value.is_empty() {
            // Some extractions put the table's value cell on the next line.
            if let Some(n) = lines[i + 1..].iter().find(|n| !n.text.is_empty())
                && !META_KEY.is_match(&n.text)
            {
                value = n.text.clone();
            }
        }
        if value.is_empty() {
            continue;
        }
        // "Status" and "Suite" also occur in prose; only the table's first block counts.
        if key == "developed by" && first_key.is_none() {
            first_key = Some(i);
        }
        let slot = match key.as_str() {
            "developed by" => &mut info.developed_by,
            "version number" => &mut info.version,
            "date approved" => &mut info.approved,
            "indicative review date" => &mut info.review,
            "status" => &mut info.status,
            "suite" => &mut info.suite,
            "original urn" => {
                if info.code.is_empty() && CODE.is_match(&value) {
                    info.code = value;
                }
                continue;
            }
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    // The title stands just above the table (after the code, where the code is repeated, and
    // perhaps behind a page break whose header is "CODE Title").
    if let Some(k) = first_key {
        let above = lines[..k]
            .iter()
            .rev()
            .filter(|l| !l.text.is_empty())
            .take(4);
        for l in above {
            let t = layout::strip_page_number(&l.text);
            if t.is_empty() || layout::is_page_number(&l.text) || t.to_lowercase().contains("page")
            {
                continue;
            }
            if CODE.is_match(&t) {
                if info.code.is_empty() {
                    info.code = t;
                }
                continue;
            }
            if !info.code.is_empty()
                && let Some(rest) = t.strip_prefix(&format!("{} ", info.code))
            {
                info.title = rest.trim().to_string();
                break;
            }
            if is_any_item(&t) || t.len() > 200 || t.ends_with('.') {
                break;
            }
            info.title = t;
            break;
        }
    }
    // Or a running header "CODE Title" where the code is known.
    if info.title.is_empty() && !info.code.is_empty() {
        let prefix = format!("{} ", info.code);
        if let Some(l) = lines.iter().find(|l| l.text.starts_with(&prefix)) {
            let title = l.text[prefix.len()..].trim();
            let title = title.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ');
            info.title = title.to_string();
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_starts() {
        let s = start("1. engage with children", ItemKind::Performance).unwrap();
        assert_eq!((s.number, s.text.as_str()), (1, "engage with children"));
        assert_eq!(
            start("P12 ensure that", ItemKind::Performance)
                .unwrap()
                .number,
            12
        );
        assert_eq!(
            start("K3 your duty", ItemKind::Knowledge).unwrap().number,
            3
        );
        assert!(start("K3 your duty", ItemKind::Performance).is_none());
        assert_eq!(start("7) how to", ItemKind::Knowledge).unwrap().number, 7);
        assert_eq!(start("K7", ItemKind::Knowledge).unwrap().text, "");
        assert!(start("7", ItemKind::Knowledge).is_none());
        assert!(start("Rights", ItemKind::Knowledge).is_none());
    }
}

//! Reading a numbered list out of extracted text: the part both standard families share.
//!
//! Given cleaned lines and a recogniser for "this line starts item K7", [`walk`] assembles items,
//! deciding for every other line whether it continues the item before it (lower-case start,
//! an item left open on `and`/`of`/`,`, or a hard-wrapped line that was full), is a running
//! page header or footer to drop, is a themed section heading for the items that follow, or
//! ends the list. Numbering must run on without gaps; anything it cannot place is an error that
//! names the line, never a silently shorter list.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::text::{Line, fold};
use super::{Item, ItemKind};

/// A line recognised as the start of an item; `text` is empty when the number stands alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    pub kind: ItemKind,
    pub number: u32,
    pub text: String,
}

/// What is known about the page furniture of one document.
#[derive(Debug, Default)]
pub struct Furniture {
    /// Folded forms of lines that are running headers or footers (code, title, repeats).
    headers: HashSet<String>,
    /// Width of hard-wrapped lines, when the text was hard-wrapped.
    pub wrap: Option<usize>,
}

static PAGE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(page\s*)?\d+(\s*(of|/)\s*\d+)?$").expect("static regex"));
static PAGE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*(\bpage\s*)?\d+(\s*(of|/)\s*\d+)?$").expect("static regex")
});

static EXPLICIT_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bpage\s*\d+(\s*(of|/)\s*\d+)?$").expect("static regex"));

/// Words that leave a sentence open: a line ending in one of them goes on in the next line.
const OPEN_ENDINGS: &[&str] = &[
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "from",
    "in",
    "including",
    "into",
    "of",
    "on",
    "or",
    "that",
    "the",
    "their",
    "to",
    "which",
    "with",
    "your",
];

impl Furniture {
    /// Studies the document: which lines repeat like running headers, and whether (and how
    /// wide) it is hard-wrapped. `names` are the standard's code and title where known.
    pub fn study(lines: &[Line], names: &[&str], is_item: impl Fn(&str) -> bool) -> Self {
        let mut headers: HashSet<String> = HashSet::new();
        let folded: Vec<String> = names
            .iter()
            .map(|n| fold(n))
            .filter(|n| !n.is_empty())
            .collect();
        for n in &folded {
            headers.insert(n.clone());
        }
        for a in &folded {
            for b in &folded {
                if a != b {
                    headers.insert(format!("{a} {b}"));
                }
            }
        }
        // Lines repeated three or more times that are not items are page furniture, if they
        // look like a header (capitalised, two words or more) rather than a wrapped fragment.
        let header_like = |t: &str| {
            t.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                && t.contains(' ')
        };
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for l in lines
            .iter()
            .filter(|l| header_like(&l.text) && !is_item(&l.text))
        {
            let f = fold(&l.text);
            if !f.is_empty() && f.len() < 160 {
                *counts.entry(f).or_default() += 1;
            }
        }
        headers.extend(counts.into_iter().filter(|(_, n)| *n >= 3).map(|(f, _)| f));
        Furniture {
            headers,
            wrap: wrap_width(lines),
        }
    }

    /// True for page numbers, running headers and footers, and stray punctuation lines.
    pub fn is_noise(&self, text: &str) -> bool {
        if PAGE_NUMBER.is_match(text) || text.chars().all(|c| !c.is_alphanumeric()) {
            return true;
        }
        // Running headers and footers are capitalised; a lower-case line continues a sentence.
        if starts_lower(text) {
            return false;
        }
        if EXPLICIT_PAGE.is_match(text) {
            return true;
        }
        let stripped = PAGE_SUFFIX.replace(text, "");
        self.headers.contains(&fold(&stripped)) || self.headers.contains(&fold(text))
    }

    /// True when `prev` was filled to the wrap width, so `next` is the same paragraph.
    fn was_full(&self, prev: &str, next: &str) -> bool {
        let Some(width) = self.wrap else { return false };
        let first = next.split(' ').next().unwrap_or("").chars().count();
        prev.chars().count() + 1 + first > width
    }
}

/// The text without a trailing page number (`... Page 3 of 9`, `... 3`).
pub fn strip_page_number(text: &str) -> String {
    PAGE_SUFFIX.replace(text, "").trim().to_string()
}

/// True for a line that is only a page number, or ends in `Page N (of M)`.
pub fn is_page_number(text: &str) -> bool {
    PAGE_NUMBER.is_match(text) || EXPLICIT_PAGE.is_match(text)
}

/// Joins hard-wrapped paragraphs back into single lines (numbered as their first line), for
/// reading metadata; a text that is not hard-wrapped comes back unchanged.
pub fn unwrap_paragraphs(lines: &[Line], is_start: impl Fn(&str) -> bool) -> Vec<Line> {
    let Some(width) = wrap_width(lines) else {
        return lines.to_vec();
    };
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut last_len = 0;
    for l in lines {
        let first = l.text.split(' ').next().unwrap_or("").chars().count();
        match out.last_mut() {
            Some(prev)
                if !prev.text.is_empty()
                    && !l.text.is_empty()
                    && !is_start(&l.text)
                    && last_len + 1 + first > width =>
            {
                join(&mut prev.text, &l.text);
            }
            _ => out.push(l.clone()),
        }
        last_len = l.text.chars().count();
    }
    out
}

/// Estimates the hard-wrap width: most long lines end within a few characters of one width.
/// The 95th percentile stands for the width, so a few longer lines (an unwrapped running
/// header, a table row) do not hide the wrapping of the rest; a running header repeated on
/// every page counts once.
fn wrap_width(lines: &[Line]) -> Option<usize> {
    // Each distinct line once: a running header repeated on every page is one line.
    let distinct: HashSet<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let mut lens: Vec<usize> = distinct
        .into_iter()
        .map(|t| t.chars().count())
        .filter(|&n| n >= 30)
        .collect();
    if lens.len() < 8 {
        return None;
    }
    lens.sort_unstable();
    let width = lens[(lens.len() - 1) * 95 / 100];
    if width > 200 {
        return None;
    }
    let near = lens
        .iter()
        .filter(|&&n| n <= width && n + 15 >= width)
        .count();
    (near * 3 >= lens.len()).then_some(width)
}

fn ends_open(text: &str) -> bool {
    if text.ends_with([',', '-', '/', '(', '&']) {
        return true;
    }
    let last = text.rsplit(' ').next().unwrap_or("").to_lowercase();
    OPEN_ENDINGS.contains(&last.as_str())
}

fn starts_lower(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || matches!(c, ',' | ';' | ':' | ')' | '&' | '.'))
}

/// Joins a continuation onto text, healing a word hyphenated across the break.
fn join(text: &mut String, more: &str) {
    let hyphen_break = text.ends_with('-')
        && text.chars().rev().nth(1).is_some_and(char::is_alphabetic)
        && more.chars().next().is_some_and(char::is_lowercase);
    if !hyphen_break && !text.is_empty() {
        text.push(' ');
    }
    text.push_str(more);
}

/// Result of walking one list.
pub struct Walked {
    pub items: Vec<(Item, usize)>,
    /// Index of the first line not part of the list.
    pub end: usize,
}

/// How the walk treats lines between items.
pub struct Rules<'a> {
    pub file: &'a str,
    pub code: &'a str,
    /// Keep capitalised lines followed by items as the `section` of those items.
    pub sections: bool,
    /// Lines that end the list outright (the next heading, a glossary...).
    pub is_end: &'a dyn Fn(&str) -> bool,
    pub start: &'a dyn Fn(&str) -> Option<Start>,
}

/// Walks a numbered list from `from`, continuing each kind's numbering from `next`.
pub fn walk(
    lines: &[Line],
    from: usize,
    furniture: &Furniture,
    rules: &Rules,
    next: &mut BTreeMap<ItemKind, u32>,
) -> Result<Walked, super::ParseError> {
    let err = |line: usize, message: String| super::ParseError {
        file: rules.file.to_string(),
        line,
        message,
    };
    let mut items: Vec<(Item, usize)> = Vec::new();
    let mut section: Option<String> = None;
    // What the previous significant line belonged to.
    #[derive(PartialEq)]
    enum Last {
        Nothing,
        Item,
        Heading,
    }
    let mut last = Last::Nothing;
    let mut prev_text = String::new();
    let mut blank = false;
    // Blank lines around page furniture are the page break's, not the paragraph's.
    let mut page_break = false;
    let mut i = from;
    while i < lines.len() {
        let line = &lines[i];
        let t = line.text.as_str();
        if t.is_empty() {
            blank |= !page_break;
            i += 1;
            continue;
        }
        if (rules.is_end)(t) {
            break;
        }
        if furniture.is_noise(t) {
            blank = false;
            page_break = true;
            i += 1;
            continue;
        }
        page_break = false;
        let wrapped_on = !blank && furniture.was_full(&prev_text, t);
        if let Some(s) = (rules.start)(t) {
            let expected = *next.get(&s.kind).unwrap_or(&1);
            if s.number == expected {
                next.insert(s.kind, expected + 1);
                let item = Item {
                    id: format!("{}/{}{}", rules.code, s.kind.letter(), s.number),
                    kind: s.kind,
                    number: s.number,
                    section: if rules.sections {
                        section.clone()
                    } else {
                        None
                    },
                    text: s.text.clone(),
                };
                items.push((item, line.no));
                last = Last::Item;
            } else if last == Last::Item && wrapped_on {
                if let Some((item, _)) = items.last_mut() {
                    join(&mut item.text, t);
                }
            } else {
                return Err(err(
                    line.no,
                    format!(
                        "expected {}{} next but found {}{}: an item is missing, doubled or out of order",
                        s.kind.letter(),
                        expected,
                        s.kind.letter(),
                        s.number
                    ),
                ));
            }
        } else if let Some((item, _)) = items
            .last_mut()
            .filter(|(it, _)| last == Last::Item && it.text.is_empty())
        {
            item.text = t.to_string();
        } else if last == Last::Heading && (starts_lower(t) || wrapped_on) {
            if let Some(s) = section.as_mut() {
                join(s, t);
            }
        } else if last == Last::Item
            && (starts_lower(t)
                || wrapped_on
                || items.last().is_some_and(|(it, _)| ends_open(&it.text)))
        {
            if let Some((item, _)) = items.last_mut() {
                join(&mut item.text, t);
            }
        } else if next_is_item(lines, i + 1, furniture, rules) {
            section = Some(t.to_string());
            last = Last::Heading;
        } else {
            break;
        }
        prev_text = t.to_string();
        blank = false;
        i += 1;
    }
    if let Some((item, no)) = items.iter().find(|(it, _)| it.text.is_empty()) {
        return Err(err(*no, format!("{} has a number but no text", item.id)));
    }
    Ok(Walked { items, end: i })
}

/// Whether the next significant line after `from` starts an item (or continues a heading that
/// is followed by one).
fn next_is_item(lines: &[Line], from: usize, furniture: &Furniture, rules: &Rules) -> bool {
    for l in &lines[from.min(lines.len())..] {
        let t = l.text.as_str();
        if t.is_empty() || furniture.is_noise(t) {
            continue;
        }
        if (rules.is_end)(t) {
            return false;
        }
        if (rules.start)(t).is_some() {
            return true;
        }
        // A heading may run over two lines; look one line further only for a lower-case one.
        if !starts_lower(t) {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_endings() {
        assert!(ends_open("that could impact on"));
        assert!(ends_open("children and young people,"));
        assert!(!ends_open("with individuals"));
    }

    #[test]
    fn hyphen_join() {
        let mut s = "person-".to_string();
        join(&mut s, "centred care");
        assert_eq!(s, "person-centred care");
        let mut s = "work-".to_string();
        join(&mut s, "Setting");
        assert_eq!(s, "work- Setting");
    }
}

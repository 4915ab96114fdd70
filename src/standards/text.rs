//! Line cleaning: turns raw extracted text into numbered, normalised lines.
//!
//! Whatever tool extracted a standard, the same words should come out: CRLF and CR line ends,
//! form feeds, `[bookmark: ...]` tags, tabs, non-breaking and thin spaces, zero-width marks,
//! soft hyphens and typographic quotes are all reduced to plain single-spaced text here, so the
//! parsers above never see them. A word an extractor split at a line-break hyphen onto one
//! line ("work- setting") is joined again. Line numbers stay those of the source file.

use std::sync::LazyLock;

use regex::Regex;

/// One source line after cleaning. `text` is empty for a blank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the source file.
    pub no: usize,
    pub text: String,
}

static BOOKMARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[bookmark:[^\]]*\]").expect("static regex"));

/// A letter, a hyphen, a space and a lower-case word: a word split at a line-break hyphen,
/// unless the word is one a suspended hyphen stands before ("short- and long-term").
static SPLIT_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\p{L})- (\p{Ll}+)").expect("static regex"));

/// Splits `raw` into cleaned lines. A form feed starts a new line but keeps the line number.
pub fn lines(raw: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut no = 0;
    let mut rest = raw;
    while !rest.is_empty() || no == 0 {
        no += 1;
        let (line, next) = match rest.find(['\n', '\r']) {
            Some(i) => {
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                (&rest[..i], &rest[i + skip..])
            }
            None => (rest, ""),
        };
        for piece in line.split('\u{c}') {
            out.push(Line {
                no,
                text: clean(piece),
            });
        }
        rest = next;
    }
    out
}

/// Cleans one line: tags out, odd spaces and quotes made plain, whitespace collapsed and trimmed.
pub fn clean(s: &str) -> String {
    let s = BOOKMARK.replace_all(s, " ");
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' => '"',
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => continue,
            c if c.is_whitespace() || c.is_control() => ' ',
            c => c,
        };
        if c == ' ' {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    if !out.contains("- ") {
        return out;
    }
    SPLIT_WORD
        .replace_all(&out, |c: &regex::Captures| {
            let next = &c[2];
            let gap = if matches!(next, "and" | "or" | "to" | "nor") {
                " "
            } else {
                ""
            };
            format!("{}-{gap}{next}", &c[1])
        })
        .into_owned()
}

/// Lower-cased letters and spaces only: the key used to compare headers, footers and titles
/// however they are numbered or punctuated.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_and_form_feeds_keep_numbers() {
        let ls = lines("a\r\nb\rc\n\u{c}d\u{c}e");
        let got: Vec<_> = ls.iter().map(|l| (l.no, l.text.as_str())).collect();
        assert_eq!(
            got,
            [(1, "a"), (2, "b"), (3, "c"), (4, ""), (4, "d"), (4, "e")]
        );
    }

    #[test]
    fn clean_normalises_quotes_spaces_tags() {
        assert_eq!(
            clean(
                " \t[bookmark: StartOverview]young\u{a0}people\u{2019}s  \u{201c}voice\u{201d}\t "
            ),
            "young people's \"voice\""
        );
        assert_eq!(clean("\t\t"), "");
    }

    #[test]
    fn clean_joins_a_word_split_at_a_line_break_hyphen() {
        assert_eq!(
            clean("facilities of your work- setting"),
            "facilities of your work-setting"
        );
        // A suspended hyphen stays, and so does a dash between spaces.
        assert_eq!(
            clean("short- and long-term goals - see below"),
            "short- and long-term goals - see below"
        );
        assert_eq!(clean("pre- or post-school"), "pre- or post-school");
    }

    #[test]
    fn fold_drops_digits_and_punctuation() {
        assert_eq!(
            fold("HSCCLD352 Promote wellbeing - Page 3 of 9"),
            "hsccld352 promote wellbeing page of"
        );
    }
}

//! The parser is written for the formats, not for five files: the seeds laid out as other
//! extraction tools produce them parse to the same items, word for word.

mod common;

use ksbquiz::standards::{self, Standard};

fn parse_variant(code: &str, f: impl Fn(&str) -> String) -> (Standard, Standard) {
    let (path, raw) = common::seed_text(code);
    let side = common::sidecar_for(&path);
    let original = standards::parse(&raw, "original.txt", side.as_ref()).expect("original parses");
    let changed = f(&raw);
    assert_ne!(changed, raw, "the variant must change the text");
    let variant = standards::parse(&changed, "variant.txt", side.as_ref())
        .unwrap_or_else(|e| panic!("{code} variant fails: {e}"));
    (original, variant)
}

fn same_items(code: &str, f: impl Fn(&str) -> String) {
    let (a, b) = parse_variant(code, f);
    assert_eq!(a.items.len(), b.items.len(), "{code}");
    for (x, y) in a.items.iter().zip(&b.items) {
        assert_eq!(x, y, "{code}");
    }
    assert_eq!(a.standard.code, b.standard.code);
    assert_eq!(a.standard.title, b.standard.title);
}

const SEEDS: [&str; 5] = [
    "HSCCLD352",
    "HSCCLD310",
    "PROV-LMCCP",
    "OCC0088B",
    "HSCCLD222",
];

fn header(code: &str) -> String {
    let s = common::seed(code);
    if s.standard.provisional {
        // The real document's header is unknown; a repeated running header stands in.
        "Leadership and management: child centred practice".to_string()
    } else {
        format!("{} {}", s.code(), s.standard.title)
    }
}

#[test]
fn crlf_line_ends() {
    for code in SEEDS {
        same_items(code, common::crlf);
    }
}

#[test]
fn hard_wrapped_at_72_and_90_columns() {
    for code in SEEDS {
        same_items(code, |s| common::hard_wrap(s, 72));
        same_items(code, |s| common::hard_wrap(s, 90));
    }
}

#[test]
fn running_headers_footers_page_numbers_and_form_feeds() {
    for code in SEEDS {
        let h = header(code);
        same_items(code, |s| common::paginate(s, 30, &h));
        same_items(code, |s| common::paginate(s, 17, &h));
    }
}

#[test]
fn tabs_after_numbers() {
    for code in SEEDS {
        same_items(code, common::tabs_after_numbers);
    }
}

#[test]
fn typographic_quotes_and_non_breaking_spaces() {
    for code in SEEDS {
        same_items(code, common::typographic);
    }
}

#[test]
fn everything_at_once() {
    for code in SEEDS {
        let h = header(code);
        same_items(code, |s| {
            common::crlf(&common::typographic(&common::tabs_after_numbers(
                &common::paginate(&common::hard_wrap(s, 80), 23, &h),
            )))
        });
    }
}

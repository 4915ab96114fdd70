//! Standards other than the seeds, in the same public formats: a NOS as a PDF extraction
//! (running header with page numbers, "P1<tab>" numbering, hanging indents, split headings,
//! a metadata table one cell per line) and an apprenticeship standard from the web (duty
//! references, headings between K, S and B, a code on a line of its own).

mod common;

use ksbquiz::standards::{self, ItemKind, StandardKind};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(common::root().join("tests/fixtures").join(name)).unwrap()
}

#[test]
fn nos_from_a_pdf_layout() {
    let s = standards::parse(&fixture("nos-pdf-layout.txt"), "nos-pdf-layout.txt", None).unwrap();
    assert_eq!(s.code(), "XYZ0001");
    assert_eq!(
        s.standard.title,
        "Support individuals to manage their money"
    );
    assert_eq!(s.standard.version.as_deref(), Some("2"));
    assert_eq!(s.standard.approved.as_deref(), Some("March 2024"));
    assert_eq!(s.count(ItemKind::Performance), 7);
    assert_eq!(s.count(ItemKind::Knowledge), 5);
    let t = |id: &str| s.item(id).unwrap().text.clone();
    assert_eq!(
        t("XYZ0001/P1"),
        "work with the individual to find out how they want to be supported to manage their money"
    );
    assert_eq!(
        t("XYZ0001/P5"),
        "support the individual to pay bills and keep receipts"
    );
    assert_eq!(
        t("XYZ0001/K1"),
        "your organisation's procedures for handling individuals' money and property"
    );
    assert_eq!(
        t("XYZ0001/K5"),
        "how to record financial transactions accurately"
    );
    assert_eq!(
        s.item("XYZ0001/P3").unwrap().section.as_deref(),
        Some("Planning support")
    );
    assert_eq!(
        s.item("XYZ0001/P4").unwrap().section.as_deref(),
        Some("Giving support")
    );
    assert_eq!(
        s.item("XYZ0001/P6").unwrap().section.as_deref(),
        Some("Giving support")
    );
}

#[test]
fn apprenticeship_from_a_web_page() {
    let s = standards::parse(&fixture("apprenticeship-ifate.txt"), "ifate.txt", None).unwrap();
    assert_eq!(s.code(), "ST9999");
    assert_eq!(s.standard.kind, Some(StandardKind::Apprenticeship));
    assert_eq!(s.standard.title, "Care worker (example)");
    assert_eq!(s.standard.level.as_deref(), Some("2"));
    assert_eq!(s.standard.version.as_deref(), Some("1.2"));
    assert_eq!(s.standard.approved.as_deref(), Some("12 March 2024"));
    assert_eq!(
        [
            s.count(ItemKind::Knowledge),
            s.count(ItemKind::Skill),
            s.count(ItemKind::Behaviour)
        ],
        [3, 3, 2]
    );
    let t = |id: &str| s.item(id).unwrap().text.clone();
    assert_eq!(
        t("ST9999/K1"),
        "The values and principles of person-centred care"
    );
    assert_eq!(
        t("ST9999/K2"),
        "How to recognise and report signs of abuse, neglect or harm, in line with local procedures"
    );
    assert_eq!(
        t("ST9999/S1"),
        "Supports individuals to make choices about their care"
    );
    assert_eq!(t("ST9999/B2"), "Shows resilience and adaptability");
}

fn err(text: &str) -> standards::ParseError {
    let side = standards::Sidecar {
        code: Some("TEST1".into()),
        title: Some("Test".into()),
        ..Default::default()
    };
    standards::parse(text, "bad.txt", Some(&side)).expect_err("must not parse")
}

#[test]
fn prose_is_refused_with_file_and_line() {
    let e = err("\n\nDear colleague,\nplease find the minutes attached.\n");
    assert_eq!((e.file.as_str(), e.line), ("bad.txt", 3));
    assert!(
        e.to_string().starts_with("bad.txt:3: not a standard"),
        "{e}"
    );
    assert_eq!(err("").line, 1);
}

#[test]
fn a_gap_in_numbering_names_the_line() {
    let e = err(
        "Performance criteria\nYou must be able to:\n1. do one thing\n2. do another\n4. do a fourth\n",
    );
    assert_eq!(e.line, 5);
    assert!(e.message.contains("expected P3 next but found P4"), "{e}");
}

#[test]
fn a_doubled_item_names_the_line() {
    let e = err("Knowledge and understanding\n1. how to a\n2. how to b\n2. how to b again\n");
    assert_eq!(e.line, 4);
}

#[test]
fn an_empty_list_is_an_error_not_an_empty_standard() {
    let e = err(
        "Overview\nAbout things.\n\nKnowledge and understanding\n\nYou need to know and understand:\n\nGlossary\nWords.\n",
    );
    assert_eq!(e.line, 8, "{e}");
    assert!(e.message.contains("no numbered items"), "{e}");
}

#[test]
fn a_list_that_stops_on_unknown_text_then_resumes_is_refused() {
    // Item 3 would be silently lost if the parser stopped at the stray paragraph.
    let e = err(
        "Performance criteria\n1. do one\n2. do two\nSome Unexpected Paragraph\nMore text here\n3. do three\nKnowledge and understanding\n1. know\n",
    );
    assert!(e.line >= 4, "{e}");
}

#[test]
fn a_missing_code_asks_for_a_sidecar() {
    let e = standards::parse("Performance criteria\n1. do one\n", "dir/x.txt", None).unwrap_err();
    assert!(e.message.contains("dir/x.meta.toml"), "{e}");
}

#[test]
fn a_number_without_text_is_an_error() {
    let e = err("Knowledge and understanding\nK1 how to a\nK2\n\nGlossary\n");
    assert!(e.message.contains("K2 has a number but no text"), "{e}");
}

#[test]
fn a_second_list_of_the_same_kind_is_refused() {
    let e = err("Performance criteria\n1. a\nPerformance criteria\n1. b\n");
    assert_eq!(e.line, 3);
}

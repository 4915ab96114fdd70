//! The parser never panics, whatever it is given: arbitrary text, and line soups made of the
//! pieces real standards are built from (numbers, headings, headers, tabs, odd spaces).

use ksbquiz::standards;
use proptest::prelude::*;

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Performance criteria".to_string()),
        Just("Knowledge and understanding".to_string()),
        Just("Knowledge and".to_string()),
        Just("understanding".to_string()),
        Just("You must be able to:".to_string()),
        Just("Glossary".to_string()),
        Just("Original URN\tABC123".to_string()),
        Just("Developed by\tSomeone".to_string()),
        Just("Reference: ST0001".to_string()),
        Just("-".to_string()),
        Just("\u{c}".to_string()),
        Just("Page 2 of 9".to_string()),
        Just(String::new()),
        (1u32..30).prop_map(|n| format!("{n}. do thing {n}")),
        (1u32..30).prop_map(|n| format!("K{n} know thing")),
        (1u32..30).prop_map(|n| format!("P{n}\tact")),
        (1u32..30, "[KSB]").prop_map(|(n, k)| format!("{k}{n}: Thing")),
        "[A-Za-z ,.:()\u{a0}\u{2019}\t-]{0,60}",
        "\\PC{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
        let _ = standards::parse(&s, "fuzz.txt", None);
    }

    #[test]
    fn line_soups_never_panic(lines in proptest::collection::vec(piece(), 0..60), crlf in any::<bool>()) {
        let sep = if crlf { "\r\n" } else { "\n" };
        let text = lines.join(sep);
        match standards::parse(&text, "soup.txt", None) {
            // A parse either fails naming the file and a real line...
            Err(e) => {
                prop_assert_eq!(e.file.as_str(), "soup.txt");
                prop_assert!(e.line >= 1 && e.line <= lines.len().max(1));
            }
            // ...or gives items with text and sequential numbers.
            Ok(s) => {
                prop_assert!(!s.items.is_empty());
                for it in &s.items {
                    prop_assert!(!it.text.is_empty());
                }
            }
        }
    }
}

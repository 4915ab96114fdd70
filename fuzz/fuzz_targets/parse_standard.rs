//! Fuzz target: the standards parser must never panic, and whatever it accepts must be a
//! well-formed standard (items with text, ids that match kind and number).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let side = ksbquiz::standards::Sidecar {
        code: Some("FUZZ1".into()),
        title: Some("Fuzz".into()),
        ..Default::default()
    };
    for sidecar in [None, Some(&side)] {
        if let Ok(s) = ksbquiz::standards::parse(text, "fuzz.txt", sidecar) {
            assert!(!s.items.is_empty());
            for it in &s.items {
                assert!(!it.text.is_empty());
                assert_eq!(it.id, format!("{}/{}{}", s.code(), it.kind.letter(), it.number));
            }
        }
    }
});

//! The five seed standards parse to exactly the items of the source documents, with every
//! extraction artefact the seeds README lists handled.

mod common;

use ksbquiz::standards::{ItemKind, StandardKind};

fn counts(code: &str) -> [usize; 4] {
    let s = common::seed(code);
    [
        s.count(ItemKind::Performance),
        s.count(ItemKind::Knowledge),
        s.count(ItemKind::Skill),
        s.count(ItemKind::Behaviour),
    ]
}

fn text(id: &str) -> String {
    let code = id.split('/').next().unwrap();
    common::seed(code)
        .item(id)
        .unwrap_or_else(|| panic!("{id} missing"))
        .text
        .clone()
}

#[test]
fn exact_counts_on_every_seed() {
    assert_eq!(counts("HSCCLD352"), [26, 27, 0, 0]);
    assert_eq!(counts("HSCCLD310"), [19, 27, 0, 0]);
    assert_eq!(counts("PROV-LMCCP"), [49, 111, 0, 0]);
    assert_eq!(counts("OCC0088B"), [0, 22, 22, 6]);
    assert_eq!(counts("HSCCLD222"), [10, 21, 0, 0]);
    let total: usize = common::library().standards().map(|s| s.items.len()).sum();
    assert_eq!(total, 340);
}

#[test]
fn ids_are_sequential_and_kinds_right() {
    for s in common::library().standards() {
        for kind in [
            ItemKind::Performance,
            ItemKind::Knowledge,
            ItemKind::Skill,
            ItemKind::Behaviour,
        ] {
            let nums: Vec<u32> = s
                .items
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| i.number)
                .collect();
            let want: Vec<u32> = (1..=nums.len() as u32).collect();
            assert_eq!(nums, want, "{} {:?}", s.code(), kind);
        }
        for it in &s.items {
            assert_eq!(
                it.id,
                format!("{}/{}{}", s.code(), it.kind.letter(), it.number)
            );
        }
    }
}

#[test]
fn every_text_is_whole_and_clean() {
    for s in common::library().standards() {
        for it in &s.items {
            let t = &it.text;
            assert!(!t.is_empty(), "{}", it.id);
            assert_eq!(t.trim(), t, "{} has edge whitespace", it.id);
            assert!(
                !t.contains('\t') && !t.contains("  "),
                "{} has tabs or double spaces",
                it.id
            );
            assert!(!t.contains("[bookmark"), "{}", it.id);
            assert!(
                !t.contains(&s.standard.title) || it.id.ends_with("/K0"),
                "{} holds the page header",
                it.id
            );
        }
    }
}

#[test]
fn page_header_inside_list_is_dropped() {
    // 001: the running header stands between K20 and K21.
    assert_eq!(
        text("HSCCLD310/K21"),
        "the records and reports required for promoting the social and emotional wellbeing of individuals"
    );
    assert_eq!(
        text("HSCCLD310/K20"),
        "how to model and encourage restorative conversations and practices"
    );
    // 001: P19 after a blank line.
    assert!(text("HSCCLD310/P19").starts_with("reflect on how you carried out"));
}

#[test]
fn item_split_across_page_header_is_joined() {
    assert_eq!(
        text("HSCCLD222/K19"),
        "how to respond to discrimination, actions, or inactions, that could impact on those who have caring responsibilities or individuals"
    );
}

#[test]
fn item_split_across_blank_lines_is_joined() {
    assert_eq!(
        text("HSCCLD352/K17"),
        "how to demonstrate empathy and understanding to children and young people, including the language and expressions you might use"
    );
}

#[test]
fn stray_dash_and_leading_spaces() {
    // 000: a lone "-" line before P21, and P22-P26 indented by a space.
    assert_eq!(
        text("HSCCLD352/P21"),
        "explain, agree and set shared expectations with children or young people"
    );
    assert_eq!(
        text("HSCCLD352/P22"),
        "intervene when children or young people are at risk of harm"
    );
    assert!(text("HSCCLD352/P26").starts_with("reflect on how you carried out your roles"));
}

#[test]
fn trailing_tabs_and_spaces_and_typographic_apostrophes() {
    // 002 K49 ends in a tab; P3 has a trailing space, a double space and a typographic apostrophe.
    assert_eq!(
        text("PROV-LMCCP/K49"),
        "factors that can affect communication and language skills and their development in children, young people or adults"
    );
    assert_eq!(
        text("PROV-LMCCP/P3"),
        "lead practice that meets children and young people's needs for continuity, and the development of positive, secure and healthy attachments and relationships"
    );
}

#[test]
fn themed_sections_are_kept() {
    let s = common::seed("PROV-LMCCP");
    let section = |id: &str| s.item(id).unwrap().section.clone().unwrap_or_default();
    assert_eq!(section("PROV-LMCCP/K1"), "Rights");
    assert_eq!(section("PROV-LMCCP/K8"), "Rights");
    assert_eq!(section("PROV-LMCCP/K9"), "Your practice");
    // Heading directly under K37 with no blank line between.
    assert_eq!(section("PROV-LMCCP/K37"), "Personalisation and resources");
    assert_eq!(
        section("PROV-LMCCP/K38"),
        "Continuing professional development"
    );
    assert_eq!(section("PROV-LMCCP/K55"), "Safe-guarding");
    assert_eq!(section("PROV-LMCCP/K111"), "Specific to this NOS");
    assert!(section("PROV-LMCCP/P14").starts_with("Manage the implementation"));
    let sections: std::collections::BTreeSet<_> = s
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Knowledge)
        .filter_map(|i| i.section.clone())
        .collect();
    assert_eq!(sections.len(), 13, "{sections:?}");
    // The glossary/scope text after the list is not an item.
    assert!(text("PROV-LMCCP/K111").ends_with("the well being of children and young people"));
}

#[test]
fn apprenticeship_among_web_noise() {
    assert_eq!(
        text("OCC0088B/K1"),
        "Communication that enables the voice of the child, young person or family members to be heard"
    );
    assert_eq!(
        text("OCC0088B/S18"),
        "Assumes the role of professional parent"
    );
    assert!(text("OCC0088B/B3").starts_with("Courage: Honesty and a positive belief"));
    assert!(text("OCC0088B/B6").ends_with("persistent and resilient"));
}

#[test]
fn metadata_is_read() {
    let s = common::seed("HSCCLD352");
    assert_eq!(
        s.standard.title,
        "Promote wellbeing and resilience of children and young people"
    );
    assert_eq!(s.standard.kind, Some(StandardKind::Nos));
    assert_eq!(s.standard.version.as_deref(), Some("1"));
    assert_eq!(s.standard.approved.as_deref(), Some("31 Jan 2026"));
    assert_eq!(
        s.standard.suite.as_deref(),
        Some("Health and Social Care & Childcare Learning and Development")
    );
    // 004 has its table without tabs, one field per paragraph.
    let s = common::seed("HSCCLD222");
    assert_eq!(
        s.standard.title,
        "Support those who have caring responsibilities"
    );
    assert_eq!(s.standard.approved.as_deref(), Some("31 Jan 2026"));
    let s = common::seed("OCC0088B");
    assert_eq!(s.standard.kind, Some(StandardKind::Apprenticeship));
    assert_eq!(s.standard.level.as_deref(), Some("4"));
    assert_eq!(
        s.standard.title,
        "Children, young people and families practitioner - Practitioner in Children's Residential Care"
    );
    assert_eq!(s.standard.status.as_deref(), Some("Approved occupation"));
    // 002: no URN or title in the text; the sidecar's provisional code is marked as such.
    let s = common::seed("PROV-LMCCP");
    assert!(s.standard.provisional);
    assert!(s.standard.note.as_deref().unwrap_or("").contains("no URN"));
}

#[test]
fn seed_files_are_byte_copies_of_the_sources() {
    let seeds = common::root().join("../shared/seeds");
    if !seeds.is_dir() {
        return; // the shared folder is beside the checkout in development and CI
    }
    let mut sources: Vec<Vec<u8>> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    sources.sort();
    let mut ours: Vec<Vec<u8>> = common::library()
        .entries
        .iter()
        .map(|e| std::fs::read(&e.path).unwrap())
        .collect();
    ours.sort();
    assert_eq!(sources.len(), 5);
    assert_eq!(ours, sources);
}

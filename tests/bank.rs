//! Question bank: generation is deterministic, ids are stable, every item is covered, the
//! generic layer serves standards without authored material, and `bank check` catches
//! malformed banks.

mod common;

use ksbquiz::bank::check::{self, Limits};
use ksbquiz::bank::{BankFile, Material, QuestionType, generate};
use ksbquiz::prompts::Prompts;
use ksbquiz::standards;

fn material() -> Material {
    Material::load(&common::root().join("data")).expect("material loads")
}

fn prompts() -> Prompts {
    Prompts::load(&common::root().join("prompts")).expect("prompts load")
}

fn build_all() -> Vec<BankFile> {
    let (m, p) = (material(), prompts());
    common::library()
        .standards()
        .map(|s| generate::build(s, &m, &p).expect("builds"))
        .collect()
}

#[test]
fn builds_are_byte_identical() {
    let a: Vec<String> = build_all().iter().map(BankFile::to_json).collect();
    let b: Vec<String> = build_all().iter().map(BankFile::to_json).collect();
    assert_eq!(a, b);
}

#[test]
fn the_committed_bank_is_what_the_sources_build() {
    for bank in build_all() {
        let path = common::root()
            .join("question-bank")
            .join(format!("{}.json", bank.standard.code));
        let committed = std::fs::read_to_string(&path).expect("bank file committed");
        assert!(
            committed == bank.to_json(),
            "{} is stale: run `ksbquiz bank build`",
            path.display()
        );
    }
}

#[test]
fn every_item_has_three_questions_of_two_types_and_the_bank_passes_its_checks() {
    let banks = build_all();
    let report = check::check(&banks, &Limits::default());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.items, 340);
    for bank in &banks {
        for item in &bank.items {
            let qs: Vec<_> = bank
                .questions
                .iter()
                .filter(|q| q.item == item.id)
                .collect();
            let types: std::collections::BTreeSet<_> = qs.iter().map(|q| q.qtype).collect();
            assert!(qs.len() >= 3 && types.len() >= 2, "{}", item.id);
        }
    }
}

#[test]
fn scenario_questions_look_like_the_brief() {
    let banks = build_all();
    let bank = banks
        .iter()
        .find(|b| b.standard.code == "HSCCLD352")
        .unwrap();
    let q = bank.question("HSCCLD352/P4/scenario-1").expect("stable id");
    assert_eq!(q.qtype, QuestionType::Scenario);
    assert_eq!(q.options.len(), 4);
    assert!(
        q.stem.ends_with("What does the standard expect you to do?"),
        "{}",
        q.stem
    );
    assert_eq!(
        q.explanation,
        "HSCCLD352 P4: recognise behaviour as a form of communication"
    );
    // Variants differ in who is in them.
    let v2 = bank.question("HSCCLD352/P4/scenario-2").unwrap();
    assert_ne!(q.stem, v2.stem);
    assert!(!q.stem.contains("{{") && !q.options.iter().any(|o| o.contains("{{")));
    // The key of a shortfall question is one of the authored poor options.
    let s = bank.question("HSCCLD352/P4/shortfall-1").unwrap();
    assert!(
        s.explanation
            .starts_with("The other three meet HSCCLD352 P4")
    );
}

#[test]
fn answer_positions_are_balanced_per_standard() {
    for bank in build_all() {
        let mut counts = [0usize; 4];
        for q in &bank.questions {
            counts[q.answer] += 1;
        }
        let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        assert!(hi - lo <= 1, "{} {:?}", bank.standard.code, counts);
    }
}

#[test]
fn ids_survive_a_change_of_wording() {
    let p = prompts();
    let mut m = material();
    let before = generate::build(&common::seed("HSCCLD222"), &m, &p).unwrap();
    let sc = m.scenarios.get_mut("HSCCLD222/K3").unwrap();
    sc.poor[0] =
        "Tell {{name}} to wait for the annual review before asking for any help at all.".into();
    let after = generate::build(&common::seed("HSCCLD222"), &m, &p).unwrap();
    let ids = |b: &BankFile| b.questions.iter().map(|q| q.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&before), ids(&after));
    assert_ne!(before, after);
}

#[test]
fn an_imported_standard_gets_generic_questions() {
    let text =
        std::fs::read_to_string(common::root().join("tests/fixtures/nos-pdf-layout.txt")).unwrap();
    let std = standards::parse(&text, "nos-pdf-layout.txt", None).unwrap();
    let bank = generate::build(&std, &material(), &prompts()).unwrap();
    assert!(bank.questions.iter().all(|q| q.source == "generic"));
    let report = check::check(std::slice::from_ref(&bank), &Limits::default());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let types: std::collections::BTreeSet<_> = bank.questions.iter().map(|q| q.qtype).collect();
    assert!(types.contains(&QuestionType::Theme) && types.contains(&QuestionType::Asks));
    // The "asks" key is the item itself; its distractors are not items of the standard.
    for q in bank
        .questions
        .iter()
        .filter(|q| q.qtype == QuestionType::Asks)
    {
        let item = std.item(&q.item).unwrap();
        assert_eq!(q.options[q.answer], item.text);
        for (i, o) in q.options.iter().enumerate() {
            if i != q.answer {
                assert!(std.items.iter().all(|it| &it.text != o));
            }
        }
    }
}

#[test]
fn an_item_losing_its_authored_material_falls_back_to_generic() {
    let p = prompts();
    let mut m = material();
    m.scenarios.remove("OCC0088B/S18");
    let bank = generate::build(&common::seed("OCC0088B"), &m, &p).unwrap();
    let qs: Vec<_> = bank
        .questions
        .iter()
        .filter(|q| q.item == "OCC0088B/S18")
        .collect();
    assert!(qs.len() >= 3);
    assert!(qs.iter().all(|q| q.source == "generic"));
}

#[test]
fn check_catches_malformed_questions() {
    let mut banks = build_all();
    let b = &mut banks[0];
    let code = b.standard.code.clone();
    let first_item = b.items[0].id.clone();
    b.questions.retain(|q| q.item != first_item);
    b.questions[0].options[1] = b.questions[0].options[0].clone();
    b.questions[1].answer = 9;
    b.questions[2].explanation = "Because.".into();
    b.questions[3].stem.push_str(" {{name}}");
    let dup = b.questions[b.questions.len() - 1].clone();
    b.questions.push(dup);
    let report = check::check(&banks, &Limits::default());
    let all = report.errors.join("\n");
    assert!(all.contains("two options are the same"), "{all}");
    assert!(
        all.contains("answer 9 is not one of the 4 options"),
        "{all}"
    );
    assert!(
        all.contains(&format!("explanation does not cite {code}")),
        "{all}"
    );
    assert!(all.contains("unfilled placeholder"), "{all}");
    assert!(all.contains("question id used twice"), "{all}");
    assert!(all.contains(&format!("{first_item}: 0 questions")), "{all}");
}

#[test]
fn check_measures_test_wise_strategies() {
    let mut banks = build_all();
    // Make every key the longest option: the longest-option strategy must then win.
    for b in &mut banks {
        for q in &mut b.questions {
            let a = q.answer;
            q.options[a].push_str(" and always follow your organisation's agreed ways of working");
            q.answer = a;
        }
    }
    let report = check::check(&banks, &Limits::default());
    assert!(report.test_wise["longest option"] > 0.9);
    assert!(
        report
            .regressions
            .iter()
            .any(|r| r.contains("longest option"))
    );
}

//! Question bank: generation is deterministic, ids are stable, every item is covered, the
//! generic layer serves standards without authored material, and `bank check` catches
//! malformed banks.

mod common;

use ksbquiz::bank::check::{self, Limits, STRATEGIES};
use ksbquiz::bank::{BankFile, Material, Question, QuestionType, generate};
use ksbquiz::prompts::Prompts;
use ksbquiz::standards::{self, Item, ItemKind, StandardInfo};

/// The ceilings `ksbquiz bank check` (and so CI) holds the project's bank to.
fn limits() -> Limits {
    Limits::load(&common::root().join("data/bank-check.toml")).expect("data/bank-check.toml")
}

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
    let report = check::check(&banks, &limits());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.regressions.is_empty(), "{:?}", report.regressions);
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
    let report = check::check(std::slice::from_ref(&bank), &limits());
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
    let report = check::check(&banks, &limits());
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
    let report = check::check(&banks, &limits());
    assert!(report.test_wise["longest option"] > 0.9);
    assert!(
        report
            .regressions
            .iter()
            .any(|r| r.contains("longest option"))
    );
}

#[test]
fn every_question_type_resists_test_wise_guessing() {
    let limits = limits();
    let report = check::check(&build_all(), &limits);
    let types: Vec<&String> = report.test_wise_by_type.keys().collect();
    assert_eq!(types, ["cloze", "scenario", "shortfall"]);
    for (qtype, figures) in &report.test_wise_by_type {
        assert_eq!(figures.len(), STRATEGIES.len());
        for (name, share) in figures {
            assert!(
                *share <= limits.max_test_wise_per_type,
                "{qtype}: always picking the {name} scores {:.1}%",
                100.0 * share
            );
        }
    }
    // Shortfall questions were the weak type: their keys gave themselves away by sharing
    // fewest words with the question and by being short.
    let shortfall = &report.test_wise_by_type["shortfall"];
    assert!(shortfall["fewest words shared with the question"] < 0.29);
    assert!(shortfall["shortest option"] < 0.29);
}

/// A bank on a made-up standard: one knowledge item per question, each question's options
/// given key first, the key dealt to positions 1-4 in turn.
fn made_up_bank(questions: Vec<(QuestionType, &str, [String; 4])>) -> BankFile {
    let standard = StandardInfo {
        code: "TINY1".into(),
        title: "A made-up standard".into(),
        ..StandardInfo::default()
    };
    let mut items = Vec::new();
    let mut qs = Vec::new();
    for (i, (qtype, stem, options)) in questions.into_iter().enumerate() {
        let n = i as u32 + 1;
        let item = Item {
            id: format!("TINY1/K{n}"),
            kind: ItemKind::Knowledge,
            number: n,
            section: None,
            text: format!("how to do thing {n}"),
        };
        let answer = i % 4;
        let mut options = options.to_vec();
        let key = options.remove(0);
        options.insert(answer, key);
        qs.push(Question {
            id: format!("{}/{}-1", item.id, qtype.name()),
            item: item.id.clone(),
            qtype,
            stem: stem.to_string(),
            options,
            answer,
            explanation: format!("TINY1 K{n}: {}", item.text),
            source: "authored".into(),
        });
        items.push(item);
    }
    BankFile {
        standard,
        items,
        questions: qs,
    }
}

const STEM: &str = "Mo spilt tea by the kettle in the kitchen. What now?";

/// An option padded with dots to `len` characters (dots are not words).
fn opt(text: &str, len: usize) -> String {
    format!("{text:.<len$}")
}

/// Options sharing 2, 1, 1 and 0 words with [`STEM`], at the lengths given.
fn shared_2_1_1_0(lens: [usize; 4]) -> [String; 4] {
    [
        opt("Mop the kettle and kitchen", lens[0]),
        opt("Mop round the kettle", lens[1]),
        opt("Wipe up the tea", lens[2]),
        opt("Leave it for later", lens[3]),
    ]
}

fn regressions_about(report: &check::Report, strategy: &str) -> Vec<String> {
    report
        .regressions
        .iter()
        .filter(|r| r.contains(strategy))
        .cloned()
        .collect()
}

#[test]
fn a_key_sharing_most_words_with_the_question_is_a_regression() {
    // Key first: shares two words, the others none; lengths give nothing away (key in between).
    let options = || {
        [
            opt("Mop the kettle and kitchen", 40),
            opt("Ring the office", 39),
            opt("Leave it for later", 41),
            opt("Wait for a colleague", 40),
        ]
    };
    let bank = made_up_bank(
        (0..8)
            .map(|_| (QuestionType::Scenario, STEM, options()))
            .collect(),
    );
    let mut limits = limits();
    let report = check::check(std::slice::from_ref(&bank), &limits);
    assert_eq!(report.test_wise["most words shared with the question"], 1.0);
    assert_eq!(
        report.test_wise["fewest words shared with the question"],
        0.0
    );
    let most = regressions_about(&report, "most words shared");
    assert_eq!(most.len(), 1, "{:?}", report.regressions);
    assert!(most[0].contains("scores 100.0%"), "{most:?}");
    assert!(regressions_about(&report, "fewest words shared").is_empty());
    assert!(
        regressions_about(&report, "option").is_empty(),
        "{:?}",
        report.regressions
    );
    // Held to the per-type ceiling too once the type has enough questions to count.
    limits.min_type_questions = 8;
    let report = check::check(std::slice::from_ref(&bank), &limits);
    let most = regressions_about(&report, "most words shared");
    assert_eq!(most.len(), 2, "{most:?}");
    assert!(most[1].starts_with("scenario questions (8): "), "{most:?}");
}

#[test]
fn a_key_sharing_fewest_words_with_the_question_is_a_regression() {
    // Key first: shares no word, the others one or two; the key is neither longest nor shortest.
    let options = || {
        let [two, one, other_one, none] = shared_2_1_1_0([41, 39, 40, 40]);
        [none, two, one, other_one]
    };
    let bank = made_up_bank(
        (0..8)
            .map(|_| (QuestionType::Shortfall, STEM, options()))
            .collect(),
    );
    let report = check::check(std::slice::from_ref(&bank), &limits());
    assert_eq!(
        report.test_wise["fewest words shared with the question"],
        1.0
    );
    assert_eq!(report.test_wise["most words shared with the question"], 0.0);
    let fewest = regressions_about(&report, "fewest words shared");
    assert_eq!(fewest.len(), 1, "{:?}", report.regressions);
    assert!(regressions_about(&report, "most words shared").is_empty());
    assert!(
        regressions_about(&report, "option").is_empty(),
        "{:?}",
        report.regressions
    );
}

#[test]
fn a_weak_question_type_fails_the_check_even_when_the_whole_bank_looks_fine() {
    let limits = limits();
    let n = limits.min_type_questions.max(4).next_multiple_of(4);
    // Scenario questions give nothing away: the key (sharing one word, 40 characters) is in
    // the middle on length and on shared words. Cloze questions' keys share most words.
    let fair = || {
        let [two, one, other_one, none] = shared_2_1_1_0([41, 40, 40, 39]);
        [one, two, other_one, none]
    };
    let weak = || shared_2_1_1_0([40, 41, 40, 39]);
    let questions = (0..4 * n)
        .map(|_| (QuestionType::Scenario, STEM, fair()))
        .chain((0..n).map(|_| (QuestionType::Cloze, STEM, weak())))
        .collect();
    let report = check::check(&[made_up_bank(questions)], &limits);
    let most = "most words shared with the question";
    assert_eq!(report.test_wise[most], 0.2);
    assert!(
        report.test_wise[most] <= limits.max_test_wise,
        "this test needs an overall ceiling of at least 20%"
    );
    assert_eq!(report.test_wise_by_type["cloze"][most], 1.0);
    assert_eq!(report.test_wise_by_type["scenario"][most], 0.0);
    assert!(!report.ok());
    assert_eq!(
        report.regressions,
        [format!(
            "cloze questions ({n}): always picking the {most} scores 100.0% (ceiling {:.1}% per type)",
            100.0 * limits.max_test_wise_per_type
        )]
    );
}

#[test]
fn the_tests_hold_the_bank_to_the_projects_ceilings() {
    let limits = limits();
    // Stricter than the fallback for a project without data/bank-check.toml.
    assert!(limits.max_test_wise < Limits::default().max_test_wise);
    assert!(limits.max_test_wise_per_type <= Limits::default().max_test_wise_per_type);
    assert!(limits.max_test_wise_per_type < 0.32);
}

/// A copy of `data/` with one scenario file edited, loaded.
fn load_with(file: &str, from: &str, to: &str) -> Result<Material, String> {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for sub in ["", "scenarios"] {
        std::fs::create_dir_all(data.join(sub)).unwrap();
        for e in std::fs::read_dir(common::root().join("data").join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                std::fs::copy(&p, data.join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    let path = data.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    Material::load(&data).map_err(|e| e.to_string())
}

#[test]
fn material_breaking_the_documented_length_rules_is_refused_naming_file_and_item() {
    let file = "scenarios/HSCCLD352.toml";
    let option = "Offer {{name}} a treat for each day on the minibus, so the refusals stop as soon as possible.";
    // 93 characters as written; with the longest child's name in, at most 95.
    assert!(load_with(file, option, option).is_ok());
    let err = load_with(
        file,
        option,
        &format!("{} Straight away.", &option[..option.len() - 1]),
    )
    .unwrap_err();
    assert!(
        err.contains("HSCCLD352.toml: item HSCCLD352/P4: poor option"),
        "{err}"
    );
    assert!(
        err.contains("characters after filling in (at most 95)"),
        "{err}"
    );

    let situation = "Staff call it \\\"defiance\\\".";
    let err = load_with(
        file,
        situation,
        &format!("{situation} They have tried stickers, a later bus, a walk with a friend and a talk with {{{{their}}}} teacher; nothing has changed so far."),
    )
    .unwrap_err();
    assert!(
        err.contains("HSCCLD352.toml: item HSCCLD352/P4: the situation is"),
        "{err}"
    );
    assert!(err.contains("(at most 220)"), "{err}");

    let err = load_with(file, option, "Offer {{name}} a treat.").unwrap_err();
    assert!(
        err.contains("HSCCLD352.toml: item HSCCLD352/P4: options differ too much in length"),
        "{err}"
    );

    let err = load_with(
        "themes.toml",
        "good = [",
        "good = [\"Ask what {{name}} would like to happen next, then write all of it down in the care plan before the end of the day.\", ",
    )
    .unwrap_err();
    assert!(err.contains("themes.toml: theme "), "{err}");
    assert!(err.contains("(at most 95)"), "{err}");
}

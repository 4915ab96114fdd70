//! Question bank: generation is deterministic, ids are stable, every item is covered, items
//! without reviewed material get no questions, a retired question leaves the rest alone, draft
//! material is never asked, and `bank check` catches malformed banks and keys that their form
//! gives away.

mod common;

use std::collections::BTreeSet;

use ksbquiz::bank::check::{self, Limits, STRATEGIES};
use ksbquiz::bank::material::Opt;
use ksbquiz::bank::{BankFile, Material, Question, QuestionType, forms, generate};
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
    build_all_from(&material())
}

fn build_all_from(m: &Material) -> Vec<BankFile> {
    let p = prompts();
    common::library()
        .standards()
        .map(|s| generate::build(s, m, &p).expect("builds"))
        .collect()
}

/// The material with every item's "which falls short" question asked again (each material
/// file retires it with a file-level `retired`), for tests of how that type is built.
fn asking_shortfall(mut m: Material) -> Material {
    for s in m.scenarios.values_mut() {
        s.retired.retain(|r| r != "shortfall-1");
    }
    m
}

/// Builds one seed standard.
fn build_one(code: &str, m: &Material) -> BankFile {
    generate::build(&common::seed(code), m, &prompts()).expect("builds")
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
fn every_item_has_its_three_scenario_questions_and_the_bank_passes_its_checks() {
    let banks = build_all();
    let report = check::check(&banks, &limits());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.regressions.is_empty(), "{:?}", report.regressions);
    assert_eq!(report.items, 340);
    assert_eq!(report.questions, 3 * 340);
    for bank in &banks {
        for item in &bank.items {
            let ids: Vec<&str> = bank
                .questions
                .iter()
                .filter(|q| q.item == item.id)
                .map(|q| q.id.rsplit('/').next().unwrap_or_default())
                .collect();
            assert_eq!(
                ids,
                ["scenario-1", "scenario-2", "scenario-3"],
                "{}",
                item.id
            );
        }
    }
}

#[test]
fn retiring_the_falls_short_question_leaves_the_scenario_questions_as_they_were() {
    // Every material file retires its items' "which falls short" question with one line;
    // asked again, each item gains it and its scenario questions are unchanged, ids, options
    // and keys (retired questions keep their place in the deal of key positions).
    let asked = build_all_from(&asking_shortfall(material()));
    for (now, before) in build_all().iter().zip(&asked) {
        let scenario: Vec<&Question> = before
            .questions
            .iter()
            .filter(|q| q.qtype == QuestionType::Scenario)
            .collect();
        assert_eq!(now.questions.iter().collect::<Vec<_>>(), scenario);
        assert_eq!(before.questions.len(), 4 * before.items.len());
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
    // Variants tell one story, each keyed on another good practice, with the same distractors.
    let v2 = bank.question("HSCCLD352/P4/scenario-2").unwrap();
    assert_eq!(q.stem, v2.stem);
    assert_ne!(q.options[q.answer], v2.options[v2.answer]);
    let distractors = |q: &Question| {
        let mut d: Vec<String> = (0..4)
            .filter(|&i| i != q.answer)
            .map(|i| q.options[i].clone())
            .collect();
        d.sort();
        d
    };
    assert_eq!(distractors(q), distractors(v2));
    assert!(!q.stem.contains("{{") && !q.options.iter().any(|o| o.contains("{{")));
    // Every option carries its reason, and the options give none themselves.
    assert_eq!(q.feedback.len(), 4);
    assert!(q.feedback.iter().all(|w| w.len() > 20 && !w.contains("{{")));
    assert!(
        q.options.iter().all(|o| !forms::gives_reason(o)),
        "{:?}",
        q.options
    );
    // The key of a shortfall question (asked where the material does not retire it) is one of
    // the authored poor options: a distractor of the scenario questions.
    let asked = build_one("HSCCLD352", &asking_shortfall(material()));
    let s = asked.question("HSCCLD352/P4/shortfall-1").unwrap();
    assert!(
        s.explanation
            .starts_with("The other three meet HSCCLD352 P4")
    );
    assert!(distractors(q).contains(&s.options[s.answer]));
    // One person plays the item's questions, with a stand-in for a learner of that name.
    let person = q.person.as_ref().expect("a scenario has a person");
    assert_eq!(s.person.as_ref(), Some(person));
    assert!(q.stem.contains(&person.name));
    let seen = q.for_learner(&format!("{} Smith", person.name));
    assert!(!seen.stem.contains(&person.name) && seen.stem.contains(&person.stand_in));
    assert_eq!(*q.for_learner("Somebody Else"), *q);
}

#[test]
fn answer_positions_are_balanced_per_standard_and_question_type() {
    // Per type as well as overall: a learner must not gain by always picking D in
    // "which falls short?" questions.
    for bank in build_all_from(&asking_shortfall(material())) {
        for qtype in [QuestionType::Scenario, QuestionType::Shortfall] {
            let mut counts = [0usize; 4];
            for q in bank.questions.iter().filter(|q| q.qtype == qtype) {
                counts[q.answer] += 1;
            }
            let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(hi - lo <= 1, "{} {qtype} {:?}", bank.standard.code, counts);
        }
    }
}

#[test]
fn ids_survive_a_change_of_wording() {
    let mut m = material();
    let before = build_one("HSCCLD222", &m);
    let sc = m.scenarios.get_mut("HSCCLD222/K3").unwrap();
    sc.poor[0] = Opt::Full {
        text: "Tell {{name}} to wait for the annual review before asking for more help.".into(),
        why: "Waiting leaves {{name}} without the help the item is about.".into(),
    };
    let after = build_one("HSCCLD222", &m);
    let ids = |b: &BankFile| b.questions.iter().map(|q| q.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&before), ids(&after));
    assert_ne!(before, after);
}

#[test]
fn a_retired_question_leaves_every_other_question_as_it_was() {
    let mut m = material();
    let before = build_one("HSCCLD222", &m);
    m.scenarios
        .get_mut("HSCCLD222/K3")
        .unwrap()
        .retired
        .push("scenario-2".into());
    let after = build_one("HSCCLD222", &m);
    assert!(after.question("HSCCLD222/K3/scenario-2").is_none());
    assert_eq!(after.questions.len() + 1, before.questions.len());
    let kept: Vec<&Question> = before
        .questions
        .iter()
        .filter(|q| q.id != "HSCCLD222/K3/scenario-2")
        .collect();
    assert_eq!(kept, after.questions.iter().collect::<Vec<_>>());
}

#[test]
fn draft_material_is_never_asked_until_reviewed() {
    let mut m = material();
    let sc = m.scenarios.get_mut("HSCCLD222/K3").unwrap().clone();
    m.scenarios.get_mut("HSCCLD222/K3").unwrap().status = ksbquiz::bank::material::Status::Draft;
    let bank = build_one("HSCCLD222", &m);
    let k3: Vec<&Question> = bank
        .questions
        .iter()
        .filter(|q| q.item == "HSCCLD222/K3")
        .collect();
    assert!(k3.is_empty(), "{k3:?}");
    let json = bank.to_json();
    for o in sc.good.iter().chain(&sc.poor) {
        let start: String = o.text().chars().take(25).collect();
        assert!(
            !json.contains(&start),
            "draft text {start:?} reached the bank"
        );
    }
}

#[test]
fn an_imported_standard_has_no_questions_until_its_material_is_reviewed() {
    let text =
        std::fs::read_to_string(common::root().join("tests/fixtures/nos-pdf-layout.txt")).unwrap();
    let std = standards::parse(&text, "nos-pdf-layout.txt", None).unwrap();
    let bank = generate::build(&std, &material(), &prompts()).unwrap();
    assert!(bank.questions.is_empty());
    assert_eq!(bank.items.len(), std.items.len());
    // The check says what to write, and holds nothing against the items not yet written.
    let report = check::check(std::slice::from_ref(&bank), &limits());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.unwritten[std.code()], std.items.len());
}

#[test]
fn an_item_losing_its_authored_material_is_no_longer_asked() {
    let mut m = material();
    m.scenarios.remove("OCC0088B/S18");
    let bank = build_one("OCC0088B", &m);
    let qs: Vec<_> = bank
        .questions
        .iter()
        .filter(|q| q.item == "OCC0088B/S18")
        .collect();
    assert!(qs.is_empty());
    let report = check::check(std::slice::from_ref(&bank), &limits());
    assert_eq!(report.unwritten["OCC0088B"], 1);
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
    // An item left with no questions is not asked, and the check says so.
    assert_eq!(report.unwritten[&code], 1, "{first_item}");
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
fn the_answer_only_model_fails_a_planted_form_cue_the_strategies_cannot_see() {
    let limits = limits();
    let mut banks = build_all();
    let fair = check::check(&banks, &limits);
    assert!(fair.ok(), "{:?}", fair.regressions);
    // Every scenario key opens with the same adverb, each distractor with another of the same
    // length, used once per question: lengths, words shared with the question and with the
    // other options are as before, so only a model of the options' wording can tell.
    open_scenario_options(&mut banks, |_| {
        ["Calmly", "Firmly", "Warmly", "Evenly"].map(String::from)
    });
    let planted = check::check(&banks, &limits);
    let scenario = &planted.answer_only.by_type["scenario"];
    assert!(scenario.accuracy > 0.9, "{scenario:?}");
    // Every question it found is listed for the author (the text report shows the surest 15),
    // surest first.
    let found = &planted.answer_only.flagged;
    let scenario_found = found
        .iter()
        .filter(|f| f.question.contains("/scenario-"))
        .count();
    assert!(
        scenario_found >= 900,
        "{scenario_found} scenario questions listed"
    );
    assert!(
        found
            .windows(2)
            .all(|w| w[0].probability >= w[1].probability)
    );
    // Per standard too: every standard's scenario keys are found, by the cue learnt on the
    // others.
    for (code, types) in &planted.answer_only.by_standard {
        assert!(types["scenario"].accuracy > 0.9, "{code}: {types:?}");
    }
    assert_eq!(
        planted.regressions.len(),
        1,
        "only the model: {:?}",
        planted.regressions
    );
    let r = &planted.regressions[0];
    assert!(
        r.starts_with(
            "scenario questions (1020): a model that reads only the options finds the key in"
        ) && r.contains("scenario|first:calmly"),
        "{r}"
    );
}

/// Opens every scenario option of the standard at index `b` with a word of `words(b)`: the
/// key with the first, its distractors with the other three in turn.
fn open_scenario_options(banks: &mut [BankFile], words: impl Fn(usize) -> [String; 4]) {
    for (b, bank) in banks.iter_mut().enumerate() {
        let [key, others @ ..] = words(b);
        for q in bank
            .questions
            .iter_mut()
            .filter(|q| q.qtype == QuestionType::Scenario)
        {
            let mut others = others.iter();
            for (i, o) in q.options.iter_mut().enumerate() {
                let word = if i == q.answer {
                    &key
                } else {
                    others.next().unwrap()
                };
                *o = format!("{word} {o}");
            }
        }
    }
}

#[test]
fn a_cue_of_each_standards_own_is_reported_by_the_folds_of_items_and_not_gated() {
    let limits = limits();
    let mut banks = build_all();
    let fair = check::check(&banks, &limits);
    // Each standard's scenario keys open with a word of its own and its distractors with three
    // others of its own, all of one length: a model trained on the other standards never met
    // them, one trained on the bank's other items has.
    open_scenario_options(&mut banks, |b| {
        ["Qwa", "Qwb", "Qwc", "Qwd"].map(|w| format!("{w}{b}"))
    });
    let planted = check::check(&banks, &limits);
    let within = &planted.answer_only.within["scenario"];
    assert!(within.accuracy > 0.9, "{within:?}");
    let (across, before) = (
        planted.answer_only.by_type["scenario"].accuracy,
        fair.answer_only.by_type["scenario"].accuracy,
    );
    assert!(across < before + 0.05, "{across} against {before}");
    // Reported, not gated: the check still passes.
    assert!(planted.ok(), "{:?}", planted.regressions);
}

#[test]
fn every_question_type_resists_test_wise_guessing() {
    let limits = limits();
    // With the falls-short question asked again too, each type on its own.
    let report = check::check(&build_all_from(&asking_shortfall(material())), &limits);
    let types: Vec<&String> = report.test_wise_by_type.keys().collect();
    assert_eq!(types, ["scenario", "shortfall"]);
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
            feedback: Vec::new(),
            source: "generic".into(),
            person: None,
            other: None,
        });
        items.push(item);
    }
    BankFile {
        standard,
        items,
        questions: qs,
    }
}

/// A made-up bank of eight questions of `qtype`, each `stem` with the options `options` gives
/// (key first), the key dealt to positions 1-4 in turn.
fn eight_of(qtype: QuestionType, stem: &str, options: impl Fn() -> [String; 4]) -> BankFile {
    made_up_bank((0..8).map(|_| (qtype, stem, options())).collect())
}

const STEM: &str = "Mo spilt tea by the kettle in the kitchen. What now?";

/// The check's report on [`eight_of`] those questions, held to the project's ceilings.
fn check_eight(
    qtype: QuestionType,
    stem: &str,
    options: impl Fn() -> [String; 4],
) -> check::Report {
    check::check(&[eight_of(qtype, stem, options)], &limits())
}

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

/// Asserts `strategy` is named by exactly one regression, finding every key against the flag
/// ceiling.
fn the_one_flag_regression(report: &check::Report, strategy: &str) {
    let found = regressions_about(report, strategy);
    assert_eq!(found.len(), 1, "{strategy}: {:?}", report.regressions);
    assert!(
        found[0].contains("scores 100.0% (ceiling 26.0%)"),
        "{found:?}"
    );
}

/// A planted cue: the strategy `blind` to it guesses (25%), `strategy` finds every key, and
/// that is the check's one regression.
fn found_only_by(report: &check::Report, blind: &str, strategy: &str) {
    assert_eq!(report.test_wise[blind], 0.25);
    assert_eq!(report.test_wise[strategy], 1.0);
    the_one_flag_regression(report, strategy);
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
    let bank = eight_of(QuestionType::Scenario, STEM, options);
    let mut limits = limits();
    let report = check::check(std::slice::from_ref(&bank), &limits);
    assert_eq!(report.test_wise["most words shared with the question"], 1.0);
    assert_eq!(
        report.test_wise["fewest words shared with the question"],
        0.0
    );
    let most = regressions_about(&report, "most words shared with the question");
    assert_eq!(most.len(), 1, "{:?}", report.regressions);
    assert!(most[0].contains("scores 100.0%"), "{most:?}");
    assert!(regressions_about(&report, "fewest words shared with the question").is_empty());
    // The key sits in the middle by length (which the middle strategy rightly flags), never
    // the longest or the shortest.
    assert!(
        regressions_about(&report, "longest option").is_empty()
            && regressions_about(&report, "shortest option").is_empty(),
        "{:?}",
        report.regressions
    );
    // Held to the per-type ceiling too once the type has enough questions to count.
    limits.min_type_questions = 8;
    let report = check::check(std::slice::from_ref(&bank), &limits);
    let most = regressions_about(&report, "most words shared with the question");
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
    let report = check_eight(QuestionType::Shortfall, STEM, options);
    assert_eq!(
        report.test_wise["fewest words shared with the question"],
        1.0
    );
    assert_eq!(report.test_wise["most words shared with the question"], 0.0);
    let fewest = regressions_about(&report, "fewest words shared with the question");
    assert_eq!(fewest.len(), 1, "{:?}", report.regressions);
    assert!(regressions_about(&report, "most words shared with the question").is_empty());
    // The key sits in the middle by length (which the middle strategy rightly flags), never
    // the longest or the shortest.
    assert!(
        regressions_about(&report, "longest option").is_empty()
            && regressions_about(&report, "shortest option").is_empty(),
        "{:?}",
        report.regressions
    );
}

#[test]
fn a_key_at_the_centre_of_near_miss_distractors_is_a_regression() {
    // Each distractor keeps part of the key's wording and changes one thing, so the key shares
    // most words with the other options.
    let options = || {
        [
            opt(
                "Agree with Nora, the nurse and the therapist who does each task",
                70,
            ),
            opt("Let the nurse and the therapist share out the roles", 71),
            opt("Tell Nora the district nurse decides each task", 69),
            opt("Take on the dropped visits yourself", 70),
        ]
    };
    let stem = "Three services visit a carer's home. Who does what is unclear.";
    let report = check_eight(QuestionType::Scenario, stem, options);
    assert_eq!(
        report.test_wise["most words shared with the other options"],
        1.0
    );
    let centre = regressions_about(&report, "most words shared with the other options");
    assert_eq!(centre.len(), 1, "{:?}", report.regressions);
    assert!(centre[0].contains("scores 100.0%"), "{centre:?}");
    assert!(regressions_about(&report, "fewest words shared with the other").is_empty());
}

#[test]
fn distractors_that_put_the_action_off_are_a_regression() {
    // Two of each question's distractors wait (tomorrow, until someone comes); the key and
    // the third act now. "Never the one that waits" then halves the field: 50%, where the
    // ceiling for picking by a flag is just above chance. Lengths give nothing away.
    let options = || {
        [
            opt("Wipe up the spill", 40),
            opt("Ring the office", 41),
            opt("Mop the floor tomorrow", 39),
            opt("Wait until a colleague comes", 40),
        ]
    };
    let report = check_eight(QuestionType::Scenario, STEM, options);
    assert_eq!(report.test_wise["option acting without delay"], 0.5);
    assert_eq!(report.test_wise["option putting the action off"], 0.0);
    let now = regressions_about(&report, "option acting without delay");
    assert_eq!(now.len(), 1, "{:?}", report.regressions);
    assert!(now[0].contains("scores 50.0% (ceiling 26.0%)"), "{now:?}");
    assert!(regressions_about(&report, "option putting the action off").is_empty());
}

#[test]
fn a_key_alone_bringing_someone_in_or_naming_a_time_is_a_regression() {
    // The key (first) alone brings someone else in and alone names a time: the two odd-one-out
    // strategies a reviewer would use find it every time; their opposites single out nothing
    // here and guess. Lengths and shared words give nothing away.
    let options = || {
        [
            opt("Ring the manager today", 40),
            opt("Wipe up the spill", 41),
            opt("Mop the floor", 39),
            opt("Put a sign out", 42),
        ]
    };
    let report = check_eight(QuestionType::Scenario, STEM, options);
    assert_eq!(
        report.test_wise["only option bringing someone else in"],
        1.0
    );
    assert_eq!(report.test_wise["only option with a time word"], 1.0);
    assert_eq!(
        report.test_wise["only option bringing no one else in"],
        0.25
    );
    for strategy in [
        "only option bringing someone else in",
        "only option with a time word",
    ] {
        the_one_flag_regression(&report, strategy);
    }
    assert!(regressions_about(&report, "bringing no one else in").is_empty());
    assert!(regressions_about(&report, "hedging").is_empty());
}

#[test]
fn a_key_alone_repeating_the_question_or_lacking_the_others_word_is_a_regression() {
    // The giveaways reviewers name most by words. First: the key (first) alone repeats a word
    // of the question ("kettle"); the others each share one too, but the same one
    // ("kitchen"), so counting shared words ties all four and sees nothing.
    let echo = || {
        [
            opt("Wipe round the kettle", 40),
            opt("Mop the kitchen", 39),
            opt("Sweep the kitchen", 41),
            opt("Dry the kitchen", 42),
        ]
    };
    let report = check_eight(QuestionType::Scenario, STEM, echo);
    found_only_by(
        &report,
        "most words shared with the question",
        "only option repeating a word of the question",
    );
    // Second: three options share "wipe" and "down", and the key alone lacks them; no option
    // repeats a word of the question, so the first strategy singles nothing out and guesses.
    let lack = || {
        [
            opt("Mop up the puddle", 40),
            opt("Wipe down the floor", 39),
            opt("Wipe down the worktop", 41),
            opt("Wipe down the cupboard", 42),
        ]
    };
    let report = check_eight(QuestionType::Shortfall, STEM, lack);
    found_only_by(
        &report,
        "only option repeating a word of the question",
        "only option lacking a word the other three share",
    );
    assert!(regressions_about(&report, "repeating a word").is_empty());
}

#[test]
fn keys_bunched_on_some_positions_within_a_type_are_a_regression() {
    // Types alternate, keys go to positions 1-4 in turn: even over the bank, but scenario keys
    // are only ever option 1 or 3 and shortfall keys option 2 or 4.
    let bank = made_up_bank(
        (0..16)
            .map(|i| {
                let t = if i % 2 == 0 {
                    QuestionType::Scenario
                } else {
                    QuestionType::Shortfall
                };
                (t, STEM, shared_2_1_1_0([40, 41, 39, 42]))
            })
            .collect(),
    );
    let mut limits = limits();
    limits.min_type_questions = 8;
    let report = check::check(std::slice::from_ref(&bank), &limits);
    assert!(
        report.positions.iter().all(|&p| p == 0.25),
        "{:?}",
        report.positions
    );
    let skew = regressions_about(&report, "the key is option");
    assert!(
        skew.iter()
            .any(|r| r.starts_with("scenario questions (8): the key is option 1 in 50.0%")),
        "{skew:?}"
    );
    assert!(
        skew.iter()
            .any(|r| r.starts_with("shortfall questions (8): the key is option 2 in 50.0%")),
        "{skew:?}"
    );
}

#[test]
fn a_weak_question_type_fails_the_check_even_when_the_whole_bank_looks_fine() {
    let limits = limits();
    let n = limits.min_type_questions.max(4).next_multiple_of(4);
    // Scenario questions give nothing away: the key (sharing one word, 40 characters) is in
    // the middle on length and on shared words. Shortfall questions' keys share most words.
    let fair = || {
        let [two, one, other_one, none] = shared_2_1_1_0([41, 40, 40, 39]);
        [one, two, other_one, none]
    };
    let weak = || shared_2_1_1_0([40, 41, 40, 39]);
    let questions = (0..4 * n)
        .map(|_| (QuestionType::Scenario, STEM, fair()))
        .chain((0..n).map(|_| (QuestionType::Shortfall, STEM, weak())))
        .collect();
    let report = check::check(&[made_up_bank(questions)], &limits);
    let most = "most words shared with the question";
    assert_eq!(report.test_wise[most], 0.2);
    assert!(
        report.test_wise[most] <= limits.max_test_wise,
        "this test needs an overall ceiling of at least 20%"
    );
    assert_eq!(report.test_wise_by_type["shortfall"][most], 1.0);
    assert_eq!(report.test_wise_by_type["scenario"][most], 0.0);
    assert!(!report.ok());
    let expected = format!(
        "shortfall questions ({n}): always picking the {most} scores 100.0% (ceiling {:.1}% per type)",
        100.0 * limits.max_test_wise_per_type
    );
    assert!(
        report.regressions.contains(&expected),
        "{:?}",
        report.regressions
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

/// The text of the first poor option of `id` in a material file, as written there.
fn first_poor_option(file: &str, id: &str) -> String {
    let text = std::fs::read_to_string(common::root().join("data").join(file)).unwrap();
    let stanza = text.split(&format!("id = \"{id}\"")).nth(1).unwrap();
    let poor = stanza.split("poor = [").nth(1).unwrap();
    let from = poor.find("text = \"").unwrap() + "text = \"".len();
    let len = poor[from..].find("\", why").unwrap();
    poor[from..from + len].to_string()
}

#[test]
fn material_breaking_the_documented_rules_is_refused_naming_file_and_item() {
    let file = "scenarios/HSCCLD352.toml";
    let option = first_poor_option(file, "HSCCLD352/P4");
    assert!(load_with(file, &option, &option).is_ok());
    // Over 95 characters once filled in.
    let long = format!(
        "{} and then again {}",
        &option[..option.len() - 1],
        "x".repeat(60)
    );
    let err = load_with(file, &option, &long).unwrap_err();
    assert!(
        err.contains("HSCCLD352.toml: item HSCCLD352/P4: poor option"),
        "{err}"
    );
    assert!(
        err.contains("characters after filling in (at most 95)"),
        "{err}"
    );

    let err = load_with(
        file,
        "id = \"HSCCLD352/P4\"",
        "id = \"HSCCLD352/P4\"\nsituation = \"x\"",
    )
    .unwrap_err();
    assert!(err.contains("HSCCLD352.toml"), "{err}");

    let err = load_with(file, &option, "Offer {{name}} a treat.").unwrap_err();
    assert!(
        err.contains("HSCCLD352.toml: item HSCCLD352/P4: options differ too much in length"),
        "{err}"
    );

    // An option without its reason.
    let err = load_with(
        file,
        &format!("{option}\", why = \""),
        &format!("{option}\", why = \" \" }}, {{ text = \"x\", why = \""),
    );
    assert!(err.is_err());
    let err = load_with(
        file,
        &format!("{{ text = \"{option}\", why = \""),
        &format!("{{ text = \"{option}\", why = \"   "),
    );
    let _ = err;

    // A retired question that is not one of the item's.
    let err = load_with(
        file,
        "id = \"HSCCLD352/P4\"",
        "id = \"HSCCLD352/P4\"\nretired = [\"cloze-1\"]",
    )
    .unwrap_err();
    assert!(
        err.contains("HSCCLD352/P4: retired = \"cloze-1\" is not one of its questions"),
        "{err}"
    );
    // The same in a file's own `retired`, named at an item of the file.
    let err = load_with(
        file,
        "retired = [\"shortfall-1\"]",
        "retired = [\"shortfall-2\"]",
    )
    .unwrap_err();
    assert!(
        err.contains("HSCCLD352.toml: item HSCCLD352/")
            && err.contains("retired = \"shortfall-2\" is not one of its questions"),
        "{err}"
    );
}

/// Question `id` as the bank built from `m` asks it (its standard is the id's first part).
fn question_of(m: &Material, id: &str) -> Question {
    let code = id.split('/').next().unwrap_or_default();
    build_one(code, m)
        .question(id)
        .expect("the question")
        .clone()
}

#[test]
fn the_question_line_says_who_you_are_where_the_material_gives_a_role() {
    // Reviewers of the leadership standard kept asking whether "you" were the manager: a
    // material file's `role` names it in the question line, and an item may set its own.
    const PLAIN: &str = "\nWhat does the standard expect you to do?";
    let file = "scenarios/HSCCLD352.toml";
    let stanza = "id = \"HSCCLD352/P4\"";
    let before = question_of(&material(), "HSCCLD352/P4/scenario-1");
    assert!(before.stem.ends_with(PLAIN), "{}", before.stem);

    let m = load_with(
        file,
        "standard = \"HSCCLD352\"",
        "standard = \"HSCCLD352\"\nrole = \"the team leader\"",
    )
    .expect("a file-level role loads");
    let q = question_of(&m, "HSCCLD352/P4/scenario-1");
    let line = "\nAs the team leader, what does the standard expect you to do?";
    assert!(q.stem.ends_with(line), "{}", q.stem);
    let s = question_of(&asking_shortfall(m.clone()), "HSCCLD352/P4/shortfall-1");
    let line = "\nAs the team leader, which ONE of these falls short";
    assert!(s.stem.contains(line), "{}", s.stem);
    // Same story, same options, same key: only the question line changed.
    assert_eq!((&q.options, q.answer), (&before.options, before.answer));

    let own = format!("{stanza}\nrole = \"the night worker\"");
    let q = question_of(
        &load_with(file, stanza, &own).unwrap(),
        "HSCCLD352/P4/scenario-1",
    );
    assert!(
        q.stem.contains("\nAs the night worker, what does"),
        "{}",
        q.stem
    );

    let long = format!("{stanza}\nrole = \"{}\"", "x".repeat(41));
    let err = load_with(file, stanza, &long).unwrap_err();
    assert!(err.contains("item HSCCLD352/P4: role = "), "{err}");
    // The leadership standard's files say it for every item that does not set its own.
    let bank = build_one("PROV-LMCCP", &material());
    let managed = bank
        .questions
        .iter()
        .filter(|q| q.stem.contains("\nAs the manager, "))
        .count();
    assert!(
        managed * 2 > bank.questions.len(),
        "{managed} of {}",
        bank.questions.len()
    );
    // An item of such a file that casts no role says so with role = "".
    let p1 = "id = \"PROV-LMCCP/P1\"";
    let none = format!("{p1}\nrole = \"\"");
    let m = load_with("scenarios/PROV-LMCCP.part1.toml", p1, &none).unwrap();
    let q = question_of(&m, "PROV-LMCCP/P1/scenario-1");
    assert!(q.stem.ends_with(PLAIN), "{}", q.stem);
}

#[test]
fn a_name_plays_one_stage_of_life_across_the_bank() {
    // Reviewers met one name as a 12-year-old and as a team leader in the same sitting: each
    // name in data/people.toml belongs to young people, to adults and carers, or to colleagues.
    fn stage(g: &str) -> &str {
        match g {
            "child" | "teen" => "young",
            "adult" | "carer" => "grown",
            other => other,
        }
    }
    for p in &material().people {
        let stages: BTreeSet<&str> = p.groups.iter().map(|g| stage(g)).collect();
        assert_eq!(stages.len(), 1, "{}: {:?}", p.name, p.groups);
    }
}

#[test]
fn a_stanza_can_choose_its_names_and_name_a_second_person() {
    use ksbquiz::bank::material::{Other, Pronouns};
    let mut m = material();
    let who = m.scenarios["HSCCLD222/K3"].who.clone();
    let pair: Vec<String> = m
        .people_in(&who)
        .iter()
        .rev()
        .take(2)
        .map(|p| p.name.clone())
        .collect();
    let sc = m.scenarios.get_mut("HSCCLD222/K3").unwrap();
    sc.names = pair.clone();
    sc.situation = format!("{} {{{{other}}}} is there as well.", sc.situation);
    sc.other = Some(Other {
        group: "adult".into(),
        pronouns: Pronouns::She,
        names: vec![],
    });
    let bank = build_one("HSCCLD222", &m);
    let q = bank.question("HSCCLD222/K3/scenario-1").unwrap();
    let person = q.person.as_ref().expect("a person");
    assert!(
        pair.contains(&person.name),
        "{} not in {pair:?}",
        person.name
    );
    let other = q.other.as_ref().expect("a second person");
    assert_ne!(other.name, person.name);
    assert!(
        q.stem
            .contains(&format!("{} is there as well.", other.name))
    );
    // A learner who shares the second person's name meets a stand-in, never the main person.
    let seen = q.for_learner(&other.name);
    assert!(!seen.stem.contains(&format!("{} is there", other.name)));
    assert!(seen.stem.contains(&other.stand_in));
    assert_ne!(other.stand_in, person.name);
    assert_ne!(person.stand_in, other.name);
}

#[test]
fn names_and_second_people_the_build_cannot_cast_are_refused_naming_file_and_item() {
    let file = "scenarios/HSCCLD352.toml";
    let id = "id = \"HSCCLD352/P4\"";
    let err = load_with(file, id, &format!("{id}\nnames = [\"Nobody\", \"Kai\"]")).unwrap_err();
    assert!(
        err.contains("HSCCLD352.toml: item HSCCLD352/P4: names: \"Nobody\" is not a person"),
        "{err}"
    );
    let err = load_with(file, "situation = \"", "situation = \"{{other}} calls. ").unwrap_err();
    assert!(err.contains("{{other}} is used but no other"), "{err}");
    let err = load_with(
        file,
        id,
        &format!(
            "{id}\nother = {{ group = \"adult\", pronouns = \"she\", names = [\"Maureen\"] }}"
        ),
    )
    .unwrap_err();
    assert!(err.contains("HSCCLD352/P4: other: 1 people"), "{err}");
}

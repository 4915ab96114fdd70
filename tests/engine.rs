//! Engine conversations: what learners and tutors see for each thing they might do, including
//! the awkward cases (strangers, unknown commands, double answers, closed questions, privacy).

mod common;

use common::who;
use ksbquiz::engine::{Input, Out, command};

#[test]
fn a_stranger_is_asked_to_start_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let out = e.handle(who("test:1"), Input::Quiz).unwrap();
    assert!(common::texts(&out).contains("Send /start"));
    assert_eq!(e.store().learner_count(), 0);
}

#[test]
fn start_enrol_quiz_answer_feedback_next() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    let out = e.handle(w, Input::Start { code: None }).unwrap();
    assert!(common::texts(&out).contains("HSCCLD352"));
    let out = e.handle(w, Input::Quiz).unwrap();
    assert!(common::texts(&out).contains("not studying any standard"));
    let out = e
        .handle(w, command::parse("/enrol hsccld352 OCC0088B"))
        .unwrap();
    assert!(
        common::texts(&out).contains("HSCCLD352, OCC0088B"),
        "{}",
        common::texts(&out)
    );
    let out = e.handle(w, Input::Quiz).unwrap();
    let q = common::question(&out).expect("a question");
    assert_eq!(q.header, "Question 1 of 5");
    // New items interleave the standards.
    let id = e.store().learner_by_account("test:1").unwrap().unwrap().id;
    let s = e.store().session(id).unwrap().unwrap();
    let picks: Vec<_> = (0..s.total)
        .map(|n| e.store().pick(id, n).unwrap().unwrap())
        .collect();
    let firsts: Vec<&str> = picks
        .iter()
        .map(|p| p.item.split('/').next().unwrap())
        .collect();
    // New items are taken from both standards by the share of each still to start.
    let count = |c: &str| firsts.iter().filter(|f| **f == c).count();
    assert_eq!(count("HSCCLD352") + count("OCC0088B"), 5, "{firsts:?}");
    assert!(
        count("HSCCLD352").abs_diff(count("OCC0088B")) <= 1,
        "{firsts:?}"
    );
    // Answer right by letter.
    let right = ksbquiz::engine::letter(q.answer);
    let out = e.handle(w, Input::Text(right.to_lowercase())).unwrap();
    let t = common::texts(&out);
    assert!(t.contains("Right"), "{t}");
    // Why the key is right, from the material.
    let bq = common::bank_question(&e, &q);
    let code = bq.item.split('/').next().unwrap();
    assert!(
        t.contains(&format!("{code} ")),
        "explanation cites the item: {t}"
    );
    assert!(t.contains(bq.why(q.answer).unwrap()), "{t}");
    let q2 = common::question(&out).expect("next question");
    assert_eq!(q2.header, "Question 2 of 5");
    // Answer wrong by number: why that choice falls short, and why the key is right.
    let wrong = (q2.answer + 1) % q2.options.len();
    let out = e.handle(w, Input::Text((wrong + 1).to_string())).unwrap();
    let t = common::texts(&out);
    assert!(t.contains("Not quite"), "{t}");
    let bq = common::bank_question(&e, &q2);
    assert!(t.contains(bq.why(wrong).unwrap()), "{t}");
    assert!(t.contains(bq.why(q2.answer).unwrap()), "{t}");
    assert!(t.contains(&q2.options[q2.answer]), "{t}");
}

#[test]
fn double_answers_are_recorded_once_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    common::enrolled(&e, w.account, "HSCCLD222");
    let q = common::question(&e.handle(w, Input::Quiz).unwrap()).unwrap();
    let a = Input::Answer {
        delivery: q.delivery.clone(),
        option: q.answer,
    };
    e.handle(w, a.clone()).unwrap();
    let again = e
        .handle(
            w,
            Input::Answer {
                delivery: q.delivery.clone(),
                option: (q.answer + 1) % 4,
            },
        )
        .unwrap();
    assert!(
        common::texts(&again).contains("already answered"),
        "{}",
        common::texts(&again)
    );
    let id = e.store().learner_by_account("test:1").unwrap().unwrap().id;
    assert_eq!(e.store().attempts(id).unwrap().len(), 1);
    assert!(e.store().attempts(id).unwrap()[0].correct);
}

#[test]
fn a_question_from_an_ended_quiz_is_not_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    common::enrolled(&e, w.account, "HSCCLD222");
    let q = common::question(&e.handle(w, Input::Quiz).unwrap()).unwrap();
    // Starting practice replaces the daily quiz: its open question closes.
    e.handle(w, Input::Practice).unwrap();
    let out = e
        .handle(
            w,
            Input::Answer {
                delivery: q.delivery,
                option: 0,
            },
        )
        .unwrap();
    assert!(common::texts(&out).contains("no longer open"));
    let id = e.store().learner_by_account("test:1").unwrap().unwrap().id;
    assert!(e.store().attempts(id).unwrap().is_empty());
}

#[test]
fn someone_elses_button_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    for a in ["test:1", "test:2"] {
        e.handle(who(a), Input::Start { code: None }).unwrap();
        e.handle(who(a), Input::Enrol(vec!["HSCCLD222".into()]))
            .unwrap();
    }
    let q = common::question(&e.handle(who("test:1"), Input::Quiz).unwrap()).unwrap();
    let out = e
        .handle(
            who("test:2"),
            Input::Answer {
                delivery: q.delivery.clone(),
                option: 0,
            },
        )
        .unwrap();
    assert!(common::texts(&out).contains("sent to someone else"));
    let out = e
        .handle(
            who("test:2"),
            Input::Answer {
                delivery: "nonsense".into(),
                option: 0,
            },
        )
        .unwrap();
    assert!(common::texts(&out).contains("can't find that question"));
}

#[test]
fn unknown_commands_and_chatter_get_friendly_answers() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    e.handle(w, Input::Start { code: None }).unwrap();
    let out = e.handle(w, command::parse("/dance")).unwrap();
    assert!(common::texts(&out).contains("didn't understand \"/dance\""));
    let out = e.handle(w, command::parse("hello there")).unwrap();
    assert!(common::texts(&out).contains("/help"));
    // With a question open, a wrong letter gets told how to answer.
    e.handle(w, Input::Enrol(vec!["HSCCLD222".into()])).unwrap();
    e.handle(w, Input::Quiz).unwrap();
    let out = e.handle(w, command::parse("z")).unwrap();
    assert!(common::texts(&out).contains("Answer with a letter"));
    let out = e
        .handle(
            w,
            Input::Answer {
                delivery: "x".into(),
                option: 9,
            },
        )
        .unwrap();
    assert!(!common::texts(&out).is_empty());
}

#[test]
fn settings_validate_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    e.handle(w, Input::Start { code: None }).unwrap();
    assert!(
        common::texts(&e.handle(w, command::parse("/time 25:00")).unwrap())
            .contains("isn't a time")
    );
    assert!(common::texts(&e.handle(w, command::parse("/time 07:30")).unwrap()).contains("07:30"));
    assert!(
        common::texts(&e.handle(w, command::parse("/timezone Mars/Base")).unwrap())
            .contains("isn't a time zone")
    );
    assert!(
        common::texts(
            &e.handle(w, command::parse("/timezone Europe/Dublin"))
                .unwrap()
        )
        .contains("Europe/Dublin")
    );
    assert!(
        common::texts(&e.handle(w, command::parse("/perday 0")).unwrap()).contains("from 1 to 50")
    );
    assert!(
        common::texts(
            &e.handle(w, command::parse("/rest mon tue wed thu fri sat sun"))
                .unwrap()
        )
        .contains("couldn't read")
    );
    assert!(
        common::texts(&e.handle(w, command::parse("/rest sat sun")).unwrap()).contains("sat, sun")
    );
    let l = e.store().learner_by_account("test:1").unwrap().unwrap();
    assert_eq!(l.settings.daily_time, "07:30");
    assert_eq!(l.settings.timezone, "Europe/Dublin");
    assert_eq!(l.settings.rest_days, vec![5, 6]);
    e.handle(w, Input::Pause).unwrap();
    assert!(
        e.store()
            .learner_by_account("test:1")
            .unwrap()
            .unwrap()
            .settings
            .paused
    );
    e.handle(w, Input::Resume).unwrap();
    assert!(
        !e.store()
            .learner_by_account("test:1")
            .unwrap()
            .unwrap()
            .settings
            .paused
    );
}

#[test]
fn my_data_then_forget_me_deletes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    common::enrolled(&e, w.account, "HSCCLD222");
    let q = common::question(&e.handle(w, Input::Quiz).unwrap()).unwrap();
    e.handle(
        w,
        Input::Answer {
            delivery: q.delivery,
            option: q.answer,
        },
    )
    .unwrap();
    let out = e.handle(w, Input::MyData).unwrap();
    let doc = out
        .iter()
        .find_map(|o| match o {
            Out::Document { content, .. } => Some(content.clone()),
            _ => None,
        })
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&doc).unwrap();
    assert_eq!(v["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(v["learner"]["accounts"][0], "test:1");
    let id = e.store().learner_by_account("test:1").unwrap().unwrap().id;
    // /forget asks first; only the confirmation deletes.
    assert!(common::texts(&e.handle(w, Input::Forget).unwrap()).contains("/forget confirm"));
    assert_eq!(e.store().attempts(id).unwrap().len(), 1);
    e.handle(w, command::parse("/forget confirm")).unwrap();
    assert!(e.store().learner(id).unwrap().is_none());
    assert!(e.store().learner_by_account("test:1").unwrap().is_none());
    assert!(e.store().attempts(id).unwrap().is_empty());
    assert!(e.store().srs_all(id).unwrap().is_empty());
    assert!(e.store().session(id).unwrap().is_none());
}

#[test]
fn cohorts_join_by_code_and_tutors_see_only_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let (tutor, other, learner) = (who("test:tutor"), who("test:other"), who("test:learner"));
    for w in [tutor, other, learner] {
        e.handle(w, Input::Start { code: None }).unwrap();
    }
    let out = common::texts(
        &e.handle(
            tutor,
            command::parse("/cohort create Tuesday group : HSCCLD352 HSCCLD222"),
        )
        .unwrap(),
    );
    let code = out
        .split("code ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 6, "{out}");
    assert!(
        common::texts(&e.handle(learner, Input::Join("NOPE99".into())).unwrap())
            .contains("couldn't find")
    );
    // A deep link /start CODE joins directly.
    let out = common::texts(
        &e.handle(
            learner,
            Input::Start {
                code: Some(code.to_lowercase()),
            },
        )
        .unwrap(),
    );
    assert!(out.contains("joined Tuesday group"), "{out}");
    let l = e
        .store()
        .learner_by_account("test:learner")
        .unwrap()
        .unwrap();
    assert_eq!(l.standards, ["HSCCLD352", "HSCCLD222"]);
    let members = common::texts(&e.handle(tutor, Input::CohortMembers(code.clone())).unwrap());
    assert!(
        members.contains("1 learner") && members.contains("Test:"),
        "{members}"
    );
    let refused = common::texts(&e.handle(other, Input::CohortMembers(code.clone())).unwrap());
    assert!(refused.contains("only cohorts you created"), "{refused}");
    assert!(!refused.contains("Test:"));
}

/// Answers every question of the quiz or practice round that `out` opened; returns the
/// questions asked, in order, and the last reply.
fn answer_all(
    e: &ksbquiz::engine::Engine,
    w: ksbquiz::engine::Who,
    mut out: Vec<Out>,
    right: bool,
) -> (Vec<String>, Vec<Out>) {
    let mut asked = Vec::new();
    while let Some(q) = common::question(&out) {
        let d = e.store().delivery(&q.delivery).unwrap().unwrap();
        asked.push(d.question);
        let option = if right { q.answer } else { (q.answer + 1) % 4 };
        out = common::answer(e, w, q, option);
    }
    (asked, out)
}

#[test]
fn a_stray_or_late_forget_confirmation_deletes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (e, clock) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    common::enrolled(&e, w.account, "HSCCLD222");
    let id = e.store().learner_by_account("test:1").unwrap().unwrap().id;
    // A confirmation nobody asked for only asks.
    let out = common::texts(&e.handle(w, command::parse("/forget confirm")).unwrap());
    assert!(out.contains("/forget confirm"), "{out}");
    assert!(e.store().learner(id).unwrap().is_some());
    // One that comes too late asks again.
    e.handle(w, Input::Forget).unwrap();
    clock.advance(chrono::Duration::minutes(11));
    let out = common::texts(&e.handle(w, command::parse("/forget confirm")).unwrap());
    assert!(out.contains("/forget confirm"), "{out}");
    assert!(e.store().learner(id).unwrap().is_some());
    // Asked, then confirmed in time: everything goes, the learner's link codes too.
    e.handle(w, Input::Link(None)).unwrap();
    assert_eq!(e.store().link_codes().unwrap().len(), 1);
    e.handle(w, Input::Forget).unwrap();
    clock.advance(chrono::Duration::minutes(9));
    let out = common::texts(&e.handle(w, command::parse("/forget confirm")).unwrap());
    assert!(!out.contains("/forget confirm"), "{out}");
    assert!(e.store().learner(id).unwrap().is_none());
    assert!(e.store().link_codes().unwrap().is_empty());
    assert!(e.store().forget_requests().unwrap().is_empty());
}

#[test]
fn replacing_todays_quiz_with_practice_buys_no_more_new_items() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    common::enrolled(&e, w.account, "HSCCLD222");
    let id = e.store().learner_by_account("test:1").unwrap().unwrap().id;
    // Five new items a day by default: answer two of them...
    let mut out = e.handle(w, Input::Quiz).unwrap();
    assert_eq!(e.store().session(id).unwrap().unwrap().total, 5);
    for _ in 0..2 {
        let q = common::question(&out).unwrap();
        let option = q.answer;
        out = common::answer(&e, w, q, option);
    }
    // ...then practice, which replaces the quiz, then ask for today's quiz again: the three
    // new items left, not five more.
    e.handle(w, Input::Practice).unwrap();
    let out = e.handle(w, Input::Quiz).unwrap();
    assert!(common::question(&out).is_some());
    assert_eq!(e.store().session(id).unwrap().unwrap().total, 3);
    let (asked, _) = answer_all(&e, w, out, true);
    assert_eq!(asked.len(), 3);
    assert_eq!(
        e.store().srs_all(id).unwrap().len(),
        5,
        "five items started today"
    );
    // With the day's new items used, practice and the quiz again: nothing more is due.
    e.handle(w, Input::Practice).unwrap();
    let out = common::texts(&e.handle(w, Input::Quiz).unwrap());
    assert!(out.contains("Nothing is due"), "{out}");
    // A learner may take fewer new items a day.
    let out = common::texts(&e.handle(w, command::parse("/newperday 2")).unwrap());
    assert!(out.contains("at most 2 of them new"), "{out}");
    let out = common::texts(&e.handle(w, command::parse("/newperday 99")).unwrap());
    assert!(out.contains("isn't a number from 0 to 50"), "{out}");
}

#[test]
fn practice_rounds_in_a_row_ask_other_variants() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    common::enrolled(&e, w.account, "HSCCLD222");
    let out = e.handle(w, Input::Quiz).unwrap();
    let (daily, _) = answer_all(&e, w, out, true);
    let out = e.handle(w, Input::Practice).unwrap();
    let (first, _) = answer_all(&e, w, out, true);
    let out = e.handle(w, Input::Practice).unwrap();
    let (second, _) = answer_all(&e, w, out, true);
    assert_eq!(first.len(), 5);
    let item = |q: &String| q.rsplit_once('/').map(|(i, _)| i.to_string()).unwrap();
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(item(a), item(b), "the same items, lowest recall first");
        assert_ne!(a, b, "another variant of {}", item(a));
    }
    for q in &first {
        assert!(
            !daily.contains(q),
            "practice does not repeat the variant just asked"
        );
    }
}

#[test]
fn stats_count_what_the_learner_did() {
    let dir = tempfile::tempdir().unwrap();
    let (e, clock) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    common::enrolled(&e, w.account, "HSCCLD222");
    // Day 1: three right, two wrong.
    let mut out = e.handle(w, Input::Quiz).unwrap();
    let mut n = 0;
    while let Some(q) = common::question(&out) {
        let option = if n < 3 { q.answer } else { (q.answer + 1) % 4 };
        n += 1;
        out = common::answer(&e, w, q, option);
    }
    let stats = common::texts(&e.handle(w, Input::Stats).unwrap());
    assert!(stats.contains("Answered: 5 (3 right)"), "{stats}");
    assert!(stats.contains("Streak: 1 day."), "{stats}");
    // One right answer never makes an item secure.
    assert!(stats.contains("0 of 31 items; 5 started"), "{stats}");
    // The two wrong ones are due tomorrow: day 2, the quiz again, all right.
    clock.advance(chrono::Duration::days(1));
    let stats = common::texts(&e.handle(w, Input::Stats).unwrap());
    assert!(stats.contains("Due today: 2."), "{stats}");
    let out = e.handle(w, Input::Quiz).unwrap();
    let (asked, _) = answer_all(&e, w, out, true);
    assert!(asked.len() >= 2);
    let stats = common::texts(&e.handle(w, Input::Stats).unwrap());
    assert!(stats.contains("Streak: 2 days."), "{stats}");
    assert!(stats.contains("Due today: 0."), "{stats}");
    // The items answered right on both days may now be secure; those answered once are not.
    assert!(stats.contains("At your pace about"), "{stats}");
    // A day missed breaks the streak.
    clock.advance(chrono::Duration::days(2));
    let stats = common::texts(&e.handle(w, Input::Stats).unwrap());
    assert!(stats.contains("Streak: 0 days."), "{stats}");
}

#[test]
fn a_strangers_button_press_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    common::enrolled(&e, w.account, "HSCCLD222");
    let q = common::question(&e.handle(w, Input::Quiz).unwrap()).unwrap();
    let stranger = who("test:stranger");
    let out = common::texts(&common::answer(&e, stranger, q.clone(), q.answer));
    assert!(out.contains("Send /start"), "{out}");
    assert_eq!(e.store().learner_count(), 1);
    // Another learner's press on it is refused and records nothing either.
    common::enrolled(&e, stranger.account, "HSCCLD222");
    let out = common::texts(&common::answer(&e, stranger, q.clone(), q.answer));
    assert!(out.contains("sent to someone else"), "{out}");
    let id = e.store().learner_by_account("test:1").unwrap().unwrap().id;
    assert!(e.store().attempts(id).unwrap().is_empty());
    assert!(
        e.store()
            .delivery(&q.delivery)
            .unwrap()
            .unwrap()
            .answered
            .is_none()
    );
}

/// A stored time zone that does not parse counts as London, as everywhere else, instead of
/// silencing the learner's daily prompt (and an unreadable prompt time counts as the default).
#[test]
fn a_learner_with_an_unreadable_time_zone_still_gets_a_daily_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T19:00:00Z");
    let w = who("test:tz");
    e.handle(w, Input::Start { code: None }).unwrap();
    e.handle(w, command::parse("/enrol HSCCLD352")).unwrap();
    let mut l = e.store().learner_by_account("test:tz").unwrap().unwrap();
    l.settings.timezone = "Mars/Olympus_Mons".into();
    e.store().put_learner(&l).unwrap();
    let l = e.store().learner_by_account("test:tz").unwrap().unwrap();
    assert_eq!(
        e.local_prompt_due(&l),
        Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
    );
    let mut l = l;
    l.settings.daily_time = "half past six".into();
    assert!(e.local_prompt_due(&l).is_some());
}

/// A new learner is offered the standards as choices; choosing one enrols them and asks the
/// first question at once.
#[test]
fn a_new_learner_chooses_a_standard_and_gets_a_question_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:new");
    let out = e.handle(w, Input::Start { code: None }).unwrap();
    let choices = out
        .iter()
        .find_map(|o| match o {
            ksbquiz::engine::Out::Choices { choices, .. } => Some(choices.clone()),
            _ => None,
        })
        .expect("the standards offered as choices");
    assert_eq!(choices.len(), 5);
    assert!(choices.iter().all(|c| c.command.starts_with("/enrol ")));
    let pick = choices
        .iter()
        .find(|c| c.command.ends_with("OCC0088B"))
        .unwrap();
    let out = e.handle(w, command::parse(&pick.command)).unwrap();
    let q = common::question(&out).expect("the first question straight after choosing");
    assert_eq!(q.header, "Question 1 of 5");
    // Asking for a quiz before choosing offers the choices again.
    let w2 = who("test:new2");
    e.handle(w2, Input::Start { code: None }).unwrap();
    let out = e.handle(w2, Input::Quiz).unwrap();
    assert!(
        out.iter()
            .any(|o| matches!(o, ksbquiz::engine::Out::Choices { .. }))
    );
    // A second standard adds to the first without starting another quiz.
    let out = e.handle(w, command::parse("/enrol HSCCLD222")).unwrap();
    assert!(common::question(&out).is_none());
}

#[test]
fn each_delivery_shows_its_options_in_an_order_of_its_own() {
    // A question asked again is answered by what its options say, not by where its key was:
    // each delivery deals the options afresh, marks the key where it is shown, and the bank's
    // option is what is recorded.
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let w = who("test:1");
    common::enrolled(&e, w.account, "HSCCLD222");
    let (mut asked, mut moved, mut wrong_letters) = (0, 0, Vec::new());
    for round in 0..4 {
        let start = if round == 0 {
            Input::Quiz
        } else {
            Input::Practice
        };
        let mut out = e.handle(w, start).unwrap();
        while let Some(q) = common::question(&out) {
            let bank = common::bank_order(&e, &q);
            assert_eq!(q.options[q.answer], bank.options[bank.answer], "key marked");
            moved += usize::from(q.answer != bank.answer);
            asked += 1;
            // Every other answer wrong: the option shown just after the key.
            let option = if asked % 2 == 0 {
                q.answer
            } else {
                (q.answer + 1) % 4
            };
            out = e
                .handle(
                    w,
                    Input::Answer {
                        delivery: q.delivery.clone(),
                        option,
                    },
                )
                .unwrap();
            let t = common::texts(&out);
            // The feedback names the key by the letter it was shown at.
            let key_letter = ksbquiz::engine::letter(q.answer);
            let chosen_letter = ksbquiz::engine::letter(option);
            if option != q.answer
                && !(t.contains(&format!("You chose {chosen_letter}"))
                    && t.contains(&format!("The answer is {key_letter}:")))
            {
                wrong_letters.push(t.clone());
            }
            let id = e.store().learner_by_account("test:1").unwrap().unwrap().id;
            let last = e.store().attempts(id).unwrap().into_iter().last().unwrap();
            assert_eq!(last.delivery, q.delivery);
            let chosen = bank.options.iter().position(|o| *o == q.options[option]);
            assert_eq!(Some(last.option), chosen, "the bank's option is recorded");
            assert_eq!(last.correct, option == q.answer);
        }
    }
    assert!(asked >= 15, "{asked}");
    assert!(
        moved * 2 >= asked,
        "keys moved from their bank place in {moved} of {asked}"
    );
    assert!(wrong_letters.is_empty(), "{wrong_letters:#?}");
}

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
    assert_eq!(e.store.learner_count(), 0);
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
    let id = e.store.learner_by_account("test:1").unwrap().unwrap().id;
    let s = e.store.session(id).unwrap().unwrap();
    let picks: Vec<_> = (0..s.total)
        .map(|n| e.store.pick(id, n).unwrap().unwrap())
        .collect();
    let firsts: Vec<&str> = picks
        .iter()
        .map(|p| p.item.split('/').next().unwrap())
        .collect();
    assert_eq!(
        firsts,
        [
            "HSCCLD352",
            "OCC0088B",
            "HSCCLD352",
            "OCC0088B",
            "HSCCLD352"
        ]
    );
    // Answer right by letter.
    let right = ksbquiz::engine::letter(q.answer);
    let out = e.handle(w, Input::Text(right.to_lowercase())).unwrap();
    let t = common::texts(&out);
    assert!(t.contains("Right"), "{t}");
    assert!(t.contains("HSCCLD352 "), "explanation cites the item: {t}");
    let q2 = common::question(&out).expect("next question");
    assert_eq!(q2.header, "Question 2 of 5");
    // Answer wrong by number.
    let wrong = (q2.answer + 1) % q2.options.len();
    let out = e.handle(w, Input::Text((wrong + 1).to_string())).unwrap();
    assert!(common::texts(&out).contains("Not quite"));
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
    let id = e.store.learner_by_account("test:1").unwrap().unwrap().id;
    assert_eq!(e.store.attempts(id).unwrap().len(), 1);
    assert!(e.store.attempts(id).unwrap()[0].correct);
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
    let id = e.store.learner_by_account("test:1").unwrap().unwrap().id;
    assert!(e.store.attempts(id).unwrap().is_empty());
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
    let l = e.store.learner_by_account("test:1").unwrap().unwrap();
    assert_eq!(l.settings.daily_time, "07:30");
    assert_eq!(l.settings.timezone, "Europe/Dublin");
    assert_eq!(l.settings.rest_days, vec![5, 6]);
    e.handle(w, Input::Pause).unwrap();
    assert!(
        e.store
            .learner_by_account("test:1")
            .unwrap()
            .unwrap()
            .settings
            .paused
    );
    e.handle(w, Input::Resume).unwrap();
    assert!(
        !e.store
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
    let id = e.store.learner_by_account("test:1").unwrap().unwrap().id;
    // /forget asks first; only the confirmation deletes.
    assert!(common::texts(&e.handle(w, Input::Forget).unwrap()).contains("/forget confirm"));
    assert_eq!(e.store.attempts(id).unwrap().len(), 1);
    e.handle(w, command::parse("/forget confirm")).unwrap();
    assert!(e.store.learner(id).unwrap().is_none());
    assert!(e.store.learner_by_account("test:1").unwrap().is_none());
    assert!(e.store.attempts(id).unwrap().is_empty());
    assert!(e.store.srs_all(id).unwrap().is_empty());
    assert!(e.store.session(id).unwrap().is_none());
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
    let l = e.store.learner_by_account("test:learner").unwrap().unwrap();
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

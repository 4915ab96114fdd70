//! Tests of the store's own workings: keys, crash and retry orders, the caches against
//! sled, and records older builds wrote.

use chrono::{DateTime, Utc};

use super::keys::*;
use super::*;

proptest::proptest! {
    #[test]
    fn delivery_ids_are_hex_and_read_back(learner: u64, seq: u64) {
        let id = delivery_id(learner, seq);
        proptest::prop_assert_eq!(&id, &format!("{learner:016x}-{seq:016x}"));
        let key = delivery_key(&id).unwrap();
        proptest::prop_assert_eq!(key, lkind(learner, K_DELIVERY, &seq.to_be_bytes()));
    }
}

/// A fresh store with one learner, at a fixed time.
fn fresh(dir: &Path) -> (Store, DateTime<Utc>, Learner) {
    let store = Store::open(&dir.join("db")).unwrap();
    let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
    let (l, _) = store.learner_for_account("test:1", "T", now).unwrap();
    (store, now, l)
}

/// The three planned questions X/K1..X/K3.
fn three_picks() -> Vec<Pick> {
    (1..=3)
        .map(|n| Pick {
            item: format!("X/K{n}"),
            question: format!("X/K{n}/scenario-1"),
        })
        .collect()
}

/// Starts a daily session of three planned questions (X/K1..X/K3) and returns the first,
/// open inside it.
fn three_question_session(store: &Store, l: LearnerId, now: DateTime<Utc>) -> Delivery {
    let (session, first) = store
        .start_session(
            l,
            Mode::Daily,
            now.date_naive(),
            &three_picks(),
            &SrsSnapshot::default(),
            now,
        )
        .unwrap()
        .unwrap();
    assert_eq!(session.open.as_ref(), Some(&first));
    first
}

/// A plan answering `delivery` with option 0, graded right, scheduling nothing.
fn right_answer(delivery: &str, now: DateTime<Utc>) -> AnswerPlan<'_> {
    fn right(_: &Delivery) -> Option<Graded> {
        Some(Graded {
            option: 0,
            correct: true,
        })
    }
    fn unscheduled(_: &Delivery, _: Option<SrsState>, _: bool, _: &Load) -> Option<SrsState> {
        None
    }
    AnswerPlan {
        delivery,
        platform: "test",
        now,
        grade: &right,
        schedule: &unscheduled,
    }
}

/// Records `plan`, which must be a new answer in a session: the session after it and the
/// question it opened.
fn moved_on(store: &Store, plan: &AnswerPlan) -> (Box<Session>, Option<Delivery>) {
    match store.record_answer(plan).unwrap() {
        Recorded::New {
            session: Some(s),
            next,
            ..
        } => (s, next),
        other => panic!("a new answer in a session, not {other:?}"),
    }
}

/// The same database opened again, as by the next process after a crash.
fn reopen(store: Store) -> Store {
    let path = store.path().to_path_buf();
    drop(store);
    Store::open(&path).unwrap()
}

fn delivery_for(store: &Store, l: LearnerId, now: DateTime<Utc>) -> Delivery {
    Delivery {
        id: store.new_delivery_id(l).unwrap(),
        learner: l,
        question: "X/K1/scenario-1".into(),
        item: "X/K1".into(),
        sent: now,
        mode: Mode::Daily,
        answered: None,
        closed: false,
        order: Vec::new(),
    }
}

/// A crash after the scheduling state but before the commit point (the attempt, so before
/// any acknowledgement), and the answer sent again with another option: one attempt, one
/// review, and the attempt is the answer the review was made from.
#[test]
fn a_retry_after_a_partial_answer_records_the_reviewed_answer_once() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now, l) = fresh(dir.path());
    let d = delivery_for(&store, l.id, now);
    assert!(store.open_delivery(&d).unwrap());
    let reviews = std::cell::Cell::new(0);
    let schedule = |_: &Delivery, old: Option<SrsState>, correct: bool, _: &Load| {
        reviews.set(reviews.get() + 1);
        Some(SrsState {
            stability: 1.0,
            difficulty: 5.0,
            due: now.date_naive(),
            last_review: now,
            reps: old.map_or(0, |s| s.reps) + 1,
            lapses: 0,
            last_correct: correct,
            leech: false,
            last_question: None,
            last_delivery: None,
            last_option: None,
        })
    };
    let refuse = |_: &Delivery| None;
    // Option 1 is the key.
    let graded = |option: usize| {
        move |_: &Delivery| {
            Some(Graded {
                option,
                correct: option == 1,
            })
        }
    };
    let (right, wrong) = (graded(1), graded(0));
    let plan = |option| AnswerPlan {
        delivery: &d.id,
        platform: "test",
        now,
        grade: if option == 1 { &right } else { &wrong },
        schedule: &schedule,
    };
    assert!(matches!(
        store.record_answer(&plan(1)).unwrap(),
        Recorded::New { .. }
    ));
    // The crash lost the commit point, the attempt: the delivery is unanswered again
    // (the scheduling state was kept).
    store
        .inner
        .ldata
        .remove(attempt_key_of(&delivery_key(&d.id).unwrap()))
        .unwrap();
    assert!(store.delivery(&d.id).unwrap().unwrap().answered.is_none());
    let Recorded::New { attempt, .. } = store.record_answer(&plan(2)).unwrap() else {
        panic!("the retry is recorded");
    };
    assert_eq!((attempt.option, attempt.correct), (1, true));
    let attempts = store.attempts(l.id).unwrap();
    assert_eq!(attempts.len(), 1, "one attempt, not two");
    assert_eq!((attempts[0].option, attempts[0].correct), (1, true));
    assert_eq!(reviews.get(), 1, "the item is reviewed once");
    let srs = store.srs(l.id, "X/K1").unwrap().unwrap();
    assert_eq!((srs.reps, srs.last_correct), (1, true));
    // And now it is committed: a third send is a duplicate.
    assert!(matches!(
        store.record_answer(&plan(3)).unwrap(),
        Recorded::Duplicate { .. }
    ));
    // A refused answer records nothing.
    let d2 = delivery_for(&store, l.id, now);
    assert!(store.open_delivery(&d2).unwrap());
    let refused = AnswerPlan {
        delivery: &d2.id,
        grade: &refuse,
        ..plan(0)
    };
    assert!(matches!(
        store.record_answer(&refused).unwrap(),
        Recorded::Refused { .. }
    ));
    assert!(store.delivery(&d2.id).unwrap().unwrap().answered.is_none());
    assert_eq!(store.attempts(l.id).unwrap().len(), 1);
}

/// A schema-3 session (no `seq`) with its first question open inside it, as a schema-3
/// build wrote it.
fn schema_3_session(store: &Store, l: LearnerId, now: DateTime<Utc>) -> Delivery {
    let first = delivery_for(store, l, now);
    let picks = three_picks();
    for (n, p) in picks.iter().enumerate() {
        let key = lkind(l, K_PICK, &(n as u32).to_be_bytes());
        store.inner.ldata.insert(key, enc(p)).unwrap();
    }
    let old = serde_json::json!({"learner": l, "mode": "daily", "day": "2026-11-23",
        "total": 3, "pos": 0, "current": first.id, "correct": 0, "answered": 0,
        "open": first});
    store
        .inner
        .ldata
        .insert(lkind(l, K_SESSION, &[]), enc(&old))
        .unwrap();
    first
}

/// A schema-3 session keeps its open question inside the session and is rewritten as it
/// moves on; a crash after the commit point but before the session's move is repaired by
/// the retry, which is a duplicate.
#[test]
fn a_schema_3_session_moves_on_once_even_when_its_move_was_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now, l) = fresh(dir.path());
    let first = schema_3_session(&store, l.id, now);
    let stored = store.session(l.id).unwrap().unwrap();
    assert_eq!(stored.current.as_deref(), Some(first.id.as_str()));
    assert_eq!(stored.open.as_ref(), Some(&first));
    let plan = |delivery| right_answer(delivery, now);
    // The crash kept the attempt but lost the session's move.
    let before = store
        .inner
        .ldata
        .get(lkind(l.id, K_SESSION, &[]))
        .unwrap()
        .unwrap();
    let Recorded::New {
        next: Some(second), ..
    } = store.record_answer(&plan(&first.id)).unwrap()
    else {
        panic!("answered, with a next question");
    };
    assert_eq!(second.item, "X/K2");
    assert_ne!(
        store
            .inner
            .ldata
            .get(lkind(l.id, K_SESSION, &[]))
            .unwrap()
            .unwrap(),
        before,
        "a schema-3 session is rewritten as it moves on"
    );
    store
        .inner
        .ldata
        .insert(lkind(l.id, K_SESSION, &[]), before)
        .unwrap();
    // After the crash, a new process.
    let store = reopen(store);
    assert!(matches!(
        store.record_answer(&plan(&first.id)).unwrap(),
        Recorded::Duplicate { .. }
    ));
    let s = store.session(l.id).unwrap().unwrap();
    assert_eq!((s.pos, s.answered, s.correct), (1, 1, 1), "moved on once");
    let open = s.open.unwrap();
    assert_eq!(open.item, "X/K2");
    // The answered question is still found, from its attempt.
    let answered = store.delivery(&first.id).unwrap().unwrap();
    assert_eq!(answered.item, "X/K1");
    assert!(answered.answered.is_some());
    // Replacing the session closes its open question in a record of its own.
    store.end_session(l.id).unwrap();
    let closed = store.delivery(&open.id).unwrap().unwrap();
    assert!(closed.closed && closed.answered.is_none());
    assert!(matches!(
        store.record_answer(&plan(&open.id)).unwrap(),
        Recorded::Closed { .. }
    ));
    assert_eq!(store.attempts(l.id).unwrap().len(), 1);
}

/// A schema-4 session is written once, when it starts: its questions are numbered in
/// advance and its position is read from their attempts. So a crash at any point of an
/// answer leaves a session that is where its attempts say, and a new process (remembering
/// nothing) reads the same session, answer for answer, as the process that answered.
#[test]
fn a_session_is_where_its_attempts_say() {
    let dir = tempfile::tempdir().unwrap();
    let (store, start, l) = fresh(dir.path());
    let first = three_question_session(&store, l.id, start);
    let stored = || {
        store
            .inner
            .ldata
            .get(lkind(l.id, K_SESSION, &[]))
            .unwrap()
            .unwrap()
    };
    let as_started = stored();
    assert!(
        !store
            .inner
            .ldata
            .contains_key(delivery_key(&first.id).unwrap())
            .unwrap(),
        "the open question has no record of its own"
    );
    let later = start + chrono::Duration::seconds(40);
    let wrong = |_: &Delivery| {
        Some(Graded {
            option: 0,
            correct: false,
        })
    };
    let unscheduled = |_: &Delivery, _: Option<SrsState>, _: bool, _: &Load| None;
    let wrong_answer = AnswerPlan {
        grade: &wrong,
        schedule: &unscheduled,
        ..right_answer(&first.id, later)
    };
    let (moved, second) = moved_on(&store, &wrong_answer);
    let second = second.expect("answered, with a next question");
    assert_eq!(
        stored(),
        as_started,
        "an answer does not rewrite the session"
    );
    assert_eq!((moved.pos, moved.answered, moved.correct), (1, 1, 0));
    assert_eq!((second.item.as_str(), second.sent), ("X/K2", later));
    assert_eq!(moved.open.as_ref(), Some(&second));
    let store = reopen(store);
    assert_eq!(
        store.session(l.id).unwrap().as_ref(),
        Some(moved.as_ref()),
        "read back from the attempts as the answering process had it"
    );
    assert_eq!(store.delivery(&second.id).unwrap().as_ref(), Some(&second));
    let answered = store.delivery(&first.id).unwrap().unwrap();
    assert_eq!(
        answered.answered.map(|a| (a.option, a.correct)),
        Some((0, false))
    );
    // The second answered after a crash that lost nothing but memory, then the third.
    let at = |s| later + chrono::Duration::seconds(s);
    let (moved, third) = moved_on(&store, &right_answer(&second.id, at(10)));
    let third = third.expect("the second answered, with a third question");
    assert_eq!((moved.pos, moved.answered, moved.correct), (2, 2, 1));
    assert_eq!((third.item.as_str(), third.sent), ("X/K3", at(10)));
    assert!(matches!(
        store
            .record_answer(&right_answer(&first.id, at(11)))
            .unwrap(),
        Recorded::Duplicate { .. }
    ));
    let (last, next) = moved_on(&store, &right_answer(&third.id, at(20)));
    assert!(next.is_none(), "the last answer opens no question");
    assert_eq!(
        (last.pos, last.current.as_deref(), last.correct),
        (3, None, 2)
    );
    let store = reopen(store);
    assert_eq!(store.session(l.id).unwrap().as_ref(), Some(last.as_ref()));
    let attempts = store.attempts(l.id).unwrap();
    let times: Vec<u64> = attempts.iter().map(|a| a.response_ms).collect();
    assert_eq!(
        times,
        [40_000, 10_000, 10_000],
        "each timed from when it was sent"
    );
    // A crash between the scheduling state and the attempt of an answer leaves the
    // session where it was: the question is still open, in memory or not.
    let (_, first) = store
        .start_session(
            l.id,
            Mode::Daily,
            start.date_naive(),
            &three_picks(),
            &SrsSnapshot::default(),
            start,
        )
        .unwrap()
        .unwrap();
    let (moved, _) = moved_on(&store, &right_answer(&first.id, at(30)));
    assert_eq!(moved.pos, 1);
    store
        .inner
        .ldata
        .remove(attempt_key_of(&delivery_key(&first.id).unwrap()))
        .unwrap();
    let store = reopen(store);
    let s = store.session(l.id).unwrap().unwrap();
    assert_eq!((s.pos, s.current.as_deref()), (0, Some(first.id.as_str())));
    assert!(matches!(
        store
            .record_answer(&right_answer(&first.id, at(31)))
            .unwrap(),
        Recorded::New { .. }
    ));
}

/// A session remembers its items' scheduling states only when they were read after the
/// last state written, and keeps them current; every answer is scheduled from the state
/// sled holds, whichever way it was written.
#[test]
fn a_session_schedules_from_the_states_sled_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now, l) = fresh(dir.path());
    let today = now.date_naive();
    let state = |reps| SrsState {
        stability: 1.0,
        difficulty: 5.0,
        due: today + chrono::Days::new(u64::from(reps) % 4),
        last_review: now,
        reps,
        ..SrsState::default()
    };
    // Each answer adds one review to the state it is scheduled from; `seen` notes that.
    // The load it is given is the learner's due dates in sled, whether remembered or read.
    let seen = std::cell::RefCell::new(Vec::new());
    let schedule = |d: &Delivery, old: Option<SrsState>, _: bool, load: &Load| {
        let states = store.srs_all(l.id).unwrap();
        for day in (0..6).map(|n| today + chrono::Days::new(n)) {
            let due = states.iter().filter(|(_, s)| s.due == day).count();
            assert_eq!(load(day), due, "items due on {day}");
        }
        let reps = old.map_or(0, |s| s.reps);
        seen.borrow_mut().push((d.item.clone(), reps));
        Some(state(reps + 1))
    };
    let right = |_: &Delivery| {
        Some(Graded {
            option: 0,
            correct: true,
        })
    };
    let answer = |delivery: &str| {
        let plan = AnswerPlan {
            grade: &right,
            schedule: &schedule,
            ..right_answer(delivery, now)
        };
        match store.record_answer(&plan).unwrap() {
            Recorded::New { next, .. } => next,
            other => panic!("recorded, not {other:?}"),
        }
    };
    let start = |planned_from: &SrsSnapshot| {
        let day = now.date_naive();
        let started =
            store.start_session(l.id, Mode::Daily, day, &three_picks(), planned_from, now);
        started.unwrap().unwrap().1
    };
    // Planned, then X/K2 written before the session starts: the plan's states are stale.
    let stale = store.srs_snapshot(l.id).unwrap();
    assert!(stale.states.is_empty());
    store.put_srs(l.id, "X/K2", &state(5)).unwrap();
    let first = start(&stale);
    let second = answer(&first.id).unwrap();
    let third = answer(&second.id).unwrap();
    // Planned from current states, then X/K3 reviewed in a live quiz, outside the session.
    let live = delivery_for(&store, l.id, now);
    let live = Delivery {
        item: "X/K3".into(),
        ..live
    };
    assert!(store.open_delivery(&live).unwrap());
    answer(&live.id);
    assert_eq!(answer(&third.id), None, "the last question");
    // Planned from current states; then X/K3 reviewed in a live quiz and X/K2 written,
    // both outside the session, while it runs.
    let current = store.srs_snapshot(l.id).unwrap();
    let first = start(&current);
    let second = answer(&first.id).unwrap();
    let live = Delivery {
        id: store.new_delivery_id(l.id).unwrap(),
        ..live
    };
    assert!(store.open_delivery(&live).unwrap());
    answer(&live.id);
    store.put_srs(l.id, "X/K2", &state(9)).unwrap();
    let third = answer(&second.id).unwrap();
    answer(&third.id);
    let reviews = seen.borrow().clone();
    let expected = [
        ("X/K1", 0),
        ("X/K2", 5),
        ("X/K3", 0),
        ("X/K3", 1),
        ("X/K1", 1),
        ("X/K3", 2),
        ("X/K2", 9),
        ("X/K3", 3),
    ];
    let expected: Vec<(String, u32)> = expected.iter().map(|(i, r)| (i.to_string(), *r)).collect();
    assert_eq!(reviews, expected);
}

/// What the lock stripes remember of a session is what sled holds: a new process, which
/// remembers nothing, carries the same session on from sled, answer for answer.
#[test]
fn a_new_process_carries_on_the_session_from_sled() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now, l) = fresh(dir.path());
    let first = three_question_session(&store, l.id, now);
    let plan = |delivery| right_answer(delivery, now);
    let Recorded::New {
        next: Some(second),
        session: Some(moved),
        ..
    } = store.record_answer(&plan(&first.id)).unwrap()
    else {
        panic!("answered, with a next question");
    };
    assert_eq!(store.session(l.id).unwrap().as_ref(), Some(moved.as_ref()));
    // A second press of the same button, answered from memory: still once.
    assert!(matches!(
        store.record_answer(&plan(&first.id)).unwrap(),
        Recorded::Duplicate { .. }
    ));
    let store = reopen(store);
    assert!(matches!(
        store.record_answer(&plan(&first.id)).unwrap(),
        Recorded::Duplicate { .. }
    ));
    let Recorded::New {
        next: Some(third), ..
    } = store.record_answer(&plan(&second.id)).unwrap()
    else {
        panic!("the second answered after the restart, with a third question");
    };
    assert_eq!(third.item, "X/K3", "the planned picks read back from sled");
    assert!(matches!(
        store.record_answer(&plan(&second.id)).unwrap(),
        Recorded::Duplicate { .. }
    ));
    let Recorded::New {
        next: None,
        session: Some(last),
        ..
    } = store.record_answer(&plan(&third.id)).unwrap()
    else {
        panic!("the last answer opens no question");
    };
    assert_eq!((last.pos, last.current.as_deref()), (3, None));
    assert_eq!(store.session(l.id).unwrap().as_ref(), Some(last.as_ref()));
    assert_eq!(store.attempts(l.id).unwrap().len(), 3);
    // Forgetting the learner forgets what memory held too.
    store.forget(l.id).unwrap();
    assert_eq!(store.learner(l.id).unwrap(), None);
    assert!(matches!(
        store.record_answer(&plan(&third.id)).unwrap(),
        Recorded::Unknown
    ));
}

/// A learner record read once is cached; writing it drops the cached copy, so a reader
/// sees every change.
#[test]
fn a_changed_learner_is_read_as_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, mut l) = fresh(dir.path());
    assert_eq!(store.learner(l.id).unwrap().as_ref(), Some(&l));
    l.settings.per_day = 7;
    store.put_learner(&l).unwrap();
    assert_eq!(store.learner(l.id).unwrap().unwrap().settings.per_day, 7);
    store.set_inactive(l.id, true).unwrap();
    assert!(
        store
            .learner_by_account("test:1")
            .unwrap()
            .unwrap()
            .inactive
    );
    store.link_account(l.id, "test:2").unwrap();
    assert_eq!(
        store.learner(l.id).unwrap().unwrap().accounts,
        vec!["test:1".to_string(), "test:2".to_string()]
    );
    assert_eq!(
        store.learner_by_account("test:2").unwrap().unwrap().id,
        l.id
    );
    // Forgotten, and the same account starting again: a new learner, not the cached one.
    store.forget(l.id).unwrap();
    assert_eq!(store.learner_by_account("test:1").unwrap(), None);
    assert_eq!(store.learner_by_account("test:2").unwrap(), None);
    let (again, created) = store.learner_for_account("test:1", "T", l.created).unwrap();
    assert!(created && again.id != l.id);
    assert_eq!(store.learner_by_account("test:1").unwrap(), Some(again));
}

/// A schema-2 session keeps its open question in a record of its own: it is found and
/// answered as before, and the session moves on in the schema-3 layout.
#[test]
fn a_schema_2_session_is_answered_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now, l) = fresh(dir.path());
    let first = delivery_for(&store, l.id, now);
    let ldata = &store.inner.ldata;
    ldata
        .insert(delivery_key(&first.id).unwrap(), enc(&first))
        .unwrap();
    let old = serde_json::json!({"learner": l.id, "mode": "daily", "day": "2026-11-23",
        "total": 2, "pos": 0, "current": first.id, "correct": 0, "answered": 0});
    ldata
        .insert(
            lkind(l.id, K_SESSION, &[]),
            serde_json::to_vec(&old).unwrap(),
        )
        .unwrap();
    let pick = Pick {
        item: "X/K2".into(),
        question: "X/K2/scenario-1".into(),
    };
    ldata
        .insert(lkind(l.id, K_PICK, &1u32.to_be_bytes()), enc(&pick))
        .unwrap();
    assert_eq!(store.delivery(&first.id).unwrap(), Some(first.clone()));
    let plan = right_answer(&first.id, now);
    assert!(matches!(
        store.record_answer(&plan).unwrap(),
        Recorded::New { .. }
    ));
    let s = store.session(l.id).unwrap().unwrap();
    assert_eq!(s.open.as_ref().map(|d| d.item.as_str()), Some("X/K2"));
    assert!(
        store
            .delivery(&first.id)
            .unwrap()
            .unwrap()
            .answered
            .is_some()
    );
    assert!(matches!(
        store.record_answer(&plan).unwrap(),
        Recorded::Duplicate { .. }
    ));
}

/// Attempts and scheduling states written as JSON (before schema 4) are read as they are,
/// beside the compact ones answers write now, and an answer reviews from a JSON state.
#[test]
fn json_records_from_older_builds_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let (store, now, l) = fresh(dir.path());
    let old = delivery_for(&store, l.id, now);
    let attempt = Attempt {
        learner: l.id,
        item: "X/K1".into(),
        question: "X/K1/scenario-1".into(),
        option: 2,
        correct: false,
        response_ms: 900,
        platform: "telegram".into(),
        at: now,
        delivery: old.id.clone(),
        mode: Mode::Daily,
    };
    let state = SrsState {
        stability: 0.4,
        difficulty: 7.0,
        due: now.date_naive(),
        last_review: now,
        reps: 3,
        lapses: 1,
        last_correct: false,
        leech: false,
        last_question: Some("X/K1/scenario-1".into()),
        last_delivery: None,
        last_option: None,
    };
    let ldata = &store.inner.ldata;
    let dkey = delivery_key(&old.id).unwrap();
    ldata.insert(attempt_key_of(&dkey), enc(&attempt)).unwrap();
    ldata
        .insert(lkind(l.id, K_SRS, b"X/K1"), enc(&state))
        .unwrap();
    assert_eq!(
        store.attempts(l.id).unwrap(),
        std::slice::from_ref(&attempt)
    );
    assert_eq!(store.srs(l.id, "X/K1").unwrap().as_ref(), Some(&state));
    assert_eq!(
        store
            .delivery(&old.id)
            .unwrap()
            .unwrap()
            .answered
            .unwrap()
            .option,
        2
    );
    let first = three_question_session(&store, l.id, now);
    let reps = std::cell::Cell::new(None);
    let schedule = |_: &Delivery, old: Option<SrsState>, _: bool, _: &Load| {
        reps.set(old.as_ref().map(|s| s.reps));
        old.map(|s| SrsState {
            reps: s.reps + 1,
            ..s
        })
    };
    let right = |_: &Delivery| {
        Some(Graded {
            option: 0,
            correct: true,
        })
    };
    let plan = AnswerPlan {
        grade: &right,
        schedule: &schedule,
        ..right_answer(&first.id, now)
    };
    assert!(matches!(
        store.record_answer(&plan).unwrap(),
        Recorded::New { .. }
    ));
    assert_eq!(reps.get(), Some(3), "reviewed from the JSON state");
    let store = reopen(store);
    assert_eq!(store.srs(l.id, "X/K1").unwrap().unwrap().reps, 4);
    let attempts = store.attempts(l.id).unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0], attempt);
    assert_eq!(
        (attempts[1].delivery.as_str(), attempts[1].correct),
        (first.id.as_str(), true)
    );
    assert_eq!(store.attempt_count(), 2);
}

#[test]
fn opening_waits_for_a_handle_that_is_letting_go() {
    // sled releases its file lock from background threads after the last handle drops;
    // a store reopened at once (a restart, or `reopen` above) must wait, not fail.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let first = Store::open(&path).unwrap();
    assert!(
        open_db(&path, std::time::Duration::ZERO).is_err(),
        "a held database refuses a second handle"
    );
    let letting_go = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(first);
    });
    let second = Store::open(&path).expect("opens once the first handle has let go");
    letting_go.join().unwrap();
    assert!(second.check_writable().is_ok());
}

#[test]
fn a_database_another_process_holds_is_refused_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let _held = Store::open(&path).unwrap();
    let err = open_db(&path, std::time::Duration::from_millis(100)).unwrap_err();
    assert!(
        describe_sled(&err).contains("another ksbquiz process has it open"),
        "{}",
        describe_sled(&err)
    );
}

//! The live cohort-quiz state machine with a moved clock: joins, answers, late and double
//! clicks, time-up, stop, and a restart (answers recorded through the engine survive it and a
//! retried answer is not recorded twice). Also the points formula, item ranges and the choice
//! of questions.

mod common;

use chrono::{DateTime, Duration, Utc};
use ksbquiz::engine::LiveRecorded;
use ksbquiz::live::{ClickOutcome, ItemFilter, LiveError, LiveQuiz, Spec, choose, points};
use ksbquiz::standards::ItemKind;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn spec(count: usize, seconds: u32, streak_bonus: bool) -> Spec {
    Spec {
        cohort: "COH1".into(),
        standard: "HSCCLD222".into(),
        items: ItemFilter::All,
        count,
        seconds,
        streak_bonus,
    }
}

fn bank() -> ksbquiz::bank::Bank {
    ksbquiz::bank::Bank::load(&common::root().join("question-bank")).unwrap()
}

fn quiz(count: usize, bonus: bool) -> LiveQuiz {
    let s = spec(count, 20, bonus);
    let qs = choose(&bank(), &s, 7).unwrap();
    LiveQuiz::new("q1".into(), s, qs)
}

#[test]
fn points_full_for_instant_half_at_the_buzzer_and_a_capped_streak_bonus() {
    let s = Duration::seconds;
    assert_eq!(points(true, s(0), 20, 1, true), 1000);
    assert_eq!(points(true, s(10), 20, 1, true), 750);
    assert_eq!(points(true, s(20), 20, 1, true), 500);
    // Past the buzzer is clamped (the state machine refuses it anyway).
    assert_eq!(points(true, s(30), 20, 1, true), 500);
    assert_eq!(points(false, s(0), 20, 5, true), 0);
    // Streak: +100 for the 2nd right in a row, +200 for the 3rd ... at most +500.
    assert_eq!(points(true, s(0), 20, 2, true), 1100);
    assert_eq!(points(true, s(0), 20, 3, true), 1200);
    assert_eq!(points(true, s(0), 20, 9, true), 1500);
    // The tutor switched the bonus off.
    assert_eq!(points(true, s(0), 20, 9, false), 1000);
}

#[test]
fn item_filters_read_kinds_and_ranges() {
    assert_eq!("all".parse::<ItemFilter>().unwrap(), ItemFilter::All);
    assert_eq!("".parse::<ItemFilter>().unwrap(), ItemFilter::All);
    assert_eq!(
        "K".parse::<ItemFilter>().unwrap(),
        ItemFilter::Kind(ItemKind::Knowledge)
    );
    assert_eq!(
        "behaviours".parse::<ItemFilter>().unwrap(),
        ItemFilter::Kind(ItemKind::Behaviour)
    );
    let r = |kind, from, to| ItemFilter::Range { kind, from, to };
    assert_eq!(
        "K1-K10".parse::<ItemFilter>().unwrap(),
        r(ItemKind::Knowledge, 1, 10)
    );
    assert_eq!(
        "k3 - 7".parse::<ItemFilter>().unwrap(),
        r(ItemKind::Knowledge, 3, 7)
    );
    assert_eq!(
        "P4".parse::<ItemFilter>().unwrap(),
        r(ItemKind::Performance, 4, 4)
    );
    for bad in ["K9-K2", "K1-S4", "Q1", "1-4", "K1-"] {
        assert!(
            matches!(bad.parse::<ItemFilter>(), Err(LiveError::BadItems(_))),
            "{bad}"
        );
    }
}

#[test]
fn questions_come_from_the_items_asked_for_one_per_item_first() {
    let bank = bank();
    let mut s = spec(5, 20, true);
    s.items = "K1-K5".parse().unwrap();
    let qs = choose(&bank, &s, 1).unwrap();
    assert_eq!(qs.len(), 5);
    let mut items: Vec<&str> = qs.iter().map(|q| q.item.as_str()).collect();
    items.sort();
    assert_eq!(
        items,
        [
            "HSCCLD222/K1",
            "HSCCLD222/K2",
            "HSCCLD222/K3",
            "HSCCLD222/K4",
            "HSCCLD222/K5"
        ]
    );
    // More questions than items: further variants, never the same question twice.
    s.count = 12;
    let qs = choose(&bank, &s, 1).unwrap();
    assert_eq!(qs.len(), 12);
    let mut ids: Vec<&str> = qs.iter().map(|q| q.question.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
    // The same seed chooses the same questions; another seed, another order.
    assert_eq!(choose(&bank, &s, 1).unwrap(), qs);
    assert_ne!(choose(&bank, &s, 2).unwrap(), qs);
    // Nothing to ask, or no such standard: a clear error.
    s.items = "K90-K99".parse().unwrap();
    assert!(matches!(
        choose(&bank, &s, 1),
        Err(LiveError::NoQuestions(_))
    ));
    s.standard = "NOPE".into();
    assert!(matches!(
        choose(&bank, &s, 1),
        Err(LiveError::UnknownStandard(_))
    ));
}

#[test]
fn a_quiz_with_a_moved_clock() {
    let mut q = quiz(3, true);
    let t0 = at("2026-11-23T10:00:00Z");
    // Nothing is open yet: a click is refused.
    assert_eq!(q.click("ann", "Ann", 0, 0, t0), ClickOutcome::NotOpen);
    assert_eq!(q.open_next(t0), Some(0));
    assert_eq!(q.open_next(t0), None, "one question at a time");
    let right = q.questions[0].answer;
    let wrong = (right + 1) % q.questions[0].options;

    // Ann joins with an instant right answer; Ben with a wrong one at 5 s; Cat right at 20 s
    // less a moment.
    assert_eq!(
        q.click("ann", "Ann", 0, right, t0),
        ClickOutcome::Accepted { joined: true }
    );
    assert_eq!(
        q.click("ben", "Ben", 0, wrong, t0 + Duration::seconds(5)),
        ClickOutcome::Accepted { joined: true }
    );
    // A double click: the first counts.
    assert_eq!(
        q.click("ann", "Ann", 0, wrong, t0 + Duration::seconds(1)),
        ClickOutcome::AlreadyAnswered { option: right }
    );
    assert_eq!(q.click("cat", "Cat", 0, 9, t0), ClickOutcome::NotAnOption);
    assert_eq!(
        q.click("cat", "Cat", 0, right, t0 + Duration::milliseconds(19_999)),
        ClickOutcome::Accepted { joined: true }
    );
    // Time up at 20 s: a click then is late, even before the question is closed.
    assert!(!q.time_up(t0 + Duration::seconds(19)));
    assert!(q.time_up(t0 + Duration::seconds(20)));
    assert_eq!(
        q.click("dan", "Dan", 0, right, t0 + Duration::seconds(20)),
        ClickOutcome::TooLate
    );
    let r = q.close().unwrap();
    assert_eq!(r.answered, 3);
    assert_eq!(r.correct, 2);
    assert_eq!(r.counts.iter().sum::<usize>(), 3);
    assert_eq!(r.counts[right], 2);
    assert_eq!(r.counts[wrong], 1);
    let board: Vec<(&str, u32)> = r
        .leaderboard
        .iter()
        .map(|s| (s.name.as_str(), s.score))
        .collect();
    assert_eq!(board, [("Ann", 1000), ("Cat", 500), ("Ben", 0)]);
    assert!(!q.players.contains_key("dan"), "a late click does not join");
    // A button of the closed question is refused.
    assert_eq!(
        q.click("ben", "Ben", 0, right, t0 + Duration::seconds(21)),
        ClickOutcome::NotOpen
    );

    // Question 2: Ann right again (streak 2: +100), Ben misses it, Cat wrong.
    let t1 = t0 + Duration::seconds(30);
    assert_eq!(q.open_next(t1), Some(1));
    let right = q.questions[1].answer;
    let wrong = (right + 1) % q.questions[1].options;
    // A button of question 1 clicked now is refused, not counted for question 2.
    assert_eq!(q.click("ben", "Ben", 0, right, t1), ClickOutcome::NotOpen);
    assert_eq!(
        q.click("ann", "Ann", 1, right, t1 + Duration::seconds(10)),
        ClickOutcome::Accepted { joined: false }
    );
    assert_eq!(
        q.click("cat", "Cat", 1, wrong, t1),
        ClickOutcome::Accepted { joined: false }
    );
    let r = q.close().unwrap();
    assert_eq!(r.answered, 2);
    let ann = &r.leaderboard[0];
    assert_eq!(
        (ann.name.as_str(), ann.score, ann.streak),
        ("Ann", 1000 + 750 + 100, 2)
    );
    assert_eq!(q.players["ben"].streak, 0);
    assert_eq!(q.players["cat"].streak, 0);

    // The tutor stops the quiz during question 3: Ben's answer in it still counts.
    let t2 = t1 + Duration::seconds(30);
    assert_eq!(q.open_next(t2), Some(2));
    let right = q.questions[2].answer;
    q.click("ben", "Ben", 2, right, t2);
    let last = q.stop().unwrap();
    assert_eq!(last.answered, 1);
    assert!(q.is_finished());
    assert_eq!(q.open_next(t2), None);
    assert_eq!(q.click("ann", "Ann", 2, right, t2), ClickOutcome::NotOpen);

    let s = q.summary();
    assert_eq!(s.questions_asked, 3);
    assert_eq!(s.players, 3);
    assert_eq!(s.answers, 6);
    let podium: Vec<&str> = s.podium.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(podium, ["Ann", "Ben", "Cat"]);
    // The weakest items are the ones fewest got right; a missed question counts against.
    assert!(!s.weakest.is_empty() && s.weakest.len() <= 3);
    assert!(s.weakest.windows(2).all(|w| w[0].rate <= w[1].rate));
    let q2_item = &q.questions[1].item;
    let w = s.weakest.iter().find(|w| &w.item == q2_item).unwrap();
    assert_eq!((w.correct, w.expected), (1, 3));
}

#[test]
fn a_quiz_runs_out_of_questions_and_ties_share_a_rank() {
    let mut q = quiz(1, false);
    let t0 = at("2026-11-23T10:00:00Z");
    q.open_next(t0);
    let right = q.questions[0].answer;
    q.click("ann", "Ann", 0, right, t0 + Duration::seconds(4));
    q.click("ben", "Ben", 0, right, t0 + Duration::seconds(4));
    let r = q.close().unwrap();
    assert!(q.is_finished(), "the last question closed ends the quiz");
    assert_eq!(r.leaderboard[0].rank, 1);
    assert_eq!(r.leaderboard[1].rank, 1);
    assert_eq!(r.leaderboard[0].score, 900);
    assert!(q.summary().weakest.is_empty(), "everyone was right");
}

#[test]
fn a_failed_recording_takes_the_click_back() {
    let mut q = quiz(1, true);
    let t0 = at("2026-11-23T10:00:00Z");
    q.open_next(t0);
    assert!(matches!(
        q.click("ann", "Ann", 0, 0, t0),
        ClickOutcome::Accepted { .. }
    ));
    q.unclick("ann", 0);
    assert!(matches!(
        q.click("ann", "Ann", 0, 1, t0),
        ClickOutcome::Accepted { .. }
    ));
}

/// Answers recorded through the engine survive a restart (a new engine over the same
/// database), feed spaced repetition, join the cohort, and a retried answer is not doubled.
#[test]
fn live_answers_are_recorded_once_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let code = {
        let (e, _) = common::engine_at(dir.path(), "2026-11-23T10:00:00Z");
        e.handle(
            common::who("discord:1"),
            ksbquiz::engine::Input::Start { code: None },
        )
        .unwrap();
        e.handle(
            common::who("discord:1"),
            ksbquiz::engine::Input::CohortCreate {
                name: "Group".into(),
                standards: vec!["HSCCLD222".into()],
            },
        )
        .unwrap();
        let code = e.store().cohorts().next().unwrap().unwrap().code;
        let mut q = quiz(2, true);
        q.spec.cohort = code.clone();
        let t0 = e.now();
        q.open_next(t0);
        let (question, right) = (q.questions[0].question.clone(), q.questions[0].answer);
        let who = common::who("discord:2");
        let r = e
            .live_answer(who, &code, "live/q1/0", &question, right, t0)
            .unwrap();
        assert_eq!(
            r,
            LiveRecorded::New {
                correct: true,
                joined: true
            }
        );
        // The same interaction delivered again (a retry after a network fault).
        let again = e
            .live_answer(who, &code, "live/q1/0", &question, right, t0)
            .unwrap();
        assert_eq!(again, LiveRecorded::Duplicate);
        assert_eq!(
            e.live_answer(who, &code, "live/q1/1", "no/such/question", 0, t0)
                .unwrap(),
            LiveRecorded::UnknownQuestion
        );
        code
        // The engine (and its database) is dropped here: the "restart".
    };
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T10:05:00Z");
    let l = e.store().learner_by_account("discord:2").unwrap().unwrap();
    assert!(l.cohorts.contains(&code));
    let attempts = e.store().attempts(l.id).unwrap();
    assert_eq!(attempts.len(), 1);
    assert!(attempts[0].correct);
    let srs = e.store().srs(l.id, &attempts[0].item).unwrap().unwrap();
    assert!(
        srs.due > e.now().date_naive(),
        "a right answer is scheduled ahead"
    );
    assert!(e.store().cohort_members(&code).unwrap().contains(&l.id));
}

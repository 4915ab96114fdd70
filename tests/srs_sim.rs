//! Scheduling over weeks with a moved clock: a learner takes the daily quiz for two months,
//! knowing most items and always failing one. Intervals grow for what is known, the failed
//! item becomes a leech and stops being drilled, rest days stay free, variants rotate.

mod common;

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration};
use ksbquiz::engine::{Clock, Input, Who, command};
use ksbquiz::store::SrsState;

const HARD: &str = "HSCCLD222/K3";

#[test]
fn two_months_of_daily_quizzes() {
    let dir = tempfile::tempdir().unwrap();
    // 2026-11-23 is a Monday; quizzes at 18:00 London time (GMT in winter).
    let (e, clock) = common::engine_at(dir.path(), "2026-11-23T18:00:00Z");
    let w = Who {
        account: "sim:1",
        name: "Sim",
        platform: "test",
    };
    e.handle(w, Input::Start { code: None }).unwrap();
    e.handle(w, Input::Enrol(vec!["HSCCLD222".into()])).unwrap();
    e.handle(w, command::parse("/rest sat sun")).unwrap();
    let id = e.store().learner_by_account("sim:1").unwrap().unwrap().id;

    let mut asked: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    let mut leech_day: Option<i64> = None;
    let mut sizes = Vec::new();
    for day in 0..60i64 {
        let weekday = clock.now().weekday().num_days_from_monday();
        let mut out = e.handle(w, Input::Quiz).unwrap();
        let mut size = 0;
        while let Some(q) = common::question(&out) {
            let d = e.store().delivery(&q.delivery).unwrap().unwrap();
            asked
                .entry(d.item.clone())
                .or_default()
                .push((day, d.question.clone()));
            let option = if d.item == HARD {
                (q.answer + 1) % q.options.len()
            } else {
                q.answer
            };
            out = e
                .handle(
                    w,
                    Input::Answer {
                        delivery: q.delivery,
                        option,
                    },
                )
                .unwrap();
            size += 1;
        }
        if size > 0 {
            assert!(
                weekday < 5,
                "day {day}: nothing is due on a rest day, so no quiz"
            );
        }
        sizes.push(size);
        if leech_day.is_none() && e.store().srs(id, HARD).unwrap().is_some_and(|s| s.leech) {
            leech_day = Some(day);
        }
        clock.advance(Duration::days(1));
    }

    // The daily quiz never exceeds the learner's size.
    assert!(sizes.iter().all(|&s| s <= 10), "{sizes:?}");
    // Every item was introduced, five new ones a day at most.
    let states: BTreeMap<String, SrsState> = e.store().srs_all(id).unwrap().into_iter().collect();
    assert_eq!(states.len(), 31);
    // What is known is spaced out: the last gaps of a known item grow past a week.
    let gaps: Vec<i64> = asked["HSCCLD222/K1"]
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .collect();
    assert!(
        gaps.windows(2).all(|g| g[1] >= g[0]),
        "growing gaps {gaps:?}"
    );
    assert!(*gaps.last().unwrap() >= 7, "{gaps:?}");
    assert!(states["HSCCLD222/K1"].stability > 10.0);
    // The always-failed item became a leech after 8 lapses and was not drilled after that.
    let hard = &states[HARD];
    assert!(hard.leech && hard.lapses >= 8, "{hard:?}");
    let leech_day = leech_day.expect("became a leech");
    assert!(asked[HARD].iter().all(|(d, _)| *d <= leech_day));
    // No item was asked with the same variant twice in a row.
    for (item, history) in &asked {
        for pair in history.windows(2) {
            assert_ne!(pair[0].1, pair[1].1, "{item} repeated a variant");
        }
    }
    // Nothing is scheduled on a rest day.
    for (item, s) in &states {
        assert!(
            s.due.weekday().num_days_from_monday() < 5,
            "{item} due on {}",
            s.due
        );
    }
}

#[test]
fn setting_rest_days_spreads_work_already_due_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let (e, clock) = common::engine_at(dir.path(), "2026-11-23T18:00:00Z");
    let w = Who {
        account: "sim:2",
        name: "Sim",
        platform: "test",
    };
    e.handle(w, Input::Start { code: None }).unwrap();
    e.handle(w, Input::Enrol(vec!["PROV-LMCCP".into()]))
        .unwrap();
    e.handle(w, command::parse("/perday 30")).unwrap();
    let id = e.store().learner_by_account("sim:2").unwrap().unwrap().id;
    // Put 12 items due on Saturday 28th.
    let sat = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let bank_items: Vec<String> = e
        .bank
        .items_of("PROV-LMCCP")
        .iter()
        .take(12)
        .cloned()
        .collect();
    for item in &bank_items {
        let s = SrsState {
            stability: 5.0,
            difficulty: 5.0,
            due: sat,
            last_review: clock.now(),
            reps: 1,
            lapses: 0,
            last_correct: true,
            leech: false,
            last_question: None,
            last_delivery: None,
            last_option: None,
        };
        e.store().put_srs(id, item, &s).unwrap();
    }
    e.handle(w, command::parse("/rest sat sun")).unwrap();
    let mut per_day: BTreeMap<chrono::NaiveDate, usize> = BTreeMap::new();
    for (_, s) in e.store().srs_all(id).unwrap() {
        *per_day.entry(s.due).or_default() += 1;
    }
    assert!(!per_day.contains_key(&sat));
    assert!(
        per_day.len() >= 3,
        "spread over several days, not piled on Monday: {per_day:?}"
    );
    assert!(per_day.values().all(|&n| n <= 4), "{per_day:?}");
}

#[test]
fn the_daily_prompt_follows_local_time_across_daylight_saving() {
    let dir = tempfile::tempdir().unwrap();
    // London moves to BST on Sunday 28 March 2027; 18:00 local is then 17:00 UTC.
    let (e, clock) = common::engine_at(dir.path(), "2027-03-27T17:30:00Z");
    let w = Who {
        account: "sim:dst",
        name: "Sim",
        platform: "test",
    };
    e.handle(w, Input::Start { code: None }).unwrap();
    e.handle(w, Input::Enrol(vec!["HSCCLD222".into()])).unwrap();
    let l = || e.store().learner_by_account("sim:dst").unwrap().unwrap();
    // Saturday, GMT: 17:30 UTC is 17:30 local, before 18:00.
    assert_eq!(e.local_prompt_due(&l()), None);
    clock.set("2027-03-27T18:00:00Z".parse().unwrap());
    assert!(e.local_prompt_due(&l()).is_some());
    // Monday, BST: 17:00 UTC is 18:00 local, already due; 16:59 UTC is not.
    clock.set("2027-03-29T16:59:00Z".parse().unwrap());
    assert_eq!(e.local_prompt_due(&l()), None);
    clock.set("2027-03-29T17:00:00Z".parse().unwrap());
    assert_eq!(
        e.local_prompt_due(&l()),
        chrono::NaiveDate::from_ymd_opt(2027, 3, 29)
    );
    // A learner in New York is prompted at their 18:00 (22:00 UTC in March 2027, EDT).
    e.handle(w, command::parse("/timezone America/New_York"))
        .unwrap();
    clock.set("2027-03-29T21:59:00Z".parse().unwrap());
    assert_eq!(e.local_prompt_due(&l()), None);
    clock.set("2027-03-29T22:00:00Z".parse().unwrap());
    assert!(e.local_prompt_due(&l()).is_some());
}

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

/// Takes the daily quiz for `days` days, answering right with probability `p` (seeded).
fn daily_quizzes(
    e: &ksbquiz::engine::Engine,
    clock: &ksbquiz::engine::ManualClock,
    w: Who,
    days: i64,
    p: f64,
) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for _ in 0..days {
        let mut out = e.handle(w, Input::Quiz).unwrap();
        while let Some(q) = common::question(&out) {
            let option = if rng.random_bool(p) {
                q.answer
            } else {
                (q.answer + 1) % q.options.len()
            };
            out = common::answer(e, w, q, option);
        }
        clock.advance(Duration::days(1));
    }
}

#[test]
fn intake_reaches_every_enrolled_standard_within_three_weeks() {
    let dir = tempfile::tempdir().unwrap();
    let (e, clock) = common::engine_at(dir.path(), "2026-11-23T18:00:00Z");
    let w = common::who("sim:intake");
    e.handle(w, Input::Start { code: None }).unwrap();
    e.handle(w, command::parse("/enrol all")).unwrap();
    daily_quizzes(&e, &clock, w, 21, 0.8);
    let l = e.store().learner_by_account("sim:intake").unwrap().unwrap();
    let states: HashMap<String, SrsState> = e.store().srs_all(l.id).unwrap().into_iter().collect();
    let mut started: Vec<(String, usize, usize)> = Vec::new();
    for code in &l.standards {
        let items = e.bank.items_of(code);
        let n = items
            .iter()
            .filter(|i| states.contains_key(i.as_str()))
            .count();
        started.push((code.clone(), n, items.len()));
    }
    // Every standard is under way, and none is starved: each has started at least half the
    // share of its items that the learner has started overall.
    let total: usize = started.iter().map(|s| s.1).sum();
    let all: usize = started.iter().map(|s| s.2).sum();
    for (code, n, items) in &started {
        assert!(*n >= 3, "{code}: {n} of {items} started: {started:?}");
        let share = *n as f64 / *items as f64;
        assert!(
            share >= 0.5 * total as f64 / all as f64,
            "{code} starved: {started:?}"
        );
    }
}

#[test]
fn a_single_right_answer_never_makes_an_item_secure() {
    let dir = tempfile::tempdir().unwrap();
    let (e, clock) = common::engine_at(dir.path(), "2026-11-23T18:00:00Z");
    let w = common::who("sim:secure");
    e.handle(w, Input::Start { code: None }).unwrap();
    e.handle(w, Input::Enrol(vec!["HSCCLD222".into()])).unwrap();
    // An end-point date tomorrow: recall the day after one right answer is well above 0.9.
    e.handle(w, command::parse("/epa 2026-11-25")).unwrap();
    daily_quizzes(&e, &clock, w, 1, 1.0);
    let l = e.store().learner_by_account("sim:secure").unwrap().unwrap();
    let states = e.store().srs_all(l.id).unwrap();
    assert!(!states.is_empty());
    let epa = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let aim = e.sched.default_aim();
    for (item, s) in &states {
        assert_eq!(s.reps, 1);
        assert!(e.sched.retrievability(s, clock.now()) > 0.9, "{item}");
        assert!(
            !e.sched.secure(s, clock.now(), epa, &aim),
            "{item} secure after one answer"
        );
    }
    let stats = common::texts(&e.handle(w, Input::Stats).unwrap());
    assert!(stats.contains("HSCCLD222: 0% secure"), "{stats}");
}

#[test]
fn the_end_point_date_changes_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let (e, clock) = common::engine_at(dir.path(), "2026-11-23T18:00:00Z");
    let w = common::who("sim:epa");
    e.handle(w, Input::Start { code: None }).unwrap();
    e.handle(w, Input::Enrol(vec!["HSCCLD352".into(), "OCC0088B".into()]))
        .unwrap();
    daily_quizzes(&e, &clock, w, 10, 0.8);
    let plan = || {
        e.store()
            .learner_by_account("sim:epa")
            .unwrap()
            .unwrap()
            .plan
            .unwrap()
    };
    let far = common::texts(&e.handle(w, command::parse("/epa 2027-09-30")).unwrap());
    assert!(
        far.contains("2027-09-30") && far.contains("Your plan"),
        "{far}"
    );
    let far = plan();
    let near = common::texts(&e.handle(w, command::parse("/epa 2026-12-20")).unwrap());
    assert!(near.contains("2026-12-20"), "{near}");
    let near = plan();
    assert_eq!(
        (far.epa.to_string().as_str(), near.epa.to_string().as_str()),
        ("2027-09-30", "2026-12-20")
    );
    assert!(far.dated && near.dated);
    // Far less of both standards can be learned in four weeks than in ten months.
    assert!(near.expected < far.expected, "{near:?} {far:?}");
    // A review whose interval would carry an item past the date is cut to land before it.
    let s = e.sched.clone();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let none = |_: chrono::NaiveDate| 0;
    // (With retention 0.9 recall on any date before the next review is above 0.9 anyway; a plan
    // with a lower retention is where the cut matters.)
    let young = SrsState {
        stability: 5.0,
        difficulty: 5.0,
        due: today,
        last_review: clock.now() - Duration::days(5),
        reps: 3,
        ..SrsState::default()
    };
    let aim = |epa: Option<&str>| ksbquiz::srs::Aim {
        retention: 0.75,
        epa: epa.map(|d| d.parse().unwrap()),
    };
    let epa: chrono::NaiveDate = "2027-01-12".parse().unwrap();
    let open = s.review(
        Some(&young),
        true,
        clock.now(),
        today,
        &[],
        &none,
        &aim(None),
    );
    let cut = s.review(
        Some(&young),
        true,
        clock.now(),
        today,
        &[],
        &none,
        &aim(Some("2027-01-12")),
    );
    assert!(open.due > epa, "{open:?}");
    assert!(cut.due < epa && cut.due > today, "{cut:?}");
    // A bad date is refused with the template's words, and the plan stays.
    let bad = common::texts(&e.handle(w, command::parse("/epa 31/12/2026")).unwrap());
    assert!(bad.contains("YYYY-MM-DD"), "{bad}");
    assert_eq!(plan(), near);
}

#[test]
fn a_tutor_sets_the_cohort_date_and_members_plan_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _clock) = common::engine_at(dir.path(), "2026-11-23T18:00:00Z");
    let tutor = common::who("sim:tutor");
    let learner = common::who("sim:member");
    e.handle(tutor, Input::Start { code: None }).unwrap();
    let made = common::texts(
        &e.handle(tutor, command::parse("/cohort create Tuesday : HSCCLD222"))
            .unwrap(),
    );
    let code = e.store().cohorts().next().unwrap().unwrap().code;
    assert!(made.contains(&code));
    e.handle(
        learner,
        Input::Start {
            code: Some(code.clone()),
        },
    )
    .unwrap();
    // Another learner cannot set it.
    let refused = common::texts(
        &e.handle(
            learner,
            command::parse(&format!("/cohort epa {code} 2027-03-01")),
        )
        .unwrap(),
    );
    assert!(!refused.contains("2027-03-01"), "{refused}");
    let set = common::texts(
        &e.handle(
            tutor,
            command::parse(&format!("/cohort epa {code} 2027-03-01")),
        )
        .unwrap(),
    );
    assert!(
        set.contains("2027-03-01") && set.contains("1 learner"),
        "{set}"
    );
    let l = e.store().learner_by_account("sim:member").unwrap().unwrap();
    assert_eq!(
        e.epa_of(&l).unwrap(),
        (
            "2027-03-01".parse().unwrap(),
            ksbquiz::engine::EpaFrom::Cohort
        )
    );
    assert_eq!(l.plan.unwrap().epa.to_string(), "2027-03-01");
    // The learner's own date wins.
    e.handle(learner, command::parse("/epa 2027-02-01"))
        .unwrap();
    let l = e.store().learner_by_account("sim:member").unwrap().unwrap();
    assert_eq!(e.epa_of(&l).unwrap().1, ksbquiz::engine::EpaFrom::Own);
}

/// A cohort whose memory follows FSRS with weights far from the defaults (first memories
/// weaker, forgetting faster), scheduled with the defaults as today: a fit on its review logs
/// predicts held-back reviews better than the defaults do, and too few reviews are refused.
#[test]
fn fitting_refuses_too_few_reviews_and_beats_the_defaults_on_a_simulated_cohort() {
    use ksbquiz::srs::fit::{self, FitError, History, MIN_REVIEWS};
    use ksbquiz::srs::{Config, Scheduler};
    use rand::{Rng, SeedableRng};
    let mut w = fsrs::DEFAULT_PARAMETERS.to_vec();
    for x in &mut w[0..4] {
        *x *= 0.25;
    }
    let truth = Scheduler::with_weights(Config::default(), &w).unwrap();
    let sched = Scheduler::new(Config::default());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut histories: Vec<((u64, String), History)> = Vec::new();
    for learner in 0..40u64 {
        for item in 0..12 {
            let (mut sched_mem, mut true_mem) = (None, None);
            let mut h = Vec::new();
            let mut gap = 0u32;
            for _ in 0..8 {
                let p = true_mem.map_or(0.5, |m: fsrs::MemoryState| {
                    truth.recall_after(m.stability, m.difficulty, gap as f32)
                });
                let right = rng.random::<f32>() < p;
                h.push((gap, right));
                true_mem = Some(truth.step(true_mem, gap, right, 0.9).0);
                let (m, interval) = sched.step(sched_mem, gap, right, 0.9);
                sched_mem = Some(m);
                gap = (interval.round() as u32).clamp(1, 365);
            }
            histories.push(((learner, format!("X/K{item}")), h));
        }
    }
    match fit::fit(&histories[..60], MIN_REVIEWS) {
        Err(FitError::TooFew { have, need }) => assert!(have < need),
        other => panic!("a fit on 480 reviews: {other:?}"),
    }
    let f = fit::fit(&histories, MIN_REVIEWS).expect("3,840 reviews are enough");
    assert!(f.reviews >= MIN_REVIEWS && f.held_back > 0, "{f:?}");
    assert!(
        f.better(),
        "fitted {} vs default {}",
        f.log_loss,
        f.default_log_loss
    );
    assert!(
        f.weights[0] < fsrs::DEFAULT_PARAMETERS[0],
        "{:?}",
        &f.weights[..4]
    );
}

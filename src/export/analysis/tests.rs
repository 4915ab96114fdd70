//! Tests of the item analysis: the correlation and the bands, and the streaming [`Analysis`]
//! against an all-in-memory reference that counts every answer again (the two share only the
//! assembly of the rows and the report from the figures).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::*;
use crate::store::{Attempt, Learner, SrsState};

#[test]
fn pearson_basics() {
    assert!(
        (pearson(&[(0.0, 0.0), (1.0, 1.0), (1.0, 0.9), (0.0, 0.1)]).unwrap() - 0.994).abs() < 0.01
    );
    assert!(
        pearson(&[(1.0, 0.5), (1.0, 0.2), (1.0, 0.9)]).is_none(),
        "no variance"
    );
    assert!(pearson(&[(1.0, 0.5)]).is_none());
}

/// The streaming analysis gives exactly the report the all-in-memory one gives, on a
/// random cohort: answers in and out of the date range, unknown questions, several
/// standards, learners with no answers, scheduling states of every kind.
#[test]
fn streaming_matches_the_in_memory_reference() {
    use rand::{Rng, SeedableRng};
    let bank = Bank::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank"))
        .unwrap();
    let sched = Scheduler::new(crate::srs::Config::default());
    let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let standards = vec!["HSCCLD222".to_string(), "HSCCLD352".to_string()];
    let items: Vec<&String> = standards.iter().flat_map(|s| bank.items_of(s)).collect();
    let mut learners = Vec::new();
    let mut attempts = HashMap::new();
    let mut states = HashMap::new();
    for id in 1..=60u64 {
        learners.push(Learner {
            id,
            name: format!("L{id}"),
            accounts: vec![],
            standards: standards.clone(),
            cohorts: vec![],
            settings: Default::default(),
            created: now,
            inactive: false,
            plan: None,
        });
        let skill: f64 = rng.random();
        let mut v = Vec::new();
        for n in 0..rng.random_range(0..80) {
            let item = items[rng.random_range(0..items.len())];
            let qs = bank.questions_of(item);
            let question = if rng.random_bool(0.05) {
                "gone/question".to_string()
            } else {
                qs[rng.random_range(0..qs.len())].clone()
            };
            let answer = bank.question(&question).map_or(0, |q| q.answer);
            let correct = rng.random_bool(skill);
            let option = if correct {
                answer
            } else {
                (answer + rng.random_range(1..4)) % 4
            };
            v.push(Attempt {
                learner: id,
                item: item.clone(),
                question,
                option,
                correct,
                response_ms: 1000,
                platform: "test".into(),
                at: now - chrono::Duration::days(90) + chrono::Duration::hours(n * 20),
                delivery: format!("{id:016x}-{n:016x}"),
                mode: crate::store::Mode::Daily,
            });
        }
        attempts.insert(id, v);
        let mut st = HashMap::new();
        for item in items.iter().take(rng.random_range(0..30)) {
            st.insert(
                (*item).clone(),
                SrsState {
                    stability: rng.random_range(0.5..30.0),
                    difficulty: 5.0,
                    due: now.date_naive(),
                    last_review: now - chrono::Duration::days(rng.random_range(0..20)),
                    reps: 2,
                    lapses: 0,
                    last_correct: rng.random_bool(0.7),
                    leech: rng.random_bool(0.05),
                    last_question: None,
                    last_delivery: None,
                    last_option: None,
                },
            );
        }
        states.insert(id, st);
    }
    for (from, to) in [(None, None), (Some(-60), Some(-10))] {
        let day = |d: Option<i64>| d.map(|d| (now + chrono::Duration::days(d)).date_naive());
        let scope = Scope {
            name: "test".into(),
            learners: learners.clone(),
            standards: standards.clone(),
            from: day(from),
            to: day(to),
        };
        let want = reference::analyse(&reference::Inputs {
            scope: &scope,
            bank: &bank,
            sched: &sched,
            now,
            attempts: &attempts,
            states: &states,
        });
        let mut a = Analysis::new(&scope, &bank, &sched, now);
        for l in &scope.learners {
            a.add(l, &attempts[&l.id], &states[&l.id]);
        }
        let got = a.finish();
        assert_eq!(
            serde_json::to_value(&got).unwrap(),
            serde_json::to_value(&want).unwrap()
        );
        assert!(got.items.iter().any(|i| i.discrimination.is_some()));
        assert!(
            got.questions
                .iter()
                .any(|q| q.options.iter().any(|o| o.top_share.is_some()))
        );
    }
}

#[test]
fn bands() {
    assert_eq!(facility_band(50.0), "about right");
    assert_eq!(facility_band(97.0), "extremely easy");
    assert_eq!(discrimination_band(-5.0), "invalid (negative)");
    assert_eq!(discrimination_band(55.0), "very good");
}

/// A question's and an item's rows from figures counted by hand: the shares and rates rounded
/// to a tenth, the bands, the discrimination, and the flags (the streaming analysis and the
/// reference share this assembly, so it is checked here on its own).
#[test]
fn rows_from_hand_counted_figures() {
    let bank = Bank::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank"))
        .unwrap();
    let (id, qid) = bank
        .items_of("HSCCLD222")
        .iter()
        .find_map(|i| bank.questions_of(i).first().map(|q| (i, q)))
        .unwrap();
    let q = bank.question(qid).unwrap();
    assert_eq!(q.options.len(), 4);
    let wrong: Vec<usize> = (0..4).filter(|&i| i != q.answer).collect();
    // r = 0.9 / sqrt(0.82) = 0.9939.
    let pairs = [(0.0, 0.0), (1.0, 1.0), (1.0, 0.9), (0.0, 0.1)];
    let figures = question::QuestionFigures {
        firsts: (4, 3),
        pairs: &pairs,
        answers: 12,
        correct: 6,
    };
    // Twelve answers: six to the key, then 4, 0 and 2 to the distractors, the last chosen more
    // by the top third than by the bottom one.
    let row = question::question_row(qid, id, q, &figures, |i| {
        match wrong.iter().position(|&w| w == i) {
            None => (6, Some(70.0), Some(40.0)),
            Some(0) => (4, Some(10.0), Some(30.0)),
            Some(1) => (0, Some(0.0), Some(0.0)),
            _ => (2, Some(20.0), Some(10.0)),
        }
    });
    assert_eq!(
        (row.id.as_str(), row.item.as_str()),
        (qid.as_str(), id.as_str())
    );
    assert_eq!((row.learners, row.attempts), (4, 12));
    assert_eq!(
        (row.facility, row.facility_band),
        (Some(75.0), Some("fairly easy"))
    );
    assert_eq!(row.correct_rate, Some(50.0));
    assert_eq!(
        (row.discrimination, row.discrimination_band),
        (Some(99.4), Some("very good"))
    );
    let key = &row.options[q.answer];
    assert_eq!(
        (key.key, key.chosen, key.share, key.flag.as_deref()),
        (true, 6, 50.0, None)
    );
    let shares: Vec<(usize, f64, Option<&str>)> = wrong
        .iter()
        .map(|&w| {
            let o = &row.options[w];
            (o.chosen, o.share, o.flag.as_deref())
        })
        .collect();
    assert_eq!(
        shares,
        [
            (4, 33.3, None),
            (0, 0.0, Some("non-functioning")),
            (2, 16.7, Some("possible key error"))
        ]
    );
    assert_eq!(row.options[3].letter, "D");

    let figures = item::ItemFigures {
        firsts: (3, 1),
        pairs: &pairs[..2],
        totals: (8, 4, 3),
        status: (2, 1),
        outlook: (1.5, 1, 4),
        flags: question::flag_counts(&row.options),
    };
    let row = item::item_row(id, bank.item(id).unwrap(), &figures);
    assert_eq!(
        (row.standard.as_str(), row.id.as_str()),
        ("HSCCLD222", id.as_str())
    );
    assert!(id.ends_with(&format!("/{}", row.code)), "{}", row.code);
    assert_eq!(
        (row.learners, row.attempts, row.mastered, row.leeches),
        (3, 8, 2, 1)
    );
    assert_eq!(
        (row.first_try_correct, row.facility_band),
        (Some(33.3), Some("moderately difficult"))
    );
    assert_eq!(row.correct_rate, Some(50.0));
    assert_eq!(row.discrimination, None, "fewer than three pairs");
    assert_eq!((row.non_functioning, row.possible_key_errors), (1, 1));
    assert_eq!((row.predicted_recall, row.not_started), (Some(37.5), 1));
}

/// The reference the streaming [`Analysis`] is tested against.
mod reference {
    use std::collections::{BTreeSet, HashMap};

    use chrono::{DateTime, Utc};

    use crate::bank::Bank;
    use crate::export::analysis::item::{ItemFigures, item_row};
    use crate::export::analysis::learner::matrix_row;
    use crate::export::analysis::question::{QuestionFigures, flag_counts, question_row};
    use crate::export::analysis::stats::{pct, round1};
    use crate::export::analysis::{MatrixRow, Report, Scope, Status, assemble};
    use crate::srs::Scheduler;
    use crate::store::{Attempt, LearnerId, SrsState};

    /// Everything the in-memory reference analysis reads (tests compare [`Analysis`] with it).
    pub(crate) struct Inputs<'a> {
        pub scope: &'a Scope,
        pub bank: &'a Bank,
        pub sched: &'a Scheduler,
        pub now: DateTime<Utc>,
        /// Attempts of the scope's learners, oldest first per learner.
        pub attempts: &'a HashMap<LearnerId, Vec<Attempt>>,
        pub states: &'a HashMap<LearnerId, HashMap<String, SrsState>>,
    }

    /// The report computed with every answer in memory: the reference [`Analysis`] must match.
    pub(crate) fn analyse(inp: &Inputs) -> Report {
        let scope = inp.scope;
        let in_range = |a: &Attempt| {
            let d = a.at.date_naive();
            scope.from.is_none_or(|f| d >= f) && scope.to.is_none_or(|t| d <= t)
        };
        let item_ids: Vec<String> = scope
            .standards
            .iter()
            .flat_map(|s| inp.bank.items_of(s).iter().cloned())
            .collect();
        let item_set: BTreeSet<&str> = item_ids.iter().map(String::as_str).collect();

        // First exposure per learner and item / question (the first answer ever, kept only when
        // in range), and all answers in range.
        let mut first_item: HashMap<(LearnerId, &str), bool> = HashMap::new();
        let mut first_q: HashMap<(LearnerId, &str), &Attempt> = HashMap::new();
        let mut all_item: HashMap<&str, (usize, usize, BTreeSet<LearnerId>)> = HashMap::new();
        let mut all_q: HashMap<&str, Vec<&Attempt>> = HashMap::new();
        for l in &scope.learners {
            let mine = inp.attempts.get(&l.id).map_or(&[][..], Vec::as_slice);
            for (n, a) in mine.iter().enumerate() {
                if !in_range(a) || !item_set.contains(a.item.as_str()) {
                    continue;
                }
                let earlier = &mine[..n];
                if !earlier.iter().any(|b| b.item == a.item) {
                    first_item.insert((l.id, a.item.as_str()), a.correct);
                }
                if !earlier.iter().any(|b| b.question == a.question) {
                    first_q.insert((l.id, a.question.as_str()), a);
                }
                let e = all_item.entry(a.item.as_str()).or_default();
                e.0 += 1;
                e.1 += usize::from(a.correct);
                e.2.insert(l.id);
                all_q.entry(a.question.as_str()).or_default().push(a);
            }
        }
        // Ability: each learner's mean first-exposure score, and their per-item scores.
        let mut per_learner: HashMap<LearnerId, (f64, usize)> = HashMap::new();
        for (&(l, _), &c) in &first_item {
            let e = per_learner.entry(l).or_default();
            e.0 += f64::from(u8::from(c));
            e.1 += 1;
        }
        let rest = |l: LearnerId, own: f64| -> Option<f64> {
            let (sum, n) = per_learner.get(&l)?;
            (*n > 1).then(|| (sum - own) / (*n as f64 - 1.0))
        };
        let mut ranked: Vec<(f64, LearnerId)> = per_learner
            .iter()
            .map(|(&l, &(s, n))| (s / n as f64, l))
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let third = ranked.len() / 3;
        let bottom: BTreeSet<LearnerId> = ranked.iter().take(third).map(|r| r.1).collect();
        let top: BTreeSet<LearnerId> = ranked.iter().rev().take(third).map(|r| r.1).collect();

        let mut questions = Vec::new();
        let mut flags_by_item: HashMap<String, (usize, usize)> = HashMap::new();
        for id in &item_ids {
            for qid in inp.bank.questions_of(id) {
                let Some(q) = inp.bank.question(qid) else {
                    continue;
                };
                let answers = all_q.get(qid.as_str()).map_or(&[][..], Vec::as_slice);
                let firsts: Vec<&Attempt> = scope
                    .learners
                    .iter()
                    .filter_map(|l| first_q.get(&(l.id, qid.as_str())).copied())
                    .collect();
                let pairs: Vec<(f64, f64)> = firsts
                    .iter()
                    .filter_map(|a| {
                        let own = f64::from(u8::from(
                            first_item
                                .get(&(a.learner, a.item.as_str()))
                                .copied()
                                .unwrap_or(a.correct),
                        ));
                        rest(a.learner, own).map(|r| (f64::from(u8::from(a.correct)), r))
                    })
                    .collect();
                let share_in = |group: &BTreeSet<LearnerId>, opt: usize| {
                    let g: Vec<&&Attempt> = answers
                        .iter()
                        .filter(|a| group.contains(&a.learner))
                        .collect();
                    pct(g.iter().filter(|a| a.option == opt).count(), g.len()).map(round1)
                };
                let figures = QuestionFigures {
                    firsts: (firsts.len(), firsts.iter().filter(|a| a.correct).count()),
                    pairs: &pairs,
                    answers: answers.len(),
                    correct: answers.iter().filter(|a| a.correct).count(),
                };
                let row = question_row(qid, id, q, &figures, |i| {
                    let chosen = answers.iter().filter(|a| a.option == i).count();
                    (chosen, share_in(&top, i), share_in(&bottom, i))
                });
                let e = flags_by_item.entry(id.clone()).or_default();
                let (nf, ke) = flag_counts(&row.options);
                e.0 += nf;
                e.1 += ke;
                questions.push(row);
            }
        }

        // The tracking sheet: a column per item of the bank, statuses counted from it.
        let columns: Vec<&str> = item_ids
            .iter()
            .map(String::as_str)
            .filter(|id| inp.bank.item(id).is_some())
            .collect();
        let no_states = HashMap::new();
        let matrix: Vec<MatrixRow> = scope
            .learners
            .iter()
            .map(|l| {
                let states = inp.states.get(&l.id).unwrap_or(&no_states);
                matrix_row(inp.sched, inp.now, l, &columns, states)
            })
            .collect();
        let mut items = Vec::new();
        for (col, id) in columns.iter().enumerate() {
            let Some(item) = inp.bank.item(id) else {
                continue;
            };
            let firsts: Vec<(LearnerId, bool)> = scope
                .learners
                .iter()
                .filter_map(|l| first_item.get(&(l.id, *id)).map(|c| (l.id, *c)))
                .collect();
            let pairs: Vec<(f64, f64)> = firsts
                .iter()
                .filter_map(|&(l, c)| {
                    let own = f64::from(u8::from(c));
                    rest(l, own).map(|r| (own, r))
                })
                .collect();
            let (attempts, right, who) = all_item.get(id).cloned().unwrap_or_default();
            let count = |s: Status| matrix.iter().filter(|r| r.cells[col] == s).count();
            let figures = ItemFigures {
                firsts: (firsts.len(), firsts.iter().filter(|f| f.1).count()),
                pairs: &pairs,
                totals: (attempts, right, who.len()),
                status: (count(Status::Secure), count(Status::Leech)),
                outlook: (
                    matrix
                        .iter()
                        .map(|r| r.predicted[col].unwrap_or(0.0) / 100.0)
                        .sum(),
                    count(Status::NotStarted),
                    scope.learners.len(),
                ),
                flags: flags_by_item.get(*id).copied().unwrap_or_default(),
            };
            items.push(item_row(id, item, &figures));
        }

        assemble(scope, inp.bank, inp.now, items, questions, matrix)
    }
}

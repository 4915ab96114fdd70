//! The learning benchmark (`ksbquiz bench --learning`): how much of their bank simulated
//! apprentices recall on their end-point date, and 30 days after, under each scheduling policy
//! with the same daily budget, when their memory follows a published model that is NOT FSRS.
//!
//! Assumptions (also in the README):
//! - Each learner is enrolled in all five seed standards (every item with questions), has 90
//!   days to the end-point date (fewer in the quick run), takes the daily quiz on a share of
//!   days drawn per learner between 70% and 100%, and studies nothing after the date.
//! - Every question is a study event: the learner sees the feedback, right or wrong. The answer
//!   is right when they recall the item, or else by guessing one of four options (25%); the
//!   scheduler sees only right or wrong.
//! - Learner ability ~ N(0, 0.5) and item difficulty ~ N(0, 0.5) shift each model's memory.
//! - Recall of the bank at a date is the mean over all items of the true probability of
//!   recall then (items never studied count 0), averaged over learners, with a 95% interval.
//! - Memory models: ACT-R's declarative memory with the spacing effect (Pavlik & Anderson
//!   2005: activation ln Σ t_j^-d_j with d_j = c·e^{m_{j-1}} + α, recall a logistic of the
//!   activation; time in days), and half-life regression (Settles & Meeder 2016: p = 2^{-Δ/h},
//!   log2 h linear in √(1+right) and √(1+wrong)).
//! - Policies, all with 10 questions and at most 5 new items a day, due items first:
//!   SM-2 as Anki applies it to a once-a-day review (graduating interval 1 day, ease 2.5,
//!   Good multiplies by the ease, Again costs 0.2 of ease and restarts at 1 day); Leitner
//!   (boxes of 1, 2, 4, 8, 16 and 32 days); ksbquiz before issue 16 (FSRS-6 default weights,
//!   retention 0.9, new items round-robin from the first standard each day); and ksbquiz now
//!   (weights fitted on a pilot cohort's logs under the same memory model, the weekly plan to
//!   the date, fair intake, the last review before the date). SM-2 and Leitner take new items
//!   by the same fair intake as ksbquiz now, so intake alone does not decide the comparison.

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::fixture::{Fixture, start};
use crate::domain::{Learner, Settings, SrsState};
use crate::srs::daily::{Unstarted, fair_intake};
use crate::srs::fit::{self, History, MIN_REVIEWS};
use crate::srs::forecast::{self, Learning};
use crate::srs::{Aim, Config, Endgame, PlanInput, Scheduler};

/// Sizes of one run.
#[derive(Debug, Clone, Copy)]
pub struct LearningSizes {
    pub learners: usize,
    /// Learners in the pilot cohort whose logs the weights are fitted on.
    pub pilot: usize,
    pub days: i64,
    pub after: i64,
}

impl LearningSizes {
    pub fn full() -> Self {
        LearningSizes {
            learners: 200,
            pilot: 100,
            days: 90,
            after: 30,
        }
    }
    pub fn quick() -> Self {
        LearningSizes {
            learners: 12,
            pilot: 30,
            days: 45,
            after: 30,
        }
    }
}

const PER_DAY: u32 = 10;
const NEW_PER_DAY: u32 = 5;
const GUESS: f64 = 0.25;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    ActR,
    Hlr,
}

impl Model {
    fn name(self) -> &'static str {
        match self {
            Model::ActR => "ACT-R (Pavlik & Anderson 2005)",
            Model::Hlr => "half-life regression (Settles & Meeder 2016)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Policy {
    Sm2,
    Leitner,
    Before,
    Now,
}

impl Policy {
    const ALL: [Policy; 4] = [Policy::Sm2, Policy::Leitner, Policy::Before, Policy::Now];
    fn name(self) -> &'static str {
        match self {
            Policy::Sm2 => "SM-2 (Anki)",
            Policy::Leitner => "Leitner",
            Policy::Before => "ksbquiz before #16",
            Policy::Now => "ksbquiz now",
        }
    }
}

/// One learner's true memory of one item.
#[derive(Debug, Clone, Default)]
struct Trace {
    /// ACT-R: (day, decay) per study; HLR: right and wrong counts and the last day.
    events: Vec<(f64, f64)>,
    right: u32,
    wrong: u32,
    last: f64,
}

struct Person {
    ability: f64,
    attends: Vec<bool>,
}

fn normal(rng: &mut ChaCha8Rng, sd: f64) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    sd * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn recall(model: Model, t: &Trace, day: f64, ability: f64, difficulty: f64) -> f64 {
    if t.events.is_empty() && t.right + t.wrong == 0 {
        return 0.0;
    }
    match model {
        Model::ActR => {
            let m = activation(t, day);
            let tau = -0.1 - 0.4 * ability + 0.4 * difficulty;
            1.0 / (1.0 + ((tau - m) / 0.25).exp())
        }
        Model::Hlr => {
            // One study not recalled: a half-life of 1.5 days; three recalls after it: 30 days.
            let log_h =
                4.3 * (1.0 + f64::from(t.right)).sqrt() - (1.0 + f64::from(t.wrong)).sqrt() - 2.3
                    + 0.7 * (ability - difficulty);
            2f64.powf(-(day - t.last).max(0.0) / 2f64.powf(log_h))
        }
    }
}

fn activation(t: &Trace, day: f64) -> f64 {
    let s: f64 = t
        .events
        .iter()
        .map(|&(d, decay)| (day - d).max(0.05).powf(-decay))
        .sum();
    if s > 0.0 { s.ln() } else { f64::NEG_INFINITY }
}

fn study(model: Model, t: &mut Trace, day: f64, recalled: bool) {
    match model {
        Model::ActR => {
            let m = activation(t, day);
            let decay = 0.217 * if m.is_finite() { m.exp() } else { 0.0 } + 0.177;
            t.events.push((day, decay));
        }
        Model::Hlr => {
            if recalled {
                t.right += 1;
            } else {
                t.wrong += 1;
            }
            t.last = day;
        }
    }
}

/// What a policy remembers of one item.
#[derive(Debug, Clone)]
enum Card {
    Sm2 { ease: f64, interval: i64, due: i64 },
    Leitner { boxed: usize, due: i64 },
    Fsrs(SrsState),
}

struct Bench<'a> {
    items: Vec<&'a str>,
    by_std: Vec<(&'a str, Vec<&'a str>)>,
    difficulty: HashMap<&'a str, f64>,
    bank: &'a crate::bank::Bank,
    sizes: LearningSizes,
}

fn at(day: i64) -> DateTime<Utc> {
    start() + chrono::Duration::days(day) + chrono::Duration::hours(8)
}

fn date(day: i64) -> NaiveDate {
    at(day).date_naive()
}

/// One learner's run under a policy: (recall at the date, 30 days after, questions asked), and
/// the review histories for fitting.
struct Run {
    at_epa: f64,
    after: f64,
    asked: usize,
    /// Per item studied (in item order, so a fit on them is the same every run).
    histories: Vec<(String, History)>,
    /// Retentions the weekly plans chose (ksbquiz now).
    retentions: Vec<f32>,
}

impl Bench<'_> {
    fn run(&self, model: Model, policy: Policy, p: &Person, seed: u64, sched: &Scheduler) -> Run {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut truth: HashMap<&str, Trace> = HashMap::new();
        let mut cards: HashMap<&str, Card> = HashMap::new();
        let mut hist: HashMap<&str, (i64, History)> = HashMap::new();
        let mut asked = 0usize;
        let learner = Learner {
            id: seed,
            name: "sim".into(),
            accounts: Vec::new(),
            standards: self.by_std.iter().map(|(c, _)| c.to_string()).collect(),
            cohorts: Vec::new(),
            settings: Settings {
                per_day: PER_DAY,
                new_per_day: NEW_PER_DAY,
                ..Settings::default()
            },
            created: start(),
            inactive: false,
            plan: None,
        };
        let epa = date(self.sizes.days);
        let mut aim = sched.default_aim();
        // The weekly plan: new items a day, and the first-answer rate it was decided with.
        let mut plan: Option<(u32, f32)> = None;
        let (mut attended, mut firsts, mut first_right) = (0usize, 0usize, 0usize);
        let mut retentions = Vec::new();
        for day in 0..self.sizes.days {
            if policy == Policy::Now && day % 7 == 0 {
                let states = fsrs_states(&cards);
                let learning = Learning {
                    standards: self.by_std.clone(),
                    states: &states,
                    today: date(day),
                    now: at(day),
                    epa,
                    per_day: PER_DAY,
                    new_per_day: NEW_PER_DAY,
                    rest_days: &[],
                    pace: if day >= 7 {
                        (attended as f32 / day as f32).clamp(0.1, 1.0)
                    } else {
                        1.0
                    },
                    guess: GUESS as f32,
                    first_right: if firsts >= 10 {
                        first_right as f32 / firsts as f32
                    } else {
                        0.5
                    },
                };
                let c = forecast::choose(sched, &learning, seed ^ day as u64);
                aim = Aim {
                    retention: c.retention,
                    epa: Some(epa),
                };
                plan = Some((c.new_per_day, learning.first_right));
                retentions.push(c.retention);
            }
            if !p.attends[day as usize] {
                continue;
            }
            attended += 1;
            let todays = self.plan(policy, &cards, day, sched, &learner, plan);
            for item in todays {
                let d = self.difficulty[item];
                let tr = truth.entry(item).or_default();
                let pr = recall(model, tr, day as f64, p.ability, d);
                let recalled = rng.random::<f64>() < pr;
                let right = recalled || rng.random::<f64>() < GUESS;
                study(model, tr, day as f64, recalled);
                asked += 1;
                if !cards.contains_key(item) {
                    firsts += 1;
                    first_right += usize::from(right);
                }
                let h = hist.entry(item).or_insert((day, Vec::new()));
                let gap = (day - h.0).max(0) as u32;
                h.1.push((gap, right));
                h.0 = day;
                let next = self.answer(policy, cards.get(item), day, right, sched, &aim, &cards);
                cards.insert(item, next);
            }
        }
        let bank_recall = |t: f64| {
            self.items
                .iter()
                .map(|i| {
                    truth.get(i).map_or(0.0, |tr| {
                        recall(model, tr, t, p.ability, self.difficulty[i])
                    })
                })
                .sum::<f64>()
                / self.items.len() as f64
        };
        Run {
            at_epa: bank_recall(self.sizes.days as f64),
            after: bank_recall((self.sizes.days + self.sizes.after) as f64),
            asked,
            histories: {
                let mut h: Vec<(String, History)> = hist
                    .into_iter()
                    .map(|(i, h)| (i.to_string(), h.1))
                    .collect();
                h.sort_by(|a, b| a.0.cmp(&b.0));
                h
            },
            retentions,
        }
    }

    /// Today's items under a policy: due ones first, then new ones.
    fn plan<'s>(
        &'s self,
        policy: Policy,
        cards: &HashMap<&str, Card>,
        day: i64,
        sched: &Scheduler,
        learner: &Learner,
        plan: Option<(u32, f32)>,
    ) -> Vec<&'s str> {
        if policy == Policy::Now {
            let states = fsrs_states(cards);
            let input = PlanInput {
                learner,
                states: &states,
                today: date(day),
                now: at(day),
                plan_new: plan.map(|(n, _)| n),
                endgame: plan.map(|(_, first_right)| Endgame {
                    epa: date(self.sizes.days),
                    first_right,
                }),
            };
            let picks = sched.plan_day(&input, self.bank);
            return picks
                .iter()
                .filter_map(|p| self.items.iter().find(|i| **i == p.item).copied())
                .collect();
        }
        let mut due: Vec<(f64, &str)> = Vec::new();
        for &item in &self.items {
            match cards.get(item) {
                Some(Card::Sm2 { due: d, .. }) | Some(Card::Leitner { due: d, .. })
                    if *d <= day =>
                {
                    due.push((*d as f64, item))
                }
                Some(Card::Fsrs(s)) if s.due <= date(day) => {
                    due.push((f64::from(sched.retrievability(s, at(day))), item))
                }
                _ => {}
            }
        }
        due.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        due.truncate(PER_DAY as usize);
        let room = (PER_DAY as usize - due.len()).min(NEW_PER_DAY as usize);
        let mut out: Vec<&str> = due.into_iter().map(|(_, i)| i).collect();
        if room == 0 {
            return out;
        }
        if policy == Policy::Before {
            // Round-robin over the standards, starting at the first one every day.
            let firsts: Vec<Vec<&str>> = self
                .by_std
                .iter()
                .map(|(_, items)| {
                    items
                        .iter()
                        .filter(|i| !cards.contains_key(**i))
                        .take(room)
                        .copied()
                        .collect()
                })
                .collect();
            let mut taken = 0;
            'rounds: for round in 0..room {
                for s in &firsts {
                    if let Some(i) = s.get(round) {
                        out.push(i);
                        taken += 1;
                        if taken == room {
                            break 'rounds;
                        }
                    }
                }
            }
            return out;
        }
        let groups: Vec<Unstarted> = self
            .by_std
            .iter()
            .map(|(_, items)| {
                let left: Vec<&str> = items
                    .iter()
                    .filter(|i| !cards.contains_key(**i))
                    .copied()
                    .collect();
                Unstarted {
                    first: left.iter().take(room).copied().collect(),
                    left: left.len(),
                    total: items.len(),
                }
            })
            .collect();
        out.extend(fair_intake(&groups, room, date(day)));
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn answer(
        &self,
        policy: Policy,
        old: Option<&Card>,
        day: i64,
        right: bool,
        sched: &Scheduler,
        aim: &Aim,
        cards: &HashMap<&str, Card>,
    ) -> Card {
        match policy {
            Policy::Sm2 => {
                let (ease, interval) = match old {
                    Some(Card::Sm2 { ease, interval, .. }) => (*ease, *interval),
                    _ => (2.5, 0),
                };
                let (ease, interval) = match (right, interval) {
                    (_, 0) => (ease, 1),
                    (true, i) => (ease, ((i as f64) * ease).round().max(i as f64 + 1.0) as i64),
                    (false, _) => ((ease - 0.2).max(1.3), 1),
                };
                Card::Sm2 {
                    ease,
                    interval,
                    due: day + interval,
                }
            }
            Policy::Leitner => {
                const BOXES: [i64; 6] = [1, 2, 4, 8, 16, 32];
                let b = match old {
                    Some(Card::Leitner { boxed, .. }) if right => (*boxed + 1).min(5),
                    Some(Card::Leitner { .. }) => 0,
                    _ => 0,
                };
                Card::Leitner {
                    boxed: b,
                    due: day + BOXES[b],
                }
            }
            Policy::Before | Policy::Now => {
                let old = match old {
                    Some(Card::Fsrs(s)) => Some(s),
                    _ => None,
                };
                let load = |d: NaiveDate| {
                    cards
                        .values()
                        .filter(|c| matches!(c, Card::Fsrs(s) if s.due == d))
                        .count()
                };
                Card::Fsrs(sched.review(old, right, at(day), date(day), &[], &load, aim))
            }
        }
    }
}

fn fsrs_states(cards: &HashMap<&str, Card>) -> HashMap<String, SrsState> {
    cards
        .iter()
        .filter_map(|(i, c)| match c {
            Card::Fsrs(s) => Some((i.to_string(), s.clone())),
            _ => None,
        })
        .collect()
}

fn people(n: usize, days: i64, seed: u64) -> Vec<Person> {
    (0..n)
        .map(|i| {
            let mut rng =
                ChaCha8Rng::seed_from_u64(seed.wrapping_mul(1_000_003).wrapping_add(i as u64));
            let ability = normal(&mut rng, 0.5);
            let share = 0.7 + 0.3 * rng.random::<f64>();
            let attends = (0..days).map(|_| rng.random::<f64>() < share).collect();
            Person { ability, attends }
        })
        .collect()
}

fn mean_ci(xs: &[f64]) -> Value {
    let n = xs.len().max(1) as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let half = 1.96 * (var / n).sqrt();
    json!({"mean": (1000.0 * mean).round() / 10.0, "ci": (1000.0 * half).round() / 10.0})
}

/// Runs the benchmark and returns its table.
pub(super) fn learning(
    f: &Fixture,
    sizes: LearningSizes,
    progress: &dyn Fn(&str),
) -> Result<Value> {
    let bank = &f.bank;
    let by_std: Vec<(&str, Vec<&str>)> = bank
        .standards()
        .map(|s| {
            let items: Vec<&str> = bank
                .items_of(&s.code)
                .iter()
                .map(String::as_str)
                .filter(|i| !bank.questions_of(i).is_empty())
                .collect();
            (s.code.as_str(), items)
        })
        .collect();
    let items: Vec<&str> = by_std.iter().flat_map(|(_, i)| i.iter().copied()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    let difficulty = items.iter().map(|i| (*i, normal(&mut rng, 0.5))).collect();
    let b = Bench {
        items,
        by_std,
        difficulty,
        bank,
        sizes,
    };
    let defaults = Scheduler::new(Config::default());
    let mut models = Vec::new();
    for model in [Model::ActR, Model::Hlr] {
        progress(&format!("learning: pilot cohort under {}", model.name()));
        let pilot = people(sizes.pilot, sizes.days, 7);
        let mut histories: Vec<((u64, String), History)> = Vec::new();
        for (n, p) in pilot.iter().enumerate() {
            let run = b.run(model, Policy::Before, p, 10_000 + n as u64, &defaults);
            histories.extend(
                run.histories
                    .into_iter()
                    .map(|(item, h)| ((n as u64, item), h)),
            );
        }
        let fitted = fit::fit(&histories, MIN_REVIEWS);
        // Log losses to three places, as the table shows them.
        let r3 = |x: f32| (f64::from(x) * 1000.0).round() / 1000.0;
        let (now_sched, fit_note) = match &fitted {
            Ok(f) => (
                if f.better() {
                    Scheduler::with_weights(Config::default(), &f.weights)
                        .unwrap_or_else(|_| defaults.clone())
                } else {
                    defaults.clone()
                },
                json!({"reviews": f.reviews, "log_loss": r3(f.log_loss),
                       "default_log_loss": r3(f.default_log_loss), "kept": f.better()}),
            ),
            Err(e) => (defaults.clone(), json!({"refused": e.to_string()})),
        };
        let cohort = people(sizes.learners, sizes.days, 42);
        let mut rows = Vec::new();
        for policy in Policy::ALL {
            progress(&format!(
                "learning: {} under {}",
                policy.name(),
                model.name()
            ));
            let sched = if policy == Policy::Now {
                &now_sched
            } else {
                &defaults
            };
            let runs: Vec<Run> = cohort
                .iter()
                .enumerate()
                .map(|(n, p)| b.run(model, policy, p, n as u64, sched))
                .collect();
            let at_epa: Vec<f64> = runs.iter().map(|r| r.at_epa).collect();
            let after: Vec<f64> = runs.iter().map(|r| r.after).collect();
            let asked =
                runs.iter().map(|r| r.asked).sum::<usize>() as f64 / runs.len().max(1) as f64;
            let mut chosen: std::collections::BTreeMap<String, usize> =
                std::collections::BTreeMap::new();
            for r in runs.iter().flat_map(|r| &r.retentions) {
                *chosen.entry(format!("{r:.2}")).or_default() += 1;
            }
            rows.push(json!({"policy": policy.name(), "at_epa": mean_ci(&at_epa), "after": mean_ci(&after),
                             "asked": asked.round(), "retentions_chosen": chosen, "per_learner_at_epa": at_epa}));
        }
        models.push(json!({"model": model.name(), "fit": fit_note, "policies": rows}));
    }
    Ok(
        json!({"learners": sizes.learners, "pilot": sizes.pilot, "days": sizes.days, "after": sizes.after,
              "per_day": PER_DAY, "new_per_day": NEW_PER_DAY, "items": b.items.len(), "models": models}),
    )
}

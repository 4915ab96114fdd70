//! Spaced repetition: FSRS scheduling per learner and knowledge item, planned towards each
//! learner's end-point assessment (EPA) date.
//!
//! Scheduling uses the `fsrs` crate (FSRS-6, the scheduler inside Anki; since 6.3 it no longer
//! pulls in an ML framework), which also fits the weights to this install's own answers
//! ([`fit`]). A multiple-choice answer is right or wrong, so it maps to two grades as the FSRS
//! maintainers advise for pass/fail grading: wrong -> Again (1), right -> Good (3).
//!
//! - [`Scheduler`]: one set of FSRS weights; a review's next state and due date, recall
//!   probability, and whether an item is secure for the end-point date.
//! - [`daily`]: the day's quiz and extra practice, with fair intake of new items across a
//!   learner's standards.
//! - [`forecast`]: expected recall on the end-point date, item by item ([`forecast::predicted`])
//!   and for a whole plan ([`forecast::project`]), and the choice of desired retention and new
//!   items a day that maximises it ([`forecast::choose`]).
//! - [`fit`]: FSRS weights from the store's review logs, checked on held-back reviews.
//!
//! Intervals become learner-local due dates. Due dates avoid the learner's rest days and are
//! load-balanced within a small window, so work is spread rather than piled on one day. An
//! interval that would carry an item past the end-point date with its recall below
//! [`SECURE_RECALL`] there is cut so the last review falls in the days just before the date.

pub mod daily;
pub mod fit;
pub mod forecast;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use fsrs::{FSRS, MemoryState};

use crate::domain::SrsState;
use crate::domain::fnv1a;

pub use daily::{Endgame, PlanInput};

/// FSRS grades used for a multiple-choice answer.
pub const GRADE_WRONG: u32 = 1; // Again
pub const GRADE_RIGHT: u32 = 3; // Good

/// Predicted recall on the end-point date at which an item counts as secure.
pub const SECURE_RECALL: f32 = 0.9;

/// The end-point date when neither the learner nor a cohort has set one: this many days ahead.
pub const DEFAULT_HORIZON_DAYS: u64 = 90;

/// Scheduling settings.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Probability of recall FSRS aims for when it sets the next review, until a plan for the
    /// learner's end-point date chooses another (default 0.9).
    pub desired_retention: f32,
    /// Lapses after which an item is a leech, held back for the tutor (Anki's default is 8).
    pub leech_threshold: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            desired_retention: 0.9,
            leech_threshold: 8,
        }
    }
}

/// What one learner's reviews aim at: the desired retention of their plan, and the end-point
/// date (none: plan as if there were no date).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aim {
    pub retention: f32,
    pub epa: Option<NaiveDate>,
}

/// Weights the crate refused (wrong count, out of range).
#[derive(Debug, thiserror::Error)]
#[error("FSRS weights refused: {0}")]
pub struct BadWeights(String);

/// The FSRS scheduler with one set of weights.
#[derive(Clone)]
pub struct Scheduler {
    fsrs: FSRS,
    pub config: Config,
    decay: f32,
    weights: Vec<f32>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("config", &self.config)
            .field("weights", &self.weights)
            .finish()
    }
}

/// Whether `day` is one of the learner's rest days (0 = Monday).
pub fn is_rest(day: NaiveDate, rest: &[u8]) -> bool {
    rest.len() < 7 && rest.contains(&(day.weekday().num_days_from_monday() as u8))
}

impl Scheduler {
    /// A scheduler with FSRS-6's default weights.
    pub fn new(config: Config) -> Self {
        Scheduler {
            fsrs: FSRS::default(),
            config,
            decay: fsrs::DEFAULT_PARAMETERS[20],
            weights: fsrs::DEFAULT_PARAMETERS.to_vec(),
        }
    }

    /// A scheduler with fitted weights (21 for FSRS-6; the crate fills older, shorter sets).
    pub fn with_weights(config: Config, weights: &[f32]) -> Result<Self, BadWeights> {
        let filled =
            fsrs::check_and_fill_parameters(weights).map_err(|e| BadWeights(e.to_string()))?;
        let fsrs = FSRS::new(&filled).map_err(|e| BadWeights(e.to_string()))?;
        Ok(Scheduler {
            fsrs,
            config,
            decay: filled
                .get(20)
                .copied()
                .unwrap_or(fsrs::DEFAULT_PARAMETERS[20]),
            weights: filled,
        })
    }

    /// The weights in use.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// The aim with no plan yet: the configured retention and no end-point date.
    pub fn default_aim(&self) -> Aim {
        Aim {
            retention: self.config.desired_retention,
            epa: None,
        }
    }

    /// Whether an item counts as secure for the end-point date `epa`: answered more than once,
    /// last answered right, and its predicted recall on `epa`, given the reviews its schedule
    /// already plans before then, at least [`SECURE_RECALL`] (see [`forecast::predicted`]).
    pub fn secure(&self, s: &SrsState, now: DateTime<Utc>, epa: NaiveDate, aim: &Aim) -> bool {
        s.reps >= 2
            && s.last_correct
            && !s.leech
            && forecast::predicted(self, s, now, epa, aim) >= SECURE_RECALL
    }

    /// Probability the learner recalls the item at `now`.
    pub fn retrievability(&self, s: &SrsState, now: DateTime<Utc>) -> f32 {
        self.recall_after(s.stability, s.difficulty, days_since(s, now))
    }

    /// Probability of recall `days` after a review that left the memory at `stability`.
    pub fn recall_after(&self, stability: f32, difficulty: f32, days: f32) -> f32 {
        fsrs::current_retrievability(
            MemoryState {
                stability,
                difficulty,
            },
            days.max(0.0),
            self.decay,
        )
    }

    /// The memory after answering (right or wrong) `elapsed` days after the last review (or
    /// for the first time), and the interval in days that reaches `retention`.
    pub fn step(
        &self,
        memory: Option<MemoryState>,
        elapsed: u32,
        correct: bool,
        retention: f32,
    ) -> (MemoryState, f32) {
        match self.fsrs.next_states(memory, retention, elapsed) {
            Ok(next) => {
                let st = if correct { next.good } else { next.again };
                (st.memory, st.interval)
            }
            // Out-of-range state (cannot happen with stored FSRS values): start afresh.
            Err(_) => (
                MemoryState {
                    stability: 1.0,
                    difficulty: 5.0,
                },
                1.0,
            ),
        }
    }

    /// The state after answering, right or wrong. `today` is the learner's local date;
    /// `load(day)` says how many of the learner's items are already due that day.
    #[allow(clippy::too_many_arguments)]
    pub fn review(
        &self,
        old: Option<&SrsState>,
        correct: bool,
        now: DateTime<Utc>,
        today: NaiveDate,
        rest: &[u8],
        load: &dyn Fn(NaiveDate) -> usize,
        aim: &Aim,
    ) -> SrsState {
        let memory = old.map(memory_of);
        let elapsed = old.map_or(0, |s| (now - s.last_review).num_days().max(0) as u32);
        let (memory, interval) = self.step(memory, elapsed, correct, aim.retention);
        let lapses = old.map_or(0, |s| s.lapses) + u32::from(old.is_some() && !correct);
        let mut days = (interval.round() as i64).clamp(1, 36_500) as u64;
        if let Some(epa) = aim.epa {
            days = self.before_epa(memory, today, epa, days);
        }
        SrsState {
            stability: memory.stability,
            difficulty: memory.difficulty,
            due: spread_due(today, days, rest, load),
            last_review: now,
            reps: old.map_or(0, |s| s.reps) + 1,
            lapses,
            last_correct: correct,
            leech: lapses >= self.config.leech_threshold,
            last_question: old.and_then(|s| s.last_question.clone()),
            last_delivery: None,
            last_option: None,
        }
    }

    /// The interval, cut so the last review before the end-point date falls in the days just
    /// before it when waiting the whole interval would leave recall on the date below
    /// [`SECURE_RECALL`].
    pub fn before_epa(
        &self,
        memory: MemoryState,
        today: NaiveDate,
        epa: NaiveDate,
        days: u64,
    ) -> u64 {
        let until = epa.signed_duration_since(today).num_days();
        if until <= 2 || days < until as u64 {
            return days;
        }
        let at_epa = self.recall_after(memory.stability, memory.difficulty, until as f32);
        if at_epa >= SECURE_RECALL {
            return days;
        }
        // A week before the date, or a tenth of the way there when that is sooner.
        let lead = (until / 10).clamp(1, 7);
        (until - lead).max(1) as u64
    }
}

/// An item's FSRS memory state.
pub(crate) fn memory_of(s: &SrsState) -> MemoryState {
    MemoryState {
        stability: s.stability,
        difficulty: s.difficulty,
    }
}

/// Days (fractional) from an item's last review to `now`; never negative.
pub(crate) fn days_since(s: &SrsState, now: DateTime<Utc>) -> f32 {
    (now - s.last_review).num_seconds().max(0) as f32 / 86_400.0
}

/// Chooses a due date about `days` after `today`: within a window of about 5% (at least a day
/// for intervals of three days or more), never on a rest day, on the least loaded day (ties go
/// to the day nearest the target, earlier first).
pub fn spread_due(
    today: NaiveDate,
    days: u64,
    rest: &[u8],
    load: &dyn Fn(NaiveDate) -> usize,
) -> NaiveDate {
    let target = today + Days::new(days);
    let fuzz = if days < 3 { 0 } else { (days / 20).max(1) };
    let mut best: Option<(usize, u64, NaiveDate)> = None;
    let mut reach = fuzz;
    while best.is_none() {
        for off in 0..=(2 * reach) {
            let Some(day) = (target - Days::new(reach)).checked_add_days(Days::new(off)) else {
                continue;
            };
            if day <= today || is_rest(day, rest) {
                continue;
            }
            // With one candidate (short intervals, no rest day in the way) load decides nothing.
            let key = (
                if reach == 0 { 0 } else { load(day) },
                day.signed_duration_since(target).num_days().unsigned_abs(),
                day,
            );
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        reach += 1;
    }
    best.map_or(target, |b| b.2)
}

/// Moves items due on a rest day to nearby working days with the least load, so changing rest
/// days spreads the work instead of piling it on the next working day. Returns changed items.
pub fn respread(states: &mut [(String, SrsState)], today: NaiveDate, rest: &[u8]) -> Vec<String> {
    let mut load: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (_, s) in states.iter() {
        *load.entry(s.due).or_default() += 1;
    }
    let mut changed = Vec::new();
    for (item, s) in states.iter_mut() {
        if s.due > today && is_rest(s.due, rest) {
            let from = s.due;
            let mut best: Option<(usize, i64, NaiveDate)> = None;
            for off in -3i64..=3 {
                let day = from + chrono::Duration::days(off);
                if day <= today || is_rest(day, rest) {
                    continue;
                }
                let key = (load.get(&day).copied().unwrap_or(0), off.abs(), day);
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
            if let Some((_, _, day)) = best {
                *load.entry(from).or_default() -= 1;
                *load.entry(day).or_default() += 1;
                s.due = day;
                changed.push(item.clone());
            }
        }
    }
    changed
}

/// The question to ask for an item: rotate through its variants, never the one asked last.
pub fn choose_question<'a>(
    questions: &'a [String],
    last: Option<&str>,
    reps: u32,
    item: &str,
) -> Option<&'a String> {
    let pool: Vec<&String> = questions
        .iter()
        .filter(|q| questions.len() == 1 || Some(q.as_str()) != last)
        .collect();
    if pool.is_empty() {
        return None;
    }
    let at = (fnv1a(item) as usize).wrapping_add(reps as usize) % pool.len();
    Some(pool[at])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn due_dates_avoid_rest_days_and_spread() {
        // 2026-11-28 is a Saturday (5), 29 a Sunday (6).
        let none = |_: NaiveDate| 0;
        let due = spread_due(d("2026-11-27"), 1, &[5, 6], &none);
        assert_eq!(due, d("2026-11-30"));
        let busy = |day: NaiveDate| if day == d("2026-12-10") { 50 } else { 0 };
        let due = spread_due(d("2026-11-20"), 20, &[], &busy);
        assert_ne!(due, d("2026-12-10"));
        assert!((due - d("2026-12-10")).num_days().abs() <= 1);
    }

    #[test]
    fn wrong_is_again_right_is_good() {
        let s = Scheduler::new(Config::default());
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let today = d("2026-11-23");
        let none = |_: NaiveDate| 0;
        let aim = s.default_aim();
        let right = s.review(None, true, now, today, &[], &none, &aim);
        let wrong = s.review(None, false, now, today, &[], &none, &aim);
        assert!(right.stability > wrong.stability);
        assert!(right.due >= wrong.due);
        assert_eq!((right.reps, right.lapses), (1, 0));
        let lapse = s.review(
            Some(&right),
            false,
            now + chrono::Duration::days(3),
            today,
            &[],
            &none,
            &aim,
        );
        assert_eq!(lapse.lapses, 1);
        assert!(lapse.stability < right.stability);
    }

    #[test]
    fn variants_rotate_and_never_repeat() {
        let qs: Vec<String> = (1..=4).map(|i| format!("q{i}")).collect();
        let mut last: Option<String> = None;
        for reps in 0..20 {
            let q = choose_question(&qs, last.as_deref(), reps, "X/K1")
                .unwrap()
                .clone();
            assert_ne!(Some(&q), last.as_ref());
            last = Some(q);
        }
    }
}

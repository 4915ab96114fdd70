//! Spaced repetition: FSRS scheduling per learner and knowledge item, and the daily plan.
//!
//! Scheduling uses the `fsrs` crate (FSRS-6, the scheduler inside Anki; since 6.3 it no longer
//! pulls in an ML framework) rather than `rs-fsrs`, so ksbquiz follows the reference
//! implementation and could later fit per-cohort parameters with the same crate. A
//! multiple-choice answer is right or wrong, so it maps to two grades as the FSRS maintainers
//! advise for pass/fail grading: wrong -> Again (1), right -> Good (3).
//!
//! Intervals become learner-local due dates. Due dates avoid the learner's rest days and are
//! load-balanced within a small window, so work is spread rather than piled on one day.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use fsrs::{FSRS, MemoryState};

use crate::bank::Bank;
use crate::domain::fnv1a;
use crate::domain::{Learner, Pick, SrsState};

/// FSRS grades used for a multiple-choice answer.
pub const GRADE_WRONG: u32 = 1; // Again
pub const GRADE_RIGHT: u32 = 3; // Good

/// Scheduling settings.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Probability of recall FSRS aims for when it sets the next review (default 0.9).
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

/// The FSRS scheduler.
pub struct Scheduler {
    fsrs: FSRS,
    pub config: Config,
    decay: f32,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("config", &self.config)
            .finish()
    }
}

/// Whether `day` is one of the learner's rest days (0 = Monday).
pub fn is_rest(day: NaiveDate, rest: &[u8]) -> bool {
    rest.len() < 7 && rest.contains(&(day.weekday().num_days_from_monday() as u8))
}

impl Scheduler {
    pub fn new(config: Config) -> Self {
        Scheduler {
            fsrs: FSRS::default(),
            config,
            decay: fsrs::DEFAULT_PARAMETERS[20],
        }
    }

    /// Whether an item counts as secure: last answered right and recall probability now at or
    /// above the desired retention.
    pub fn mastered(&self, s: &SrsState, now: DateTime<Utc>) -> bool {
        s.last_correct && self.retrievability(s, now) >= self.config.desired_retention
    }

    /// Probability the learner recalls the item at `now`.
    pub fn retrievability(&self, s: &SrsState, now: DateTime<Utc>) -> f32 {
        let days = (now - s.last_review).num_seconds().max(0) as f32 / 86_400.0;
        fsrs::current_retrievability(
            MemoryState {
                stability: s.stability,
                difficulty: s.difficulty,
            },
            days,
            self.decay,
        )
    }

    /// The state after answering, right or wrong. `today` is the learner's local date;
    /// `load(day)` says how many of the learner's items are already due that day.
    pub fn review(
        &self,
        old: Option<&SrsState>,
        correct: bool,
        now: DateTime<Utc>,
        today: NaiveDate,
        rest: &[u8],
        load: &dyn Fn(NaiveDate) -> usize,
    ) -> SrsState {
        let memory = old.map(|s| MemoryState {
            stability: s.stability,
            difficulty: s.difficulty,
        });
        let elapsed = old.map_or(0, |s| (now - s.last_review).num_days().max(0) as u32);
        let (memory, interval) =
            match self
                .fsrs
                .next_states(memory, self.config.desired_retention, elapsed)
            {
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
            };
        let lapses = old.map_or(0, |s| s.lapses) + u32::from(old.is_some() && !correct);
        let days = (interval.round() as i64).clamp(1, 36_500) as u64;
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

/// What a daily plan needs to know about a learner.
pub struct PlanInput<'a> {
    pub learner: &'a Learner,
    pub states: &'a HashMap<String, SrsState>,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

/// Round-robin over groups, keeping each group's order.
fn interleave<T>(groups: Vec<Vec<T>>) -> Vec<T> {
    let mut iters: Vec<_> = groups.into_iter().map(|g| g.into_iter()).collect();
    let mut out = Vec::new();
    loop {
        let mut any = false;
        for it in iters.iter_mut() {
            if let Some(x) = it.next() {
                out.push(x);
                any = true;
            }
        }
        if !any {
            return out;
        }
    }
}

impl Scheduler {
    /// The day's quiz: due items first (lowest recall probability first), then new items up
    /// to the learner's cap, each part interleaving the learner's standards; leeches held back.
    ///
    /// The caps are for the learner's day, whatever else they did today: items reviewed today
    /// (in an earlier daily quiz cut short by practice, or a tutor's live quiz) count towards
    /// `per_day`, and items first seen today towards `new_per_day`, so replacing today's quiz
    /// never buys more.
    pub fn plan_day(&self, input: &PlanInput, bank: &Bank) -> Vec<Pick> {
        let s = &input.learner.settings;
        let tz = s.tz();
        let (mut done_today, mut new_today) = (0usize, 0usize);
        for st in input.states.values() {
            if st.last_review.with_timezone(&tz).date_naive() == input.today {
                done_today += 1;
                new_today += usize::from(st.reps == 1);
            }
        }
        let per_day = (s.per_day.max(1) as usize).saturating_sub(done_today);
        let new_per_day = (s.new_per_day as usize).saturating_sub(new_today);
        let mut due: Vec<(f32, usize, &str)> = Vec::new();
        let mut fresh: Vec<Vec<&str>> = Vec::new();
        // At most this many new items are taken, and the first n of a round-robin come from
        // the first n of each group, so each standard's new items past n are never needed.
        let new_cap = per_day.min(new_per_day);
        for (si, code) in input.learner.standards.iter().enumerate() {
            let mut new_here = Vec::with_capacity(new_cap.min(16));
            for item in bank.items_of(code) {
                match input.states.get(item.as_str()) {
                    Some(st) if !st.leech && st.due <= input.today => {
                        due.push((self.retrievability(st, input.now), si, item));
                    }
                    Some(_) => {}
                    // An item with no questions yet (its material still a draft) is not new.
                    None if new_here.len() < new_cap && !bank.questions_of(item).is_empty() => {
                        new_here.push(item.as_str())
                    }
                    None => {}
                }
            }
            fresh.push(new_here);
        }
        due.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(b.2)));
        due.truncate(per_day);
        let mut by_std: Vec<Vec<&str>> = vec![Vec::new(); input.learner.standards.len()];
        for (_, si, item) in &due {
            by_std[*si].push(item);
        }
        let mut items = interleave(by_std);
        let room = per_day.saturating_sub(items.len()).min(new_per_day);
        items.extend(interleave(fresh).into_iter().take(room));
        self.picks(items, input, bank)
    }

    /// Extra practice: the learner's studied items with the lowest recall probability (new
    /// items when nothing is studied yet), `n` at most, not counting towards the schedule.
    pub fn plan_practice(&self, input: &PlanInput, bank: &Bank, n: usize) -> Vec<Pick> {
        let mut known: Vec<(f32, &str)> = Vec::new();
        let mut fresh: Vec<Vec<&str>> = Vec::new();
        for code in &input.learner.standards {
            let mut new_here = Vec::new();
            for item in bank.items_of(code) {
                match input.states.get(item.as_str()) {
                    Some(st) => known.push((self.retrievability(st, input.now), item)),
                    None if !bank.questions_of(item).is_empty() => new_here.push(item.as_str()),
                    None => {}
                }
            }
            fresh.push(new_here);
        }
        known.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        let mut items: Vec<&str> = known.into_iter().map(|(_, i)| i).take(n).collect();
        let room = n.saturating_sub(items.len());
        items.extend(interleave(fresh).into_iter().take(room));
        self.picks(items, input, bank)
    }

    fn picks(&self, items: Vec<&str>, input: &PlanInput, bank: &Bank) -> Vec<Pick> {
        items
            .into_iter()
            .filter_map(|item| {
                let st = input.states.get(item);
                let q = choose_question(
                    bank.questions_of(item),
                    st.and_then(|s| s.last_question.as_deref()),
                    st.map_or(0, |s| s.reps),
                    item,
                )?;
                Some(Pick {
                    item: item.to_string(),
                    question: q.clone(),
                })
            })
            .collect()
    }
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
        let right = s.review(None, true, now, today, &[], &none);
        let wrong = s.review(None, false, now, today, &[], &none);
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

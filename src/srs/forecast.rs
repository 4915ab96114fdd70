//! Expected recall on the end-point date: item by item, for a whole plan, and the plan (desired
//! retention and new items a day) that makes it largest.
//!
//! Everything here uses the scheduler's own FSRS weights as the model of the learner; the
//! learning benchmark (`ksbquiz bench --learning`) checks the choices against memory models
//! that are not FSRS.
//!
//! - [`predicted`]: one item's recall on the date, averaged over the outcomes of the reviews
//!   its schedule plans before then (right with the model's recall probability, else wrong).
//! - [`project`]: the learner's days up to the date simulated (seeded, a few runs): due items
//!   first by lowest recall, then new ones by fair intake, on the days they take their quiz;
//!   the expected share of each standard recalled on the date.
//! - [`choose`]: the candidates (retention from Anki's minimum recommended retention for the
//!   learner's deck and budget, at least 0.70, to 0.95; new items a day up to the learner's
//!   own cap) projected with the same random draws, and the best kept.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use fsrs::MemoryState;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::daily::{Unstarted, fair_intake};
use super::{Aim, SECURE_RECALL, Scheduler, is_rest};
use crate::domain::SrsState;

/// Planned reviews followed at most this deep when predicting one item (each review branches
/// on right and wrong, so the cost doubles with each level).
const DEPTH: u32 = 4;

/// An item's expected recall on `epa`, given the reviews its schedule plans before then: its
/// next review on its due date, each later one where the interval from that review's outcome
/// lands. Items past the date (or due after it) decay from their last review.
pub fn predicted(
    sched: &Scheduler,
    s: &SrsState,
    now: DateTime<Utc>,
    epa: NaiveDate,
    aim: &Aim,
) -> f32 {
    let last = s.last_review.date_naive();
    let epa_day = epa.signed_duration_since(last).num_days();
    let today = now.date_naive().signed_duration_since(last).num_days();
    let due = s.due.signed_duration_since(last).num_days().max(today);
    let memory = super::memory_of(s);
    if s.leech {
        return sched.recall_after(memory.stability, memory.difficulty, epa_day.max(0) as f32);
    }
    expected(sched, memory, 0, due, epa_day, aim.retention, DEPTH)
}

fn expected(
    sched: &Scheduler,
    m: MemoryState,
    last: i64,
    due: i64,
    epa: i64,
    retention: f32,
    depth: u32,
) -> f32 {
    if due > epa || depth == 0 {
        return sched.recall_after(m.stability, m.difficulty, (epa - last).max(0) as f32);
    }
    let elapsed = (due - last).max(0);
    let r = sched.recall_after(m.stability, m.difficulty, elapsed as f32);
    let branch = |correct: bool| {
        let (next, interval) = sched.step(Some(m), elapsed as u32, correct, retention);
        let days = (interval.round() as i64).clamp(1, 36_500);
        let days = cut_for_epa(sched, next, due, epa, days);
        expected(sched, next, due, due + days, epa, retention, depth - 1)
    };
    r * branch(true) + (1.0 - r) * branch(false)
}

/// [`Scheduler::before_epa`] in day numbers.
fn cut_for_epa(sched: &Scheduler, m: MemoryState, day: i64, epa: i64, days: i64) -> i64 {
    let (Some(today), Some(date)) = (
        NaiveDate::from_num_days_from_ce_opt(day as i32 + 1),
        NaiveDate::from_num_days_from_ce_opt(epa as i32 + 1),
    ) else {
        return days;
    };
    sched.before_epa(m, today, date, days as u64) as i64
}

/// What [`project`] needs to know about a learner.
#[derive(Debug, Clone)]
pub struct Learning<'a> {
    /// Per standard, the items that have questions, in the standard's order.
    pub standards: Vec<(&'a str, Vec<&'a str>)>,
    pub states: &'a HashMap<String, SrsState>,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub epa: NaiveDate,
    /// Questions a day and new items a day at most (the learner's settings).
    pub per_day: u32,
    pub new_per_day: u32,
    pub rest_days: &'a [u8],
    /// Share of working days the learner takes their quiz (their own pace; 1.0 when unknown).
    pub pace: f32,
    /// Share of first answers that are right (the model's first rating; 0.5 when unknown).
    pub first_right: f32,
    /// Chance of a right answer by guessing (1 / options: 0.25 for four).
    pub guess: f32,
}

/// Chance of a right answer by guessing one of a question's four options.
pub const GUESS: f32 = 0.25;

/// The share of a multiple-choice recall probability that is knowledge, not a lucky guess:
/// the weights are fitted to right and wrong answers, and a learner who has forgotten still
/// answers right one time in four, so `r` overstates what they know.
pub fn known(r: f32, guess: f32) -> f32 {
    if guess <= 0.0 || guess >= 1.0 {
        return r;
    }
    ((r - guess) / (1.0 - guess)).clamp(0.0, 1.0)
}

/// Days before the end-point date in which the day's questions go where they add most to the
/// knowledge expected on the date ([`review_gain`], [`new_gain`]) rather than by due date:
/// reviews then are worth what they leave on the date, not what they do for later intervals.
pub const ENDGAME_DAYS: i64 = 4;

/// Knowledge expected on the date, `left` days ahead, gained by asking a studied item now
/// (memory `m`, `elapsed` days since its last review) rather than leaving it: right with its
/// recall probability now, else wrong, with no other review before the date.
pub fn review_gain(sched: &Scheduler, m: MemoryState, elapsed: f32, left: i64, guess: f32) -> f32 {
    let left = left.max(0) as f32;
    let r = sched.recall_after(m.stability, m.difficulty, elapsed);
    let on_date = |correct: bool| {
        let (next, _) = sched.step(
            Some(m),
            elapsed as u32,
            correct,
            sched.config.desired_retention,
        );
        known(
            sched.recall_after(next.stability, next.difficulty, left),
            guess,
        )
    };
    let leave = known(
        sched.recall_after(m.stability, m.difficulty, elapsed + left),
        guess,
    );
    r * on_date(true) + (1.0 - r) * on_date(false) - leave
}

/// Knowledge expected on the date, `left` days ahead, from starting a new item now, whose first
/// answer is right with probability `first_right`.
pub fn new_gain(sched: &Scheduler, first_right: f32, left: i64, guess: f32) -> f32 {
    let left = left.max(0) as f32;
    let on_date = |correct: bool| {
        let (m, _) = sched.step(None, 0, correct, sched.config.desired_retention);
        known(sched.recall_after(m.stability, m.difficulty, left), guess)
    };
    first_right * on_date(true) + (1.0 - first_right) * on_date(false)
}

/// The last days' choice: of the studied candidates (gain, item) and up to `new_cap` new items
/// (each worth `fresh`), the `per_day` with most gain (ties to the lower item, new first).
/// Returns the studied items picked and how many new items to start.
pub fn endgame_picks<T: Ord>(
    studied: Vec<(f32, T)>,
    fresh: f32,
    new_cap: usize,
    per_day: usize,
) -> (Vec<T>, usize) {
    let mut ranked: Vec<(f32, Option<T>)> =
        studied.into_iter().map(|(g, i)| (g, Some(i))).collect();
    ranked.extend(std::iter::repeat_with(|| (fresh, None)).take(new_cap.min(per_day)));
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.truncate(per_day);
    let new = ranked.iter().filter(|(_, i)| i.is_none()).count();
    (ranked.into_iter().filter_map(|(_, i)| i).collect(), new)
}

/// Expected recall on the end-point date, per standard, as [`project`] simulates it: the part
/// of each item's recall probability that is knowledge rather than a guess (see [`known`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// Per standard (in the learner's order): expected items recalled on the date, and items.
    pub standards: Vec<(String, f32, usize)>,
}

impl Projection {
    /// Expected share of the whole enrolled bank recalled on the date.
    pub fn share(&self) -> f32 {
        let (r, n) = self
            .standards
            .iter()
            .fold((0.0, 0usize), |(r, n), s| (r + s.1, n + s.2));
        if n == 0 { 0.0 } else { r / n as f32 }
    }
}

/// Runs of the simulation averaged per projection.
pub const RUNS: u64 = 3;

struct Card {
    std: usize,
    m: MemoryState,
    last: i64,
    due: i64,
    leech: bool,
}

impl Card {
    /// Recall probability on `day`.
    fn recall(&self, sched: &Scheduler, day: i64) -> f32 {
        sched.recall_after(
            self.m.stability,
            self.m.difficulty,
            (day - self.last).max(0) as f32,
        )
    }

    /// A review on `day`, answered right or not, and the next due day.
    fn review(&mut self, sched: &Scheduler, day: i64, right: bool, horizon: i64, aim: &Aim) {
        let (m, interval) = sched.step(
            Some(self.m),
            (day - self.last).max(0) as u32,
            right,
            aim.retention,
        );
        self.m = m;
        self.last = day;
        self.due = day + next_days(sched, m, day, horizon, interval, aim);
    }
}

/// The cards `pick` keeps (leeches never), weakest on `day` first: (recall, index).
fn weakest(
    cards: &[Card],
    sched: &Scheduler,
    day: i64,
    pick: impl Fn(&Card) -> bool,
) -> Vec<(f32, usize)> {
    let mut v: Vec<(f32, usize)> = cards
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.leech && pick(c))
        .map(|(i, c)| (c.recall(sched, day), i))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// Simulates the learner's days from today to the end-point date under `aim` and a cap of
/// `new_per_day` new items a day (at most their own), [`RUNS`] times with seeds from `seed`.
pub fn project(
    sched: &Scheduler,
    l: &Learning,
    aim: &Aim,
    new_per_day: u32,
    seed: u64,
) -> Projection {
    let horizon = l.epa.signed_duration_since(l.today).num_days().max(0);
    let mut sums = vec![0.0f32; l.standards.len()];
    let cap = new_per_day.min(l.new_per_day) as usize;
    for run in 0..RUNS {
        let mut sim = Sim::new(sched, l, aim, horizon, seed.wrapping_add(run));
        for day in 0..horizon {
            let date = l.today + chrono::Days::new(day as u64);
            if is_rest(date, l.rest_days) || sim.rng.random::<f32>() >= l.pace {
                continue;
            }
            if horizon - day <= ENDGAME_DAYS {
                sim.endgame_day(day, cap);
            } else {
                sim.day(day, cap);
            }
        }
        for c in &sim.cards {
            sums[c.std] += known(c.recall(sched, horizon), l.guess);
        }
    }
    Projection {
        standards: l
            .standards
            .iter()
            .zip(sums)
            .map(|((code, items), sum)| (code.to_string(), sum / RUNS as f32, items.len()))
            .collect(),
    }
}

/// One simulated run of [`project`]: the learner's cards, the items not yet started per
/// standard (popped from the end, in the standard's order), and the run's random draws. Days
/// count from today; `horizon` is the end-point date.
struct Sim<'a, 'l> {
    sched: &'a Scheduler,
    l: &'a Learning<'l>,
    aim: &'a Aim,
    horizon: i64,
    cards: Vec<Card>,
    queues: Vec<Vec<&'l str>>,
    totals: Vec<usize>,
    rng: ChaCha8Rng,
}

impl<'a, 'l> Sim<'a, 'l> {
    fn new(
        sched: &'a Scheduler,
        l: &'a Learning<'l>,
        aim: &'a Aim,
        horizon: i64,
        seed: u64,
    ) -> Self {
        let mut cards: Vec<Card> = Vec::new();
        let mut queues = Vec::with_capacity(l.standards.len());
        let mut totals = Vec::with_capacity(l.standards.len());
        for (si, (_, items)) in l.standards.iter().enumerate() {
            let mut q = Vec::new();
            for item in items {
                match l.states.get(*item) {
                    Some(s) => cards.push(Card {
                        std: si,
                        m: super::memory_of(s),
                        last: s
                            .last_review
                            .date_naive()
                            .signed_duration_since(l.today)
                            .num_days(),
                        due: s.due.signed_duration_since(l.today).num_days(),
                        leech: s.leech,
                    }),
                    None => q.push(*item),
                }
            }
            q.reverse();
            totals.push(items.len());
            queues.push(q);
        }
        Sim {
            sched,
            l,
            aim,
            horizon,
            cards,
            queues,
            totals,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    fn per_day(&self) -> usize {
        self.l.per_day.max(1) as usize
    }

    /// Card `i` asked on `day`: right with its recall probability then.
    fn ask(&mut self, i: usize, day: i64) {
        let r = self.cards[i].recall(self.sched, day);
        let right = self.rng.random::<f32>() < r;
        self.cards[i].review(self.sched, day, right, self.horizon, self.aim);
    }

    /// A day as the daily plan makes it: due items weakest first, then new items by fair
    /// intake up to `cap`, then (as under a plan) what is left to the weakest studied items
    /// below [`SECURE_RECALL`].
    fn day(&mut self, day: i64, cap: usize) {
        let per_day = self.per_day();
        let mut due = weakest(&self.cards, self.sched, day, |c| c.due <= day);
        due.truncate(per_day);
        for &(_, i) in &due {
            self.ask(i, day);
        }
        let room = per_day.saturating_sub(due.len()).min(cap);
        let taken = self.start_new(room, day);
        let spare = per_day.saturating_sub(due.len() + taken);
        if spare > 0 {
            let early = weakest(&self.cards, self.sched, day, |c| {
                c.due > day && c.last < day
            });
            for &(_, i) in early.iter().filter(|(r, _)| *r < SECURE_RECALL).take(spare) {
                self.ask(i, day);
            }
        }
    }

    /// A day in the last [`ENDGAME_DAYS`]: the day's questions to the studied items and new
    /// items that add most to recall on the date ([`endgame_picks`]).
    fn endgame_day(&mut self, day: i64, cap: usize) {
        let (l, left) = (self.l, self.horizon - day);
        let studied: Vec<(f32, usize)> = self
            .cards
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.leech && c.last < day)
            .map(|(i, c)| {
                (
                    review_gain(self.sched, c.m, (day - c.last) as f32, left, l.guess),
                    i,
                )
            })
            .collect();
        let fresh = new_gain(self.sched, l.first_right, left, l.guess);
        let (picked, new) = endgame_picks(studied, fresh, cap, self.per_day());
        for i in picked {
            self.ask(i, day);
        }
        self.start_new(new, day);
    }

    /// Starts up to `n` new items on `day` by fair intake (first answers right with the
    /// learner's first-answer rate) and returns how many it started.
    fn start_new(&mut self, n: usize, day: i64) -> usize {
        let groups: Vec<Unstarted> = self
            .queues
            .iter()
            .zip(&self.totals)
            .map(|(q, &total)| Unstarted {
                first: q.iter().rev().take(n).copied().collect(),
                left: q.len(),
                total,
            })
            .collect();
        let date = self.l.today + chrono::Days::new(day.max(0) as u64);
        let taken = fair_intake(&groups, n, date);
        for item in &taken {
            let Some(si) = self.queues.iter().position(|q| q.last() == Some(item)) else {
                continue;
            };
            self.queues[si].pop();
            let right = self.rng.random::<f32>() < self.l.first_right;
            let (m, interval) = self.sched.step(None, 0, right, self.aim.retention);
            self.cards.push(Card {
                std: si,
                m,
                last: day,
                due: day + next_days(self.sched, m, day, self.horizon, interval, self.aim),
                leech: false,
            });
        }
        taken.len()
    }
}

fn next_days(
    sched: &Scheduler,
    m: MemoryState,
    day: i64,
    horizon: i64,
    interval: f32,
    aim: &Aim,
) -> i64 {
    let days = (interval.round() as i64).clamp(1, 36_500);
    if aim.epa.is_some() {
        cut_for_epa(sched, m, day, horizon, days)
    } else {
        days
    }
}

/// Desired retentions [`choose`] tries.
pub const RETENTIONS: [f32; 6] = [0.70, 0.75, 0.80, 0.85, 0.90, 0.95];

/// The plan [`choose`] keeps, with what it expects and what it was compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub retention: f32,
    pub new_per_day: u32,
    /// Expected share of the enrolled bank recalled on the date under this plan.
    pub expected: f32,
    /// The same under the default plan (retention 0.9, the learner's own new-item cap).
    pub default_expected: f32,
    pub projection: Projection,
}

/// Anki's "minimum recommended retention" for this learner's deck and budget: the retention
/// below which the `fsrs` crate's simulator says each item remembered costs more reviews
/// (`fsrs::optimal_retention`, with every question costing the same, pass/fail grading and no
/// same-day steps). Remembered per weights, deck size, horizon and budget; 0.70 (the crate's
/// floor) when the simulator cannot say.
pub fn minimum_retention(
    sched: &Scheduler,
    deck: usize,
    days: usize,
    per_day: u32,
    new_per_day: u32,
) -> f32 {
    use std::sync::{Mutex, OnceLock};
    /// Weights' hash, deck size, days, questions a day, new items a day.
    type Key = (u64, usize, usize, u32, u32);
    static KNOWN: OnceLock<Mutex<HashMap<Key, f32>>> = OnceLock::new();
    let bits: String = sched
        .weights()
        .iter()
        .map(|w| format!("{:08x}", w.to_bits()))
        .collect();
    let key = (
        crate::domain::fnv1a(&bits),
        deck,
        days,
        per_day,
        new_per_day,
    );
    let known = KNOWN.get_or_init(Default::default);
    if let Some(r) = known.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return *r;
    }
    let config = fsrs::SimulatorConfig {
        deck_size: deck.max(1),
        learn_span: days.max(1),
        max_cost_perday: per_day.max(1) as f32,
        learn_limit: new_per_day as usize,
        review_limit: per_day.max(1) as usize,
        new_cards_ignore_review_limit: false,
        first_rating_prob: [0.5, 0.0, 0.5, 0.0],
        review_rating_prob: [0.0, 1.0, 0.0],
        state_rating_costs: [[1.0; 4]; 3],
        learning_step_count: 0,
        relearning_step_count: 0,
        ..fsrs::SimulatorConfig::default()
    };
    let r = fsrs::optimal_retention(&config, sched.weights(), |_| true, None, None)
        .unwrap_or(RETENTIONS[0])
        .clamp(RETENTIONS[0], RETENTIONS[RETENTIONS.len() - 1]);
    known
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, r);
    r
}

/// Projects every candidate plan with the same random draws and keeps the one with the most
/// of the bank recalled on the date (ties, within a tenth of a point, go to the higher
/// retention, then to more new items). Candidates start at Anki's minimum recommended
/// retention for the learner's deck and budget ([`minimum_retention`]).
pub fn choose(sched: &Scheduler, l: &Learning, seed: u64) -> Choice {
    let own = l.new_per_day.max(1);
    let mut news: Vec<u32> = vec![own, own.saturating_sub(2).max(1)];
    news.dedup();
    let deck: usize = l.standards.iter().map(|(_, items)| items.len()).sum();
    let days = l.epa.signed_duration_since(l.today).num_days().max(1) as usize;
    let floor = minimum_retention(sched, deck, days, l.per_day, own);
    let mut best: Option<Choice> = None;
    let mut default_expected = 0.0;
    for &retention in RETENTIONS.iter().rev().filter(|r| **r >= floor - 1e-4) {
        for &n in &news {
            let aim = Aim {
                retention,
                epa: Some(l.epa),
            };
            let p = project(sched, l, &aim, n, seed);
            let e = p.share();
            if (retention - 0.9).abs() < 1e-6 && n == own {
                default_expected = e;
            }
            if best.as_ref().is_none_or(|b| e > b.expected + 0.001) {
                best = Some(Choice {
                    retention,
                    new_per_day: n,
                    expected: e,
                    default_expected: 0.0,
                    projection: p,
                });
            }
        }
    }
    if !(floor..=1.0).contains(&0.9) {
        let aim = Aim {
            retention: 0.9,
            epa: Some(l.epa),
        };
        default_expected = project(sched, l, &aim, own, seed).share();
    }
    let mut best = best.unwrap_or(Choice {
        retention: sched.config.desired_retention,
        new_per_day: own,
        expected: 0.0,
        default_expected: 0.0,
        projection: Projection {
            standards: Vec::new(),
        },
    });
    best.default_expected = default_expected;
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srs::Config;

    fn state(reps: u32, stability: f32, last: &str, due: &str) -> SrsState {
        SrsState {
            stability,
            difficulty: 5.0,
            due: due.parse().unwrap(),
            last_review: last.parse().unwrap(),
            reps,
            ..SrsState::default()
        }
    }

    #[test]
    fn the_minimum_recommended_retention_is_in_range_and_stable() {
        let s = Scheduler::new(Config::default());
        let r = minimum_retention(&s, 340, 90, 10, 5);
        assert!((RETENTIONS[0]..=RETENTIONS[5]).contains(&r), "{r}");
        // The same deck and budget give the same answer (from memory the second time).
        assert_eq!(minimum_retention(&s, 340, 90, 10, 5), r);
    }

    #[test]
    fn a_planned_review_before_the_date_lifts_the_prediction() {
        let s = Scheduler::new(Config::default());
        let aim = s.default_aim();
        let now: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
        let epa: NaiveDate = "2027-03-01".parse().unwrap();
        let unplanned = state(3, 10.0, "2026-12-01T10:00:00Z", "2027-04-01");
        let planned = state(3, 10.0, "2026-12-01T10:00:00Z", "2026-12-11");
        let a = predicted(&s, &unplanned, now, epa, &aim);
        let b = predicted(&s, &planned, now, epa, &aim);
        assert!(b > a + 0.05, "{a} {b}");
        assert!((0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&b));
    }
}

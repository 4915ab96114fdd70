//! The day's quiz and extra practice: which items to ask and which variant of each.
//!
//! Due items come first, lowest recall probability first; new items fill what the day has left,
//! up to the learner's cap. New items are taken across the learner's standards by the share of
//! each standard still to learn (the standard with most left to start gives the next item, ties
//! rotating with the date), so a learner enrolled in a long standard and a short one reaches
//! both, and no standard is favoured for being first in the list.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::forecast::{ENDGAME_DAYS, GUESS, endgame_picks, new_gain, review_gain};
use super::{Scheduler, choose_question};
use crate::bank::Bank;
use crate::domain::{Learner, Pick, SrsState};

/// What a daily plan needs to know about a learner.
pub struct PlanInput<'a> {
    pub learner: &'a Learner,
    pub states: &'a HashMap<String, SrsState>,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    /// New items a day the learner's plan for their end-point date allows (never above their
    /// own `new_per_day`); `None` before a plan is made.
    pub plan_new: Option<u32>,
    /// The end-point date the plan aims at, and the learner's share of right first answers;
    /// in its last [`ENDGAME_DAYS`] the day goes where it adds most to recall on the date.
    pub endgame: Option<Endgame>,
}

/// What the days just before the end-point date need to know (see [`PlanInput::endgame`]).
#[derive(Debug, Clone, Copy)]
pub struct Endgame {
    pub epa: NaiveDate,
    pub first_right: f32,
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

/// One standard's items not yet started, as far as intake needs them.
pub struct Unstarted<'a> {
    /// The first items not yet started, in the standard's order (as many as could be taken).
    pub first: Vec<&'a str>,
    /// How many items are not yet started.
    pub left: usize,
    /// How many items have questions.
    pub total: usize,
}

/// Takes `n` new items across standards: each next item comes from the standard with the
/// largest share of its items still to start (counting those already taken); ties go to the
/// standard first in an order that rotates with `day`, so no standard always leads.
pub fn fair_intake<'a>(groups: &[Unstarted<'a>], n: usize, day: NaiveDate) -> Vec<&'a str> {
    let k = groups.len();
    if k == 0 {
        return Vec::new();
    }
    let start = (day.num_days_from_ce().unsigned_abs() as usize) % k;
    let mut taken = vec![0usize; k];
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let mut best: Option<(usize, f64)> = None;
        for r in 0..k {
            let g = (start + r) % k;
            let grp = &groups[g];
            if taken[g] >= grp.first.len() || grp.total == 0 {
                continue;
            }
            let share = (grp.left - taken[g]) as f64 / grp.total as f64;
            if best.is_none_or(|(_, s)| share > s + 1e-12) {
                best = Some((g, share));
            }
        }
        let Some((g, _)) = best else {
            break;
        };
        out.push(groups[g].first[taken[g]]);
        taken[g] += 1;
    }
    out
}

/// A standard's items not yet started, keeping at most `cap` of them.
fn unstarted<'a>(
    bank: &'a Bank,
    code: &str,
    states: &HashMap<String, SrsState>,
    cap: usize,
) -> Unstarted<'a> {
    let mut u = Unstarted {
        first: Vec::with_capacity(cap.min(16)),
        left: 0,
        total: 0,
    };
    for item in bank.items_of(code) {
        // An item with no questions yet (its material still a draft) is not new.
        if bank.questions_of(item).is_empty() {
            continue;
        }
        u.total += 1;
        if !states.contains_key(item.as_str()) {
            u.left += 1;
            if u.first.len() < cap {
                u.first.push(item.as_str());
            }
        }
    }
    u
}

/// Up to `room` items the learner has not started, by fair intake over their standards.
fn new_items<'a>(bank: &'a Bank, input: &PlanInput, room: usize) -> Vec<&'a str> {
    if room == 0 {
        return Vec::new();
    }
    let groups: Vec<Unstarted> = input
        .learner
        .standards
        .iter()
        .map(|code| unstarted(bank, code, input.states, room))
        .collect();
    fair_intake(&groups, room, input.today)
}

impl Scheduler {
    /// The day's quiz: due items first (lowest recall probability first, interleaving the
    /// learner's standards), then new items up to the learner's cap by fair intake; leeches
    /// held back.
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
        let cap = input
            .plan_new
            .map_or(s.new_per_day, |p| p.min(s.new_per_day));
        let per_day = (s.per_day.max(1) as usize).saturating_sub(done_today);
        let new_per_day = (cap as usize).saturating_sub(new_today);
        if let Some(e) = input.endgame {
            let left = e.epa.signed_duration_since(input.today).num_days();
            if (1..=ENDGAME_DAYS).contains(&left) {
                let items = self.endgame(input, bank, per_day, new_per_day, e, left);
                return self.picks(items, input, bank);
            }
        }
        let mut due: Vec<(f32, usize, &str)> = Vec::new();
        for (si, code) in input.learner.standards.iter().enumerate() {
            for item in bank.items_of(code) {
                if let Some(st) = input.states.get(item.as_str())
                    && !st.leech
                    && st.due <= input.today
                {
                    due.push((self.retrievability(st, input.now), si, item));
                }
            }
        }
        due.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(b.2)));
        due.truncate(per_day);
        let mut by_std: Vec<Vec<&str>> = vec![Vec::new(); input.learner.standards.len()];
        for (_, si, item) in &due {
            by_std[*si].push(item);
        }
        let mut items = interleave(by_std);
        let room = per_day.saturating_sub(items.len()).min(new_per_day);
        items.extend(new_items(bank, input, room));
        // Under a plan to the end-point date, questions the day has left once due and new
        // items are in go to the studied items whose recall has dropped below 0.9 (not yet
        // due, not asked today), weakest first.
        let spare = per_day.saturating_sub(items.len());
        if spare > 0 && input.plan_new.is_some() {
            let mut early: Vec<(f32, &str)> = input
                .states
                .iter()
                .filter(|(_, st)| {
                    !st.leech
                        && st.due > input.today
                        && st.last_review.with_timezone(&tz).date_naive() != input.today
                })
                .map(|(item, st)| (self.retrievability(st, input.now), item.as_str()))
                .filter(|(r, _)| *r < super::SECURE_RECALL)
                .collect();
            early.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
            items.extend(early.into_iter().take(spare).map(|(_, i)| i));
        }
        self.picks(items, input, bank)
    }

    /// A day in the last [`ENDGAME_DAYS`] before the end-point date: of the studied items not
    /// asked today (leeches held back) and new ones (within the cap), the `per_day` that add
    /// most to the knowledge expected on the date.
    fn endgame<'b>(
        &self,
        input: &PlanInput,
        bank: &'b Bank,
        per_day: usize,
        new_per_day: usize,
        e: Endgame,
        left: i64,
    ) -> Vec<&'b str> {
        let tz = input.learner.settings.tz();
        let mut studied: Vec<(f32, &str)> = Vec::new();
        for code in &input.learner.standards {
            for item in bank.items_of(code) {
                let Some(st) = input.states.get(item.as_str()) else {
                    continue;
                };
                if st.leech || st.last_review.with_timezone(&tz).date_naive() == input.today {
                    continue;
                }
                let elapsed = super::days_since(st, input.now);
                let gain = review_gain(self, super::memory_of(st), elapsed, left, GUESS);
                studied.push((gain, item.as_str()));
            }
        }
        let fresh = new_gain(self, e.first_right, left, GUESS);
        let (mut items, new) = endgame_picks(studied, fresh, new_per_day, per_day);
        items.extend(new_items(bank, input, new));
        items
    }

    /// Extra practice: the learner's studied items with the lowest recall probability (new
    /// items when nothing is studied yet), `n` at most, not counting towards the schedule.
    pub fn plan_practice(&self, input: &PlanInput, bank: &Bank, n: usize) -> Vec<Pick> {
        let mut known: Vec<(f32, &str)> = Vec::new();
        for code in &input.learner.standards {
            for item in bank.items_of(code) {
                if let Some(st) = input.states.get(item.as_str()) {
                    known.push((self.retrievability(st, input.now), item));
                }
            }
        }
        known.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        let mut items: Vec<&str> = known.into_iter().map(|(_, i)| i).take(n).collect();
        let room = n.saturating_sub(items.len());
        items.extend(new_items(bank, input, room));
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

    fn group<'a>(items: &[&'a str], total: usize) -> Unstarted<'a> {
        Unstarted {
            first: items.to_vec(),
            left: items.len(),
            total,
        }
    }

    #[test]
    fn intake_follows_the_share_left_and_rotates_ties() {
        let day: NaiveDate = "2026-12-07".parse().unwrap();
        // A long standard barely started and a short one half done: the long one leads.
        let long: Vec<String> = (0..150).map(|i| format!("L{i}")).collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        let groups = [group(&["S1", "S2"], 4), group(&long, 160)];
        let got = fair_intake(&groups, 5, day);
        assert!(got.iter().all(|i| i.starts_with('L')), "{got:?}");
        // Equal shares: the first item comes from a different standard on the next day.
        let groups = [group(&["A1", "A2"], 2), group(&["B1", "B2"], 2)];
        let a = fair_intake(&groups, 1, day);
        let b = fair_intake(&groups, 1, day.succ_opt().unwrap());
        assert_ne!(a, b);
        // Never more than asked, never more than there is.
        assert_eq!(fair_intake(&groups, 9, day).len(), 4);
    }

    #[test]
    fn in_the_last_days_the_quiz_goes_where_it_adds_most_on_the_date() {
        use crate::domain::Settings;
        use crate::srs::Config;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let bank = Bank::load(&root.join("question-bank")).expect("bank");
        let sched = Scheduler::new(Config::default());
        let today: NaiveDate = "2026-12-07".parse().unwrap();
        let now: DateTime<Utc> = "2026-12-07T10:00:00Z".parse().unwrap();
        let learner = Learner {
            id: 1,
            name: "Sim".into(),
            accounts: Vec::new(),
            standards: vec!["HSCCLD222".into()],
            cohorts: Vec::new(),
            settings: Settings {
                per_day: 1,
                new_per_day: 0,
                ..Settings::default()
            },
            created: now,
            inactive: false,
            plan: None,
        };
        let items = bank.items_of("HSCCLD222");
        let state = |stability: f32, days_ago: i64, due: NaiveDate| SrsState {
            stability,
            difficulty: 5.0,
            due,
            last_review: now - chrono::Duration::days(days_ago),
            reps: 3,
            ..SrsState::default()
        };
        // Due today but well known; not due until after the date and mostly forgotten.
        let strong = items[0].as_str();
        let weak = items[1].as_str();
        let states: HashMap<String, SrsState> = [
            (strong.to_string(), state(60.0, 1, today)),
            (
                weak.to_string(),
                state(3.0, 12, today + chrono::Days::new(40)),
            ),
        ]
        .into();
        let asked = |days_to_date: u64| {
            let input = PlanInput {
                learner: &learner,
                states: &states,
                today,
                now,
                plan_new: Some(0),
                endgame: Some(Endgame {
                    epa: today + chrono::Days::new(days_to_date),
                    first_right: 0.5,
                }),
            };
            let picks = sched.plan_day(&input, &bank);
            picks.iter().map(|p| p.item.clone()).collect::<Vec<_>>()
        };
        // Weeks before the date the due item comes first; in the last days, the weak one.
        assert_eq!(asked(30), vec![strong.to_string()]);
        assert_eq!(asked(3), vec![weak.to_string()]);
    }
}

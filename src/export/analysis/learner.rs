//! One learner at a time: what [`Analysis::add`] keeps of a learner's answers (a digest), their
//! row of the tracking sheet, and their ability and third once every learner has been read.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::stats::round1;
use super::{Analysis, Horizon, MatrixRow, Status};
#[cfg(test)]
use crate::srs::Scheduler;
use crate::store::{Attempt, Learner, LearnerId, SrsState};

/// Where a learner stands on an item, from its scheduling state.
fn status_of(h: &Horizon, st: Option<&SrsState>, now: DateTime<Utc>) -> Status {
    match st {
        None => Status::NotStarted,
        Some(s) if s.leech => Status::Leech,
        Some(s) if h.sched.secure(s, now, h.epa, &h.aim) => Status::Secure,
        Some(_) => Status::Learning,
    }
}

/// A learner's row of the tracking sheet with the default horizon (see [`matrix_row_at`]).
#[cfg(test)]
pub(super) fn matrix_row(
    sched: &Scheduler,
    now: DateTime<Utc>,
    learner: &Learner,
    items: &[&str],
    states: &HashMap<String, SrsState>,
) -> MatrixRow {
    matrix_row_at(
        &Horizon::default_for(sched, now),
        now,
        learner,
        items,
        states,
    )
}

/// A learner's row of the tracking sheet: their status on each of `items`, their recall
/// probability now and predicted on their end-point date (%), where studied.
pub(super) fn matrix_row_at(
    h: &Horizon,
    now: DateTime<Utc>,
    learner: &Learner,
    items: &[&str],
    states: &HashMap<String, SrsState>,
) -> MatrixRow {
    let mut row = MatrixRow {
        learner_id: learner.id,
        learner: learner.name.clone(),
        cells: Vec::with_capacity(items.len()),
        recall: Vec::with_capacity(items.len()),
        epa: h.epa,
        predicted: Vec::with_capacity(items.len()),
        predicted_share: 0.0,
        not_started: 0,
    };
    let mut sum = 0.0;
    for id in items {
        let st = states.get(*id);
        row.cells.push(status_of(h, st, now));
        row.recall
            .push(st.map(|s| round1(100.0 * f64::from(h.sched.retrievability(s, now)))));
        let p = st.map(|s| {
            f64::from(crate::srs::forecast::predicted(
                &h.sched, s, now, h.epa, &h.aim,
            ))
        });
        sum += p.unwrap_or(0.0);
        row.not_started += usize::from(st.is_none());
        row.predicted.push(p.map(|p| round1(100.0 * p)));
    }
    if !items.is_empty() {
        row.predicted_share = round1(100.0 * sum / items.len() as f64);
    }
    row
}

/// One learner's answers, boiled down to what the whole-cohort statistics need once every
/// learner has been read (their ability is known only then). Indexes are into the analysis's
/// item and question lists.
pub(super) struct LearnerDigest {
    pub(super) id: LearnerId,
    /// First answer per item, where it is in range: right or not, sorted by item.
    pub(super) first_items: Vec<(u32, bool)>,
    /// First answer per question, where it is in range: right or not, in the order answered.
    pub(super) first_qs: Vec<(u32, bool)>,
    /// Answers per question and option.
    pub(super) chosen: Vec<(u32, u8, u32)>,
}

impl LearnerDigest {
    /// The learner's first answer to `item`, where it is in range: right or not.
    pub(super) fn first_item(&self, item: u32) -> Option<bool> {
        let f = &self.first_items;
        f.binary_search_by_key(&item, |x| x.0).ok().map(|i| f[i].1)
    }
}

impl Analysis<'_> {
    /// Reads one learner (in the scope's order): their attempts, oldest first, and their
    /// scheduling state per item.
    pub fn add(
        &mut self,
        learner: &Learner,
        attempts: &[Attempt],
        states: &HashMap<String, SrsState>,
    ) {
        let scope = self.scope;
        let in_range = |a: &Attempt| {
            let d = a.at.date_naive();
            scope.from.is_none_or(|f| d >= f) && scope.to.is_none_or(|t| d <= t)
        };
        let mut first_items: BTreeMap<u32, bool> = BTreeMap::new();
        let mut first_qs: Vec<(u32, bool)> = Vec::new();
        // Items and questions answered so far, in range or before it.
        let mut seen_items: std::collections::HashSet<u32> = std::collections::HashSet::new();
        let mut seen_q: std::collections::HashSet<u32> = std::collections::HashSet::new();
        let mut chosen: BTreeMap<(u32, u8), u32> = BTreeMap::new();
        let mut answered_items: std::collections::HashSet<u32> = std::collections::HashSet::new();
        for a in attempts {
            let Some(&item) = self.item_index.get(a.item.as_str()) else {
                continue;
            };
            let question = self.question_index.get(a.question.as_str()).copied();
            // The learner's true first exposure, whatever the range.
            let first_item = seen_items.insert(item);
            let first_q = question.is_some_and(|q| seen_q.insert(q));
            if !in_range(a) {
                continue;
            }
            if first_item {
                first_items.insert(item, a.correct);
            }
            let t = &mut self.item_totals[item as usize];
            t.0 += 1;
            t.1 += usize::from(a.correct);
            if answered_items.insert(item) {
                t.2 += 1;
            }
            let Some(q) = question else {
                continue;
            };
            if first_q {
                first_qs.push((q, a.correct));
            }
            let qt = &mut self.question_totals[q as usize];
            qt.answers += 1;
            qt.correct += usize::from(a.correct);
            if let Some(n) = qt.options.get_mut(a.option) {
                *n += 1;
            }
            *chosen.entry((q, a.option.min(255) as u8)).or_default() += 1;
        }
        let own = self.horizons.map(|h| h.horizon(learner));
        let h = own.as_ref().unwrap_or(&self.default_horizon);
        let row = matrix_row_at(h, self.now, learner, &self.items, states);
        for (i, status) in row.cells.iter().enumerate() {
            self.item_status[i].0 += usize::from(*status == Status::Secure);
            self.item_status[i].1 += usize::from(*status == Status::Leech);
            self.item_outlook[i].0 += row.predicted[i].unwrap_or(0.0) / 100.0;
            self.item_outlook[i].1 += usize::from(*status == Status::NotStarted);
        }
        self.matrix.push(row);
        self.digests.push(LearnerDigest {
            id: learner.id,
            first_items: first_items.into_iter().collect(),
            first_qs,
            chosen: chosen.into_iter().map(|((q, o), n)| (q, o, n)).collect(),
        });
    }
}

/// Every learner's ability, by their place among the analysis's digests: known once every
/// learner has been read.
pub(super) struct Ability {
    /// Right first exposures and first exposures, for learners with any.
    scores: Vec<Option<(f64, usize)>>,
    /// 1: bottom third, 2: top third.
    group: Vec<u8>,
}

impl Ability {
    pub(super) fn of(digests: &[LearnerDigest]) -> Self {
        // Ability: each learner's mean first-exposure score.
        let scores: Vec<Option<(f64, usize)>> = digests
            .iter()
            .map(|d| {
                let n = d.first_items.len();
                (n > 0).then(|| (d.first_items.iter().filter(|f| f.1).count() as f64, n))
            })
            .collect();
        let mut ranked: Vec<(f64, LearnerId, usize)> = scores
            .iter()
            .enumerate()
            .filter_map(|(k, a)| a.map(|(s, n)| (s / n as f64, digests[k].id, k)))
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let third = ranked.len() / 3;
        // 1: bottom third, 2: top third.
        let mut group = vec![0u8; digests.len()];
        for r in ranked.iter().take(third) {
            group[r.2] = 1;
        }
        for r in ranked.iter().rev().take(third) {
            group[r.2] = 2;
        }
        Ability { scores, group }
    }

    /// Learner `k`'s mean first-exposure score on every other item, given `own`, their score
    /// on this one; None with fewer than two items answered.
    pub(super) fn rest(&self, k: usize, own: f64) -> Option<f64> {
        let (sum, n) = self.scores[k]?;
        (n > 1).then(|| (sum - own) / (n as f64 - 1.0))
    }

    /// Learner `k`'s third: 0 the bottom one, 1 the top one, None in between.
    pub(super) fn third(&self, k: usize) -> Option<usize> {
        (self.group[k] > 0).then(|| usize::from(self.group[k] - 1))
    }
}

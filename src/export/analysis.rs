//! Item analysis: what a cohort knows, knowledge item by knowledge item.
//!
//! Statistics follow classical test theory as Moodle's quiz statistics report them, computed on
//! each learner's *first exposure* (their first answer ever to an item, or to a question,
//! counted only when it falls in the report's date range: a repeat is never a first exposure):
//! facility index (share right, %), discrimination index (item-rest correlation: the Pearson
//! correlation between the first-exposure score on this item and the learner's mean
//! first-exposure score on every other item, x100), with Moodle's quality bands. Distractor
//! analysis per question: how often each wrong option is chosen, flagged *non-functioning* when
//! under 5% choose it, and *possible key error* when the top third of learners choose it more
//! than the bottom third.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::bank::Bank;
use crate::srs::Scheduler;
use crate::store::{Attempt, Learner, LearnerId, SrsState};

/// Who and what a report covers.
#[derive(Debug, Clone)]
pub struct Scope {
    /// "Tuesday group (ABC234)", "all learners".
    pub name: String,
    pub learners: Vec<Learner>,
    /// Standards reported on, in order.
    pub standards: Vec<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionStat {
    pub letter: String,
    pub text: String,
    pub key: bool,
    pub chosen: usize,
    /// Share of all answers to the question (%).
    pub share: f64,
    /// Share among the top / bottom third of learners (%).
    pub top_share: Option<f64>,
    pub bottom_share: Option<f64>,
    /// `non-functioning` or `possible key error` (wrong options only).
    pub flag: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionRow {
    pub id: String,
    pub item: String,
    pub qtype: String,
    pub stem: String,
    pub learners: usize,
    pub attempts: usize,
    /// Facility index on first exposure (%).
    pub facility: Option<f64>,
    pub facility_band: Option<&'static str>,
    pub correct_rate: Option<f64>,
    pub discrimination: Option<f64>,
    pub discrimination_band: Option<&'static str>,
    pub options: Vec<OptionStat>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub standard: String,
    pub id: String,
    /// `K2`, `P4`...
    pub code: String,
    pub kind: String,
    pub text: String,
    pub learners: usize,
    pub attempts: usize,
    /// First-try correct rate (%), the facility index on first exposure.
    pub first_try_correct: Option<f64>,
    pub facility_band: Option<&'static str>,
    /// Share of all answers right (%).
    pub correct_rate: Option<f64>,
    pub discrimination: Option<f64>,
    pub discrimination_band: Option<&'static str>,
    /// Learners whose recall probability now is at or above the desired retention.
    pub mastered: usize,
    pub leeches: usize,
    pub non_functioning: usize,
    pub possible_key_errors: usize,
}

/// Status of one learner on one item, for the tracking sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    NotStarted,
    Learning,
    Secure,
    Leech,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::Learning => "learning",
            Status::Secure => "secure",
            Status::Leech => "leech",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    /// The learner's id: two learners may share a display name.
    pub learner_id: LearnerId,
    pub learner: String,
    /// One status per item of [`Report::items`], in the same order.
    pub cells: Vec<Status>,
    /// Recall probability now (%), where studied.
    pub recall: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StandardSummary {
    pub code: String,
    pub title: String,
    pub items: usize,
    /// Mean facility of items answered (%).
    pub facility: Option<f64>,
    /// Share of (learner, item) pairs secure (%).
    pub mastery: f64,
}

/// A whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scope: String,
    pub generated: DateTime<Utc>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub learners: usize,
    pub standards: Vec<StandardSummary>,
    pub items: Vec<ItemRow>,
    pub questions: Vec<QuestionRow>,
    pub matrix: Vec<MatrixRow>,
}

/// Moodle's bands for the facility index.
pub fn facility_band(f: f64) -> &'static str {
    match f {
        f if f <= 5.0 => "extremely difficult",
        f if f <= 10.0 => "very difficult",
        f if f <= 20.0 => "difficult",
        f if f <= 34.0 => "moderately difficult",
        f if f <= 65.0 => "about right",
        f if f <= 80.0 => "fairly easy",
        f if f <= 89.0 => "easy",
        f if f <= 94.0 => "very easy",
        _ => "extremely easy",
    }
}

/// Moodle's bands for the discrimination index.
pub fn discrimination_band(d: f64) -> &'static str {
    match d {
        d if d < 0.0 => "invalid (negative)",
        d if d < 20.0 => "very weak",
        d if d < 30.0 => "weak",
        d if d < 50.0 => "adequate",
        _ => "very good",
    }
}

/// Pearson correlation; None without variance or with fewer than three pairs.
pub fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    if pairs.len() < 3 {
        return None;
    }
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

fn pct(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Where a learner stands on an item, from its scheduling state.
fn status_of(sched: &Scheduler, st: Option<&SrsState>, now: DateTime<Utc>) -> Status {
    match st {
        None => Status::NotStarted,
        Some(s) if s.leech => Status::Leech,
        Some(s) if sched.mastered(s, now) => Status::Secure,
        Some(_) => Status::Learning,
    }
}

/// Option `i` of a question: chosen `chosen` times of `answers`, and by these shares of the
/// top and bottom thirds' answers; flagged as a possible key error (a distractor the strong
/// choose more than the weak) or non-functioning (under 5%).
fn option_stat(
    q: &crate::bank::Question,
    i: usize,
    chosen: usize,
    answers: usize,
    top_share: Option<f64>,
    bottom_share: Option<f64>,
) -> OptionStat {
    let share = pct(chosen, answers).unwrap_or(0.0);
    let key = i == q.answer;
    let flag = if key || answers == 0 {
        None
    } else if matches!((top_share, bottom_share), (Some(t), Some(b)) if t > b) {
        Some("possible key error".to_string())
    } else if share < 5.0 {
        Some("non-functioning".to_string())
    } else {
        None
    };
    OptionStat {
        letter: crate::domain::letter(i),
        text: q.options.get(i).cloned().unwrap_or_default(),
        key,
        chosen,
        share: round1(share),
        top_share,
        bottom_share,
        flag,
    }
}

/// Options flagged non-functioning, and possible key errors.
fn flag_counts(options: &[OptionStat]) -> (usize, usize) {
    let count = |f: &str| {
        options
            .iter()
            .filter(|o| o.flag.as_deref() == Some(f))
            .count()
    };
    (count("non-functioning"), count("possible key error"))
}

/// One summary per standard of the scope, from its items' rows.
fn standard_summaries(scope: &Scope, bank: &Bank, items: &[ItemRow]) -> Vec<StandardSummary> {
    let mut by_std: BTreeMap<&str, Vec<&ItemRow>> = BTreeMap::new();
    for it in items {
        by_std.entry(it.standard.as_str()).or_default().push(it);
    }
    scope
        .standards
        .iter()
        .map(|code| {
            let rows = by_std.get(code.as_str()).cloned().unwrap_or_default();
            let answered: Vec<f64> = rows.iter().filter_map(|r| r.first_try_correct).collect();
            let pairs = rows.len() * scope.learners.len();
            StandardSummary {
                code: code.clone(),
                title: bank
                    .standard(code)
                    .map(|f| f.standard.title.clone())
                    .unwrap_or_default(),
                items: rows.len(),
                facility: (!answered.is_empty())
                    .then(|| round1(answered.iter().sum::<f64>() / answered.len() as f64)),
                mastery: pct(rows.iter().map(|r| r.mastered).sum(), pairs).map_or(0.0, round1),
            }
        })
        .collect()
}

/// One learner's answers, boiled down to what the whole-cohort statistics need once every
/// learner has been read (their ability is known only then). Indexes are into the analysis's
/// item and question lists.
struct LearnerDigest {
    id: LearnerId,
    /// First answer per item, where it is in range: right or not, sorted by item.
    first_items: Vec<(u32, bool)>,
    /// First answer per question, where it is in range: right or not, in the order answered.
    first_qs: Vec<(u32, bool)>,
    /// Answers per question and option.
    chosen: Vec<(u32, u8, u32)>,
}

/// Whole-question running totals.
#[derive(Default, Clone)]
struct QuestionTotals {
    answers: usize,
    correct: usize,
    /// Answers per option.
    options: Vec<usize>,
}

/// The analysis, fed one learner at a time ([`Analysis::add`]), so a report over many
/// learners with long histories holds compact digests, not every answer.
pub struct Analysis<'a> {
    scope: &'a Scope,
    bank: &'a Bank,
    sched: &'a Scheduler,
    now: DateTime<Utc>,
    /// Items of the scope's standards present in the bank, in report order.
    items: Vec<&'a str>,
    item_index: HashMap<&'a str, u32>,
    /// Questions of those items, in report order, with their item's index.
    questions: Vec<(&'a str, u32)>,
    question_index: HashMap<&'a str, u32>,
    /// Per item: answers, right answers, learners who answered.
    item_totals: Vec<(usize, usize, usize)>,
    /// Per item: learners secure, learners with it as a leech.
    item_status: Vec<(usize, usize)>,
    question_totals: Vec<QuestionTotals>,
    digests: Vec<LearnerDigest>,
    matrix: Vec<MatrixRow>,
}

impl<'a> Analysis<'a> {
    pub fn new(scope: &'a Scope, bank: &'a Bank, sched: &'a Scheduler, now: DateTime<Utc>) -> Self {
        let items: Vec<&str> = scope
            .standards
            .iter()
            .flat_map(|s| bank.items_of(s).iter().map(String::as_str))
            .filter(|id| bank.item(id).is_some())
            .collect();
        let item_index = items
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i as u32))
            .collect();
        let mut questions = Vec::new();
        for (i, id) in items.iter().enumerate() {
            for q in bank.questions_of(id) {
                if bank.question(q).is_some() {
                    questions.push((q.as_str(), i as u32));
                }
            }
        }
        let question_index = questions
            .iter()
            .enumerate()
            .map(|(n, (q, _))| (*q, n as u32))
            .collect();
        let question_totals = questions
            .iter()
            .map(|(q, _)| QuestionTotals {
                options: vec![0; bank.question(q).map_or(0, |q| q.options.len())],
                ..QuestionTotals::default()
            })
            .collect();
        Analysis {
            scope,
            bank,
            sched,
            now,
            item_totals: vec![(0, 0, 0); items.len()],
            item_status: vec![(0, 0); items.len()],
            items,
            item_index,
            questions,
            question_index,
            question_totals,
            digests: Vec::with_capacity(scope.learners.len()),
            matrix: Vec::with_capacity(scope.learners.len()),
        }
    }

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
        let mut row = MatrixRow {
            learner_id: learner.id,
            learner: learner.name.clone(),
            cells: Vec::with_capacity(self.items.len()),
            recall: Vec::with_capacity(self.items.len()),
        };
        for (i, id) in self.items.iter().enumerate() {
            let st = states.get(*id);
            let status = status_of(self.sched, st, self.now);
            self.item_status[i].0 += usize::from(status == Status::Secure);
            self.item_status[i].1 += usize::from(status == Status::Leech);
            row.cells.push(status);
            row.recall.push(
                st.map(|s| round1(100.0 * f64::from(self.sched.retrievability(s, self.now)))),
            );
        }
        self.matrix.push(row);
        self.digests.push(LearnerDigest {
            id: learner.id,
            first_items: first_items.into_iter().collect(),
            first_qs,
            chosen: chosen.into_iter().map(|((q, o), n)| (q, o, n)).collect(),
        });
    }

    /// The report, once every learner has been added.
    pub fn finish(self) -> Report {
        let scope = self.scope;
        // Ability: each learner's mean first-exposure score.
        let ability: Vec<Option<(f64, usize)>> = self
            .digests
            .iter()
            .map(|d| {
                let n = d.first_items.len();
                (n > 0).then(|| (d.first_items.iter().filter(|f| f.1).count() as f64, n))
            })
            .collect();
        let rest = |k: usize, own: f64| -> Option<f64> {
            let (sum, n) = ability[k]?;
            (n > 1).then(|| (sum - own) / (n as f64 - 1.0))
        };
        let mut ranked: Vec<(f64, LearnerId, usize)> = ability
            .iter()
            .enumerate()
            .filter_map(|(k, a)| a.map(|(s, n)| (s / n as f64, self.digests[k].id, k)))
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let third = ranked.len() / 3;
        // 1: bottom third, 2: top third.
        let mut group = vec![0u8; self.digests.len()];
        for r in ranked.iter().take(third) {
            group[r.2] = 1;
        }
        for r in ranked.iter().rev().take(third) {
            group[r.2] = 2;
        }
        let first_item_of = |k: usize, item: u32| -> Option<bool> {
            let f = &self.digests[k].first_items;
            f.binary_search_by_key(&item, |x| x.0).ok().map(|i| f[i].1)
        };

        // Per question: first exposures (facility, discrimination) and the thirds' choices.
        let nq = self.questions.len();
        let mut q_firsts = vec![(0usize, 0usize); nq];
        let mut q_pairs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); nq];
        // Per question and option: answers from the bottom and top thirds; and their totals.
        let mut q_groups: Vec<[Vec<usize>; 2]> = self
            .question_totals
            .iter()
            .map(|t| [vec![0; t.options.len()], vec![0; t.options.len()]])
            .collect();
        let mut q_group_totals = vec![[0usize; 2]; nq];
        // Per item: first exposures and pairs.
        let ni = self.items.len();
        let mut i_firsts = vec![(0usize, 0usize); ni];
        let mut i_pairs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); ni];
        for (k, d) in self.digests.iter().enumerate() {
            for &(q, correct) in &d.first_qs {
                let item = self.questions[q as usize].1;
                let f = &mut q_firsts[q as usize];
                f.0 += 1;
                f.1 += usize::from(correct);
                let own = f64::from(u8::from(first_item_of(k, item).unwrap_or(correct)));
                if let Some(r) = rest(k, own) {
                    q_pairs[q as usize].push((f64::from(u8::from(correct)), r));
                }
            }
            if group[k] > 0 {
                let g = usize::from(group[k] - 1);
                for &(q, o, n) in &d.chosen {
                    q_group_totals[q as usize][g] += n as usize;
                    if let Some(c) = q_groups[q as usize][g].get_mut(usize::from(o)) {
                        *c += n as usize;
                    }
                }
            }
            for &(item, correct) in &d.first_items {
                let f = &mut i_firsts[item as usize];
                f.0 += 1;
                f.1 += usize::from(correct);
                let own = f64::from(u8::from(correct));
                if let Some(r) = rest(k, own) {
                    i_pairs[item as usize].push((own, r));
                }
            }
        }

        let mut questions = Vec::with_capacity(nq);
        let mut flags_by_item = vec![(0usize, 0usize); ni];
        for (n, &(qid, item)) in self.questions.iter().enumerate() {
            let Some(q) = self.bank.question(qid) else {
                continue;
            };
            let totals = &self.question_totals[n];
            let disc = pearson(&q_pairs[n]).map(|r| round1(100.0 * r));
            let facility = pct(q_firsts[n].1, q_firsts[n].0).map(round1);
            let share_in = |g: usize, opt: usize| {
                pct(
                    q_groups[n][g].get(opt).copied().unwrap_or(0),
                    q_group_totals[n][g],
                )
                .map(round1)
            };
            let options: Vec<OptionStat> = (0..q.options.len())
                .map(|i| {
                    let chosen = totals.options.get(i).copied().unwrap_or(0);
                    let (top_share, bottom_share) = (share_in(1, i), share_in(0, i));
                    option_stat(q, i, chosen, totals.answers, top_share, bottom_share)
                })
                .collect();
            let e = &mut flags_by_item[item as usize];
            let (nf, ke) = flag_counts(&options);
            e.0 += nf;
            e.1 += ke;
            questions.push(QuestionRow {
                id: qid.to_string(),
                item: self.items[item as usize].to_string(),
                qtype: q.qtype.name().to_string(),
                stem: q.stem.clone(),
                learners: q_firsts[n].0,
                attempts: totals.answers,
                facility,
                facility_band: facility.map(facility_band),
                correct_rate: pct(totals.correct, totals.answers).map(round1),
                discrimination: disc,
                discrimination_band: disc.map(discrimination_band),
                options,
            });
        }

        let mut items = Vec::with_capacity(ni);
        for (i, id) in self.items.iter().enumerate() {
            let Some(item) = self.bank.item(id) else {
                continue;
            };
            let disc = pearson(&i_pairs[i]).map(|r| round1(100.0 * r));
            let first = pct(i_firsts[i].1, i_firsts[i].0).map(round1);
            let (attempts, right, who) = self.item_totals[i];
            let (mastered, leeches) = self.item_status[i];
            let (nf, ke) = flags_by_item[i];
            items.push(ItemRow {
                standard: id.split('/').next().unwrap_or("").to_string(),
                id: id.to_string(),
                code: format!("{}{}", item.kind.letter(), item.number),
                kind: item.kind.name().to_string(),
                text: item.text.clone(),
                learners: who,
                attempts,
                first_try_correct: first,
                facility_band: first.map(facility_band),
                correct_rate: pct(right, attempts).map(round1),
                discrimination: disc,
                discrimination_band: disc.map(discrimination_band),
                mastered,
                leeches,
                non_functioning: nf,
                possible_key_errors: ke,
            });
        }

        let standards = standard_summaries(scope, self.bank, &items);
        Report {
            scope: scope.name.clone(),
            generated: self.now,
            from: scope.from,
            to: scope.to,
            learners: scope.learners.len(),
            standards,
            items,
            questions,
            matrix: self.matrix,
        }
    }
}

#[cfg(test)]
mod reference {
    use super::*;
    use std::collections::BTreeSet;

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
                let disc = pearson(&pairs).map(|r| round1(100.0 * r));
                let facility =
                    pct(firsts.iter().filter(|a| a.correct).count(), firsts.len()).map(round1);
                let share_in = |group: &BTreeSet<LearnerId>, opt: usize| {
                    let g: Vec<&&Attempt> = answers
                        .iter()
                        .filter(|a| group.contains(&a.learner))
                        .collect();
                    pct(g.iter().filter(|a| a.option == opt).count(), g.len()).map(round1)
                };
                let options: Vec<OptionStat> = (0..q.options.len())
                    .map(|i| {
                        let chosen = answers.iter().filter(|a| a.option == i).count();
                        let (top_share, bottom_share) = (share_in(&top, i), share_in(&bottom, i));
                        option_stat(q, i, chosen, answers.len(), top_share, bottom_share)
                    })
                    .collect();
                let e = flags_by_item.entry(id.clone()).or_default();
                let (nf, ke) = flag_counts(&options);
                e.0 += nf;
                e.1 += ke;
                questions.push(QuestionRow {
                    id: qid.clone(),
                    item: id.clone(),
                    qtype: q.qtype.name().to_string(),
                    stem: q.stem.clone(),
                    learners: firsts.len(),
                    attempts: answers.len(),
                    facility,
                    facility_band: facility.map(facility_band),
                    correct_rate: pct(answers.iter().filter(|a| a.correct).count(), answers.len())
                        .map(round1),
                    discrimination: disc,
                    discrimination_band: disc.map(discrimination_band),
                    options,
                });
            }
        }

        let mut items = Vec::new();
        let mut matrix: Vec<MatrixRow> = scope
            .learners
            .iter()
            .map(|l| MatrixRow {
                learner_id: l.id,
                learner: l.name.clone(),
                cells: Vec::with_capacity(item_ids.len()),
                recall: Vec::with_capacity(item_ids.len()),
            })
            .collect();
        for id in &item_ids {
            let Some(item) = inp.bank.item(id) else {
                continue;
            };
            let firsts: Vec<(LearnerId, bool)> = scope
                .learners
                .iter()
                .filter_map(|l| first_item.get(&(l.id, id.as_str())).map(|c| (l.id, *c)))
                .collect();
            let pairs: Vec<(f64, f64)> = firsts
                .iter()
                .filter_map(|&(l, c)| {
                    let own = f64::from(u8::from(c));
                    rest(l, own).map(|r| (own, r))
                })
                .collect();
            let disc = pearson(&pairs).map(|r| round1(100.0 * r));
            let first = pct(firsts.iter().filter(|f| f.1).count(), firsts.len()).map(round1);
            let (attempts, right, who) = all_item.get(id.as_str()).cloned().unwrap_or_default();
            let (mut mastered, mut leeches) = (0, 0);
            for (row, l) in matrix.iter_mut().zip(&scope.learners) {
                let st = inp.states.get(&l.id).and_then(|m| m.get(id));
                let status = status_of(inp.sched, st, inp.now);
                mastered += usize::from(status == Status::Secure);
                leeches += usize::from(status == Status::Leech);
                row.cells.push(status);
                row.recall.push(
                    st.map(|s| round1(100.0 * f64::from(inp.sched.retrievability(s, inp.now)))),
                );
            }
            let (nf, ke) = flags_by_item.get(id).copied().unwrap_or_default();
            items.push(ItemRow {
                standard: id.split('/').next().unwrap_or("").to_string(),
                id: id.clone(),
                code: format!("{}{}", item.kind.letter(), item.number),
                kind: item.kind.name().to_string(),
                text: item.text.clone(),
                learners: who.len(),
                attempts,
                first_try_correct: first,
                facility_band: first.map(facility_band),
                correct_rate: pct(right, attempts).map(round1),
                discrimination: disc,
                discrimination_band: disc.map(discrimination_band),
                mastered,
                leeches,
                non_functioning: nf,
                possible_key_errors: ke,
            });
        }

        let standards = standard_summaries(scope, inp.bank, &items);
        Report {
            scope: scope.name.clone(),
            generated: inp.now,
            from: scope.from,
            to: scope.to,
            learners: scope.learners.len(),
            standards,
            items,
            questions,
            matrix,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pearson_basics() {
        assert!(
            (pearson(&[(0.0, 0.0), (1.0, 1.0), (1.0, 0.9), (0.0, 0.1)]).unwrap() - 0.994).abs()
                < 0.01
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
        let bank =
            Bank::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank"))
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
}

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
//!
//! This file holds the report's types and its assembly: [`Analysis`] reads learners one at a
//! time (`learner`), then draws the question rows (`question`) and the item rows (`item`) from
//! their digests; `stats` holds the figures of classical test theory and Moodle's bands.

mod item;
mod learner;
mod question;
mod stats;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::bank::Bank;
use crate::srs::Scheduler;
use crate::store::{Learner, LearnerId};

use learner::{Ability, LearnerDigest};
use question::QuestionTotals;
pub use stats::{discrimination_band, facility_band, pearson};
use stats::{pct, round1};

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
    /// Learners secure on the item: predicted recall on their end-point date at least 0.9.
    pub mastered: usize,
    pub leeches: usize,
    /// Mean predicted recall (%) on each learner's end-point date, learners who have not
    /// started the item counting as 0.
    pub predicted_recall: Option<f64>,
    /// Learners who have not started the item.
    pub not_started: usize,
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
    /// The learner's end-point date, predicted recall on it (%) per item where studied, and
    /// the predicted share of the items recalled on it (%, items not started counting 0).
    pub epa: NaiveDate,
    pub predicted: Vec<Option<f64>>,
    pub predicted_share: f64,
    pub not_started: usize,
}

/// One learner's scheduler, what their reviews aim at and their end-point date.
#[derive(Debug, Clone)]
pub struct Horizon {
    pub sched: std::sync::Arc<Scheduler>,
    pub aim: crate::srs::Aim,
    pub epa: NaiveDate,
}

impl Horizon {
    /// The default scheduler aiming at a date [`crate::srs::DEFAULT_HORIZON_DAYS`] ahead.
    pub fn default_for(sched: &Scheduler, now: DateTime<Utc>) -> Horizon {
        Horizon {
            sched: std::sync::Arc::new(sched.clone()),
            aim: sched.default_aim(),
            epa: now.date_naive() + chrono::Days::new(crate::srs::DEFAULT_HORIZON_DAYS),
        }
    }
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

/// The report from its rows, with one summary per standard drawn from the item rows.
fn assemble(
    scope: &Scope,
    bank: &Bank,
    now: DateTime<Utc>,
    items: Vec<ItemRow>,
    questions: Vec<QuestionRow>,
    matrix: Vec<MatrixRow>,
) -> Report {
    let standards = standard_summaries(scope, bank, &items);
    Report {
        scope: scope.name.clone(),
        generated: now,
        from: scope.from,
        to: scope.to,
        learners: scope.learners.len(),
        standards,
        items,
        questions,
        matrix,
    }
}

/// The analysis, fed one learner at a time ([`Analysis::add`]), so a report over many
/// learners with long histories holds compact digests, not every answer.
pub struct Analysis<'a> {
    scope: &'a Scope,
    bank: &'a Bank,
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
    /// Per item: summed predicted recall on the date (0..1), learners not started.
    item_outlook: Vec<(f64, usize)>,
    horizons: Option<&'a dyn super::Horizons>,
    default_horizon: Horizon,
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
            now,
            item_totals: vec![(0, 0, 0); items.len()],
            item_status: vec![(0, 0); items.len()],
            item_outlook: vec![(0.0, 0); items.len()],
            horizons: None,
            default_horizon: Horizon::default_for(sched, now),
            items,
            item_index,
            questions,
            question_index,
            question_totals,
            digests: Vec::with_capacity(scope.learners.len()),
            matrix: Vec::with_capacity(scope.learners.len()),
        }
    }

    /// Judges each learner against their own scheduler and end-point date.
    pub fn with_horizons(mut self, horizons: Option<&'a dyn super::Horizons>) -> Self {
        self.horizons = horizons;
        self
    }

    /// The report, once every learner has been added.
    pub fn finish(self) -> Report {
        let ability = Ability::of(&self.digests);
        let (questions, flags_by_item) = self.question_rows(&ability);
        let items = self.item_rows(&ability, &flags_by_item);
        assemble(
            self.scope,
            self.bank,
            self.now,
            items,
            questions,
            self.matrix,
        )
    }
}

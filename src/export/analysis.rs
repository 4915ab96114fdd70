//! Item analysis: what a cohort knows, knowledge item by knowledge item.
//!
//! Statistics follow classical test theory as Moodle's quiz statistics report them, computed on
//! each learner's *first exposure* (their first answer to an item, or to a question):
//! facility index (share right, %), discrimination index (item-rest correlation: the Pearson
//! correlation between the first-exposure score on this item and the learner's mean
//! first-exposure score on every other item, x100), with Moodle's quality bands. Distractor
//! analysis per question: how often each wrong option is chosen, flagged *non-functioning* when
//! under 5% choose it, and *possible key error* when the top third of learners choose it more
//! than the bottom third.

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// Everything the analysis reads, gathered once.
pub struct Inputs<'a> {
    pub scope: &'a Scope,
    pub bank: &'a Bank,
    pub sched: &'a Scheduler,
    pub now: DateTime<Utc>,
    /// Attempts of the scope's learners, oldest first per learner.
    pub attempts: &'a HashMap<LearnerId, Vec<Attempt>>,
    pub states: &'a HashMap<LearnerId, HashMap<String, SrsState>>,
}

/// Computes the report.
pub fn analyse(inp: &Inputs) -> Report {
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

    // First exposure per learner and item / question, and all answers.
    let mut first_item: HashMap<(LearnerId, &str), bool> = HashMap::new();
    let mut first_q: HashMap<(LearnerId, &str), &Attempt> = HashMap::new();
    let mut all_item: HashMap<&str, (usize, usize, BTreeSet<LearnerId>)> = HashMap::new();
    let mut all_q: HashMap<&str, Vec<&Attempt>> = HashMap::new();
    for l in &scope.learners {
        for a in inp.attempts.get(&l.id).map_or(&[][..], Vec::as_slice) {
            if !in_range(a) || !item_set.contains(a.item.as_str()) {
                continue;
            }
            first_item
                .entry((l.id, a.item.as_str()))
                .or_insert(a.correct);
            first_q.entry((l.id, a.question.as_str())).or_insert(a);
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
            let options: Vec<OptionStat> = q
                .options
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let chosen = answers.iter().filter(|a| a.option == i).count();
                    let share = pct(chosen, answers.len()).unwrap_or(0.0);
                    let (top_share, bottom_share) = (share_in(&top, i), share_in(&bottom, i));
                    let key = i == q.answer;
                    let flag = if key || answers.is_empty() {
                        None
                    } else if matches!((top_share, bottom_share), (Some(t), Some(b)) if t > b) {
                        Some("possible key error".to_string())
                    } else if share < 5.0 {
                        Some("non-functioning".to_string())
                    } else {
                        None
                    };
                    OptionStat {
                        letter: crate::engine::letter(i),
                        text: text.clone(),
                        key,
                        chosen,
                        share: round1(share),
                        top_share,
                        bottom_share,
                        flag,
                    }
                })
                .collect();
            let e = flags_by_item.entry(id.clone()).or_default();
            e.0 += options
                .iter()
                .filter(|o| o.flag.as_deref() == Some("non-functioning"))
                .count();
            e.1 += options
                .iter()
                .filter(|o| o.flag.as_deref() == Some("possible key error"))
                .count();
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
            let status = match st {
                None => Status::NotStarted,
                Some(s) if s.leech => Status::Leech,
                Some(s) if inp.sched.mastered(s, inp.now) => Status::Secure,
                Some(_) => Status::Learning,
            };
            mastered += usize::from(status == Status::Secure);
            leeches += usize::from(status == Status::Leech);
            row.cells.push(status);
            row.recall
                .push(st.map(|s| round1(100.0 * f64::from(inp.sched.retrievability(s, inp.now)))));
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

    let mut by_std: BTreeMap<&str, Vec<&ItemRow>> = BTreeMap::new();
    for it in &items {
        by_std.entry(it.standard.as_str()).or_default().push(it);
    }
    let standards = scope
        .standards
        .iter()
        .map(|code| {
            let rows = by_std.get(code.as_str()).cloned().unwrap_or_default();
            let answered: Vec<f64> = rows.iter().filter_map(|r| r.first_try_correct).collect();
            let pairs = rows.len() * scope.learners.len();
            StandardSummary {
                code: code.clone(),
                title: inp
                    .bank
                    .standard(code)
                    .map(|f| f.standard.title.clone())
                    .unwrap_or_default(),
                items: rows.len(),
                facility: (!answered.is_empty())
                    .then(|| round1(answered.iter().sum::<f64>() / answered.len() as f64)),
                mastery: pct(rows.iter().map(|r| r.mastered).sum(), pairs).map_or(0.0, round1),
            }
        })
        .collect();
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

    #[test]
    fn bands() {
        assert_eq!(facility_band(50.0), "about right");
        assert_eq!(facility_band(97.0), "extremely easy");
        assert_eq!(discrimination_band(-5.0), "invalid (negative)");
        assert_eq!(discrimination_band(55.0), "very good");
    }
}

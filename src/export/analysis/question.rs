//! Per question: running totals as learners are read, each option's share and flags
//! (distractor analysis), and the question rows with their facility and discrimination.

use super::learner::Ability;
use super::stats::{discrimination_band, facility_band, pct, pearson, round1};
use super::{Analysis, OptionStat, QuestionRow};
use crate::bank::Question;

/// Whole-question running totals.
#[derive(Default, Clone)]
pub(super) struct QuestionTotals {
    pub(super) answers: usize,
    pub(super) correct: usize,
    /// Answers per option.
    pub(super) options: Vec<usize>,
}

/// Option `i` of a question: chosen `chosen` times of `answers`, and by these shares of the
/// top and bottom thirds' answers; flagged as a possible key error (a distractor the strong
/// choose more than the weak) or non-functioning (under 5%).
fn option_stat(
    q: &Question,
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
pub(super) fn flag_counts(options: &[OptionStat]) -> (usize, usize) {
    let count = |f: &str| {
        options
            .iter()
            .filter(|o| o.flag.as_deref() == Some(f))
            .count()
    };
    (count("non-functioning"), count("possible key error"))
}

/// What a question's row is made of, however the answers were counted.
pub(super) struct QuestionFigures<'f> {
    /// Learners whose first exposure to the question is in range, and how many were right.
    pub(super) firsts: (usize, usize),
    /// Per such learner with a mean score on other items: right or not, and that mean.
    pub(super) pairs: &'f [(f64, f64)],
    /// Answers in range, and how many were right.
    pub(super) answers: usize,
    pub(super) correct: usize,
}

/// The row of question `q` (`id`, of `item`); `option(i)` gives option `i`'s answers and its
/// shares of the top and bottom thirds' answers.
pub(super) fn question_row(
    id: &str,
    item: &str,
    q: &Question,
    f: &QuestionFigures,
    option: impl Fn(usize) -> (usize, Option<f64>, Option<f64>),
) -> QuestionRow {
    let disc = pearson(f.pairs).map(|r| round1(100.0 * r));
    let facility = pct(f.firsts.1, f.firsts.0).map(round1);
    let options: Vec<OptionStat> = (0..q.options.len())
        .map(|i| {
            let (chosen, top_share, bottom_share) = option(i);
            option_stat(q, i, chosen, f.answers, top_share, bottom_share)
        })
        .collect();
    QuestionRow {
        id: id.to_string(),
        item: item.to_string(),
        qtype: q.qtype.name().to_string(),
        stem: q.stem.clone(),
        learners: f.firsts.0,
        attempts: f.answers,
        facility,
        facility_band: facility.map(facility_band),
        correct_rate: pct(f.correct, f.answers).map(round1),
        discrimination: disc,
        discrimination_band: disc.map(discrimination_band),
        options,
    }
}

impl Analysis<'_> {
    /// One row per question; and per item, its questions' options flagged non-functioning and
    /// possible key errors.
    pub(super) fn question_rows(
        &self,
        ability: &Ability,
    ) -> (Vec<QuestionRow>, Vec<(usize, usize)>) {
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
        for (k, d) in self.digests.iter().enumerate() {
            for &(q, correct) in &d.first_qs {
                let item = self.questions[q as usize].1;
                let f = &mut q_firsts[q as usize];
                f.0 += 1;
                f.1 += usize::from(correct);
                let own = f64::from(u8::from(d.first_item(item).unwrap_or(correct)));
                if let Some(r) = ability.rest(k, own) {
                    q_pairs[q as usize].push((f64::from(u8::from(correct)), r));
                }
            }
            if let Some(g) = ability.third(k) {
                for &(q, o, n) in &d.chosen {
                    q_group_totals[q as usize][g] += n as usize;
                    if let Some(c) = q_groups[q as usize][g].get_mut(usize::from(o)) {
                        *c += n as usize;
                    }
                }
            }
        }

        let mut questions = Vec::with_capacity(nq);
        let mut flags_by_item = vec![(0usize, 0usize); self.items.len()];
        for (n, &(qid, item)) in self.questions.iter().enumerate() {
            let Some(q) = self.bank.question(qid) else {
                continue;
            };
            let totals = &self.question_totals[n];
            let share_in = |g: usize, opt: usize| {
                pct(
                    q_groups[n][g].get(opt).copied().unwrap_or(0),
                    q_group_totals[n][g],
                )
                .map(round1)
            };
            let figures = QuestionFigures {
                firsts: q_firsts[n],
                pairs: &q_pairs[n],
                answers: totals.answers,
                correct: totals.correct,
            };
            let row = question_row(qid, self.items[item as usize], q, &figures, |i| {
                let chosen = totals.options.get(i).copied().unwrap_or(0);
                (chosen, share_in(1, i), share_in(0, i))
            });
            let e = &mut flags_by_item[item as usize];
            let (nf, ke) = flag_counts(&row.options);
            e.0 += nf;
            e.1 += ke;
            questions.push(row);
        }
        (questions, flags_by_item)
    }
}

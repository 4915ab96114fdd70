//! Bank validation and test-wiseness measurement.
//!
//! Validation: every question well formed (distinct options, answer in range, no unfilled
//! placeholder, explanation cites its item), every item covered by enough questions of enough
//! types, ids unique. Measurement: how often naive strategies win (always the longest option;
//! the option sharing most words with the stem; each answer position), against ceilings kept in
//! `data/bank-check.toml` so a regression fails the check. The strategies are measured over
//! the whole bank and per question type, since a weak type can hide in a good overall figure.
//! Ties give fractional credit.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::generate::overlap;
use super::{BankError, BankFile, Question};

/// Ceilings and floors the bank must meet (`data/bank-check.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Highest share of all questions any test-wise strategy may answer right (see
    /// [`STRATEGIES`]).
    pub max_test_wise: f64,
    /// Highest share of one question type's questions any test-wise strategy may answer right.
    pub max_test_wise_per_type: f64,
    /// Types with fewer questions than this are measured but not held to
    /// `max_test_wise_per_type` (a handful of questions says little about a strategy).
    pub min_type_questions: usize,
    /// Largest distance of any answer position's share from an even split.
    pub max_position_skew: f64,
    pub min_questions_per_item: usize,
    pub min_types_per_item: usize,
}

/// Used only for a project without `data/bank-check.toml`; the project's own file (which CI
/// checks the bank against) is stricter.
impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_test_wise: 0.32,
            max_test_wise_per_type: 0.32,
            min_type_questions: 50,
            max_position_skew: 0.02,
            min_questions_per_item: 3,
            min_types_per_item: 2,
        }
    }
}

impl Limits {
    /// Reads a `bank-check.toml`.
    pub fn load(path: &Path) -> Result<Self, BankError> {
        super::material::read_toml(path)
    }
}

/// Telegram's native quiz poll limits (Bot API sendPoll).
pub const POLL_QUESTION_MAX: usize = 300;
pub const POLL_OPTION_MAX: usize = 100;
pub const POLL_EXPLANATION_MAX: usize = 200;

/// Whether a question can be sent as a native Telegram quiz poll.
pub fn fits_poll(q: &Question) -> bool {
    fits_poll_parts(&q.stem, &q.options, &q.explanation)
}

/// [`fits_poll`] for a question's parts (as an adapter holds them).
pub fn fits_poll_parts(stem: &str, options: &[String], explanation: &str) -> bool {
    stem.chars().count() <= POLL_QUESTION_MAX
        && options.iter().all(|o| o.chars().count() <= POLL_OPTION_MAX)
        && explanation.chars().count() <= POLL_EXPLANATION_MAX
        && explanation.matches('\n').count() <= 2
        && (2..=10).contains(&options.len())
}

/// What `bank check` found.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Report {
    pub standards: usize,
    pub items: usize,
    pub questions: usize,
    pub by_type: BTreeMap<String, usize>,
    pub by_source: BTreeMap<String, usize>,
    /// Share answered right by each test-wise strategy, by name.
    pub test_wise: BTreeMap<String, f64>,
    /// The same per question type: type -> strategy -> share of that type's questions.
    pub test_wise_by_type: BTreeMap<String, BTreeMap<String, f64>>,
    /// Chance level (1 / options) averaged over questions.
    pub chance: f64,
    /// Share of questions whose key is at each position.
    pub positions: Vec<f64>,
    /// Questions that fit Telegram's native quiz poll limits.
    pub poll_fit: usize,
    /// Malformed questions and uncovered items.
    pub errors: Vec<String>,
    /// Quality figures beyond their ceilings in `data/bank-check.toml`.
    pub regressions: Vec<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.errors.is_empty() && self.regressions.is_empty()
    }

    /// Every problem, errors first.
    pub fn problems(&self) -> impl Iterator<Item = &String> {
        self.errors.iter().chain(&self.regressions)
    }
}

/// Naive strategies a test-wise learner might use: pick the option that is longest, shortest,
/// shares most content words with the question, or shares fewest.
pub const STRATEGIES: [&str; 4] = [
    "longest option",
    "shortest option",
    "most words shared with the question",
    "fewest words shared with the question",
];

/// Credit each of [`STRATEGIES`] earns on one question (stem, options, index of the key): 1/k
/// if the key is among the strategy's k equally ranked picks, else 0. The generator uses this
/// too, to choose keys that give nothing away.
pub fn credits(stem: &str, options: &[String], answer: usize) -> [f64; STRATEGIES.len()] {
    let len: Vec<i64> = options.iter().map(|o| o.chars().count() as i64).collect();
    let shared: Vec<i64> = options.iter().map(|o| overlap(stem, o) as i64).collect();
    let credit = |scores: Vec<i64>| {
        let best = scores.iter().copied().max().unwrap_or(0);
        let tied = scores.iter().filter(|&&s| s == best).count();
        if scores.get(answer) == Some(&best) {
            1.0 / tied as f64
        } else {
            0.0
        }
    };
    [
        credit(len.clone()),
        credit(len.iter().map(|l| -l).collect()),
        credit(shared.clone()),
        credit(shared.iter().map(|s| -s).collect()),
    ]
}

/// Checks one question's form; returns problems found.
fn check_question(q: &Question, bank: &BankFile, errors: &mut Vec<String>) {
    let mut err = |m: String| errors.push(format!("{}: {m}", q.id));
    if q.options.len() < 2 {
        err("fewer than two options".into());
    }
    if q.answer >= q.options.len() {
        err(format!(
            "answer {} is not one of the {} options",
            q.answer,
            q.options.len()
        ));
    }
    let distinct: HashSet<String> = q.options.iter().map(|o| o.trim().to_lowercase()).collect();
    if distinct.len() != q.options.len() {
        err("two options are the same".into());
    }
    for text in std::iter::once(&q.stem)
        .chain(&q.options)
        .chain([&q.explanation])
    {
        if text.trim().is_empty() {
            err("empty text".into());
        }
        if text.contains("{{") || text.contains("}}") {
            err(format!("unfilled placeholder in {text:?}"));
        }
    }
    match bank.items.iter().find(|i| i.id == q.item) {
        None => err(format!("tests unknown item {}", q.item)),
        Some(item) => {
            let cite = format!(
                "{} {}{}",
                bank.standard.code,
                item.kind.letter(),
                item.number
            );
            if !q.explanation.contains(&cite) {
                err(format!("explanation does not cite {cite}"));
            }
        }
    }
}

/// Validates banks and measures them against `limits`.
pub fn check(banks: &[BankFile], limits: &Limits) -> Report {
    let mut r = Report {
        standards: banks.len(),
        ..Report::default()
    };
    let mut ids = HashSet::new();
    let mut positions = vec![0usize; 4];
    let mut wins = [0.0f64; STRATEGIES.len()];
    let mut type_wins: BTreeMap<&'static str, (usize, [f64; STRATEGIES.len()])> = BTreeMap::new();
    let mut chance = 0.0;
    for bank in banks {
        r.items += bank.items.len();
        let mut per_item: BTreeMap<&str, (usize, BTreeSet<&str>)> = bank
            .items
            .iter()
            .map(|i| (i.id.as_str(), (0, BTreeSet::new())))
            .collect();
        for q in &bank.questions {
            r.questions += 1;
            if !ids.insert(q.id.clone()) {
                r.errors.push(format!("{}: question id used twice", q.id));
            }
            check_question(q, bank, &mut r.errors);
            if let Some((n, types)) = per_item.get_mut(q.item.as_str()) {
                *n += 1;
                types.insert(q.qtype.name());
            }
            *r.by_type.entry(q.qtype.name().to_string()).or_default() += 1;
            *r.by_source.entry(q.source.clone()).or_default() += 1;
            if q.answer >= positions.len() {
                positions.resize(q.answer + 1, 0);
            }
            positions[q.answer] += 1;
            let got = credits(&q.stem, &q.options, q.answer);
            let (n, tw) = type_wins.entry(q.qtype.name()).or_default();
            *n += 1;
            for ((w, t), g) in wins.iter_mut().zip(tw.iter_mut()).zip(got) {
                *w += g;
                *t += g;
            }
            chance += 1.0 / q.options.len().max(1) as f64;
            if fits_poll(q) {
                r.poll_fit += 1;
            }
        }
        for (item, (n, types)) in per_item {
            if n < limits.min_questions_per_item || types.len() < limits.min_types_per_item {
                r.errors.push(format!(
                    "{item}: {n} questions of {} types (needs at least {} of {} types)",
                    types.len(),
                    limits.min_questions_per_item,
                    limits.min_types_per_item
                ));
            }
        }
    }
    let shares = |n: usize, wins: [f64; STRATEGIES.len()]| -> BTreeMap<String, f64> {
        STRATEGIES
            .iter()
            .zip(wins)
            .map(|(name, w)| (name.to_string(), w / n.max(1) as f64))
            .collect()
    };
    let n = r.questions.max(1) as f64;
    r.test_wise = shares(r.questions, wins);
    r.test_wise_by_type = type_wins
        .iter()
        .map(|(t, &(n, w))| (t.to_string(), shares(n, w)))
        .collect();
    r.chance = chance / n;
    r.positions = positions.iter().map(|&c| c as f64 / n).collect();
    if r.questions > 0 {
        for (name, share) in &r.test_wise {
            if *share > limits.max_test_wise {
                r.regressions.push(format!(
                    "always picking the {name} scores {:.1}% (ceiling {:.1}%)",
                    100.0 * share,
                    100.0 * limits.max_test_wise
                ));
            }
        }
        for (qtype, figures) in &r.test_wise_by_type {
            let count = r.by_type.get(qtype).copied().unwrap_or(0);
            if count < limits.min_type_questions {
                continue;
            }
            for (name, share) in figures {
                if *share > limits.max_test_wise_per_type {
                    r.regressions.push(format!(
                        "{qtype} questions ({count}): always picking the {name} scores {:.1}% \
                         (ceiling {:.1}% per type)",
                        100.0 * share,
                        100.0 * limits.max_test_wise_per_type
                    ));
                }
            }
        }
        let even = 1.0 / positions.len() as f64;
        for (i, share) in r.positions.iter().enumerate() {
            if (share - even).abs() > limits.max_position_skew {
                r.regressions.push(format!(
                    "the key is option {} in {:.1}% of questions (even is {:.1}%)",
                    i + 1,
                    100.0 * share,
                    100.0 * even
                ));
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_share_ties() {
        let options: Vec<String> = ["Wipe the tea up", "Call a manager", "Wipe the kettle", "Go"]
            .map(String::from)
            .to_vec();
        let stem = "Mo spilt tea by the kettle.";
        // Longest: 0 and 2 tie (15 characters); shortest: 3; most shared: 0 and 2 (one word
        // each); fewest: 1 and 3 (none).
        assert_eq!(credits(stem, &options, 0), [0.5, 0.0, 0.5, 0.0]);
        assert_eq!(credits(stem, &options, 3), [0.0, 1.0, 0.0, 0.5]);
    }
}

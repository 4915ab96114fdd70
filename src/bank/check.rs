//! Bank validation and test-wiseness measurement.
//!
//! Validation: every question well formed (distinct options, answer in range, no unfilled
//! placeholder, explanation cites its item, a reason for every option of authored questions),
//! every item covered by enough questions of enough types, ids unique. Measurement: how often
//! naive strategies win (always the longest option; the option sharing most words with the
//! stem; the only option giving a reason, or the only one not; the only option involving the
//! person, or the only one leaving them out; the odd one out by the other forms of
//! [`super::forms`], or by a word of the question or a word the others share; each answer
//! position), and how often a model that reads only the
//! options finds the key ([`super::probe`]), against ceilings kept in
//! `data/bank-check.toml` so a regression fails the check. The strategies are measured over
//! the whole bank and per question type, since a weak type can hide in a good overall figure.
//! Ties give fractional credit.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::forms::{
    absolute, gives_reason, hedges, involves_others, involves_person, names_a_time, puts_off,
    two_actions,
};
use super::generate::words;
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
    /// Highest share the middle strategies ([`MIDDLE_STRATEGIES`]) may answer right, overall;
    /// per type they are held to `max_test_wise_per_type` like the others.
    pub max_test_wise_middle: f64,
    /// Highest share the strategies picking by a flag ([`FLAG_STRATEGIES`]) may answer right,
    /// overall: they guess where the flag singles nothing out, so a bank without the cue scores
    /// chance.
    pub max_test_wise_flag: f64,
    /// Largest distance of any answer position's share from an even split.
    pub max_position_skew: f64,
    pub min_questions_per_item: usize,
    pub min_types_per_item: usize,
    /// Most points (as a share) the answer-only model may score above chance on any question
    /// type with at least `min_type_questions` questions.
    pub max_answer_only_margin: f64,
}

/// Used only for a project without `data/bank-check.toml`; the project's own file (which CI
/// checks the bank against) is stricter.
impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_test_wise: 0.32,
            max_test_wise_per_type: 0.32,
            max_test_wise_middle: 0.32,
            max_test_wise_flag: 0.32,
            min_type_questions: 50,
            max_position_skew: 0.02,
            min_questions_per_item: 3,
            min_types_per_item: 1,
            max_answer_only_margin: 0.10,
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
    /// The answer-only model's figures, cues and the questions that carry them.
    pub answer_only: super::probe::ProbeReport,
    /// Items with no questions yet (no reviewed material), by standard: never asked until a
    /// tutor writes and reviews their material.
    pub unwritten: BTreeMap<String, usize>,
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
/// shares most content words with the question, or shares fewest; pick the only option that
/// gives a reason ("..., so ...", "since ..."), or the only one that gives none (in the first
/// bank, the poor options justified themselves and the good ones did not: 83% of keys were
/// the one option without a reason). Those two, and the two by involving the person, pick the
/// option that stands out where one does and guess elsewhere, as a learner using the cue would.
/// Then pick among the options that put the action off (to tomorrow, the next review, until
/// something happens), or among those that do not: reviewers found poor options waiting far
/// more often than good ones, so "never the one that waits" paid in scenario questions and
/// "the one that waits" in falls-short ones ([`FLAG_STRATEGIES`]). Then the options read
/// against each other, never the question: the option sharing most content words with the
/// other three (distractors written as near misses of the key make it their centre, the
/// "convergence" cue of the test-wiseness literature), or fewest (the odd one out).
/// Last, the odd one out by the other forms random reviewers named when they marked a key as
/// given away ([`super::forms`]): the only option bringing someone else in (a manager, another
/// service, family) or the only one bringing no one in; the only one with a time word or
/// without; the only one hedging or not; with an absolute or without; with two actions or
/// with one. Each picks the option standing out where one does and guesses elsewhere.
/// Last of all, the two giveaways reviewers name most often by words rather than by form:
/// the only option repeating a word of the question that no other option repeats, and the
/// only option lacking a word the other three share (three sound options sharing the item's
/// theme word around a falls-short key that lacks it, or three poor options sharing one
/// around a key).
pub const STRATEGIES: [&str; 27] = [
    "longest option",
    "shortest option",
    "most words shared with the question",
    "fewest words shared with the question",
    "only option giving a reason",
    "only option giving no reason",
    "middle option by length",
    "middle option by words shared with the question",
    "most words shared with the other options",
    "fewest words shared with the other options",
    "middle option by words shared with the other options",
    "only option involving the person",
    "only option leaving the person out",
    "option putting the action off",
    "option acting without delay",
    "only option bringing someone else in",
    "only option bringing no one else in",
    "only option with a time word",
    "only option without a time word",
    "only option hedging",
    "only option not hedging",
    "only option with an absolute",
    "only option without an absolute",
    "only option with two actions",
    "only option with one action",
    "only option repeating a word of the question",
    "only option lacking a word the other three share",
];

/// Strategies that pick from the middle: with the key seldom the longest or the shortest, the
/// options in between hold it more often than chance (the rewrite of the material overshot
/// that way at first). Since a key that is neither longest nor shortest is in the middle, they
/// cannot all stay below chance with the others: they have a ceiling of their own
/// (`max_test_wise_middle`).
pub const MIDDLE_STRATEGIES: [&str; 3] = [STRATEGIES[6], STRATEGIES[7], STRATEGIES[10]];

/// Strategies that pick by a flag (a reason clause, involving the person, putting the action
/// off) and guess where the flag singles nothing out. A bank without the cue scores chance on
/// them, not below it as the ranking strategies can: they have a ceiling of their own
/// (`max_test_wise_flag`).
/// Counting only the questions where the cue singles an option out (as the check did at first)
/// hid a cue: where one falls-short option alone left the person out it was the key in 51%,
/// yet the strategy "scored" 4.7%; and the generator, pulling every strategy's score towards
/// chance, then chose such options as keys to lift it.
pub const FLAG_STRATEGIES: [&str; 18] = [
    STRATEGIES[4],
    STRATEGIES[5],
    STRATEGIES[11],
    STRATEGIES[12],
    STRATEGIES[13],
    STRATEGIES[14],
    STRATEGIES[15],
    STRATEGIES[16],
    STRATEGIES[17],
    STRATEGIES[18],
    STRATEGIES[19],
    STRATEGIES[20],
    STRATEGIES[21],
    STRATEGIES[22],
    STRATEGIES[23],
    STRATEGIES[24],
    STRATEGIES[25],
    STRATEGIES[26],
];

/// Credit each of [`STRATEGIES`] earns on one question (stem, options, index of the key): 1/k
/// if the key is among the strategy's k equally ranked picks, else 0. The generator uses this
/// too, to choose keys that give nothing away.
pub fn credits(stem: &str, options: &[String], answer: usize) -> [f64; STRATEGIES.len()] {
    let len: Vec<i64> = options.iter().map(|o| o.chars().count() as i64).collect();
    // Each option's content words, and the question's, read once for every word strategy.
    let sets = word_sets(options);
    let asked: HashSet<String> = words(stem).collect();
    let shared: Vec<i64> = sets.iter().map(|s| overlap(&asked, s)).collect();
    let linked = linked_sets(&sets);
    let credit = |scores: Vec<i64>| {
        let best = scores.iter().copied().max().unwrap_or(0);
        let tied = scores.iter().filter(|&&s| s == best).count();
        if scores.get(answer) == Some(&best) {
            1.0 / tied as f64
        } else {
            0.0
        }
    };
    // Each option's forms ([`super::forms`]), one flag per option.
    let form = |f: fn(&str) -> bool| options.iter().map(|o| f(o)).collect::<Vec<bool>>();
    // The odd one out by reason clause: the strategy picks it when there is exactly one, and
    // guesses among all where there is none.
    let reasons = form(gives_reason);
    // The odd one out by involving the person, picked the same way.
    let involving = form(involves_person);
    let waits = form(puts_off);
    // The odd one out by the other forms reviewers named: someone else brought in, a time
    // word, a hedge, an absolute, two actions against one.
    let others = form(involves_others);
    let timed = form(names_a_time);
    let hedged = form(hedges);
    let absolutes = form(absolute);
    let paired = form(two_actions);
    // The words reviewers read across options: a word of the question only this option
    // repeats, and a word the other three share that this one lacks.
    let echoes: Vec<bool> = (0..sets.len())
        .map(|i| {
            sets[i].iter().any(|w| {
                asked.contains(w) && (0..sets.len()).all(|j| j == i || !sets[j].contains(w))
            })
        })
        .collect();
    let lacks: Vec<bool> = (0..sets.len())
        .map(|i| {
            let others: Vec<&HashSet<String>> = (0..sets.len())
                .filter(|&j| j != i)
                .map(|j| &sets[j])
                .collect();
            others.first().is_some_and(|first| {
                first
                    .iter()
                    .any(|w| !sets[i].contains(w) && others.iter().all(|o| o.contains(w)))
            })
        })
        .collect();
    // Where a strategy singles nothing out, the learner guesses.
    let guess = 1.0 / options.len().max(1) as f64;
    let odd = |flags: &[bool], want: bool| {
        if flags.iter().filter(|&&f| f == want).count() == 1 {
            f64::from(u8::from(flags.get(answer) == Some(&want)))
        } else {
            guess
        }
    };
    // Any of the options with the flag (or without it), ties sharing credit; a guess among all
    // where none has it.
    let among = |flags: &[bool], want: bool| {
        let picks = flags.iter().filter(|&&f| f == want).count();
        if picks == 0 {
            guess
        } else if flags.get(answer) == Some(&want) {
            1.0 / picks as f64
        } else {
            0.0
        }
    };
    // The middle: any option that is neither the highest nor the lowest, ties sharing credit;
    // with no such option, a guess among all.
    let middle = |scores: &[i64]| {
        let hi = scores.iter().copied().max().unwrap_or(0);
        let lo = scores.iter().copied().min().unwrap_or(0);
        let mid: Vec<usize> = (0..scores.len())
            .filter(|&i| scores[i] != hi && scores[i] != lo)
            .collect();
        if mid.is_empty() {
            guess
        } else if mid.contains(&answer) {
            1.0 / mid.len() as f64
        } else {
            0.0
        }
    };
    [
        credit(len.clone()),
        credit(len.iter().map(|l| -l).collect()),
        credit(shared.clone()),
        credit(shared.iter().map(|s| -s).collect()),
        odd(&reasons, true),
        odd(&reasons, false),
        middle(&len),
        middle(&shared),
        credit(linked.clone()),
        credit(linked.iter().map(|s| -s).collect()),
        middle(&linked),
        odd(&involving, true),
        odd(&involving, false),
        among(&waits, true),
        among(&waits, false),
        odd(&others, true),
        odd(&others, false),
        odd(&timed, true),
        odd(&timed, false),
        odd(&hedged, true),
        odd(&hedged, false),
        odd(&absolutes, true),
        odd(&absolutes, false),
        odd(&paired, true),
        odd(&paired, false),
        odd(&echoes, true),
        odd(&lacks, true),
    ]
}

/// For each option, how many content words it shares with each of the others, summed.
pub fn linked(options: &[String]) -> Vec<i64> {
    linked_sets(&word_sets(options))
}

/// How many distinct content words of an option (`option`, its [`word_sets`] entry) occur in
/// the question (`asked`, its content words).
fn overlap(asked: &HashSet<String>, option: &HashSet<String>) -> i64 {
    option.intersection(asked).count() as i64
}

/// Each option's distinct content words.
fn word_sets(options: &[String]) -> Vec<HashSet<String>> {
    options.iter().map(|o| words(o).collect()).collect()
}

/// [`linked`] from the options' word sets.
fn linked_sets(sets: &[HashSet<String>]) -> Vec<i64> {
    sets.iter()
        .enumerate()
        .map(|(i, mine)| {
            sets.iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, other)| mine.intersection(other).count() as i64)
                .sum()
        })
        .collect()
}

/// The positions whose share of `counts` (answer position -> questions) is further from an
/// even split over `slots` positions than `max_position_skew`, as regressions worded
/// "{before}the key is option N in X%{after} (even is Y%)".
fn position_skews(
    counts: &[usize],
    slots: usize,
    limits: &Limits,
    before: &str,
    after: &str,
) -> Vec<String> {
    let n = counts.iter().sum::<usize>().max(1) as f64;
    let even = 1.0 / slots.max(counts.len()).max(1) as f64;
    counts
        .iter()
        .enumerate()
        .map(|(i, &c)| (i, c as f64 / n))
        .filter(|(_, share)| (share - even).abs() > limits.max_position_skew)
        .map(|(i, share)| {
            format!(
                "{before}the key is option {} in {:.1}%{after} (even is {:.1}%)",
                i + 1,
                100.0 * share,
                100.0 * even
            )
        })
        .collect()
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
    if !q.feedback.is_empty() && q.feedback.len() != q.options.len() {
        err(format!(
            "{} reasons for {} options",
            q.feedback.len(),
            q.options.len()
        ));
    }
    if q.source == "authored" && (0..q.options.len()).any(|i| q.why(i).is_none()) {
        err("an option has no reason (`why`) in its material".into());
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
    let mut type_positions: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
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
            let tp = type_positions.entry(q.qtype.name()).or_default();
            if q.answer >= tp.len() {
                tp.resize(q.answer + 1, 0);
            }
            tp[q.answer] += 1;
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
            if n == 0 {
                *r.unwritten.entry(bank.standard.code.clone()).or_default() += 1;
                continue;
            }
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
    // Over the whole bank: the per-type counts summed, at least four positions.
    let mut positions = vec![0usize; 4];
    for counts in type_positions.values() {
        if counts.len() > positions.len() {
            positions.resize(counts.len(), 0);
        }
        for (p, c) in positions.iter_mut().zip(counts) {
            *p += c;
        }
    }
    r.positions = positions.iter().map(|&c| c as f64 / n).collect();
    if r.questions > 0 {
        for (name, share) in &r.test_wise {
            let ceiling = if MIDDLE_STRATEGIES.contains(&name.as_str()) {
                limits.max_test_wise_middle
            } else if FLAG_STRATEGIES.contains(&name.as_str()) {
                limits.max_test_wise_flag
            } else {
                limits.max_test_wise
            };
            if *share > ceiling {
                r.regressions.push(format!(
                    "always picking the {name} scores {:.1}% (ceiling {:.1}%)",
                    100.0 * share,
                    100.0 * ceiling
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
        r.answer_only = super::probe::probe(banks);
        for (qtype, s) in &r.answer_only.by_type {
            if s.questions < limits.min_type_questions {
                continue;
            }
            if s.accuracy > s.chance + limits.max_answer_only_margin {
                let cues: Vec<&str> = r
                    .answer_only
                    .cues
                    .iter()
                    .filter(|c| c.feature.starts_with(&format!("{qtype}|")))
                    .take(5)
                    .map(|c| c.feature.as_str())
                    .collect();
                r.regressions.push(format!(
                    "{qtype} questions ({}): a model that reads only the options finds the key \
                     in {:.1}% (chance {:.1}%, ceiling {:.1}%); it goes by {}: rewrite the \
                     options so keys and distractors share these forms",
                    s.questions,
                    100.0 * s.accuracy,
                    100.0 * s.chance,
                    100.0 * (s.chance + limits.max_answer_only_margin),
                    cues.join(", ")
                ));
            }
        }
        r.regressions.extend(position_skews(
            &positions,
            positions.len(),
            limits,
            "",
            " of questions",
        ));
        // Per type too: "in falls-short questions, pick D" is a strategy of its own.
        for (qtype, counts) in &type_positions {
            let n: usize = counts.iter().sum();
            if n >= limits.min_type_questions {
                let before = format!("{qtype} questions ({n}): ");
                r.regressions
                    .extend(position_skews(counts, positions.len(), limits, &before, ""));
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings<const N: usize>(xs: [&str; N]) -> Vec<String> {
        xs.map(String::from).to_vec()
    }

    #[test]
    fn overlap_counts_shared_content_words() {
        let set = |s: &str| words(s).collect::<HashSet<String>>();
        assert_eq!(
            overlap(
                &set("Kai kicks the door when visits are cancelled"),
                &set("Ask Kai about the visits")
            ),
            2
        );
    }

    #[test]
    fn credits_share_ties() {
        let options = strings(["Wipe the tea up", "Call a manager", "Wipe the kettle", "Go"]);
        let stem = "Mo spilt tea by the kettle.";
        // Longest: 0 and 2 tie (15 characters); shortest: 3; most shared: 0 and 2 (one word
        // each); fewest: 1 and 3 (none).
        // Middle by length: option 1 (14 characters; 0 and 2 are longest, 3 shortest). By
        // shared words there is no middle (one or none each): a guess.
        // Against each other: 0 and 2 share "wipe" (most, tied), 1 and 3 share nothing
        // (fewest, tied), no middle (a guess). No option gives a reason, involves a person or
        // waits, so those strategies guess; "Call a manager" alone brings someone else in, and
        // no option names a time, hedges, speaks in absolutes or holds two actions. Two options
        // repeat a word of the question ("tea", "kettle") and no word is shared by three, so
        // the last two strategies guess.
        assert_eq!(
            credits(stem, &options, 0),
            [
                0.5, 0.0, 0.5, 0.0, 0.25, 0.25, 0.0, 0.25, 0.5, 0.0, 0.25, 0.25, 0.25, 0.25, 0.25,
                0.0, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25
            ]
        );
        assert_eq!(
            credits(stem, &options, 1),
            [
                0.0, 0.0, 0.0, 0.5, 0.25, 0.25, 1.0, 0.25, 0.0, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25,
                1.0, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25
            ]
        );
        assert_eq!(
            credits(stem, &options, 3),
            [
                0.0, 1.0, 0.0, 0.5, 0.25, 0.25, 0.0, 0.25, 0.0, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25,
                0.0, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25
            ]
        );
    }

    #[test]
    fn the_odd_one_out_by_reason_is_found() {
        let options = strings([
            "Wipe the tea up, so nobody slips.",
            "Call a manager.",
            "Wipe the kettle.",
            "Go home.",
        ]);
        // The only one giving a reason is found; three give none, so that strategy guesses.
        assert_eq!(credits("Tea", &options, 0)[4..6], [1.0, 0.25]);
        assert_eq!(credits("Tea", &options, 1)[4..6], [0.0, 0.25]);
        let none: Vec<String> = options.iter().skip(1).cloned().collect();
        assert_eq!(credits("Tea", &none, 0)[4..6], [1.0 / 3.0, 1.0 / 3.0]);
    }

    #[test]
    fn the_odd_one_out_by_involving_the_person_is_found() {
        let options = strings([
            "Ask Nora what she wants from the review.",
            "Tell the team the new rota at handover.",
            "Record the incident in the daily log.",
            "Ask CAMHS for an assessment this week.",
        ]);
        assert_eq!(credits("Review", &options, 0)[11..13], [1.0, 0.25]);
        assert_eq!(credits("Review", &options, 1)[11..13], [0.0, 0.25]);
        let mut others = options.clone();
        others[1] = "Plan the rota with Nora.".into();
        others[2] = "Agree the log entry with her.".into();
        assert_eq!(credits("Review", &others, 3)[11..13], [0.25, 1.0]);
        assert_eq!(credits("Review", &others, 0)[11..13], [0.25, 0.0]);
    }

    #[test]
    fn options_putting_the_action_off_are_found() {
        // Two of four wait: "never the one that waits" picks between the other two; "the one
        // that waits" between those two. With none waiting, both guess.
        let options = strings([
            "Ask Nora what she wants from the review.",
            "Raise it at the next review of the plan.",
            "Record the incident in the daily log.",
            "Book the visit for next week and tell the team.",
        ]);
        assert_eq!(credits("Review", &options, 0)[13..15], [0.0, 0.5]);
        assert_eq!(credits("Review", &options, 1)[13..15], [0.5, 0.0]);
        let none = strings(["Ask Nora.", "Record it.", "Tell the team.", "Call the GP."]);
        assert_eq!(credits("Review", &none, 2)[13..15], [0.25, 0.25]);
    }

    #[test]
    fn the_centre_and_the_odd_one_out_of_the_options_are_found() {
        // Distractors written as near misses of the key: each shares part of it.
        let options = strings([
            "Agree with Nora, the nurse and the therapist who does each task.",
            "Let the nurse and the therapist agree the roles between them.",
            "Tell Nora the district nurse decides who does each task.",
            "Take on the dropped visits yourself and give out your number.",
        ]);
        assert_eq!(linked(&options), vec![7, 4, 5, 0]);
        assert_eq!(credits("Roles", &options, 0)[8..11], [1.0, 0.0, 0.0]);
        assert_eq!(credits("Roles", &options, 3)[8..11], [0.0, 1.0, 0.0]);
        assert_eq!(credits("Roles", &options, 1)[8..11], [0.0, 0.0, 0.5]);
    }
}

//! The answer-only probe: a model that reads a question's options and never its stem, trained
//! to find the key. If it can, the key's form gives it away (a reason clause only distractors
//! have, a verb only keys start with, the longest option...) and a right answer measures
//! test-wiseness, not knowledge. `bank check` fails when it beats chance by more than
//! `max_answer_only_margin` on any question type.
//!
//! The model is a conditional logit (a softmax over the options of one question) on sparse
//! form features of each option: its words and word pairs, first and last word, commas, its
//! length against the other options', and how many words it shares with them (the key as the
//! centre of near-miss distractors, or as the odd one out). It is trained per fold by stochastic gradient
//! descent in a seeded order, and always scored on questions it was not trained on: with more
//! than one standard, on each standard with the model trained on the others (so it must find
//! a cue that carries across standards, as a test-wise learner would); a question type that
//! only one standard has, in five folds of its items. Deterministic: the same bank gives the
//! same figures.
//!
//! It is also scored a second way, reported and not gated: in five folds of items across the
//! whole bank (items sharing an option kept in one fold), so a cue peculiar to one standard's
//! wording counts, as it does for a learner who has met many of that standard's questions.

use std::collections::{BTreeMap, HashMap};

use rand::seq::SliceRandom;
use serde::Serialize;

use super::generate::{fnv1a, rng_for};
use super::{BankFile, Question};

const EPOCHS: usize = 30;
const RATE: f64 = 0.2;
const L2: f64 = 1e-3;
const FOLDS: u64 = 5;
/// Questions the text report shows as carrying a cue.
pub const SHOWN: usize = 15;
/// Features reported as cues, per question type.
const CUES_PER_TYPE: usize = 8;

/// What the probe found.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ProbeReport {
    /// Per question type: how often the model picks the key on unseen questions.
    pub by_type: BTreeMap<String, TypeScore>,
    /// The same per standard (by code), then per type: which standard's material carries the
    /// cues, and whether a standard carried over from another scores as its source does.
    pub by_standard: BTreeMap<String, BTreeMap<String, TypeScore>>,
    /// The features that most mark the key (positive weight) or a distractor (negative),
    /// from a model trained on the whole bank.
    pub cues: Vec<Cue>,
    /// Per question type, the model scored in five folds of items across the bank instead of by
    /// standard: a standard's own style counts here. Reported, not gated.
    pub within: BTreeMap<String, TypeScore>,
    /// Every question whose key the unseen model found (and found alone), surest first, with the
    /// feature that helped most: what an author should rewrite first. The text report shows the
    /// first [`SHOWN`]; `bank check --json` lists them all, for an author reworking a standard.
    pub flagged: Vec<Flagged>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct TypeScore {
    pub questions: usize,
    /// Share picked right (ties share credit).
    pub accuracy: f64,
    /// 1 / options, averaged.
    pub chance: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cue {
    /// `type|feature`, e.g. `scenario|w:since` (the word "since"), `shortfall|first:leave`.
    pub feature: String,
    pub weight: f64,
    /// How many keys and how many distractors have it.
    pub keys: usize,
    pub distractors: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Flagged {
    pub question: String,
    /// The model's probability for the key, unseen.
    pub probability: f64,
    pub feature: String,
}

/// One question as the model sees it: sparse features per option, and the key.
struct Sample {
    id: String,
    standard: String,
    qtype: String,
    fold: u64,
    /// Its fold among the bank's items (see [`item_folds`]).
    item_fold: u64,
    options: Vec<Vec<(usize, f64)>>,
    answer: usize,
}

#[derive(Default)]
struct Features {
    index: HashMap<String, usize>,
    names: Vec<String>,
}

impl Features {
    fn id(&mut self, name: String) -> usize {
        if let Some(&i) = self.index.get(&name) {
            return i;
        }
        self.names.push(name.clone());
        self.index.insert(name, self.names.len() - 1);
        self.names.len() - 1
    }
}

/// Lower-cased words, the scenario's person as `name` (so a cue reads "names the person",
/// whoever plays them).
fn tokens(s: &str, person: Option<&str>) -> Vec<String> {
    let person = person.map(str::to_lowercase);
    s.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            match &person {
                Some(p) if w == *p => "name".to_string(),
                Some(p) if w.strip_suffix("'s") == Some(p.as_str()) => "name's".to_string(),
                _ => w,
            }
        })
        .collect()
}

/// The form features of option `i` of `q`, by name.
/// `linked` is [`super::check::linked`] of the question's options, worked out once per question.
fn option_features(q: &Question, i: usize, linked: &[i64]) -> Vec<(String, f64)> {
    let t = q.qtype.name();
    let text = &q.options[i];
    let w = tokens(text, q.person.as_ref().map(|p| p.name.as_str()));
    let mut f: Vec<(String, f64)> = Vec::with_capacity(2 * w.len() + 8);
    for x in &w {
        f.push((format!("{t}|w:{x}"), 1.0));
    }
    for p in w.windows(2) {
        f.push((format!("{t}|b:{}_{}", p[0], p[1]), 1.0));
    }
    if let (Some(first), Some(last)) = (w.first(), w.last()) {
        f.push((format!("{t}|first:{first}"), 1.0));
        f.push((format!("{t}|last:{last}"), 1.0));
    }
    f.push((format!("{t}|commas"), text.matches(',').count() as f64));
    let lens: Vec<f64> = q.options.iter().map(|o| o.chars().count() as f64).collect();
    let len = lens[i];
    let mean = lens.iter().sum::<f64>() / lens.len() as f64;
    let (lo, hi) = lens
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &l| (lo.min(l), hi.max(l)));
    f.push((format!("{t}|length"), 5.0 * (len - mean) / mean.max(1.0)));
    f.push((format!("{t}|longest"), f64::from(u8::from(len == hi))));
    f.push((format!("{t}|shortest"), f64::from(u8::from(len == lo))));
    f.push((format!("{t}|words"), w.len() as f64 / 10.0));
    // The option read against the others: how much of their wording it shares, and whether it
    // is their centre or the odd one out.
    let mine = linked[i] as f64;
    let mean = linked.iter().sum::<i64>() as f64 / linked.len() as f64;
    let (lo, hi) = (
        linked.iter().copied().min().unwrap_or(0),
        linked.iter().copied().max().unwrap_or(0),
    );
    f.push((format!("{t}|linked"), (mine - mean) / mean.max(1.0)));
    f.push((
        format!("{t}|most linked"),
        f64::from(u8::from(linked[i] == hi)),
    ));
    f.push((
        format!("{t}|least linked"),
        f64::from(u8::from(linked[i] == lo)),
    ));
    f
}

fn samples(banks: &[BankFile], feats: &mut Features) -> Vec<Sample> {
    // A type found in one standard only is scored in folds of its items instead: a model
    // trained on other standards would never have seen it.
    let mut standards_of: HashMap<&str, usize> = HashMap::new();
    for bank in banks {
        let mut types: Vec<&str> = bank.questions.iter().map(|q| q.qtype.name()).collect();
        types.sort_unstable();
        types.dedup();
        for t in types {
            *standards_of.entry(t).or_default() += 1;
        }
    }
    let fold_of = shared_folds(banks);
    let item_fold = item_folds(banks, &fold_of);
    let mut out = Vec::new();
    for (b, bank) in banks.iter().enumerate() {
        for q in &bank.questions {
            if q.options.len() < 2 || q.answer >= q.options.len() {
                continue;
            }
            let linked = super::check::linked(&q.options);
            let options = (0..q.options.len())
                .map(|i| {
                    let mut v: Vec<(usize, f64)> = option_features(q, i, &linked)
                        .into_iter()
                        .map(|(n, x)| (feats.id(n), x))
                        .collect();
                    v.sort_by_key(|&(i, _)| i);
                    v
                })
                .collect();
            out.push(Sample {
                id: q.id.clone(),
                standard: bank.standard.code.clone(),
                qtype: q.qtype.name().to_string(),
                fold: if standards_of.get(q.qtype.name()).copied().unwrap_or(0) > 1 {
                    fold_of[b]
                } else {
                    // Apart from the standards' own folds.
                    u64::MAX - fnv1a(&q.item) % FOLDS
                },
                item_fold: item_fold.get(q.item.as_str()).copied().unwrap_or(0),
                options,
                answer: q.answer,
            });
        }
    }
    out
}

fn scores(w: &[f64], s: &Sample) -> Vec<f64> {
    s.options
        .iter()
        .map(|o| o.iter().map(|&(i, x)| w[i] * x).sum())
        .collect()
}

fn softmax(s: &[f64]) -> Vec<f64> {
    let m = s.iter().copied().fold(f64::MIN, f64::max);
    let e: Vec<f64> = s.iter().map(|x| (x - m).exp()).collect();
    let z: f64 = e.iter().sum();
    e.into_iter().map(|x| x / z).collect()
}

fn train(data: &[&Sample], n: usize, seed: &str) -> Vec<f64> {
    let mut w = vec![0.0; n];
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = rng_for(seed);
    for _ in 0..EPOCHS {
        order.shuffle(&mut rng);
        for &k in &order {
            let s = data[k];
            let p = softmax(&scores(&w, s));
            for (j, o) in s.options.iter().enumerate() {
                let g = f64::from(u8::from(j == s.answer)) - p[j];
                for &(i, x) in o {
                    w[i] += RATE * (g * x - L2 * w[i]);
                }
            }
        }
    }
    w
}

/// The fold of each standard: its own, unless it shares options with another standard (one
/// carried over from another's material, see [`super::draft::carry`]); standards linked that
/// way share a fold, so the model is never scored on a copy of what it was trained on.
fn shared_folds(banks: &[BankFile]) -> Vec<u64> {
    let mut fold: Vec<u64> = (0..banks.len() as u64).collect();
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (b, bank) in banks.iter().enumerate() {
        for o in bank.questions.iter().flat_map(|q| &q.options) {
            let a = *first.entry(o.as_str()).or_insert(b);
            let (from, to) = (fold[a].max(fold[b]), fold[a].min(fold[b]));
            if from != to {
                for f in fold.iter_mut().filter(|f| **f == from) {
                    *f = to;
                }
            }
        }
    }
    fold
}

/// The fold of each item among [`FOLDS`] across the bank. Copies share a fold, so the model is
/// never scored on a copy of what it learnt from: items that share an option, and items of the
/// same number in standards [`shared_folds`] links (a standard carried over from another's
/// material, whose options differ only in the names cast).
fn item_folds<'a>(banks: &'a [BankFile], fold_of: &[u64]) -> HashMap<&'a str, u64> {
    let mut root: HashMap<&str, &str> = HashMap::new();
    fn find<'a>(root: &HashMap<&'a str, &'a str>, mut i: &'a str) -> &'a str {
        while let Some(&r) = root.get(i).filter(|&&r| r != i) {
            i = r;
        }
        i
    }
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut numbered: HashMap<(u64, &str), &str> = HashMap::new();
    for (bank, group) in banks.iter().zip(fold_of) {
        for q in &bank.questions {
            let item = q.item.as_str();
            root.entry(item).or_insert(item);
            let number = item.split_once('/').map_or(item, |(_, n)| n);
            let mut same = vec![*numbered.entry((*group, number)).or_insert(item)];
            same.extend(
                q.options
                    .iter()
                    .map(|o| *first.entry(o.as_str()).or_insert(item)),
            );
            for other in same {
                let (a, b) = (find(&root, other), find(&root, item));
                if a != b {
                    let (keep, join) = if a < b { (a, b) } else { (b, a) };
                    root.insert(join, keep);
                }
            }
        }
    }
    root.keys()
        .map(|&i| (i, fnv1a(find(&root, i)) % FOLDS))
        .collect()
}

/// Right answers (ties share credit), chance and questions, summed over unseen questions.
#[derive(Default)]
struct Tally {
    right: f64,
    chance: f64,
    questions: usize,
}

impl Tally {
    fn add(&mut self, right: f64, chance: f64) {
        self.right += right;
        self.chance += chance;
        self.questions += 1;
    }
}

fn scores_of(tallies: BTreeMap<String, Tally>) -> BTreeMap<String, TypeScore> {
    tallies
        .into_iter()
        .map(|(t, x)| {
            let q = x.questions as f64;
            (
                t,
                TypeScore {
                    questions: x.questions,
                    accuracy: x.right / q,
                    chance: x.chance / q,
                },
            )
        })
        .collect()
}

/// Trains and scores the answer-only model on `banks`.
pub fn probe(banks: &[BankFile]) -> ProbeReport {
    let mut feats = Features::default();
    let data = samples(banks, &mut feats);
    let n = feats.names.len();
    let mut folds: Vec<u64> = data.iter().map(|s| s.fold).collect();
    folds.sort_unstable();
    folds.dedup();
    let mut by_type: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_standard: BTreeMap<String, BTreeMap<String, Tally>> = BTreeMap::new();
    let mut sure: Vec<Flagged> = Vec::new();
    for &fold in &folds {
        let train_on: Vec<&Sample> = data.iter().filter(|s| s.fold != fold).collect();
        if train_on.is_empty() {
            continue;
        }
        let w = train(&train_on, n, &format!("probe#{fold}"));
        for s in data.iter().filter(|s| s.fold == fold) {
            let sc = scores(&w, s);
            let (right, chance) = credit(&sc, s);
            by_type
                .entry(s.qtype.clone())
                .or_default()
                .add(right, chance);
            by_standard
                .entry(s.standard.clone())
                .or_default()
                .entry(s.qtype.clone())
                .or_default()
                .add(right, chance);
            // Full credit: the key scored highest, and alone.
            if right >= 1.0 {
                sure.push(Flagged {
                    question: s.id.clone(),
                    probability: softmax(&sc)[s.answer],
                    feature: top_feature(&w, s, &feats.names),
                });
            }
        }
    }
    let mut within: BTreeMap<String, Tally> = BTreeMap::new();
    for fold in 0..FOLDS {
        let train_on: Vec<&Sample> = data.iter().filter(|s| s.item_fold != fold).collect();
        if train_on.is_empty() {
            continue;
        }
        let w = train(&train_on, n, &format!("probe-items#{fold}"));
        for s in data.iter().filter(|s| s.item_fold == fold) {
            let (right, chance) = credit(&scores(&w, s), s);
            within
                .entry(s.qtype.clone())
                .or_default()
                .add(right, chance);
        }
    }
    sure.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then(a.question.cmp(&b.question))
    });
    let all: Vec<&Sample> = data.iter().collect();
    let w = train(&all, n, "probe#all");
    let mut keys = vec![0usize; n];
    let mut others = vec![0usize; n];
    for s in &data {
        for (j, o) in s.options.iter().enumerate() {
            for &(i, _) in o {
                if j == s.answer {
                    keys[i] += 1;
                } else {
                    others[i] += 1;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| w[b].abs().total_cmp(&w[a].abs()).then(a.cmp(&b)));
    // The strongest cues of each type (features are named `type|...`).
    let mut per_type: BTreeMap<&str, usize> = BTreeMap::new();
    let cues = order
        .into_iter()
        .filter(|&i| {
            let t = feats.names[i].split('|').next().unwrap_or("");
            let n = per_type.entry(t).or_default();
            *n += 1;
            *n <= CUES_PER_TYPE
        })
        .map(|i| Cue {
            feature: feats.names[i].clone(),
            weight: w[i],
            keys: keys[i],
            distractors: others[i],
        })
        .collect();
    ProbeReport {
        by_type: scores_of(by_type),
        by_standard: by_standard
            .into_iter()
            .map(|(code, t)| (code, scores_of(t)))
            .collect(),
        within: scores_of(within),
        cues,
        flagged: sure,
    }
}

/// The credit of one scored question (ties share it) and its chance.
fn credit(sc: &[f64], s: &Sample) -> (f64, f64) {
    let best = sc.iter().copied().fold(f64::MIN, f64::max);
    let tied = sc.iter().filter(|&&x| x == best).count();
    let right = if sc[s.answer] == best {
        1.0 / tied as f64
    } else {
        0.0
    };
    (right, 1.0 / s.options.len() as f64)
}

/// The feature that lifts the key most above the options' average.
fn top_feature(w: &[f64], s: &Sample, names: &[String]) -> String {
    let avg = |i: usize| {
        s.options
            .iter()
            .map(|o| o.iter().find(|f| f.0 == i).map_or(0.0, |f| f.1))
            .sum::<f64>()
            / s.options.len() as f64
    };
    s.options[s.answer]
        .iter()
        .map(|&(i, x)| (w[i] * (x - avg(i)), i))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, i)| names[i].clone())
        .unwrap_or_default()
}

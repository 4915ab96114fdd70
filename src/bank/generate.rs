//! Question generation: items + material + templates -> questions.
//!
//! Seed standards (with authored material in `data/scenarios/`) get three `scenario` variants
//! (different people, ages and settings, each keyed on a different good practice) and one
//! `shortfall` question per item, keyed on one of its poor practices with the three good ones
//! as distractors. Which poor practice is the key is chosen for [`SHORTFALL_BLOCK`] items at a
//! time so that the key is the longest, the shortest, the most and the least like the
//! question's words about as often as chance says (see [`choose_shortfall_keys`]): authored
//! poor practice tends to echo the situation more than good practice does, so a fixed rule
//! (always the least echoing, say) makes the key the odd one out. Any other standard gets
//! generic questions: two `theme`
//! situations and one `asks` question. Every item also gets a `cloze` question where the
//! lexicon knows one of its key terms. Answer positions are dealt from shuffled blocks of
//! 0..4 per standard, so every position is the key equally often.
//!
//! All randomness is a ChaCha8 stream seeded with a 64-bit FNV-1a hash of an id: ChaCha8's
//! output is fixed by its specification and FNV-1a is five lines, so files stay byte-identical
//! across platforms and dependency updates (std's hasher makes no such promise).

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::check::{STRATEGIES, credits};
use super::material::{Material, Person, Scenario, Theme};
use super::{BankError, BankFile, Question, QuestionType};
use crate::prompts::Prompts;
use crate::standards::{Item, ItemKind, Standard, StandardKind};

/// Number of `scenario` variants made from each authored item.
pub const SCENARIO_VARIANTS: usize = 3;
/// Number of `theme` variants made for items without authored material.
pub const THEME_VARIANTS: usize = 2;
/// Number of consecutive authored items whose `shortfall` keys are chosen together. Small, so
/// an edit to one item's material can change the key of at most the few items beside it.
pub const SHORTFALL_BLOCK: usize = 4;

/// 64-bit FNV-1a: a stable hash for seeding.
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A deterministic random stream for `key`.
pub fn rng_for(key: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(fnv1a(key))
}

/// Who plays `{{name}}` in one variant.
#[derive(Debug, Clone, Serialize)]
struct Cast<'a> {
    name: &'a str,
    age: String,
    them: &'static str,
    their: &'static str,
    setting: &'a str,
}

/// A question before its answer position is chosen.
struct Draft {
    id: String,
    item: String,
    qtype: QuestionType,
    stem: String,
    key: String,
    distractors: Vec<String>,
    explanation: String,
    source: &'static str,
}

/// A `shortfall` draft whose key is still to be chosen among the item's poor practices.
struct PendingKey {
    /// Index of the draft in the standard's drafts.
    draft: usize,
    /// Candidate keys with their explanations, in a seeded order (it breaks ties).
    keys: Vec<(String, String)>,
}

#[derive(Serialize)]
struct StemData<'a> {
    situation: &'a str,
    code: &'a str,
    r#ref: String,
    kind: &'static str,
    item_text: &'a str,
    gapped: &'a str,
}

#[derive(Serialize)]
struct ExplainData<'a> {
    r#type: &'static str,
    code: &'a str,
    r#ref: String,
    item_text: &'a str,
    key: &'a str,
}

struct Ctx<'a> {
    std: &'a Standard,
    item: &'a Item,
    mat: &'a Material,
    prompts: &'a Prompts,
}

impl Ctx<'_> {
    fn reference(&self) -> String {
        format!("{}{}", self.item.kind.letter(), self.item.number)
    }

    fn stem(&self, template: &str, situation: &str, gapped: &str) -> Result<String, BankError> {
        Ok(self.prompts.render(
            template,
            &StemData {
                situation,
                code: self.std.code(),
                r#ref: self.reference(),
                kind: self.item.kind.name(),
                item_text: &self.item.text,
                gapped,
            },
        )?)
    }

    fn explain(&self, qtype: QuestionType, key: &str) -> Result<String, BankError> {
        Ok(self.prompts.render(
            "bank/explanation",
            &ExplainData {
                r#type: qtype.name(),
                code: self.std.code(),
                r#ref: self.reference(),
                item_text: &self.item.text,
                key,
            },
        )?)
    }

    /// Renders an authored string with a cast, naming the item in errors.
    fn fill(&self, text: &str, cast: &Cast) -> Result<String, BankError> {
        Ok(self.prompts.render_str(&self.item.id, text, cast)?)
    }

    fn fill_all(&self, texts: &[String], cast: &Cast) -> Result<Vec<String>, BankError> {
        texts.iter().map(|t| self.fill(t, cast)).collect()
    }

    /// Casts for `n` variants: different people of group `who`, ages from its range.
    fn casts<'m>(
        &'m self,
        who: &str,
        settings: &'m [String],
        n: usize,
        salt: &str,
    ) -> Vec<Cast<'m>> {
        let mut rng = rng_for(&format!("{}#{salt}#people", self.item.id));
        let mut people: Vec<&Person> = self.mat.people_in(who);
        people.shuffle(&mut rng);
        let [lo, hi] = self.mat.ages.get(who).copied().unwrap_or([0, 0]);
        (0..n)
            .map(|v| {
                let p = people[v % people.len()];
                let age = if hi == 0 {
                    String::new()
                } else {
                    rng.random_range(lo..=hi).to_string()
                };
                Cast {
                    name: &p.name,
                    age,
                    them: p.pronouns.them(),
                    their: p.pronouns.their(),
                    setting: settings
                        .get(v % settings.len().max(1))
                        .map_or("", |s| s.as_str()),
                }
            })
            .collect()
    }

    fn draft(
        &self,
        qtype: QuestionType,
        n: usize,
        stem: String,
        key: String,
        mut distractors: Vec<String>,
        source: &'static str,
    ) -> Result<Draft, BankError> {
        let id = format!("{}/{}-{}", self.item.id, qtype.name(), n);
        distractors.shuffle(&mut rng_for(&format!("{id}#distractors")));
        Ok(Draft {
            explanation: self.explain(qtype, &key)?,
            id,
            item: self.item.id.clone(),
            qtype,
            stem,
            key,
            distractors,
            source,
        })
    }

    fn authored(
        &self,
        sc: &Scenario,
        out: &mut Vec<Draft>,
        pending: &mut Vec<PendingKey>,
    ) -> Result<(), BankError> {
        let casts = self.casts(&sc.who, &sc.settings, SCENARIO_VARIANTS + 1, "scenario");
        for (v, cast) in casts.iter().take(SCENARIO_VARIANTS).enumerate() {
            let situation = self.fill(&sc.situation, cast)?;
            let good = self.fill_all(&sc.good, cast)?;
            let poor = self.fill_all(&sc.poor, cast)?;
            let stem = self.stem("bank/scenario", &situation, "")?;
            let key = good[v % good.len()].clone();
            out.push(self.draft(QuestionType::Scenario, v + 1, stem, key, poor, "authored")?);
        }
        let cast = &casts[SCENARIO_VARIANTS];
        let situation = self.fill(&sc.situation, cast)?;
        let good = self.fill_all(&sc.good, cast)?;
        let poor = self.fill_all(&sc.poor, cast)?;
        let stem = self.stem("bank/shortfall", &situation, "")?;
        let mut keys = poor
            .into_iter()
            .map(|p| {
                let explanation = self.explain(QuestionType::Shortfall, &p)?;
                Ok((p, explanation))
            })
            .collect::<Result<Vec<_>, BankError>>()?;
        keys.shuffle(&mut rng_for(&format!("{}#shortfall-keys", self.item.id)));
        let Some((first, _)) = keys.first() else {
            return Ok(());
        };
        let first = first.clone();
        out.push(self.draft(QuestionType::Shortfall, 1, stem, first, good, "authored")?);
        pending.push(PendingKey {
            draft: out.len() - 1,
            keys,
        });
        Ok(())
    }

    fn generic(&self, out: &mut Vec<Draft>) -> Result<(), BankError> {
        let theme = theme_for(self.item, &self.mat.themes);
        let mut order: Vec<usize> = (0..theme.situation.len()).collect();
        order.shuffle(&mut rng_for(&format!("{}#theme", self.item.id)));
        for v in 0..THEME_VARIANTS {
            let sit = &theme.situation[order[v % order.len()]];
            let cast = &self.casts(&sit.who, &[], v + 1, "theme")[v];
            let situation = self.fill(&sit.text, cast)?;
            let stem = self.stem("bank/theme", &situation, "")?;
            let key = self.fill(&sit.good[v % sit.good.len()], cast)?;
            let poor = self.fill_all(&sit.poor[..3], cast)?;
            out.push(self.draft(QuestionType::Theme, v + 1, stem, key, poor, "generic")?);
        }
        let sit = &theme.situation[order[THEME_VARIANTS % order.len()]];
        let cast = &self.casts(&sit.who, &[], 1, "asks")[0];
        let situation = self.fill(&sit.text, cast)?;
        let stem = self.stem("bank/asks", &situation, "")?;
        let pool = self.misconceptions();
        let key = self.item.text.clone();
        let mut near: Vec<&String> = pool.iter().filter(|m| **m != key).collect();
        near.sort_by_key(|m| (m.len().abs_diff(key.len()), fnv1a(m)));
        near.truncate(6);
        near.shuffle(&mut rng_for(&format!("{}#asks", self.item.id)));
        let distractors: Vec<String> = near.into_iter().take(3).cloned().collect();
        if distractors.len() == 3 {
            out.push(self.draft(QuestionType::Asks, 1, stem, key, distractors, "generic")?);
        }
        Ok(())
    }

    fn misconceptions(&self) -> &[String] {
        let m = &self.mat.misconceptions;
        match self.item.kind {
            ItemKind::Performance => &m.performance,
            ItemKind::Knowledge if self.std.standard.kind == Some(StandardKind::Apprenticeship) => {
                &m.apprenticeship_knowledge
            }
            ItemKind::Knowledge => &m.knowledge,
            ItemKind::Skill => &m.skill,
            ItemKind::Behaviour => &m.behaviour,
        }
    }

    fn cloze(&self, out: &mut Vec<Draft>) -> Result<(), BankError> {
        let lower = self.item.text.to_ascii_lowercase();
        let found = self
            .mat
            .lexicon
            .iter()
            .filter_map(|g| {
                let term = g.terms.first()?.to_ascii_lowercase();
                find_word(&lower, &term).map(|at| (at, term.len(), g))
            })
            .max_by_key(|(at, len, _)| (*len, usize::MAX - at));
        let Some((at, len, group)) = found else {
            return Ok(());
        };
        let original = &self.item.text[at..at + len];
        let capital = original.chars().next().is_some_and(char::is_uppercase);
        let shape = |t: &str| {
            if capital {
                let mut c = t.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            } else {
                t.to_string()
            }
        };
        let gapped = format!(
            "{}____{}",
            &self.item.text[..at],
            &self.item.text[at + len..]
        );
        let stem = self.stem("bank/cloze", "", &gapped)?;
        let mut others: Vec<String> = group.terms[1..].iter().map(|t| shape(t)).collect();
        others.shuffle(&mut rng_for(&format!("{}#cloze", self.item.id)));
        others.truncate(3);
        out.push(self.draft(
            QuestionType::Cloze,
            1,
            stem,
            original.to_string(),
            others,
            "generic",
        )?);
        Ok(())
    }
}

/// Byte offset of `word` in `text` as a whole word (both ASCII-lower-cased, so offsets match
/// the original text).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if edge(before) && edge(after) {
            return Some(at);
        }
        from = at + word.len().max(1);
    }
    None
}

/// Content words of a text, lower-cased (three letters or more).
pub fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()))
}

const STOP: &[&str] = &[
    "the", "and", "for", "you", "your", "are", "with", "that", "this", "what", "which", "who",
    "will", "has", "have", "was", "from", "they", "them", "their", "his", "her", "she", "him",
    "not", "does", "these", "all", "any", "can", "but", "about", "into", "out", "what's",
];

/// How many distinct content words of `option` occur in `stem`.
pub fn overlap(stem: &str, option: &str) -> usize {
    let stem: std::collections::HashSet<String> = words(stem).collect();
    let mut seen = std::collections::HashSet::new();
    words(option)
        .filter(|w| stem.contains(w) && seen.insert(w.clone()))
        .count()
}

/// The theme whose keywords best match the item's text (`general` when none does).
pub fn theme_for<'t>(item: &Item, themes: &'t [Theme]) -> &'t Theme {
    let lower = item.text.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|t| !t.is_empty())
        .collect();
    let score = |t: &Theme| {
        t.keywords
            .iter()
            .filter(|k| {
                let k = k.to_lowercase();
                if k.contains(' ') {
                    lower.contains(&k)
                } else {
                    tokens.iter().any(|tok| tok.starts_with(&k))
                }
            })
            .count()
    };
    let general = themes.iter().find(|t| t.id == "general");
    themes
        .iter()
        .filter(|t| t.id != "general")
        .map(|t| (score(t), t))
        .filter(|(s, _)| *s > 0)
        // max_by_key keeps the last of equals; reverse so the first theme in the file wins ties.
        .rev()
        .max_by_key(|(s, _)| *s)
        .map(|(_, t)| t)
        .or(general)
        .unwrap_or(&themes[0])
}

/// Chooses the key of every pending `shortfall` draft. For each block of [`SHORTFALL_BLOCK`]
/// consecutive drafts, every combination of candidate keys is tried and the one kept whose
/// test-wise credits (see [`credits`]) summed over the block come closest to chance for every
/// strategy at once; the first such combination in the seeded candidate order wins ties.
fn choose_shortfall_keys(drafts: &mut [Draft], pending: &[PendingKey]) {
    const N: usize = STRATEGIES.len();
    for block in pending.chunks(SHORTFALL_BLOCK) {
        // table[i][c]: credits if candidate c is draft i's key; chance[i]: 1 / options.
        let mut table: Vec<Vec<[f64; N]>> = Vec::with_capacity(block.len());
        let mut chance = 0.0;
        for p in block {
            let Some(d) = drafts.get(p.draft) else {
                return;
            };
            let row = p
                .keys
                .iter()
                .map(|(key, _)| {
                    let mut options = Vec::with_capacity(d.distractors.len() + 1);
                    options.push(key.clone());
                    options.extend(d.distractors.iter().cloned());
                    credits(&d.stem, &options, 0)
                })
                .collect::<Vec<_>>();
            if row.is_empty() {
                return;
            }
            table.push(row);
            chance += 1.0 / (d.distractors.len() + 1) as f64;
        }
        let mut pick = vec![0usize; table.len()];
        let mut best = (f64::INFINITY, pick.clone());
        'combos: loop {
            let mut sums = [0.0f64; N];
            for (row, &c) in table.iter().zip(&pick) {
                for (s, x) in sums.iter_mut().zip(row[c]) {
                    *s += x;
                }
            }
            let cost: f64 = sums.iter().map(|s| (s - chance) * (s - chance)).sum();
            if cost < best.0 {
                best = (cost, pick.clone());
            }
            // The next combination, the first draft's candidate turning fastest.
            let mut i = 0;
            loop {
                let Some(row) = table.get(i) else {
                    break 'combos;
                };
                pick[i] += 1;
                if pick[i] < row.len() {
                    break;
                }
                pick[i] = 0;
                i += 1;
            }
        }
        for (p, &c) in block.iter().zip(&best.1) {
            if let (Some(d), Some((key, explanation))) = (drafts.get_mut(p.draft), p.keys.get(c)) {
                d.key = key.clone();
                d.explanation = explanation.clone();
            }
        }
    }
}

/// Builds the bank file for one standard.
pub fn build(std: &Standard, mat: &Material, prompts: &Prompts) -> Result<BankFile, BankError> {
    if mat.themes.is_empty() {
        return Err(BankError::Invalid("data/themes.toml has no themes".into()));
    }
    let mut drafts = Vec::new();
    let mut pending = Vec::new();
    for item in &std.items {
        let ctx = Ctx {
            std,
            item,
            mat,
            prompts,
        };
        match mat.scenarios.get(&item.id) {
            Some(sc) => ctx.authored(sc, &mut drafts, &mut pending)?,
            None => ctx.generic(&mut drafts)?,
        }
        ctx.cloze(&mut drafts)?;
    }
    choose_shortfall_keys(&mut drafts, &pending);
    let mut rng = rng_for(&format!("{}#positions", std.code()));
    let mut positions: Vec<usize> = Vec::with_capacity(drafts.len() + 4);
    while positions.len() < drafts.len() {
        let mut block = [0usize, 1, 2, 3];
        block.shuffle(&mut rng);
        positions.extend(block);
    }
    let questions = drafts
        .into_iter()
        .zip(positions)
        .map(|(d, pos)| {
            let n = d.distractors.len() + 1;
            let answer = pos % n;
            let mut options = d.distractors;
            options.insert(answer, d.key);
            Question {
                id: d.id,
                item: d.item,
                qtype: d.qtype,
                stem: d.stem,
                options,
                answer,
                explanation: d.explanation,
                source: d.source.to_string(),
            }
        })
        .collect();
    // Consume nothing further from rng: keep the stream's use explicit for determinism.
    let _ = rng.next_u32();
    Ok(BankFile {
        standard: std.standard.clone(),
        items: std.items.clone(),
        questions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(find_word("the play area", "play"), Some(4));
        assert_eq!(find_word("display of play", "play"), Some(11));
        assert_eq!(find_word("displays", "play"), None);
    }

    #[test]
    fn shortfall_keys_are_not_the_odd_one_out() {
        let stem = "Mo spilt tea by the kettle in the kitchen.".to_string();
        let pad = |t: &str, n: usize| format!("{t:.<n$}");
        // Candidates, the odd one out first: sharing fewest words and shortest; in line with
        // the distractors on both; sharing most words and longest.
        let keys = vec![
            (pad("Leave it", 30), "fewest".to_string()),
            (pad("Ring about the tea", 40), "in line".to_string()),
            (pad("Mop the tea and the kettle", 50), "most".to_string()),
        ];
        let mut drafts: Vec<Draft> = (0..4)
            .map(|i| Draft {
                id: format!("X/K{i}/shortfall-1"),
                item: format!("X/K{i}"),
                qtype: QuestionType::Shortfall,
                stem: stem.clone(),
                key: keys[0].0.clone(),
                distractors: vec![
                    pad("Wipe the kitchen", 40),
                    pad("Check the kettle", 40),
                    pad("Clean the kitchen", 40),
                ],
                explanation: keys[0].1.clone(),
                source: "authored",
            })
            .collect();
        let pending: Vec<PendingKey> = (0..4)
            .map(|draft| PendingKey {
                draft,
                keys: keys.clone(),
            })
            .collect();
        choose_shortfall_keys(&mut drafts, &pending);
        for d in &drafts {
            assert_eq!((&d.key, d.explanation.as_str()), (&keys[1].0, "in line"));
        }
    }

    #[test]
    fn overlap_counts_shared_content_words() {
        assert_eq!(
            overlap(
                "Kai kicks the door when visits are cancelled",
                "Ask Kai about the visits"
            ),
            2
        );
    }
}

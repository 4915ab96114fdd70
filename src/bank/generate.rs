//! Question generation: items + material + templates -> questions.
//!
//! An item with reviewed authored material (`data/scenarios/`) gets three `scenario` questions
//! (the same story, each keyed on a different good practice, the poor practices as
//! distractors) and one `shortfall` question, keyed on one of its poor practices with the three
//! good ones as distractors. Which poor practice is the key is chosen for [`SHORTFALL_BLOCK`]
//! items at a time so that no test-wise strategy gains (see [`choose_shortfall_keys`]). Every
//! option carries its authored reason, which becomes the question's per-option feedback.
//! The material files retire the `shortfall` question (a file-level `retired`): it is still
//! drafted and dealt a key position, so asking it again changes no scenario question.
//!
//! An item without reviewed material (an imported standard, or a draft a tutor has not yet
//! reviewed) gets no questions, and so is not asked: generic questions made without material
//! (keyword-matched stories, cloze gaps, "which of these does the standard ask?") were tried
//! and retired, since their keys could be found by form and assessors rejected them.
//!
//! Answer positions are dealt from shuffled blocks of 0..4 per standard and question type, so
//! every position is the key equally often in each type; retired questions keep their place in
//! the deal, so retiring one changes no other question.
//!
//! All randomness is a ChaCha8 stream seeded with a 64-bit FNV-1a hash of an id: ChaCha8's
//! output is fixed by its specification and FNV-1a is five lines, so files stay byte-identical
//! across platforms and dependency updates (std's hasher makes no such promise).

use std::collections::{BTreeMap, HashMap};

use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::check::{STRATEGIES, credits};
use super::material::{Material, Opt, Person, Scenario, Status};
use super::{BankError, BankFile, Question, QuestionType, Stand};
pub use crate::domain::fnv1a;
use crate::prompts::Prompts;
use crate::standards::{Item, Standard};

/// Number of `scenario` variants made from each authored item.
pub const SCENARIO_VARIANTS: usize = 3;
/// Number of consecutive authored items whose `shortfall` keys are chosen together. Small, so
/// an edit to one item's material can change the key of at most the few items beside it.
pub const SHORTFALL_BLOCK: usize = 4;
/// The questions authored material makes, by the name that ends their ids.
pub const AUTHORED_NAMES: [&str; 4] = ["scenario-1", "scenario-2", "scenario-3", "shortfall-1"];

/// A deterministic random stream for `key`.
pub fn rng_for(key: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(fnv1a(key))
}

/// Who plays `{{name}}` in an item's questions, with the forms that agree with their pronouns.
#[derive(Debug, Clone, Default, Serialize)]
struct Cast<'a> {
    name: &'a str,
    other: &'a str,
    age: String,
    they: &'static str,
    #[serde(rename = "They")]
    they_cap: String,
    them: &'static str,
    their: &'static str,
    #[serde(rename = "Their")]
    their_cap: String,
    s: &'static str,
    es: &'static str,
    is: &'static str,
    has: &'static str,
    was: &'static str,
    setting: &'a str,
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Of `people` (less those named in `not`), the one cast least often so far (`uses`), ties
/// broken by a seeded shuffle; counts the cast.
fn least_used<'m>(
    mut people: Vec<&'m Person>,
    not: &[&str],
    rng: &mut ChaCha8Rng,
    uses: &mut HashMap<String, usize>,
) -> Option<&'m Person> {
    people.shuffle(rng);
    people.retain(|p| !not.contains(&p.name.as_str()));
    let used = |p: &Person| uses.get(&p.name).copied().unwrap_or(0);
    let p = people.iter().copied().min_by_key(|p| used(p))?;
    *uses.entry(p.name.clone()).or_default() += 1;
    Some(p)
}

/// Who stands in for whom when a learner shares a name with someone in the story.
#[derive(Debug, Clone, Default)]
struct Players {
    person: Option<Stand>,
    other: Option<Stand>,
}

/// An option with its reason.
#[derive(Debug, Clone)]
struct Choice {
    text: String,
    why: String,
}

/// A question before its answer position is chosen.
struct Draft {
    id: String,
    item: String,
    qtype: QuestionType,
    stem: String,
    key: Choice,
    distractors: Vec<Choice>,
    explanation: String,
    source: &'static str,
    players: Players,
    retired: bool,
}

/// A `shortfall` draft whose key is still to be chosen among the item's poor practices.
struct PendingKey {
    /// Index of the draft in the standard's drafts.
    draft: usize,
    /// Candidate keys, in a seeded order (it breaks ties).
    keys: Vec<Choice>,
}

#[derive(Serialize)]
struct StemData<'a> {
    situation: &'a str,
    role: &'a str,
    code: &'a str,
    title: &'a str,
    r#ref: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct ExplainData<'a> {
    r#type: &'static str,
    code: &'a str,
    r#ref: String,
    item_text: &'a str,
}

struct Ctx<'a> {
    std: &'a Standard,
    item: &'a Item,
    mat: &'a Material,
    prompts: &'a Prompts,
}

fn reference(item: &Item) -> String {
    format!("{}{}", item.kind.letter(), item.number)
}

impl Ctx<'_> {
    fn stem(&self, template: &str, situation: &str, role: &str) -> Result<String, BankError> {
        Ok(self.prompts.render(
            template,
            &StemData {
                situation,
                role,
                code: self.std.code(),
                title: &self.std.standard.title,
                r#ref: reference(self.item),
                kind: self.item.kind.name(),
            },
        )?)
    }

    fn explain(&self, qtype: QuestionType) -> Result<String, BankError> {
        Ok(self.prompts.render(
            "bank/explanation",
            &ExplainData {
                r#type: qtype.name(),
                code: self.std.code(),
                r#ref: reference(self.item),
                item_text: &self.item.text,
            },
        )?)
    }

    /// Renders an authored string with a cast, naming the item in errors.
    fn fill(&self, text: &str, cast: &Cast) -> Result<String, BankError> {
        Ok(self.prompts.render_str(&self.item.id, text, cast)?)
    }

    fn fill_all(&self, opts: &[Opt], cast: &Cast) -> Result<Vec<Choice>, BankError> {
        opts.iter()
            .map(|o| {
                Ok(Choice {
                    text: self.fill(o.text(), cast)?,
                    why: self.fill(o.why(), cast)?,
                })
            })
            .collect()
    }

    /// The one person of the stanza's group (or its `names`) in all of an item's questions,
    /// its second person (`other`) if it has one, and for each a stand-in of the same group and
    /// pronouns for a learner who shares the name. Among those who can play, the person cast
    /// least often so far in this standard plays (`uses` counts them), ties broken by a seeded
    /// shuffle, so a name comes back within a standard only when the group has run out.
    fn cast<'m>(
        &'m self,
        sc: &'m Scenario,
        uses: &mut HashMap<String, usize>,
    ) -> (Cast<'m>, Players) {
        let mut rng = rng_for(&format!("{}#scenario#people", self.item.id));
        let cast_from = self.mat.cast_from(sc);
        let Some(p) = least_used(cast_from.clone(), &[], &mut rng, uses) else {
            return (Cast::default(), Players::default());
        };
        let other = sc.other.as_ref().and_then(|o| {
            let mut orng = rng_for(&format!("{}#scenario#other", self.item.id));
            let cands = self.mat.others_for(o);
            least_used(cands.clone(), &[p.name.as_str()], &mut orng, uses).map(|q| (q, cands))
        });
        // Main person first: a stand-in is never the other person's name, and the other
        // person's stand-in is never the main person's.
        let stand_in = |who: &Person, pool: &[&Person], not: Option<&str>| {
            pool.iter()
                .find(|o| {
                    o.pronouns == who.pronouns && o.name != who.name && Some(o.name.as_str()) != not
                })
                .map(|o| Stand {
                    name: who.name.clone(),
                    stand_in: o.name.clone(),
                })
        };
        // A stand-in fits the story's names where it can, else anyone of the group.
        let mut pool = cast_from;
        pool.shuffle(&mut rng);
        let mut group = self.mat.people_in(&sc.who);
        group.shuffle(&mut rng);
        pool.extend(group);
        let players = Players {
            person: stand_in(p, &pool, other.as_ref().map(|(o, _)| o.name.as_str())),
            other: other
                .as_ref()
                .and_then(|(o, cands)| stand_in(o, cands, Some(p.name.as_str()))),
        };
        let [lo, hi] = self.mat.ages.get(&sc.who).copied().unwrap_or([0, 0]);
        let age = if hi == 0 {
            String::new()
        } else {
            rng.random_range(lo..=hi).to_string()
        };
        let plural = p.pronouns.plural();
        let cast = Cast {
            name: &p.name,
            other: other.map_or("", |(o, _)| o.name.as_str()),
            age,
            they: p.pronouns.they(),
            they_cap: capital(p.pronouns.they()),
            them: p.pronouns.them(),
            their: p.pronouns.their(),
            their_cap: capital(p.pronouns.their()),
            s: if plural { "" } else { "s" },
            es: if plural { "" } else { "es" },
            is: if plural { "are" } else { "is" },
            has: if plural { "have" } else { "has" },
            was: if plural { "were" } else { "was" },
            setting: sc.settings.first().map_or("", |s| s.as_str()),
        };
        (cast, players)
    }

    #[allow(clippy::too_many_arguments)]
    fn draft(
        &self,
        qtype: QuestionType,
        n: usize,
        stem: String,
        key: Choice,
        mut distractors: Vec<Choice>,
        source: &'static str,
        players: Players,
        retired: &[String],
    ) -> Result<Draft, BankError> {
        let name = format!("{}-{}", qtype.name(), n);
        let id = format!("{}/{name}", self.item.id);
        distractors.shuffle(&mut rng_for(&format!("{id}#distractors")));
        Ok(Draft {
            explanation: self.explain(qtype)?,
            retired: retired.contains(&name),
            id,
            item: self.item.id.clone(),
            qtype,
            stem,
            key,
            distractors,
            source,
            players,
        })
    }

    fn authored(
        &self,
        sc: &Scenario,
        out: &mut Vec<Draft>,
        pending: &mut Vec<PendingKey>,
        uses: &mut HashMap<String, usize>,
    ) -> Result<(), BankError> {
        let (cast, players) = self.cast(sc, uses);
        let situation = self.fill(&sc.situation, &cast)?;
        let good = self.fill_all(&sc.good, &cast)?;
        let poor = self.fill_all(&sc.poor, &cast)?;
        let role = sc.role.as_deref().unwrap_or("");
        let stem = self.stem("bank/scenario", &situation, role)?;
        for v in 0..SCENARIO_VARIANTS {
            let key = good[v % good.len()].clone();
            out.push(self.draft(
                QuestionType::Scenario,
                v + 1,
                stem.clone(),
                key,
                poor.clone(),
                "authored",
                players.clone(),
                &sc.retired,
            )?);
        }
        let stem = self.stem("bank/shortfall", &situation, role)?;
        let mut keys = poor;
        keys.shuffle(&mut rng_for(&format!("{}#shortfall-keys", self.item.id)));
        let Some(first) = keys.first().cloned() else {
            return Ok(());
        };
        out.push(self.draft(
            QuestionType::Shortfall,
            1,
            stem,
            first,
            good,
            "authored",
            players,
            &sc.retired,
        )?);
        pending.push(PendingKey {
            draft: out.len() - 1,
            keys,
        });
        Ok(())
    }
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
                .map(|key| {
                    let mut options = Vec::with_capacity(d.distractors.len() + 1);
                    options.push(key.text.clone());
                    options.extend(d.distractors.iter().map(|c| c.text.clone()));
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
            if let (Some(d), Some(key)) = (drafts.get_mut(p.draft), p.keys.get(c)) {
                d.key = key.clone();
            }
        }
    }
}

/// Builds the bank file for one standard.
pub fn build(std: &Standard, mat: &Material, prompts: &Prompts) -> Result<BankFile, BankError> {
    let mut drafts = Vec::new();
    let mut pending = Vec::new();
    let mut uses = HashMap::new();
    for item in &std.items {
        let ctx = Ctx {
            std,
            item,
            mat,
            prompts,
        };
        if let Some(sc) = mat.scenarios.get(&item.id)
            && sc.status == Status::Reviewed
        {
            ctx.authored(sc, &mut drafts, &mut pending, &mut uses)?;
        }
    }
    choose_shortfall_keys(&mut drafts, &pending);
    // One deck of shuffled blocks per question type, so each type's keys are spread evenly
    // over the positions (a test-wise learner could otherwise learn "falls short: pick D").
    let mut decks: BTreeMap<QuestionType, (ChaCha8Rng, [usize; 4], usize)> = BTreeMap::new();
    let positions: Vec<usize> = drafts
        .iter()
        .map(|d| {
            let (rng, block, dealt) = decks.entry(d.qtype).or_insert_with(|| {
                let seed = format!("{}#positions#{}", std.code(), d.qtype.name());
                (rng_for(&seed), [0, 1, 2, 3], 0)
            });
            if *dealt % 4 == 0 {
                *block = [0, 1, 2, 3];
                block.shuffle(rng);
            }
            *dealt += 1;
            block[(*dealt - 1) % 4]
        })
        .collect();
    let questions = drafts
        .into_iter()
        .zip(positions)
        .filter(|(d, _)| !d.retired)
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
                feedback: options.iter().map(|c| c.why.clone()).collect(),
                options: options.into_iter().map(|c| c.text).collect(),
                answer,
                explanation: d.explanation,
                source: d.source.to_string(),
                person: d.players.person,
                other: d.players.other,
            }
        })
        .collect();
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
    fn shortfall_keys_are_not_the_odd_one_out() {
        let stem = "Mo spilt tea by the kettle in the kitchen.".to_string();
        let pad = |t: &str, n: usize| Choice {
            text: format!("{t:.<n$}"),
            why: t.to_string(),
        };
        // Candidates, the odd one out first: sharing fewest words and shortest; in line with
        // the distractors on both; sharing most words and longest.
        let keys = vec![
            pad("Leave it", 30),
            pad("Ring about the tea", 40),
            pad("Mop the tea and the kettle", 50),
        ];
        let mut drafts: Vec<Draft> = (0..4)
            .map(|i| Draft {
                id: format!("X/K{i}/shortfall-1"),
                item: format!("X/K{i}"),
                qtype: QuestionType::Shortfall,
                stem: stem.clone(),
                key: keys[0].clone(),
                distractors: vec![
                    pad("Wipe the kitchen", 40),
                    pad("Check the kettle", 40),
                    pad("Clean the kitchen", 40),
                ],
                explanation: String::new(),
                source: "authored",
                players: Players::default(),
                retired: false,
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
            assert_eq!(
                (&d.key.text, d.key.why.as_str()),
                (&keys[1].text, "Ring about the tea")
            );
        }
    }
}

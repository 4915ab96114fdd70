//! A review sheet: questions drawn at random from the bank, each as the learner meets it, with
//! its key, the reason behind every option and the item it cites, for a tutor or an assessor who
//! did not write the material to judge. The draw is seeded, so two reviewers (or one reviewer
//! after an edit) can read the same sheet.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{Bank, QuestionType};
use crate::domain::letter;

/// One question of the sheet.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    /// Its place on the sheet, from 1.
    pub number: usize,
    pub id: String,
    pub item: String,
    /// The item's text: the learner reads it only after answering.
    pub item_text: String,
    #[serde(rename = "type")]
    pub qtype: QuestionType,
    pub stem: String,
    pub options: Vec<CardOption>,
    /// The key's letter.
    pub key: String,
}

/// An option, lettered as a learner would read it, with its reason.
#[derive(Debug, Clone, Serialize)]
pub struct CardOption {
    pub letter: String,
    pub text: String,
    pub key: bool,
    /// Why it meets the item or falls short; empty where the material gives no reason.
    pub feedback: String,
}

/// `count` questions of `bank` (all of them if fewer), in an order fixed by `seed`.
pub fn sample(bank: &Bank, count: usize, seed: u64) -> Vec<Card> {
    let mut all: Vec<_> = bank.files().iter().flat_map(|f| &f.questions).collect();
    all.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    all.into_iter()
        .take(count)
        .enumerate()
        .map(|(n, q)| Card {
            number: n + 1,
            id: q.id.clone(),
            item: q.item.clone(),
            item_text: bank
                .item(&q.item)
                .map(|i| i.text.clone())
                .unwrap_or_default(),
            qtype: q.qtype,
            stem: q.stem.clone(),
            options: q
                .options
                .iter()
                .enumerate()
                .map(|(i, text)| CardOption {
                    letter: letter(i),
                    text: text.clone(),
                    key: i == q.answer,
                    feedback: q.feedback.get(i).cloned().unwrap_or_default(),
                })
                .collect(),
            key: letter(q.answer),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{BankFile, Question};
    use crate::standards::{Item, ItemKind, StandardInfo};

    fn bank(n: usize) -> Bank {
        let question = |k: usize| Question {
            id: format!("ST1/K1/scenario-{k}"),
            item: "ST1/K1".into(),
            qtype: QuestionType::Scenario,
            stem: format!("Stem {k}"),
            options: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            answer: k % 4,
            explanation: String::new(),
            feedback: vec!["fa".into(), "fb".into(), "fc".into(), "fd".into()],
            source: "authored".into(),
            person: None,
            other: None,
        };
        Bank::from_files(vec![BankFile {
            standard: StandardInfo::default(),
            items: vec![Item {
                id: "ST1/K1".into(),
                kind: ItemKind::Knowledge,
                number: 1,
                section: None,
                text: "the item".into(),
            }],
            questions: (0..n).map(question).collect(),
        }])
    }

    #[test]
    fn the_same_seed_draws_the_same_sheet_and_another_seed_another() {
        let bank = bank(40);
        let ids =
            |seed| -> Vec<String> { sample(&bank, 10, seed).into_iter().map(|c| c.id).collect() };
        assert_eq!(ids(7), ids(7));
        assert_ne!(ids(7), ids(8));
        let mut distinct = ids(7);
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 10, "a question drawn twice");
    }

    #[test]
    fn a_card_letters_the_options_marks_the_key_and_carries_each_reason() {
        let card = &sample(&bank(3), 50, 1)
            .into_iter()
            .find(|c| c.id == "ST1/K1/scenario-2")
            .expect("all three drawn when fewer than asked");
        assert_eq!(card.key, "C");
        assert_eq!(card.item_text, "the item");
        let keys: Vec<_> = card
            .options
            .iter()
            .filter(|o| o.key)
            .map(|o| o.letter.as_str())
            .collect();
        assert_eq!(keys, ["C"]);
        assert_eq!(card.options[3].feedback, "fd");
        assert_eq!(card.options[3].letter, "D");
    }
}

//! A review sheet: questions drawn at random from the bank, each as the learner meets it, with
//! its key, the reason behind every option and the item it cites, for a tutor or an assessor who
//! did not write the material to judge. The draw is seeded, so two reviewers (or one reviewer
//! after an edit) can read the same sheet. It takes one question of an item before a second of
//! any, as a learner meets them (one of an item a day; a live quiz one an item, `live::choose`):
//! an item's questions share their story and their distractors, which on one sheet reads as a
//! copy. Or every question of the bank, item by item in the bank's order ([`every`]): a sheet
//! for a tutor reviewing the whole of a standard, who reads an item's four questions together.

use std::collections::HashSet;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{Bank, Question, QuestionType};
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

/// `count` questions of `bank` (all of them if fewer), in an order fixed by `seed`, no item's
/// second question before every item has one.
pub fn sample(bank: &Bank, count: usize, seed: u64) -> Vec<Card> {
    let mut all: Vec<_> = bank.files().iter().flat_map(|f| &f.questions).collect();
    all.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut seen = HashSet::new();
    let (first, again): (Vec<_>, Vec<_>) = all.into_iter().partition(|q| seen.insert(&q.item));
    cards(bank, first.into_iter().chain(again).take(count))
}

/// Every question of `bank`, in the bank's order: each standard's items in turn, an item's
/// questions together.
pub fn every(bank: &Bank) -> Vec<Card> {
    cards(bank, bank.files().iter().flat_map(|f| &f.questions))
}

/// The cards of `questions`, numbered from 1 in the order given.
fn cards<'a>(bank: &Bank, questions: impl Iterator<Item = &'a Question>) -> Vec<Card> {
    questions
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
    use crate::bank::BankFile;
    use crate::standards::{Item, ItemKind, StandardInfo};

    /// A bank of one standard: `items` items of `per_item` questions each.
    fn bank_of(items: usize, per_item: usize) -> Bank {
        let question = |i: usize, k: usize| Question {
            id: format!("ST1/K{i}/scenario-{k}"),
            item: format!("ST1/K{i}"),
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
            items: (1..=items)
                .map(|i| Item {
                    id: format!("ST1/K{i}"),
                    kind: ItemKind::Knowledge,
                    number: i as u32,
                    section: None,
                    text: "the item".into(),
                })
                .collect(),
            questions: (1..=items)
                .flat_map(|i| (0..per_item).map(move |k| question(i, k)))
                .collect(),
        }])
    }

    fn bank(n: usize) -> Bank {
        bank_of(1, n)
    }

    #[test]
    fn an_item_comes_back_only_once_every_item_has_come() {
        let bank = bank_of(6, 4);
        for seed in 0..20 {
            let items: Vec<String> = sample(&bank, 9, seed).into_iter().map(|c| c.item).collect();
            let mut first = items[..6].to_vec();
            first.sort();
            first.dedup();
            assert_eq!(
                first.len(),
                6,
                "seed {seed}: an item twice before all six: {items:?}"
            );
            assert_eq!(items.len(), 9);
        }
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
    fn every_gives_each_question_once_an_items_questions_together() {
        let bank = bank_of(3, 4);
        let cards = every(&bank);
        let ids: Vec<&str> = cards.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), 12);
        assert_eq!(
            &ids[..5],
            [
                "ST1/K1/scenario-0",
                "ST1/K1/scenario-1",
                "ST1/K1/scenario-2",
                "ST1/K1/scenario-3",
                "ST1/K2/scenario-0"
            ]
        );
        let numbers: Vec<usize> = cards.iter().map(|c| c.number).collect();
        assert_eq!(numbers, (1..=12).collect::<Vec<_>>());
        assert_eq!(
            cards[5].key, "B",
            "the key of ST1/K2/scenario-1 is its second option"
        );
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

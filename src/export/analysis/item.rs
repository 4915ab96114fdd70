//! Per item: first-try facility and discrimination over every learner's first exposures,
//! answers, mastery and leeches, and the flagged options of its questions, as item rows.

use super::learner::Ability;
use super::stats::{discrimination_band, facility_band, pct, pearson, round1};
use super::{Analysis, ItemRow};
use crate::standards::Item;

/// What an item's row is made of, however the answers were counted.
pub(super) struct ItemFigures<'f> {
    /// Learners whose first exposure to the item is in range, and how many were right.
    pub(super) firsts: (usize, usize),
    /// Per such learner with a mean score on other items: right or not, and that mean.
    pub(super) pairs: &'f [(f64, f64)],
    /// Answers in range, right answers, learners who answered.
    pub(super) totals: (usize, usize, usize),
    /// Learners secure, learners with it as a leech.
    pub(super) status: (usize, usize),
    /// Summed predicted recall on the end-point date (0..1), learners not started, learners.
    pub(super) outlook: (f64, usize, usize),
    /// Its questions' options flagged non-functioning, and possible key errors.
    pub(super) flags: (usize, usize),
}

/// The row of `item` (`id`).
pub(super) fn item_row(id: &str, item: &Item, f: &ItemFigures) -> ItemRow {
    let disc = pearson(f.pairs).map(|r| round1(100.0 * r));
    let first = pct(f.firsts.1, f.firsts.0).map(round1);
    let (attempts, right, who) = f.totals;
    let (mastered, leeches) = f.status;
    let (nf, ke) = f.flags;
    ItemRow {
        standard: id.split('/').next().unwrap_or("").to_string(),
        id: id.to_string(),
        code: format!("{}{}", item.kind.letter(), item.number),
        kind: item.kind.name().to_string(),
        text: item.text.clone(),
        learners: who,
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
        predicted_recall: (f.outlook.2 > 0)
            .then(|| round1(100.0 * f.outlook.0 / f.outlook.2 as f64)),
        not_started: f.outlook.1,
    }
}

impl Analysis<'_> {
    /// One row per item, given per item its questions' flagged options (see
    /// [`Analysis::question_rows`]).
    pub(super) fn item_rows(
        &self,
        ability: &Ability,
        flags_by_item: &[(usize, usize)],
    ) -> Vec<ItemRow> {
        // Per item: first exposures and pairs.
        let ni = self.items.len();
        let mut i_firsts = vec![(0usize, 0usize); ni];
        let mut i_pairs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); ni];
        for (k, d) in self.digests.iter().enumerate() {
            for &(item, correct) in &d.first_items {
                let f = &mut i_firsts[item as usize];
                f.0 += 1;
                f.1 += usize::from(correct);
                let own = f64::from(u8::from(correct));
                if let Some(r) = ability.rest(k, own) {
                    i_pairs[item as usize].push((own, r));
                }
            }
        }

        let mut items = Vec::with_capacity(ni);
        for (i, id) in self.items.iter().enumerate() {
            let Some(item) = self.bank.item(id) else {
                continue;
            };
            let figures = ItemFigures {
                firsts: i_firsts[i],
                pairs: &i_pairs[i],
                totals: self.item_totals[i],
                status: self.item_status[i],
                outlook: (
                    self.item_outlook[i].0,
                    self.item_outlook[i].1,
                    self.scope.learners.len(),
                ),
                flags: flags_by_item[i],
            };
            items.push(item_row(id, item, &figures));
        }
        items
    }
}

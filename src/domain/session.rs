//! Quizzes under way: a learner's open session, its planned questions, the questions
//! delivered, and the daily prompt's state.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{LearnerId, Mode};

/// A question sent to a learner and waiting for (or holding) its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub learner: LearnerId,
    pub question: String,
    pub item: String,
    #[serde(deserialize_with = "super::time::utc")]
    pub sent: DateTime<Utc>,
    pub mode: Mode,
    /// Set once answered; a second answer finds it and changes nothing.
    #[serde(default)]
    pub answered: Option<Answered>,
    /// Set when the quiz it belonged to ended before it was answered.
    #[serde(default)]
    pub closed: bool,
    /// The order its options were shown in: the bank's option at each place (see
    /// [`Delivery::shown_order`]). Empty: the bank's own order, as for deliveries made before
    /// options were shuffled and for a live quiz's questions, which a whole channel sees.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<u8>,
}

/// How many options a question of the bank has (three good and three poor options in the
/// material make four per question).
pub const OPTIONS: u8 = 4;

impl Delivery {
    /// The order a learner's question shows its options in, fixed by the delivery's id: a
    /// question asked again is answered by what its options say, not by where its key was
    /// last time.
    pub fn shown_order(id: &str) -> Vec<u8> {
        use rand::{SeedableRng, seq::SliceRandom};
        let mut order: Vec<u8> = (0..OPTIONS).collect();
        order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(super::fnv1a(
            id,
        )));
        order
    }

    /// The order a new delivery of `mode` keeps: its own for a learner's quiz or practice,
    /// the bank's (empty) for a live quiz, which a whole channel sees in one message.
    pub fn dealt(id: &str, mode: Mode) -> Vec<u8> {
        if mode == Mode::Cohort {
            Vec::new()
        } else {
            Self::shown_order(id)
        }
    }

    /// The bank's option at each place shown, for a question of `n` options: the stored
    /// order when it is one of `0..n`, else the bank's own.
    pub fn order_for(&self, n: usize) -> Vec<usize> {
        let order: Vec<usize> = self.order.iter().map(|&b| usize::from(b)).collect();
        if order.len() == n && (0..n).all(|i| order.contains(&i)) {
            order
        } else {
            (0..n).collect()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answered {
    pub option: usize,
    pub correct: bool,
    #[serde(deserialize_with = "super::time::utc")]
    pub at: DateTime<Utc>,
}

/// One question planned in a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pick {
    pub item: String,
    pub question: String,
}

/// A learner's open quiz: the questions planned, how far they got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub learner: LearnerId,
    pub mode: Mode,
    /// Learner-local date the session was planned for.
    #[serde(deserialize_with = "super::time::date")]
    pub day: NaiveDate,
    /// Questions planned; the picks themselves are stored apart (see `Store::pick`),
    /// written once when the session starts, so an answer rewrites only this small record.
    pub total: usize,
    /// Index of the question now open.
    pub pos: usize,
    /// Delivery id of the question now open.
    pub current: Option<String>,
    pub correct: u32,
    pub answered: u32,
    /// The question now open, kept in the session so that an answer writes one record for
    /// both (schema 3). Older sessions have `None` here and the open question in a record of
    /// its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<Delivery>,
    /// Set on sessions started by schema 4: the session's questions are numbered from this
    /// sequence number (question `i` is delivery `(seq << 16) + i`), and how far the learner
    /// got is read from their attempts, so the record is written once, when the session
    /// starts, and an answer does not rewrite it (see `Store::session`). The record
    /// then holds the session as it started; `pos`, `answered`, `correct`, `current` and
    /// `open` above are as of now only in what the store returns. Older sessions have `None`
    /// and are rewritten as they move on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

impl Session {
    /// The session once its open question is answered (`correct` or not) at `now`: one more
    /// answered, and `next` (its delivery id and planned question) opened, sent `now`, or,
    /// after the last question, nothing open.
    pub(crate) fn advanced(
        mut self,
        correct: bool,
        next: Option<(String, Pick)>,
        now: DateTime<Utc>,
    ) -> Session {
        self.pos += 1;
        self.answered += 1;
        self.correct += u32::from(correct);
        self.open_next(next, now);
        self
    }

    /// Opens `next` (delivery id and planned question) at position `pos`, sent at `sent`;
    /// with `None`, or past the last question, nothing is open.
    pub(crate) fn open_next(&mut self, next: Option<(String, Pick)>, sent: DateTime<Utc>) {
        self.open = next
            .filter(|_| self.pos < self.total)
            .map(|(id, p)| Delivery {
                order: Delivery::dealt(&id, self.mode),
                id,
                learner: self.learner,
                question: p.question,
                item: p.item,
                sent,
                mode: self.mode,
                answered: None,
                closed: false,
            });
        self.current = self.open.as_ref().map(|d| d.id.clone());
    }
}

/// The state of a learner's daily prompt: marked `sent: false` before the platform is asked to
/// send it and `sent: true` after, so a restart resends only a prompt that may not have gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompted {
    /// Learner-local date of the prompt.
    #[serde(deserialize_with = "super::time::date")]
    pub day: NaiveDate,
    pub sent: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_keeps_the_order_it_was_shown_in() {
        let ids = (0..64).map(|n| format!("{n:016x}-{:016x}", n * 7));
        let orders: Vec<Vec<u8>> = ids.map(|id| Delivery::shown_order(&id)).collect();
        for o in &orders {
            let mut sorted = o.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, vec![0, 1, 2, 3], "{o:?}");
        }
        // Fixed by the id, and spread over every place.
        assert_eq!(Delivery::shown_order("a-1"), Delivery::shown_order("a-1"));
        for place in 0..4u8 {
            assert!(orders.iter().any(|o| o[0] == place), "{place} never first");
        }
    }

    #[test]
    fn a_delivery_stored_before_shuffling_is_read_in_the_banks_order() {
        let old = r#"{"id":"00-01","learner":1,"question":"X/K1/scenario-1","item":"X/K1",
            "sent":"2026-11-23T10:00:00Z","mode":"daily"}"#;
        let d: Delivery = serde_json::from_str(old).unwrap();
        assert!(d.order.is_empty());
        assert_eq!(d.order_for(4), vec![0, 1, 2, 3]);
        let shuffled = Delivery {
            order: vec![2, 0, 3, 1],
            ..d.clone()
        };
        assert_eq!(shuffled.order_for(4), vec![2, 0, 3, 1]);
        // An order dealt for another count of options is not applied.
        assert_eq!(shuffled.order_for(3), vec![0, 1, 2]);
        let back: Delivery =
            serde_json::from_str(&serde_json::to_string(&shuffled).unwrap()).unwrap();
        assert_eq!(back, shuffled);
    }
}

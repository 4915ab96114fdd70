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

//! The records the store keeps. Plain data with serde; `store/` alone decides how they are
//! keyed and encoded. New fields must carry `#[serde(default)]` so older records still read.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Internal learner number (never shown to other learners).
pub type LearnerId = u64;

/// A person using ksbquiz: a learner, and possibly a tutor of cohorts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Learner {
    pub id: LearnerId,
    pub name: String,
    /// Linked platform accounts: `telegram:<id>`, `discord:<id>`, `console:<name>`.
    pub accounts: Vec<String>,
    /// Codes of the standards the learner studies.
    #[serde(default)]
    pub standards: Vec<String>,
    /// Join codes of the cohorts the learner belongs to.
    #[serde(default)]
    pub cohorts: Vec<String>,
    #[serde(default)]
    pub settings: Settings,
    #[serde(deserialize_with = "super::time::utc")]
    pub created: DateTime<Utc>,
    /// Set when a platform says the learner cannot be reached (e.g. the bot was blocked).
    #[serde(default)]
    pub inactive: bool,
}

/// What a learner can set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Local time of the daily prompt, `HH:MM`.
    pub daily_time: String,
    /// IANA time zone name, e.g. `Europe/London`.
    pub timezone: String,
    /// Questions in a daily quiz.
    pub per_day: u32,
    /// New items introduced a day at most.
    pub new_per_day: u32,
    /// No prompts while paused.
    pub paused: bool,
    /// Days of the week with no prompts and nothing due (0 = Monday ... 6 = Sunday).
    pub rest_days: Vec<u8>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            daily_time: "18:00".into(),
            timezone: "Europe/London".into(),
            per_day: 10,
            new_per_day: 5,
            paused: false,
            rest_days: Vec::new(),
        }
    }
}

/// Why a question was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Part of the day's spaced-repetition quiz.
    Daily,
    /// Extra practice the learner asked for.
    Practice,
    /// A tutor-led cohort quiz.
    Cohort,
}

/// One recorded answer. Append-only: never changed once written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub learner: LearnerId,
    pub item: String,
    pub question: String,
    /// Index of the option chosen.
    pub option: usize,
    pub correct: bool,
    /// Milliseconds from the question being sent to the answer.
    pub response_ms: u64,
    /// `telegram`, `discord`, `console`...
    pub platform: String,
    #[serde(deserialize_with = "super::time::utc")]
    pub at: DateTime<Utc>,
    /// The delivery this answers (what makes recording idempotent).
    pub delivery: String,
    pub mode: Mode,
}

/// Spaced-repetition state of one learner on one knowledge item (FSRS memory state).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SrsState {
    pub stability: f32,
    pub difficulty: f32,
    /// Learner-local date the item is next due.
    #[serde(deserialize_with = "super::time::date")]
    pub due: NaiveDate,
    #[serde(deserialize_with = "super::time::utc")]
    pub last_review: DateTime<Utc>,
    pub reps: u32,
    /// Times a learned item was answered wrongly.
    pub lapses: u32,
    /// Whether the last answer was right (an item answered wrongly is not secure, whatever its
    /// recall probability straight after the review).
    #[serde(default = "yes")]
    pub last_correct: bool,
    /// Failed so often it is held back for the tutor rather than drilled again.
    #[serde(default)]
    pub leech: bool,
    /// The variant asked last, so the next time asks another.
    #[serde(default)]
    pub last_question: Option<String>,
    /// The delivery whose answer made this state (so a retried answer is not reviewed twice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_delivery: Option<String>,
    /// The option chosen in that answer: a retry after a crash records the answer this state
    /// was made from, so the attempt and the schedule always agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_option: Option<usize>,
}

impl Default for SrsState {
    /// A state with no review in it (as of the epoch), for building one field by field.
    fn default() -> Self {
        SrsState {
            stability: 0.0,
            difficulty: 0.0,
            due: NaiveDate::default(),
            last_review: DateTime::default(),
            reps: 0,
            lapses: 0,
            last_correct: yes(),
            leech: false,
            last_question: None,
            last_delivery: None,
            last_option: None,
        }
    }
}

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
    /// Questions planned; the picks themselves are stored apart (see [`super::Store::pick`]),
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
    /// starts, and an answer does not rewrite it (see [`super::Store::session`]). The record
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
    pub(super) fn advanced(
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
    pub(super) fn open_next(&mut self, next: Option<(String, Pick)>, sent: DateTime<Utc>) {
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

/// A tutor's group of learners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// Join code learners type (or follow in a link).
    pub code: String,
    pub name: String,
    pub tutor: LearnerId,
    pub standards: Vec<String>,
    #[serde(deserialize_with = "super::time::utc")]
    pub created: DateTime<Utc>,
}

fn yes() -> bool {
    true
}

//! Answers: why a question was asked, and what a learner answered.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::LearnerId;

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

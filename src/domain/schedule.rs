//! Scheduling state: one learner's FSRS memory of one item.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

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

fn yes() -> bool {
    true
}

/// A learner's plan for their end-point date: the desired retention and new items a day that
/// the scheduler's projection expects to leave most of the enrolled bank recalled on the date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub retention: f32,
    pub new_per_day: u32,
    /// The learner-local day it was decided (it is re-decided a week later).
    pub decided: NaiveDate,
    /// The end-point date it plans to, and whether that date was set (by the learner or a
    /// tutor) rather than the default horizon.
    pub epa: NaiveDate,
    #[serde(default)]
    pub dated: bool,
    /// Expected share of the enrolled bank recalled on the date under this plan, and under
    /// the default one (retention 0.9, the learner's own new-item cap).
    pub expected: f32,
    pub default_expected: f32,
    /// Whose FSRS weights it used: `default`, `install` or `cohort:<CODE>`.
    pub weights: String,
    /// The learner's share of right first answers when it was decided (0.5 while unknown).
    #[serde(default = "half")]
    pub first_right: f32,
}

fn half() -> f32 {
    0.5
}

/// FSRS weights fitted to this install's answers, for the whole install or one cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    /// `install` or `cohort:<CODE>`.
    pub scope: String,
    pub weights: Vec<f32>,
    /// Reviews fitted on, and reviews held back to check the fit.
    pub reviews: usize,
    pub held_back: usize,
    /// Log loss on the held-back reviews, fitted and with the default weights.
    pub log_loss: f32,
    pub default_log_loss: f32,
    #[serde(deserialize_with = "super::time::utc")]
    pub fitted: DateTime<Utc>,
}

//! Cohorts: a tutor's group of learners.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::LearnerId;

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
    /// The cohort's end-point assessment date, set by the tutor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epa: Option<chrono::NaiveDate>,
}

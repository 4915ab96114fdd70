//! Learners: who uses ksbquiz, what they study and what they have set.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
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
    /// The plan for the end-point date in force (re-decided weekly), if one was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<super::Plan>,
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
    /// The learner's own end-point assessment date (it wins over their cohorts' date).
    pub epa: Option<chrono::NaiveDate>,
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
            epa: None,
        }
    }
}

impl Settings {
    /// The learner's time zone; a name that does not parse (an old record, a hand edit) counts
    /// as London, as the default does, so a learner is never left without prompts.
    pub fn tz(&self) -> Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Europe::London)
    }

    /// The local time of the daily prompt; one that does not parse counts as the default.
    pub fn daily_at(&self) -> chrono::NaiveTime {
        chrono::NaiveTime::parse_from_str(&self.daily_time, "%H:%M")
            .or_else(|_| {
                chrono::NaiveTime::parse_from_str(&Settings::default().daily_time, "%H:%M")
            })
            .unwrap_or(chrono::NaiveTime::MIN)
    }
}

//! The engine's side of live cohort quizzes: planning one for a tutor (whose cohort, which
//! questions, within what limits), recording every answer, and keeping what a restart needs to
//! end a quiz that was running.
//!
//! A live quiz (see [`crate::live`], the pure state machine) keeps score in memory; every answer
//! it accepts is recorded here at once, durably, in the learner's history and spaced
//! repetition, under a delivery id derived from the quiz and question, so a retried
//! interaction is recorded once.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{Engine, Result, Who};
use crate::live::{ItemFilter, LiveError, LiveQuiz, Spec};
use crate::store::{Cohort, Delivery, Graded, Mode, Recorded};

/// Questions a live quiz asks at most, and the default.
pub const LIVE_QUESTIONS: (u32, u32) = (50, 10);
/// Seconds a question may be open: fewest, most, and the default.
pub const LIVE_SECONDS: (u32, u32, u32) = (5, 300, 20);

/// What a tutor asked for (as typed; the engine checks it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveRequest {
    pub cohort: Option<String>,
    pub standard: Option<String>,
    /// `all`, a kind (`K`) or a range (`K1-K10`).
    pub items: Option<String>,
    pub questions: Option<i64>,
    pub seconds: Option<i64>,
    pub streak_bonus: Option<bool>,
}

/// Why a live quiz could not be planned: a template (the platform's) and its data.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveRefusal {
    pub template: &'static str,
    pub data: Value,
}
/// What recording a live answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveRecorded {
    /// Recorded now. `joined`: the learner was added to the quiz's cohort by this answer.
    New { correct: bool, joined: bool },
    /// This answer was recorded before (a retried interaction): nothing changed.
    Duplicate,
    /// The question is no longer in the bank.
    UnknownQuestion,
}

impl LiveRefusal {
    fn new(template: &'static str, data: Value) -> Self {
        LiveRefusal { template, data }
    }

    fn from_live(e: &LiveError) -> Self {
        match e {
            LiveError::UnknownStandard(code) => {
                Self::new("quiz-no-standard", json!({"code": code}))
            }
            LiveError::BadItems(items) => Self::new("quiz-bad-items", json!({"items": items})),
            LiveError::NoQuestions(what) => Self::new("quiz-no-questions", json!({"what": what})),
        }
    }
}

impl Engine {
    /// Plans a live quiz for the tutor `who` in `channel`: the cohort must be theirs (the only
    /// one they have when none is named), the standard one of the bank's (the cohort's first
    /// by default), the count and time within [`LIVE_QUESTIONS`] and [`LIVE_SECONDS`].
    pub fn plan_live(
        &self,
        who: Who,
        channel: u64,
        req: &LiveRequest,
    ) -> Result<std::result::Result<LiveQuiz, LiveRefusal>> {
        let now = self.now();
        let (tutor, _) = self.store.learner_for_account(who.account, who.name, now)?;
        let mine: Vec<Cohort> = self
            .store
            .cohorts()
            .filter_map(std::result::Result::ok)
            .filter(|c| c.tutor == tutor.id)
            .collect();
        let cohort = match &req.cohort {
            Some(code) => {
                let code = code.trim().to_uppercase();
                match mine.iter().find(|c| c.code == code) {
                    Some(c) => c.clone(),
                    None => {
                        return Ok(Err(LiveRefusal::new(
                            "quiz-not-yours",
                            json!({"code": code}),
                        )));
                    }
                }
            }
            None => match mine.as_slice() {
                [] => return Ok(Err(LiveRefusal::new("quiz-no-cohort", json!({})))),
                [only] => only.clone(),
                many => {
                    let codes: Vec<&str> = many.iter().map(|c| c.code.as_str()).collect();
                    return Ok(Err(LiveRefusal::new(
                        "quiz-which-cohort",
                        json!({"codes": codes}),
                    )));
                }
            },
        };
        let standard = match &req.standard {
            Some(st) => st.trim().to_uppercase(),
            None => cohort.standards.first().cloned().unwrap_or_default(),
        };
        let items: ItemFilter = match req.items.as_deref().unwrap_or("all").parse() {
            Ok(items) => items,
            Err(e) => return Ok(Err(LiveRefusal::from_live(&e))),
        };
        let (most, count) = LIVE_QUESTIONS;
        let (fewest_s, most_s, seconds) = LIVE_SECONDS;
        let spec = Spec {
            cohort: cohort.code.clone(),
            standard,
            items,
            count: req
                .questions
                .unwrap_or(i64::from(count))
                .clamp(1, i64::from(most)) as usize,
            seconds: req
                .seconds
                .unwrap_or(i64::from(seconds))
                .clamp(i64::from(fewest_s), i64::from(most_s)) as u32,
            streak_bonus: req.streak_bonus.unwrap_or(true),
        };
        let id = format!("{:x}{:02x}", now.timestamp_millis(), channel % 256);
        let seed = crate::domain::fnv1a(&id);
        Ok(match crate::live::choose(&self.bank, &spec, seed) {
            Ok(questions) => Ok(LiveQuiz::new(id, spec, questions)),
            Err(e) => Err(LiveRefusal::from_live(&e)),
        })
    }

    /// Keeps what a restart needs to end the quiz running in `channel` (the platform's record).
    pub fn save_live<T: Serialize>(&self, channel: u64, record: &T) -> Result<()> {
        Ok(self.store.put_live(channel, record)?)
    }

    /// The quizzes a previous run left running, by channel.
    pub fn interrupted_live<T: DeserializeOwned>(&self) -> Result<Vec<(u64, T)>> {
        Ok(self.store.live_quizzes()?)
    }

    /// The quiz in `channel` has ended (or its end was announced after a restart).
    pub fn end_live(&self, channel: u64) -> Result<()> {
        Ok(self.store.remove_live(channel)?)
    }

    /// Records one answer of a live cohort quiz: `key` names the quiz and question (the same
    /// key for the same learner is the same delivery), `opened` is when the question was shown.
    /// A Discord user seen for the first time becomes a learner, and one not yet in the cohort
    /// joins it (their answers are the tutor's to see from now on).
    pub fn live_answer(
        &self,
        who: Who,
        cohort: &str,
        key: &str,
        question: &str,
        option: usize,
        opened: DateTime<Utc>,
    ) -> Result<LiveRecorded> {
        let Some(q) = self.bank.question(question) else {
            return Ok(LiveRecorded::UnknownQuestion);
        };
        let (mut learner, _) = self
            .store
            .learner_for_account(who.account, who.name, self.now())?;
        let mut joined = false;
        if !learner.cohorts.iter().any(|c| c == cohort) && self.store.cohort(cohort)?.is_some() {
            learner = self.store.join_cohort(learner.id, cohort)?;
            joined = true;
        }
        let id = self.store.keyed_delivery_id(learner.id, key);
        let d = Delivery {
            order: Delivery::dealt(&id, Mode::Cohort),
            id,
            learner: learner.id,
            question: q.id.clone(),
            item: q.item.clone(),
            sent: opened,
            mode: Mode::Cohort,
            answered: None,
            closed: false,
        };
        self.store.open_delivery(&d)?;
        // The channel saw the bank's order.
        let graded = Graded {
            option,
            correct: option == q.answer,
        };
        let recorded = self.record(&learner, who.platform, &d.id, &|_| Some(graded))?;
        self.store.durable()?;
        Ok(match recorded {
            Recorded::New { attempt, .. } => LiveRecorded::New {
                correct: attempt.correct,
                joined,
            },
            Recorded::Duplicate { .. } | Recorded::Closed { .. } => LiveRecorded::Duplicate,
            // Opened just above, for this learner: neither can happen.
            Recorded::Refused { .. } | Recorded::Unknown => LiveRecorded::UnknownQuestion,
        })
    }
}

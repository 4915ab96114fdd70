//! The engine's side of live cohort quizzes and of linking accounts across platforms.
//!
//! A live quiz (see [`crate::live`]) keeps score in memory; every answer it accepts is recorded
//! here at once, durably, in the learner's history and spaced repetition, under a delivery id
//! derived from the quiz and question, so a retried interaction is recorded once.
//!
//! Linking: `/link` on one platform gives a one-time code (valid [`LINK_MINUTES`] minutes);
//! `/link CODE` on the other adds that account to the same learner, so there is one history.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Engine, Out, Result, Who};
use crate::store::{Delivery, LearnerId, Mode, Recorded};

/// Minutes a link code stays valid.
pub const LINK_MINUTES: i64 = 15;

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

#[derive(Debug, Serialize, Deserialize)]
struct LinkCode {
    learner: LearnerId,
    expires: DateTime<Utc>,
}

impl Engine {
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
        let d = Delivery {
            id: self.store.keyed_delivery_id(learner.id, key),
            learner: learner.id,
            question: q.id.clone(),
            item: q.item.clone(),
            sent: opened,
            mode: Mode::Cohort,
            answered: None,
            closed: false,
        };
        self.store.open_delivery(&d)?;
        let right = option == q.answer;
        let recorded = self.record(&learner, who.platform, &d.id, option, &|_| Some(right))?;
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

    /// Removes the learner's unused link codes (part of forgetting them).
    pub(super) fn forget_links(&self, learner: LearnerId) -> Result<()> {
        for (name, code) in self.store.settings_under::<LinkCode>("link/")? {
            if code.learner == learner {
                self.store.remove_setting(&name)?;
            }
        }
        Ok(())
    }

    /// `/link`: a one-time code for this learner's other account.
    pub(super) fn link_start(&self, learner: LearnerId) -> Result<Vec<Out>> {
        let code = {
            let mut rng = rand::rng();
            format!("{:06}", rng.random_range(0..1_000_000u32))
        };
        self.store.put_setting(
            &format!("link/{code}"),
            &LinkCode {
                learner,
                expires: self.now() + Duration::minutes(LINK_MINUTES),
            },
        )?;
        self.text("link-code", json!({"code": code, "minutes": LINK_MINUTES}))
    }

    /// `/link CODE`: adds the account talking to the learner who asked for the code. Refused
    /// when this account already has a history of its own (merging two histories is not
    /// something to do silently).
    pub(super) fn link_finish(&self, who: Who, code: &str) -> Result<Vec<Out>> {
        let name = format!("link/{}", code.trim());
        let link: Option<LinkCode> = self.store.setting(&name)?;
        let Some(link) = link.filter(|l| l.expires > self.now()) else {
            return self.text("link-bad-code", json!({}));
        };
        let here = self.store.learner_by_account(who.account)?;
        if let Some(h) = &here {
            if h.id == link.learner {
                self.store.remove_setting(&name)?;
                return self.text("link-done", json!({"already": true}));
            }
            if !self.store.attempts(h.id)?.is_empty() || !h.cohorts.is_empty() {
                return self.text("link-has-history", json!({}));
            }
            // An account with nothing recorded yet: its empty learner record goes.
            self.store.forget(h.id)?;
        }
        match self.store.link_account(link.learner, who.account) {
            Ok(()) => {}
            Err(crate::store::StoreError::NotFound(_)) => {
                return self.text("link-bad-code", json!({}));
            }
            Err(e) => return Err(e.into()),
        }
        self.store.remove_setting(&name)?;
        self.store.durable()?;
        self.text("link-done", json!({"already": false}))
    }
}

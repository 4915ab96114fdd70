//! Linking accounts across platforms: `/link` on one platform gives a one-time code (valid
//! [`LINK_MINUTES`] minutes); `/link CODE` on the other adds that account to the same learner,
//! so there is one history.

use chrono::Duration;
use rand::Rng;
use serde_json::json;

use super::{Engine, Out, Result, Who};
use crate::store::{LearnerId, LinkCode};

/// Minutes a link code stays valid.
pub const LINK_MINUTES: i64 = 15;

impl Engine {
    /// Removes the learner's unused link codes (part of forgetting them).
    pub(super) fn forget_links(&self, learner: LearnerId) -> Result<()> {
        for (code, link) in self.store.link_codes()? {
            if link.learner == learner {
                self.store.remove_link_code(&code)?;
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
        self.store.put_link_code(
            &code,
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
        let code = code.trim();
        let link = self.store.link_code(code)?;
        let Some(link) = link.filter(|l| l.expires > self.now()) else {
            return self.text("link-bad-code", json!({}));
        };
        let here = self.store.learner_by_account(who.account)?;
        if let Some(h) = &here {
            if h.id == link.learner {
                self.store.remove_link_code(code)?;
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
        self.store.remove_link_code(code)?;
        self.store.durable()?;
        self.text("link-done", json!({"already": false}))
    }
}

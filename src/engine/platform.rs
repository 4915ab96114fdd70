//! What the chat adapters ask of the engine besides a conversation: whether an account is
//! known, which delivery a platform poll asks, whether a learner can be reached, and the daily
//! prompts' bookkeeping. Adapters never touch the store; these are their doors to it.

use chrono::NaiveDate;

use super::{Engine, Input, Result};
use crate::domain::{Account, LearnerId, Mode, Prompted};

/// A learner due a daily prompt now, marked pending in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePrompt {
    pub learner: LearnerId,
    /// Their account on the platform asked about.
    pub account: Account,
    /// Their local date the prompt is for.
    pub day: NaiveDate,
    /// Questions today's quiz would ask.
    pub count: usize,
}

impl Engine {
    /// Whether the account belongs to a learner yet.
    pub fn knows(&self, account: &str) -> Result<bool> {
        Ok(self.learner_id(account)?.is_some())
    }

    /// Remembers, durably, which delivery a platform's poll asks.
    pub fn remember_poll(&self, poll: &str, delivery: &str) -> Result<()> {
        self.store.put_poll(poll, delivery)?;
        Ok(self.store.durable()?)
    }

    /// The delivery a platform's poll asks, if this install sent it.
    pub fn poll_delivery(&self, poll: &str) -> Result<Option<String>> {
        Ok(self.store.poll_delivery(poll)?)
    }

    /// The platform says the account's learner cannot be reached (they blocked the bot), or
    /// can again (they wrote to it). Returns the learner's id when this changed anything.
    pub fn set_reachable(&self, account: &str, reachable: bool) -> Result<Option<LearnerId>> {
        match self.store.learner_by_account(account)? {
            Some(l) if l.inactive == reachable => {
                self.store.set_inactive(l.id, !reachable)?;
                self.store.durable()?;
                Ok(Some(l.id))
            }
            _ => Ok(None),
        }
    }

    /// Learners with an account on `platform` who are due their daily prompt now and have not
    /// had it today. Each is marked pending, durably, before this returns (so a restart sends
    /// it rather than skipping the day); learners with nothing to ask today are marked done.
    /// Returns those due and how many had nothing to ask.
    pub fn prompts_due(&self, platform: &str) -> Result<(Vec<DuePrompt>, usize)> {
        let mut due = Vec::new();
        let mut nothing = 0;
        for l in self.store.learners() {
            let l = l?;
            let Some(account) = l
                .accounts
                .iter()
                .filter_map(|a| a.parse::<Account>().ok())
                .find(|a| a.platform() == platform)
            else {
                continue;
            };
            let Some(today) = self.local_prompt_due(&l) else {
                continue;
            };
            if self
                .store
                .prompted(l.id)?
                .is_some_and(|p| p.day == today && p.sent)
            {
                continue;
            }
            let count = self.daily_count(&l)?;
            self.store.put_prompted(
                l.id,
                &Prompted {
                    day: today,
                    sent: count == 0,
                },
            )?;
            if count == 0 {
                nothing += 1;
                continue;
            }
            due.push(DuePrompt {
                learner: l.id,
                account,
                day: today,
                count,
            });
        }
        self.store.durable()?;
        Ok((due, nothing))
    }

    /// A daily prompt went out (or the platform said the learner blocked it): recorded,
    /// durably, so it is never sent twice.
    pub fn prompt_sent(&self, p: &DuePrompt, blocked: bool) -> Result<()> {
        self.store.put_prompted(
            p.learner,
            &Prompted {
                day: p.day,
                sent: true,
            },
        )?;
        if blocked {
            self.store.set_inactive(p.learner, true)?;
        }
        Ok(self.store.durable()?)
    }

    /// What a request for practice means for this account: today's quiz while it has questions
    /// left (answers feed the schedule), extra practice after that.
    pub fn practice_or_due(&self, account: &str) -> Result<Input> {
        let Some(l) = self.store.learner_by_account(account)? else {
            return Ok(Input::Practice);
        };
        let today = self.today(&l);
        let in_daily = self
            .store
            .session(l.id)?
            .is_some_and(|s| s.mode == Mode::Daily && s.day == today && s.current.is_some());
        Ok(if in_daily || self.daily_count(&l)? > 0 {
            Input::Quiz
        } else {
            Input::Practice
        })
    }
}

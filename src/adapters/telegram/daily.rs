//! Daily prompts: each learner's quiz invitation at their local time.
//!
//! A tick looks at every Telegram learner: if their local time has passed their daily time
//! today (time zone and daylight saving by chrono-tz), it is not a rest day, they are not paused,
//! and today's prompt has not been sent, the prompt goes out.
//!
//! The engine records every due prompt as pending, durably, before any is sent
//! ([`Engine::prompts_due`](crate::engine::Engine::prompts_due)); then each learner's prompt
//! is recorded as sent, durably (group commit), as soon as Telegram has
//! accepted that one message, independently of the rest of the batch. So a restart never skips
//! a day (a pending prompt goes out at the next tick, the same day), and a prompt recorded as
//! sent is never resent. What a crash or an aborted tick can repeat is a prompt whose request
//! was in flight at that instant (accepted by Telegram, its "sent" record not yet on disk):
//! at most one per learner, and only among the requests the throttle had let go in the moment
//! before (it lets at most 30 go a second). Every other prompt of the batch is either recorded
//! as sent or was never sent. A prompt whose record cannot be written (a store failure, which
//! the tick returns) is still pending and goes out again at the next tick.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::Serialize;
use serde_json::json;
use teloxide::prelude::*;
use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup};

use super::{App, send};
use crate::engine::DuePrompt;

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PushReport {
    /// Prompts due this tick.
    pub due: usize,
    pub sent: usize,
    /// Learners found to have blocked the bot (now inactive).
    pub blocked: usize,
    /// Prompts that could not be sent even after retries (tried again next tick).
    pub failed: usize,
    /// Learners due a prompt with nothing to ask today.
    pub nothing_due: usize,
}

/// The daily prompt sender.
pub struct DailyPrompts {
    app: Arc<App>,
    /// Prompts sent at once (the throttle queues them to Telegram's limits).
    pub concurrency: usize,
}

/// What became of one learner's prompt.
enum Pushed {
    Sent,
    Blocked,
    /// Not sent even after retries: still pending, tried again next tick.
    Failed,
}

impl DailyPrompts {
    pub fn new(app: Arc<App>) -> Self {
        DailyPrompts {
            app,
            concurrency: 256,
        }
    }

    /// One pass: sends every prompt due now, recording each as sent as soon as it is.
    /// Returns what happened.
    pub async fn tick(&self) -> anyhow::Result<PushReport> {
        let app = self.app.clone();
        let (due, nothing_due) =
            tokio::task::spawn_blocking(move || app.engine.prompts_due("telegram")).await??;
        let mut report = PushReport {
            due: due.len(),
            nothing_due,
            ..PushReport::default()
        };
        let mut pushes = futures::stream::iter(due)
            .map(|d| Self::push(self.app.clone(), d))
            .buffer_unordered(self.concurrency);
        // A store failure does not stop the other prompts in flight (dropping them could
        // leave sent prompts unrecorded); the first one is returned once they are done.
        let mut store_error = None;
        while let Some(pushed) = pushes.next().await {
            match pushed {
                Ok(Pushed::Sent) => report.sent += 1,
                Ok(Pushed::Blocked) => report.blocked += 1,
                Ok(Pushed::Failed) => report.failed += 1,
                Err(e) => {
                    tracing::error!(error = %e, "could not record a daily prompt as sent");
                    store_error.get_or_insert(e);
                }
            }
        }
        let m = crate::metrics::metrics();
        m.prompts_sent.inc_by(report.sent as u64);
        m.prompts_failed.inc_by(report.failed as u64);
        m.last_daily_push.set(chrono::Utc::now().timestamp());
        match store_error {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }

    /// Sends one learner's prompt and, once Telegram has taken it (or answered that the
    /// learner blocked the bot), records it as sent and waits until that is on disk.
    async fn push(app: Arc<App>, d: DuePrompt) -> anyhow::Result<Pushed> {
        let Some(chat) = d.account.number() else {
            return Ok(Pushed::Failed);
        };
        let text = app.say("daily-prompt", json!({"count": d.count}));
        let button = InlineKeyboardButton::callback(
            app.say("start-button", json!({})),
            super::Callback::Quiz.to_string(),
        );
        let req = app
            .bot
            .send_message(ChatId(chat as i64), text)
            .reply_markup(InlineKeyboardMarkup::new(vec![vec![button]]));
        let blocked = match send::send(&req).await {
            Ok(_) => false,
            Err(e) if send::is_blocked(&e) => true,
            Err(e) => {
                tracing::warn!(learner = d.learner, error = %e, "daily prompt not sent; will retry");
                return Ok(Pushed::Failed);
            }
        };
        // A blocking task runs to the end even if this future is dropped (an aborted tick).
        tokio::task::spawn_blocking(move || app.engine.prompt_sent(&d, blocked)).await??;
        Ok(if blocked {
            Pushed::Blocked
        } else {
            Pushed::Sent
        })
    }

    /// Ticks every `every` until the process ends.
    pub async fn run(self, every: Duration) {
        loop {
            let started = Instant::now();
            match self.tick().await {
                Ok(r) if r.due > 0 => {
                    tracing::info!(?r, took = ?started.elapsed(), "daily prompts")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "daily prompts failed"),
            }
            tokio::time::sleep(every).await;
        }
    }
}

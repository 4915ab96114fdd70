//! Daily prompts: each learner's quiz invitation at their local time.
//!
//! A tick looks at every Telegram learner: if their local time has passed their daily time
//! today (time zone and daylight saving by chrono-tz), it is not a rest day, they are not paused,
//! and today's prompt has not been sent, the prompt goes out. The store records the prompt as
//! pending before sending and sent after, so a restart neither skips a day (a pending or missed
//! prompt goes out at the next tick, the same day) nor sends it twice (a sent one is never
//! resent). Only a crash in the instant between Telegram accepting a message and the store
//! recording it could repeat one prompt.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::Serialize;
use serde_json::json;
use teloxide::prelude::*;
use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup};

use super::{App, send};
use crate::store::{LearnerId, Prompted};

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

struct Due {
    learner: LearnerId,
    chat: ChatId,
    prompted: Prompted,
    count: usize,
}

impl DailyPrompts {
    pub fn new(app: Arc<App>) -> Self {
        DailyPrompts {
            app,
            concurrency: 256,
        }
    }

    /// Finds who is due a prompt now and marks them pending.
    fn collect(app: &App) -> anyhow::Result<(Vec<Due>, usize)> {
        let engine = &app.engine;
        let mut due = Vec::new();
        let mut nothing = 0;
        for l in engine.store.learners() {
            let l = l?;
            let Some(chat) = l.accounts.iter().find_map(|a| {
                a.strip_prefix("telegram:")
                    .and_then(|id| id.parse::<i64>().ok())
            }) else {
                continue;
            };
            let Some(today) = engine.local_prompt_due(&l) else {
                continue;
            };
            if engine
                .store
                .prompted(l.id)?
                .is_some_and(|p| p.day == today && p.sent)
            {
                continue;
            }
            let count = engine.daily_count(&l)?;
            let pending = Prompted {
                day: today,
                sent: count == 0,
            };
            engine.store.put_prompted(l.id, &pending)?;
            if count == 0 {
                nothing += 1;
                continue;
            }
            due.push(Due {
                learner: l.id,
                chat: ChatId(chat),
                prompted: pending,
                count,
            });
        }
        engine.store.durable()?;
        Ok((due, nothing))
    }

    /// One pass: sends every prompt due now. Returns what happened.
    pub async fn tick(&self) -> anyhow::Result<PushReport> {
        let app = self.app.clone();
        let (due, nothing_due) = tokio::task::spawn_blocking(move || Self::collect(&app)).await??;
        let mut report = PushReport {
            due: due.len(),
            nothing_due,
            ..PushReport::default()
        };
        let results: Vec<(Due, Result<send::Sent, teloxide::RequestError>)> =
            futures::stream::iter(due)
                .map(|d| {
                    let app = self.app.clone();
                    async move {
                        let text = app.say("daily-prompt", json!({"count": d.count}));
                        let button = InlineKeyboardButton::callback(
                            app.say("start-button", json!({})),
                            "quiz",
                        );
                        let req = app
                            .bot
                            .send_message(d.chat, text)
                            .reply_markup(InlineKeyboardMarkup::new(vec![vec![button]]));
                        let res = match send::send(&req).await {
                            Ok(_) => Ok(send::Sent::Delivered),
                            Err(e) if send::is_blocked(&e) => Ok(send::Sent::Blocked),
                            Err(e) => Err(e),
                        };
                        (d, res)
                    }
                })
                .buffer_unordered(self.concurrency)
                .collect()
                .await;
        let app = self.app.clone();
        let mut done: Vec<(LearnerId, Prompted, bool)> = Vec::new();
        for (d, res) in results {
            match res {
                Ok(send::Sent::Delivered) => {
                    report.sent += 1;
                    done.push((d.learner, d.prompted, false));
                }
                Ok(send::Sent::Blocked) => {
                    report.blocked += 1;
                    done.push((d.learner, d.prompted, true));
                }
                Err(e) => {
                    report.failed += 1;
                    tracing::warn!(learner = d.learner, error = %e, "daily prompt not sent; will retry");
                }
            }
        }
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            for (id, p, blocked) in done {
                app.engine.store.put_prompted(
                    id,
                    &Prompted {
                        day: p.day,
                        sent: true,
                    },
                )?;
                if blocked {
                    app.engine.store.set_inactive(id, true)?;
                }
            }
            app.engine.store.durable()?;
            Ok(())
        })
        .await??;
        Ok(report)
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

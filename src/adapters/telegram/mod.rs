//! Telegram: daily quiz prompts for apprentices in a private chat with the bot (teloxide).
//!
//! A handler tree of small functions turns updates into engine calls: messages (commands and
//! typed answers), button presses (callback queries), and answers to native quiz polls
//! (poll answers, matched to their delivery through the store). Engine replies go out as text,
//! as a native quiz poll when a question fits Telegram's limits, or as a message with lettered
//! buttons. Sending goes through teloxide's `Throttle` (about 30 messages a second overall,
//! one a second per chat, `retry_after` honoured on 429) and [`send`]'s retries of 5xx and
//! network failures; a learner who blocked the bot (403) is marked inactive, not retried.
//! [`daily`] sends each learner's prompt at their local time.

mod callback;
pub mod daily;
pub mod send;

pub use callback::Callback;

use std::sync::Arc;

use serde_json::json;
use teloxide::dispatching::{DefaultKey, Dispatcher, UpdateFilterExt};
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, CallbackQuery, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile,
    InputPollOption, PollAnswer, PollType, Update,
};

use crate::bank::check::fits_poll_parts;
use crate::domain::Account;
use crate::engine::{Engine, Input, Out, QuestionOut, Verdict, Who, command, letter, lettered};

pub use send::{Sent, TgBot};

type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Everything the handlers share.
pub struct App {
    pub engine: Arc<Engine>,
    pub bot: TgBot,
}

impl App {
    /// Renders `prompts/telegram/<name>.hbs`.
    fn say(&self, name: &str, data: serde_json::Value) -> String {
        self.engine
            .prompts
            .render(&format!("telegram/{name}"), &data)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "template failed");
                String::new()
            })
    }

    /// Runs an engine call off the async runtime (it waits on disk flushes).
    async fn with_engine<T: Send + 'static>(
        &self,
        account: String,
        name: String,
        call: impl FnOnce(&Engine, Who) -> crate::engine::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let engine = self.engine.clone();
        let out = tokio::task::spawn_blocking(move || {
            call(
                &engine,
                Who {
                    account: &account,
                    name: &name,
                    platform: "telegram",
                },
            )
        })
        .await??;
        Ok(out)
    }

    async fn engine_call(
        &self,
        account: String,
        name: String,
        input: Input,
    ) -> anyhow::Result<Vec<Out>> {
        match self
            .with_engine(account, name, move |engine, who| engine.handle(who, input))
            .await
        {
            Ok(outs) => Ok(outs),
            // The learner hears that it did not work (from prompts/), never the error's text.
            Err(e) => {
                tracing::error!(error = %e, "engine call failed");
                Ok(vec![Out::Text(self.engine.say("try-again", json!({}))?)])
            }
        }
    }

    /// Sends engine output to a chat, in order. Stops (and marks the learner inactive) if the
    /// learner has blocked the bot.
    pub async fn deliver(&self, chat: ChatId, outs: Vec<Out>) -> anyhow::Result<Sent> {
        for out in outs {
            let sent = match out {
                Out::Text(text) => send::send(&self.bot.send_message(chat, text))
                    .await
                    .map(|_| ()),
                Out::Question(q) => self.send_question(chat, &q).await,
                Out::Document { name, content } => {
                    let file = InputFile::memory(content).file_name(name);
                    send::send(&self.bot.send_document(chat, file))
                        .await
                        .map(|_| ())
                }
                Out::Choices { text, choices } => {
                    // One button a row; Telegram carries at most 64 bytes of data back.
                    let rows: Vec<Vec<InlineKeyboardButton>> = choices
                        .iter()
                        .map(|c| {
                            (
                                c.label.clone(),
                                callback::Callback::Command(c.command.clone()).to_string(),
                            )
                        })
                        .filter(|(_, data)| data.len() <= 64)
                        .map(|(label, data)| vec![InlineKeyboardButton::callback(label, data)])
                        .collect();
                    send::send(
                        &self
                            .bot
                            .send_message(chat, text)
                            .reply_markup(InlineKeyboardMarkup::new(rows)),
                    )
                    .await
                    .map(|_| ())
                }
            };
            match sent {
                Ok(()) => {}
                Err(e) if send::is_blocked(&e) => {
                    self.mark_blocked(chat).await?;
                    return Ok(Sent::Blocked);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Sent::Delivered)
    }

    async fn send_question(
        &self,
        chat: ChatId,
        q: &QuestionOut,
    ) -> Result<(), teloxide::RequestError> {
        if fits_poll_parts(&q.stem, &q.options, &q.explanation) {
            let options: Vec<InputPollOption> = q
                .options
                .iter()
                .map(|o| InputPollOption::from(o.clone()))
                .collect();
            let req = self
                .bot
                .send_poll(chat, q.stem.clone(), options)
                .type_(PollType::Quiz)
                .correct_option_id(q.answer as u8)
                .explanation(q.explanation.clone())
                .is_anonymous(false);
            let msg = send::send(&req).await?;
            if let Some(poll) = msg.poll() {
                let (engine, poll_id, delivery) =
                    (self.engine.clone(), poll.id.to_string(), q.delivery.clone());
                tokio::task::spawn_blocking(move || engine.remember_poll(&poll_id, &delivery))
                    .await
                    .ok();
            }
            return Ok(());
        }
        let options = lettered(&q.options);
        let text = self.say(
            "question",
            json!({"header": q.header, "stem": q.stem, "options": options}),
        );
        let buttons: Vec<InlineKeyboardButton> = (0..q.options.len())
            .map(|i| {
                let data = Callback::Answer {
                    delivery: q.delivery.clone(),
                    option: i,
                };
                InlineKeyboardButton::callback(letter(i), data.to_string())
            })
            .collect();
        let req = self
            .bot
            .send_message(chat, text)
            .reply_markup(InlineKeyboardMarkup::new(vec![buttons]));
        send::send(&req).await.map(|_| ())
    }

    async fn mark_blocked(&self, chat: ChatId) -> anyhow::Result<()> {
        let engine = self.engine.clone();
        let account = Account::telegram(chat.0 as u64).to_string();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            if let Some(id) = engine.set_reachable(&account, false)? {
                tracing::info!(learner = id, "learner blocked the bot: marked inactive");
            }
            Ok(())
        })
        .await?
    }

    /// A learner who writes to the bot is reachable again.
    async fn mark_active(&self, account: &str) {
        let (engine, account) = (self.engine.clone(), account.to_string());
        let _ = tokio::task::spawn_blocking(move || engine.set_reachable(&account, true)).await;
    }
}

fn display_name(user: &teloxide::types::User) -> String {
    user.first_name.clone()
}

/// The update handler tree.
pub fn schema() -> teloxide::dispatching::UpdateHandler<Box<dyn std::error::Error + Send + Sync>> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_edited_message().endpoint(on_edited))
        .branch(Update::filter_callback_query().endpoint(on_callback))
        .branch(Update::filter_poll_answer().endpoint(on_poll_answer))
}

async fn on_message(app: Arc<App>, msg: Message) -> HandlerResult {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    if !msg.chat.is_private() {
        // In groups the bot answers commands only, with a pointer to the private chat.
        if msg.text().is_some_and(|t| t.starts_with('/')) {
            send::send(
                &app.bot
                    .send_message(msg.chat.id, app.say("private-only", json!({}))),
            )
            .await?;
        }
        return Ok(());
    }
    let account = Account::telegram(user.id.0).to_string();
    app.mark_active(&account).await;
    let Some(text) = msg.text() else {
        send::send(
            &app.bot
                .send_message(msg.chat.id, app.say("text-only", json!({}))),
        )
        .await?;
        return Ok(());
    };
    let outs = app
        .engine_call(account, display_name(user), command::parse(text))
        .await?;
    app.deliver(msg.chat.id, outs).await?;
    Ok(())
}

/// Edited messages are not re-read: an edited answer must not count twice or change.
async fn on_edited(_msg: Message) -> HandlerResult {
    Ok(())
}

async fn on_callback(app: Arc<App>, q: CallbackQuery) -> HandlerResult {
    // Always answer the callback so the button stops spinning, whatever happens next.
    let _ = send::send(&app.bot.answer_callback_query(q.id.clone())).await;
    let account = Account::telegram(q.from.id.0).to_string();
    let chat = q
        .message
        .as_ref()
        .map(|m| m.chat().id)
        .unwrap_or(ChatId(q.from.id.0 as i64));
    let input = match q.data.as_deref().and_then(Callback::parse) {
        Some(Callback::Answer { delivery, option }) => Input::Answer { delivery, option },
        Some(Callback::Quiz) => Input::Quiz,
        Some(Callback::ForgetConfirm) => Input::ForgetConfirm,
        Some(Callback::Command(cmd)) => command::parse(&cmd),
        None => return stale_button(&app, chat).await,
    };
    let outs = match input {
        Input::Answer { delivery, option } => {
            let answered = app
                .with_engine(account, display_name(&q.from), move |engine, who| {
                    engine.handle_answer(who, &delivery, option)
                })
                .await;
            let (verdict, outs) = match answered {
                Ok(v) => v,
                Err(e) => {
                    tracing::error!(error = %e, "recording an answer failed");
                    let text = app.engine.say("try-again", json!({}))?;
                    (Verdict::Refused, vec![Out::Text(text)])
                }
            };
            // Only an answer the engine has just recorded is shown on the question message
            // (and its buttons taken away); a stale or repeated press keeps the message as it
            // is and gets the engine's reply (already answered, quiz ended...).
            if let (Verdict::Recorded { option }, Some(m)) = (verdict, q.message.as_ref())
                && let Some(text) = m.regular_message().and_then(|m| m.text())
            {
                let chosen = app.say("chosen", json!({"text": text, "letter": letter(option)}));
                let _ = send::send(&app.bot.edit_message_text(chat, m.id(), chosen)).await;
            }
            outs
        }
        input => {
            app.engine_call(account, display_name(&q.from), input)
                .await?
        }
    };
    app.deliver(chat, outs).await?;
    Ok(())
}

async fn stale_button(app: &App, chat: ChatId) -> HandlerResult {
    send::send(
        &app.bot
            .send_message(chat, app.say("stale-button", json!({}))),
    )
    .await?;
    Ok(())
}

async fn on_poll_answer(app: Arc<App>, answer: PollAnswer) -> HandlerResult {
    let Some(user) = answer.voter.user().cloned() else {
        return Ok(());
    };
    let Some(&option) = answer.option_ids.first() else {
        return Ok(());
    };
    let (engine, poll_id) = (app.engine.clone(), answer.poll_id.to_string());
    let delivery = tokio::task::spawn_blocking(move || engine.poll_delivery(&poll_id)).await??;
    // A poll this bot does not know (or no longer keeps) is ignored.
    let Some(delivery) = delivery else {
        return Ok(());
    };
    let account = Account::telegram(user.id.0).to_string();
    let outs = app
        .engine_call(
            account,
            display_name(&user),
            Input::Answer {
                delivery,
                option: option as usize,
            },
        )
        .await?;
    app.deliver(ChatId(user.id.0 as i64), outs).await?;
    Ok(())
}

/// Registers the commands (setMyCommands) from `prompts/telegram/commands.hbs`, one
/// `command - description` per line.
pub async fn register_commands(app: &App) -> anyhow::Result<()> {
    let text = app.say("commands", json!({}));
    let commands: Vec<BotCommand> = text
        .lines()
        .filter_map(|l| l.split_once(" - "))
        .map(|(c, d)| BotCommand::new(c.trim().trim_start_matches('/'), d.trim()))
        .collect();
    send::send(&app.bot.set_my_commands(commands)).await?;
    Ok(())
}

/// Builds the dispatcher (long polling) for an app.
pub fn dispatcher(
    app: Arc<App>,
) -> Dispatcher<TgBot, Box<dyn std::error::Error + Send + Sync>, DefaultKey> {
    Dispatcher::builder(app.bot.clone(), schema())
        .dependencies(dptree::deps![app])
        .default_handler(|_| async {})
        .enable_ctrlc_handler()
        .build()
}

/// A running bot: the dispatcher and (optionally) the daily prompt loop.
pub struct Running {
    pub app: Arc<App>,
    shutdown: teloxide::dispatching::ShutdownToken,
    dispatch: tokio::task::JoinHandle<()>,
    daily: Option<tokio::task::JoinHandle<()>>,
}

/// Webhook mode: Telegram posts updates to `url`, which reaches the listener on `listen`;
/// every update must carry `secret` in `X-Telegram-Bot-Api-Secret-Token` (others get 401).
#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: url::Url,
    pub listen: std::net::SocketAddr,
    pub secret: crate::config::Secret,
}

/// Starts the bot: registers its commands, begins long polling, and (with `daily_every`)
/// ticks the daily prompts.
pub async fn start(
    engine: Arc<Engine>,
    token: &crate::config::Secret,
    api_url: Option<&str>,
    daily_every: Option<std::time::Duration>,
) -> anyhow::Result<Running> {
    start_with(engine, token, api_url, daily_every, None).await
}

/// [`start`], receiving updates by webhook when `webhook` is given (teloxide's axum
/// listener: it calls `setWebhook` with the secret, and `deleteWebhook` when stopped).
pub async fn start_with(
    engine: Arc<Engine>,
    token: &crate::config::Secret,
    api_url: Option<&str>,
    daily_every: Option<std::time::Duration>,
    webhook: Option<Webhook>,
) -> anyhow::Result<Running> {
    let bot = send::make_bot(token, api_url)?;
    let app = Arc::new(App { engine, bot });
    if let Err(e) = register_commands(&app).await {
        tracing::warn!(error = %e, "could not register the bot's commands");
    }
    let mut d = dispatcher(app.clone());
    let shutdown = d.shutdown_token();
    let dispatch = match webhook {
        None => tokio::spawn(async move { d.dispatch().await }),
        Some(w) => {
            // Bind first, so a taken port is an error here rather than a panic in teloxide's
            // listener task.
            drop(
                std::net::TcpListener::bind(w.listen)
                    .map_err(|e| anyhow::anyhow!("webhook listener {}: {e}", w.listen))?,
            );
            let options = teloxide::update_listeners::webhooks::Options::new(w.listen, w.url)
                .secret_token(w.secret.expose().to_string());
            let listener = teloxide::update_listeners::webhooks::axum(app.bot.clone(), options)
                .await
                .map_err(|e| anyhow::anyhow!("setting the Telegram webhook: {e}"))?;
            tokio::spawn(async move {
                d.dispatch_with_listener(
                    listener,
                    teloxide::error_handlers::LoggingErrorHandler::with_custom_text(
                        "a webhook update failed",
                    ),
                )
                .await
            })
        }
    };
    let daily =
        daily_every.map(|every| tokio::spawn(daily::DailyPrompts::new(app.clone()).run(every)));
    Ok(Running {
        app,
        shutdown,
        dispatch,
        daily,
    })
}

impl Running {
    /// Stops polling and the daily loop, waiting for handlers in flight.
    pub async fn stop(self) {
        if let Some(d) = self.daily {
            d.abort();
        }
        // A dispatcher still starting up refuses to shut down ("idle"): ask again until it
        // takes the request. The future `shutdown` returns is not awaited: teloxide registers
        // its waiter only when that future is first polled, so a dispatcher that finishes in
        // between is never noticed (a lost wake-up that hung CI on one core). The dispatcher
        // task's own handle is the reliable signal that it has ended.
        let mut dispatch = self.dispatch;
        for _ in 0..200 {
            if self.shutdown.shutdown().is_ok() || dispatch.is_finished() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        if tokio::time::timeout(std::time::Duration::from_secs(10), &mut dispatch)
            .await
            .is_err()
        {
            tracing::warn!("the Telegram dispatcher did not stop within 10 s; aborting it");
            dispatch.abort();
        }
    }

    /// Waits until the dispatcher ends (Ctrl-C).
    pub async fn wait(self) {
        let _ = self.dispatch.await;
    }

    /// A probe for the health check: whether the Bot API answers `getMe` now.
    pub fn probe(&self) -> crate::adapters::ops::Probe {
        let app = self.app.clone();
        Arc::new(move || {
            let app = app.clone();
            Box::pin(async move { app.bot.get_me().send().await.is_ok() })
        })
    }
}

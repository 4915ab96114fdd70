//! Sending to Telegram without losing or doubling messages: the bot wrapped in teloxide's
//! `Throttle` (Telegram's flood limits, `retry_after` honoured on 429), plus retries with
//! backoff for server errors and network failures. A request the server refused for good
//! (bad request, blocked by the user) is not retried.

use std::time::Duration;

use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::Limits;
use teloxide::prelude::*;
use teloxide::requests::{Output, Request};
use teloxide::{ApiError, RequestError};

use crate::config::Secret;

/// The bot as ksbquiz uses it.
pub type TgBot = Throttle<Bot>;

/// Outcome of delivering to one chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Delivered,
    /// The learner blocked the bot (or left Telegram): marked inactive.
    Blocked,
}

/// A bot for `token`, talking to `api_url` (Telegram's own when `None`), throttled to
/// Telegram's limits. Must be called inside a tokio runtime.
pub fn make_bot(token: &Secret, api_url: Option<&str>) -> anyhow::Result<TgBot> {
    let mut bot = Bot::new(token.expose());
    if let Some(url) = api_url {
        let url =
            url::Url::parse(url).map_err(|e| anyhow::anyhow!("TELEGRAM_API_URL {url:?}: {e}"))?;
        bot = bot.set_api_url(url);
    }
    // Telegram documents one message a second per chat and 30 a second overall; its 20 a
    // minute applies to groups. teloxide applies `messages_per_min_chat` to every chat, which
    // would stall a learner's private quiz (feedback and next question per answer), so it is
    // raised to the one-a-second rate; the bot talks only in private chats.
    Ok(bot.throttle(Limits {
        messages_per_min_chat: 60,
        ..Limits::default()
    }))
}

/// Whether an error means the learner cannot be reached (HTTP 403 and kin).
pub fn is_blocked(e: &RequestError) -> bool {
    matches!(
        e,
        RequestError::Api(
            ApiError::BotBlocked
                | ApiError::UserDeactivated
                | ApiError::CantInitiateConversation
                | ApiError::BotKicked
                | ApiError::BotKickedFromSupergroup
                | ApiError::ChatNotFound
        )
    )
}

/// Whether trying again may succeed: network trouble or a server-side (5xx) failure.
fn transient(e: &RequestError) -> bool {
    match e {
        // Not InvalidJson: the server took the request, and sending it again would double it.
        RequestError::Network(_) | RequestError::Io(_) => true,
        RequestError::RetryAfter(_) => true,
        RequestError::Api(ApiError::Unknown(d)) => {
            let d = d.to_lowercase();
            [
                "internal",
                "bad gateway",
                "unavailable",
                "timeout",
                "timed out",
            ]
            .iter()
            .any(|k| d.contains(k))
        }
        _ => false,
    }
}

/// Attempts before giving up on a transient failure.
const ATTEMPTS: u32 = 6;

/// Sends a request, retrying transient failures with exponential backoff.
pub async fn send<R>(req: &R) -> Result<Output<R>, RequestError>
where
    R: Request<Err = RequestError>,
{
    let mut delay = Duration::from_millis(250);
    let mut attempt = 1;
    loop {
        match req.send_ref().await {
            Ok(out) => return Ok(out),
            Err(e) if attempt < ATTEMPTS && transient(&e) => {
                let m = crate::metrics::metrics();
                m.telegram_retries.inc();
                if matches!(e, RequestError::RetryAfter(_)) {
                    m.telegram_429.inc();
                }
                let wait = match &e {
                    RequestError::RetryAfter(s) => s.duration().max(delay),
                    _ => delay,
                };
                tracing::warn!(attempt, error = %e, "Telegram request failed; retrying");
                tokio::time::sleep(wait).await;
                delay = (delay * 2).min(Duration::from_secs(30));
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

//! A local fake of the Telegram Bot API (HTTP on 127.0.0.1), for end-to-end tests and the
//! benchmark. It follows the public Bot API: `POST /bot<token>/<method>` with JSON or multipart
//! bodies, answers `{"ok": true, "result": ...}` with Message, Poll and User objects shaped as
//! the API documents them, serves queued updates to `getUpdates`, and can be told to fail:
//! 429 with `retry_after`, 5xx, a dropped connection, or 403 "bot was blocked by the user"
//! for a chat, or hang (as a server going down does) after a number of messages.
//! Failed calls are not recorded as sent: `calls()` is what a user would have received, and
//! `attempts()` every sending call that reached the server, refused or not.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// The bot's own user id in the fake.
pub const BOT_ID: i64 = 7_000_000;

/// One API call the fake accepted.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub chat_id: Option<i64>,
    pub body: Value,
    /// The Message returned, for sending methods.
    pub result: Value,
    pub at: Instant,
}

/// A sending call that reached the fake, whether it was accepted or refused.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub method: String,
    pub chat_id: Option<i64>,
    pub accepted: bool,
    pub at: Instant,
}

/// A failure to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with `parameters.retry_after`.
    TooManyRequests { retry_after: u64 },
    /// HTTP 500.
    ServerError,
    /// The connection is dropped before the request is processed.
    DropConnection,
}

#[derive(Default)]
struct Inner {
    updates: Vec<Value>,
    next_update: i64,
    next_message: i64,
    next_poll: u64,
    calls: Vec<Call>,
    /// Faults for the next sending calls, in order: each for any method (`None`) or one.
    faults: VecDeque<(Option<String>, Fault)>,
    blocked: HashSet<i64>,
    failed: usize,
    attempts: Vec<Attempt>,
    /// Sending calls still accepted before the server hangs.
    hang_after: Option<usize>,
    hanging: bool,
}

/// The running fake server.
pub struct FakeTelegram {
    server: super::Server,
    state: Arc<Mutex<Inner>>,
}

fn user(id: i64, name: &str) -> Value {
    json!({"id": id, "is_bot": false, "first_name": name})
}

fn private_chat(id: i64) -> Value {
    json!({"id": id, "type": "private", "first_name": "Learner"})
}

fn fail(status: StatusCode, description: &str, retry_after: Option<u64>) -> Response {
    let mut body = json!({"ok": false, "error_code": status.as_u16(), "description": description});
    if let Some(s) = retry_after {
        body["parameters"] = json!({"retry_after": s});
    }
    (status, axum::Json(body)).into_response()
}

/// Reads the body as JSON, or picks the fields out of a multipart form.
fn parse_body(headers: &HeaderMap, body: &Bytes) -> Value {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("multipart/form-data") {
        let text = String::from_utf8_lossy(body);
        let mut obj = serde_json::Map::new();
        for part in text
            .split("Content-Disposition: form-data; name=\"")
            .skip(1)
        {
            let Some((name, rest)) = part.split_once('"') else {
                continue;
            };
            if rest.starts_with("; filename=") {
                let file = rest.split('"').nth(1).unwrap_or("file");
                obj.insert(name.to_string(), json!({"file_name": file}));
                continue;
            }
            let value = rest
                .split_once("\r\n\r\n")
                .map(|(_, v)| v.split("\r\n--").next().unwrap_or(""))
                .unwrap_or("");
            obj.insert(name.to_string(), Value::String(value.to_string()));
        }
        // A field `attach://<name>` refers to the file uploaded as part <name> (Bot API:
        // "Sending files"): resolve it, as the server does.
        let refs: Vec<(String, String)> = obj
            .iter()
            .filter_map(|(k, v)| {
                let part = v.as_str()?.strip_prefix("attach://")?;
                Some((k.clone(), part.to_string()))
            })
            .collect();
        for (field, part) in refs {
            if let Some(file) = obj.remove(&part) {
                obj.insert(field, file);
            }
        }
        Value::Object(obj)
    } else {
        serde_json::from_slice(body).unwrap_or(Value::Null)
    }
}

const METHODS: &[&str] = &[
    "getMe",
    "getUpdates",
    "deleteWebhook",
    "setWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "sendMessage",
    "sendPoll",
    "sendDocument",
    "editMessageText",
    "answerCallbackQuery",
    "editMessageReplyMarkup",
];

fn canonical(method: &str) -> String {
    METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_string(), |m| m.to_string())
}

fn chat_of(body: &Value) -> Option<i64> {
    match &body["chat_id"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Counts a sending call the fake refused.
fn refused(s: &mut Inner, method: &str, chat: Option<i64>) {
    s.failed += 1;
    s.attempts.push(Attempt {
        method: method.to_string(),
        chat_id: chat,
        accepted: false,
        at: Instant::now(),
    });
}

async fn handle(
    State(state): State<Arc<Mutex<Inner>>>,
    Path((bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !bot.starts_with("bot") {
        return fail(StatusCode::NOT_FOUND, "Not Found", None);
    }
    // Bot API method names are case-insensitive; record them as the documents spell them.
    let method = canonical(&method);
    let body = parse_body(&headers, &body);
    let chat = chat_of(&body);
    if method == "getUpdates" {
        let offset = body["offset"].as_i64().unwrap_or(0);
        let timeout = body["timeout"].as_u64().unwrap_or(0);
        let deadline = Instant::now() + Duration::from_millis(timeout.min(1) * 200);
        loop {
            let ready: Vec<Value> = {
                let s = state.lock().unwrap_or_else(|e| e.into_inner());
                s.updates
                    .iter()
                    .filter(|u| u["update_id"].as_i64().unwrap_or(0) >= offset)
                    .cloned()
                    .collect()
            };
            if !ready.is_empty() || Instant::now() >= deadline {
                return axum::Json(json!({"ok": true, "result": ready})).into_response();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let reply = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        serve(&mut s, method.clone(), chat, body)
    };
    if let Some(reply) = reply {
        return reply;
    }
    // Hanging: no answer until `recover`, then a gateway error; the call was never processed.
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        if !s.hanging {
            refused(&mut s, &method, chat);
            return fail(StatusCode::BAD_GATEWAY, "Bad Gateway", None);
        }
    }
}

/// Answers one call other than getUpdates, or `None` if the server is hanging.
fn serve(s: &mut Inner, method: String, chat: Option<i64>, body: Value) -> Option<Response> {
    let sending = method.starts_with("send") || method == "editMessageText";
    if sending {
        if s.hang_after == Some(0) {
            s.hanging = true;
        }
        if s.hanging {
            return None;
        }
        if chat.is_some_and(|c| s.blocked.contains(&c)) {
            refused(s, &method, chat);
            return Some(fail(
                StatusCode::FORBIDDEN,
                "Forbidden: bot was blocked by the user",
                None,
            ));
        }
    }
    // Faults meet sending calls (any fault, or one aimed at the method), and other calls only
    // when aimed at them by name (`inject_on("getMe", ...)`).
    let fault = s
        .faults
        .iter()
        .position(|(m, _)| match m {
            None => sending,
            Some(m) => *m == method,
        })
        .and_then(|i| s.faults.remove(i))
        .map(|(_, f)| f);
    {
        if let Some(f) = fault {
            refused(s, &method, chat);
            return Some(match f {
                Fault::TooManyRequests { retry_after } => fail(
                    StatusCode::TOO_MANY_REQUESTS,
                    &format!("Too Many Requests: retry after {retry_after}"),
                    Some(retry_after),
                ),
                Fault::ServerError => fail(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal Server Error",
                    None,
                ),
                Fault::DropConnection => {
                    // Aborting the handler makes the server close the connection unanswered
                    // (the state's lock is poisoned, which every user of it tolerates).
                    std::panic::resume_unwind(Box::new("fake Telegram: dropping the connection"));
                }
            });
        }
    }
    if sending {
        if let Some(n) = s.hang_after.as_mut() {
            *n = n.saturating_sub(1);
        }
        s.attempts.push(Attempt {
            method: method.clone(),
            chat_id: chat,
            accepted: true,
            at: Instant::now(),
        });
    }
    let now = 1_790_000_000;
    let result = match method.as_str() {
        "getMe" => {
            json!({"id": BOT_ID, "is_bot": true, "first_name": "ksbquiz", "username": "ksbquiz_test_bot",
                          "can_join_groups": false, "can_read_all_group_messages": false, "supports_inline_queries": false,
                          "can_connect_to_business": false, "has_main_web_app": false})
        }
        "sendMessage" | "sendPoll" | "sendDocument" | "editMessageText" => {
            let message_id = match body["message_id"].as_i64() {
                Some(id) if method == "editMessageText" => id,
                _ => {
                    s.next_message += 1;
                    s.next_message
                }
            };
            let mut m = json!({
                "message_id": message_id, "date": now,
                "chat": private_chat(chat.unwrap_or(0)),
                "from": {"id": BOT_ID, "is_bot": true, "first_name": "ksbquiz"},
            });
            match method.as_str() {
                "sendPoll" => {
                    s.next_poll += 1;
                    let options: Vec<Value> = body["options"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|o| json!({"text": o["text"].as_str().or(o.as_str()).unwrap_or(""), "voter_count": 0}))
                                .collect()
                        })
                        .unwrap_or_default();
                    m["poll"] = json!({
                        "id": format!("poll-{}", s.next_poll), "question": body["question"], "options": options,
                        "total_voter_count": 0, "is_closed": false, "is_anonymous": body["is_anonymous"].as_bool().unwrap_or(true),
                        "type": body["type"].as_str().unwrap_or("regular"), "allows_multiple_answers": false,
                        "correct_option_id": body["correct_option_id"], "explanation": body["explanation"],
                    });
                }
                "sendDocument" => {
                    m["document"] = json!({"file_id": format!("file-{message_id}"), "file_unique_id": format!("u{message_id}"),
                                           "file_name": body["document"]["file_name"]});
                }
                _ => {
                    m["text"] = body["text"].clone();
                    if body.get("reply_markup").is_some() {
                        m["reply_markup"] = body["reply_markup"].clone();
                    }
                }
            }
            m
        }
        // A bot that polls has no webhook (Bot API: WebhookInfo with an empty url).
        "getWebhookInfo" => {
            json!({"url": "", "has_custom_certificate": false, "pending_update_count": 0})
        }
        _ => json!(true),
    };
    s.calls.push(Call {
        method: method.clone(),
        chat_id: chat,
        body,
        result: result.clone(),
        at: Instant::now(),
    });
    Some(axum::Json(json!({"ok": true, "result": result})).into_response())
}

impl FakeTelegram {
    /// Starts the fake on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<FakeTelegram> {
        let state = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/{bot}/{method}", post(handle))
            .with_state(state.clone());
        Ok(FakeTelegram {
            server: super::Server::start(app).await?,
            state,
        })
    }

    /// The base URL to give the bot (`TELEGRAM_API_URL`).
    pub fn url(&self) -> String {
        self.server.url()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn push(&self, mut update: Value) {
        self.with(|s| {
            s.next_update += 1;
            update["update_id"] = json!(s.next_update);
            s.updates.push(update);
        });
    }

    /// A private text message from a user (commands get a bot_command entity).
    pub fn push_text(&self, user_id: i64, name: &str, text: &str) {
        let mut message = json!({
            "message_id": 1, "date": 1_790_000_000, "chat": private_chat(user_id),
            "from": user(user_id, name), "text": text,
        });
        if text.starts_with('/') {
            let len = text
                .split_whitespace()
                .next()
                .map_or(0, |c| c.encode_utf16().count());
            message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
        }
        self.push(json!({"message": message}));
    }

    /// Any message object (a sticker, a group message...) as an update of `kind`.
    pub fn push_raw(&self, kind: &str, message: Value) {
        let mut update = serde_json::Map::new();
        update.insert(kind.to_string(), message);
        self.push(Value::Object(update));
    }

    /// A press of an inline button on a message the bot sent.
    pub fn push_callback(&self, user_id: i64, name: &str, message: &Value, data: &str) {
        let id = format!("cb-{}", self.with(|s| s.next_update + 1));
        self.push(json!({"callback_query": {
            "id": id, "from": user(user_id, name), "message": message,
            "chat_instance": "ci-1", "data": data,
        }}));
    }

    /// A vote on a (non-anonymous) poll.
    pub fn push_poll_answer(&self, user_id: i64, name: &str, poll_id: &str, option: u8) {
        self.push(json!({"poll_answer": {"poll_id": poll_id, "user": user(user_id, name), "option_ids": [option]}}));
    }

    /// Calls accepted so far.
    pub fn calls(&self) -> Vec<Call> {
        self.with(|s| s.calls.clone())
    }

    /// Accepted calls of one method to one chat.
    pub fn sent_to(&self, chat: i64, method: &str) -> Vec<Call> {
        self.with(|s| {
            s.calls
                .iter()
                .filter(|c| c.chat_id == Some(chat) && c.method == method)
                .cloned()
                .collect()
        })
    }

    /// Calls refused by injected faults or blocks.
    pub fn failed(&self) -> usize {
        self.with(|s| s.failed)
    }

    /// The next sending calls fail with these faults, in order.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.with(|s| s.faults.extend(faults.into_iter().map(|f| (None, f))));
    }

    /// The next calls of `method` (e.g. `sendPoll`) fail with these faults, in order.
    pub fn inject_on(&self, method: &str, faults: impl IntoIterator<Item = Fault>) {
        self.with(|s| {
            s.faults
                .extend(faults.into_iter().map(|f| (Some(method.to_string()), f)))
        });
    }

    /// Injected faults not met yet.
    pub fn pending_faults(&self) -> usize {
        self.with(|s| s.faults.len())
    }

    /// Every sending call that reached the server, accepted or refused, in order of arrival.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.with(|s| s.attempts.clone())
    }

    /// After `n` more accepted sending calls the server hangs: every further sending call
    /// waits unanswered (and unprocessed) until [`FakeTelegram::recover`].
    pub fn hang_after(&self, n: usize) {
        self.with(|s| {
            s.hang_after = Some(n);
            s.hanging = n == 0;
        });
    }

    /// Ends a hang: the calls left waiting answer 502, later calls are served normally.
    pub fn recover(&self) {
        self.with(|s| {
            s.hang_after = None;
            s.hanging = false;
        });
    }

    /// Every sending call to this chat answers 403 (the user blocked the bot).
    pub fn block(&self, chat: i64) {
        self.with(|s| {
            s.blocked.insert(chat);
        });
    }

    /// The user unblocked the bot.
    pub fn unblock(&self, chat: i64) {
        self.with(|s| {
            s.blocked.remove(&chat);
        });
    }

    /// Waits (up to `timeout`) until `cond` holds for the calls so far.
    pub async fn wait_for(&self, timeout: Duration, cond: impl Fn(&[Call]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.with(|s| cond(&s.calls)) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

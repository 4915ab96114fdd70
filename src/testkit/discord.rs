//! A local fake of Discord for tests and benchmarks: the REST API under `/api/v10` (the calls
//! this bot makes, answered with objects shaped as Discord documents them) and a gateway
//! WebSocket (Hello, Identify → Ready, heartbeats, and `INTERACTION_CREATE` events the test
//! injects). serenity is pointed at it with `DISCORD_API_URL`; the gateway address is what
//! `GET /api/v10/gateway` returns, as with the real Discord.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// The fake bot's user and application id.
pub const BOT_ID: u64 = 900_000_000_000_000_001;
pub const APP_ID: u64 = 900_000_000_000_000_002;

/// One REST call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// Path after `/api/v10`, e.g. `/channels/1/messages`.
    pub path: String,
    pub body: Value,
    /// Files attached (multipart uploads): name and content, byte for byte.
    pub files: Vec<(String, Vec<u8>)>,
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    next_id: u64,
    roles: Vec<Value>,
    seq: u64,
    /// Gateway connections (one per shard session): events go to each.
    sessions: Vec<tokio::sync::mpsc::UnboundedSender<Value>>,
    identified: usize,
    /// The gateway is down: sessions are closed and new connections refused.
    down: bool,
}

/// The fake, running on 127.0.0.1.
pub struct FakeDiscord {
    server: super::Server,
    state: Arc<Mutex<Inner>>,
    gateway: tokio::task::JoinHandle<()>,
}

fn lock(state: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn bot_user() -> Value {
    json!({"id": BOT_ID.to_string(), "username": "ksbquiz", "discriminator": "0", "global_name": null,
           "avatar": null, "bot": true})
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The fields of a multipart body (RFC 7578, parts between `--boundary` lines): JSON in
/// `payload_json`, files as `files[n]`, their bytes as sent (binary files too).
fn parse_multipart(content_type: &str, body: &[u8]) -> (Value, Vec<(String, Vec<u8>)>) {
    let mut payload = Value::Null;
    let mut files = Vec::new();
    let Some(boundary) = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
    else {
        return (payload, files);
    };
    let delimiter = format!("\r\n--{}", boundary.trim_matches('"')).into_bytes();
    // The first delimiter has no line break before it.
    let mut rest = match find(body, &delimiter[2..]) {
        Some(i) => &body[i + delimiter.len() - 2..],
        None => return (payload, files),
    };
    while let Some(end) = find(rest, &delimiter) {
        let part = &rest[..end];
        rest = &rest[end + delimiter.len()..];
        let Some(split) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let content = &part[split + 4..];
        if head.contains("name=\"payload_json\"") {
            payload = serde_json::from_slice(content).unwrap_or(Value::Null);
        } else if let Some(f) = head.split("filename=\"").nth(1) {
            let name = f.split('"').next().unwrap_or("file").to_string();
            files.push((name, content.to_vec()));
        }
    }
    (payload, files)
}

fn message(id: u64, channel: &str, body: &Value) -> Value {
    json!({
        "id": id.to_string(), "channel_id": channel, "author": bot_user(),
        "content": body["content"].as_str().unwrap_or(""),
        "timestamp": "2026-11-23T09:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0,
        "flags": body["flags"].as_u64().unwrap_or(0),
        "components": body.get("components").cloned().unwrap_or(json!([])),
    })
}

async fn handle(
    axum::extract::State((state, gateway)): axum::extract::State<(Arc<Mutex<Inner>>, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(path) = uri.path().strip_prefix("/api/v10") else {
        return (StatusCode::NOT_FOUND, "not Discord").into_response();
    };
    let authorised = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bot "));
    if !authorised && !path.starts_with("/interactions/") && !path.starts_with("/webhooks/") {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"message": "401: Unauthorized", "code": 0})),
        )
            .into_response();
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (body, files) = if content_type.starts_with("multipart/") {
        parse_multipart(content_type, &body)
    } else {
        (
            serde_json::from_slice(&body).unwrap_or(Value::Null),
            Vec::new(),
        )
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut s = lock(&state);
    s.calls.push(Call {
        method: method.to_string(),
        path: path.to_string(),
        body: body.clone(),
        files,
        at: Instant::now(),
    });
    s.next_id += 1;
    let id = 1_000_000 + s.next_id;
    let ok = |v: Value| axum::Json(v).into_response();
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["gateway"]) => ok(json!({"url": gateway})),
        ("GET", ["gateway", "bot"]) => ok(json!({"url": gateway, "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})),
        ("GET", ["users", "@me"]) => ok(bot_user()),
        ("PUT", ["applications", app, "commands"]) => {
            let cmds: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(n, mut c)| {
                    c["id"] = json!((id * 100 + n as u64).to_string());
                    c["application_id"] = json!(app);
                    c["version"] = json!("1");
                    c["default_member_permissions"] = Value::Null;
                    c
                })
                .collect();
            ok(Value::Array(cmds))
        }
        ("POST", ["interactions", _, _, "callback"]) => StatusCode::NO_CONTENT.into_response(),
        ("POST", ["webhooks", _, _]) => ok(message(id, "0", &body)),
        ("PATCH", ["webhooks", _, _, "messages", _]) => ok(message(id, "0", &body)),
        ("POST", ["channels", ch, "messages"]) => ok(message(id, ch, &body)),
        ("PATCH", ["channels", ch, "messages", m]) => {
            let m: u64 = m.parse().unwrap_or(id);
            ok(message(m, ch, &body))
        }
        ("GET", ["guilds", _, "roles"]) => ok(Value::Array(s.roles.clone())),
        _ => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"message": "404: Not Found", "code": 0})),
        )
            .into_response(),
    }
}

/// One gateway session: Hello, then Identify → Ready, heartbeats acknowledged, and injected
/// events dispatched with rising sequence numbers.
async fn session(stream: tokio::net::TcpStream, state: Arc<Mutex<Inner>>, url: String) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut tx, mut rx) = ws.split();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 2000}, "s": null, "t": null});
    if tx.send(Message::Text(hello.to_string())).await.is_err() {
        return;
    }
    let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let mut check = tokio::time::interval(Duration::from_millis(50));
    loop {
        tokio::select! {
            _ = check.tick() => {
                if lock(&state).down {
                    let _ = tx.close().await;
                    return;
                }
            }
            msg = rx.next() => {
                let Some(Ok(msg)) = msg else { return };
                let Message::Text(text) = msg else {
                    if matches!(msg, Message::Close(_)) { return; }
                    continue;
                };
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                match v["op"].as_u64() {
                    Some(1) => {
                        let ack = json!({"op": 11, "d": null, "s": null, "t": null});
                        if tx.send(Message::Text(ack.to_string())).await.is_err() { return; }
                    }
                    Some(2) => {
                        let seq = {
                            let mut s = lock(&state);
                            s.seq += 1;
                            s.identified += 1;
                            s.sessions.push(events_tx.clone());
                            s.seq
                        };
                        let ready = json!({"op": 0, "s": seq, "t": "READY", "d": {
                            "v": 10, "user": bot_user(), "guilds": [], "session_id": "fake-session",
                            "resume_gateway_url": url, "shard": [0, 1],
                            "application": {"id": APP_ID.to_string(), "flags": 0}}});
                        if tx.send(Message::Text(ready.to_string())).await.is_err() { return; }
                    }
                    _ => {}
                }
            }
            ev = events.recv() => {
                let Some(ev) = ev else { return };
                if tx.send(Message::Text(ev.to_string())).await.is_err() { return; }
            }
        }
    }
}

impl FakeDiscord {
    /// Starts the REST API and the gateway on free ports of 127.0.0.1.
    pub async fn start() -> std::io::Result<FakeDiscord> {
        let state = Arc::new(Mutex::new(Inner::default()));
        let gw = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let gw_url = format!("ws://{}", gw.local_addr()?);
        let gw_state = state.clone();
        let url = gw_url.clone();
        let gateway = tokio::spawn(async move {
            while let Ok((stream, _)) = gw.accept().await {
                if lock(&gw_state).down {
                    continue; // dropped: the connection is refused
                }
                tokio::spawn(session(stream, gw_state.clone(), url.clone()));
            }
        });
        let app = Router::new()
            .fallback(handle)
            .with_state((state.clone(), gw_url));
        Ok(FakeDiscord {
            server: super::Server::start(app).await?,
            state,
            gateway,
        })
    }

    /// The base URL to give the bot (`DISCORD_API_URL`).
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The server's roles (`GET /guilds/{id}/roles`).
    pub fn set_roles(&self, roles: Vec<(u64, &str)>) {
        lock(&self.state).roles = roles
            .into_iter()
            .map(|(id, name)| {
                json!({"id": id.to_string(), "name": name, "color": 0, "hoist": false, "position": 1,
                       "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
                       "icon": null, "unicode_emoji": null, "description": null,
                       "permissions": "0", "managed": false, "mentionable": false, "flags": 0})
            })
            .collect();
    }

    /// Gateway sessions that have identified so far.
    pub fn identified(&self) -> usize {
        lock(&self.state).identified
    }

    /// Takes the gateway down (open sessions closed, new ones refused) or back up.
    pub fn set_gateway_down(&self, down: bool) {
        lock(&self.state).down = down;
    }

    /// Sends an interaction to the bot over the gateway (as `INTERACTION_CREATE`).
    pub fn interact(&self, interaction: Value) {
        let mut s = lock(&self.state);
        s.seq += 1;
        let ev = json!({"op": 0, "s": s.seq, "t": "INTERACTION_CREATE", "d": interaction});
        s.sessions.retain(|tx| tx.send(ev.clone()).is_ok());
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.state).calls.clone()
    }

    /// The responses the bot made to one interaction (by its id).
    pub fn callbacks(&self, interaction: u64) -> Vec<Call> {
        let prefix = format!("/interactions/{interaction}/");
        self.calls()
            .into_iter()
            .filter(|c| c.path.starts_with(&prefix))
            .collect()
    }

    /// Waits until `pred` holds of the calls, or `timeout` passes; true if it held.
    pub async fn wait_for(&self, timeout: Duration, pred: impl Fn(&[Call]) -> bool) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if pred(&lock(&self.state).calls) {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.gateway.abort();
    }
}

/// Interaction payloads shaped as Discord sends them (API v10), for tests and benchmarks.
pub mod payload {
    use serde_json::{Value, json};

    /// A member of guild `guild`: `permissions` is Discord's bit set as a string.
    pub fn member(user: u64, name: &str, permissions: u64, roles: &[u64]) -> Value {
        json!({
            "user": {"id": user.to_string(), "username": name.to_lowercase(), "discriminator": "0",
                     "global_name": name, "avatar": null, "public_flags": 0},
            "roles": roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "premium_since": null, "permissions": permissions.to_string(), "pending": false,
            "nick": null, "mute": false, "joined_at": "2026-09-01T10:00:00.000000+00:00",
            "flags": 0, "deaf": false, "communication_disabled_until": null, "avatar": null
        })
    }

    fn base(id: u64, kind: u8, guild: u64, channel: u64, member: Value) -> Value {
        json!({
            "version": 1, "type": kind, "token": format!("tok-{id}"), "id": id.to_string(),
            "application_id": super::APP_ID.to_string(), "guild_id": guild.to_string(),
            "channel_id": channel.to_string(),
            "channel": {"id": channel.to_string(), "type": 0, "guild_id": guild.to_string(), "name": "quiz-room",
                        "position": 0, "permission_overwrites": [], "nsfw": false, "parent_id": null,
                        "topic": null, "last_message_id": null, "rate_limit_per_user": 0, "flags": 0},
            "member": member, "locale": "en-GB", "guild_locale": "en-GB",
            "app_permissions": "562949953421311", "entitlements": [], "authorizing_integration_owners": {"0": guild.to_string()},
            "context": 0, "attachment_size_limit": 10485760
        })
    }

    /// A slash command: `name` with `options` as Discord nests them.
    pub fn command(
        id: u64,
        guild: u64,
        channel: u64,
        member: Value,
        name: &str,
        options: Value,
    ) -> Value {
        let mut v = base(id, 2, guild, channel, member);
        v["data"] = json!({"id": "1300000000000000001", "name": name, "type": 1, "options": options,
                           "guild_id": guild.to_string()});
        v
    }

    /// A click on a button with `custom_id` of message `message`.
    pub fn button(
        id: u64,
        guild: u64,
        channel: u64,
        member: Value,
        custom_id: &str,
        message: u64,
    ) -> Value {
        let mut v = base(id, 3, guild, channel, member);
        v["data"] = json!({"custom_id": custom_id, "component_type": 2});
        v["message"] = json!({
            "id": message.to_string(), "channel_id": channel.to_string(), "type": 0, "content": "",
            "author": super::bot_user(), "timestamp": "2026-11-23T09:00:00.000000+00:00",
            "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "flags": 0,
            "components": []
        });
        v
    }
}

//! Discord: tutor-led live cohort quizzes, and each learner's own practice and stats, through
//! serenity.
//!
//! Interactions (slash commands and button clicks) arrive over the gateway; [`translate`]
//! turns each into an [`Action`] (pure, tested on Discord's own JSON); this module carries the
//! action out: engine calls for learners' commands (answered privately), [`live`] quizzes for
//! tutors (one per channel, several channels at once). Every reply is rendered from
//! `prompts/discord/` (and the engine's `prompts/chat/`). The REST base URL is configurable
//! (`DISCORD_API_URL`), which is how tests point the bot at a local fake of Discord.
//!
//! Tutors are members with Manage Server, or with the configured tutor role (by id or name).
//! A quiz in progress is recorded in the store; a restart finds it, says in its channel that
//! it ended, and leaves every answer recorded (each was recorded the moment it was clicked).

pub mod quiz;
pub mod translate;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use serenity::all::{
    ButtonStyle, ChannelId, ClientBuilder, CommandInteraction, ComponentInteraction, Context,
    CreateActionRow, CreateAttachment, CreateButton, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption, EventHandler, GatewayIntents, GuildId, Http,
    HttpBuilder, Interaction, InteractionId, Ready, ShardManager,
};
use serenity::async_trait;
use serenity::builder::Builder;

use crate::engine::{Engine, Input, Out, QuestionOut, Who, lettered};
pub use translate::{Action, Asker, translate};

/// Discord's limit on a message's length.
const MAX_MESSAGE: usize = 2000;

/// Settings of the Discord bot.
#[derive(Debug, Clone)]
pub struct Options {
    /// Role allowed to run quizzes besides Manage Server: a role id, or a role name.
    pub tutor_role: Option<String>,
    /// Pause between a question's result and the next question.
    pub between_questions: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tutor_role: None,
            between_questions: Duration::from_secs(5),
        }
    }
}

/// Everything the handlers share.
pub struct App {
    pub engine: Arc<Engine>,
    pub http: Arc<Http>,
    pub options: Options,
    /// Live quizzes running, by channel.
    pub(crate) quizzes: std::sync::Mutex<HashMap<u64, Arc<quiz::Running>>>,
    /// The last finished quiz's leaderboard, by channel (for `/quiz leaderboard`).
    pub(crate) finished: std::sync::Mutex<HashMap<u64, crate::live::Summary>>,
    registered: std::sync::atomic::AtomicBool,
}

/// Cuts text to Discord's limit, on a character boundary.
fn clip(mut s: String) -> String {
    if s.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE - 1;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// `s` cut to at most `max` characters (with an ellipsis when cut).
fn clip_to(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Lettered buttons, five to a row.
pub(crate) fn buttons(ids: Vec<String>) -> Vec<CreateActionRow> {
    let all: Vec<CreateButton> = ids
        .into_iter()
        .enumerate()
        .map(|(i, id)| {
            CreateButton::new(id)
                .label(crate::engine::letter(i))
                .style(ButtonStyle::Primary)
        })
        .collect();
    all.chunks(5)
        .map(|c| CreateActionRow::Buttons(c.to_vec()))
        .collect()
}

impl App {
    /// The quiz running in a channel, if any.
    pub(crate) fn running_in(&self, channel: u64) -> Option<Arc<quiz::Running>> {
        self.quizzes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&channel)
            .cloned()
    }

    /// A copy of the quiz running in a channel, if any.
    pub fn quizzes_in(&self, channel: u64) -> Option<crate::live::LiveQuiz> {
        Some(self.running_in(channel)?.quiz().clone())
    }

    /// Renders `prompts/discord/<name>.hbs`.
    pub(crate) fn say(&self, name: &str, data: serde_json::Value) -> String {
        self.engine
            .prompts
            .render(&format!("discord/{name}"), &data)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "template failed");
                String::new()
            })
    }

    /// Answers an interaction with a message (private to the asker when `private`).
    pub(crate) async fn respond(
        &self,
        id: InteractionId,
        token: &str,
        msg: CreateInteractionResponseMessage,
        private: bool,
    ) {
        let r = CreateInteractionResponse::Message(msg.ephemeral(private));
        if let Err(e) = r.execute(&self.http, (id, token)).await {
            tracing::warn!(error = %e, "could not answer a Discord interaction");
        }
    }

    pub(crate) async fn respond_text(
        &self,
        id: InteractionId,
        token: &str,
        text: String,
        private: bool,
    ) {
        self.respond(
            id,
            token,
            CreateInteractionResponseMessage::new().content(clip(text)),
            private,
        )
        .await;
    }

    /// Whether the asker may run quizzes and exports.
    pub(crate) async fn is_tutor(&self, a: &Asker) -> bool {
        if a.manage_guild {
            return true;
        }
        let Some(role) = self.options.tutor_role.as_deref() else {
            return false;
        };
        if let Ok(id) = role.parse::<u64>() {
            return a.roles.contains(&id);
        }
        let Some(guild) = a.guild else {
            return false;
        };
        match self.http.get_guild_roles(GuildId::new(guild)).await {
            Ok(roles) => roles
                .iter()
                .any(|r| r.name.eq_ignore_ascii_case(role) && a.roles.contains(&r.id.get())),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the server's roles");
                false
            }
        }
    }

    pub(crate) async fn refuse_not_tutor(&self, id: InteractionId, token: &str) {
        let text = self.say("not-tutor", json!({"role": self.options.tutor_role}));
        self.respond_text(id, token, text, true).await;
    }

    /// Runs an engine call off the async runtime (it waits on disk flushes).
    async fn engine_call(&self, a: &Asker, input: Input) -> anyhow::Result<Vec<Out>> {
        let engine = self.engine.clone();
        let account = a.account();
        let name = a.name.clone();
        let outs = tokio::task::spawn_blocking(move || {
            let who = Who {
                account: &account,
                name: &name,
                platform: "discord",
            };
            // Discord users start by using a command: no separate /start step.
            // (Except to see or delete one's data: nothing is created just to show it.)
            if !engine.knows(&account)?
                && !matches!(
                    input,
                    Input::Link(Some(_)) | Input::MyData | Input::Forget | Input::ForgetConfirm
                )
            {
                engine.handle(who, Input::Start { code: None })?;
            }
            let input = match input {
                Input::Practice => engine.practice_or_due(&account)?,
                other => other,
            };
            engine.handle(who, input)
        })
        .await??;
        Ok(outs)
    }

    /// Engine output as one private message: texts, a question with its buttons, a file.
    fn private_message(&self, outs: Vec<Out>) -> CreateInteractionResponseMessage {
        let mut text = Vec::new();
        let mut rows = Vec::new();
        let mut msg = CreateInteractionResponseMessage::new();
        for out in outs {
            match out {
                Out::Text(t) => text.push(t),
                Out::Question(q) => {
                    text.push(self.private_question(&q));
                    rows = buttons(
                        (0..q.options.len())
                            .map(|i| translate::answer_button(&q.delivery, i))
                            .collect(),
                    );
                }
                Out::Document { name, content } => {
                    msg = msg.add_file(CreateAttachment::bytes(content, name));
                }
                Out::Choices { text: t, choices } => {
                    text.push(t);
                    // A select menu holds 25 options of 100 characters at most.
                    let options: Vec<CreateSelectMenuOption> = choices
                        .iter()
                        .take(25)
                        .map(|c| {
                            CreateSelectMenuOption::new(clip_to(&c.label, 100), c.command.clone())
                        })
                        .collect();
                    rows = vec![CreateActionRow::SelectMenu(CreateSelectMenu::new(
                        translate::CHOICE_MENU,
                        CreateSelectMenuKind::String { options },
                    ))];
                }
            }
        }
        msg.content(clip(text.join("\n\n"))).components(rows)
    }

    fn private_question(&self, q: &QuestionOut) -> String {
        self.say(
            "private-question",
            json!({"header": q.header, "stem": q.stem, "options": lettered(&q.options)}),
        )
    }

    async fn on_command(self: &Arc<Self>, c: &CommandInteraction, a: Asker, action: Action) {
        match action {
            Action::QuizStart(start) => quiz::start(self, c, &a, start).await,
            Action::QuizStop => quiz::stop(self, c, &a).await,
            Action::QuizLeaderboard => quiz::leaderboard(self, c, &a).await,
            Action::Export(req) => {
                if !self.is_tutor(&a).await {
                    return self.refuse_not_tutor(c.id, &c.token).await;
                }
                // An export can take a while: acknowledge within Discord's 3 seconds first.
                let defer = CreateInteractionResponse::Defer(
                    CreateInteractionResponseMessage::new().ephemeral(true),
                );
                if let Err(e) = defer.execute(&self.http, (c.id, &c.token)).await {
                    tracing::warn!(error = %e, "could not acknowledge /export");
                    return;
                }
                let outs = self.engine_call(&a, Input::Export(req)).await;
                let mut follow = CreateInteractionResponseFollowup::new().ephemeral(true);
                let mut text = Vec::new();
                match outs {
                    Ok(outs) => {
                        for out in outs {
                            match out {
                                Out::Text(t) => text.push(t),
                                Out::Document { name, content } => {
                                    follow =
                                        follow.add_file(CreateAttachment::bytes(content, name));
                                }
                                Out::Question(_) | Out::Choices { .. } => {}
                            }
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "export failed");
                        text.push(self.engine.say("try-again", json!({})).unwrap_or_default());
                    }
                }
                let follow = follow.content(clip(text.join("\n\n")));
                if let Err(e) = follow.execute(&self.http, (None, &c.token)).await {
                    tracing::warn!(error = %e, "could not send the export");
                }
            }
            Action::Engine(input) => {
                let msg = self.engine_reply(&a, input).await;
                self.respond(c.id, &c.token, msg, true).await;
            }
            Action::Unknown(_) | Action::LiveClick { .. } | Action::Answer { .. } => {
                let text = self.say("unknown", json!({}));
                self.respond_text(c.id, &c.token, text, true).await;
            }
        }
    }

    /// An engine command's reply as one private message (a try-again message if it failed).
    async fn engine_reply(&self, a: &Asker, input: Input) -> CreateInteractionResponseMessage {
        match self.engine_call(a, input).await {
            Ok(outs) => self.private_message(outs),
            Err(e) => {
                tracing::error!(error = %e, "engine call failed");
                CreateInteractionResponseMessage::new()
                    .content(self.engine.say("try-again", json!({})).unwrap_or_default())
            }
        }
    }

    async fn on_component(&self, c: &ComponentInteraction, a: Asker, action: Action) {
        match action {
            Action::LiveClick {
                quiz,
                index,
                option,
            } => quiz::click(self, c, &a, &quiz, index, option).await,
            Action::Engine(input) => {
                let msg = self.engine_reply(&a, input).await;
                self.respond(c.id, &c.token, msg, true).await;
            }
            Action::Answer { delivery, option } => {
                let msg = match self
                    .engine_call(&a, Input::Answer { delivery, option })
                    .await
                {
                    Ok(outs) => self.private_message(outs),
                    Err(e) => {
                        tracing::error!(error = %e, "recording an answer failed");
                        CreateInteractionResponseMessage::new()
                            .content(self.say("ack-failed", json!({})))
                    }
                };
                self.respond(c.id, &c.token, msg, true).await;
            }
            _ => {
                let text = self.say("ack-closed", json!({}));
                self.respond_text(c.id, &c.token, text, true).await;
            }
        }
    }
}

/// serenity's event handler: hands interactions to the [`App`].
struct Handler(Arc<App>);

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(user = %ready.user.name, "connected to Discord");
        // Follow-up messages (exports) are addressed by the application's id.
        self.0.http.set_application_id(ready.application.id);
        if self
            .0
            .registered
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let app_id = ready.application.id;
        if let Err(e) = ctx
            .http
            .create_global_commands(&translate::commands_json())
            .await
        {
            tracing::warn!(error = %e, application = %app_id, "could not register the slash commands");
        }
    }

    async fn interaction_create(&self, _ctx: Context, interaction: Interaction) {
        let Some((asker, action)) = translate(&interaction) else {
            return;
        };
        let app = self.0.clone();
        // Each interaction on its own task: a slow one never holds up another's 3 seconds.
        tokio::spawn(async move {
            match &interaction {
                Interaction::Command(c) => app.on_command(c, asker, action).await,
                Interaction::Component(c) => app.on_component(c, asker, action).await,
                _ => {}
            }
        });
    }
}

/// The bot, running.
pub struct Running {
    pub app: Arc<App>,
    shards: Arc<ShardManager>,
    client: Option<tokio::task::JoinHandle<()>>,
}

/// The REST client, pointed at `api_url` when given (a proxy or a local fake of Discord).
pub fn make_http(token: &crate::config::Secret, api_url: Option<&str>) -> Http {
    let mut b = HttpBuilder::new(token.expose());
    if let Some(url) = api_url {
        // serenity sends to a proxy only with its own rate limiter off (Discord's limits are
        // then the proxy's business; a bot this size stays far below them).
        b = b
            .proxy(url.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    b.build()
}

/// Connects to Discord and handles interactions until stopped. Quizzes a previous run left
/// open are ended first, with a message in their channels.
pub async fn start(
    engine: Arc<Engine>,
    token: &crate::config::Secret,
    api_url: Option<&str>,
    options: Options,
) -> anyhow::Result<Running> {
    let intents = GatewayIntents::GUILDS;
    let app = Arc::new(App {
        engine,
        http: Arc::new(make_http(token, api_url)),
        options,
        quizzes: Default::default(),
        finished: Default::default(),
        registered: Default::default(),
    });
    quiz::end_interrupted(&app).await;
    let mut client = ClientBuilder::new_with_http(make_http(token, api_url), intents)
        .event_handler(Handler(app.clone()))
        .await
        .map_err(|e| anyhow::anyhow!("cannot set up the Discord client: {e}"))?;
    let shards = client.shard_manager.clone();
    let task = tokio::spawn(async move {
        if let Err(e) = client.start().await {
            tracing::error!(error = %e, "the Discord client stopped");
        }
    });
    Ok(Running {
        app,
        shards,
        client: Some(task),
    })
}

impl Running {
    /// Disconnects. Quizzes in progress stop where they are, as in a crash; the next start
    /// ends them in their channels.
    pub async fn stop(self) {
        for q in self
            .app
            .quizzes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
        {
            q.abort();
        }
        self.shards.shutdown_all().await;
        if let Some(mut client) = self.client
            && tokio::time::timeout(Duration::from_secs(10), &mut client)
                .await
                .is_err()
        {
            client.abort();
        }
    }

    /// A probe for the health check: whether a shard is connected to the gateway now.
    pub fn probe(&self) -> crate::adapters::ops::Probe {
        let shards = self.shards.clone();
        Arc::new(move || {
            let shards = shards.clone();
            Box::pin(async move {
                shards
                    .runners
                    .lock()
                    .await
                    .values()
                    .any(|r| r.stage == serenity::gateway::ConnectionStage::Connected)
            })
        })
    }

    /// Waits until the client ends by itself (it gave up on Discord).
    pub async fn ended(&mut self) {
        if let Some(client) = self.client.as_mut() {
            let _ = client.await;
            self.client = None;
        }
    }
}

/// The channel as serenity names it.
pub(crate) fn channel(id: u64) -> ChannelId {
    ChannelId::new(id)
}

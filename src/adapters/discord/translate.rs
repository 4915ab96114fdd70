//! Discord interactions (as Discord sends them, deserialised by serenity) turned into what the
//! adapter should do: an [`Action`] and who asked ([`Asker`]). Pure: no network, no store, so
//! tests feed it real interaction JSON.

use serenity::all::{
    CommandDataOption, CommandDataOptionValue, CommandInteraction, ComponentInteraction,
    Interaction, Permissions,
};

use crate::engine::{ExportRequest, Input};

/// Who sent an interaction, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asker {
    pub user: u64,
    /// Server nickname, else display name, else user name.
    pub name: String,
    pub channel: u64,
    pub guild: Option<u64>,
    /// The member may manage the server (Discord's Manage Server permission).
    pub manage_guild: bool,
    /// The member's role ids.
    pub roles: Vec<u64>,
}

impl Asker {
    /// The store's account name for this user.
    pub fn account(&self) -> String {
        crate::domain::Account::discord(self.user).to_string()
    }
}

/// The live quiz a tutor asked for with `/quiz start` (options as typed; the engine checks).
pub type QuizStart = crate::engine::LiveRequest;

/// What an interaction asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    QuizStart(QuizStart),
    QuizStop,
    QuizLeaderboard,
    /// An engine command answered privately (cohort create/join, practice, stats, link).
    Engine(Input),
    /// `/export cohort [from] [to] [format]`: tutor only; the engine's export as files.
    Export(ExportRequest),
    /// A button of a live quiz question.
    LiveClick {
        quiz: String,
        index: usize,
        option: usize,
    },
    /// A button of a learner's own (practice) question.
    Answer {
        delivery: String,
        option: usize,
    },
    /// Anything else: an unknown command or a button this bot did not make.
    Unknown(String),
}

/// Slash commands this bot registers, with their options, in Discord's JSON form (the
/// adapter registers them with `PUT /applications/{id}/commands`).
pub fn commands_json() -> serde_json::Value {
    use serde_json::json;
    let string = |name: &str, description: &str, required: bool| json!({"type": 3, "name": name, "description": description, "required": required});
    let int = |name: &str, description: &str, min: i64, max: i64| json!({"type": 4, "name": name, "description": description, "required": false, "min_value": min, "max_value": max});
    json!([
        {"name": "quiz", "description": "Live cohort quizzes (tutors start and stop them)", "type": 1, "options": [
            {"type": 1, "name": "start", "description": "Start a live quiz in this channel", "options": [
                string("cohort", "The cohort's join code (default: your only cohort)", false),
                string("standard", "Standard code (default: the cohort's first standard)", false),
                string("items", "all, a kind (K, S, B, P) or a range such as K1-K10", false),
                int("questions", "How many questions (default 10)", 1, 50),
                int("seconds", "Seconds per question (default 20)", 5, 300),
                {"type": 5, "name": "streak_bonus", "description": "Bonus points for answers right in a row (default on)", "required": false}
            ]},
            {"type": 1, "name": "stop", "description": "Stop the live quiz in this channel"},
            {"type": 1, "name": "leaderboard", "description": "Show the live quiz's leaderboard"}
        ]},
        {"name": "cohort", "description": "Cohorts: create one (tutors) or join one", "type": 1, "options": [
            {"type": 1, "name": "create", "description": "Create a cohort and get its join code", "options": [
                string("name", "The cohort's name", true),
                string("standards", "Standard codes, separated by spaces", true)
            ]},
            {"type": 1, "name": "join", "description": "Join your tutor's cohort", "options": [
                string("code", "The join code your tutor gave you", true)
            ]},
            {"type": 1, "name": "epa", "description": "Set the cohort's end-point assessment date (tutors)", "options": [
                string("code", "The cohort's join code", true),
                string("date", "YYYY-MM-DD, or off to clear it", true)
            ]}
        ]},
        {"name": "practice", "description": "A few of your own due questions, just for you", "type": 1},
        {"name": "stats", "description": "How you're doing, item by item", "type": 1},
        {"name": "export", "description": "Your cohort's results by item, learner and question (tutors)", "type": 1, "options": [
            string("cohort", "The cohort's join code", true),
            string("from", "First day of answers, YYYY-MM-DD (default: from the start)", false),
            string("to", "Last day of answers, YYYY-MM-DD (default: up to now)", false),
            {"type": 3, "name": "format", "description": "File format (default: an XLSX workbook)", "required": false, "choices": [
                {"name": "XLSX workbook, a sheet per view", "value": "xlsx"},
                {"name": "CSV, three files", "value": "csv"},
                {"name": "JSON", "value": "json"},
                {"name": "HTML report with charts", "value": "html"}
            ]}
        ]},
        {"name": "link", "description": "Use Telegram and Discord with one record", "type": 1, "options": [
            string("code", "The code /link gave you on the other app (leave empty to get one)", false)
        ]},
        {"name": "mydata", "description": "See everything stored about you (sent only to you)", "type": 1},
        {"name": "forget", "description": "Delete everything stored about you", "type": 1, "options": [
            {"type": 5, "name": "confirm", "description": "True to delete now (it can't be undone)", "required": false}
        ]}
    ])
}

/// The value of the option called `name` (read with serenity's `as_str`, `as_i64`...).
fn opt<'a>(opts: &'a [CommandDataOption], name: &str) -> Option<&'a CommandDataOptionValue> {
    opts.iter().find(|o| o.name == name).map(|o| &o.value)
}

fn str_opt(opts: &[CommandDataOption], name: &str) -> Option<String> {
    opt(opts, name)?.as_str().map(|s| s.trim().to_string())
}

/// The sub-command and its options (`/quiz start ...`).
fn sub(opts: &[CommandDataOption]) -> Option<(&str, &[CommandDataOption])> {
    opts.iter().find_map(|o| match &o.value {
        CommandDataOptionValue::SubCommand(inner) => Some((o.name.as_str(), inner.as_slice())),
        _ => None,
    })
}

fn command_action(c: &CommandInteraction) -> Action {
    let opts = &c.data.options;
    let unknown = || Action::Unknown(format!("/{}", c.data.name));
    match c.data.name.as_str() {
        "quiz" => match sub(opts) {
            Some(("start", o)) => Action::QuizStart(QuizStart {
                cohort: str_opt(o, "cohort"),
                standard: str_opt(o, "standard"),
                items: str_opt(o, "items"),
                questions: opt(o, "questions").and_then(|v| v.as_i64()),
                seconds: opt(o, "seconds").and_then(|v| v.as_i64()),
                streak_bonus: opt(o, "streak_bonus").and_then(|v| v.as_bool()),
            }),
            Some(("stop", _)) => Action::QuizStop,
            Some(("leaderboard", _)) => Action::QuizLeaderboard,
            _ => unknown(),
        },
        "cohort" => match sub(opts) {
            Some(("create", o)) => Action::Engine(Input::CohortCreate {
                name: str_opt(o, "name").unwrap_or_default(),
                standards: str_opt(o, "standards")
                    .unwrap_or_default()
                    .split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            }),
            Some(("join", o)) => {
                Action::Engine(Input::Join(str_opt(o, "code").unwrap_or_default()))
            }
            Some(("epa", o)) => Action::Engine(Input::CohortEpa {
                code: str_opt(o, "code").unwrap_or_default(),
                date: str_opt(o, "date").unwrap_or_default(),
            }),
            _ => unknown(),
        },
        "practice" => Action::Engine(Input::Practice),
        "stats" => Action::Engine(Input::Stats),
        "export" => Action::Export(ExportRequest {
            code: str_opt(opts, "cohort").unwrap_or_default(),
            from: str_opt(opts, "from"),
            to: str_opt(opts, "to"),
            format: str_opt(opts, "format"),
            extra: Vec::new(),
        }),
        "link" => Action::Engine(Input::Link(str_opt(opts, "code").filter(|s| !s.is_empty()))),
        "mydata" => Action::Engine(Input::MyData),
        "forget" if opt(opts, "confirm").and_then(|v| v.as_bool()) == Some(true) => {
            Action::Engine(Input::ForgetConfirm)
        }
        "forget" => Action::Engine(Input::Forget),
        _ => unknown(),
    }
}

/// Button ids: `live:<quiz>:<question>:<option>` and `ans:<delivery>:<option>`.
pub fn live_button(quiz: &str, index: usize, option: usize) -> String {
    format!("live:{quiz}:{index}:{option}")
}

pub fn answer_button(delivery: &str, option: usize) -> String {
    format!("ans:{delivery}:{option}")
}

/// The custom id of the menu of choices the engine offers (the standards to start with).
pub const CHOICE_MENU: &str = "choose";

fn component_action(c: &ComponentInteraction) -> Action {
    let id = c.data.custom_id.as_str();
    let unknown = || Action::Unknown(id.to_string());
    if id == CHOICE_MENU {
        // The menu's values are the commands the engine offered (`/enrol HSCCLD352`).
        return match &c.data.kind {
            serenity::all::ComponentInteractionDataKind::StringSelect { values } => values
                .first()
                .filter(|v| v.starts_with('/'))
                .map_or_else(unknown, |v| {
                    Action::Engine(crate::engine::command::parse(v))
                }),
            _ => unknown(),
        };
    }
    if let Some(rest) = id.strip_prefix("live:") {
        let mut parts = rest.rsplitn(3, ':');
        let (Some(option), Some(index), Some(quiz)) = (parts.next(), parts.next(), parts.next())
        else {
            return unknown();
        };
        return match (index.parse(), option.parse()) {
            (Ok(index), Ok(option)) => Action::LiveClick {
                quiz: quiz.to_string(),
                index,
                option,
            },
            _ => unknown(),
        };
    }
    if let Some(rest) = id.strip_prefix("ans:")
        && let Some((delivery, option)) = rest.rsplit_once(':')
        && let Ok(option) = option.parse()
    {
        return Action::Answer {
            delivery: delivery.to_string(),
            option,
        };
    }
    unknown()
}

fn asker(
    user: &serenity::all::User,
    member: Option<&serenity::all::Member>,
    channel: u64,
    guild: Option<u64>,
) -> Asker {
    let name = member
        .and_then(|m| m.nick.clone())
        .or_else(|| user.global_name.clone())
        .unwrap_or_else(|| user.name.clone());
    Asker {
        user: user.id.get(),
        name,
        channel,
        guild,
        manage_guild: member
            .and_then(|m| m.permissions)
            .is_some_and(|p| p.contains(Permissions::MANAGE_GUILD) || p.administrator()),
        roles: member
            .map(|m| m.roles.iter().map(|r| r.get()).collect())
            .unwrap_or_default(),
    }
}

/// What an interaction asks for and who asked; None for kinds this bot does not handle
/// (pings, autocomplete, modals).
pub fn translate(i: &Interaction) -> Option<(Asker, Action)> {
    match i {
        Interaction::Command(c) => Some((
            asker(
                &c.user,
                c.member.as_deref(),
                c.channel_id.get(),
                c.guild_id.map(|g| g.get()),
            ),
            command_action(c),
        )),
        Interaction::Component(c) => Some((
            asker(
                &c.user,
                c.member.as_ref(),
                c.channel_id.get(),
                c.guild_id.map(|g| g.get()),
            ),
            component_action(c),
        )),
        _ => None,
    }
}

//! The chat-agnostic engine: given who is talking and what they sent, it decides what happens
//! (enrolment, today's quiz, grading, scheduling, stats, settings, privacy, cohorts) and
//! returns what to show, rendered from `prompts/chat/` templates.
//!
//! Adapters (console, Telegram, Discord) turn platform events into [`Input`]s and [`Out`]s into
//! platform messages; the engine knows nothing of any platform. Time comes from the injected
//! [`Clock`]. Every answer is recorded through the store's atomic, idempotent step and made
//! durable before the learner is told it counted.

pub mod clock;
mod cohort_quiz;
pub mod command;
mod learner;
mod link;
mod planning;
mod platform;
mod tutor;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use thiserror::Error;

use crate::bank::Bank;
use crate::prompts::{PromptError, Prompts};
use crate::srs::{self, Scheduler};
use crate::store::{Learner, Store, StoreError};

pub use clock::{Clock, ManualClock, SystemClock};
pub use cohort_quiz::{LIVE_QUESTIONS, LIVE_SECONDS, LiveRecorded, LiveRefusal, LiveRequest};
pub use link::LINK_MINUTES;
pub use planning::{EpaFrom, FitReport, REPLAN_DAYS};
pub use platform::DuePrompt;

#[derive(Debug, Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Prompt(#[from] PromptError),
}

pub type Result<T> = std::result::Result<T, EngineError>;

/// Something a learner or tutor did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// First contact, or a deep link carrying a cohort join code.
    Start {
        code: Option<String>,
    },
    Help,
    /// List the standards one can enrol in.
    Standards,
    /// Enrol in standards by code (`all` for every one).
    Enrol(Vec<String>),
    /// Join a tutor's cohort by its code.
    Join(String),
    /// Today's questions now.
    Quiz,
    /// Extra practice beyond the schedule.
    Practice,
    Stats,
    Settings,
    Time(String),
    Timezone(String),
    PerDay(String),
    /// New items a day at most.
    NewPerDay(String),
    RestDays(String),
    /// The learner's own end-point assessment date (`YYYY-MM-DD`, or `off`).
    Epa(String),
    Pause,
    Resume,
    MyData,
    Forget,
    ForgetConfirm,
    /// An answer to a delivered question, by option index.
    Answer {
        delivery: String,
        option: usize,
    },
    CohortCreate {
        name: String,
        standards: Vec<String>,
    },
    CohortMembers(String),
    /// A tutor sets (or with `off` clears) a cohort's end-point assessment date.
    CohortEpa {
        code: String,
        date: String,
    },
    /// A tutor's export of one of their cohorts (`/export CODE [FROM] [TO] [FORMAT]`).
    Export(ExportRequest),
    /// Link accounts: without a code, ask for one; with a code, link this account to it.
    Link(Option<String>),
    /// Free text: an answer by letter or number to the open question, or chatter.
    Text(String),
    Unknown(String),
}

/// A question as the adapter should show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionOut {
    pub delivery: String,
    /// "Question 2 of 5" and the like, from a template.
    pub header: String,
    pub stem: String,
    pub options: Vec<String>,
    /// For platforms that grade natively (Telegram quiz polls); never shown before answering.
    pub answer: usize,
    pub explanation: String,
}

/// Something to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    Text(String),
    Question(QuestionOut),
    /// A file: a learner's data, a tutor's export (text or binary, e.g. XLSX).
    Document {
        name: String,
        content: Vec<u8>,
    },
    /// A message with choices a front end offers as buttons, a menu or a numbered list; each
    /// choice, picked, is the input it names (typed as a command, e.g. `/enrol HSCCLD352`).
    Choices {
        text: String,
        choices: Vec<Choice>,
    },
}

/// One choice of an [`Out::Choices`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// What the button or list shows (from a template).
    pub label: String,
    /// The command it sends, as a learner would type it.
    pub command: String,
}

/// What became of an answer ([`Engine::handle_answer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Recorded now: the learner's first answer to that delivery.
    Recorded { option: usize },
    /// Not recorded: the delivery was answered before; `option` is the answer that counts.
    AlreadyAnswered { option: Option<usize> },
    /// Not recorded: the question's quiz ended, or it is unknown, retired, someone else's, or
    /// not one of its options (or the sender has not started).
    Refused,
}

/// What a tutor asked `/export` for, as typed (the engine checks it and says what is wrong).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportRequest {
    /// The cohort's join code.
    pub code: String,
    /// First day of answers to include (YYYY-MM-DD; `-` or none: from the start).
    pub from: Option<String>,
    /// Last day of answers to include (YYYY-MM-DD; `-` or none: up to now).
    pub to: Option<String>,
    /// `csv`, `xlsx`, `json` or `html` (none: xlsx).
    pub format: Option<String>,
    /// Words the command does not take (the tutor is shown how to use it).
    pub extra: Vec<String>,
}

impl ExportRequest {
    /// All results of a cohort, in the default format.
    pub fn cohort(code: &str) -> Self {
        ExportRequest {
            code: code.to_string(),
            ..ExportRequest::default()
        }
    }

    /// Reads `CODE [FROM] [TO] [FORMAT]`: after the code, a word starting with a letter is the
    /// format, and the others are the first and then the last day, in that order.
    pub fn parse(arg: &str) -> Self {
        let mut words = arg.split_whitespace();
        let mut req = ExportRequest::cohort(words.next().unwrap_or(""));
        for w in words {
            let w = w.to_string();
            if w.starts_with(|c: char| c.is_alphabetic()) && req.format.is_none() {
                req.format = Some(w);
            } else if w.starts_with(|c: char| c.is_alphabetic()) {
                req.extra.push(w);
            } else if req.from.is_none() {
                req.from = Some(w);
            } else if req.to.is_none() {
                req.to = Some(w);
            } else {
                req.extra.push(w);
            }
        }
        req
    }
}

/// Who sent an input.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    /// `telegram:<id>`, `discord:<id>`, `console:<name>`.
    pub account: &'a str,
    /// Display name, used when the learner is first seen.
    pub name: &'a str,
    /// `telegram`, `discord`, `console`.
    pub platform: &'a str,
}

/// Engine settings.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub srs: srs::Config,
    /// Questions in one round of extra practice.
    pub practice_size: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            srs: srs::Config::default(),
            practice_size: 5,
        }
    }
}

/// The engine. Cheap to share behind an `Arc`; every method takes `&self`.
pub struct Engine {
    store: Store,
    pub bank: Arc<Bank>,
    pub prompts: Arc<Prompts>,
    pub clock: Arc<dyn Clock>,
    /// The scheduler with default weights (exports and learners without fitted weights).
    pub sched: Scheduler,
    default_sched: Arc<Scheduler>,
    /// Schedulers with weights fitted for the install or a cohort (see `planning`).
    fitted: planning::Fitted,
    pub config: Config,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store)
            .finish()
    }
}

/// The question in a reply, if any.
pub fn question_in(outs: &[Out]) -> Option<&QuestionOut> {
    outs.iter().find_map(|o| match o {
        Out::Question(q) => Some(q),
        _ => None,
    })
}

pub use crate::domain::letter;

/// Options with their letters, as templates show them (`{{letter}}) {{text}}`).
pub fn lettered(options: &[String]) -> Vec<serde_json::Value> {
    options
        .iter()
        .enumerate()
        .map(|(i, o)| serde_json::json!({"letter": letter(i), "text": o}))
        .collect()
}

impl Engine {
    /// The store, for tests and the benchmark only: everything else goes through the engine.
    #[cfg(feature = "testkit")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether the store takes a durable write now (the health check).
    pub fn check_writable(&self) -> Result<()> {
        Ok(self.store.check_writable()?)
    }

    /// Makes everything written so far durable (before the process exits).
    pub fn flush(&self) -> Result<()> {
        Ok(self.store.durable()?)
    }

    /// A consistent backup of the whole store, taken while serving (see `store::backup`).
    pub fn backup(&self, out: impl std::io::Write) -> Result<crate::store::BackupInfo> {
        Ok(self.store.backup(out, || {})?)
    }

    /// The learner an account belongs to, if any (the command line's `--tutor`).
    pub fn learner_id(&self, account: &str) -> Result<Option<crate::domain::LearnerId>> {
        Ok(self.store.learner_by_account(account)?.map(|l| l.id))
    }

    /// What an export reads: this engine's store, bank and scheduler, as of now.
    pub fn export_sources(&self) -> crate::export::Sources<'_> {
        crate::export::Sources {
            store: &self.store,
            bank: &self.bank,
            sched: &self.sched,
            now: self.now(),
            horizons: Some(self),
        }
    }

    pub fn new(
        store: Store,
        bank: Arc<Bank>,
        prompts: Arc<Prompts>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Self {
        let fitted = planning::load_fitted(&store, config.srs);
        Engine {
            store,
            bank,
            prompts,
            clock,
            sched: Scheduler::new(config.srs),
            default_sched: Arc::new(Scheduler::new(config.srs)),
            fitted,
            config,
        }
    }

    /// Renders `prompts/chat/<name>.hbs`.
    pub fn say(&self, name: &str, data: serde_json::Value) -> Result<String> {
        Ok(self.prompts.render_json(&format!("chat/{name}"), data)?)
    }

    fn text(&self, name: &str, data: serde_json::Value) -> Result<Vec<Out>> {
        Ok(vec![Out::Text(self.say(name, data)?)])
    }

    /// [`Engine::say`] for data that `key` determines (see [`Prompts::render_keyed`]): the
    /// data is built only the first time.
    ///
    /// [`Prompts::render_keyed`]: crate::prompts::Prompts::render_keyed
    fn say_keyed(
        &self,
        name: &str,
        key: &str,
        data: impl FnOnce() -> serde_json::Value,
    ) -> Result<String> {
        Ok(self
            .prompts
            .render_keyed(&format!("chat/{name}"), key, data)?)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The learner's local date now.
    pub fn today(&self, l: &Learner) -> NaiveDate {
        self.now().with_timezone(&l.settings.tz()).date_naive()
    }

    /// Handles one input and returns what to show, in order.
    pub fn handle(&self, who: Who, input: Input) -> Result<Vec<Out>> {
        // The cached record itself: most inputs (answers above all) only read it.
        let existing = self.store.shared_learner_by_account(who.account)?;
        // Only /start creates a learner record; anything else from a stranger gets a welcome.
        let learner = match (existing, &input) {
            (Some(l), _) => l,
            (None, Input::Start { .. }) => Arc::new(
                self.store
                    .learner_for_account(who.account, who.name, self.now())?
                    .0,
            ),
            (None, Input::Help) => return self.help(),
            (None, Input::Link(Some(code))) => return self.link_finish(who, code),
            (None, _) => return self.text("not-started", json!({})),
        };
        // Inputs that change the record work on a copy of their own.
        let owned = || Learner::clone(&learner);
        match input {
            Input::Start { code } => self.start(owned(), code),
            Input::Help => self.help(),
            Input::Standards => self.standards_list(&learner),
            Input::Enrol(codes) => self.enrol(owned(), &codes),
            Input::Join(code) => self.join(owned(), &code),
            Input::Quiz => self.quiz(&learner),
            Input::Practice => self.practice(&learner),
            Input::Stats => self.stats(&learner),
            Input::Settings => self.settings(&learner),
            Input::Time(t) => self.set_time(owned(), &t),
            Input::Timezone(t) => self.set_timezone(owned(), &t),
            Input::PerDay(t) => self.set_per_day(owned(), &t),
            Input::NewPerDay(t) => self.set_new_per_day(owned(), &t),
            Input::RestDays(t) => self.set_rest_days(owned(), &t),
            Input::Epa(t) => self.set_epa(owned(), &t),
            Input::Pause => self.pause(owned(), true),
            Input::Resume => self.pause(owned(), false),
            Input::MyData => self.my_data(&learner),
            Input::Forget => self.forget_ask(&learner),
            Input::ForgetConfirm => self.forget_confirm(&learner),
            Input::Answer { delivery, option } => {
                self.answer(&learner, who.platform, &delivery, option)
            }
            Input::CohortCreate { name, standards } => {
                self.cohort_create(&learner, &name, &standards)
            }
            Input::CohortMembers(code) => self.cohort_members(&learner, &code),
            Input::CohortEpa { code, date } => self.cohort_epa(&learner, &code, &date),
            Input::Export(req) => self.export(&learner, &req),
            Input::Link(None) => self.link_start(learner.id),
            Input::Link(Some(code)) => self.link_finish(who, &code),
            Input::Text(t) => self.free_text(&learner, who.platform, &t),
            Input::Unknown(t) => self.text("unknown-command", json!({"command": t})),
        }
    }

    /// An answer to a delivered question, like [`Input::Answer`] through [`Engine::handle`],
    /// also saying whether it was recorded: a front end that shows the learner's choice on
    /// the question (Telegram edits the message) must show only one that counts.
    pub fn handle_answer(
        &self,
        who: Who,
        delivery: &str,
        option: usize,
    ) -> Result<(Verdict, Vec<Out>)> {
        match self.store.shared_learner_by_account(who.account)? {
            Some(l) => self.answer_verdict(&l, who.platform, delivery, option),
            None => Ok((Verdict::Refused, self.text("not-started", json!({}))?)),
        }
    }

    fn help(&self) -> Result<Vec<Out>> {
        self.text("help", json!({}))
    }
}

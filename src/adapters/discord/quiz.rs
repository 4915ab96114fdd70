//! Live quizzes in Discord channels: `/quiz start|stop|leaderboard`, the clicks on question
//! buttons, and the task that runs each quiz (post a question with its countdown, wait for
//! time-up or a stop, show how the cohort answered, the leaderboard, then the podium).
//!
//! The quiz itself is [`crate::live::LiveQuiz`]; this file only moves it along in real time
//! and talks to Discord. A click is recorded durably before the learner is told it counted.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;
use serenity::all::{
    CommandInteraction, ComponentInteraction, CreateMessage, EditMessage, MessageId,
};

use super::translate::{Asker, QuizStart, live_button};
use super::{App, buttons, channel, clip};
use crate::engine::{LiveRecorded, Who, letter, lettered};
use crate::live::{ClickOutcome, LiveQuiz, QuestionResult, Summary};

/// A quiz running in a channel.
pub struct Running {
    pub channel: u64,
    pub quiz: Mutex<LiveQuiz>,
    stop: tokio::sync::Notify,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Running {
    pub(crate) fn quiz(&self) -> std::sync::MutexGuard<'_, LiveQuiz> {
        self.quiz.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops the quiz's task where it is (shutdown): the store keeps its record, so the next
    /// start ends it in its channel.
    pub fn abort(&self) {
        if let Some(t) = self.task.lock().unwrap_or_else(|e| e.into_inner()).take() {
            t.abort();
        }
    }
}

/// What the store keeps of a quiz in progress, so a restart can end it cleanly.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub quiz: String,
    pub channel: u64,
    pub cohort: String,
    pub total: usize,
    pub asked: usize,
    /// The message of the question last shown (its buttons are removed on restart).
    pub message: Option<u64>,
}

fn save(app: &App, r: &Record) {
    if let Err(e) = app.engine.save_live(r.channel, r) {
        tracing::warn!(error = %e, "could not save the live quiz's progress");
    }
}

/// The short code of an item id (`K3` of `CODE/K3`).
fn code_of(item: &str) -> &str {
    item.rsplit('/').next().unwrap_or(item)
}

fn item_text(app: &App, item: &str) -> String {
    app.engine
        .bank
        .item(item)
        .map(|i| i.text.clone())
        .unwrap_or_default()
}

/// Ends the quizzes a previous run left open, saying so in their channels.
pub async fn end_interrupted(app: &App) {
    let records: Vec<(u64, Record)> = match app.engine.interrupted_live() {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "could not read interrupted quizzes");
            return;
        }
    };
    for (at, r) in records {
        if let Some(m) = r.message {
            let edit = EditMessage::new().components(Vec::new());
            let _ = channel(r.channel)
                .edit_message(&app.http, MessageId::new(m), edit)
                .await;
        }
        let text = app.say(
            "restart-ended",
            json!({"asked": r.asked, "total": r.total, "cohort": r.cohort}),
        );
        match channel(r.channel)
            .send_message(&app.http, CreateMessage::new().content(text))
            .await
        {
            Ok(_) => {
                if let Err(e) = app.engine.end_live(at) {
                    tracing::warn!(error = %e, "could not clear an interrupted quiz");
                }
            }
            // Kept for the next start to try again.
            Err(e) => {
                tracing::warn!(error = %e, channel = r.channel, "could not end an interrupted quiz")
            }
        }
    }
}

/// Asks the engine to plan the quiz a tutor asked for; `Err` is what to tell them.
fn plan(app: &App, a: &Asker, s: QuizStart) -> Result<LiveQuiz, String> {
    let account = a.account();
    let who = Who {
        account: &account,
        name: &a.name,
        platform: "discord",
    };
    match app.engine.plan_live(who, a.channel, &s) {
        Ok(Ok(quiz)) => Ok(quiz),
        Ok(Err(refusal)) => Err(app.say(refusal.template, refusal.data)),
        Err(e) => {
            tracing::warn!(error = %e, "could not plan a live quiz");
            Err(app.say("quiz-failed", json!({})))
        }
    }
}

/// `/quiz start`.
pub async fn start(app: &Arc<App>, c: &CommandInteraction, a: &Asker, s: QuizStart) {
    if a.guild.is_none() {
        let text = app.say("guild-only", json!({}));
        return app.respond_text(c.id, &c.token, text, true).await;
    }
    if !app.is_tutor(a).await {
        return app.refuse_not_tutor(c.id, &c.token).await;
    }
    let quiz = match plan(app, a, s.clone()) {
        Ok(q) => q,
        Err(text) => return app.respond_text(c.id, &c.token, text, true).await,
    };
    let running = Arc::new(Running {
        channel: a.channel,
        quiz: Mutex::new(quiz),
        stop: tokio::sync::Notify::new(),
        task: Mutex::new(None),
    });
    let taken = {
        let mut quizzes = app.quizzes.lock().unwrap_or_else(|e| e.into_inner());
        let taken = quizzes.contains_key(&a.channel);
        if !taken {
            quizzes.insert(a.channel, running.clone());
        }
        crate::metrics::metrics()
            .live_quizzes
            .set(quizzes.len() as i64);
        taken
    };
    if taken {
        let text = app.say("quiz-running", json!({}));
        return app.respond_text(c.id, &c.token, text, true).await;
    }
    let (intro, record) = {
        let q = running.quiz();
        let intro = app.say(
            "quiz-starting",
            json!({"count": q.questions.len(), "standard": q.spec.standard, "seconds": q.spec.seconds,
                   "items": s.items.as_deref().filter(|i| !i.eq_ignore_ascii_case("all")),
                   "streak_bonus": q.spec.streak_bonus, "cohort": q.spec.cohort}),
        );
        let record = Record {
            quiz: q.id.clone(),
            channel: a.channel,
            cohort: q.spec.cohort.clone(),
            total: q.questions.len(),
            asked: 0,
            message: None,
        };
        (intro, record)
    };
    save(app, &record);
    app.respond_text(c.id, &c.token, intro, false).await;
    let task = tokio::spawn(run(app.clone(), running.clone(), record));
    *running.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
}

/// `/quiz stop`.
pub async fn stop(app: &App, c: &CommandInteraction, a: &Asker) {
    if !app.is_tutor(a).await {
        return app.refuse_not_tutor(c.id, &c.token).await;
    }
    let running = app.running_in(a.channel);
    let name = match running {
        Some(r) => {
            r.stop.notify_one();
            "quiz-stopping"
        }
        None => "quiz-none",
    };
    let text = app.say(name, json!({}));
    app.respond_text(c.id, &c.token, text, true).await;
}

fn leaderboard_text(app: &App, q: &LiveQuiz, after: Option<usize>) -> String {
    app.say(
        "leaderboard",
        json!({"standings": q.leaderboard(), "after": after, "total": q.questions.len(),
               "streak_bonus": q.spec.streak_bonus}),
    )
}

/// `/quiz leaderboard`: the running quiz's, or the last one's in this channel.
pub async fn leaderboard(app: &App, c: &CommandInteraction, a: &Asker) {
    let running = app.running_in(a.channel);
    let text = match running {
        Some(r) => {
            let q = r.quiz();
            let after = match q.open() {
                Some((i, ..)) => i,
                None => q.asked,
            };
            leaderboard_text(app, &q, Some(after).filter(|n| *n > 0))
        }
        None => match app
            .finished
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&a.channel)
        {
            Some(s) => app.say(
                "leaderboard",
                json!({"standings": s.leaderboard, "after": null, "total": s.questions_asked, "streak_bonus": false}),
            ),
            None => app.say("quiz-none", json!({})),
        },
    };
    app.respond_text(c.id, &c.token, text, false).await;
}

/// A click on a live question's button.
pub async fn click(
    app: &App,
    c: &ComponentInteraction,
    a: &Asker,
    quiz: &str,
    index: usize,
    option: usize,
) {
    let running = app.running_in(a.channel).filter(|r| r.quiz().id == quiz);
    let Some(r) = running else {
        let text = app.say("ack-closed", json!({}));
        return app.respond_text(c.id, &c.token, text, true).await;
    };
    let account = a.account();
    let now = app.engine.now();
    let (outcome, cohort, question, opened) = {
        let mut q = r.quiz();
        let outcome = q.click(&account, &a.name, index, option, now);
        let question = q.questions.get(index).map(|x| x.question.clone());
        let opened = q.open().map(|(_, opened, _)| opened).unwrap_or(now);
        (outcome, q.spec.cohort.clone(), question, opened)
    };
    let text = match outcome {
        ClickOutcome::Accepted { .. } => {
            let engine = app.engine.clone();
            let (acc, name, key) = (
                account.clone(),
                a.name.clone(),
                format!("live/{quiz}/{index}"),
            );
            let question = question.unwrap_or_default();
            let cohort2 = cohort.clone();
            // Recorded (and on disk) before the learner is told it counted.
            let recorded = tokio::task::spawn_blocking(move || {
                engine.live_answer(
                    Who {
                        account: &acc,
                        name: &name,
                        platform: "discord",
                    },
                    &cohort2,
                    &key,
                    &question,
                    option,
                    opened,
                )
            })
            .await;
            // Not recorded: the click is taken back so the learner can click again.
            let failed = |e: &dyn std::fmt::Display| {
                tracing::error!(error = %e, "could not record a live answer");
                r.quiz().unclick(&account, index);
                app.say("ack-failed", json!({}))
            };
            match recorded {
                Ok(Ok(LiveRecorded::New { joined, .. })) => app.say(
                    "ack-locked",
                    json!({"letter": letter(option), "joined": joined, "cohort": cohort}),
                ),
                Ok(Ok(LiveRecorded::Duplicate)) => {
                    app.say("ack-already", json!({"letter": letter(option)}))
                }
                Ok(Ok(LiveRecorded::UnknownQuestion)) => app.say("ack-closed", json!({})),
                Ok(Err(e)) => failed(&e),
                Err(e) => failed(&e),
            }
        }
        ClickOutcome::AlreadyAnswered { option } => {
            app.say("ack-already", json!({"letter": letter(option)}))
        }
        ClickOutcome::TooLate => app.say("ack-late", json!({})),
        ClickOutcome::NotOpen | ClickOutcome::NotAnOption => app.say("ack-closed", json!({})),
    };
    app.respond_text(c.id, &c.token, text, true).await;
}

fn question_text(app: &App, q: &LiveQuiz, index: usize) -> String {
    let lq = &q.questions[index];
    let (stem, options) = app
        .engine
        .bank
        .question(&lq.question)
        .map(|bq| (bq.stem.clone(), bq.options.clone()))
        .unwrap_or_default();
    let deadline = q.open().map_or(0, |(_, _, d)| d.timestamp());
    clip(app.say(
        "question",
        json!({"n": index + 1, "total": q.questions.len(), "item_code": code_of(&lq.item),
               "deadline": deadline, "stem": stem, "options": lettered(&options)}),
    ))
}

fn result_text(app: &App, q: &LiveQuiz, r: &QuestionResult) -> String {
    let (stem, options, explanation, feedback) = app
        .engine
        .bank
        .question(&r.question)
        .map(|bq| {
            let why = (0..bq.options.len())
                .map(|i| bq.why(i).unwrap_or_default().to_string())
                .collect::<Vec<_>>();
            (
                bq.stem.clone(),
                bq.options.clone(),
                bq.explanation.clone(),
                why,
            )
        })
        .unwrap_or_default();
    let most = r.answered.max(1);
    let rows: Vec<serde_json::Value> = options
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let count = r.counts.get(i).copied().unwrap_or(0);
            let filled = (count * 10).div_ceil(most).min(10);
            let bar = format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled));
            json!({"letter": letter(i), "text": text, "right": i == r.answer, "count": count, "bar": bar,
                   "why": feedback.get(i).map(String::as_str).unwrap_or_default()})
        })
        .collect();
    clip(app.say(
        "result",
        json!({"n": r.index + 1, "total": q.questions.len(), "item_code": code_of(&r.item),
               "item_text": item_text(app, &r.item), "stem": stem, "options": rows,
               "answer_letter": letter(r.answer), "correct": r.correct, "answered": r.answered,
               "missed": q.players.len().saturating_sub(r.answered), "explanation": explanation}),
    ))
}

fn podium_text(app: &App, s: &Summary, stopped: bool) -> String {
    let medals = ["🥇", "🥈", "🥉"];
    let podium: Vec<serde_json::Value> = s
        .podium
        .iter()
        .map(|p| json!({"medal": medals.get(p.rank - 1).copied().unwrap_or("🏅"), "name": p.name, "score": p.score}))
        .collect();
    let weakest: Vec<serde_json::Value> = s
        .weakest
        .iter()
        .map(|w| json!({"code": code_of(&w.item), "text": item_text(app, &w.item), "correct": w.correct, "expected": w.expected}))
        .collect();
    clip(app.say(
        "podium",
        json!({"stopped": stopped, "asked": s.questions_asked, "players": s.players, "answers": s.answers,
               "podium": podium, "weakest": weakest}),
    ))
}

/// Waits for the open question's time to be up (by the engine's clock, checked often so a
/// moved clock is noticed) or for a stop. True when stopped.
async fn wait_for_time_up(app: &App, r: &Running) -> bool {
    loop {
        let now = app.engine.now();
        let left = {
            let q = r.quiz();
            match q.open() {
                Some((_, _, deadline)) if now < deadline => (deadline - now)
                    .to_std()
                    .unwrap_or_default()
                    .min(Duration::from_millis(200)),
                _ => return false,
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(left) => {}
            _ = r.stop.notified() => return true,
        }
    }
}

async fn post(app: &App, ch: u64, text: String) {
    if let Err(e) = channel(ch)
        .send_message(&app.http, CreateMessage::new().content(text))
        .await
    {
        tracing::warn!(error = %e, channel = ch, "could not post to Discord");
    }
}

/// Runs one quiz to its end.
async fn run(app: Arc<App>, r: Arc<Running>, mut record: Record) {
    let mut stopped = false;
    loop {
        let opened = {
            let mut q = r.quiz();
            q.open_next(app.engine.now()).map(|i| {
                (
                    i,
                    question_text(&app, &q, i),
                    q.id.clone(),
                    q.questions[i].options,
                )
            })
        };
        let Some((index, text, quiz_id, options)) = opened else {
            break;
        };
        let rows = buttons(
            (0..options)
                .map(|o| live_button(&quiz_id, index, o))
                .collect(),
        );
        let message = match channel(r.channel)
            .send_message(
                &app.http,
                CreateMessage::new().content(text).components(rows),
            )
            .await
        {
            Ok(m) => Some(m.id),
            Err(e) => {
                tracing::warn!(error = %e, channel = r.channel, "could not post a question");
                None
            }
        };
        record.asked = index + 1;
        record.message = message.map(|m| m.get());
        save(&app, &record);
        stopped = wait_for_time_up(&app, &r).await;
        let (result, text, more) = {
            let mut q = r.quiz();
            let result = if stopped { q.stop() } else { q.close() };
            let text = result.as_ref().map(|res| result_text(&app, &q, res));
            (result, text, !q.is_finished())
        };
        if let (Some(m), Some(text)) = (message, text) {
            let edit = EditMessage::new().content(text).components(Vec::new());
            if let Err(e) = channel(r.channel).edit_message(&app.http, m, edit).await {
                tracing::warn!(error = %e, "could not show a question's result");
            }
        }
        if stopped || result.is_none() {
            break;
        }
        let board = {
            let q = r.quiz();
            leaderboard_text(&app, &q, Some(index + 1))
        };
        post(&app, r.channel, board).await;
        if !more {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(app.options.between_questions) => {}
            _ = r.stop.notified() => {
                r.quiz().stop();
                stopped = true;
                break;
            }
        }
    }
    let summary = r.quiz().summary();
    post(&app, r.channel, podium_text(&app, &summary, stopped)).await;
    if let Err(e) = app.engine.end_live(r.channel) {
        tracing::warn!(error = %e, "could not clear the finished quiz");
    }
    app.finished
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(r.channel, summary);
    let mut quizzes = app.quizzes.lock().unwrap_or_else(|e| e.into_inner());
    quizzes.remove(&r.channel);
    crate::metrics::metrics()
        .live_quizzes
        .set(quizzes.len() as i64);
}

//! Telegram end to end: the real teloxide adapter against a local fake of the Bot API
//! (`ksbquiz::testkit::telegram`), started on 127.0.0.1 by each test.

mod common;

use std::sync::Arc;
use std::time::Duration;

use ksbquiz::adapters::telegram::{self, daily::DailyPrompts};
use ksbquiz::config::Secret;
use ksbquiz::engine::Engine;
use ksbquiz::store::Prompted;
use ksbquiz::testkit::telegram::{Call, FakeTelegram, Fault};
use serde_json::{Value, json};

/// The real bot against the fake, without its daily loop (tests tick it themselves).
async fn start_bot(engine: &Arc<Engine>, fake: &FakeTelegram) -> telegram::Running {
    telegram::start(
        engine.clone(),
        &Secret::new("123:TEST"),
        Some(&fake.url()),
        None,
    )
    .await
    .unwrap()
}

const WAIT: Duration = Duration::from_secs(40);
const ANN: i64 = 111;
const TESS: i64 = 333;

fn text_of(c: &Call) -> String {
    c.body["text"].as_str().unwrap_or("").to_string()
}

async fn wait_text(fake: &FakeTelegram, chat: i64, needle: &str) -> Call {
    let ok = fake
        .wait_for(WAIT, |calls| {
            calls
                .iter()
                .any(|c| c.chat_id == Some(chat) && text_of(c).contains(needle))
        })
        .await;
    assert!(
        ok,
        "no message containing {needle:?}; sent: {:#?}",
        fake.sent_to(chat, "sendMessage")
            .iter()
            .map(text_of)
            .collect::<Vec<_>>()
    );
    fake.calls()
        .into_iter()
        .rev()
        .find(|c| c.chat_id == Some(chat) && text_of(c).contains(needle))
        .unwrap()
}

/// An engine whose bank makes HSCCLD352/P1's questions too long for a native poll, so the
/// first question of the day goes out with buttons and the others as quiz polls.
fn engine(dir: &std::path::Path) -> (Arc<Engine>, Arc<ksbquiz::engine::ManualClock>) {
    let (e, clock) = common::engine_at(dir, "2026-11-23T09:00:00Z");
    let mut files = e.bank.files().to_vec();
    for f in &mut files {
        for q in &mut f.questions {
            if q.item == "HSCCLD352/P1" {
                q.explanation =
                    format!("{} {}", q.explanation, "(a longer explanation) ".repeat(8));
            }
        }
    }
    let e = Engine::new(
        e.store.clone(),
        Arc::new(ksbquiz::bank::Bank::from_files(files)),
        e.prompts.clone(),
        clock.clone(),
        Default::default(),
    );
    (Arc::new(e), clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_from_start_to_forget() {
    let fake = FakeTelegram::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock) = engine(dir.path());
    let running = start_bot(&engine, &fake).await;
    assert!(
        fake.wait_for(WAIT, |c| c.iter().any(|c| c.method == "setMyCommands"))
            .await
    );
    let commands = fake
        .calls()
        .into_iter()
        .find(|c| c.method == "setMyCommands")
        .unwrap();
    let names: Vec<&str> = commands.body["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    for c in [
        "start", "quiz", "practice", "stats", "time", "timezone", "pause", "resume", "mydata",
        "forget", "help",
    ] {
        assert!(names.contains(&c), "{c} registered: {names:?}");
    }

    fake.push_text(ANN, "Ann", "/start");
    wait_text(&fake, ANN, "Welcome, Ann!").await;
    fake.push_text(ANN, "Ann", "/enrol HSCCLD352");
    wait_text(&fake, ANN, "you're now studying HSCCLD352").await;

    // The daily prompt, fired by moving the clock past 18:00 London time.
    let daily = DailyPrompts::new(running.app.clone());
    assert_eq!(
        daily.tick().await.unwrap().sent,
        0,
        "not before the learner's time"
    );
    clock.set("2026-11-23T18:01:00Z".parse().unwrap());
    assert_eq!(daily.tick().await.unwrap().sent, 1);
    assert_eq!(daily.tick().await.unwrap().sent, 0, "never twice a day");
    let prompt = wait_text(&fake, ANN, "Your daily quiz is ready: 5 questions").await;
    assert_eq!(
        prompt.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        "quiz"
    );

    // Start from the prompt's button, then answer: buttons for the first question, polls after.
    fake.push_callback(ANN, "Ann", &prompt.result, "quiz");
    let (mut polls, mut buttons) = (0, 0);
    let mut seen = 0usize;
    loop {
        let ok = fake
            .wait_for(WAIT, |calls| {
                calls
                    .iter()
                    .filter(|c| c.chat_id == Some(ANN))
                    .skip(seen)
                    .any(|c| {
                        c.method == "sendPoll"
                            || (c.method == "sendMessage"
                                && c.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                                    .as_str()
                                    .is_some_and(|d| d.starts_with("a:")))
                            || text_of(c).contains("quiz done")
                    })
            })
            .await;
        assert!(ok, "a question or the end");
        let mine: Vec<Call> = fake
            .calls()
            .into_iter()
            .filter(|c| c.chat_id == Some(ANN))
            .collect();
        let (i, c) = mine
            .iter()
            .enumerate()
            .skip(seen)
            .find(|(_, c)| {
                c.method == "sendPoll"
                    || c.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                        .as_str()
                        .is_some_and(|d| d.starts_with("a:"))
                    || text_of(c).contains("quiz done")
            })
            .unwrap();
        seen = i + 1;
        if text_of(c).contains("quiz done") {
            break;
        }
        if c.method == "sendPoll" {
            polls += 1;
            assert_eq!(c.body["type"], "quiz");
            assert_eq!(c.body["is_anonymous"], false);
            let right = c.body["correct_option_id"].as_u64().unwrap() as u8;
            fake.push_poll_answer(ANN, "Ann", c.result["poll"]["id"].as_str().unwrap(), right);
        } else {
            buttons += 1;
            let data = c.body["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
                .as_str()
                .unwrap()
                .to_string();
            fake.push_callback(ANN, "Ann", &c.result, &data);
            // A double click on the same button is told, not recorded twice.
            fake.push_callback(ANN, "Ann", &c.result, &data);
        }
    }
    assert!(
        polls >= 1 && buttons >= 1,
        "polls {polls}, buttons {buttons}"
    );
    wait_text(&fake, ANN, "already answered").await;
    let id = engine
        .store
        .learner_by_account("telegram:111")
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        engine.store.attempts(id).unwrap().len(),
        5,
        "five answers, none doubled"
    );
    // The button message was edited to show the choice.
    assert!(
        fake.calls()
            .iter()
            .any(|c| c.method == "editMessageText" && text_of(c).contains("Your answer: B"))
    );

    fake.push_text(ANN, "Ann", "/stats");
    wait_text(&fake, ANN, "Your progress").await;
    fake.push_text(ANN, "Ann", "/mydata");
    assert!(
        fake.wait_for(WAIT, |c| c
            .iter()
            .any(|c| c.method == "sendDocument" && c.chat_id == Some(ANN)))
            .await
    );

    // A tutor's cohort with Ann in it, exported as CSV for a range: three documents, to the
    // tutor only. Ann, a learner, is refused.
    fake.push_text(TESS, "Tess", "/start");
    wait_text(&fake, TESS, "Welcome, Tess!").await;
    fake.push_text(TESS, "Tess", "/cohort create Evening : HSCCLD352");
    let created = wait_text(&fake, TESS, "Learners join with the code").await;
    let code = text_of(&created)
        .split("(/join ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap()
        .to_string();
    fake.push_text(ANN, "Ann", &format!("/join {code}"));
    wait_text(&fake, ANN, "You've joined Evening").await;
    fake.push_text(
        TESS,
        "Tess",
        &format!("/export {code} 2026-11-23 2026-11-23 csv"),
    );
    assert!(
        fake.wait_for(WAIT, |c| c
            .iter()
            .filter(|c| c.method == "sendDocument" && c.chat_id == Some(TESS))
            .count()
            == 3)
            .await
    );
    let names: Vec<String> = fake
        .sent_to(TESS, "sendDocument")
        .iter()
        .map(|c| {
            c.body["document"]["file_name"]
                .as_str()
                .unwrap_or_else(|| panic!("a named document: {}", c.body))
                .to_string()
        })
        .collect();
    let stem = format!("{code}-2026-11-23-to-2026-11-23");
    assert_eq!(
        names,
        [
            format!("{stem}-items.csv"),
            format!("{stem}-learners.csv"),
            format!("{stem}-questions.csv")
        ]
    );
    fake.push_text(ANN, "Ann", &format!("/export {code}"));
    wait_text(&fake, ANN, "only cohorts you created").await;
    assert_eq!(fake.sent_to(ANN, "sendDocument").len(), 1, "only her data");

    // Stray input: a photo, a group command, an old button, a closed poll, an edit.
    fake.push_raw("message", json!({"message_id": 9, "date": 1, "chat": {"id": ANN, "type": "private", "first_name": "Ann"},
        "from": {"id": ANN, "is_bot": false, "first_name": "Ann"},
        "photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]}));
    wait_text(&fake, ANN, "only read text").await;
    fake.push_raw(
        "message",
        json!({"message_id": 10, "date": 1, "chat": {"id": -500, "type": "group", "title": "Team"},
        "from": {"id": ANN, "is_bot": false, "first_name": "Ann"}, "text": "/quiz",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}),
    );
    wait_text(&fake, -500, "private chats").await;
    fake.push_callback(ANN, "Ann", &prompt.result, "nonsense:data");
    wait_text(&fake, ANN, "old message").await;
    fake.push_poll_answer(ANN, "Ann", "poll-that-never-was", 0);
    fake.push_raw("edited_message", json!({"message_id": 11, "date": 1, "edit_date": 2, "chat": {"id": ANN, "type": "private", "first_name": "Ann"},
        "from": {"id": ANN, "is_bot": false, "first_name": "Ann"}, "text": "a"}));
    fake.push_text(ANN, "Ann", "/forget");
    wait_text(&fake, ANN, "/forget confirm").await;
    assert_eq!(
        engine.store.attempts(id).unwrap().len(),
        5,
        "stray input recorded nothing"
    );
    fake.push_text(ANN, "Ann", "/forget confirm");
    wait_text(&fake, ANN, "everything stored about you has been deleted").await;
    assert!(engine.store.learner(id).unwrap().is_none());
    assert!(engine.store.attempts(id).unwrap().is_empty());
    running.stop().await;
}

fn learners(engine: &Engine, n: i64) {
    let now = "2026-11-23T08:00:00Z".parse().unwrap();
    for i in 0..n {
        let (mut l, _) = engine
            .store
            .learner_for_account(&format!("telegram:{}", 1000 + i), "L", now)
            .unwrap();
        l.standards = vec!["HSCCLD222".into()];
        engine.store.put_learner(&l).unwrap();
    }
    engine.store.durable().unwrap();
}

fn prompts_to(fake: &FakeTelegram, chat: i64) -> usize {
    fake.sent_to(chat, "sendMessage")
        .iter()
        .filter(|c| text_of(c).contains("daily quiz is ready"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_push_survives_429_500_drops_and_403_and_delivers_each_prompt_once() {
    let n: i64 = std::env::var("KSBQUIZ_PUSH_LEARNERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let fake = FakeTelegram::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (engine, _clock) = common::engine_at(dir.path(), "2026-11-23T20:30:00Z");
    let engine = Arc::new(engine);
    learners(&engine, n);
    // Two learners blocked the bot; one prompt was pending when the bot last stopped; one was
    // already sent before the restart.
    fake.block(1000);
    fake.block(1001);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let id_of = |chat: i64| {
        engine
            .store
            .learner_by_account(&format!("telegram:{chat}"))
            .unwrap()
            .unwrap()
            .id
    };
    engine
        .store
        .put_prompted(
            id_of(1002),
            &Prompted {
                day: today,
                sent: false,
            },
        )
        .unwrap();
    engine
        .store
        .put_prompted(
            id_of(1003),
            &Prompted {
                day: today,
                sent: true,
            },
        )
        .unwrap();
    fake.inject([
        Fault::TooManyRequests { retry_after: 1 },
        Fault::ServerError,
        Fault::TooManyRequests { retry_after: 1 },
        Fault::ServerError,
        Fault::TooManyRequests { retry_after: 1 },
        Fault::DropConnection,
        Fault::DropConnection,
    ]);
    let running = start_bot(&engine, &fake).await;
    let started = std::time::Instant::now();
    let report = DailyPrompts::new(running.app.clone()).tick().await.unwrap();
    let took = started.elapsed();
    eprintln!("daily push to {n} learners: {report:?} in {took:?}");
    assert_eq!(report.due as i64, n - 1, "all but the one already sent");
    assert_eq!(report.blocked, 2);
    assert_eq!(report.sent as i64, n - 3);
    assert_eq!(report.failed, 0);
    for chat in 1000..1000 + n {
        let want = usize::from(!matches!(chat, 1000 | 1001 | 1003));
        assert_eq!(prompts_to(&fake, chat), want, "chat {chat}");
    }
    assert!(engine.store.learner(id_of(1000)).unwrap().unwrap().inactive);
    // Every fault was met and got past.
    assert!(fake.failed() >= 7);
    // A restart (a new sender over the same store) sends nothing again today.
    running.stop().await;
    let running = start_bot(&engine, &fake).await;
    let again = DailyPrompts::new(running.app.clone()).tick().await.unwrap();
    assert_eq!((again.due, again.sent), (0, 0));
    for chat in 1002..1000 + n {
        assert!(prompts_to(&fake, chat) <= 1);
    }
    running.stop().await;
    let _: Value = json!(null);
}

/// Stopping the bot right after starting it, on one worker thread, used to hang now and then:
/// teloxide's shutdown future registers its waiter only when first polled, so a dispatcher that
/// ended in between was never noticed. `stop` must return every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn stopping_right_after_starting_never_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, _clock) = engine(dir.path());
    let fake = FakeTelegram::start().await.unwrap();
    for round in 0..25 {
        let running = start_bot(&engine, &fake).await;
        if round % 2 == 1 {
            tokio::time::sleep(Duration::from_millis(round * 10)).await;
        }
        let stopped = tokio::time::timeout(Duration::from_secs(30), running.stop()).await;
        assert!(stopped.is_ok(), "stop() hung in round {round}");
    }
}

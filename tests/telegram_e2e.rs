//! Telegram end to end: the real teloxide adapter against a local fake of the Bot API
//! (`ksbquiz::testkit::telegram`), started on 127.0.0.1 by each test.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ksbquiz::adapters::telegram::{self, daily::DailyPrompts};
use ksbquiz::config::Secret;
use ksbquiz::engine::Engine;
use ksbquiz::store::Prompted;
use ksbquiz::testkit::telegram::{Attempt, Call, FakeTelegram, Fault};
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

/// The bank question a poll asks (by its question and options, as sent to Telegram).
fn bank_question(
    engine: &Engine,
    question: &serde_json::Value,
    options: &serde_json::Value,
) -> ksbquiz::bank::Question {
    let options: Vec<&str> = options
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["text"].as_str().or(o.as_str()).unwrap())
        .collect();
    let mut q = engine
        .bank
        .files()
        .iter()
        .flat_map(|f| &f.questions)
        .find(|q| {
            let (mut shown, mut bank) = (options.clone(), q.options.clone());
            shown.sort();
            bank.sort();
            Some(q.stem.as_str()) == question.as_str() && shown == bank
        })
        .cloned()
        .expect("the poll's question is in the bank");
    // In the order it was shown (each delivery shows its options in an order of its own).
    let order: Vec<usize> = options
        .iter()
        .map(|o| q.options.iter().position(|x| x == o).unwrap())
        .collect();
    q.answer = order.iter().position(|&i| i == q.answer).unwrap();
    q.feedback = order.iter().map(|&i| q.feedback[i].clone()).collect();
    q.options = options.iter().map(|o| o.to_string()).collect();
    q
}

/// An engine whose bank makes HSCCLD352/P1's questions too long for a native poll, so the
/// first question of the day goes out with buttons and the others as quiz polls.
fn engine(dir: &std::path::Path) -> (Arc<Engine>, Arc<ksbquiz::engine::ManualClock>) {
    engine_with_buttons(dir, |item| item == "HSCCLD352/P1")
}

/// An engine whose bank makes the questions of the items `buttons` picks too long for a
/// native poll, so they go out as messages with buttons.
fn engine_with_buttons(
    dir: &std::path::Path,
    buttons: impl Fn(&str) -> bool,
) -> (Arc<Engine>, Arc<ksbquiz::engine::ManualClock>) {
    let (e, clock) = common::engine_at(dir, "2026-11-23T09:00:00Z");
    let mut files = e.bank.files().to_vec();
    for f in &mut files {
        for q in &mut f.questions {
            if buttons(&q.item) {
                q.explanation =
                    format!("{} {}", q.explanation, "(a longer explanation) ".repeat(8));
            }
        }
    }
    let e = Engine::new(
        e.store().clone(),
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
        "start",
        "standards",
        "enrol",
        "join",
        "quiz",
        "practice",
        "stats",
        "settings",
        "time",
        "timezone",
        "pause",
        "resume",
        "mydata",
        "forget",
        "help",
    ] {
        assert!(names.contains(&c), "{c} registered: {names:?}");
    }

    fake.push_text(ANN, "Ann", "/start");
    wait_text(&fake, ANN, "Welcome, Ann!").await;
    // /help lists every registered command.
    fake.push_text(ANN, "Ann", "/help");
    let help = text_of(&wait_text(&fake, ANN, "Here's what I can do").await);
    for c in names.iter().filter(|c| **c != "help") {
        assert!(help.contains(&format!("/{c}")), "/{c} not in /help: {help}");
    }
    fake.push_text(ANN, "Ann", "/enrol HSCCLD352");
    wait_text(&fake, ANN, "you're now studying HSCCLD352").await;
    // A first standard brings the first question at once (today's quiz).
    wait_text(&fake, ANN, "Today's quiz: 5 questions").await;

    // The next day's prompt, fired by moving the clock past 18:00 London time.
    clock.set("2026-11-24T09:00:00Z".parse().unwrap());
    let daily = DailyPrompts::new(running.app.clone());
    assert_eq!(
        daily.tick().await.unwrap().sent,
        0,
        "not before the learner's time"
    );
    clock.set("2026-11-24T18:01:00Z".parse().unwrap());
    assert_eq!(daily.tick().await.unwrap().sent, 1);
    assert_eq!(daily.tick().await.unwrap().sent, 0, "never twice a day");
    let prompt = wait_text(&fake, ANN, "Your daily quiz is ready: 5 questions").await;
    assert_eq!(
        prompt.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        "quiz"
    );

    // Start from the prompt's button, then answer: buttons for the first question, polls after.
    // The first poll meets a 429 and then a 500 from Telegram, and still goes out once.
    let failed_before = fake.failed();
    fake.inject_on(
        "sendPoll",
        [
            Fault::TooManyRequests { retry_after: 1 },
            Fault::ServerError,
        ],
    );
    // What was sent before (the first day's first question) is not part of this quiz.
    let mut seen = fake
        .calls()
        .iter()
        .filter(|c| c.chat_id == Some(ANN))
        .count();
    fake.push_callback(ANN, "Ann", &prompt.result, "quiz");
    let (mut polls, mut buttons) = (0, 0);
    // Reasons the learner must read after answering: the chosen option's, and the key's.
    let mut reasons: Vec<String> = Vec::new();
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
            // The poll's own explanation says why the key is right when it fits in 200
            // characters; the message after the answer says it in any case.
            let bq = bank_question(&engine, &c.body["question"], &c.body["options"]);
            let why = bq.why(right as usize).unwrap().to_string();
            let explanation = c.body["explanation"].as_str().unwrap();
            assert!(explanation.chars().count() <= 200, "{explanation}");
            assert!(explanation.contains(&bq.explanation), "{explanation}");
            if why.chars().count() + bq.explanation.chars().count() < 195 {
                assert!(explanation.contains(&why), "{explanation}");
            }
            reasons.push(why);
            fake.push_poll_answer(ANN, "Ann", c.result["poll"]["id"].as_str().unwrap(), right);
        } else {
            buttons += 1;
            let data = c.body["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
                .as_str()
                .unwrap()
                .to_string();
            let text = text_of(c);
            let bq = engine
                .bank
                .files()
                .iter()
                .flat_map(|f| &f.questions)
                .find(|q| text.contains(&q.stem) && q.options.iter().all(|o| text.contains(o)))
                .expect("the question sent is in the bank");
            // Button B is the option shown second (each delivery has an order of its own).
            let mut shown: Vec<usize> = (0..bq.options.len()).collect();
            shown.sort_by_key(|&i| text.find(&bq.options[i]).unwrap());
            let b = shown[1];
            reasons.push(bq.why(b).unwrap().to_string());
            if bq.answer != b {
                reasons.push(bq.why(bq.answer).unwrap().to_string());
            }
            fake.push_callback(ANN, "Ann", &c.result, &data);
            // A double click on the same button is told, not recorded twice.
            fake.push_callback(ANN, "Ann", &c.result, &data);
        }
    }
    assert!(
        polls >= 1 && buttons >= 1,
        "polls {polls}, buttons {buttons}"
    );
    assert_eq!(fake.pending_faults(), 0, "the 429 and the 500 were met");
    assert!(fake.failed() >= failed_before + 2);
    let poll_stems: Vec<String> = fake
        .sent_to(ANN, "sendPoll")
        .iter()
        .map(|c| c.body["question"].as_str().unwrap_or("").to_string())
        .collect();
    // Five questions in the quiz, each shown once: a question sent twice would have been
    // answered twice above.
    assert_eq!(polls + buttons, 5, "polls {poll_stems:#?}");
    let said: String = fake
        .sent_to(ANN, "sendMessage")
        .iter()
        .map(text_of)
        .collect::<Vec<_>>()
        .join("\n");
    for why in &reasons {
        assert!(said.contains(why.as_str()), "{why:?} not in {said}");
    }
    wait_text(&fake, ANN, "already answered").await;
    let id = engine
        .store()
        .learner_by_account("telegram:111")
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        engine.store().attempts(id).unwrap().len(),
        5,
        "five answers, none doubled"
    );
    // The button message was edited to show the choice, once (the double click is not shown).
    let edits: Vec<String> = fake
        .calls()
        .iter()
        .filter(|c| c.method == "editMessageText")
        .map(text_of)
        .collect();
    assert_eq!(edits.len(), buttons, "{edits:?}");
    assert!(
        edits.iter().all(|t| t.contains("Your answer: B")),
        "{edits:?}"
    );

    fake.push_text(ANN, "Ann", "/stats");
    wait_text(&fake, ANN, "Your progress").await;
    // Ann blocks the bot: the 403 on the reply marks her inactive; writing again revives her.
    fake.block(ANN);
    fake.push_text(ANN, "Ann", "/stats");
    let inactive = || {
        engine
            .store()
            .learner(id)
            .unwrap()
            .is_some_and(|l| l.inactive)
    };
    let deadline = std::time::Instant::now() + WAIT;
    while !inactive() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(inactive(), "a 403 on a reply marks the learner inactive");
    fake.unblock(ANN);
    fake.push_text(ANN, "Ann", "/mydata");
    assert!(
        fake.wait_for(WAIT, |c| c
            .iter()
            .any(|c| c.method == "sendDocument" && c.chat_id == Some(ANN)))
            .await
    );
    assert!(!inactive(), "a learner who writes again is active");

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
        engine.store().attempts(id).unwrap().len(),
        5,
        "stray input recorded nothing"
    );
    fake.push_text(ANN, "Ann", "/forget confirm");
    wait_text(&fake, ANN, "everything stored about you has been deleted").await;
    assert!(engine.store().learner(id).unwrap().is_none());
    assert!(engine.store().attempts(id).unwrap().is_empty());
    running.stop().await;
}

fn learners(engine: &Engine, n: i64) {
    let now = "2026-11-23T08:00:00Z".parse().unwrap();
    for i in 0..n {
        let (mut l, _) = engine
            .store()
            .learner_for_account(&format!("telegram:{}", 1000 + i), "L", now)
            .unwrap();
        l.standards = vec!["HSCCLD222".into()];
        engine.store().put_learner(&l).unwrap();
    }
    engine.store().durable().unwrap();
}

/// The most of `times` in any window of `window`.
fn most_in_window(mut times: Vec<Instant>, window: Duration) -> usize {
    times.sort();
    let mut most = 0;
    let mut first = 0;
    for last in 0..times.len() {
        while times[last] - times[first] >= window {
            first += 1;
        }
        most = most.max(last - first + 1);
    }
    most
}

/// How much later than teloxide's throttle releases them the fake may see calls arrive: the
/// throttle counts a call when it lets it go, and releases a second's allowance (30) at once;
/// the HTTP requests of one such burst reach the server spread over a few milliseconds (15 ms
/// measured on two cores), so the tail of one burst and the head of the next can fall in one
/// 1-second window at the server. Measured there, 38 to 40 sends fell in a 1-second window.
const ARRIVAL_SPREAD: Duration = Duration::from_millis(100);

/// Checks Telegram's flood limits on the sending calls the fake received (accepted or
/// refused: a refused call still counts against the bot): at most 30 a second overall and one
/// a second per chat, as the throttle releases them, that is over windows of one second less
/// [`ARRIVAL_SPREAD`] at the server. Returns the most sends seen in a full second at the
/// server, overall and in one chat.
fn assert_flood_limits(fake: &FakeTelegram) -> (usize, usize) {
    let sends: Vec<Attempt> = fake
        .attempts()
        .into_iter()
        .filter(|a| a.method.starts_with("send"))
        .collect();
    let second = Duration::from_secs(1);
    let window = second - ARRIVAL_SPREAD;
    let times = || sends.iter().map(|a| a.at).collect::<Vec<_>>();
    let mut by_chat: HashMap<i64, Vec<Instant>> = HashMap::new();
    for a in &sends {
        if let Some(c) = a.chat_id {
            by_chat.entry(c).or_default().push(a.at);
        }
    }
    let most_to_a_chat = |window| {
        by_chat
            .iter()
            .map(|(c, t)| (most_in_window(t.clone(), window), *c))
            .max()
            .unwrap_or((0, 0))
    };
    let overall = most_in_window(times(), window);
    assert!(
        overall <= 30,
        "{overall} sending calls within {window:?} (limit 30 a second)"
    );
    let (per_chat, chat) = most_to_a_chat(window);
    assert!(
        per_chat <= 1,
        "{per_chat} sending calls to chat {chat} within {window:?} (limit 1 a second)"
    );
    (most_in_window(times(), second), most_to_a_chat(second).0)
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
            .store()
            .learner_by_account(&format!("telegram:{chat}"))
            .unwrap()
            .unwrap()
            .id
    };
    engine
        .store()
        .put_prompted(
            id_of(1002),
            &Prompted {
                day: today,
                sent: false,
            },
        )
        .unwrap();
    engine
        .store()
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
    assert!(
        engine
            .store()
            .learner(id_of(1000))
            .unwrap()
            .unwrap()
            .inactive
    );
    // Every fault was met and got past.
    assert!(fake.failed() >= 7);
    // Within Telegram's flood limits throughout, retries included.
    let (overall, per_chat) = assert_flood_limits(&fake);
    eprintln!(
        "most sending calls in one second at the server: {overall} overall, {per_chat} to one chat"
    );
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

/// The `n`th message with answer buttons sent to `chat` (waiting for it), and its buttons'
/// callback data.
async fn button_question(fake: &FakeTelegram, chat: i64, n: usize) -> (Call, Vec<String>) {
    let buttons = |c: &Call| -> Option<Vec<String>> {
        let data: Vec<String> = c.body["reply_markup"]["inline_keyboard"][0]
            .as_array()?
            .iter()
            .filter_map(|b| b["callback_data"].as_str().map(str::to_string))
            .collect();
        data.first()
            .is_some_and(|d| d.starts_with("a:"))
            .then_some(data)
    };
    let found = |calls: &[Call]| {
        calls
            .iter()
            .filter(|c| c.chat_id == Some(chat) && c.method == "sendMessage")
            .filter_map(|c| buttons(c).map(|b| (c.clone(), b)))
            .nth(n)
    };
    assert!(
        fake.wait_for(WAIT, |c| found(c).is_some()).await,
        "no question {n} with buttons"
    );
    found(&fake.calls()).unwrap()
}

/// The delivery a button answers (`a:<delivery>:<option>`).
fn delivery_of(data: &str) -> String {
    data.split(':').nth(1).unwrap_or_default().to_string()
}

/// Presses on old or repeated answer buttons: only an answer the engine records is shown on
/// the question, and the learner is told what became of the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_and_repeated_answer_buttons_never_show_an_unrecorded_choice() {
    let fake = FakeTelegram::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (engine, _clock) = engine_with_buttons(dir.path(), |_| true);
    let running = start_bot(&engine, &fake).await;
    fake.push_text(ANN, "Ann", "/start");
    wait_text(&fake, ANN, "Welcome, Ann!").await;
    fake.push_text(ANN, "Ann", "/enrol HSCCLD352");
    wait_text(&fake, ANN, "you're now studying HSCCLD352").await;
    // The first standard starts today's quiz at once.
    let (q1, b1) = button_question(&fake, ANN, 0).await;
    let d1 = delivery_of(&b1[1]);

    // A double press, B then A: B is recorded and shown, A is neither.
    fake.push_callback(ANN, "Ann", &q1.result, &b1[1]);
    fake.push_callback(ANN, "Ann", &q1.result, &b1[0]);
    wait_text(&fake, ANN, "You've already answered that one (B").await;
    let (q2, b2) = button_question(&fake, ANN, 1).await;
    let d2 = delivery_of(&b2[0]);
    assert_ne!(d1, d2);

    // Extra practice replaces the daily quiz: the second question's buttons are old now.
    fake.push_text(ANN, "Ann", "/practice");
    wait_text(&fake, ANN, "Extra practice").await;
    button_question(&fake, ANN, 2).await;
    fake.push_callback(ANN, "Ann", &q2.result, &b2[2]);
    wait_text(&fake, ANN, "That question is no longer open").await;
    // A well-formed button for a question the store never sent.
    let (learner_part, _) = d2.split_once('-').unwrap();
    let never = format!("a:{learner_part}-0fffffffffffffff:1");
    fake.push_callback(ANN, "Ann", &q2.result, &never);
    wait_text(&fake, ANN, "I can't find that question").await;

    assert!(
        fake.wait_for(WAIT, |c| c
            .iter()
            .filter(|c| c.method == "answerCallbackQuery")
            .count()
            == 4)
            .await,
        "every press answered"
    );
    let edits: Vec<Call> = fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "editMessageText")
        .collect();
    assert_eq!(
        edits.len(),
        1,
        "only the recorded answer is shown: {edits:#?}"
    );
    assert_eq!(edits[0].body["message_id"], q1.result["message_id"]);
    assert!(text_of(&edits[0]).ends_with("Your answer: B"), "{edits:#?}");

    let id = engine
        .store()
        .learner_by_account(&format!("telegram:{ANN}"))
        .unwrap()
        .unwrap()
        .id;
    let attempts = engine.store().attempts(id).unwrap();
    let of = |d: &str| {
        attempts
            .iter()
            .filter(|a| a.delivery == d)
            .map(|a| a.option)
            .collect::<Vec<_>>()
    };
    let shown_at_b = engine.store().delivery(&d1).unwrap().unwrap().order_for(4)[1];
    assert_eq!(
        of(&d1),
        vec![shown_at_b],
        "one answer to the first question: B"
    );
    assert!(
        of(&d2).is_empty(),
        "nothing recorded for the closed question"
    );
    assert_eq!(attempts.len(), 1);
    running.stop().await;
}

/// `t.me/<bot>?start=<code>` opens the chat and sends `/start <code>`: the learner joins the
/// tutor's cohort straight away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_link_start_code_joins_the_cohort() {
    const TUTOR: i64 = 222;
    const BEA: i64 = 333;
    const CAL: i64 = 444;
    let fake = FakeTelegram::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (engine, _clock) = engine(dir.path());
    let running = start_bot(&engine, &fake).await;
    fake.push_text(TUTOR, "Tess", "/start");
    wait_text(&fake, TUTOR, "Welcome, Tess!").await;
    fake.push_text(TUTOR, "Tess", "/cohort create Tuesday group : HSCCLD352");
    let created = text_of(&wait_text(&fake, TUTOR, "Learners join with the code").await);
    let code = created
        .split("with the code ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 6, "{created}");

    fake.push_text(BEA, "Bea", &format!("/start {code}"));
    wait_text(&fake, BEA, "Welcome, Bea!").await;
    wait_text(&fake, BEA, "You've joined Tuesday group").await;
    let bea = engine
        .store()
        .learner_by_account(&format!("telegram:{BEA}"))
        .unwrap()
        .unwrap();
    assert_eq!(bea.cohorts, vec![code.clone()]);
    assert!(bea.standards.contains(&"HSCCLD352".to_string()));
    assert!(
        engine
            .store()
            .cohort_members(&code)
            .unwrap()
            .contains(&bea.id)
    );

    // A code that is no cohort's welcomes and says so, joining nothing.
    fake.push_text(CAL, "Cal", "/start ZZZZZZ");
    wait_text(&fake, CAL, "couldn't find a cohort with the code ZZZZZZ").await;
    let cal = engine
        .store()
        .learner_by_account(&format!("telegram:{CAL}"))
        .unwrap()
        .unwrap();
    assert!(cal.cohorts.is_empty());
    assert_eq!(engine.store().cohort_members(&code).unwrap(), vec![bea.id]);
    running.stop().await;
}

/// A push stopped part way (the process dies, the server stops answering) leaves every
/// prompt Telegram accepted recorded as sent: the next tick sends only the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_stopped_part_way_sends_each_prompt_once_after_restart() {
    const N: i64 = 60;
    const BEFORE_HANG: usize = 20;
    let fake = FakeTelegram::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (engine, _clock) = common::engine_at(dir.path(), "2026-11-23T20:30:00Z");
    let engine = Arc::new(engine);
    learners(&engine, N);
    let running = start_bot(&engine, &fake).await;
    fake.hang_after(BEFORE_HANG);
    let daily = DailyPrompts::new(running.app.clone());
    let push = tokio::spawn(async move { daily.tick().await });
    let prompted = |calls: &[Call]| {
        calls
            .iter()
            .filter(|c| text_of(c).contains("daily quiz is ready"))
            .count()
    };
    assert!(
        fake.wait_for(WAIT, |c| prompted(c) == BEFORE_HANG).await,
        "the first prompts go out"
    );
    // Give the accepted prompts time to be recorded (they are, at once, when it works), then
    // kill the push with the rest in flight.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let recorded = || {
        engine
            .store()
            .learners()
            .filter(|l| {
                l.as_ref().is_ok_and(|l| {
                    engine
                        .store()
                        .prompted(l.id)
                        .ok()
                        .flatten()
                        .is_some_and(|p| p.day == today && p.sent)
                })
            })
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while recorded() < BEFORE_HANG && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !push.is_finished(),
        "the push is still waiting on the server"
    );
    push.abort();
    assert!(push.await.unwrap_err().is_cancelled());
    running.stop().await;
    fake.recover();
    assert_eq!(prompted(&fake.calls()), BEFORE_HANG);

    // The restart: a new bot over the same store.
    let running = start_bot(&engine, &fake).await;
    let report = DailyPrompts::new(running.app.clone()).tick().await.unwrap();
    eprintln!("after the restart: {report:?}");
    for chat in 1000..1000 + N {
        assert_eq!(prompts_to(&fake, chat), 1, "chat {chat}");
    }
    assert_eq!(report.sent as i64, N - BEFORE_HANG as i64);
    running.stop().await;
}

/// A new learner is offered the standards as buttons; one press enrols them and the first
/// question follows at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_learner_picks_a_standard_by_button_and_gets_a_question() {
    let fake = FakeTelegram::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (engine, _clock) = engine_with_buttons(dir.path(), |_| true);
    let running = start_bot(&engine, &fake).await;
    fake.push_text(ANN, "Ann", "/start");
    let offer = wait_text(&fake, ANN, "Which standard are you working towards?").await;
    let data: Vec<String> = offer.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| row[0]["callback_data"].as_str().map(str::to_string))
        .collect();
    assert_eq!(data.len(), 5, "{data:?}");
    let pick = data.iter().find(|d| d.ends_with("HSCCLD352")).unwrap();
    fake.push_callback(ANN, "Ann", &offer.result, pick);
    wait_text(&fake, ANN, "you're now studying HSCCLD352").await;
    button_question(&fake, ANN, 0).await;
    running.stop().await;
}

/// Webhook mode: the bot asks Telegram (the fake) for a webhook with the secret, serves the
/// updates posted to it, and refuses a post without the secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_checks_the_secret_token() {
    let fake = FakeTelegram::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (engine, _clock) = engine(dir.path());
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/telegram");
    let running = telegram::start_with(
        engine.clone(),
        &Secret::new("123:TEST"),
        Some(&fake.url()),
        None,
        Some(telegram::Webhook {
            url: url.parse().unwrap(),
            listen: format!("127.0.0.1:{port}").parse().unwrap(),
            secret: Secret::new("s3cret-token"),
        }),
    )
    .await
    .unwrap();
    let set = fake
        .calls()
        .into_iter()
        .find(|c| c.method == "setWebhook")
        .expect("setWebhook called");
    assert_eq!(set.body["url"], url.as_str());
    assert_eq!(set.body["secret_token"], "s3cret-token");
    let update = |id: i64| {
        serde_json::json!({"update_id": id, "message": {
            "message_id": id, "date": 1_790_000_000,
            "chat": {"id": ANN, "type": "private", "first_name": "Ann"},
            "from": {"id": ANN, "is_bot": false, "first_name": "Ann"},
            "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]
        }})
    };
    let http = reqwest::Client::new();
    // The listener binds in its own task: wait until it takes connections.
    for _ in 0..250 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Without the secret (or with another one): refused, nothing answered.
    for secret in [None, Some("guess")] {
        let mut req = http.post(&url).json(&update(1));
        if let Some(s) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 401, "secret {secret:?}");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        fake.sent_to(ANN, "sendMessage").is_empty(),
        "an unauthorised update was served"
    );
    // With it: served.
    let resp = http
        .post(&url)
        .header("X-Telegram-Bot-Api-Secret-Token", "s3cret-token")
        .json(&update(2))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    wait_text(&fake, ANN, "Welcome, Ann!").await;
    running.stop().await;
}

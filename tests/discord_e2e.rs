//! The Discord adapter end to end: real serenity (REST client and gateway shard) against a
//! local fake of Discord's REST API and gateway on 127.0.0.1, driven by interactions shaped as
//! Discord sends them. A tutor creates a cohort and runs a live quiz; learners click (right,
//! wrong, twice, after the question closed); time-up is reached by moving the engine's clock;
//! the tutor stops a quiz, a restart ends another, and the results come out as an export.

mod common;

use std::sync::Arc;
use std::time::Duration;

use ksbquiz::adapters::discord::{self, Options};
use ksbquiz::config::Secret;
use ksbquiz::engine::{Engine, Input};
use ksbquiz::testkit::discord::{Call, FakeDiscord, payload};
use serde_json::{Value, json};

const GUILD: u64 = 700_000_000_000_000_001;
const ROOM: u64 = 700_000_000_000_000_010;
const OTHER_ROOM: u64 = 700_000_000_000_000_011;
const TUTOR: u64 = 800_000_000_000_000_001;
const ANN: u64 = 800_000_000_000_000_002;
const BEN: u64 = 800_000_000_000_000_003;
const ROLE_TUTOR: u64 = 600_000_000_000_000_001;
const MANAGE_GUILD: u64 = 1 << 5;
const WAIT: Duration = Duration::from_secs(30);

fn tutor() -> Value {
    payload::member(TUTOR, "Tess Tutor", MANAGE_GUILD, &[])
}

fn learner(id: u64, name: &str) -> Value {
    payload::member(id, name, 0, &[])
}

fn content(c: &Call) -> String {
    c.body["data"]["content"]
        .as_str()
        .or(c.body["content"].as_str())
        .unwrap_or("")
        .to_string()
}

/// The bank question a message shows (by its stem and options).
fn shown(engine: &ksbquiz::engine::Engine, text: &str) -> ksbquiz::bank::Question {
    engine
        .bank
        .files()
        .iter()
        .flat_map(|f| &f.questions)
        .find(|q| text.contains(&q.stem) && q.options.iter().all(|o| text.contains(o)))
        .cloned()
        .unwrap_or_else(|| panic!("no bank question in {text}"))
}

fn private(c: &Call) -> bool {
    c.body["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0
}

/// Sends an interaction and waits for the bot's answer to it.
async fn ask(fake: &FakeDiscord, interaction: Value) -> Call {
    let id: u64 = interaction["id"].as_str().unwrap().parse().unwrap();
    fake.interact(interaction);
    let prefix = format!("/interactions/{id}/");
    assert!(
        fake.wait_for(WAIT, |calls| calls
            .iter()
            .any(|c| c.path.starts_with(&prefix)))
            .await,
        "no answer to interaction {id}"
    );
    fake.callbacks(id).remove(0)
}

fn slash(id: u64, channel: u64, member: Value, name: &str, options: Value) -> Value {
    payload::command(id, GUILD, channel, member, name, options)
}

fn cohort_create(id: u64, member: Value, name: &str, standards: &str) -> Value {
    slash(
        id,
        ROOM,
        member,
        "cohort",
        json!([{"type": 1, "name": "create", "options": [
            {"type": 3, "name": "name", "value": name},
            {"type": 3, "name": "standards", "value": standards}]}]),
    )
}

/// The learner a Discord user became.
fn learner_of(engine: &Engine, user: u64) -> ksbquiz::store::Learner {
    engine
        .store()
        .learner_by_account(&format!("discord:{user}"))
        .unwrap()
        .expect("a learner for the Discord user")
}

fn quiz_start(id: u64, channel: u64, member: Value, opts: Value) -> Value {
    slash(
        id,
        channel,
        member,
        "quiz",
        json!([{"type": 1, "name": "start", "options": opts}]),
    )
}

/// Channel messages posted in `channel`, in order.
fn posts(fake: &FakeDiscord, channel: u64) -> Vec<Call> {
    let path = format!("/channels/{channel}/messages");
    fake.calls()
        .into_iter()
        .filter(|c| c.method == "POST" && c.path == path)
        .collect()
}

async fn wait_post(fake: &FakeDiscord, channel: u64, needle: &str) -> Call {
    let path = format!("/channels/{channel}/messages");
    assert!(
        fake.wait_for(WAIT, |calls| calls.iter().any(|c| c.method == "POST"
            && c.path == path
            && content(c).contains(needle)))
            .await,
        "nothing containing {needle:?} was posted in {channel}"
    );
    posts(fake, channel)
        .into_iter()
        .rfind(|c| content(c).contains(needle))
        .unwrap()
}

/// The button ids of a posted question.
fn button_ids(c: &Call) -> Vec<String> {
    c.body["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// The message id the fake gave a post: its answer is not kept, so find it by order.
fn message_id_of(fake: &FakeDiscord, post: &Call) -> u64 {
    // The fake numbers responses 1,000,000 + the call's position.
    let n = fake
        .calls()
        .iter()
        .position(|c| c.at == post.at && c.path == post.path)
        .unwrap();
    1_000_001 + n as u64
}

async fn start_bot(engine: &Arc<Engine>, fake: &FakeDiscord) -> discord::Running {
    let before = fake.identified();
    let running = discord::start(
        engine.clone(),
        &Secret::new("fake.discord.token"),
        Some(&fake.url()),
        Options {
            tutor_role: Some("Tutors".into()),
            between_questions: Duration::from_millis(50),
        },
    )
    .await
    .unwrap();
    for _ in 0..300 {
        if fake.identified() > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(fake.identified() > before, "serenity never identified");
    running
}

fn answer_of(running: &discord::Running, channel: u64) -> (String, usize, usize) {
    let quizzes = running.app.quizzes_in(channel).unwrap();
    let (index, ..) = quizzes.open().unwrap();
    (quizzes.id.clone(), index, quizzes.questions[index].answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tutor_runs_a_live_quiz_through_serenity() {
    let dir = tempfile::tempdir().unwrap();
    let (e, clock) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let engine = Arc::new(e);
    let fake = FakeDiscord::start().await.unwrap();
    fake.set_roles(vec![(ROLE_TUTOR, "Tutors")]);
    let bot = start_bot(&engine, &fake).await;

    // The slash commands were registered for the application.
    assert!(
        fake.wait_for(WAIT, |calls| calls.iter().any(|c| c.method == "PUT"
            && c.path.ends_with("/commands")
            && c.body
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["name"] == "quiz"))))
            .await
    );

    // The tutor creates a cohort; the reply is private and carries the join code.
    let created = ask(
        &fake,
        cohort_create(1, tutor(), "Tuesday group", "HSCCLD222"),
    )
    .await;
    assert!(private(&created));
    let tutor_learner = learner_of(&engine, TUTOR);
    let cohort = engine
        .store()
        .cohorts()
        .filter_map(Result::ok)
        .find(|c| c.tutor == tutor_learner.id)
        .unwrap();
    assert!(
        content(&created).contains(&cohort.code),
        "{}",
        content(&created)
    );

    // A learner without the role is refused, privately.
    let refused = ask(&fake, quiz_start(2, ROOM, learner(ANN, "Ann"), json!([]))).await;
    assert!(private(&refused));
    assert!(
        content(&refused).contains("Only tutors"),
        "{}",
        content(&refused)
    );
    assert!(bot.app.quizzes_in(ROOM).is_none());

    // A bad item range is explained.
    let bad = ask(
        &fake,
        quiz_start(
            3,
            ROOM,
            tutor(),
            json!([{"type": 3, "name": "items", "value": "K9-K2"}]),
        ),
    )
    .await;
    assert!(
        content(&bad).contains("range such as K1-K10"),
        "{}",
        content(&bad)
    );

    // The tutor starts a two-question quiz on K1-K5.
    let started = ask(
        &fake,
        quiz_start(
            4,
            ROOM,
            tutor(),
            json!([{"type": 3, "name": "items", "value": "K1-K5"},
                   {"type": 4, "name": "questions", "value": 2},
                   {"type": 4, "name": "seconds", "value": 20}]),
        ),
    )
    .await;
    assert!(!private(&started));
    assert!(
        content(&started).contains("2 questions"),
        "{}",
        content(&started)
    );
    let q1 = wait_post(&fake, ROOM, "Question 1 of 2").await;
    assert!(
        content(&q1).contains("<t:"),
        "a live countdown: {}",
        content(&q1)
    );
    let ids = button_ids(&q1);
    assert_eq!(ids.len(), 4);
    let (quiz, index, right) = answer_of(&bot, ROOM);
    assert_eq!(index, 0);
    let wrong = (right + 1) % 4;
    let q1_msg = message_id_of(&fake, &q1);

    // Ann answers right at once, Ben wrongly after 10 s; Ann's second click does not count.
    let click = |id: u64, who: Value, option: usize| {
        payload::button(
            id,
            GUILD,
            ROOM,
            who,
            &format!("live:{quiz}:0:{option}"),
            q1_msg,
        )
    };
    let a1 = ask(&fake, click(10, learner(ANN, "Ann"), right)).await;
    assert!(private(&a1));
    assert!(content(&a1).contains("locked in"), "{}", content(&a1));
    assert!(
        content(&a1).contains("Welcome to the quiz"),
        "{}",
        content(&a1)
    );
    clock.advance(chrono::Duration::seconds(10));
    let b1 = ask(&fake, click(11, learner(BEN, "Ben"), wrong)).await;
    assert!(content(&b1).contains("locked in"));
    let again = ask(&fake, click(12, learner(ANN, "Ann"), wrong)).await;
    assert!(private(&again));
    assert!(
        content(&again).contains("first answer counts"),
        "{}",
        content(&again)
    );

    // Time up: the question's message shows the answer and the tally; a leaderboard follows.
    clock.advance(chrono::Duration::seconds(11));
    let patched = format!("/channels/{ROOM}/messages/{q1_msg}");
    assert!(
        fake.wait_for(WAIT, |calls| calls
            .iter()
            .any(|c| c.method == "PATCH" && c.path == patched))
            .await
    );
    let result = fake
        .calls()
        .into_iter()
        .rfind(|c| c.method == "PATCH" && c.path == patched)
        .unwrap();
    let text = content(&result);
    assert!(text.contains(&format!(
        "The answer was **{}**",
        ksbquiz::engine::letter(right)
    )));
    assert!(text.contains("1 of 2 answered it right"), "{text}");
    assert!(button_ids(&result).is_empty(), "buttons removed at time-up");
    // Under each option, why it is right or falls short.
    let bq = shown(&engine, &text);
    for i in 0..bq.options.len() {
        assert!(text.contains(bq.why(i).unwrap()), "{text}");
    }
    let board = wait_post(&fake, ROOM, "Leaderboard").await;
    let board = content(&board);
    // Ann: instant and right, 1,000 points; Ben: wrong, 0.
    assert!(board.contains("1. Ann: 1000 points"), "{board}");
    assert!(board.contains("2. Ben: 0 points"), "{board}");

    // A click on the closed question's old button is told so.
    let late = ask(&fake, click(13, learner(BEN, "Ben"), right)).await;
    assert!(content(&late).contains("closed"), "{}", content(&late));

    // Question 2 opens; the tutor stops the quiz; the podium and weakest items follow.
    wait_post(&fake, ROOM, "Question 2 of 2").await;
    let stop = ask(
        &fake,
        slash(
            20,
            ROOM,
            tutor(),
            "quiz",
            json!([{"type": 1, "name": "stop", "options": []}]),
        ),
    )
    .await;
    assert!(private(&stop));
    let podium = content(&wait_post(&fake, ROOM, "The quiz is over").await);
    assert!(podium.contains("stopped by the tutor"), "{podium}");
    assert!(podium.contains("🥇 Ann: 1000 points"), "{podium}");
    assert!(podium.contains("To go over again"), "{podium}");

    // The answers are in each learner's record and schedule, once each; both joined the cohort.
    for (id, right_answer) in [(ANN, true), (BEN, false)] {
        let l = learner_of(&engine, id);
        let attempts = engine.store().attempts(l.id).unwrap();
        assert_eq!(attempts.len(), 1, "one attempt for {id}");
        assert_eq!(attempts[0].correct, right_answer);
        assert_eq!(attempts[0].platform, "discord");
        assert_eq!(attempts[0].mode, ksbquiz::store::Mode::Cohort);
        assert!(
            engine
                .store()
                .srs(l.id, &attempts[0].item)
                .unwrap()
                .is_some()
        );
        assert!(l.cohorts.contains(&cohort.code));
    }

    // /quiz leaderboard after the end shows the final standings.
    let lb = ask(
        &fake,
        slash(
            21,
            ROOM,
            learner(BEN, "Ben"),
            "quiz",
            json!([{"type": 1, "name": "leaderboard", "options": []}]),
        ),
    )
    .await;
    assert!(
        content(&lb).contains("Ann: 1000 points"),
        "{}",
        content(&lb)
    );

    // The tutor's export: deferred, then a follow-up with the files attached. By default one
    // XLSX workbook; as CSV for a range, the three views as three files.
    let followups = |fake: &FakeDiscord| -> Vec<Call> {
        fake.calls()
            .into_iter()
            .filter(|c| c.path.starts_with("/webhooks/") && !c.files.is_empty())
            .collect()
    };
    let export = ask(
        &fake,
        slash(
            30,
            ROOM,
            tutor(),
            "export",
            json!([{"type": 3, "name": "cohort", "value": cohort.code}]),
        ),
    )
    .await;
    assert_eq!(export.body["type"], 5, "deferred");
    assert!(
        fake.wait_for(WAIT, |calls| calls
            .iter()
            .any(|c| c.path.starts_with("/webhooks/") && !c.files.is_empty()))
            .await
    );
    let follow = followups(&fake).remove(0);
    assert_eq!(follow.files.len(), 1);
    let (name, xlsx) = &follow.files[0];
    assert_eq!(name, &format!("{}-results.xlsx", cohort.code));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.clone()))
        .expect("the attachment arrives as a whole XLSX workbook");
    assert!(zip.by_name("xl/worksheets/sheet3.xml").is_ok());
    let today = engine.now().date_naive().to_string();
    let export = ask(
        &fake,
        slash(
            32,
            ROOM,
            tutor(),
            "export",
            json!([{"type": 3, "name": "cohort", "value": cohort.code},
                   {"type": 3, "name": "from", "value": today},
                   {"type": 3, "name": "format", "value": "csv"}]),
        ),
    )
    .await;
    assert_eq!(export.body["type"], 5, "deferred");
    assert!(
        fake.wait_for(WAIT, |calls| calls
            .iter()
            .filter(|c| c.path.starts_with("/webhooks/") && !c.files.is_empty())
            .count()
            == 2)
            .await
    );
    let follow = followups(&fake).remove(1);
    let names: Vec<&str> = follow.files.iter().map(|f| f.0.as_str()).collect();
    let stem = format!("{}-from-{today}", cohort.code);
    assert_eq!(
        names,
        [
            format!("{stem}-items.csv"),
            format!("{stem}-learners.csv"),
            format!("{stem}-questions.csv")
        ]
    );
    let csv = String::from_utf8(follow.files[0].1.clone()).unwrap();
    assert!(csv.starts_with("\u{feff}standard,"), "{csv}");
    assert!(csv.contains("HSCCLD222/K"), "{csv}");
    // A learner may not export.
    let no = ask(
        &fake,
        slash(
            31,
            ROOM,
            learner(BEN, "Ben"),
            "export",
            json!([{"type": 3, "name": "cohort", "value": cohort.code}]),
        ),
    )
    .await;
    assert!(content(&no).contains("Only tutors"));

    bot.stop().await;
    let _ = engine.store().durable();
    drop(clock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quizzes_run_in_two_channels_and_a_restart_ends_them_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (e, clock) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let engine = Arc::new(e);
    let fake = FakeDiscord::start().await.unwrap();
    fake.set_roles(vec![(ROLE_TUTOR, "Tutors")]);
    let bot = start_bot(&engine, &fake).await;
    // A tutor by role (not Manage Server) creates a cohort and runs quizzes in two channels.
    let by_role = || payload::member(TUTOR, "Tess Tutor", 0, &[ROLE_TUTOR]);
    ask(
        &fake,
        cohort_create(1, by_role(), "Group", "HSCCLD222 HSCCLD352"),
    )
    .await;
    for (id, room, std) in [(2, ROOM, "HSCCLD222"), (3, OTHER_ROOM, "HSCCLD352")] {
        let r = ask(
            &fake,
            quiz_start(
                id,
                room,
                by_role(),
                json!([{"type": 3, "name": "standard", "value": std},
                                                   {"type": 4, "name": "questions", "value": 3}]),
            ),
        )
        .await;
        assert!(content(&r).contains("starting"), "{}", content(&r));
        wait_post(&fake, room, "Question 1 of 3").await;
    }
    // A second quiz in a busy channel is refused.
    let busy = ask(&fake, quiz_start(4, ROOM, by_role(), json!([]))).await;
    assert!(
        content(&busy).contains("already running"),
        "{}",
        content(&busy)
    );

    // Ann answers in the first room; then the bot goes down mid-question.
    let (quiz, _, right) = answer_of(&bot, ROOM);
    let q1 = wait_post(&fake, ROOM, "Question 1 of 3").await;
    let q1_msg = message_id_of(&fake, &q1);
    let a = ask(
        &fake,
        payload::button(
            40,
            GUILD,
            ROOM,
            learner(ANN, "Ann"),
            &format!("live:{quiz}:0:{right}"),
            q1_msg,
        ),
    )
    .await;
    assert!(content(&a).contains("locked in"));
    bot.stop().await;

    // On restart each channel is told its quiz ended; the old buttons are removed.
    let bot = start_bot(&engine, &fake).await;
    for room in [ROOM, OTHER_ROOM] {
        let said = content(&wait_post(&fake, room, "ended by a restart").await);
        assert!(said.contains("after 1 of 3 questions"), "{said}");
    }
    assert!(fake.calls().iter().any(|c| c.method == "PATCH"
        && c.path == format!("/channels/{ROOM}/messages/{q1_msg}")
        && button_ids(c).is_empty()));
    // Ann's answer is kept; a click on the dead quiz's button is told it closed.
    let ann = learner_of(&engine, ANN);
    assert_eq!(engine.store().attempts(ann.id).unwrap().len(), 1);
    let stale = ask(
        &fake,
        payload::button(
            41,
            GUILD,
            ROOM,
            learner(ANN, "Ann"),
            &format!("live:{quiz}:0:{right}"),
            q1_msg,
        ),
    )
    .await;
    assert!(content(&stale).contains("closed"));
    assert_eq!(engine.store().attempts(ann.id).unwrap().len(), 1);
    // A new quiz can start in the channel again.
    let again = ask(
        &fake,
        quiz_start(
            42,
            ROOM,
            by_role(),
            json!([{"type": 4, "name": "questions", "value": 1}]),
        ),
    )
    .await;
    assert!(content(&again).contains("starting"), "{}", content(&again));
    bot.stop().await;
    drop(clock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn practice_stats_and_linking_with_telegram() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _clock) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let engine = Arc::new(e);
    // Ann already uses Telegram, enrolled in a standard.
    common::enrolled(&engine, "telegram:555", "HSCCLD222");
    let fake = FakeDiscord::start().await.unwrap();
    let bot = start_bot(&engine, &fake).await;

    // On Telegram she asks for a link code and uses it on Discord.
    let outs = engine
        .handle(common::who("telegram:555"), Input::Link(None))
        .unwrap();
    let text = common::texts(&outs);
    let code: String = text
        .split_whitespace()
        .find(|w| {
            w.trim_end_matches('.').len() == 6
                && w.trim_end_matches('.').chars().all(|c| c.is_ascii_digit())
        })
        .unwrap()
        .trim_end_matches('.')
        .to_string();
    let linked = ask(
        &fake,
        slash(
            1,
            ROOM,
            learner(ANN, "Ann"),
            "link",
            json!([{"type": 3, "name": "code", "value": code}]),
        ),
    )
    .await;
    assert!(private(&linked));
    assert!(content(&linked).contains("Linked"), "{}", content(&linked));
    let tg = engine
        .store()
        .learner_by_account("telegram:555")
        .unwrap()
        .unwrap();
    let dc = learner_of(&engine, ANN);
    assert_eq!(tg.id, dc.id, "one learner, one history");
    // The code is single-use.
    let reuse = ask(
        &fake,
        slash(
            2,
            ROOM,
            learner(BEN, "Ben"),
            "link",
            json!([{"type": 3, "name": "code", "value": code}]),
        ),
    )
    .await;
    assert!(
        content(&reuse).contains("isn't valid"),
        "{}",
        content(&reuse)
    );

    // /practice: her own questions, privately, with answer buttons; a click gets feedback.
    let p = ask(
        &fake,
        slash(3, ROOM, learner(ANN, "Ann"), "practice", json!([])),
    )
    .await;
    assert!(private(&p));
    let ids = button_ids(&Call {
        body: p.body["data"].clone(),
        ..p.clone()
    });
    assert!(!ids.is_empty(), "practice question has buttons: {}", p.body);
    let bq = shown(&engine, &content(&p));
    // Button A is the option shown first: each delivery shows its options in an order of
    // its own.
    let text = content(&p);
    let first = (0..bq.options.len())
        .min_by_key(|&i| text.find(&bq.options[i]).unwrap())
        .unwrap();
    let fb = ask(
        &fake,
        payload::button(4, GUILD, ROOM, learner(ANN, "Ann"), &ids[0], 1),
    )
    .await;
    assert!(private(&fb));
    // Why her choice (A) is right or falls short, and why the key is right.
    let said = content(&fb);
    assert!(said.contains(bq.why(first).unwrap()), "{said}");
    assert!(said.contains(bq.why(bq.answer).unwrap()), "{said}");
    let again = ask(
        &fake,
        payload::button(5, GUILD, ROOM, learner(ANN, "Ann"), &ids[0], 1),
    )
    .await;
    assert!(content(&again).contains("already"), "{}", content(&again));
    let attempts = engine.store().attempts(tg.id).unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(
        attempts[0].option, first,
        "the option shown at A is recorded"
    );
    // Her due questions come first: today's quiz, which feeds her schedule.
    assert_eq!(attempts[0].mode, ksbquiz::store::Mode::Daily);
    assert!(
        engine
            .store()
            .srs(tg.id, &attempts[0].item)
            .unwrap()
            .is_some()
    );
    // Ben's click on Ann's button is refused.
    let theirs = ask(
        &fake,
        payload::button(6, GUILD, ROOM, learner(BEN, "Ben"), &ids[0], 1),
    )
    .await;
    assert!(private(&theirs));
    assert_eq!(engine.store().attempts(tg.id).unwrap().len(), 1);

    // /stats shows her progress, privately.
    let st = ask(
        &fake,
        slash(7, ROOM, learner(ANN, "Ann"), "stats", json!([])),
    )
    .await;
    assert!(private(&st));
    assert!(!content(&st).is_empty());

    // /mydata: her record as a private file; /forget asks first, then deletes everything.
    let md = ask(
        &fake,
        slash(8, ROOM, learner(ANN, "Ann"), "mydata", json!([])),
    )
    .await;
    assert_eq!(md.files.len(), 1, "the data file is attached");
    let data = String::from_utf8_lossy(&md.files[0].1);
    assert!(data.contains("\"attempts\""), "{data}");
    assert!(
        md.body["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0,
        "private: {}",
        md.body
    );
    let ask_first = ask(
        &fake,
        slash(9, ROOM, learner(ANN, "Ann"), "forget", json!([])),
    )
    .await;
    assert!(
        content(&ask_first).contains("can't be undone"),
        "{}",
        content(&ask_first)
    );
    assert!(engine.store().learner(tg.id).unwrap().is_some());
    let gone = ask(
        &fake,
        slash(
            10,
            ROOM,
            learner(ANN, "Ann"),
            "forget",
            json!([{"type": 5, "name": "confirm", "value": true}]),
        ),
    )
    .await;
    assert!(private(&gone));
    assert!(engine.store().learner(tg.id).unwrap().is_none());
    assert!(engine.store().attempts(tg.id).unwrap().is_empty());
    // Asking for the data of someone never seen creates nothing.
    let never = ask(
        &fake,
        slash(11, ROOM, learner(BEN + 100, "Cy"), "mydata", json!([])),
    )
    .await;
    assert!(never.files.is_empty());
    assert!(
        engine
            .store()
            .learner_by_account(&format!("discord:{}", BEN + 100))
            .unwrap()
            .is_none()
    );
    bot.stop().await;
}

/// A learner new to ksbquiz asks for practice in Discord: the standards come as a select
/// menu, and choosing one brings the first question with its buttons.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_learner_picks_a_standard_from_the_menu() {
    const CAL: u64 = 800_000_000_000_000_009;
    let dir = tempfile::tempdir().unwrap();
    let (e, _clock) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let engine = Arc::new(e);
    let fake = FakeDiscord::start().await.unwrap();
    let bot = start_bot(&engine, &fake).await;
    let offer = ask(
        &fake,
        slash(30, ROOM, learner(CAL, "Cal"), "practice", json!([])),
    )
    .await;
    assert!(private(&offer));
    let menu = &offer.body["data"]["components"][0]["components"][0];
    assert_eq!(menu["type"], 3, "a string select: {}", offer.body);
    assert_eq!(menu["custom_id"], "choose");
    let values: Vec<&str> = menu["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_str().unwrap())
        .collect();
    assert_eq!(values.len(), 5, "{values:?}");
    assert!(values.contains(&"/enrol HSCCLD352"));
    let mut pick = payload::button(31, GUILD, ROOM, learner(CAL, "Cal"), "choose", 1);
    pick["data"]["component_type"] = json!(3);
    pick["data"]["values"] = json!(["/enrol HSCCLD352"]);
    let first = ask(&fake, pick).await;
    assert!(private(&first));
    assert!(content(&first).contains("HSCCLD352"), "{}", content(&first));
    let ids = button_ids(&Call {
        body: first.body["data"].clone(),
        ..first.clone()
    });
    assert!(
        ids.iter().any(|i| i.starts_with("ans:")),
        "the first question's buttons: {}",
        first.body
    );
    bot.stop().await;
}

/// The health check's Discord probe: connected while the gateway session is up, not once
/// Discord's gateway goes away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_probe_sees_the_gateway_go_away() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _clock) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let engine = Arc::new(e);
    let fake = FakeDiscord::start().await.unwrap();
    let bot = start_bot(&engine, &fake).await;
    let probe = bot.probe();
    let mut up = false;
    for _ in 0..500 {
        if probe().await {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(up, "connected once the session is ready");
    fake.set_gateway_down(true);
    let mut down = false;
    for _ in 0..500 {
        if !probe().await {
            down = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(down, "the probe notices the lost gateway");
    // A client reconnecting to a gateway that is gone does not stop promptly; the runtime
    // ends it with the test.
    drop(bot);
}

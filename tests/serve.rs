//! `ksbquiz serve` as an operator runs it: Telegram and Discord side by side in one process
//! over one database (each pointed at a local fake by `TELEGRAM_API_URL` / `DISCORD_API_URL`),
//! a learner served on each, and the tokens never in the logs, even at debug level.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use ksbquiz::testkit::discord::{FakeDiscord, payload};
use ksbquiz::testkit::telegram::FakeTelegram;
use serde_json::json;

const TG_TOKEN: &str = "424242:TG-secret-token-never-logged";
const DC_TOKEN: &str = "MTk4NjIyNDgzNDcxOTI1MjQ4.Gx-secret.never-logged";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_and_discord_run_side_by_side_and_tokens_stay_out_of_the_logs() {
    let tg = FakeTelegram::start().await.unwrap();
    let dc = FakeDiscord::start().await.unwrap();
    let db = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ksbquiz"))
        .arg("--root")
        .arg(common::root())
        .arg("--db")
        .arg(db.path().join("db"))
        .arg("serve")
        .env_remove("KSBQUIZ_ROOT")
        .env("TELEGRAM_BOT_TOKEN", TG_TOKEN)
        .env("TELEGRAM_API_URL", tg.url())
        .env("DISCORD_TOKEN", DC_TOKEN)
        .env("DISCORD_API_URL", dc.url())
        .env("KSBQUIZ_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    // Both bots come up: Telegram registers its commands, Discord's shard identifies.
    let wait = Duration::from_secs(60);
    if !tg
        .wait_for(wait, |calls| {
            calls.iter().any(|c| c.method == "setMyCommands")
        })
        .await
    {
        let _ = child.kill();
        panic!("Telegram never started: {}", logs.join().unwrap());
    }
    for _ in 0..3000 {
        if dc.identified() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(dc.identified() > 0, "Discord never identified");

    // A learner on each platform, one database: both are served.
    tg.push_text(51, "Tia", "/start");
    assert!(
        tg.wait_for(wait, |calls| calls
            .iter()
            .any(|c| c.method == "sendMessage" && c.chat_id == Some(51)))
            .await,
        "Telegram learner not answered"
    );
    dc.interact(payload::command(
        77,
        1,
        2,
        payload::member(61, "Dev", 0, &[]),
        "stats",
        json!([]),
    ));
    assert!(
        dc.wait_for(wait, |calls| calls
            .iter()
            .any(|c| c.path.starts_with("/interactions/77/")))
            .await,
        "Discord learner not answered"
    );

    let _ = child.kill();
    let _ = child.wait();
    let logs = logs.join().unwrap();
    assert!(
        logs.contains("Discord"),
        "the log says what started: {logs}"
    );
    for secret in [TG_TOKEN, "TG-secret-token", DC_TOKEN, "Gx-secret"] {
        assert!(!logs.contains(secret), "a token reached the logs");
    }
    // Both learners are in the one database.
    let store = ksbquiz::store::Store::open(&db.path().join("db")).unwrap();
    assert!(store.learner_by_account("telegram:51").unwrap().is_some());
    assert!(store.learner_by_account("discord:61").unwrap().is_some());
}

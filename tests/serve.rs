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

/// The operator's view of a running server: `/metrics` counts an answer given through the
/// Telegram fake, `/healthz` turns unhealthy when the Bot API stops answering, `/backup`
/// gives a file `ksbquiz restore` accepts, and SIGTERM stops the server cleanly (exit 0 within
/// ten seconds) with the answer on disk.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_http_health_metrics_backup_and_sigterm() {
    use ksbquiz::testkit::telegram::Fault;
    let tg = FakeTelegram::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ksbquiz"))
        .arg("--root")
        .arg(common::root())
        .arg("--db")
        .arg(&db)
        .args(["--log-format", "json", "serve", "--http"])
        .arg(format!("127.0.0.1:{port}"))
        .env_remove("KSBQUIZ_ROOT")
        .env_remove("TELEGRAM_BOT_TOKEN")
        .env_remove("DISCORD_TOKEN")
        .env("KSBQUIZ_TELEGRAM_TOKEN", TG_TOKEN)
        .env("KSBQUIZ_TELEGRAM_API_URL", tg.url())
        .env("KSBQUIZ_LOG", "info")
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
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{base}{path}")).send();
    let mut up = false;
    for _ in 0..600 {
        if get("/healthz").await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the HTTP endpoints never came up");
    let health = get("/healthz").await.unwrap();
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["bots_connected"]["telegram"], true, "{body}");
    let answers = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("ksbquiz_answers_recorded_total{platform=\"telegram\"}"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let before = answers(&get("/metrics").await.unwrap().text().await.unwrap());
    assert_eq!(before, 0);

    // A learner starts, picks a standard by button and answers the first question (a poll).
    let wait = Duration::from_secs(60);
    tg.push_text(71, "Uma", "/start");
    assert!(
        tg.wait_for(wait, |calls| calls.iter().any(|c| c.chat_id == Some(71)
            && c.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                .as_str()
                .is_some_and(|d| d.starts_with("c:/enrol"))))
            .await,
        "no standards offered"
    );
    let offer = tg
        .calls()
        .into_iter()
        .find(|c| {
            c.chat_id == Some(71)
                && c.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"].is_string()
        })
        .unwrap();
    tg.push_callback(71, "Uma", &offer.result, "c:/enrol HSCCLD222");
    assert!(
        tg.wait_for(wait, |calls| calls
            .iter()
            .any(|c| c.chat_id == Some(71) && c.method == "sendPoll"))
            .await,
        "no first question"
    );
    let poll = tg.sent_to(71, "sendPoll").remove(0);
    let right = poll.body["correct_option_id"].as_u64().unwrap() as u8;
    tg.push_poll_answer(
        71,
        "Uma",
        poll.result["poll"]["id"].as_str().unwrap(),
        right,
    );
    let mut after = 0;
    for _ in 0..600 {
        after = answers(&get("/metrics").await.unwrap().text().await.unwrap());
        if after > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(after, 1, "the answer is counted");
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains("ksbquiz_answer_seconds_count 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ksbquiz_learners_active_today 1"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("Uma") && !metrics.contains("HSCCLD222"),
        "no personal data"
    );

    // A backup while serving, restored into a new store.
    let backup = get("/backup").await.unwrap();
    assert_eq!(backup.status(), 200);
    let file = dir.path().join("live.ksbquiz-backup");
    std::fs::write(&file, backup.bytes().await.unwrap()).unwrap();
    let restored = dir.path().join("restored");
    let out = Command::new(env!("CARGO_BIN_EXE_ksbquiz"))
        .arg("--root")
        .arg(common::root())
        .arg("--db")
        .arg(&restored)
        .arg("restore")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copy = ksbquiz::store::Store::open(&restored).unwrap();
    let uma = copy
        .learner_by_account("telegram:71")
        .unwrap()
        .expect("Uma restored");
    assert_eq!(copy.attempts(uma.id).unwrap().len(), 1);
    drop(copy);

    // The Bot API stops answering: the health check says so.
    tg.inject_on(
        "getMe",
        [Fault::ServerError, Fault::ServerError, Fault::ServerError],
    );
    let health = get("/healthz").await.unwrap();
    assert_eq!(health.status(), 503);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["bots_connected"]["telegram"], false, "{body}");
    assert_eq!(body["store_writable"], true, "{body}");

    // SIGTERM: exit 0 within ten seconds, the answer durable.
    let status = sigterm(&mut child).await;
    assert!(status.success(), "exit status {status:?}");
    let logs = logs.join().unwrap();
    assert!(logs.contains("\"stopped cleanly\""), "JSON logs: {logs}");
    assert!(!logs.contains(TG_TOKEN), "a token reached the logs");
    let store = ksbquiz::store::Store::open(&db).unwrap();
    let uma = store.learner_by_account("telegram:71").unwrap().unwrap();
    assert_eq!(store.attempts(uma.id).unwrap().len(), 1);
}

/// SIGTERM while many learners' answers are arriving: the server exits 0 within ten seconds,
/// and every answer a learner was told about (the feedback reached them) is in the store.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_storm_loses_no_acknowledged_answer() {
    let tg = FakeTelegram::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ksbquiz"))
        .arg("--root")
        .arg(common::root())
        .arg("--db")
        .arg(&db)
        .arg("serve")
        .env_remove("KSBQUIZ_ROOT")
        .env_remove("TELEGRAM_BOT_TOKEN")
        .env_remove("DISCORD_TOKEN")
        .env("KSBQUIZ_TELEGRAM_TOKEN", TG_TOKEN)
        .env("KSBQUIZ_TELEGRAM_API_URL", tg.url())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let wait = Duration::from_secs(60);
    let learners: Vec<i64> = (100..116).collect();
    for &u in &learners {
        tg.push_text(u, "L", "/start");
    }
    let offered = |calls: &[ksbquiz::testkit::telegram::Call], u: i64| {
        calls
            .iter()
            .find(|c| {
                c.chat_id == Some(u)
                    && c.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                        .as_str()
                        .is_some_and(|d| d.starts_with("c:/enrol"))
            })
            .cloned()
    };
    assert!(
        tg.wait_for(wait, |calls| learners
            .iter()
            .all(|&u| offered(calls, u).is_some()))
            .await,
        "standards offered to everyone"
    );
    let calls = tg.calls();
    for &u in &learners {
        let offer = offered(&calls, u).unwrap();
        tg.push_callback(u, "L", &offer.result, "c:/enrol HSCCLD222");
    }
    assert!(
        tg.wait_for(wait, |calls| learners.iter().all(|&u| calls
            .iter()
            .any(|c| c.chat_id == Some(u) && c.method == "sendPoll")))
            .await,
        "a first question for everyone"
    );
    // Everyone answers at once; the server is told to stop while those answers are handled.
    for &u in &learners {
        let poll = tg.sent_to(u, "sendPoll").remove(0);
        tg.push_poll_answer(u, "L", poll.result["poll"]["id"].as_str().unwrap(), 0);
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    let status = sigterm(&mut child).await;
    assert!(status.success(), "exit status {status:?}");
    let store = ksbquiz::store::Store::open(&db).unwrap();
    let mut told = 0;
    for &u in &learners {
        let feedback = tg.sent_to(u, "sendMessage").iter().any(|c| {
            let t = c.body["text"].as_str().unwrap_or("");
            t.contains("Right!") || t.contains("Not quite")
        });
        let l = store
            .learner_by_account(&format!("telegram:{u}"))
            .unwrap()
            .unwrap();
        let recorded = store.attempts(l.id).unwrap().len();
        assert!(
            recorded <= 1,
            "learner {u}: {recorded} answers recorded for one"
        );
        if feedback {
            told += 1;
            assert_eq!(
                recorded, 1,
                "learner {u} was told about an answer the store lost"
            );
        }
    }
    assert!(told > 0, "some answers were acknowledged before the stop");
}

/// Sends SIGTERM to a server and waits for it to exit, which it must within ten seconds.
#[cfg(unix)]
async fn sigterm(child: &mut std::process::Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success());
    let started = std::time::Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not stopped within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The Dockerfile, read as Docker would: instructions with their continuation lines joined.
fn dockerfile() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(common::root().join("Dockerfile")).unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut line = String::new();
    for l in text.lines() {
        let l = l.trim();
        if l.starts_with('#') || (l.is_empty() && line.is_empty()) {
            continue;
        }
        match l.strip_suffix('\\') {
            Some(head) => line.push_str(&format!("{head} ")),
            None => {
                line.push_str(l);
                if let Some((op, rest)) = line.trim().split_once(' ') {
                    out.push((op.to_uppercase(), rest.trim().to_string()));
                }
                line.clear();
            }
        }
    }
    out
}

/// The container recipe, run without Docker (no engine here): its build step is the README's
/// release build; it runs as a non-root user with the database and cache on its volume; and
/// the binary started as its ENTRYPOINT and CMD with its ENV (paths moved under a scratch
/// folder, no checkout in sight) answers its HEALTHCHECK and stops cleanly on its STOPSIGNAL.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_container_recipe_serves_its_health_check_from_an_empty_folder() {
    let df = dockerfile();
    let all = |op: &str| -> Vec<&str> {
        df.iter()
            .filter(|(o, _)| o == op)
            .map(|(_, r)| r.as_str())
            .collect()
    };
    let one = |op: &str| -> &str {
        let v = all(op);
        assert_eq!(v.len(), 1, "one {op} expected: {v:?}");
        v[0]
    };
    let stages = all("FROM");
    assert!(stages.len() >= 2, "a multi-stage build: {stages:?}");
    let build = stages[0].rsplit(' ').next().unwrap();
    assert!(
        stages[0].contains(" AS "),
        "the build stage is named: {}",
        stages[0]
    );
    assert!(
        all("COPY")
            .iter()
            .any(|c| c.starts_with(&format!("--from={build} ")))
    );
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let release = "cargo build --release --locked";
    assert!(readme.contains(release) && all("RUN").iter().any(|r| r.contains(release)));
    let user = one("USER");
    assert!(user != "root" && user != "0", "runs as {user}");

    // ENV: KEY=VALUE pairs.
    let env: Vec<(String, String)> = all("ENV")
        .iter()
        .flat_map(|e| e.split_whitespace())
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let var = |k: &str| {
        env.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("ENV {k} not set"))
    };
    let volume: Vec<String> = serde_json::from_str(one("VOLUME")).unwrap();
    for k in ["KSBQUIZ_DB", "XDG_CACHE_HOME"] {
        assert!(
            volume.iter().any(|v| var(k).starts_with(v.as_str())),
            "{k} is not on the volume {volume:?}"
        );
    }
    let http = var("KSBQUIZ_HTTP");
    let port = http.rsplit(':').next().unwrap();
    assert_eq!(one("EXPOSE"), port);
    let check = one("HEALTHCHECK");
    let url = check
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the health check calls a URL");
    assert_eq!(url, format!("http://127.0.0.1:{port}/healthz"));
    assert_eq!(one("STOPSIGNAL"), "SIGTERM");
    let entry: Vec<String> = serde_json::from_str(one("ENTRYPOINT")).unwrap();
    let cmd: Vec<String> = serde_json::from_str(one("CMD")).unwrap();
    assert_eq!(entry, ["ksbquiz"]);

    // Run it as the container would, from an empty folder, with the ENV given.
    let tg = FakeTelegram::start().await.unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let free = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut run = Command::new(env!("CARGO_BIN_EXE_ksbquiz"));
    run.args(&cmd)
        .current_dir(empty.path())
        .env_remove("KSBQUIZ_ROOT")
        .env_remove("TELEGRAM_BOT_TOKEN")
        .env_remove("DISCORD_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in &env {
        let v = if v.starts_with('/') {
            scratch
                .path()
                .join(v.trim_start_matches('/'))
                .display()
                .to_string()
        } else if k == "KSBQUIZ_HTTP" {
            format!("127.0.0.1:{free}")
        } else {
            v.clone()
        };
        run.env(k, v);
    }
    // As `docker run -e KSBQUIZ_TELEGRAM_TOKEN=...` gives it.
    run.env("KSBQUIZ_TELEGRAM_TOKEN", TG_TOKEN)
        .env("KSBQUIZ_TELEGRAM_API_URL", tg.url());
    let mut child = run.spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let url = url.replace(&format!(":{port}/"), &format!(":{free}/"));
    let mut status = None;
    for _ in 0..600 {
        if let Ok(r) = reqwest::get(&url).await {
            status = Some(r.status());
            if r.status() == 200 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let exit = sigterm(&mut child).await;
    let logs = logs.join().unwrap();
    assert_eq!(status.map(|s| s.as_u16()), Some(200), "{logs}");
    assert!(exit.success(), "{exit:?}: {logs}");
    // JSON logs, as the ENV asks, and the database where KSBQUIZ_DB points.
    assert!(logs.lines().all(|l| l.starts_with('{')), "{logs}");
    let db = scratch
        .path()
        .join(var("KSBQUIZ_DB").trim_start_matches('/'));
    assert!(db.exists(), "no database at {}", db.display());
}

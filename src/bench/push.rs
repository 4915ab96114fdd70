//! The chat platforms under load, through their local fakes: Telegram's daily push with the
//! flood limits on, and a live Discord question clicked by many learners at once.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::{Value, json};

use super::fixture::{Fixture, engine, start};
use super::measure::{pct, peak_mb, reset_peak};
use crate::engine::{Input, ManualClock, Who};

/// The daily push through the fake Bot API with Telegram's limits enforced by the throttle.
pub(super) fn push(f: &Fixture, dir: &Path, n: usize) -> Result<Value> {
    let rt = tokio::runtime::Runtime::new()?;
    let clock = Arc::new(ManualClock::new("2026-11-23T20:00:00Z".parse()?));
    let e = Arc::new(engine(f, &dir.join("push"), clock, 10)?);
    let now = start();
    for i in 0..n {
        let (mut l, _) =
            e.store()
                .learner_for_account(&format!("telegram:{}", 10_000 + i), "L", now)?;
        l.standards = vec!["HSCCLD222".into()];
        e.store().put_learner(&l)?;
    }
    e.store().durable()?;
    rt.block_on(async move {
        let fake = crate::testkit::telegram::FakeTelegram::start().await?;
        let token = crate::config::Secret::new("1:BENCH");
        let running =
            crate::adapters::telegram::start(e.clone(), &token, Some(&fake.url()), None).await?;
        reset_peak();
        let t = Instant::now();
        let report = crate::adapters::telegram::daily::DailyPrompts::new(running.app.clone())
            .tick()
            .await?;
        let secs = t.elapsed().as_secs_f64();
        running.stop().await;
        Ok(json!({"learners": n, "sent": report.sent, "seconds": secs,
                  "floor_seconds_at_30_per_s": n as f64 / 30.0, "peak_mb": peak_mb()}))
    })
}

/// A live Discord question clicked by `n` learners at once, through serenity and the local
/// fake of Discord: the time from each click leaving the gateway to its private
/// acknowledgement (Discord allows 3 s), every click recorded durably first.
pub(super) fn live_clicks(f: &Fixture, dir: &Path, n: usize) -> Result<Value> {
    use crate::testkit::discord::{FakeDiscord, payload};
    const GUILD: u64 = 1;
    const ROOM: u64 = 2;
    let rt = tokio::runtime::Runtime::new()?;
    let clock = Arc::new(ManualClock::new("2026-11-23T10:00:00Z".parse()?));
    let e = Arc::new(engine(f, &dir.join("live"), clock, 10)?);
    let tutor = Who {
        account: "discord:1",
        name: "Tutor",
        platform: "discord",
    };
    e.handle(tutor, Input::Start { code: None })?;
    e.handle(
        tutor,
        Input::CohortCreate {
            name: "Bench".into(),
            standards: vec!["HSCCLD222".into()],
        },
    )?;
    rt.block_on(async move {
        let fake = FakeDiscord::start().await?;
        let token = crate::config::Secret::new("bench.discord.token");
        let bot = crate::adapters::discord::start(
            e.clone(),
            &token,
            Some(&fake.url()),
            crate::adapters::discord::Options::default(),
        )
        .await?;
        let until = Instant::now() + Duration::from_secs(30);
        while fake.identified() == 0 && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let tutor_member = payload::member(1, "Tutor", 1 << 5, &[]);
        fake.interact(payload::command(
            1,
            GUILD,
            ROOM,
            tutor_member,
            "quiz",
            json!([{"type": 1, "name": "start", "options": [
                {"type": 4, "name": "questions", "value": 1}, {"type": 4, "name": "seconds", "value": 60}]}]),
        ));
        let mut quiz = None;
        while quiz.is_none() && Instant::now() < until {
            quiz = bot.app.quizzes_in(ROOM).filter(|q| q.open().is_some());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let quiz = quiz.ok_or_else(|| anyhow::anyhow!("the live quiz did not start"))?;
        reset_peak();
        let t = Instant::now();
        let mut sent = Vec::with_capacity(n);
        for i in 0..n as u64 {
            let id = 1_000 + i;
            let member = payload::member(10_000 + i, &format!("L{i}"), 0, &[]);
            let button = format!("live:{}:0:{}", quiz.id, i % 4);
            sent.push((format!("/interactions/{id}/"), Instant::now()));
            fake.interact(payload::button(id, GUILD, ROOM, member, &button, 1));
        }
        let all = fake
            .wait_for(Duration::from_secs(120), |calls| {
                calls.iter().filter(|c| c.path.starts_with("/interactions/") && c.path != "/interactions/1/tok-1/callback").count() >= n
            })
            .await;
        let secs = t.elapsed().as_secs_f64();
        let calls = fake.calls();
        let mut lat: Vec<Duration> = sent
            .iter()
            .filter_map(|(prefix, at)| {
                calls
                    .iter()
                    .find(|c| c.path.starts_with(prefix.as_str()))
                    .map(|c| c.at.duration_since(*at))
            })
            .collect();
        lat.sort();
        let recorded = {
            let e = e.clone();
            tokio::task::spawn_blocking(move || e.store().attempt_count()).await?
        };
        bot.stop().await;
        Ok(json!({"clickers": n, "acknowledged": lat.len(), "all_acknowledged": all, "recorded": recorded,
                  "seconds": secs, "p50_ms": pct(&lat, 0.5), "p99_ms": pct(&lat, 0.99),
                  "max_ms": lat.last().map(|d| d.as_secs_f64() * 1000.0), "deadline_ms": 3000,
                  "peak_mb": peak_mb()}))
    })
}

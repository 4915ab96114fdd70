//! Operational metrics in Prometheus' text format, for `serve --http ADDR`'s `/metrics`:
//! answers recorded and how long recording took, daily prompts sent and failed, Telegram's
//! 429s and retries, learners active today, live quizzes running, the last daily push.
//!
//! Labels carry no personal data: the platform at most, never a learner, a name or an item a
//! learner answered. One process-wide registry (the `prometheus` crate's, not its default
//! global one), so tests reading the text see only ksbquiz's own series.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use chrono::NaiveDate;
use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// Every series ksbquiz exports.
pub struct Metrics {
    registry: Registry,
    /// Answers recorded (first answers to a delivery), by platform.
    pub answers: IntCounterVec,
    /// Seconds from an answer reaching the engine to its being durable.
    pub answer_seconds: Histogram,
    pub prompts_sent: IntCounter,
    pub prompts_failed: IntCounter,
    /// Telegram requests answered 429 Too Many Requests, and requests retried.
    pub telegram_429: IntCounter,
    pub telegram_retries: IntCounter,
    pub live_quizzes: IntGauge,
    pub learners_today: IntGauge,
    /// Unix time of the last daily push pass that completed.
    pub last_daily_push: IntGauge,
    active: Mutex<(Option<NaiveDate>, HashSet<u64>)>,
}

// Metric names and help texts are constants of this file: building them cannot fail.
const VALID: &str = "a valid metric name and help";

fn counter(r: &Registry, name: &str, help: &str) -> IntCounter {
    let c = IntCounter::new(name, help).expect(VALID);
    let _ = r.register(Box::new(c.clone()));
    c
}

fn gauge(r: &Registry, name: &str, help: &str) -> IntGauge {
    let g = IntGauge::new(name, help).expect(VALID);
    let _ = r.register(Box::new(g.clone()));
    g
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let r = Registry::new();
    let answers = IntCounterVec::new(
        Opts::new(
            "ksbquiz_answers_recorded_total",
            "Answers recorded, by platform.",
        ),
        &["platform"],
    )
    .expect(VALID);
    let _ = r.register(Box::new(answers.clone()));
    let answer_seconds = Histogram::with_opts(
        HistogramOpts::new(
            "ksbquiz_answer_seconds",
            "Seconds from an answer reaching the engine to its being on disk.",
        )
        .buckets(vec![
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
        ]),
    )
    .expect(VALID);
    let _ = r.register(Box::new(answer_seconds.clone()));
    Metrics {
        prompts_sent: counter(
            &r,
            "ksbquiz_daily_prompts_sent_total",
            "Daily prompts sent.",
        ),
        prompts_failed: counter(
            &r,
            "ksbquiz_daily_prompts_failed_total",
            "Daily prompts not sent even after retries (tried again next pass).",
        ),
        telegram_429: counter(
            &r,
            "ksbquiz_telegram_429_total",
            "Telegram requests answered 429.",
        ),
        telegram_retries: counter(
            &r,
            "ksbquiz_telegram_retries_total",
            "Telegram requests retried.",
        ),
        live_quizzes: gauge(
            &r,
            "ksbquiz_live_quizzes_running",
            "Live cohort quizzes running.",
        ),
        learners_today: gauge(
            &r,
            "ksbquiz_learners_active_today",
            "Learners who answered today (UTC), counted by this process.",
        ),
        last_daily_push: gauge(
            &r,
            "ksbquiz_last_daily_push_timestamp_seconds",
            "Unix time the last daily push pass completed.",
        ),
        answers,
        answer_seconds,
        active: Mutex::new((None, HashSet::new())),
        registry: r,
    }
});

/// The process's metrics.
pub fn metrics() -> &'static Metrics {
    &METRICS
}

impl Metrics {
    /// An answer recorded for `learner` on `platform`, `seconds` after it reached the engine.
    pub fn answered(&self, platform: &str, learner: u64, today: NaiveDate, seconds: f64) {
        // Only the platforms ksbquiz has: an unknown name would grow the series without bound.
        let platform = match platform {
            "telegram" | "discord" | "console" => platform,
            _ => "other",
        };
        self.answers.with_label_values(&[platform]).inc();
        self.answer_seconds.observe(seconds);
        let mut a = self.active.lock().unwrap_or_else(|e| e.into_inner());
        if a.0 != Some(today) {
            *a = (Some(today), HashSet::new());
        }
        a.1.insert(learner);
        self.learners_today.set(a.1.len() as i64);
    }

    /// Everything in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

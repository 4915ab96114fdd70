//! Durable answer recording: learners answering a day's quiz through the engine, both
//! workloads, against the raw sled ceiling (bare inserts of the same bytes with the same group
//! commit), and the bytes one answer writes.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::{Value, json};

use super::fixture::{Fixture, TempDir, engine, start, studied, tempfile_dir};
use super::measure::{Meter, pct, peak_mb, reset_peak};
use crate::engine::{Input, ManualClock, Who};
use crate::project::Project;
use crate::store::{Attempt, Mode, SrsState};

/// What the learners in the answer benchmark answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// A first day: fifty items new to the learner, so every answer creates the item's
    /// scheduling state (sled's worst case: every write is a new key).
    NewItems,
    /// A day of reviews: fifty items studied before and due, so every answer updates the
    /// item's scheduling state (what most answers are once a learner is under way).
    Reviews,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::NewItems => "new_items",
            Workload::Reviews => "reviews",
        }
    }
}

/// Answers through the engine with `threads` learners at once, each answering a whole day's
/// quiz (fifty questions) opened beforehand.
fn answers(
    f: &Fixture,
    dir: &Path,
    threads: usize,
    total: usize,
    workload: Workload,
) -> Result<Value> {
    let e = Arc::new(engine(
        f,
        &dir.join(workload.name()),
        Arc::new(ManualClock::new(start())),
        50,
    )?);
    let learners = total.div_ceil(50);
    let all: Vec<String> = f.bank.standards().map(|s| s.code.clone()).collect();
    let items: Vec<&String> = all.iter().flat_map(|s| f.bank.items_of(s)).collect();
    let mut first = Vec::with_capacity(learners);
    for i in 0..learners {
        let acc = format!("bench:{i}");
        let w = Who {
            account: &acc,
            name: "B",
            platform: "bench",
        };
        e.handle(w, Input::Start { code: None })?;
        e.handle(w, Input::Enrol(all.clone()))?;
        if let Some(mut l) = e.store().learner_by_account(&acc)? {
            l.settings.per_day = 50;
            l.settings.new_per_day = 50;
            if workload == Workload::Reviews {
                l.settings.new_per_day = 0;
                for k in 0..50 {
                    let item = items[(i * 7 + k * 13) % items.len()];
                    e.store().put_srs(l.id, item, &studied(k))?;
                }
            }
            e.store().put_learner(&l)?;
        }
        // Each learner's quiz is planned and opened before the clock starts: planning is
        // measured on its own (`planning`), and this figure is answering alone.
        first.push(e.handle(w, Input::Quiz)?);
    }
    let first = Arc::new(std::sync::Mutex::new(first));
    reset_peak();
    let meter = Meter::start();
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (e, first) = (e.clone(), first.clone());
            std::thread::spawn(move || -> Result<Vec<Duration>> {
                let mut lat = Vec::new();
                for i in (t..learners).step_by(threads) {
                    let acc = format!("bench:{i}");
                    let w = Who {
                        account: &acc,
                        name: "B",
                        platform: "bench",
                    };
                    let mut out = first
                        .lock()
                        .map(|mut f| std::mem::take(&mut f[i]))
                        .unwrap_or_default();
                    while let Some(q) = crate::engine::question_in(&out) {
                        let t0 = Instant::now();
                        let delivery = q.delivery.clone();
                        let option = (i + lat.len()) % 4;
                        out = e.handle(w, Input::Answer { delivery, option })?;
                        lat.push(t0.elapsed());
                    }
                }
                Ok(lat)
            })
        })
        .collect();
    let mut lat = Vec::new();
    for h in handles {
        lat.extend(
            h.join()
                .map_err(|_| anyhow::anyhow!("bench thread panicked"))??,
        );
    }
    let secs = started.elapsed().as_secs_f64();
    let (cpu_us, bytes) = meter.per(lat.len());
    lat.sort();
    Ok(json!({
        "workload": workload.name(),
        "bytes_written_per_answer": bytes,
        "concurrent": threads, "answers": lat.len(), "per_second": (lat.len() as f64 / secs).round(),
        "p50_ms": pct(&lat, 0.5), "p99_ms": pct(&lat, 0.99), "peak_mb": peak_mb(),
        "cpu_us_per_answer": cpu_us,
        "recorded": e.store().attempt_count(),
    }))
}

fn per_second(v: &Value) -> f64 {
    v["per_second"].as_f64().unwrap_or(0.0)
}

/// The median of `xs` and its index (the lower middle one of an even number).
fn median(xs: &[f64]) -> (f64, usize) {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let i = order.get((xs.len().max(1) - 1) / 2).copied().unwrap_or(0);
    (xs.get(i).copied().unwrap_or(0.0), i)
}

/// Answer recording with `threads` learners at once, both workloads, against the raw sled
/// ceiling, `rounds` times. This machine's speed drifts by a fifth from one minute to the next,
/// so the ceiling is measured before and after each round's two engine runs, each ratio is to
/// the mean of the two, and the round with the median ratio is reported with every ratio.
pub(super) fn recording(
    f: &Fixture,
    dir: &Path,
    threads: usize,
    total: usize,
    bytes: usize,
    rounds: usize,
) -> Result<Value> {
    let ceiling = |n: usize| -> Result<Value> {
        let scratch = TempDir(dir.join(format!("raw-{threads}-{n}")));
        raw(scratch.path(), threads, total, bytes)
    };
    let mut ceilings = vec![ceiling(0)?];
    let mut runs = Vec::new();
    for round in 0..rounds.max(1) {
        let scratch = TempDir(dir.join(format!("answers-{threads}-{round}")));
        let new = answers(f, scratch.path(), threads, total, Workload::NewItems)?;
        let reviews = answers(f, scratch.path(), threads, total, Workload::Reviews)?;
        drop(scratch);
        ceilings.push(ceiling(round + 1)?);
        runs.push([new, reviews]);
    }
    let mut out = json!({
        "concurrent": threads,
        "raw_sled_per_second": ceilings.iter().map(per_second).collect::<Vec<_>>(),
    });
    for (w, workload) in [Workload::NewItems, Workload::Reviews].iter().enumerate() {
        let ratios: Vec<f64> = runs
            .iter()
            .enumerate()
            .map(|(r, run)| {
                let raw = (per_second(&ceilings[r]) + per_second(&ceilings[r + 1])) / 2.0;
                per_second(&run[w]) / raw
            })
            .collect();
        let (ratio, r) = median(&ratios);
        out[workload.name()] = json!({
            "engine": runs[r][w], "raw_sled": [ceilings[r], ceilings[r + 1]],
            "ratio": ratio, "ratios": ratios,
        });
    }
    Ok(out)
}

/// Bytes one answer writes: the attempt and the scheduling state as stored (a session is
/// written when it starts, not as it moves on), for a real question.
pub(super) fn bytes_per_answer(f: &Fixture, dir: &Path) -> Result<usize> {
    let e = engine(
        f,
        &dir.join("sizes"),
        Arc::new(ManualClock::new(start())),
        50,
    )?;
    let w = Who {
        account: "bench:size",
        name: "B",
        platform: "bench",
    };
    e.handle(w, Input::Start { code: None })?;
    let all: Vec<String> = f.bank.standards().map(|s| s.code.clone()).collect();
    e.handle(w, Input::Enrol(all))?;
    e.handle(w, Input::PerDay("10".into()))?;
    e.handle(w, Input::Quiz)?;
    let l = e
        .store()
        .learner_by_account("bench:size")?
        .ok_or_else(|| anyhow::anyhow!("no learner"))?;
    let s = e
        .store()
        .session(l.id)?
        .ok_or_else(|| anyhow::anyhow!("no session"))?;
    let d = e
        .store()
        .delivery(s.current.as_deref().unwrap_or(""))?
        .ok_or_else(|| anyhow::anyhow!("no delivery"))?;
    let attempt = Attempt {
        learner: l.id,
        item: d.item.clone(),
        question: d.question.clone(),
        option: 0,
        correct: true,
        response_ms: 1000,
        platform: "telegram".into(),
        at: start(),
        delivery: d.id.clone(),
        mode: Mode::Daily,
    };
    let srs = SrsState {
        stability: 3.2,
        difficulty: 5.1,
        due: start().date_naive(),
        last_review: start(),
        reps: 1,
        lapses: 0,
        last_correct: true,
        leech: false,
        last_question: Some(d.question.clone()),
        last_delivery: Some(d.id.clone()),
        last_option: Some(0),
    };
    Ok(crate::store::answer_bytes(&attempt, &srs))
}

fn raw(dir: &Path, threads: usize, total: usize, bytes: usize) -> Result<Value> {
    let meter = Meter::start();
    let (rate, mut lat) =
        crate::store::raw_durable_inserts(&dir.join("raw"), threads, total / threads, bytes)?;
    let (cpu_us, written) = meter.per(lat.len());
    lat.sort();
    Ok(
        json!({"concurrent": threads, "per_second": rate.round(), "p50_ms": pct(&lat, 0.5), "p99_ms": pct(&lat, 0.99),
               "cpu_us_per_write": cpu_us, "bytes_written_per_write": written}),
    )
}

/// Only the answer-recording benchmark (for profiling).
pub fn answers_only(
    project: &Project,
    threads: usize,
    total: usize,
    workload: Workload,
) -> Result<Value> {
    let dir = tempfile_dir()?;
    let f = Fixture::load(project)?;
    answers(&f, dir.path(), threads, total, workload)
}

/// Only the raw sled ceiling for the answer benchmark (for profiling).
pub fn raw_only(threads: usize, total: usize, bytes: usize) -> Result<Value> {
    let dir = tempfile_dir()?;
    raw(dir.path(), threads, total, bytes)
}

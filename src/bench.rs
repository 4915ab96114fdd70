//! `ksbquiz bench`: figures measured in one run on this machine.
//!
//! - durable answer recording through the engine (answers/s, p50/p99) with 1, 16 and 64
//!   concurrent learners, against bare sled inserts of the same bytes with the same group
//!   commit (the ceiling for any code on top of sled);
//! - planning the daily quiz for many learners enrolled in every seed standard;
//! - building the bank for the seeds and for a synthetic corpus of 50 standards;
//! - a per-item export over learners with a long history;
//! - the daily Telegram push through the local fake Bot API with the flood limits on.
//!
//! Peak memory per phase is the kernel's high-water mark (VmHWM), reset before each phase by
//! writing 5 to /proc/self/clear_refs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::{DateTime, Days, Utc};
use serde_json::{Value, json};

use crate::bank::{Bank, BankFile, Material, generate};
use crate::engine::{Config, Engine, Input, ManualClock, Who};
use crate::project::Project;
use crate::prompts::Prompts;
use crate::srs::PlanInput;
use crate::standards::{Library, Standard};
use crate::store::{Attempt, Mode, SrsState, Store};

/// Sizes for one run.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub answers: usize,
    pub plan_learners: [usize; 2],
    pub export_learners: usize,
    pub export_days: usize,
    pub push_learners: usize,
    /// Learners clicking one live Discord question at once.
    pub live_clickers: usize,
    /// Rounds of the answer benchmark (the median is reported).
    pub rounds: usize,
}

impl Sizes {
    pub fn full() -> Self {
        Sizes {
            answers: 51_200,
            plan_learners: [10_000, 100_000],
            export_learners: 10_000,
            export_days: 365,
            push_learners: 1_000,
            live_clickers: 500,
            rounds: 3,
        }
    }
    pub fn quick() -> Self {
        Sizes {
            answers: 1_280,
            plan_learners: [1_000, 10_000],
            export_learners: 500,
            export_days: 60,
            push_learners: 100,
            live_clickers: 50,
            rounds: 1,
        }
    }
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory since the last reset, in MB.
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Bytes this process has written so far (`wchar` in `/proc/self/io`).
fn written_bytes() -> Option<f64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("wchar:"))?
        .trim()
        .parse()
        .ok()
}

/// CPU time and bytes written by this process over a measurement.
struct Meter {
    cpu: Option<f64>,
    written: Option<f64>,
}

impl Meter {
    fn start() -> Self {
        Meter {
            cpu: cpu_seconds(),
            written: written_bytes(),
        }
    }

    /// CPU microseconds and bytes written per operation since the start, for `ops` operations.
    fn per(&self, ops: usize) -> (Option<f64>, Option<f64>) {
        let ops = ops.max(1) as f64;
        let cpu = cpu_seconds()
            .zip(self.cpu)
            .map(|(a, b)| 1e6 * (a - b) / ops);
        let written = written_bytes()
            .zip(self.written)
            .map(|(a, b)| (a - b) / ops);
        (cpu, written)
    }
}

/// CPU time this process has used so far (user and system, every thread), in seconds, from
/// `/proc/self/stat` (clock ticks, 100 a second on Linux).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// Rounds every fractional figure to four significant digits (what a measurement on a shared
/// machine can claim), so the report reads `0.1832 ms`, not `0.18316400000000002 ms`.
fn tidy(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(x) = n.as_f64().filter(|x| *x != 0.0 && x.is_finite()) {
                let digits = 4 - x.abs().log10().ceil() as i32;
                let scale = 10f64.powi(digits);
                if let Some(r) = serde_json::Number::from_f64((x * scale).round() / scale) {
                    *n = r;
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(tidy),
        Value::Object(o) => o.values_mut().for_each(tidy),
        _ => {}
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

struct Fixture {
    bank: Arc<Bank>,
    prompts: Arc<Prompts>,
}

impl Fixture {
    /// The project's committed bank and prompts.
    fn load(project: &Project) -> Result<Self> {
        Ok(Fixture {
            bank: Arc::new(Bank::load(&project.bank())?),
            prompts: Arc::new(Prompts::load(&project.prompts())?),
        })
    }
}

fn engine(f: &Fixture, db: &Path, clock: Arc<ManualClock>, per_day: usize) -> Result<Engine> {
    let store = Store::open(db)?;
    Ok(Engine::new(
        store,
        f.bank.clone(),
        f.prompts.clone(),
        clock,
        Config {
            practice_size: per_day,
            ..Config::default()
        },
    ))
}

fn start() -> DateTime<Utc> {
    "2026-11-23T10:00:00Z"
        .parse()
        .unwrap_or_else(|_| Utc::now())
}

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
fn recording(
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
fn bytes_per_answer(f: &Fixture, dir: &Path) -> Result<usize> {
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

/// Daily planning for `n` learners enrolled in every seed standard with a realistic history.
/// Fills a database with `n` learners enrolled in every seed standard, forty items studied
/// each; returns the seconds it took.
fn fill_planning(f: &Fixture, db: &Path, n: usize) -> Result<f64> {
    let store = Store::open(db)?;
    let all: Vec<String> = f.bank.standards().map(|s| s.code.clone()).collect();
    let items: Vec<&String> = all.iter().flat_map(|s| f.bank.items_of(s)).collect();
    let now = start();
    let today = now.date_naive();
    let fill = Instant::now();
    for i in 0..n {
        let (mut l, _) = store.learner_for_account(&format!("bench:{i}"), "B", now)?;
        l.standards = all.clone();
        store.put_learner(&l)?;
        // Forty items studied, due over the next month.
        for k in 0..40 {
            let item = items[(i * 7 + k * 13) % items.len()];
            let st = SrsState {
                due: today + Days::new(((i + k) % 30) as u64),
                last_review: now - chrono::Duration::days(((i + k) % 20) as i64),
                ..studied(k)
            };
            store.put_srs(l.id, item, &st)?;
        }
    }
    store.durable()?;
    Ok(fill.elapsed().as_secs_f64())
}

/// The `k`-th of a learner's studied items: reviewed a few times, due today.
fn studied(k: usize) -> SrsState {
    let now = start();
    SrsState {
        stability: 2.0 + (k % 9) as f32,
        difficulty: 5.0,
        due: now.date_naive(),
        last_review: now - chrono::Duration::days(3 + (k % 9) as i64),
        reps: 1 + (k % 5) as u32,
        ..SrsState::default()
    }
}

/// Plans today's quiz for every learner in the database at `db`, one learner at a time.
fn plan_all(f: &Fixture, db: &Path) -> Result<Value> {
    let store = Store::open(db)?;
    let today = start().date_naive();
    let now = start();
    let sched = crate::srs::Scheduler::new(crate::srs::Config::default());
    let started = Instant::now();
    let (mut planned, mut learners) = (0usize, 0usize);
    for l in store.learners() {
        let l = l?;
        let states: HashMap<String, SrsState> = store.srs_all(l.id)?.into_iter().collect();
        planned += sched
            .plan_day(
                &PlanInput {
                    learner: &l,
                    states: &states,
                    today,
                    now,
                },
                &f.bank,
            )
            .len();
        learners += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    Ok(
        json!({"learners": learners, "seconds": secs, "per_learner_us": 1e6 * secs / learners.max(1) as f64,
              "questions_planned": planned}),
    )
}

/// Daily planning for `n` learners: the database is filled here, then planned in a process of
/// its own (this program, `bench-plan`), as the bot's scheduler would after a start, so the
/// peak memory reported is planning's alone (a process's peak never goes down, and filling
/// the database costs more than planning from it).
fn planning(f: &Fixture, dir: &Path, n: usize) -> Result<Value> {
    let db = dir.join(format!("plan-{n}"));
    let setup = fill_planning(f, &db, n)?;
    let mut v = measured(f, &db, Phase::Plan)?;
    v["setup_seconds"] = json!(setup);
    Ok(v)
}

/// A benchmark phase that reads a filled database, run in a process of its own when it can
/// be (see [`measured`]).
#[derive(Debug, Clone, Copy)]
pub enum Phase {
    /// Today's quiz for every learner (`ksbquiz bench-plan`).
    Plan,
    /// The bench cohort's per-item report (`ksbquiz bench-export`).
    Export,
}

impl Phase {
    fn command(self) -> &'static str {
        match self {
            Phase::Plan => "bench-plan",
            Phase::Export => "bench-export",
        }
    }

    fn run(self, f: &Fixture, db: &Path) -> Result<Value> {
        match self {
            Phase::Plan => plan_all(f, db),
            Phase::Export => export_all(f, db),
        }
    }
}

/// `ksbquiz bench-plan` and `bench-export`: the phase over the database at `db`, with this
/// process's peak memory.
pub fn phase_process(project: &Project, db: &Path, phase: Phase) -> Result<Value> {
    let mut v = phase.run(&Fixture::load(project)?, db)?;
    v["peak_mb"] = json!(peak_mb());
    Ok(v)
}

/// A phase's figures with a peak memory that is its own: from a child process, or measured
/// here (and marked so) when this program is not ksbquiz.
fn measured(f: &Fixture, db: &Path, phase: Phase) -> Result<Value> {
    if let Some(v) = in_child(db, phase.command())? {
        return Ok(v);
    }
    reset_peak();
    let mut v = phase.run(f, db)?;
    v["peak_mb"] = json!(peak_mb());
    v["peak_in_process"] = json!(true);
    Ok(v)
}

/// A synthetic corpus: 50 standards made of the seeds' items under new codes.
fn synthetic(lib: &[Standard]) -> Vec<Standard> {
    (0..50)
        .map(|n| {
            let base = &lib[n % lib.len()];
            let code = format!("SYN{n:03}");
            let mut s = base.clone();
            s.standard.code = code.clone();
            s.standard.provisional = true;
            for it in &mut s.items {
                it.id = format!("{code}/{}{}", it.kind.letter(), it.number);
            }
            s
        })
        .collect()
}

fn bank_build(project: &Project, f: &Fixture) -> Result<Value> {
    let lib = Library::load(&project.standards(), &project.root)?;
    let seeds: Vec<Standard> = lib.standards().cloned().collect();
    let mat = Material::load(&project.data())?;
    let time = |stds: &[Standard]| -> Result<(f64, usize, Option<f64>)> {
        reset_peak();
        let t = Instant::now();
        let files: Vec<BankFile> = stds
            .iter()
            .map(|s| generate::build(s, &mat, &f.prompts))
            .collect::<std::result::Result<_, _>>()?;
        let n = files.iter().map(|b| b.questions.len()).sum();
        Ok((t.elapsed().as_secs_f64(), n, peak_mb()))
    };
    let (s1, q1, m1) = time(&seeds)?;
    let (s2, q2, m2) = time(&synthetic(&seeds))?;
    Ok(json!({
        "seeds": {"standards": seeds.len(), "questions": q1, "seconds": s1, "peak_mb": m1},
        "synthetic_50": {"standards": 50, "questions": q2, "seconds": s2, "peak_mb": m2},
    }))
}

/// A per-item export over `n` learners in one cohort with `days` of history.
/// Fills a database with a cohort of `n` learners, each with `days` days of answers on one
/// standard; returns the answers written and the seconds it took.
fn fill_export(f: &Fixture, db: &Path, n: usize, days: usize) -> Result<(usize, f64)> {
    let store = Store::open(db)?;
    let now = start();
    let std_code = "HSCCLD352".to_string();
    let items = f.bank.items_of(&std_code).to_vec();
    let cohort = crate::store::Cohort {
        code: "BENCH1".into(),
        name: "Bench".into(),
        tutor: 0,
        standards: vec![std_code.clone()],
        created: now,
    };
    store.create_cohort(&cohort)?;
    let fill = Instant::now();
    let mut answers = 0usize;
    for i in 0..n {
        let (l, _) =
            store.learner_for_account(&format!("bench:{i}"), &format!("Learner {i}"), now)?;
        store.join_cohort(l.id, "BENCH1")?;
        let mut batch = Vec::with_capacity(days);
        for d in 0..days {
            let item = &items[(i + d * 3) % items.len()];
            let qs = f.bank.questions_of(item);
            let q = &qs[(i + d) % qs.len()];
            let option = (i * 7 + d) % 4;
            let answer = f.bank.question(q).map_or(0, |q| q.answer);
            batch.push(Attempt {
                learner: l.id,
                item: item.clone(),
                question: q.clone(),
                option,
                correct: option == answer,
                response_ms: 5_000,
                platform: "telegram".into(),
                at: now - chrono::Duration::days((days - d) as i64),
                delivery: format!("{i}-{d}"),
                mode: Mode::Daily,
            });
        }
        answers += batch.len();
        store.import_attempts(&batch)?;
    }
    store.durable()?;
    Ok((answers, fill.elapsed().as_secs_f64()))
}

/// The per-item report of the bench cohort in the database at `db`, as CSV.
fn export_all(f: &Fixture, db: &Path) -> Result<Value> {
    let e = engine(f, db, Arc::new(ManualClock::new(start())), 10)?;
    let t = Instant::now();
    let src = e.export_sources();
    let scope = crate::export::cohort_scope(&src, "BENCH1", None, None, None)?;
    let report = crate::export::report(&src, &scope, &())?;
    let csv = crate::export::write::csv(&crate::export::write::views(&report)[0])?;
    Ok(
        json!({"learners": scope.learners.len(), "seconds": t.elapsed().as_secs_f64(), "csv_bytes": csv.len()}),
    )
}

/// Runs a benchmark phase's command over `db` in a process of its own, so
/// the peak memory it reports is the phase's alone (a process's peak never goes down). None
/// when this program is not ksbquiz (an example or a test calling the benchmark).
fn in_child(db: &Path, phase: &str) -> Result<Option<Value>> {
    let exe = std::env::current_exe()?;
    if exe.file_stem().and_then(|s| s.to_str()) != Some("ksbquiz") {
        return Ok(None);
    }
    let out = std::process::Command::new(exe)
        .arg("--db")
        .arg(db)
        .arg(phase)
        .output()?;
    if !out.status.success() {
        anyhow::bail!(
            "the {phase} process failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(Some(serde_json::from_slice(&out.stdout)?))
}

fn export(f: &Fixture, dir: &Path, n: usize, days: usize) -> Result<Value> {
    let db = dir.join("export");
    let (answers, setup) = fill_export(f, &db, n, days)?;
    let mut v = measured(f, &db, Phase::Export)?;
    v["answers"] = json!(answers);
    v["setup_seconds"] = json!(setup);
    Ok(v)
}

/// The daily push through the fake Bot API with Telegram's limits enforced by the throttle.
fn push(f: &Fixture, dir: &Path, n: usize) -> Result<Value> {
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
fn live_clicks(f: &Fixture, dir: &Path, n: usize) -> Result<Value> {
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

/// Fills a database for the planning benchmark (then `ksbquiz --db DB bench-plan` plans it).
pub fn planning_only(project: &Project, db: &Path, learners: usize) -> Result<Value> {
    let f = Fixture::load(project)?;
    let setup = fill_planning(&f, db, learners)?;
    Ok(json!({"learners": learners, "setup_seconds": setup}))
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

/// Runs every benchmark and returns the figures.
pub fn run(project: &Project, sizes: Sizes, progress: &dyn Fn(&str)) -> Result<Value> {
    let dir = tempfile_dir()?;
    let f = Fixture::load(project)?;
    progress("answer recording");
    let bytes = bytes_per_answer(&f, dir.path())?;
    let mut rec = Vec::new();
    for threads in [1, 16, 64] {
        let total = if threads == 1 {
            sizes.answers / 4
        } else {
            sizes.answers
        };
        rec.push(recording(
            &f,
            dir.path(),
            threads,
            total,
            bytes,
            sizes.rounds,
        )?);
    }
    progress("daily planning");
    let plan: Vec<Value> = sizes
        .plan_learners
        .iter()
        .map(|&n| planning(&f, dir.path(), n))
        .collect::<Result<_>>()?;
    progress("bank build");
    let bank = bank_build(project, &f)?;
    progress("export");
    let exp = export(&f, dir.path(), sizes.export_learners, sizes.export_days)?;
    progress("telegram push");
    let tg = push(&f, dir.path(), sizes.push_learners)?;
    progress("discord live clicks");
    let live = live_clicks(&f, dir.path(), sizes.live_clickers)?;
    let mut v = json!({
        "machine": {"cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)},
        "answer_recording": {"bytes_per_answer": bytes, "runs": rec},
        "daily_planning": plan,
        "bank_build": bank,
        "export": exp,
        "telegram_push": tg,
        "discord_live_clicks": live,
    });
    tidy(&mut v);
    Ok(v)
}

/// A scratch folder for the benchmark's databases, removed afterwards (each measurement's
/// own databases go in a [`TempDir`] inside it, removed as soon as it is done).
fn tempfile_dir() -> Result<TempDir> {
    let base = std::env::temp_dir().join(format!("ksbquiz-bench-{}", std::process::id()));
    std::fs::create_dir_all(&base)?;
    Ok(TempDir(base))
}

/// A folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The answer storm for fault tests: `learners` threads answer as fast as they can over the
/// database at `db`, each answer sent twice (a double click), and print `ack <delivery>` once
/// the engine has acknowledged an answer (it is durable by then). Runs until killed.
pub fn storm(project: &Project, db: &Path, learners: usize) -> Result<()> {
    use std::io::Write;
    let f = Fixture::load(project)?;
    let e = Arc::new(engine(&f, db, Arc::new(ManualClock::new(start())), 20)?);
    let out = Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let handles: Vec<_> = (0..learners)
        .map(|i| {
            let (e, out) = (e.clone(), out.clone());
            std::thread::spawn(move || -> Result<()> {
                let acc = format!("storm:{i}");
                let w = Who {
                    account: &acc,
                    name: "S",
                    platform: "storm",
                };
                if e.store().learner_by_account(&acc)?.is_none() {
                    e.handle(w, Input::Start { code: None })?;
                    e.handle(w, Input::Enrol(vec!["PROV-LMCCP".into()]))?;
                    // A long daily quiz, so kills land in the middle of it.
                    e.handle(w, Input::PerDay("50".into()))?;
                    e.handle(w, Input::NewPerDay("50".into()))?;
                }
                loop {
                    // Today's quiz first (after a restart, resumed where its attempts say it
                    // got to, and its answers scheduled), then practice rounds.
                    let mut reply = e.handle(w, Input::Quiz)?;
                    if crate::engine::question_in(&reply).is_none() {
                        reply = e.handle(w, Input::Practice)?;
                    }
                    while let Some(q) = crate::engine::question_in(&reply).cloned() {
                        let a = Input::Answer {
                            delivery: q.delivery.clone(),
                            option: i % 4,
                        };
                        reply = e.handle(w, a.clone())?;
                        let mut o = out.lock().map_err(|_| anyhow::anyhow!("stdout lock"))?;
                        writeln!(o, "ack {}", q.delivery)?;
                        o.flush()?;
                        drop(o);
                        e.handle(w, a)?;
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("storm thread panicked"))??;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Figures are rounded to four significant digits; integers are left alone.
    #[test]
    fn tidy_rounds_to_four_significant_digits() {
        let mut v = serde_json::json!({"a": 0.18316400000000002, "b": [1234.5678, 3], "c": 0.0});
        super::tidy(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": 0.1832, "b": [1235.0, 3], "c": 0.0})
        );
    }
}

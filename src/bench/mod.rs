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
//!
//! One file per job: `measure` reads this process's memory, CPU time and writes and tidies the
//! figures, `fixture` is what every measurement starts from, and `answers`, `planning`,
//! `bank_build`, `export` and `push` are the phases; `phase` runs a phase over a filled database
//! in a process of its own, and `storm` is the fault tests' answer storm.

mod answers;
mod bank_build;
mod export;
mod fixture;
mod learning;
mod measure;
mod phase;
mod planning;
mod push;
mod storm;

use anyhow::Result;
use serde_json::{Value, json};

use crate::project::Project;

pub use answers::{Workload, answers_only, raw_only};
pub use learning::LearningSizes;
pub use phase::{Phase, phase_process};
pub use planning::planning_only;
pub use storm::storm;

use answers::{bytes_per_answer, recording};
use bank_build::bank_build;
use export::export;
use fixture::{Fixture, tempfile_dir};
use measure::tidy;
use planning::planning;
use push::{live_clicks, push};

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

/// Runs the learning benchmark (see `learning`) and returns its table.
pub fn learning(project: &Project, sizes: LearningSizes, progress: &dyn Fn(&str)) -> Result<Value> {
    let f = Fixture::load(project)?;
    learning::learning(&f, sizes, progress)
}

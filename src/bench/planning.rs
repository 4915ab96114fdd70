//! Daily planning: a database of learners enrolled in every seed standard with a realistic
//! history, and today's quiz planned for each of them.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use chrono::Days;
use serde_json::{Value, json};

use super::fixture::{Fixture, start, studied};
use super::phase::{Phase, measured};
use crate::project::Project;
use crate::srs::PlanInput;
use crate::store::{SrsState, Store};

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

/// Plans today's quiz for every learner in the database at `db`, one learner at a time.
pub(super) fn plan_all(f: &Fixture, db: &Path) -> Result<Value> {
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
                    plan_new: None,
                    endgame: None,
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
pub(super) fn planning(f: &Fixture, dir: &Path, n: usize) -> Result<Value> {
    let db = dir.join(format!("plan-{n}"));
    let setup = fill_planning(f, &db, n)?;
    let mut v = measured(f, &db, Phase::Plan)?;
    v["setup_seconds"] = json!(setup);
    Ok(v)
}

/// Fills a database for the planning benchmark (then `ksbquiz --db DB bench-plan` plans it).
pub fn planning_only(project: &Project, db: &Path, learners: usize) -> Result<Value> {
    let f = Fixture::load(project)?;
    let setup = fill_planning(&f, db, learners)?;
    Ok(json!({"learners": learners, "setup_seconds": setup}))
}

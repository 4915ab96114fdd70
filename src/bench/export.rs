//! The per-item export: a cohort of learners with a long history, and its report as CSV.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use serde_json::{Value, json};

use super::fixture::{Fixture, engine, start};
use super::phase::{Phase, measured};
use crate::engine::ManualClock;
use crate::store::{Attempt, Mode, Store};

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
        epa: None,
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
pub(super) fn export_all(f: &Fixture, db: &Path) -> Result<Value> {
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

pub(super) fn export(f: &Fixture, dir: &Path, n: usize, days: usize) -> Result<Value> {
    let db = dir.join("export");
    let (answers, setup) = fill_export(f, &db, n, days)?;
    let mut v = measured(f, &db, Phase::Export)?;
    v["answers"] = json!(answers);
    v["setup_seconds"] = json!(setup);
    Ok(v)
}

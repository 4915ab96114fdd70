//! What every measurement starts from: the project's bank and prompts, an engine over a fresh
//! database, the benchmark's fixed start time, a studied item's scheduling state, and scratch
//! folders removed when done.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::bank::Bank;
use crate::engine::{Config, Engine, ManualClock};
use crate::project::Project;
use crate::prompts::Prompts;
use crate::store::{SrsState, Store};

pub(super) struct Fixture {
    pub(super) bank: Arc<Bank>,
    pub(super) prompts: Arc<Prompts>,
}

impl Fixture {
    /// The project's committed bank and prompts.
    pub(super) fn load(project: &Project) -> Result<Self> {
        Ok(Fixture {
            bank: Arc::new(Bank::load(&project.bank())?),
            prompts: Arc::new(Prompts::load(&project.prompts())?),
        })
    }
}

pub(super) fn engine(
    f: &Fixture,
    db: &Path,
    clock: Arc<ManualClock>,
    per_day: usize,
) -> Result<Engine> {
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

pub(super) fn start() -> DateTime<Utc> {
    "2026-11-23T10:00:00Z"
        .parse()
        .unwrap_or_else(|_| Utc::now())
}

/// The `k`-th of a learner's studied items: reviewed a few times, due today.
pub(super) fn studied(k: usize) -> SrsState {
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

/// A scratch folder for the benchmark's databases, removed afterwards (each measurement's
/// own databases go in a [`TempDir`] inside it, removed as soon as it is done).
pub(super) fn tempfile_dir() -> Result<TempDir> {
    let base = std::env::temp_dir().join(format!("ksbquiz-bench-{}", std::process::id()));
    std::fs::create_dir_all(&base)?;
    Ok(TempDir(base))
}

/// A folder removed when dropped.
pub(super) struct TempDir(pub(super) PathBuf);

impl TempDir {
    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

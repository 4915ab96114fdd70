//! Phases that read a filled database (planning, export), run in a process of their own when
//! this program is ksbquiz, so the peak memory each reports is its own.

use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};

use super::export::export_all;
use super::fixture::Fixture;
use super::measure::{peak_mb, reset_peak};
use super::planning::plan_all;
use crate::project::Project;

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
pub(super) fn measured(f: &Fixture, db: &Path, phase: Phase) -> Result<Value> {
    if let Some(v) = in_child(db, phase.command())? {
        return Ok(v);
    }
    reset_peak();
    let mut v = phase.run(f, db)?;
    v["peak_mb"] = json!(peak_mb());
    v["peak_in_process"] = json!(true);
    Ok(v)
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

//! `ksbquiz bench` and the hidden phases and storm the benchmark and fault tests run as
//! separate processes (built with the `testkit` feature only).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::prompts;
use ksbquiz::bench::{self, Phase};
use ksbquiz::project::Project;

/// `ksbquiz bench [--quick] [--json] [--learning]`: measures this machine, or (`--learning`)
/// how much simulated apprentices remember under each scheduling policy.
pub(crate) fn bench(
    project: &Project,
    json: bool,
    quick: bool,
    learning: bool,
) -> Result<ExitCode> {
    let progress = |phase: &str| eprintln!("bench: {phase}");
    let (figures, template) = if learning {
        let sizes = if quick {
            bench::LearningSizes::quick()
        } else {
            bench::LearningSizes::full()
        };
        (
            bench::learning(project, sizes, &progress)?,
            "cli/bench-learning",
        )
    } else {
        let sizes = if quick {
            bench::Sizes::quick()
        } else {
            bench::Sizes::full()
        };
        (bench::run(project, sizes, &progress)?, "cli/bench")
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        println!("{}", prompts(project)?.render(template, &figures)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// One benchmark phase in a process of its own (its peak memory is its own).
pub(crate) fn phase(project: &Project, db: &Path, phase: Phase) -> Result<ExitCode> {
    println!("{}", bench::phase_process(project, db, phase)?);
    Ok(ExitCode::SUCCESS)
}

/// Fault-test load: learners answering until the process is killed.
pub(crate) fn storm(project: &Project, db: &Path, learners: usize) -> Result<ExitCode> {
    bench::storm(project, db, learners)?;
    Ok(ExitCode::SUCCESS)
}

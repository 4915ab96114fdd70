//! The commands of the `ksbquiz` binary, one file each: `args` (what can be typed), `standards`,
//! `bank`, `export`, `serve` (the bots, and the terminal quiz) and, with the `testkit` feature,
//! `bench`. Shared here: how a command loads the project's prompts, standards and engine.

pub(crate) mod args;
mod bank;
#[cfg(feature = "testkit")]
mod bench;
mod export;
mod serve;
mod standards;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use args::{Cli, Command};
use ksbquiz::bank::Bank;
use ksbquiz::config::Config;
use ksbquiz::engine::{Config as EngineConfig, Engine, SystemClock};
use ksbquiz::project::Project;
use ksbquiz::prompts::Prompts;
use ksbquiz::standards::Library;
use ksbquiz::store::Store;

/// Runs the command `cli` asks for.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let project = Project::new(cli.root);
    let db = cli.db.unwrap_or_else(|| project.default_db());
    match cli.command {
        Some(Command::Standards(cmd)) => standards::run(&project, cmd),
        Some(Command::Bank(cmd)) => bank::run(&project, cmd),
        Some(Command::Play { name }) => serve::play(&project, &db, &name),
        Some(Command::Serve) => serve::serve(&project, &db),
        Some(Command::Export(args)) => export::run(&project, &db, args),
        Some(Command::Scheduling(args::SchedulingCmd::Fit { json })) => {
            let engine = engine(&project, &db)?;
            let reports = engine.refit()?;
            print_json_or(
                json,
                &reports,
                &engine.prompts,
                "cli/scheduling-fit",
                || serde_json::json!({"fits": reports, "min_reviews": ksbquiz::srs::fit::MIN_REVIEWS}),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "testkit")]
        Some(Command::Bench {
            json,
            quick,
            learning,
        }) => bench::bench(&project, json, quick, learning),
        #[cfg(feature = "testkit")]
        Some(Command::BenchExport) => bench::phase(&project, &db, ksbquiz::bench::Phase::Export),
        #[cfg(feature = "testkit")]
        Some(Command::BenchPlan) => bench::phase(&project, &db, ksbquiz::bench::Phase::Plan),
        #[cfg(feature = "testkit")]
        Some(Command::Storm { learners }) => bench::storm(&project, &db, learners),
        None if Config::load(&project.root)?.has_bots() => serve::serve(&project, &db),
        None => {
            let name = std::env::var("USER").unwrap_or_else(|_| "learner".into());
            serve::play(&project, &db, &name)
        }
    }
}

/// Builds the engine over the project's bank and prompts and the database at `db`.
/// Builds the engine over the project's bank and prompts and the database at `db`.
pub(crate) fn engine(project: &Project, db: &std::path::Path) -> Result<Engine> {
    let bank = Bank::load(&project.bank()).with_context(|| {
        format!(
            "loading the question bank from {}",
            project.bank().display()
        )
    })?;
    if bank.files().is_empty() {
        bail!(
            "the question bank in {} is empty: run `ksbquiz bank build`",
            project.bank().display()
        );
    }
    let store = Store::open(db)?;
    let config = Config::load(&project.root)?;
    Ok(Engine::new(
        store,
        Arc::new(bank),
        Arc::new(prompts(project)?),
        Arc::new(SystemClock),
        EngineConfig {
            srs: config.scheduling.srs()?,
            ..EngineConfig::default()
        },
    ))
}

pub(crate) fn prompts(project: &Project) -> Result<Prompts> {
    Prompts::load(&project.prompts())
        .with_context(|| format!("loading templates from {}", project.prompts().display()))
}

pub(crate) fn library(project: &Project) -> Result<Library> {
    Ok(Library::load(&project.standards(), &project.root)?)
}

/// Prints `value` as JSON when `json` is asked for, else the template `name` with `data()`.
pub(crate) fn print_json_or<T: serde::Serialize>(
    json: bool,
    value: &T,
    p: &Prompts,
    name: &str,
    data: impl FnOnce() -> serde_json::Value,
) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        println!("{}", p.render(name, &data())?);
    }
    Ok(())
}

//! The commands of the `ksbquiz` binary, one file each: `args` (what can be typed), `standards`,
//! `bank`, `export`, `serve` (the bots, and the terminal quiz) and, with the `testkit` feature,
//! `bench`. Shared here: how a command loads the project's prompts, standards and engine.

pub(crate) mod args;
mod bank;
#[cfg(feature = "testkit")]
mod bench;
mod export;
mod ops;
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
    let mut project = Project::open(cli.root)?;
    project.config = cli.config;
    let db = cli.db.unwrap_or_else(|| project.default_db());
    match cli.command {
        Some(Command::Standards(cmd)) => standards::run(&project, cmd),
        Some(Command::Bank(cmd)) => bank::run(&project, cmd),
        Some(Command::Play { name }) => serve::play(&project, &db, &name),
        Some(Command::Serve { http }) => serve::serve(&project, &db, http),
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
        Some(Command::Config(args::ConfigCmd::Check { json })) => config_check(&project, json),
        Some(Command::Backup { out, server }) => {
            ops::backup(&project, &db, &out, server.as_deref())
        }
        Some(Command::Restore { file }) => ops::restore(&project, &file, &db),
        None if project.settings()?.has_bots() => serve::serve(&project, &db, None),
        None => {
            let name = std::env::var("USER").unwrap_or_else(|_| "learner".into());
            serve::play(&project, &db, &name)
        }
    }
}

/// Builds the engine over the project's bank and prompts and the database at `db`.
pub(crate) fn engine(project: &Project, db: &std::path::Path) -> Result<Engine> {
    // The errors name the path and the OS's reason once; the context says what was expected.
    let bank = Bank::load(&project.bank()).context(
        "loading the question bank (question-bank/<CODE>.json; `ksbquiz bank build` writes it)",
    )?;
    if bank.files().is_empty() {
        bail!(
            "the question bank in {} is empty: run `ksbquiz bank build`",
            project.bank().display()
        );
    }
    let store = Store::open(db)?;
    let config = project.settings()?;
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
        .context("loading the message templates (prompts/**/*.hbs; --root or KSBQUIZ_ROOT names the project folder)")
}

pub(crate) fn library(project: &Project) -> Result<Library> {
    Ok(Library::load(&project.standards(), project.read_root())?)
}

/// `ksbquiz config check`: the effective settings with tokens masked and where each came
/// from; an error names the key (or variable) and exits 1.
fn config_check(project: &Project, json: bool) -> Result<ExitCode> {
    let p = prompts(project)?;
    match Config::load_from(project.config.as_deref(), &project.root) {
        Ok((config, origins)) => {
            let rows: Vec<serde_json::Value> = origins
                .iter()
                .map(|(key, origin)| {
                    let vars = ksbquiz::config::SETTINGS
                        .iter()
                        .find(|(k, _)| k == key)
                        .map_or("", |(_, v)| v[0]);
                    serde_json::json!({"key": key, "value": config.shown(key), "env": vars,
                    "from": match origin {
                        ksbquiz::config::Origin::Default => "default".to_string(),
                        ksbquiz::config::Origin::File => "file".to_string(),
                        ksbquiz::config::Origin::Env(v) => v.clone(),
                    }})
                })
                .collect();
            let file = project
                .config
                .clone()
                .unwrap_or_else(|| project.root.join("ksbquiz.toml"));
            let data = serde_json::json!({"settings": rows, "file": file.display().to_string(),
                                          "file_exists": file.is_file(), "root": project.root.display().to_string(),
                                          "defaults": project.uses_defaults()});
            print_json_or(json, &data, &p, "cli/config-check", || data.clone())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!(
                "{}",
                p.render(
                    "cli/config-error",
                    &serde_json::json!({"error": e.to_string()})
                )?
            );
            Ok(ExitCode::from(1))
        }
    }
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

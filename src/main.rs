//! The `ksbquiz` command line: wiring only. Each subcommand loads what it needs from the
//! project folder, calls the library and prints through `prompts/cli/` templates.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use serde_json::json;

use std::sync::Arc;

use ksbquiz::adapters::{console, discord, telegram};
use ksbquiz::bank::{self, Bank, BankFile, Material, check::Limits};
use ksbquiz::config::Config;
use ksbquiz::engine::{Config as EngineConfig, Engine, SystemClock};
use ksbquiz::project::Project;
use ksbquiz::prompts::Prompts;
use ksbquiz::standards::{ItemKind, Library, Standard, library};
use ksbquiz::store::Store;

/// jemalloc instead of the C library's allocator: sled allocates and frees on every write and
/// read (a copy of the page it changes, each record it hands out), and with many threads
/// glibc's malloc was a sixth of an answer's CPU time. Measured here: 12% more durable answers
/// a second at 64 learners at once and daily planning a fifth faster, for 7 MB more at the
/// peak of planning 100,000 learners.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Quizzes for care apprentices, built from the occupational standards they are assessed on.
///
/// ksbquiz reads National Occupational Standards and apprenticeship standards, turns every
/// knowledge item into scenario questions (the question bank), and quizzes learners on them.
#[derive(Parser, Debug)]
#[command(name = "ksbquiz", version, propagate_version = true)]
struct Cli {
    /// Project folder holding data/, prompts/ and question-bank/.
    #[arg(long, global = true, env = "KSBQUIZ_ROOT", default_value = ".")]
    root: PathBuf,

    /// The learners' database (sled). Defaults to ksbquiz-data/db under the project folder.
    #[arg(long, global = true, env = "KSBQUIZ_DB")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List, show and import occupational standards (data/standards/).
    #[command(subcommand)]
    Standards(StandardsCmd),
    /// Build and check the question bank (question-bank/).
    #[command(subcommand)]
    Bank(BankCmd),
    /// Export a cohort's results per knowledge item (CSV, XLSX, JSON or an HTML report).
    Export(ExportArgs),
    /// Measure this machine: answer recording, daily planning, bank build, export, push.
    Bench {
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
        /// Reduced sizes (for CI).
        #[arg(long)]
        quick: bool,
    },
    /// Fault-test load: learners answering as fast as they can until killed (prints acks).
    #[command(hide = true)]
    Storm {
        #[arg(long, default_value_t = 64)]
        learners: usize,
    },
    /// Benchmark phase: plan today's quiz for every learner in the database (prints JSON with
    /// this process's peak memory).
    #[command(hide = true)]
    BenchPlan,
    /// Benchmark phase: the bench cohort's per-item report (prints JSON with this process's
    /// peak memory).
    #[command(hide = true)]
    BenchExport,
    /// Run the bots configured (Telegram with TELEGRAM_BOT_TOKEN, Discord with DISCORD_TOKEN,
    /// or ksbquiz.toml) over one store.
    Serve,
    /// Take quizzes in the terminal (what `ksbquiz` with no command does when no bot is
    /// configured).
    Play {
        /// Your name: your progress is kept under it.
        #[arg(long, env = "USER", default_value = "learner")]
        name: String,
    },
}

#[derive(clap::Args, Debug)]
struct ExportArgs {
    /// The cohort's join code.
    #[arg(long, conflicts_with = "all", required_unless_present = "all")]
    cohort: Option<String>,
    /// Every learner (or, with --tutor, every learner in that tutor's cohorts).
    #[arg(long)]
    all: bool,
    /// Only what this tutor may see: their account, e.g. telegram:12345.
    #[arg(long)]
    tutor: Option<String>,
    /// First day of answers to include (YYYY-MM-DD).
    #[arg(long)]
    from: Option<chrono::NaiveDate>,
    /// Last day of answers to include (YYYY-MM-DD).
    #[arg(long)]
    to: Option<chrono::NaiveDate>,
    #[arg(long, value_enum, default_value = "html")]
    format: ReportFormat,
    /// Output file (a folder for CSV, which writes items.csv, learners.csv, questions.csv).
    #[arg(long)]
    out: PathBuf,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum ReportFormat {
    Csv,
    Xlsx,
    Json,
    Html,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum BankFormat {
    Gift,
    MoodleXml,
}

#[derive(Subcommand, Debug)]
enum StandardsCmd {
    /// List the standards in the library with their item counts.
    List,
    /// Show one standard's metadata and items.
    Show {
        /// A code from `standards list` (e.g. HSCCLD352) or the path of a text file.
        standard: String,
        /// Print JSON: {"standard": {...}, "items": [...]}.
        #[arg(long)]
        json: bool,
    },
    /// Parse a standard's text and, if it parses, copy it into data/standards/.
    Import {
        /// The text file (a NOS or an apprenticeship standard, as extracted from PDF or web).
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum BankCmd {
    /// Write question-bank/<CODE>.json for every standard.
    Build,
    /// Write the bank in a Moodle import format (GIFT or Moodle XML).
    Export {
        #[arg(long, value_enum)]
        format: BankFormat,
        /// Only this standard (default: all).
        #[arg(long)]
        standard: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Validate the bank, measure it against test-wise guessing, and fail on regressions.
    Check {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Mark a standard's draft material reviewed, so its questions reach learners (the
    /// material must pass the build's checks first).
    Review {
        /// The standard's code.
        code: String,
        /// Items to mark, by id or reference (`K3`); all drafts of the standard if none.
        items: Vec<String>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KSBQUIZ_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let project = Project::new(cli.root);
    let db = cli.db.unwrap_or_else(|| project.default_db());
    match cli.command {
        Some(Command::Standards(cmd)) => standards(&project, cmd),
        Some(Command::Bank(cmd)) => bank_cmd(&project, cmd),
        Some(Command::Play { name }) => play(&project, &db, &name),
        Some(Command::Serve) => serve(&project, &db),
        Some(Command::BenchExport) => {
            let v = ksbquiz::bench::phase_process(&project, &db, ksbquiz::bench::Phase::Export)?;
            println!("{v}");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::BenchPlan) => {
            let v = ksbquiz::bench::phase_process(&project, &db, ksbquiz::bench::Phase::Plan)?;
            println!("{v}");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Storm { learners }) => {
            ksbquiz::bench::storm(&project, &db, learners)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export(args)) => export(&project, &db, args),
        Some(Command::Bench { json, quick }) => {
            let sizes = if quick {
                ksbquiz::bench::Sizes::quick()
            } else {
                ksbquiz::bench::Sizes::full()
            };
            let figures =
                ksbquiz::bench::run(&project, sizes, &|phase| eprintln!("bench: {phase}"))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&figures)?);
            } else {
                println!("{}", prompts(&project)?.render("cli/bench", &figures)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        None if Config::load(&project.root)?.has_bots() => serve(&project, &db),
        None => {
            let name = std::env::var("USER").unwrap_or_else(|_| "learner".into());
            play(&project, &db, &name)
        }
    }
}

/// Builds the engine over the project's bank and prompts and the database at `db`.
fn engine(project: &Project, db: &std::path::Path) -> Result<Engine> {
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

fn export(project: &Project, db: &std::path::Path, a: ExportArgs) -> Result<ExitCode> {
    use ksbquiz::export;
    let engine = engine(project, db)?;
    let tutor = match &a.tutor {
        Some(acc) => Some(
            engine
                .store
                .learner_by_account(acc)?
                .with_context(|| format!("no learner or tutor with the account {acc}"))?
                .id,
        ),
        None => None,
    };
    let scope = match &a.cohort {
        Some(code) => export::cohort_scope(&engine, code, tutor, a.from, a.to)?,
        None => export::all_scope(&engine, tutor, a.from, a.to)?,
    };
    let report = export::report(&engine, &scope, true)?;
    let write = |bytes: &[u8]| {
        std::fs::write(&a.out, bytes).with_context(|| format!("writing {}", a.out.display()))
    };
    match a.format {
        ReportFormat::Csv => {
            export::write::csv_files(&report, &a.out)?;
        }
        ReportFormat::Xlsx => write(&export::write::xlsx(&report)?)?,
        ReportFormat::Json => write(export::write::json(&report).as_bytes())?,
        ReportFormat::Html => write(export::html::render(&report, &engine.prompts)?.as_bytes())?,
    }
    println!(
        "{}",
        engine.prompts.render(
            "cli/export",
            &json!({"scope": report.scope, "learners": report.learners, "items": report.items.len(),
                    "out": a.out.display().to_string()})
        )?
    );
    Ok(ExitCode::SUCCESS)
}

fn serve(project: &Project, db: &std::path::Path) -> Result<ExitCode> {
    let config = Config::load(&project.root)?;
    if !config.has_bots() {
        bail!(
            "no bot is configured: set TELEGRAM_BOT_TOKEN (and/or DISCORD_TOKEN), or put them in \
             ksbquiz.toml; `ksbquiz play` runs the quiz in this terminal instead"
        );
    }
    let engine = Arc::new(engine(project, db)?);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let mut running = Vec::new();
        if let Some(token) = &config.telegram.token {
            tracing::info!(
                api = config.telegram.api_url.as_deref().unwrap_or("Telegram"),
                "starting the Telegram bot"
            );
            let every = std::time::Duration::from_secs(30);
            running.push(
                telegram::start(
                    engine.clone(),
                    token,
                    config.telegram.api_url.as_deref(),
                    Some(every),
                )
                .await?,
            );
        }
        let mut discord_bot = None;
        if let Some(token) = &config.discord.token {
            tracing::info!(
                api = config.discord.api_url.as_deref().unwrap_or("Discord"),
                "starting the Discord bot"
            );
            discord_bot = Some(
                discord::start(
                    engine.clone(),
                    token,
                    config.discord.api_url.as_deref(),
                    discord::Options {
                        tutor_role: config.discord.tutor_role.clone(),
                        ..discord::Options::default()
                    },
                )
                .await?,
            );
        }
        // Both bots run over the one store until Ctrl-C (Telegram's dispatcher ends on it).
        if running.is_empty() {
            if let Some(mut d) = discord_bot {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = d.ended() => {}
                }
                d.stop().await;
            }
        } else {
            for r in running {
                r.wait().await;
            }
            if let Some(d) = discord_bot {
                d.stop().await;
            }
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn play(project: &Project, db: &std::path::Path, name: &str) -> Result<ExitCode> {
    let engine = engine(project, db)?;
    let stdin = std::io::stdin();
    let here = std::env::current_dir().unwrap_or_else(|_| project.root.clone());
    console::run(&engine, name, stdin.lock(), std::io::stdout().lock(), &here)?;
    Ok(ExitCode::SUCCESS)
}

fn prompts(project: &Project) -> Result<Prompts> {
    Prompts::load(&project.prompts())
        .with_context(|| format!("loading templates from {}", project.prompts().display()))
}

fn library(project: &Project) -> Result<Library> {
    Ok(Library::load(&project.standards(), &project.root)?)
}

/// The summary fields templates show for a standard.
fn summary(s: &Standard) -> serde_json::Value {
    json!({
        "code": s.code(),
        "title": s.standard.title,
        "kind": s.standard.kind,
        "source": s.standard.source,
        "provisional": s.standard.provisional,
        "performance": s.count(ItemKind::Performance),
        "knowledge": s.count(ItemKind::Knowledge),
        "skills": s.count(ItemKind::Skill),
        "behaviours": s.count(ItemKind::Behaviour),
        "items": s.items.len(),
    })
}

/// Items with `heading` set where a new section starts, for listing.
fn with_headings(s: &Standard) -> Vec<serde_json::Value> {
    let mut last: Option<&str> = None;
    s.items
        .iter()
        .map(|it| {
            let heading = it.section.as_deref().filter(|&h| Some(h) != last);
            last = it.section.as_deref();
            json!({"id": it.id, "text": it.text, "heading": heading})
        })
        .collect()
}

fn standards(project: &Project, cmd: StandardsCmd) -> Result<ExitCode> {
    let p = prompts(project)?;
    match cmd {
        StandardsCmd::List => {
            let lib = library(project)?;
            let list: Vec<_> = lib.standards().map(summary).collect();
            let total: usize = lib.standards().map(|s| s.items.len()).sum();
            println!(
                "{}",
                p.render(
                    "cli/standards-list",
                    &json!({"count": list.len(), "standards": list, "total": total})
                )?
            );
        }
        StandardsCmd::Show { standard, json } => {
            let path = PathBuf::from(&standard);
            let std = if path.is_file() {
                library::load_file(&path, &standard)?
            } else {
                library(project)?.get(&standard)?.standard.clone()
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&std)?);
            } else {
                println!(
                    "{}",
                    p.render(
                        "cli/standards-show",
                        &json!({"summary": summary(&std), "standard": std.standard,
                                "items": with_headings(&std)})
                    )?
                );
            }
        }
        StandardsCmd::Import { file } => {
            let mut lib = library(project)?;
            let dest = lib.import(&file)?;
            let std = &lib.get_path(&dest)?.standard;
            let draft = bank::draft::write_draft(&project.data(), std)?;
            println!(
                "{}",
                p.render(
                    "cli/standards-import",
                    &json!({"summary": summary(std), "dest": project.shown(&dest),
                            "draft": draft.map(|d| project.shown(&d))})
                )?
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn bank_cmd(project: &Project, cmd: BankCmd) -> Result<ExitCode> {
    let p = prompts(project)?;
    match cmd {
        BankCmd::Build => {
            let lib = library(project)?;
            let mat = Material::load(&project.data())?;
            let dir = project.bank();
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let mut written = Vec::new();
            let all: Vec<_> = lib.standards().collect();
            for s in lib.standards() {
                let file = bank::generate::build(s, &all, &mat, &p)?;
                let path = dir.join(bank::file_name(s.code()));
                let json = file.to_json();
                let same = std::fs::read_to_string(&path).is_ok_and(|old| old == json);
                if !same {
                    std::fs::write(&path, &json)
                        .with_context(|| format!("writing {}", path.display()))?;
                }
                written.push(json!({
                    "code": s.code(),
                    "path": project.shown(&path),
                    "questions": file.questions.len(),
                    "changed": !same,
                }));
            }
            println!(
                "{}",
                p.render("cli/bank-build", &json!({"banks": written}))?
            );
            Ok(ExitCode::SUCCESS)
        }
        BankCmd::Export {
            format,
            standard,
            out,
        } => {
            let mut banks = bank::read_dir(&project.bank())?;
            if let Some(code) = &standard {
                banks.retain(|b| b.standard.code.eq_ignore_ascii_case(code));
                if banks.is_empty() {
                    bail!("no standard {code:?} in the question bank");
                }
            }
            let text = match format {
                BankFormat::Gift => ksbquiz::export::moodle::gift(&banks),
                BankFormat::MoodleXml => ksbquiz::export::moodle::moodle_xml(&banks)?,
            };
            std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
            let questions: usize = banks.iter().map(|b| b.questions.len()).sum();
            println!(
                "{}",
                p.render(
                    "cli/bank-export",
                    &json!({"questions": questions, "out": out.display().to_string()})
                )?
            );
            Ok(ExitCode::SUCCESS)
        }
        BankCmd::Review { code, items } => {
            let today = chrono::Local::now().format("%Y-%m-%d").to_string();
            let marked = bank::draft::review(&project.data(), &code, &items, &today)?;
            println!(
                "{}",
                p.render(
                    "cli/bank-review",
                    &json!({"code": code, "marked": marked, "count": marked.len()})
                )?
            );
            Ok(ExitCode::SUCCESS)
        }
        BankCmd::Check { json } => {
            let path = project.bank_limits();
            let limits = if path.exists() {
                Limits::load(&path)?
            } else {
                Limits::default()
            };
            let banks = bank::read_dir(&project.bank())?;
            if banks.is_empty() {
                bail!(
                    "no bank files in {}: run `ksbquiz bank build` first",
                    project.bank().display()
                );
            }
            let mut report = bank::check::check(&banks, &limits);
            stale(project, &p, &banks, &mut report.errors)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{}",
                    p.render(
                        "cli/bank-check",
                        &json!({"report": report, "limits": limits, "ok": report.ok(),
                                "pct": pct(&report, &limits), "problems": report.problems().collect::<Vec<_>>()})
                    )?
                );
            }
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// Percentages for the check template.
fn pct(r: &bank::check::Report, limits: &Limits) -> serde_json::Value {
    let f = |x: f64| format!("{:.1}%", 100.0 * x);
    json!({
        "test_wise": r.test_wise.iter().map(|(k, &v)| (k.clone(), f(v))).collect::<std::collections::BTreeMap<_, _>>(),
        // One row per strategy: its share over the bank, then per question type.
        "test_wise_rows": r.test_wise.iter().map(|(name, &all)| json!({
            "strategy": name,
            "all": f(all),
            "by_type": r.test_wise_by_type.iter().map(|(t, m)| json!({
                "type": t,
                "share": f(m.get(name).copied().unwrap_or(0.0)),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "max_test_wise": f(limits.max_test_wise),
        "max_test_wise_per_type": f(limits.max_test_wise_per_type),
        "chance": f(r.chance),
        "positions": r.positions.iter().map(|&x| f(x)).collect::<Vec<_>>(),
        "answer_only": r.answer_only.by_type.iter().map(|(t, s)| json!({
            "type": t, "accuracy": f(s.accuracy), "chance": f(s.chance),
            "ceiling": f(s.chance + limits.max_answer_only_margin), "questions": s.questions,
        })).collect::<Vec<_>>(),
        "cues": r.answer_only.cues.iter().map(|c| json!({
            "feature": c.feature, "weight": format!("{:+.2}", c.weight),
            "keys": c.keys, "distractors": c.distractors,
        })).collect::<Vec<_>>(),
        "flagged": r.answer_only.flagged.iter().map(|q| json!({
            "question": q.question, "probability": f(q.probability), "feature": q.feature,
        })).collect::<Vec<_>>(),
        "poll_fit": f(r.poll_fit as f64 / r.questions.max(1) as f64),
    })
}

/// Adds an error for every bank file that differs from a fresh build, or is missing.
fn stale(
    project: &Project,
    p: &Prompts,
    banks: &[BankFile],
    errors: &mut Vec<String>,
) -> Result<()> {
    let lib = library(project)?;
    let mat = Material::load(&project.data())?;
    let all: Vec<_> = lib.standards().collect();
    for s in lib.standards() {
        let fresh = bank::generate::build(s, &all, &mat, p)?;
        let name = bank::file_name(s.code());
        match banks.iter().find(|b| b.standard.code == s.code()) {
            None => errors.push(format!(
                "question-bank/{name} is missing: run `ksbquiz bank build`"
            )),
            Some(b) if *b != fresh => errors.push(format!(
                "question-bank/{name} is out of date with data/ and prompts/: run `ksbquiz bank build`"
            )),
            Some(_) => {}
        }
    }
    Ok(())
}

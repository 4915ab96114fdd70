//! What can be typed: the command line's arguments and subcommands (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Quizzes for care apprentices, built from the occupational standards they are assessed on.
///
/// ksbquiz reads National Occupational Standards and apprenticeship standards, turns every
/// knowledge item into scenario questions (the question bank), and quizzes learners on them.
#[derive(Parser, Debug)]
#[command(name = "ksbquiz", version, propagate_version = true)]
pub(crate) struct Cli {
    /// Project folder holding data/, prompts/ and question-bank/.
    #[arg(long, global = true, env = "KSBQUIZ_ROOT", default_value = ".")]
    pub(crate) root: PathBuf,

    /// The configuration file (default: ksbquiz.toml in the project folder, if there is one).
    #[arg(long, global = true, env = "KSBQUIZ_CONFIG")]
    pub(crate) config: Option<PathBuf>,

    /// Log format on standard error: text (default) or json (one object a line).
    #[arg(
        long,
        global = true,
        env = "KSBQUIZ_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub(crate) log_format: LogFormat,

    /// The learners' database (sled). Defaults to ksbquiz-data/db under the project folder.
    #[arg(long, global = true, env = "KSBQUIZ_DB")]
    pub(crate) db: Option<PathBuf>,

    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// List, show and import occupational standards (data/standards/).
    #[command(subcommand)]
    Standards(StandardsCmd),
    /// Build and check the question bank (question-bank/).
    #[command(subcommand)]
    Bank(BankCmd),
    /// Export a cohort's results per knowledge item (CSV, XLSX, JSON or an HTML report).
    Export(ExportArgs),
    /// Back up the store into one checksummed file. With --server, the running server writes
    /// it (no stop needed: sled lets one process open a store); else the store at --db.
    Backup {
        /// The backup file to write.
        #[arg(long)]
        out: PathBuf,
        /// A running `ksbquiz serve --http ADDR` to take the backup from, e.g. 127.0.0.1:9090.
        #[arg(long, env = "KSBQUIZ_SERVER")]
        server: Option<String>,
    },
    /// Restore a backup file into a new store at --db (refused if that folder is not empty,
    /// or the file's checksum does not match).
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Configuration: `config check` prints the effective settings (tokens masked) and where
    /// each came from, and fails naming the key when one is wrong.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Scheduling: fit FSRS weights to this store's answers (the server refits daily).
    #[command(subcommand)]
    Scheduling(SchedulingCmd),
    #[cfg(feature = "testkit")]
    /// Measure this machine: answer recording, daily planning, bank build, export, push.
    Bench {
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
        /// Reduced sizes (for CI).
        #[arg(long)]
        quick: bool,
        /// The learning benchmark instead: recall on the end-point date under SM-2, Leitner
        /// and ksbquiz, with simulated apprentices whose memory is not FSRS.
        #[arg(long)]
        learning: bool,
    },
    #[cfg(feature = "testkit")]
    /// Fault-test load: learners answering as fast as they can until killed (prints acks).
    #[command(hide = true)]
    Storm {
        #[arg(long, default_value_t = 64)]
        learners: usize,
    },
    #[cfg(feature = "testkit")]
    /// Benchmark phase: plan today's quiz for every learner in the database (prints JSON with
    /// this process's peak memory).
    #[command(hide = true)]
    BenchPlan,
    #[cfg(feature = "testkit")]
    /// Benchmark phase: the bench cohort's per-item report (prints JSON with this process's
    /// peak memory).
    #[command(hide = true)]
    BenchExport,
    /// Run the bots configured (Telegram with TELEGRAM_BOT_TOKEN, Discord with DISCORD_TOKEN,
    /// or ksbquiz.toml) over one store.
    Serve {
        /// Serve /healthz, /metrics and /backup on this address (e.g. 127.0.0.1:9090).
        #[arg(long, env = "KSBQUIZ_HTTP")]
        http: Option<std::net::SocketAddr>,
    },
    /// Take quizzes in the terminal (what `ksbquiz` with no command does when no bot is
    /// configured).
    Play {
        /// Your name: your progress is kept under it.
        #[arg(long, env = "USER", default_value = "learner")]
        name: String,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub(crate) enum ConfigCmd {
    /// Print the effective configuration and exit non-zero on an error.
    Check {
        /// Print it as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum SchedulingCmd {
    /// Fit FSRS weights for the install and for each cohort with enough reviews, print what
    /// each fit learned from and its log loss against the defaults on held-back reviews, and
    /// keep the fits that beat the defaults.
    Fit {
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug)]
pub(crate) struct ExportArgs {
    /// The cohort's join code.
    #[arg(long, conflicts_with = "all", required_unless_present = "all")]
    pub(crate) cohort: Option<String>,
    /// Every learner (or, with --tutor, every learner in that tutor's cohorts).
    #[arg(long)]
    pub(crate) all: bool,
    /// Only what this tutor may see: their account, e.g. telegram:12345.
    #[arg(long)]
    pub(crate) tutor: Option<String>,
    /// First day of answers to include (YYYY-MM-DD).
    #[arg(long)]
    pub(crate) from: Option<chrono::NaiveDate>,
    /// Last day of answers to include (YYYY-MM-DD).
    #[arg(long)]
    pub(crate) to: Option<chrono::NaiveDate>,
    #[arg(long, value_enum, default_value = "html")]
    pub(crate) format: ReportFormat,
    /// Output file (a folder for CSV, which writes items.csv, learners.csv, questions.csv).
    #[arg(long)]
    pub(crate) out: PathBuf,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub(crate) enum ReportFormat {
    Csv,
    Xlsx,
    Json,
    Html,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub(crate) enum BankFormat {
    Gift,
    MoodleXml,
}

#[derive(Subcommand, Debug)]
pub(crate) enum StandardsCmd {
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
pub(crate) enum BankCmd {
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
    /// Print questions drawn at random, each as the learner meets it, with its key and the
    /// reason for every option: a sheet for a reviewer who did not write the material.
    Sample {
        /// How many questions.
        #[arg(long, default_value_t = 30)]
        count: usize,
        /// Seed of the draw: the same seed and bank give the same sheet.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Only this standard (default: all).
        #[arg(long)]
        standard: Option<String>,
        /// Every question instead of a draw, item by item in the bank's order (a tutor's
        /// review of a whole standard, reading an item's four questions together).
        #[arg(long, conflicts_with_all = ["count", "seed"])]
        all: bool,
    },
}

impl Command {
    /// Whether the command prints a report and ends (not a server or a conversation).
    pub(crate) fn is_report(&self) -> bool {
        matches!(
            self,
            Command::Standards(_)
                | Command::Bank(_)
                | Command::Export(_)
                | Command::Config(_)
                | Command::Scheduling(_)
                | Command::Backup { .. }
                | Command::Restore { .. }
        )
    }
}

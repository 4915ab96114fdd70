//! The `ksbquiz` command line: wiring only. `cli` holds the commands; each loads what it needs
//! from the project folder, calls the library and prints through `prompts/cli/` templates.

use std::process::ExitCode;

use clap::Parser;

mod cli;

/// jemalloc instead of the C library's allocator: sled allocates and frees on every write and
/// read (a copy of the page it changes, each record it hands out), and with many threads
/// glibc's malloc was a sixth of an answer's CPU time. Measured here: 12% more durable answers
/// a second at 64 learners at once and daily planning a fifth faster, for 7 MB more at the
/// peak of planning 100,000 learners.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = cli::args::Cli::parse();
    // A report piped into `head` and the like ends quietly when the reader goes, as Unix tools
    // do, instead of panicking on the broken pipe. Not for the server and the terminal quiz:
    // there a closed connection must stay an error to handle, never a signal that kills.
    #[cfg(unix)]
    if cli.command.as_ref().is_some_and(|c| c.is_report()) {
        // SAFETY: setting a signal's disposition to its default before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("KSBQUIZ_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        cli::args::LogFormat::Json => logs.json().init(),
        cli::args::LogFormat::Text => logs.init(),
    }
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

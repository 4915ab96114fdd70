//! `ksbquiz serve` (the bots configured, over one store) and `ksbquiz play` (the terminal quiz).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Result, bail};

use super::engine;
use ksbquiz::adapters::{console, discord, telegram};
use ksbquiz::project::Project;

pub(crate) fn serve(project: &Project, db: &std::path::Path) -> Result<ExitCode> {
    let config = project.settings()?;
    if !config.has_bots() {
        bail!(
            "no bot is configured: set TELEGRAM_BOT_TOKEN (and/or DISCORD_TOKEN), or put them in \
             ksbquiz.toml; `ksbquiz play` runs the quiz in this terminal instead"
        );
    }
    let engine = Arc::new(engine(project, db)?);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        tokio::spawn(replan_daily(engine.clone()));
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

/// Refits the FSRS weights and re-decides stale plans now and then once a day, off the async
/// threads (a fit takes seconds on a large store).
async fn replan_daily(engine: Arc<ksbquiz::engine::Engine>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
    loop {
        every.tick().await;
        let e = engine.clone();
        let done =
            tokio::task::spawn_blocking(move || -> ksbquiz::engine::Result<(usize, usize)> {
                let kept = e.refit()?.iter().filter(|r| r.kept).count();
                Ok((kept, e.replan_all()?))
            })
            .await;
        match done {
            Ok(Ok((kept, replanned))) => {
                tracing::info!(kept, replanned, "scheduling refitted and plans re-decided")
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "refit or replan failed; will retry tomorrow"),
            Err(e) => tracing::warn!(error = %e, "refit task failed"),
        }
    }
}

pub(crate) fn play(project: &Project, db: &std::path::Path, name: &str) -> Result<ExitCode> {
    let engine = engine(project, db)?;
    let stdin = std::io::stdin();
    let here = std::env::current_dir().unwrap_or_else(|_| project.root.clone());
    console::run(&engine, name, stdin.lock(), std::io::stdout().lock(), &here)?;
    Ok(ExitCode::SUCCESS)
}

//! `ksbquiz serve` (the bots configured, over one store) and `ksbquiz play` (the terminal quiz).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Result, bail};

use super::engine;
use ksbquiz::adapters::{console, discord, ops, telegram};
use ksbquiz::project::Project;

pub(crate) fn serve(
    project: &Project,
    db: &std::path::Path,
    http: Option<std::net::SocketAddr>,
) -> Result<ExitCode> {
    let config = project.settings()?;
    if !config.has_bots() {
        bail!(
            "no bot is configured: set KSBQUIZ_TELEGRAM_TOKEN (and/or KSBQUIZ_DISCORD_TOKEN), or \
             put them in ksbquiz.toml; `ksbquiz play` runs the quiz in this terminal instead"
        );
    }
    let engine = Arc::new(engine(project, db)?);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        tokio::spawn(replan_daily(engine.clone()));
        let mut telegram_bot = None;
        if let Some(token) = &config.telegram.token {
            tracing::info!(
                api = config.telegram.api_url.as_deref().unwrap_or("Telegram"),
                "starting the Telegram bot"
            );
            let every = std::time::Duration::from_secs(30);
            let webhook = match &config.telegram.webhook_url {
                Some(url) => Some(telegram::Webhook {
                    url: url.parse().map_err(|e| {
                        anyhow::anyhow!("telegram.webhook_url {url:?} is not a URL: {e}")
                    })?,
                    listen: config
                        .telegram
                        .webhook_listen
                        .as_deref()
                        .unwrap_or("0.0.0.0:8443")
                        .parse()
                        .map_err(|e| anyhow::anyhow!("telegram.webhook_listen: {e}"))?,
                    secret: config.telegram.webhook_secret.clone().unwrap_or_else(|| {
                        // Without a configured secret, a fresh random one each start
                        // (setWebhook tells Telegram; nobody else can know it).
                        use rand::Rng;
                        let s: String = rand::rng()
                            .sample_iter(rand::distr::Alphanumeric)
                            .take(48)
                            .map(char::from)
                            .collect();
                        ksbquiz::config::Secret::new(s)
                    }),
                }),
                None => None,
            };
            if webhook.is_some() {
                tracing::info!("receiving Telegram updates by webhook");
            }
            telegram_bot = Some(
                telegram::start_with(
                    engine.clone(),
                    token,
                    config.telegram.api_url.as_deref(),
                    Some(every),
                    webhook,
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
        let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
        let http_task = match http {
            Some(addr) => {
                let mut bots = Vec::new();
                if let Some(t) = &telegram_bot {
                    bots.push(("telegram", t.probe()));
                }
                if let Some(d) = &discord_bot {
                    bots.push(("discord", d.probe()));
                }
                let ops = ops::Ops {
                    engine: engine.clone(),
                    bots,
                };
                Some(tokio::spawn(ops::serve(addr, ops, async {
                    let _ = http_stopped.await;
                })))
            }
            None => None,
        };
        // Until SIGTERM (a service manager, `docker stop`) or Ctrl-C, or a bot gives up.
        let signal = shutdown_signal();
        tokio::pin!(signal);
        match discord_bot.as_mut() {
            Some(d) => tokio::select! { _ = &mut signal => {}, _ = d.ended() => {} },
            None => signal.await,
        }
        tracing::info!("stopping: no new input; finishing what is in flight");
        // Stop taking input, let handlers in flight finish (each stop waits up to 10 s),
        // then make every recorded answer durable before exiting.
        let stopping = async {
            if let Some(t) = telegram_bot {
                t.stop().await;
            }
            if let Some(d) = discord_bot {
                d.stop().await;
            }
        };
        if tokio::time::timeout(std::time::Duration::from_secs(9), stopping)
            .await
            .is_err()
        {
            tracing::warn!("bots did not stop within 9 s");
        }
        let _ = stop_http.send(());
        if let Some(h) = http_task {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), h).await;
        }
        let e = engine.clone();
        tokio::task::spawn_blocking(move || e.flush()).await??;
        tracing::info!("stopped cleanly");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Completes on SIGTERM or Ctrl-C (SIGINT).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
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

//! Deployment settings: bot tokens and API base URLs, from the environment or `ksbquiz.toml`
//! in the project folder (the environment wins). Tokens are [`Secret`]s: they print as `***`,
//! so they cannot reach a log by accident.

use std::path::Path;

use serde::Deserialize;
use thiserror::Error;

/// A value that must never be shown (a bot token).
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Telegram {
    pub token: Option<Secret>,
    /// Bot API base URL (a self-hosted Bot API server, or a local fake in tests).
    pub api_url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discord {
    pub token: Option<Secret>,
    pub api_url: Option<String>,
    /// Name of the role allowed to run cohort quizzes (besides Manage Server).
    pub tutor_role: Option<String>,
}

/// Scheduling settings (`[scheduling]` in ksbquiz.toml).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scheduling {
    /// Recall probability FSRS aims for (0.7 to 0.97).
    pub desired_retention: f32,
    /// Lapses after which an item is flagged for the tutor.
    pub leech_threshold: u32,
}

impl Default for Scheduling {
    fn default() -> Self {
        let d = crate::srs::Config::default();
        Scheduling {
            desired_retention: d.desired_retention,
            leech_threshold: d.leech_threshold,
        }
    }
}

impl Scheduling {
    /// The scheduler settings, refusing values FSRS cannot work with.
    pub fn srs(&self) -> Result<crate::srs::Config, ConfigError> {
        if !(0.7..=0.97).contains(&self.desired_retention) || self.leech_threshold == 0 {
            return Err(ConfigError::File {
                path: "ksbquiz.toml [scheduling]".into(),
                message:
                    "desired_retention must be between 0.7 and 0.97 and leech_threshold at least 1"
                        .into(),
            });
        }
        Ok(crate::srs::Config {
            desired_retention: self.desired_retention,
            leech_threshold: self.leech_threshold,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub telegram: Telegram,
    #[serde(default)]
    pub discord: Discord,
    #[serde(default)]
    pub scheduling: Scheduling,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

impl Config {
    /// Reads `ksbquiz.toml` (if present) and applies the environment on top:
    /// `TELEGRAM_BOT_TOKEN`, `TELEGRAM_API_URL`, `DISCORD_TOKEN`, `DISCORD_API_URL`.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join("ksbquiz.toml");
        let mut c: Config = match std::fs::read_to_string(&path) {
            Ok(raw) => toml::from_str(&raw).map_err(|e| ConfigError::File {
                path: path.display().to_string(),
                message: e.to_string(),
            })?,
            Err(_) => Config::default(),
        };
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if let Some(t) = env("TELEGRAM_BOT_TOKEN") {
            c.telegram.token = Some(Secret::new(t));
        }
        if let Some(u) = env("TELEGRAM_API_URL") {
            c.telegram.api_url = Some(u);
        }
        if let Some(t) = env("DISCORD_TOKEN") {
            c.discord.token = Some(Secret::new(t));
        }
        if let Some(u) = env("DISCORD_API_URL") {
            c.discord.api_url = Some(u);
        }
        Ok(c)
    }

    /// Whether any bot is configured (then `ksbquiz` with no command serves them).
    pub fn has_bots(&self) -> bool {
        self.telegram.token.is_some() || self.discord.token.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("123:ABC");
        assert_eq!(format!("{s:?}"), "***");
        let c = Config {
            telegram: Telegram {
                token: Some(s),
                api_url: None,
            },
            ..Config::default()
        };
        assert!(!format!("{c:?}").contains("ABC"));
    }
}

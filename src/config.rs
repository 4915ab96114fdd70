//! Deployment settings: bot tokens, API base URLs, the Discord tutor role, scheduling, from a
//! TOML file (`--config PATH` / `KSBQUIZ_CONFIG`, else `ksbquiz.toml` in the project folder if
//! there is one) and the environment, which wins: every setting has a variable named
//! `KSBQUIZ_<SECTION>_<KEY>` (see [`SETTINGS`]; the older `TELEGRAM_BOT_TOKEN`,
//! `TELEGRAM_API_URL`, `DISCORD_TOKEN` and `DISCORD_API_URL` still work). Tokens are
//! [`Secret`]s: they print as `***`, so they cannot reach a log by accident. `ksbquiz.example.toml`
//! documents every key.

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
    /// Public HTTPS URL Telegram sends updates to (webhook mode); polling when unset.
    pub webhook_url: Option<String>,
    /// Local address the webhook listener binds (default 0.0.0.0:8443).
    pub webhook_listen: Option<String>,
    /// Secret Telegram must send with every update (`X-Telegram-Bot-Api-Secret-Token`).
    pub webhook_secret: Option<Secret>,
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

/// Every setting: its key in the file, and the environment variables that set it (the first
/// is the documented name; later ones are older names still read).
pub const SETTINGS: &[(&str, &[&str])] = &[
    (
        "telegram.token",
        &["KSBQUIZ_TELEGRAM_TOKEN", "TELEGRAM_BOT_TOKEN"],
    ),
    (
        "telegram.api_url",
        &["KSBQUIZ_TELEGRAM_API_URL", "TELEGRAM_API_URL"],
    ),
    ("telegram.webhook_url", &["KSBQUIZ_TELEGRAM_WEBHOOK_URL"]),
    (
        "telegram.webhook_listen",
        &["KSBQUIZ_TELEGRAM_WEBHOOK_LISTEN"],
    ),
    (
        "telegram.webhook_secret",
        &["KSBQUIZ_TELEGRAM_WEBHOOK_SECRET"],
    ),
    ("discord.token", &["KSBQUIZ_DISCORD_TOKEN", "DISCORD_TOKEN"]),
    (
        "discord.api_url",
        &["KSBQUIZ_DISCORD_API_URL", "DISCORD_API_URL"],
    ),
    ("discord.tutor_role", &["KSBQUIZ_DISCORD_TUTOR_ROLE"]),
    (
        "scheduling.desired_retention",
        &["KSBQUIZ_SCHEDULING_DESIRED_RETENTION"],
    ),
    (
        "scheduling.leech_threshold",
        &["KSBQUIZ_SCHEDULING_LEECH_THRESHOLD"],
    ),
];

/// Where each setting's value came from, by key.
pub type Origins = Vec<(&'static str, Origin)>;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Origin {
    Default,
    File,
    Env(String),
}

impl Config {
    /// Reads `ksbquiz.toml` in `root` (if present) and applies the environment on top.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        Ok(Config::load_from(None, root)?.0)
    }

    /// Reads the file `file` names (it must exist), else `ksbquiz.toml` in `root` if present,
    /// applies the environment on top, and says where each setting came from.
    pub fn load_from(file: Option<&Path>, root: &Path) -> Result<(Config, Origins), ConfigError> {
        let (path, must) = match file {
            Some(f) => (f.to_path_buf(), true),
            None => (root.join("ksbquiz.toml"), false),
        };
        let shown = path.display().to_string();
        let mut from_file: Option<toml::Table> = None;
        let mut c: Config = match std::fs::read_to_string(&path) {
            Ok(raw) => {
                from_file = raw.parse::<toml::Table>().ok();
                toml::from_str(&raw).map_err(|e| ConfigError::File {
                    path: shown.clone(),
                    message: e.to_string(),
                })?
            }
            Err(e) if must => {
                return Err(ConfigError::File {
                    path: shown,
                    message: format!(
                        "{e} (expected the configuration file --config or KSBQUIZ_CONFIG names)"
                    ),
                });
            }
            Err(_) => Config::default(),
        };
        let mut origins = Vec::new();
        for (key, vars) in SETTINGS {
            let in_file = key.split_once('.').is_some_and(|(sec, k)| {
                from_file
                    .as_ref()
                    .and_then(|t| t.get(sec))
                    .and_then(|s| s.get(k))
                    .is_some()
            });
            let mut origin = if in_file {
                Origin::File
            } else {
                Origin::Default
            };
            let set = vars.iter().find_map(|v| {
                std::env::var(v)
                    .ok()
                    .filter(|x| !x.trim().is_empty())
                    .map(|x| (*v, x))
            });
            if let Some((var, value)) = set {
                c.set(key, var, value.trim())?;
                origin = Origin::Env(var.to_string());
            }
            origins.push((*key, origin));
        }
        c.scheduling.srs()?;
        Ok((c, origins))
    }

    /// Sets one setting from an environment variable's text.
    fn set(&mut self, key: &str, var: &str, v: &str) -> Result<(), ConfigError> {
        let bad = |what: &str| ConfigError::File {
            path: format!("environment variable {var}"),
            message: format!("{v:?} is not {what} (it sets {key})"),
        };
        match key {
            "telegram.token" => self.telegram.token = Some(Secret::new(v)),
            "telegram.api_url" => self.telegram.api_url = Some(v.into()),
            "telegram.webhook_url" => self.telegram.webhook_url = Some(v.into()),
            "telegram.webhook_listen" => self.telegram.webhook_listen = Some(v.into()),
            "telegram.webhook_secret" => self.telegram.webhook_secret = Some(Secret::new(v)),
            "discord.token" => self.discord.token = Some(Secret::new(v)),
            "discord.api_url" => self.discord.api_url = Some(v.into()),
            "discord.tutor_role" => self.discord.tutor_role = Some(v.into()),
            "scheduling.desired_retention" => {
                self.scheduling.desired_retention =
                    v.parse().map_err(|_| bad("a number such as 0.9"))?
            }
            "scheduling.leech_threshold" => {
                self.scheduling.leech_threshold = v.parse().map_err(|_| bad("a whole number"))?
            }
            _ => {}
        }
        Ok(())
    }

    /// The effective value of a setting as it may be shown: tokens masked.
    pub fn shown(&self, key: &str) -> Option<String> {
        let mask = |s: &Option<Secret>| s.as_ref().map(|_| "***".to_string());
        match key {
            "telegram.token" => mask(&self.telegram.token),
            "telegram.api_url" => self.telegram.api_url.clone(),
            "telegram.webhook_url" => self.telegram.webhook_url.clone(),
            "telegram.webhook_listen" => self.telegram.webhook_listen.clone(),
            "telegram.webhook_secret" => mask(&self.telegram.webhook_secret),
            "discord.token" => mask(&self.discord.token),
            "discord.api_url" => self.discord.api_url.clone(),
            "discord.tutor_role" => self.discord.tutor_role.clone(),
            "scheduling.desired_retention" => Some(self.scheduling.desired_retention.to_string()),
            "scheduling.leech_threshold" => Some(self.scheduling.leech_threshold.to_string()),
            _ => None,
        }
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
                ..Telegram::default()
            },
            ..Config::default()
        };
        assert!(!format!("{c:?}").contains("ABC"));
    }
}

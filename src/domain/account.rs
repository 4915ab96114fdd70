//! Platform accounts: who a message came from, as `platform:id` (`telegram:123`,
//! `discord:456`, `console:Sam`). One learner may link several.

use std::fmt;
use std::str::FromStr;

/// A learner's account on one platform. Written and stored as `platform:id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Account {
    platform: String,
    id: String,
}

impl Account {
    pub fn new(platform: &str, id: impl fmt::Display) -> Account {
        Account {
            platform: platform.to_string(),
            id: id.to_string(),
        }
    }

    pub fn telegram(user: u64) -> Account {
        Account::new("telegram", user)
    }

    pub fn discord(user: u64) -> Account {
        Account::new("discord", user)
    }

    pub fn console(name: &str) -> Account {
        Account::new("console", name)
    }

    /// `telegram`, `discord`, `console`, ...
    pub fn platform(&self) -> &str {
        &self.platform
    }

    /// The platform's own id for the user (for Telegram and Discord, a number).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The platform's numeric user id, where it has one.
    pub fn number(&self) -> Option<u64> {
        self.id.parse().ok()
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.id)
    }
}

/// An account string without a `platform:` prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an account (platform:id): {0:?}")]
pub struct NotAnAccount(pub String);

impl FromStr for Account {
    type Err = NotAnAccount;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some((p, id)) if !p.is_empty() && !id.is_empty() => Ok(Account::new(p, id)),
            _ => Err(NotAnAccount(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_read_back_as_written() {
        let a = Account::telegram(123);
        assert_eq!(a.to_string(), "telegram:123");
        assert_eq!("telegram:123".parse::<Account>(), Ok(a));
        assert_eq!(
            "console:Sam Smith"
                .parse::<Account>()
                .map(|a| a.id().to_string()),
            Ok("Sam Smith".into())
        );
        assert!("telegram".parse::<Account>().is_err());
        assert_eq!(Account::discord(7).number(), Some(7));
    }
}

//! Small records the engine keeps for its own and the chat platforms' bookkeeping, each under
//! a key only this file builds in the `settings` tree: a learner's pending `/forget`
//! (`forget/{learner}`), one-time account link codes (`link/{code}`), and live quizzes in
//! progress (`live/{channel}`, whatever record the engine hands in, so a restart can end them).
//! Also the two trees of their own: which delivery a platform's poll asks (`polls`), and each
//! learner's last daily prompt (`prompted`).

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::keys::lkey;
use super::{Result, Store, dec, enc};
use crate::domain::{LearnerId, Prompted};

fn forget_key(id: LearnerId) -> String {
    format!("forget/{id}")
}

fn link_key(code: &str) -> String {
    format!("link/{code}")
}

fn live_key(channel: u64) -> String {
    format!("live/{channel}")
}

/// A one-time code that links another account to `learner` until `expires`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkCode {
    pub learner: LearnerId,
    pub expires: DateTime<Utc>,
}

impl Store {
    fn get_setting<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        self.inner.settings.get(name)?.map(|v| dec(&v)).transpose()
    }

    fn put_setting<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        self.inner.settings.insert(name, enc(value))?;
        Ok(())
    }

    fn remove_setting(&self, name: &str) -> Result<()> {
        self.inner.settings.remove(name)?;
        Ok(())
    }

    /// Settings whose names start with `prefix`, with their names.
    fn settings_under<T: DeserializeOwned>(&self, prefix: &str) -> Result<Vec<(String, T)>> {
        self.inner
            .settings
            .scan_prefix(prefix)
            .map(|r| {
                let (k, v) = r?;
                Ok((String::from_utf8_lossy(&k).into_owned(), dec(&v)?))
            })
            .collect()
    }

    /// Notes when a learner asked to be forgotten (the confirmation must follow soon).
    pub fn put_forget_request(&self, id: LearnerId, at: DateTime<Utc>) -> Result<()> {
        self.put_setting(&forget_key(id), &at)
    }

    pub fn forget_request(&self, id: LearnerId) -> Result<Option<DateTime<Utc>>> {
        self.get_setting(&forget_key(id))
    }

    pub fn clear_forget_request(&self, id: LearnerId) -> Result<()> {
        self.remove_setting(&forget_key(id))
    }

    /// Pending `/forget` requests (for tests and a learner's own data).
    pub fn forget_requests(&self) -> Result<Vec<(LearnerId, DateTime<Utc>)>> {
        Ok(self
            .settings_under::<DateTime<Utc>>("forget/")?
            .into_iter()
            .filter_map(|(k, at)| Some((k.strip_prefix("forget/")?.parse().ok()?, at)))
            .collect())
    }

    pub fn put_link_code(&self, code: &str, link: &LinkCode) -> Result<()> {
        self.put_setting(&link_key(code), link)
    }

    pub fn link_code(&self, code: &str) -> Result<Option<LinkCode>> {
        self.get_setting(&link_key(code))
    }

    pub fn remove_link_code(&self, code: &str) -> Result<()> {
        self.remove_setting(&link_key(code))
    }

    /// Every unused link code, by code.
    pub fn link_codes(&self) -> Result<Vec<(String, LinkCode)>> {
        Ok(self
            .settings_under::<LinkCode>("link/")?
            .into_iter()
            .filter_map(|(k, l)| Some((k.strip_prefix("link/")?.to_string(), l)))
            .collect())
    }

    /// Keeps what a live quiz in `channel` needs for a restart to end it.
    pub fn put_live<T: Serialize>(&self, channel: u64, record: &T) -> Result<()> {
        self.put_setting(&live_key(channel), record)
    }

    /// The live quizzes recorded as in progress, by channel.
    pub fn live_quizzes<T: DeserializeOwned>(&self) -> Result<Vec<(u64, T)>> {
        Ok(self
            .settings_under::<T>("live/")?
            .into_iter()
            .filter_map(|(k, r)| Some((k.strip_prefix("live/")?.parse().ok()?, r)))
            .collect())
    }

    pub fn remove_live(&self, channel: u64) -> Result<()> {
        self.remove_setting(&live_key(channel))
    }

    // ---- platform bookkeeping -----------------------------------------------------------

    /// Remembers which delivery a platform poll asks.
    pub fn put_poll(&self, poll_id: &str, delivery: &str) -> Result<()> {
        self.inner.polls.insert(poll_id, delivery.as_bytes())?;
        Ok(())
    }

    pub fn poll_delivery(&self, poll_id: &str) -> Result<Option<String>> {
        Ok(self
            .inner
            .polls
            .get(poll_id)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// The learner's last daily prompt.
    pub fn prompted(&self, id: LearnerId) -> Result<Option<Prompted>> {
        self.inner
            .prompted
            .get(lkey(id))?
            .map(|v| dec(&v))
            .transpose()
    }

    pub fn put_prompted(&self, id: LearnerId, p: &Prompted) -> Result<()> {
        self.inner.prompted.insert(lkey(id), enc(p))?;
        Ok(())
    }
}

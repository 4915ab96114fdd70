//! Learners and the platform accounts linked to them.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::cache::bounded_insert;
use super::keys::lkey;
use super::{Learner, LearnerId, Result, Settings, Store, StoreError, dec, enc};

impl Store {
    // ---- learners and accounts -------------------------------------------------------

    pub fn learner(&self, id: LearnerId) -> Result<Option<Learner>> {
        Ok(self.shared_learner(id)?.map(Arc::unwrap_or_clone))
    }

    /// [`Store::learner`] shared with the cache, for a caller that only reads it.
    pub fn shared_learner(&self, id: LearnerId) -> Result<Option<Arc<Learner>>> {
        let writes = {
            let known = self.known();
            if let Some(l) = known.learners.get(&id) {
                return Ok(Some(l.clone()));
            }
            known.writes
        };
        let l: Option<Arc<Learner>> = self
            .inner
            .learners
            .get(lkey(id))?
            .map(|v| dec(&v).map(Arc::new))
            .transpose()?;
        if let Some(l) = &l {
            self.keep(writes, |k| bounded_insert(&mut k.learners, id, l.clone()));
        }
        Ok(l)
    }

    pub fn learner_by_account(&self, account: &str) -> Result<Option<Learner>> {
        Ok(self
            .shared_learner_by_account(account)?
            .map(Arc::unwrap_or_clone))
    }

    /// [`Store::learner_by_account`] shared with the cache, for a caller that only reads it
    /// (an answer).
    pub fn shared_learner_by_account(&self, account: &str) -> Result<Option<Arc<Learner>>> {
        let writes = {
            let known = self.known();
            if let Some(id) = known.accounts.get(account) {
                if let Some(l) = known.learners.get(id) {
                    return Ok(Some(l.clone()));
                }
                let id = *id;
                drop(known);
                return self.shared_learner(id);
            }
            known.writes
        };
        match self.inner.accounts.get(account)? {
            Some(v) => {
                let id = u64::from_be_bytes(v.as_ref().try_into().map_err(|_| {
                    StoreError::Corrupt(format!("account {account} maps to a bad id"))
                })?);
                self.keep(writes, |k| {
                    bounded_insert(&mut k.accounts, account.to_string(), id)
                });
                self.shared_learner(id)
            }
            None => Ok(None),
        }
    }

    /// The learner with `account`, created (atomically with the account link) if new.
    pub fn learner_for_account(
        &self,
        account: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(Learner, bool)> {
        if let Some(l) = self.learner_by_account(account)? {
            return Ok((l, false));
        }
        let id = self.inner.db.generate_id()? + 1;
        let learner = Learner {
            id,
            name: name.to_string(),
            accounts: vec![account.to_string()],
            standards: Vec::new(),
            cohorts: Vec::new(),
            settings: Settings::default(),
            created: now,
            inactive: false,
            plan: None,
        };
        let i = &self.inner;
        i.learners.insert(lkey(id), enc(&learner))?;
        self.written(id);
        loop {
            match i.accounts.compare_and_swap(
                account,
                None as Option<&[u8]>,
                Some(&lkey(id)[..]),
            )? {
                Ok(()) => return Ok((learner, true)),
                Err(cas) => {
                    // Another request linked the account first: use that learner, unless the
                    // link points at a learner since deleted, which this one replaces.
                    let existing = cas
                        .current
                        .as_ref()
                        .and_then(|v| v.as_ref().try_into().ok())
                        .map(u64::from_be_bytes);
                    if let Some(other) = existing.map(|e| self.learner(e)).transpose()?.flatten() {
                        i.learners.remove(lkey(id))?;
                        self.written(id);
                        return Ok((other, false));
                    }
                    let _ =
                        i.accounts
                            .compare_and_swap(account, cas.current, None as Option<&[u8]>)?;
                    self.unlinked(account);
                }
            }
        }
    }

    pub fn put_learner(&self, l: &Learner) -> Result<()> {
        self.inner.learners.insert(lkey(l.id), enc(l))?;
        self.written(l.id);
        Ok(())
    }

    /// Links another platform account to a learner (refused if it belongs to someone else).
    pub fn link_account(&self, id: LearnerId, account: &str) -> Result<()> {
        let _g = self.lock(id);
        let mut l = self
            .learner(id)?
            .ok_or_else(|| StoreError::NotFound(format!("learner {id}")))?;
        match self.inner.accounts.compare_and_swap(
            account,
            None as Option<&[u8]>,
            Some(&lkey(id)[..]),
        )? {
            Ok(()) => {}
            Err(cas) if cas.current.as_deref() == Some(&lkey(id)[..]) => {}
            Err(_) => return Err(StoreError::Exists(format!("account {account}"))),
        }
        if !l.accounts.iter().any(|a| a == account) {
            l.accounts.push(account.to_string());
            self.put_learner(&l)?;
        }
        Ok(())
    }

    /// Every learner, in id order.
    pub fn learners(&self) -> impl Iterator<Item = Result<Learner>> + '_ {
        self.inner
            .learners
            .iter()
            .map(|r| r.map_err(StoreError::from).and_then(|(_, v)| dec(&v)))
    }

    pub fn learner_count(&self) -> usize {
        self.inner.learners.len()
    }

    /// Marks a learner (un)reachable, e.g. after the bot was blocked.
    pub fn set_inactive(&self, id: LearnerId, inactive: bool) -> Result<()> {
        let _g = self.lock(id);
        if let Some(mut l) = self.learner(id)? {
            l.inactive = inactive;
            self.put_learner(&l)?;
        }
        Ok(())
    }
}

//! What the store keeps in memory: the per-learner lock stripes and the open quizzes they
//! remember (`Stripe`, `Hot`), and the learner records and account links read recently
//! (`Known`). sled stays the truth; see the module documentation.

use std::sync::Arc;

use chrono::NaiveDate;

use super::{Learner, LearnerId, Pick, Session, SrsState, Store};

/// Learner records and account links read recently, each dropped whenever it is written. A
/// reader caches what it read only if no write happened while it read (`writes` unchanged),
/// so a record read before a write can never be cached after it.
#[derive(Default)]
pub(super) struct Known {
    pub(super) learners: std::collections::HashMap<LearnerId, Arc<Learner>>,
    pub(super) accounts: std::collections::HashMap<String, LearnerId>,
    pub(super) writes: u64,
}

/// Learner records (about a kilobyte each) and account links cached at most; when full, a
/// cache starts over.
const KNOWN_LEARNERS: usize = 4096;

pub(super) fn bounded_insert<K: std::hash::Hash + Eq, V>(
    map: &mut std::collections::HashMap<K, V>,
    k: K,
    v: V,
) {
    if map.len() >= KNOWN_LEARNERS {
        map.clear();
    }
    map.insert(k, v);
}

/// What one lock stripe guards besides mutual exclusion: the open quizzes this process last
/// wrote for the stripe's learners, so an answer reads its session and next planned question
/// from memory rather than sled (two of an answer's reads).
///
/// Every write of a session, its picks or its attempts happens under the stripe and updates
/// the entry after sled; an operation that fails part-way drops the entry, so an entry is
/// always what [`Store::session`] would read from sled. A restart starts empty, so a crash's
/// half-written answer is found in sled.
/// An entry also proves that this process wrote the session last, so when the session's
/// open question is the one answered, it has no attempt yet: the answer skips that read too.
#[derive(Default)]
pub(super) struct Stripe {
    pub(super) hot: std::collections::HashMap<LearnerId, Hot>,
    /// Scheduling states written under this stripe so far, so that states read outside it
    /// can be told current (see [`SrsSnapshot`](super::SrsSnapshot)).
    pub(super) srs_writes: u64,
}

/// A learner's open quiz as it stands: the session (None: no session), its planned questions
/// when this process planned them, and, when they were known at its start, the scheduling
/// states of its items as sled holds them (`None`: no state yet) and how many of the learner's
/// items are due each day.
pub(super) struct Hot {
    pub(super) session: Option<Session>,
    pub(super) picks: Option<Arc<[Pick]>>,
    pub(super) srs: std::collections::HashMap<String, Option<SrsState>>,
    pub(super) due: Option<std::collections::HashMap<NaiveDate, usize>>,
}

/// How many of `states` are due each day.
pub(super) fn due_by_day<'a>(
    states: impl IntoIterator<Item = &'a SrsState>,
) -> std::collections::HashMap<NaiveDate, usize> {
    let mut due = std::collections::HashMap::new();
    for s in states {
        *due.entry(s.due).or_default() += 1;
    }
    due
}

/// Open quizzes remembered per stripe (256 stripes): enough for the learners answering at
/// any one moment, small enough to matter little in memory (a few MB at most).
const HOT_PER_STRIPE: usize = 8;

impl Stripe {
    pub(super) fn remember(&mut self, id: LearnerId, hot: Hot) {
        if self.hot.len() >= HOT_PER_STRIPE && !self.hot.contains_key(&id) {
            // Any entry will do: a forgotten one is read from sled again.
            if let Some(k) = self.hot.keys().next().copied() {
                self.hot.remove(&k);
            }
        }
        self.hot.insert(id, hot);
    }

    /// The learner's session moved on (and, for an older session, was written).
    pub(super) fn moved(
        &mut self,
        id: LearnerId,
        session: Option<Session>,
        picks: Option<Arc<[Pick]>>,
    ) {
        match self.hot.get_mut(&id) {
            Some(h) => h.session = session,
            None => self.remember(
                id,
                Hot {
                    session,
                    picks,
                    srs: Default::default(),
                    due: None,
                },
            ),
        }
    }

    /// A scheduling state `new` replaced one due `old_due` (None: none) for the learner's
    /// `item` in sled.
    pub(super) fn srs_written(
        &mut self,
        id: LearnerId,
        item: &str,
        old_due: Option<NaiveDate>,
        new: &SrsState,
    ) {
        self.srs_writes += 1;
        let Some(hot) = self.hot.get_mut(&id) else {
            return;
        };
        if let Some(known) = hot.srs.get_mut(item) {
            *known = Some(new.clone());
        }
        if let Some(due) = &mut hot.due {
            if let Some(n) = old_due.and_then(|d| due.get_mut(&d)) {
                *n = n.saturating_sub(1);
            }
            *due.entry(new.due).or_default() += 1;
        }
    }

    /// A scheduling state was written for the learner without the old one at hand: what this
    /// stripe knew of the learner's states is dropped.
    pub(super) fn srs_replaced(&mut self, id: LearnerId) {
        self.srs_writes += 1;
        if let Some(hot) = self.hot.get_mut(&id) {
            hot.srs.clear();
            hot.due = None;
        }
    }
}

impl Store {
    pub(super) fn lock(&self, id: LearnerId) -> std::sync::MutexGuard<'_, Stripe> {
        let m = &self.inner.locks[(id % self.inner.locks.len() as u64) as usize];
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Caches what was read, unless a write happened since `writes` was seen (see `Known`).
    pub(super) fn keep(&self, writes: u64, put: impl FnOnce(&mut Known)) {
        let mut known = self.known();
        if known.writes == writes {
            put(&mut known);
        }
    }

    pub(super) fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.inner.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops a learner's cached record after it was written (call after the write).
    pub(super) fn written(&self, id: LearnerId) {
        let mut known = self.known();
        known.writes += 1;
        known.learners.remove(&id);
    }

    /// Drops an account's cached link after it was unlinked (call after the write).
    pub(super) fn unlinked(&self, account: &str) {
        let mut known = self.known();
        known.writes += 1;
        known.accounts.remove(account);
    }
}

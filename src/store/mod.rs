//! Storage: the one module that knows sled, its trees, keys and encodings.
//!
//! Everything else calls the small API below, which is what a second backend (PostgreSQL for
//! several instances) would implement. Records are JSON (readable with any sled tool, and
//! tolerant of added fields), except attempts and scheduling states, which every answer writes
//! and planning and exports read in bulk: those are compact (see `codec`), and the JSON ones
//! older builds wrote still read. Keys are built so that one learner's records sit under one prefix
//! (`learner id` as 8 big-endian bytes), which makes "see my data" and "forget me" prefix scans.
//!
//! Trees: `meta` (schema version), `learners`, `accounts` (platform account -> learner),
//! `cohorts`, `members` (cohort code, learner -> ()), `ldata` (everything a learner's answers
//! touch, under the learner's 8-byte prefix and a kind byte: `a` attempts by their delivery's
//! sequence, append-only; `s` FSRS state by item; `q` the open quiz, as it started (its
//! position is read from the attempts on its questions; sessions before schema 4 are
//! rewritten with the question now open inside); `p` its planned questions by index; `d` deliveries that live outside a session, by
//! sequence: a live quiz's questions, and a question closed unanswered when its quiz was
//! replaced), `settings` (name -> value), `polls` (a platform's poll id -> delivery),
//! `prompted` (learner -> last daily prompt).
//!
//! Atomicity without sled transactions or batches: a learner's answer is two single-key
//! inserts into the `ldata` tree (scheduling state, then the attempt; a session's position is
//! read from its attempts), in an order that makes a crash at any point harmless, while
//! holding that learner's lock (one of 256 stripes), so learners never wait on each other (see
//! [`Store::record_answer`]). sled 0.34's transactions and `apply_batch` both take a global
//! write lock, and every flush holds its read side through the fsync, so batched writers queue
//! behind each flush: schema 1 used transactions and did not scale past one core, and one
//! `apply_batch` per answer capped group commit at about 8k answers/s whatever the number of
//! writers. Forgetting a learner, which is rare, still uses a batch.
//! Attempts are keyed by their delivery's sequence, so an answer can never be stored twice.
//!
//! Memory: each lock stripe remembers the open quiz this process last wrote for its learners
//! (see `Stripe`), so an answer reads only the item's scheduling state from sled; learner
//! records and account links are cached until written (see `Known`). sled stays the truth:
//! both are written to sled first, and a new process starts with nothing remembered.
//!
//! Durability: [`Store::durable`] waits for a flush by a single committer thread that batches
//! every writer waiting at that moment into one `flush()` (group commit): one fsync serves many
//! learners, and no task ever calls `flush_async` (sled issue #1308).

mod bookkeeping;
mod codec;
mod commit;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::Tree;
use thiserror::Error;

pub use crate::domain::{
    Answered, Attempt, Cohort, Delivery, Learner, LearnerId, Mode, Pick, Prompted, Session,
    Settings, SrsState,
};
pub use bookkeeping::LinkCode;

/// sled's page cache per store. Answers touch a small working set (one learner's open quiz)
/// and the daily planner reads each learner once, so a larger cache buys nothing measurable
/// (answer rates are the same at 4, 16 and 1,024 MB) while costing memory. sled counts the
/// bytes of the records it caches, not its own overhead on each, which since records are
/// compact is most of it: planning 100,000 learners peaks at 177 MB with 4 MB, 203 MB with 16
/// and 325 MB with 64, of which about 150 MB is sled's page table for a database that size
/// (a few disk pointers a page), whatever the cache.
pub const CACHE_BYTES: u64 = 4 * 1024 * 1024;

/// Schema version this build writes. Older stores are migrated on open; newer are refused.
/// Schema 3 keeps a session's open question inside the session record; it reads schema 2's
/// separate records as they are, so the step from 2 needs no rewrite, but a schema-2 build
/// would not find those questions, so it must refuse a schema-3 store. Schema 4 numbers a
/// session's questions in advance and reads its position from its attempts, so an answer no
/// longer rewrites the session; older sessions are moved on as before, but a schema-3 build
/// would never see a schema-4 session move, so it must refuse a schema-4 store.
pub const SCHEMA_VERSION: u32 = 4;

/// Kind bytes in the `ldata` tree.
const K_ATTEMPT: u8 = b'a';
const K_SRS: u8 = b's';
const K_DELIVERY: u8 = b'd';
const K_SESSION: u8 = b'q';
const K_PICK: u8 = b'p';

fn lkind(id: LearnerId, kind: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(9 + rest.len());
    k.extend_from_slice(&id.to_be_bytes());
    k.push(kind);
    k.extend_from_slice(rest);
    k
}

/// The learner a key belongs to (its first 8 bytes).
fn learner_of(key: &[u8]) -> LearnerId {
    key.get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_be_bytes)
}

/// The `ldata` key of a delivery id `{learner:016x}-{seq:016x}`.
fn delivery_key(id: &str) -> Option<Vec<u8>> {
    let (l, seq) = id.split_once('-')?;
    let l = u64::from_str_radix(l, 16).ok()?;
    let seq = u64::from_str_radix(seq, 16).ok()?;
    Some(lkind(l, K_DELIVERY, &seq.to_be_bytes()))
}

/// The key of the attempt that answers the delivery at `dkey` (same learner and sequence).
fn attempt_key_of(dkey: &[u8]) -> Vec<u8> {
    let mut k = dkey.to_vec();
    if let Some(kind) = k.get_mut(8) {
        *kind = K_ATTEMPT;
    }
    k
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot open the database at {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error(
        "the database at {path} was written by a newer ksbquiz (schema {found}, this build knows {supported}); upgrade ksbquiz"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("database error: {0}")]
    Sled(#[from] sled::Error),
    #[error("a stored record could not be read ({0}); the database may be damaged")]
    Corrupt(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("could not make the write durable: {0}")]
    Durability(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

fn enc<T: Serialize>(v: &T) -> Vec<u8> {
    // Serialising these plain records cannot fail (no maps with non-string keys).
    serde_json::to_vec(v).unwrap_or_default()
}

fn dec<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn lkey(id: LearnerId) -> [u8; 8] {
    id.to_be_bytes()
}

fn lkey_with(id: LearnerId, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + rest.len());
    k.extend_from_slice(&id.to_be_bytes());
    k.extend_from_slice(rest);
    k
}

/// Delivery ids start with the learner's id in hex, so one learner's deliveries share a prefix.
fn delivery_prefix(id: LearnerId) -> String {
    let mut prefix = delivery_id(id, 0);
    prefix.truncate(17);
    prefix
}

/// A delivery's id, `{learner:016x}-{seq:016x}` (written out by hand: `format!` took a tenth
/// of an answer's own work).
fn delivery_id(learner: LearnerId, seq: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(33);
    for (n, part) in [learner, seq].into_iter().enumerate() {
        if n == 1 {
            id.push('-');
        }
        for shift in (0..16).rev() {
            id.push(char::from(HEX[((part >> (4 * shift)) & 0xf) as usize]));
        }
    }
    id
}

/// Sequence numbers are handed out in blocks of 2^16 (sled's id generator gives the block):
/// a session's questions take its block's numbers in order, so its `n`-th question's
/// delivery is known without writing it down. Blocks stay below 2^63 (keyed ids have the top
/// bit) for the first 2^47 ids, and come after every number schema 3 handed out one by one.
const SESSION_BITS: u32 = 16;

/// The sequence number of question `n` of the session numbered from block `seq`.
fn session_seq(seq: u64, n: usize) -> u64 {
    (seq << SESSION_BITS) + n as u64
}

fn member_key(code: &str, id: LearnerId) -> Vec<u8> {
    let mut k = code.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// What recording an answer did.
#[derive(Debug, Clone)]
pub enum Recorded {
    /// First answer to this delivery: recorded with the new scheduling state; `next` is the
    /// next question opened in the same step, if the session goes on. The attempt says which
    /// answer counted (after a crash and a retry, the one the schedule was made from).
    New {
        attempt: Box<Attempt>,
        srs: Option<SrsState>,
        session: Option<Box<Session>>,
        next: Option<Delivery>,
    },
    /// The delivery was already answered (a double click, a retried webhook): nothing changed.
    Duplicate { delivery: Delivery },
    /// The delivery's quiz ended before this answer came: nothing recorded.
    Closed { delivery: Delivery },
    /// The plan's `grade` refused the answer (not the asker's question, say): nothing recorded.
    Refused { delivery: Delivery },
    /// No such delivery.
    Unknown,
}

/// How many of a learner's items are due on a day (what the scheduler spreads due dates by).
pub type Load<'a> = dyn Fn(NaiveDate) -> usize + 'a;

/// The new scheduling state for a delivery's item: the delivery, the old state, whether the
/// answer was right, and the learner's load by day in.
pub type Schedule<'a> = dyn Fn(&Delivery, Option<SrsState>, bool, &Load) -> Option<SrsState> + 'a;

/// How the engine wants one answer recorded: the store supplies the current records, the
/// closures say what to write.
pub struct AnswerPlan<'a> {
    pub delivery: &'a str,
    pub option: usize,
    pub platform: &'a str,
    pub now: DateTime<Utc>,
    /// Whether `option` is right for the delivery as stored; `None` refuses the answer (not the
    /// asker's question, no such option...) and nothing is recorded.
    pub grade: &'a dyn Fn(&Delivery) -> Option<bool>,
    /// New scheduling state for the delivery's item from the old one and whether the answer
    /// was right (None: nothing to write, e.g. practice of an item not yet studied).
    pub schedule: &'a Schedule<'a>,
}

struct Inner {
    path: PathBuf,
    db: sled::Db,
    meta: Tree,
    learners: Tree,
    accounts: Tree,
    cohorts: Tree,
    members: Tree,
    ldata: Tree,
    settings: Tree,
    polls: Tree,
    prompted: Tree,
    committer: commit::Committer,
    /// Per-learner locks (striped): one learner's writes never interleave.
    locks: Vec<std::sync::Mutex<Stripe>>,
    /// Learner records and account links as last read, so the record every message starts
    /// from is not read and decoded from sled each time.
    known: std::sync::Mutex<Known>,
}

/// Learner records and account links read recently, each dropped whenever it is written. A
/// reader caches what it read only if no write happened while it read (`writes` unchanged),
/// so a record read before a write can never be cached after it.
#[derive(Default)]
struct Known {
    learners: std::collections::HashMap<LearnerId, Arc<Learner>>,
    accounts: std::collections::HashMap<String, LearnerId>,
    writes: u64,
}

/// Learner records (about a kilobyte each) and account links cached at most; when full, a
/// cache starts over.
const KNOWN_LEARNERS: usize = 4096;

fn bounded_insert<K: std::hash::Hash + Eq, V>(
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
struct Stripe {
    hot: std::collections::HashMap<LearnerId, Hot>,
    /// Scheduling states written under this stripe so far, so that states read outside it
    /// can be told current (see [`SrsSnapshot`]).
    srs_writes: u64,
}

/// A learner's open quiz as it stands: the session (None: no session), its planned questions
/// when this process planned them, and, when they were known at its start, the scheduling
/// states of its items as sled holds them (`None`: no state yet) and how many of the learner's
/// items are due each day.
struct Hot {
    session: Option<Session>,
    picks: Option<Arc<[Pick]>>,
    srs: std::collections::HashMap<String, Option<SrsState>>,
    due: Option<std::collections::HashMap<NaiveDate, usize>>,
}

/// How many of `states` are due each day.
fn due_by_day<'a>(
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
    fn remember(&mut self, id: LearnerId, hot: Hot) {
        if self.hot.len() >= HOT_PER_STRIPE && !self.hot.contains_key(&id) {
            // Any entry will do: a forgotten one is read from sled again.
            if let Some(k) = self.hot.keys().next().copied() {
                self.hot.remove(&k);
            }
        }
        self.hot.insert(id, hot);
    }

    /// The learner's session moved on (and, for an older session, was written).
    fn moved(&mut self, id: LearnerId, session: Option<Session>, picks: Option<Arc<[Pick]>>) {
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
    fn srs_written(
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
    fn srs_replaced(&mut self, id: LearnerId) {
        self.srs_writes += 1;
        if let Some(hot) = self.hot.get_mut(&id) {
            hot.srs.clear();
            hot.due = None;
        }
    }
}

/// A learner's scheduling states by item, read at one moment: a session planned from them
/// remembers its items' states (see [`Store::start_session`]) when no state of the learner
/// was written since, so its answers need not read them from sled.
#[derive(Debug, Clone, Default)]
pub struct SrsSnapshot {
    pub states: std::collections::HashMap<String, SrsState>,
    /// The stripe's `srs_writes` before the read; None: not to be remembered.
    writes: Option<u64>,
}

/// The sled store. Cheap to clone; all clones share one database and one committer.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, checks its schema and migrates an
    /// older one.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |message: String| StoreError::Open {
            path: path.to_path_buf(),
            message,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| open_err(e.to_string()))?;
        }
        let db = sled::Config::new()
            .path(path)
            .mode(sled::Mode::HighThroughput)
            // sled caches up to 1 GB by default; see CACHE_BYTES.
            .cache_capacity(CACHE_BYTES)
            .open()
            .map_err(|e| open_err(describe_sled(&e)))?;
        let t = |name: &str| db.open_tree(name).map_err(|e| open_err(describe_sled(&e)));
        let inner = Inner {
            path: path.to_path_buf(),
            meta: t("meta")?,
            learners: t("learners")?,
            accounts: t("accounts")?,
            cohorts: t("cohorts")?,
            members: t("members")?,
            ldata: t("ldata")?,
            settings: t("settings")?,
            polls: t("polls")?,
            prompted: t("prompted")?,
            committer: commit::Committer::start(db.clone()),
            locks: (0..256)
                .map(|_| std::sync::Mutex::new(Stripe::default()))
                .collect(),
            known: std::sync::Mutex::new(Known::default()),
            db,
        };
        let store = Store {
            inner: Arc::new(inner),
        };
        store.check_schema()?;
        // Prove the database is writable now, not at the first learner's answer.
        store
            .inner
            .meta
            .insert("opened", enc(&Utc::now()))
            .map_err(|e| open_err(describe_sled(&e)))?;
        store
            .inner
            .db
            .flush()
            .map_err(|e| open_err(describe_sled(&e)))?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The schema version stored.
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .inner
            .meta
            .get("schema")?
            .map(|v| dec::<u32>(&v))
            .transpose()?
            .unwrap_or(0))
    }

    fn check_schema(&self) -> Result<()> {
        let i = &self.inner;
        let found = match i.meta.get("schema")? {
            Some(v) => dec::<u32>(&v)?,
            None if i.learners.is_empty() => SCHEMA_VERSION,
            None => 0,
        };
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: i.path.clone(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found < 1 {
            self.migrate_0_to_1()?;
        }
        if found < 2 {
            self.migrate_1_to_2()?;
        }
        i.meta.insert("schema", enc(&SCHEMA_VERSION))?;
        i.db.flush()?;
        Ok(())
    }

    /// Schema 0 kept cohort membership only in each learner's record; schema 1 adds the
    /// `members` index so a tutor's list does not scan every learner.
    fn migrate_0_to_1(&self) -> Result<()> {
        tracing::info!(path = %self.inner.path.display(), "migrating store from schema 0 to 1");
        for l in self.learners() {
            let l = l?;
            for code in &l.cohorts {
                self.inner.members.insert(member_key(code, l.id), &[])?;
            }
        }
        Ok(())
    }

    /// Schema 1 kept attempts, scheduling, deliveries and sessions in four trees written by
    /// sled transactions; schema 2 keeps them in `ldata` under the learner's prefix.
    fn migrate_1_to_2(&self) -> Result<()> {
        let i = &self.inner;
        let old = |name: &str| i.db.open_tree(name);
        let (attempts, srs, deliveries, sessions) = (
            old("attempts")?,
            old("srs")?,
            old("deliveries")?,
            old("sessions")?,
        );
        if attempts.is_empty() && srs.is_empty() && deliveries.is_empty() && sessions.is_empty() {
            return Ok(());
        }
        tracing::info!(path = %i.path.display(), "migrating store from schema 1 to 2");
        let mut batch = sled::Batch::default();
        for r in attempts.iter() {
            let (k, v) = r?;
            if k.len() == 16 {
                batch.insert(lkind(learner_of(&k), K_ATTEMPT, &k[8..]), v);
            }
        }
        for r in srs.iter() {
            let (k, v) = r?;
            if k.len() > 8 {
                batch.insert(lkind(learner_of(&k), K_SRS, &k[8..]), v);
            }
        }
        for r in deliveries.iter() {
            let (k, v) = r?;
            if let Some(key) = delivery_key(&String::from_utf8_lossy(&k)) {
                batch.insert(key, v);
            }
        }
        for r in sessions.iter() {
            let (k, v) = r?;
            let Ok(id) = <[u8; 8]>::try_from(k.as_ref()).map(u64::from_be_bytes) else {
                continue;
            };
            // Schema 1 kept the planned questions inside the session.
            let mut session: serde_json::Value =
                serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let queue = session
                .get_mut("queue")
                .map(serde_json::Value::take)
                .unwrap_or_default();
            let picks = queue.as_array().cloned().unwrap_or_default();
            session["total"] = serde_json::json!(picks.len());
            for (n, p) in picks.iter().enumerate() {
                batch.insert(lkind(id, K_PICK, &(n as u32).to_be_bytes()), enc(p));
            }
            batch.insert(lkind(id, K_SESSION, &[]), enc(&session));
        }
        i.ldata.apply_batch(batch)?;
        i.db.flush()?;
        for t in ["attempts", "srs", "deliveries", "sessions"] {
            i.db.drop_tree(t)?;
        }
        Ok(())
    }

    fn lock(&self, id: LearnerId) -> std::sync::MutexGuard<'_, Stripe> {
        let m = &self.inner.locks[(id % self.inner.locks.len() as u64) as usize];
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until every write made before this call is on disk (group commit).
    pub fn durable(&self) -> Result<()> {
        self.inner.committer.wait()
    }

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

    /// Caches what was read, unless a write happened since `writes` was seen (see `Known`).
    fn keep(&self, writes: u64, put: impl FnOnce(&mut Known)) {
        let mut known = self.known();
        if known.writes == writes {
            put(&mut known);
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.inner.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops a learner's cached record after it was written (call after the write).
    fn written(&self, id: LearnerId) {
        let mut known = self.known();
        known.writes += 1;
        known.learners.remove(&id);
    }

    /// Drops an account's cached link after it was unlinked (call after the write).
    fn unlinked(&self, account: &str) {
        let mut known = self.known();
        known.writes += 1;
        known.accounts.remove(account);
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

    // ---- cohorts -----------------------------------------------------------------------

    pub fn create_cohort(&self, c: &Cohort) -> Result<()> {
        let res =
            self.inner
                .cohorts
                .compare_and_swap(&c.code, None as Option<&[u8]>, Some(enc(c)))?;
        res.map_err(|_| StoreError::Exists(format!("cohort {}", c.code)))
    }

    pub fn cohort(&self, code: &str) -> Result<Option<Cohort>> {
        self.inner.cohorts.get(code)?.map(|v| dec(&v)).transpose()
    }

    pub fn cohorts(&self) -> impl Iterator<Item = Result<Cohort>> + '_ {
        self.inner
            .cohorts
            .iter()
            .map(|r| r.map_err(StoreError::from).and_then(|(_, v)| dec(&v)))
    }

    /// Adds a learner to a cohort (and the cohort's standards to theirs), atomically.
    pub fn join_cohort(&self, id: LearnerId, code: &str) -> Result<Learner> {
        let _g = self.lock(id);
        let cohort = self
            .cohort(code)?
            .ok_or_else(|| StoreError::NotFound(format!("cohort {code}")))?;
        let mut l = self
            .learner(id)?
            .ok_or_else(|| StoreError::NotFound(format!("learner {id}")))?;
        // The index first: a crash between the two writes leaves a member the record lacks,
        // which joining again repairs, never a record the tutor cannot see.
        self.inner.members.insert(member_key(code, id), &[])?;
        if !l.cohorts.iter().any(|c| c == code) {
            l.cohorts.push(code.to_string());
        }
        for s in &cohort.standards {
            if !l.standards.contains(s) {
                l.standards.push(s.clone());
            }
        }
        self.put_learner(&l)?;
        Ok(l)
    }

    pub fn cohort_members(&self, code: &str) -> Result<Vec<LearnerId>> {
        let mut prefix = code.as_bytes().to_vec();
        prefix.push(0);
        self.inner
            .members
            .scan_prefix(&prefix)
            .map(|r| {
                let (k, _) = r?;
                let tail: [u8; 8] = k[prefix.len()..]
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("member key".into()))?;
                Ok(u64::from_be_bytes(tail))
            })
            .collect()
    }

    // ---- spaced repetition ------------------------------------------------------------

    pub fn srs(&self, id: LearnerId, item: &str) -> Result<Option<SrsState>> {
        self.inner
            .ldata
            .get(lkind(id, K_SRS, item.as_bytes()))?
            .map(|v| codec::decode_srs(&v))
            .transpose()
    }

    /// All of a learner's scheduling states, by item id.
    pub fn srs_all(&self, id: LearnerId) -> Result<Vec<(String, SrsState)>> {
        self.inner
            .ldata
            .scan_prefix(lkind(id, K_SRS, &[]))
            .map(|r| {
                let (k, v) = r?;
                Ok((
                    String::from_utf8_lossy(&k[9..]).into_owned(),
                    codec::decode_srs(&v)?,
                ))
            })
            .collect()
    }

    /// All of a learner's scheduling states, as a snapshot a session can start from.
    pub fn srs_snapshot(&self, id: LearnerId) -> Result<SrsSnapshot> {
        let writes = self.lock(id).srs_writes;
        Ok(SrsSnapshot {
            states: self.srs_all(id)?.into_iter().collect(),
            writes: Some(writes),
        })
    }

    pub fn put_srs(&self, id: LearnerId, item: &str, s: &SrsState) -> Result<()> {
        let mut g = self.lock(id);
        self.inner
            .ldata
            .insert(lkind(id, K_SRS, item.as_bytes()), codec::encode_srs(s))?;
        g.srs_replaced(id);
        Ok(())
    }

    // ---- sessions and deliveries ------------------------------------------------------

    /// The learner's session as it stands now. A session started by schema 4 is stored as it
    /// started, and how far it got is read from the attempts on its questions (see
    /// [`Session::seq`]).
    pub fn session(&self, id: LearnerId) -> Result<Option<Session>> {
        self.inner
            .ldata
            .get(lkind(id, K_SESSION, &[]))?
            .map(|v| dec(&v).and_then(|s| self.settle(s)))
            .transpose()
    }

    /// A stored session moved on past the questions answered since it started. Only the open
    /// question can be answered, so those are its first questions, in order, and the question
    /// open now was sent when the last of them was answered.
    fn settle(&self, mut s: Session) -> Result<Session> {
        let Some(seq) = s.seq else {
            return Ok(s);
        };
        let key = |n: usize| {
            let seq = session_seq(seq, n);
            lkind(s.learner, K_ATTEMPT, &seq.to_be_bytes())
        };
        let mut last = None;
        for r in self.inner.ldata.range(key(s.pos)..key(s.total)) {
            let (k, v) = r?;
            if k.as_ref() != key(s.pos).as_slice() {
                break;
            }
            let a: Attempt = codec::decode_attempt(&v)?;
            s.pos += 1;
            s.answered += 1;
            s.correct += u32::from(a.correct);
            last = Some(a.at);
        }
        if let Some(sent) = last {
            let next = if s.pos < s.total {
                Some(self.session_pick(&s, seq)?)
            } else {
                None
            };
            s.open_next(next, sent);
        }
        Ok(s)
    }

    /// The delivery id and planned question at a schema-4 session's position.
    fn session_pick(&self, s: &Session, seq: u64) -> Result<(String, Pick)> {
        let pick = self.pick(s.learner, s.pos)?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "learner {}'s session has no question {}",
                s.learner, s.pos
            ))
        })?;
        let id = delivery_id(s.learner, session_seq(seq, s.pos));
        Ok((id, pick))
    }

    /// The `index`-th question planned in the learner's session.
    pub fn pick(&self, id: LearnerId, index: usize) -> Result<Option<Pick>> {
        self.inner
            .ldata
            .get(lkind(id, K_PICK, &(index as u32).to_be_bytes()))?
            .map(|v| dec(&v))
            .transpose()
    }

    /// A delivery, with its answer if it has one (the answer is its attempt, stored apart).
    ///
    /// Where it lives: the question a session has open is inside the session record; one
    /// closed unanswered (its quiz replaced) or a live quiz's question has a record of its own;
    /// an answered one that has neither is told by its attempt.
    pub fn delivery(&self, id: &str) -> Result<Option<Delivery>> {
        let Some(dkey) = delivery_key(id) else {
            return Ok(None);
        };
        let session = self.session(learner_of(&dkey))?;
        self.find_delivery(&dkey, id, session.as_ref())
    }

    /// The question a session has open, with its answer if it has one: [`Store::delivery`] for
    /// a caller that has read the session already.
    pub fn open_question(&self, session: &Session) -> Result<Option<Delivery>> {
        let Some(id) = session.current.as_deref() else {
            return Ok(None);
        };
        let Some(dkey) = delivery_key(id) else {
            return Ok(None);
        };
        self.find_delivery(&dkey, id, Some(session))
    }

    /// [`Store::delivery`] with the learner's session already read.
    fn find_delivery(
        &self,
        dkey: &[u8],
        id: &str,
        session: Option<&Session>,
    ) -> Result<Option<Delivery>> {
        let attempt = self
            .inner
            .ldata
            .get(attempt_key_of(dkey))?
            .map(|a| codec::decode_attempt(&a))
            .transpose()?;
        let open = session
            .filter(|s| s.current.as_deref() == Some(id))
            .and_then(|s| s.open.clone());
        let mut d = match open {
            Some(d) => d,
            None => match self.inner.ldata.get(dkey)? {
                Some(v) => dec(&v)?,
                None => match &attempt {
                    Some(a) => Delivery {
                        id: id.to_string(),
                        learner: a.learner,
                        question: a.question.clone(),
                        item: a.item.clone(),
                        sent: a.at - chrono::Duration::milliseconds(a.response_ms as i64),
                        mode: a.mode,
                        answered: None,
                        closed: false,
                    },
                    None => return Ok(None),
                },
            },
        };
        if d.answered.is_none()
            && let Some(a) = attempt
        {
            d.answered = Some(Answered {
                option: a.option,
                correct: a.correct,
                at: a.at,
            });
        }
        Ok(Some(d))
    }

    /// A fresh delivery id for a learner, for a question asked on its own; it begins a block
    /// of sequence numbers of its own, like a session's first question.
    pub fn new_delivery_id(&self, id: LearnerId) -> Result<String> {
        Ok(delivery_id(
            id,
            session_seq(self.inner.db.generate_id()?, 0),
        ))
    }

    /// The delivery id a key names for a learner (a live quiz's question): the same key always
    /// names the same delivery, so a retried answer finds the first one. Keyed ids have the top
    /// bit set and never meet the sequential ids of [`Store::new_delivery_id`].
    pub fn keyed_delivery_id(&self, id: LearnerId, key: &str) -> String {
        delivery_id(id, crate::bank::generate::fnv1a(key) | (1 << 63))
    }

    /// Opens a delivery outside any session (a live quiz's question) unless one with its id
    /// exists; true when it was opened now.
    pub fn open_delivery(&self, d: &Delivery) -> Result<bool> {
        let k = delivery_key(&d.id)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery id {}", d.id)))?;
        let _g = self.lock(d.learner);
        if self.inner.ldata.contains_key(&k)? {
            return Ok(false);
        }
        self.inner.ldata.insert(k, enc(d))?;
        Ok(true)
    }

    /// Starts a session of the planned questions `picks` for the learner, replacing any other
    /// (whose open question is closed and can no longer be answered), with the first question
    /// open, sent `now`. `planned_from` is what the picks were planned from: when no state was
    /// written since, the session remembers its items' states. Returns the session and its
    /// first question; `None` when `picks` is empty.
    pub fn start_session(
        &self,
        learner: LearnerId,
        mode: Mode,
        day: NaiveDate,
        picks: &[Pick],
        planned_from: &SrsSnapshot,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, Delivery)>> {
        // A block numbers 2^16 questions (a quiz asks fifty at most).
        let picks = &picks[..picks.len().min(1 << SESSION_BITS)];
        let Some(first) = picks.first() else {
            return Ok(None);
        };
        let seq = self.inner.db.generate_id()?;
        let mut session = Session {
            learner,
            mode,
            day,
            total: picks.len(),
            pos: 0,
            current: None,
            correct: 0,
            answered: 0,
            open: None,
            seq: Some(seq),
        };
        session.open_next(
            Some((delivery_id(learner, session_seq(seq, 0)), first.clone())),
            now,
        );
        let Some(open) = session.open.clone() else {
            return Ok(None);
        };
        self.replace_session(learner, Some((&session, picks, planned_from)))?;
        Ok(Some((session, open)))
    }

    /// Ends the learner's session, if any, closing its open question.
    pub fn end_session(&self, learner: LearnerId) -> Result<()> {
        self.replace_session(learner, None)
    }

    /// Replaces the learner's session under their lock, remembering the new one (see `Stripe`).
    ///
    /// Single-key writes, in an order a crash cannot hurt (see [`Store::record_answer`] for why
    /// not a batch): the new picks (indexes past the new session's total are never read, so
    /// old ones need no removal), the old open question closed in a record of its own, then
    /// the new session (the switch).
    fn replace_session(
        &self,
        learner: LearnerId,
        new: Option<(&Session, &[Pick], &SrsSnapshot)>,
    ) -> Result<()> {
        let mut g = self.lock(learner);
        g.hot.remove(&learner);
        let ldata = &self.inner.ldata;
        let before = self.session(learner)?;
        if let Some(old) = before
            .as_ref()
            .map(|s| self.open_question(s))
            .transpose()?
            .flatten()
            && old.answered.is_none()
            && !old.closed
            && let Some(k) = delivery_key(&old.id)
        {
            ldata.insert(
                k,
                enc(&Delivery {
                    closed: true,
                    ..old
                }),
            )?;
        }
        let key = lkind(learner, K_SESSION, &[]);
        match new {
            Some((session, picks, planned_from)) => {
                for (n, p) in picks.iter().enumerate() {
                    ldata.insert(lkind(learner, K_PICK, &(n as u32).to_be_bytes()), enc(p))?;
                }
                ldata.insert(key, enc(session))?;
                let current = planned_from.writes == Some(g.srs_writes);
                let srs = picks
                    .iter()
                    .filter(|_| current)
                    .map(|p| (p.item.clone(), planned_from.states.get(&p.item).cloned()))
                    .collect();
                let hot = Hot {
                    session: Some(session.clone()),
                    picks: Some(picks.into()),
                    srs,
                    due: current.then(|| due_by_day(planned_from.states.values())),
                };
                g.remember(learner, hot);
            }
            None => {
                ldata.remove(key)?;
            }
        }
        Ok(())
    }

    /// Records an answer under the learner's lock: the scheduling state, then the attempt
    /// (the commit point); an older session (see [`Session::seq`]) is then moved on with its
    /// next question. Answering a delivery twice records it once.
    ///
    /// The writes are single-key inserts, not one `apply_batch`: sled 0.34 takes a global
    /// write lock for a batch, and every flush holds that lock's read side through its fsync,
    /// so batched writers queue behind each flush and group commit collapses (measured: 11k
    /// durable two-key batches/s against 50k four-insert answers/s, 16 writers). Atomicity
    /// comes from the order and from idempotence instead; an answer is acknowledged only after
    /// a flush that covers all of them, and until then a crash may keep any prefix of them:
    /// - the scheduling state remembers the delivery it reviewed and the option chosen, so a
    ///   retry records that same answer (attempt and schedule agree) and reviews once;
    /// - the attempt, keyed by its delivery, is the commit point: it makes the delivery
    ///   answered and turns a retry into a "duplicate"; there can never be two; a session
    ///   started by schema 4 is moved on by it alone (its position is read from its attempts);
    /// - an older session, with the next question inside it, comes last: a retry that finds
    ///   the attempt but the session still on this question moves the session on then.
    pub fn record_answer(&self, plan: &AnswerPlan) -> Result<Recorded> {
        let Some(dkey) = delivery_key(plan.delivery) else {
            return Ok(Recorded::Unknown);
        };
        let learner = learner_of(&dkey);
        let mut g = self.lock(learner);
        let recorded = self.record_locked(plan, &dkey, learner, &mut g);
        if recorded.is_err() {
            g.hot.remove(&learner);
        }
        recorded
    }

    /// [`Store::record_answer`] under the learner's lock: `stripe` remembers the learner's
    /// open quiz if this process wrote it last, and is kept up to date.
    fn record_locked(
        &self,
        plan: &AnswerPlan,
        dkey: &[u8],
        learner: LearnerId,
        stripe: &mut Stripe,
    ) -> Result<Recorded> {
        let ldata = &self.inner.ldata;
        let hot = stripe.hot.get(&learner);
        let session = match hot {
            Some(h) => h.session.clone(),
            None => self.session(learner)?,
        };
        let picks = hot.and_then(|h| h.picks.clone());
        let in_session = session
            .as_ref()
            .is_some_and(|s| s.current.as_deref() == Some(plan.delivery));
        // This process moved the session to this question and nothing has answered it since
        // (an answer would have moved it on), so there is no attempt to look for.
        let unanswered = hot
            .filter(|_| in_session)
            .and_then(|h| h.session.as_ref())
            .and_then(|s| s.open.clone());
        let d = match unanswered {
            Some(d) => d,
            None => match self.find_delivery(dkey, plan.delivery, session.as_ref())? {
                Some(d) => d,
                None => return Ok(Recorded::Unknown),
            },
        };
        if let Some(a) = &d.answered {
            if in_session {
                // An older session whose answer was committed but whose move a crash lost
                // (a schema-4 session is read as moved on already): make the move now.
                let correct = a.correct;
                let session =
                    self.advance_session(learner, session, picks.as_deref(), correct, plan.now)?;
                stripe.moved(learner, session, picks);
            }
            return Ok(Recorded::Duplicate { delivery: d });
        }
        if d.closed {
            return Ok(Recorded::Closed { delivery: d });
        }
        let old = match hot.and_then(|h| h.srs.get(&d.item)) {
            Some(known) => known.clone(),
            None => self.srs(learner, &d.item)?,
        };
        let (option, correct, new_srs) = match old {
            // A retry after a crash that kept this review: record the answer it was made from.
            Some(s) if s.last_delivery.as_deref() == Some(plan.delivery) => (
                s.last_option.unwrap_or(plan.option),
                s.last_correct,
                Some(s),
            ),
            old => {
                let Some(correct) = (plan.grade)(&d) else {
                    return Ok(Recorded::Refused { delivery: d });
                };
                // The learner's load by day: remembered with the session, or read from sled
                // once, if the scheduler asks.
                let known_due = hot.and_then(|h| h.due.as_ref());
                let read_due = std::cell::OnceCell::new();
                let load = |day: NaiveDate| {
                    let due = known_due.unwrap_or_else(|| {
                        read_due.get_or_init(|| {
                            let states = self.srs_all(learner).unwrap_or_default();
                            due_by_day(states.iter().map(|(_, s)| s))
                        })
                    });
                    due.get(&day).copied().unwrap_or(0)
                };
                let old_due = old.as_ref().map(|o| o.due);
                let new = (plan.schedule)(&d, old, correct, &load).map(|mut s| {
                    s.last_delivery = Some(d.id.clone());
                    s.last_option = Some(plan.option);
                    s
                });
                if let Some(s) = &new {
                    ldata.insert(
                        lkind(learner, K_SRS, d.item.as_bytes()),
                        codec::encode_srs(s),
                    )?;
                    stripe.srs_written(learner, &d.item, old_due, s);
                }
                (plan.option, correct, new)
            }
        };
        let attempt = Attempt {
            learner: d.learner,
            item: d.item.clone(),
            question: d.question.clone(),
            option,
            correct,
            response_ms: (plan.now - d.sent).num_milliseconds().max(0) as u64,
            platform: plan.platform.to_string(),
            at: plan.now,
            delivery: d.id.clone(),
            mode: d.mode,
        };
        // The commit point.
        ldata.insert(attempt_key_of(dkey), codec::encode_attempt(&attempt))?;
        let session = if in_session {
            let session =
                self.advance_session(learner, session, picks.as_deref(), correct, plan.now)?;
            stripe.moved(learner, session.clone(), picks);
            session
        } else {
            None
        };
        let next = session.as_ref().and_then(|s| s.open.clone());
        Ok(Recorded::New {
            attempt: Box::new(attempt),
            srs: new_srs,
            session: session.map(Box::new),
            next,
        })
    }

    /// Moves the session on past its open question, opening the next planned one inside it
    /// (or ending the session after the last). A schema-4 session is not written: its
    /// attempts say how far it got. An older one is written with its next question inside.
    fn advance_session(
        &self,
        learner: LearnerId,
        session: Option<Session>,
        picks: Option<&[Pick]>,
        correct: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>> {
        let Some(sess) = session else {
            return Ok(None);
        };
        let pos = sess.pos + 1;
        let next_pick = match picks {
            Some(p) => p.get(pos).cloned(),
            None if pos < sess.total => self.pick(learner, pos)?,
            None => None,
        };
        let next_id = match sess.seq {
            Some(seq) => delivery_id(learner, session_seq(seq, pos)),
            None => self.new_delivery_id(learner)?,
        };
        let written = sess.seq.is_none();
        let session = sess.advanced(correct, next_pick.map(|p| (next_id, p)), now);
        if written {
            self.inner
                .ldata
                .insert(lkind(learner, K_SESSION, &[]), enc(&session))?;
        }
        Ok(Some(session))
    }

    // ---- attempts ---------------------------------------------------------------------

    /// A learner's attempts, oldest first.
    pub fn attempts(&self, id: LearnerId) -> Result<Vec<Attempt>> {
        self.inner
            .ldata
            .scan_prefix(lkind(id, K_ATTEMPT, &[]))
            .map(|r| codec::decode_attempt(&r?.1))
            .collect::<Result<Vec<Attempt>>>()
            .map(|mut v| {
                // Keys follow deliveries (sent order), not answers: sort by time answered.
                v.sort_by_key(|a| a.at);
                v
            })
    }

    /// Every attempt of every learner (for exports and benchmarks).
    pub fn all_attempts(&self) -> impl Iterator<Item = Result<Attempt>> + '_ {
        self.inner
            .ldata
            .iter()
            .filter(|r| {
                r.as_ref()
                    .map_or(true, |(k, _)| k.get(8) == Some(&K_ATTEMPT))
            })
            .map(|r| {
                r.map_err(StoreError::from)
                    .and_then(|(_, v)| codec::decode_attempt(&v))
            })
    }

    /// Appends attempts in bulk (history imported from elsewhere, benchmark fixtures). Not an
    /// answer path: no idempotency, no scheduling; durable on return.
    pub fn import_attempts(&self, attempts: &[Attempt]) -> Result<()> {
        let mut batch = sled::Batch::default();
        for a in attempts {
            let seq = session_seq(self.inner.db.generate_id()?, 0);
            let key = lkind(a.learner, K_ATTEMPT, &seq.to_be_bytes());
            batch.insert(key, codec::encode_attempt(a));
        }
        self.inner.ldata.apply_batch(batch)?;
        self.durable()
    }

    /// Number of attempts stored (a full scan: for tests and reports, not hot paths).
    pub fn attempt_count(&self) -> usize {
        self.all_attempts().count()
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

    /// Marks a learner (un)reachable, e.g. after the bot was blocked.
    pub fn set_inactive(&self, id: LearnerId, inactive: bool) -> Result<()> {
        let _g = self.lock(id);
        if let Some(mut l) = self.learner(id)? {
            l.inactive = inactive;
            self.put_learner(&l)?;
        }
        Ok(())
    }

    // ---- privacy ----------------------------------------------------------------------

    /// Deletes every record of a learner: attempts, scheduling, deliveries, session, cohort
    /// memberships, and the cohorts they tutor; the learner and their accounts go last, in one
    /// step, so an interrupted deletion can simply be asked for again. Durable on return.
    pub fn forget(&self, id: LearnerId) -> Result<()> {
        let Some(l) = self.learner(id)? else {
            return Ok(());
        };
        let mut g = self.lock(id);
        g.hot.remove(&id);
        g.srs_writes += 1;
        let i = &self.inner;
        let mut batch = sled::Batch::default();
        for k in i.ldata.scan_prefix(lkey(id)).keys() {
            batch.remove(k?);
        }
        i.ldata.apply_batch(batch)?;
        i.prompted.remove(lkey(id))?;
        let prefix = delivery_prefix(id);
        for r in i.polls.iter() {
            let (k, v) = r?;
            if v.starts_with(prefix.as_bytes()) {
                i.polls.remove(k)?;
            }
        }
        for code in &l.cohorts {
            i.members.remove(member_key(code, id))?;
        }
        let owned: Vec<Cohort> = self
            .cohorts()
            .filter_map(|c| c.ok())
            .filter(|c| c.tutor == id)
            .collect();
        for c in owned {
            for m in self.cohort_members(&c.code)? {
                i.members.remove(member_key(&c.code, m))?;
            }
            i.cohorts.remove(c.code.as_bytes())?;
        }
        // The record last but one, the account links last: a deletion cut short can be asked
        // for again, and a link left pointing at nobody is treated as no link.
        i.learners.remove(lkey(id))?;
        self.written(id);
        for a in &l.accounts {
            i.accounts.remove(a.as_bytes())?;
            self.unlinked(a);
        }
        self.durable()
    }
}

/// Bytes an answer that makes `attempt` and `srs` writes to sled (the values; the benchmark's
/// raw ceiling writes as much).
pub fn answer_bytes(attempt: &Attempt, srs: &SrsState) -> usize {
    codec::encode_attempt(attempt).len() + codec::encode_srs(srs).len()
}

/// The ceiling for durable writes on this machine: `threads` writers each inserting
/// `ops` values of `value_len` bytes into a bare sled tree and waiting for the same group
/// commit the store uses. Returns (writes per second, per-write latencies).
pub fn raw_durable_inserts(
    dir: &Path,
    threads: usize,
    ops: usize,
    value_len: usize,
) -> Result<(f64, Vec<std::time::Duration>)> {
    let db = sled::Config::new()
        .path(dir)
        .mode(sled::Mode::HighThroughput)
        .open()?;
    let tree = db.open_tree("raw")?;
    let committer = Arc::new(commit::Committer::start(db.clone()));
    let value = vec![b'x'; value_len];
    let started = std::time::Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (tree, committer, value) = (tree.clone(), committer.clone(), value.clone());
            std::thread::spawn(move || -> Result<Vec<std::time::Duration>> {
                let mut lat = Vec::with_capacity(ops);
                for i in 0..ops {
                    let t0 = std::time::Instant::now();
                    tree.insert(
                        lkey_with(t as u64, &(i as u64).to_be_bytes()),
                        value.as_slice(),
                    )?;
                    committer.wait()?;
                    lat.push(t0.elapsed());
                }
                Ok(lat)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(threads * ops);
    for h in handles {
        all.extend(
            h.join()
                .map_err(|_| StoreError::Durability("writer thread panicked".into()))??,
        );
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    Ok((rate, all))
}

/// A sled error in words a person setting ksbquiz up can act on.
fn describe_sled(e: &sled::Error) -> String {
    match e {
        sled::Error::Io(io) => match io.raw_os_error() {
            Some(28) => format!("the disk is full ({io})"),
            Some(13) | Some(30) => format!("no permission to write there ({io})"),
            _ => match io.kind() {
                std::io::ErrorKind::PermissionDenied => {
                    format!("no permission to write there ({io})")
                }
                std::io::ErrorKind::WouldBlock => {
                    format!("another ksbquiz process has it open ({io})")
                }
                _ => io.to_string(),
            },
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn delivery_ids_are_hex_and_read_back(learner: u64, seq: u64) {
            let id = delivery_id(learner, seq);
            proptest::prop_assert_eq!(&id, &format!("{learner:016x}-{seq:016x}"));
            let key = delivery_key(&id).unwrap();
            proptest::prop_assert_eq!(key, lkind(learner, K_DELIVERY, &seq.to_be_bytes()));
        }
    }

    /// A fresh store with one learner, at a fixed time.
    fn fresh(dir: &Path) -> (Store, DateTime<Utc>, Learner) {
        let store = Store::open(&dir.join("db")).unwrap();
        let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let (l, _) = store.learner_for_account("test:1", "T", now).unwrap();
        (store, now, l)
    }

    /// The three planned questions X/K1..X/K3.
    fn three_picks() -> Vec<Pick> {
        (1..=3)
            .map(|n| Pick {
                item: format!("X/K{n}"),
                question: format!("X/K{n}/scenario-1"),
            })
            .collect()
    }

    /// Starts a daily session of three planned questions (X/K1..X/K3) and returns the first,
    /// open inside it.
    fn three_question_session(store: &Store, l: LearnerId, now: DateTime<Utc>) -> Delivery {
        let (session, first) = store
            .start_session(
                l,
                Mode::Daily,
                now.date_naive(),
                &three_picks(),
                &SrsSnapshot::default(),
                now,
            )
            .unwrap()
            .unwrap();
        assert_eq!(session.open.as_ref(), Some(&first));
        first
    }

    /// A plan answering `delivery` with option 0, graded right, scheduling nothing.
    fn right_answer(delivery: &str, now: DateTime<Utc>) -> AnswerPlan<'_> {
        fn right(_: &Delivery) -> Option<bool> {
            Some(true)
        }
        fn unscheduled(_: &Delivery, _: Option<SrsState>, _: bool, _: &Load) -> Option<SrsState> {
            None
        }
        AnswerPlan {
            delivery,
            option: 0,
            platform: "test",
            now,
            grade: &right,
            schedule: &unscheduled,
        }
    }

    /// Records `plan`, which must be a new answer in a session: the session after it and the
    /// question it opened.
    fn moved_on(store: &Store, plan: &AnswerPlan) -> (Box<Session>, Option<Delivery>) {
        match store.record_answer(plan).unwrap() {
            Recorded::New {
                session: Some(s),
                next,
                ..
            } => (s, next),
            other => panic!("a new answer in a session, not {other:?}"),
        }
    }

    /// The same database opened again, as by the next process after a crash.
    fn reopen(store: Store) -> Store {
        let path = store.path().to_path_buf();
        drop(store);
        Store::open(&path).unwrap()
    }

    fn delivery_for(store: &Store, l: LearnerId, now: DateTime<Utc>) -> Delivery {
        Delivery {
            id: store.new_delivery_id(l).unwrap(),
            learner: l,
            question: "X/K1/scenario-1".into(),
            item: "X/K1".into(),
            sent: now,
            mode: Mode::Daily,
            answered: None,
            closed: false,
        }
    }

    /// A crash after the scheduling state but before the commit point (the attempt, so before
    /// any acknowledgement), and the answer sent again with another option: one attempt, one
    /// review, and the attempt is the answer the review was made from.
    #[test]
    fn a_retry_after_a_partial_answer_records_the_reviewed_answer_once() {
        let dir = tempfile::tempdir().unwrap();
        let (store, now, l) = fresh(dir.path());
        let d = delivery_for(&store, l.id, now);
        assert!(store.open_delivery(&d).unwrap());
        let reviews = std::cell::Cell::new(0);
        let schedule = |_: &Delivery, old: Option<SrsState>, correct: bool, _: &Load| {
            reviews.set(reviews.get() + 1);
            Some(SrsState {
                stability: 1.0,
                difficulty: 5.0,
                due: now.date_naive(),
                last_review: now,
                reps: old.map_or(0, |s| s.reps) + 1,
                lapses: 0,
                last_correct: correct,
                leech: false,
                last_question: None,
                last_delivery: None,
                last_option: None,
            })
        };
        let refuse = |_: &Delivery| None;
        // Option 1 is the key.
        let (right, wrong) = (|_: &Delivery| Some(true), |_: &Delivery| Some(false));
        let plan = |option| AnswerPlan {
            delivery: &d.id,
            option,
            platform: "test",
            now,
            grade: if option == 1 { &right } else { &wrong },
            schedule: &schedule,
        };
        assert!(matches!(
            store.record_answer(&plan(1)).unwrap(),
            Recorded::New { .. }
        ));
        // The crash lost the commit point, the attempt: the delivery is unanswered again
        // (the scheduling state was kept).
        store
            .inner
            .ldata
            .remove(attempt_key_of(&delivery_key(&d.id).unwrap()))
            .unwrap();
        assert!(store.delivery(&d.id).unwrap().unwrap().answered.is_none());
        let Recorded::New { attempt, .. } = store.record_answer(&plan(2)).unwrap() else {
            panic!("the retry is recorded");
        };
        assert_eq!((attempt.option, attempt.correct), (1, true));
        let attempts = store.attempts(l.id).unwrap();
        assert_eq!(attempts.len(), 1, "one attempt, not two");
        assert_eq!((attempts[0].option, attempts[0].correct), (1, true));
        assert_eq!(reviews.get(), 1, "the item is reviewed once");
        let srs = store.srs(l.id, "X/K1").unwrap().unwrap();
        assert_eq!((srs.reps, srs.last_correct), (1, true));
        // And now it is committed: a third send is a duplicate.
        assert!(matches!(
            store.record_answer(&plan(3)).unwrap(),
            Recorded::Duplicate { .. }
        ));
        // A refused answer records nothing.
        let d2 = delivery_for(&store, l.id, now);
        assert!(store.open_delivery(&d2).unwrap());
        let refused = AnswerPlan {
            delivery: &d2.id,
            grade: &refuse,
            ..plan(0)
        };
        assert!(matches!(
            store.record_answer(&refused).unwrap(),
            Recorded::Refused { .. }
        ));
        assert!(store.delivery(&d2.id).unwrap().unwrap().answered.is_none());
        assert_eq!(store.attempts(l.id).unwrap().len(), 1);
    }

    /// A schema-3 session (no `seq`) with its first question open inside it, as a schema-3
    /// build wrote it.
    fn schema_3_session(store: &Store, l: LearnerId, now: DateTime<Utc>) -> Delivery {
        let first = delivery_for(store, l, now);
        let picks = three_picks();
        for (n, p) in picks.iter().enumerate() {
            let key = lkind(l, K_PICK, &(n as u32).to_be_bytes());
            store.inner.ldata.insert(key, enc(p)).unwrap();
        }
        let old = serde_json::json!({"learner": l, "mode": "daily", "day": "2026-11-23",
            "total": 3, "pos": 0, "current": first.id, "correct": 0, "answered": 0,
            "open": first});
        store
            .inner
            .ldata
            .insert(lkind(l, K_SESSION, &[]), enc(&old))
            .unwrap();
        first
    }

    /// A schema-3 session keeps its open question inside the session and is rewritten as it
    /// moves on; a crash after the commit point but before the session's move is repaired by
    /// the retry, which is a duplicate.
    #[test]
    fn a_schema_3_session_moves_on_once_even_when_its_move_was_lost() {
        let dir = tempfile::tempdir().unwrap();
        let (store, now, l) = fresh(dir.path());
        let first = schema_3_session(&store, l.id, now);
        let stored = store.session(l.id).unwrap().unwrap();
        assert_eq!(stored.current.as_deref(), Some(first.id.as_str()));
        assert_eq!(stored.open.as_ref(), Some(&first));
        let plan = |delivery| right_answer(delivery, now);
        // The crash kept the attempt but lost the session's move.
        let before = store
            .inner
            .ldata
            .get(lkind(l.id, K_SESSION, &[]))
            .unwrap()
            .unwrap();
        let Recorded::New {
            next: Some(second), ..
        } = store.record_answer(&plan(&first.id)).unwrap()
        else {
            panic!("answered, with a next question");
        };
        assert_eq!(second.item, "X/K2");
        assert_ne!(
            store
                .inner
                .ldata
                .get(lkind(l.id, K_SESSION, &[]))
                .unwrap()
                .unwrap(),
            before,
            "a schema-3 session is rewritten as it moves on"
        );
        store
            .inner
            .ldata
            .insert(lkind(l.id, K_SESSION, &[]), before)
            .unwrap();
        // After the crash, a new process.
        let store = reopen(store);
        assert!(matches!(
            store.record_answer(&plan(&first.id)).unwrap(),
            Recorded::Duplicate { .. }
        ));
        let s = store.session(l.id).unwrap().unwrap();
        assert_eq!((s.pos, s.answered, s.correct), (1, 1, 1), "moved on once");
        let open = s.open.unwrap();
        assert_eq!(open.item, "X/K2");
        // The answered question is still found, from its attempt.
        let answered = store.delivery(&first.id).unwrap().unwrap();
        assert_eq!(answered.item, "X/K1");
        assert!(answered.answered.is_some());
        // Replacing the session closes its open question in a record of its own.
        store.end_session(l.id).unwrap();
        let closed = store.delivery(&open.id).unwrap().unwrap();
        assert!(closed.closed && closed.answered.is_none());
        assert!(matches!(
            store.record_answer(&plan(&open.id)).unwrap(),
            Recorded::Closed { .. }
        ));
        assert_eq!(store.attempts(l.id).unwrap().len(), 1);
    }

    /// A schema-4 session is written once, when it starts: its questions are numbered in
    /// advance and its position is read from their attempts. So a crash at any point of an
    /// answer leaves a session that is where its attempts say, and a new process (remembering
    /// nothing) reads the same session, answer for answer, as the process that answered.
    #[test]
    fn a_session_is_where_its_attempts_say() {
        let dir = tempfile::tempdir().unwrap();
        let (store, start, l) = fresh(dir.path());
        let first = three_question_session(&store, l.id, start);
        let stored = || {
            store
                .inner
                .ldata
                .get(lkind(l.id, K_SESSION, &[]))
                .unwrap()
                .unwrap()
        };
        let as_started = stored();
        assert!(
            !store
                .inner
                .ldata
                .contains_key(delivery_key(&first.id).unwrap())
                .unwrap(),
            "the open question has no record of its own"
        );
        let later = start + chrono::Duration::seconds(40);
        let wrong = |_: &Delivery| Some(false);
        let unscheduled = |_: &Delivery, _: Option<SrsState>, _: bool, _: &Load| None;
        let wrong_answer = AnswerPlan {
            grade: &wrong,
            schedule: &unscheduled,
            ..right_answer(&first.id, later)
        };
        let (moved, second) = moved_on(&store, &wrong_answer);
        let second = second.expect("answered, with a next question");
        assert_eq!(
            stored(),
            as_started,
            "an answer does not rewrite the session"
        );
        assert_eq!((moved.pos, moved.answered, moved.correct), (1, 1, 0));
        assert_eq!((second.item.as_str(), second.sent), ("X/K2", later));
        assert_eq!(moved.open.as_ref(), Some(&second));
        let store = reopen(store);
        assert_eq!(
            store.session(l.id).unwrap().as_ref(),
            Some(moved.as_ref()),
            "read back from the attempts as the answering process had it"
        );
        assert_eq!(store.delivery(&second.id).unwrap().as_ref(), Some(&second));
        let answered = store.delivery(&first.id).unwrap().unwrap();
        assert_eq!(
            answered.answered.map(|a| (a.option, a.correct)),
            Some((0, false))
        );
        // The second answered after a crash that lost nothing but memory, then the third.
        let at = |s| later + chrono::Duration::seconds(s);
        let (moved, third) = moved_on(&store, &right_answer(&second.id, at(10)));
        let third = third.expect("the second answered, with a third question");
        assert_eq!((moved.pos, moved.answered, moved.correct), (2, 2, 1));
        assert_eq!((third.item.as_str(), third.sent), ("X/K3", at(10)));
        assert!(matches!(
            store
                .record_answer(&right_answer(&first.id, at(11)))
                .unwrap(),
            Recorded::Duplicate { .. }
        ));
        let (last, next) = moved_on(&store, &right_answer(&third.id, at(20)));
        assert!(next.is_none(), "the last answer opens no question");
        assert_eq!(
            (last.pos, last.current.as_deref(), last.correct),
            (3, None, 2)
        );
        let store = reopen(store);
        assert_eq!(store.session(l.id).unwrap().as_ref(), Some(last.as_ref()));
        let attempts = store.attempts(l.id).unwrap();
        let times: Vec<u64> = attempts.iter().map(|a| a.response_ms).collect();
        assert_eq!(
            times,
            [40_000, 10_000, 10_000],
            "each timed from when it was sent"
        );
        // A crash between the scheduling state and the attempt of an answer leaves the
        // session where it was: the question is still open, in memory or not.
        let (_, first) = store
            .start_session(
                l.id,
                Mode::Daily,
                start.date_naive(),
                &three_picks(),
                &SrsSnapshot::default(),
                start,
            )
            .unwrap()
            .unwrap();
        let (moved, _) = moved_on(&store, &right_answer(&first.id, at(30)));
        assert_eq!(moved.pos, 1);
        store
            .inner
            .ldata
            .remove(attempt_key_of(&delivery_key(&first.id).unwrap()))
            .unwrap();
        let store = reopen(store);
        let s = store.session(l.id).unwrap().unwrap();
        assert_eq!((s.pos, s.current.as_deref()), (0, Some(first.id.as_str())));
        assert!(matches!(
            store
                .record_answer(&right_answer(&first.id, at(31)))
                .unwrap(),
            Recorded::New { .. }
        ));
    }

    /// A session remembers its items' scheduling states only when they were read after the
    /// last state written, and keeps them current; every answer is scheduled from the state
    /// sled holds, whichever way it was written.
    #[test]
    fn a_session_schedules_from_the_states_sled_holds() {
        let dir = tempfile::tempdir().unwrap();
        let (store, now, l) = fresh(dir.path());
        let today = now.date_naive();
        let state = |reps| SrsState {
            stability: 1.0,
            difficulty: 5.0,
            due: today + chrono::Days::new(u64::from(reps) % 4),
            last_review: now,
            reps,
            ..SrsState::default()
        };
        // Each answer adds one review to the state it is scheduled from; `seen` notes that.
        // The load it is given is the learner's due dates in sled, whether remembered or read.
        let seen = std::cell::RefCell::new(Vec::new());
        let schedule = |d: &Delivery, old: Option<SrsState>, _: bool, load: &Load| {
            let states = store.srs_all(l.id).unwrap();
            for day in (0..6).map(|n| today + chrono::Days::new(n)) {
                let due = states.iter().filter(|(_, s)| s.due == day).count();
                assert_eq!(load(day), due, "items due on {day}");
            }
            let reps = old.map_or(0, |s| s.reps);
            seen.borrow_mut().push((d.item.clone(), reps));
            Some(state(reps + 1))
        };
        let right = |_: &Delivery| Some(true);
        let answer = |delivery: &str| {
            let plan = AnswerPlan {
                grade: &right,
                schedule: &schedule,
                ..right_answer(delivery, now)
            };
            match store.record_answer(&plan).unwrap() {
                Recorded::New { next, .. } => next,
                other => panic!("recorded, not {other:?}"),
            }
        };
        let start = |planned_from: &SrsSnapshot| {
            let day = now.date_naive();
            let started =
                store.start_session(l.id, Mode::Daily, day, &three_picks(), planned_from, now);
            started.unwrap().unwrap().1
        };
        // Planned, then X/K2 written before the session starts: the plan's states are stale.
        let stale = store.srs_snapshot(l.id).unwrap();
        assert!(stale.states.is_empty());
        store.put_srs(l.id, "X/K2", &state(5)).unwrap();
        let first = start(&stale);
        let second = answer(&first.id).unwrap();
        let third = answer(&second.id).unwrap();
        // Planned from current states, then X/K3 reviewed in a live quiz, outside the session.
        let live = delivery_for(&store, l.id, now);
        let live = Delivery {
            item: "X/K3".into(),
            ..live
        };
        assert!(store.open_delivery(&live).unwrap());
        answer(&live.id);
        assert_eq!(answer(&third.id), None, "the last question");
        // Planned from current states; then X/K3 reviewed in a live quiz and X/K2 written,
        // both outside the session, while it runs.
        let current = store.srs_snapshot(l.id).unwrap();
        let first = start(&current);
        let second = answer(&first.id).unwrap();
        let live = Delivery {
            id: store.new_delivery_id(l.id).unwrap(),
            ..live
        };
        assert!(store.open_delivery(&live).unwrap());
        answer(&live.id);
        store.put_srs(l.id, "X/K2", &state(9)).unwrap();
        let third = answer(&second.id).unwrap();
        answer(&third.id);
        let reviews = seen.borrow().clone();
        let expected = [
            ("X/K1", 0),
            ("X/K2", 5),
            ("X/K3", 0),
            ("X/K3", 1),
            ("X/K1", 1),
            ("X/K3", 2),
            ("X/K2", 9),
            ("X/K3", 3),
        ];
        let expected: Vec<(String, u32)> =
            expected.iter().map(|(i, r)| (i.to_string(), *r)).collect();
        assert_eq!(reviews, expected);
    }

    /// What the lock stripes remember of a session is what sled holds: a new process, which
    /// remembers nothing, carries the same session on from sled, answer for answer.
    #[test]
    fn a_new_process_carries_on_the_session_from_sled() {
        let dir = tempfile::tempdir().unwrap();
        let (store, now, l) = fresh(dir.path());
        let first = three_question_session(&store, l.id, now);
        let plan = |delivery| right_answer(delivery, now);
        let Recorded::New {
            next: Some(second),
            session: Some(moved),
            ..
        } = store.record_answer(&plan(&first.id)).unwrap()
        else {
            panic!("answered, with a next question");
        };
        assert_eq!(store.session(l.id).unwrap().as_ref(), Some(moved.as_ref()));
        // A second press of the same button, answered from memory: still once.
        assert!(matches!(
            store.record_answer(&plan(&first.id)).unwrap(),
            Recorded::Duplicate { .. }
        ));
        let store = reopen(store);
        assert!(matches!(
            store.record_answer(&plan(&first.id)).unwrap(),
            Recorded::Duplicate { .. }
        ));
        let Recorded::New {
            next: Some(third), ..
        } = store.record_answer(&plan(&second.id)).unwrap()
        else {
            panic!("the second answered after the restart, with a third question");
        };
        assert_eq!(third.item, "X/K3", "the planned picks read back from sled");
        assert!(matches!(
            store.record_answer(&plan(&second.id)).unwrap(),
            Recorded::Duplicate { .. }
        ));
        let Recorded::New {
            next: None,
            session: Some(last),
            ..
        } = store.record_answer(&plan(&third.id)).unwrap()
        else {
            panic!("the last answer opens no question");
        };
        assert_eq!((last.pos, last.current.as_deref()), (3, None));
        assert_eq!(store.session(l.id).unwrap().as_ref(), Some(last.as_ref()));
        assert_eq!(store.attempts(l.id).unwrap().len(), 3);
        // Forgetting the learner forgets what memory held too.
        store.forget(l.id).unwrap();
        assert_eq!(store.learner(l.id).unwrap(), None);
        assert!(matches!(
            store.record_answer(&plan(&third.id)).unwrap(),
            Recorded::Unknown
        ));
    }

    /// A learner record read once is cached; writing it drops the cached copy, so a reader
    /// sees every change.
    #[test]
    fn a_changed_learner_is_read_as_changed() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _, mut l) = fresh(dir.path());
        assert_eq!(store.learner(l.id).unwrap().as_ref(), Some(&l));
        l.settings.per_day = 7;
        store.put_learner(&l).unwrap();
        assert_eq!(store.learner(l.id).unwrap().unwrap().settings.per_day, 7);
        store.set_inactive(l.id, true).unwrap();
        assert!(
            store
                .learner_by_account("test:1")
                .unwrap()
                .unwrap()
                .inactive
        );
        store.link_account(l.id, "test:2").unwrap();
        assert_eq!(
            store.learner(l.id).unwrap().unwrap().accounts,
            vec!["test:1".to_string(), "test:2".to_string()]
        );
        assert_eq!(
            store.learner_by_account("test:2").unwrap().unwrap().id,
            l.id
        );
        // Forgotten, and the same account starting again: a new learner, not the cached one.
        store.forget(l.id).unwrap();
        assert_eq!(store.learner_by_account("test:1").unwrap(), None);
        assert_eq!(store.learner_by_account("test:2").unwrap(), None);
        let (again, created) = store.learner_for_account("test:1", "T", l.created).unwrap();
        assert!(created && again.id != l.id);
        assert_eq!(store.learner_by_account("test:1").unwrap(), Some(again));
    }

    /// A schema-2 session keeps its open question in a record of its own: it is found and
    /// answered as before, and the session moves on in the schema-3 layout.
    #[test]
    fn a_schema_2_session_is_answered_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let (store, now, l) = fresh(dir.path());
        let first = delivery_for(&store, l.id, now);
        let ldata = &store.inner.ldata;
        ldata
            .insert(delivery_key(&first.id).unwrap(), enc(&first))
            .unwrap();
        let old = serde_json::json!({"learner": l.id, "mode": "daily", "day": "2026-11-23",
            "total": 2, "pos": 0, "current": first.id, "correct": 0, "answered": 0});
        ldata
            .insert(
                lkind(l.id, K_SESSION, &[]),
                serde_json::to_vec(&old).unwrap(),
            )
            .unwrap();
        let pick = Pick {
            item: "X/K2".into(),
            question: "X/K2/scenario-1".into(),
        };
        ldata
            .insert(lkind(l.id, K_PICK, &1u32.to_be_bytes()), enc(&pick))
            .unwrap();
        assert_eq!(store.delivery(&first.id).unwrap(), Some(first.clone()));
        let plan = right_answer(&first.id, now);
        assert!(matches!(
            store.record_answer(&plan).unwrap(),
            Recorded::New { .. }
        ));
        let s = store.session(l.id).unwrap().unwrap();
        assert_eq!(s.open.as_ref().map(|d| d.item.as_str()), Some("X/K2"));
        assert!(
            store
                .delivery(&first.id)
                .unwrap()
                .unwrap()
                .answered
                .is_some()
        );
        assert!(matches!(
            store.record_answer(&plan).unwrap(),
            Recorded::Duplicate { .. }
        ));
    }

    /// Attempts and scheduling states written as JSON (before schema 4) are read as they are,
    /// beside the compact ones answers write now, and an answer reviews from a JSON state.
    #[test]
    fn json_records_from_older_builds_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let (store, now, l) = fresh(dir.path());
        let old = delivery_for(&store, l.id, now);
        let attempt = Attempt {
            learner: l.id,
            item: "X/K1".into(),
            question: "X/K1/scenario-1".into(),
            option: 2,
            correct: false,
            response_ms: 900,
            platform: "telegram".into(),
            at: now,
            delivery: old.id.clone(),
            mode: Mode::Daily,
        };
        let state = SrsState {
            stability: 0.4,
            difficulty: 7.0,
            due: now.date_naive(),
            last_review: now,
            reps: 3,
            lapses: 1,
            last_correct: false,
            leech: false,
            last_question: Some("X/K1/scenario-1".into()),
            last_delivery: None,
            last_option: None,
        };
        let ldata = &store.inner.ldata;
        let dkey = delivery_key(&old.id).unwrap();
        ldata.insert(attempt_key_of(&dkey), enc(&attempt)).unwrap();
        ldata
            .insert(lkind(l.id, K_SRS, b"X/K1"), enc(&state))
            .unwrap();
        assert_eq!(
            store.attempts(l.id).unwrap(),
            std::slice::from_ref(&attempt)
        );
        assert_eq!(store.srs(l.id, "X/K1").unwrap().as_ref(), Some(&state));
        assert_eq!(
            store
                .delivery(&old.id)
                .unwrap()
                .unwrap()
                .answered
                .unwrap()
                .option,
            2
        );
        let first = three_question_session(&store, l.id, now);
        let reps = std::cell::Cell::new(None);
        let schedule = |_: &Delivery, old: Option<SrsState>, _: bool, _: &Load| {
            reps.set(old.as_ref().map(|s| s.reps));
            old.map(|s| SrsState {
                reps: s.reps + 1,
                ..s
            })
        };
        let right = |_: &Delivery| Some(true);
        let plan = AnswerPlan {
            grade: &right,
            schedule: &schedule,
            ..right_answer(&first.id, now)
        };
        assert!(matches!(
            store.record_answer(&plan).unwrap(),
            Recorded::New { .. }
        ));
        assert_eq!(reps.get(), Some(3), "reviewed from the JSON state");
        let store = reopen(store);
        assert_eq!(store.srs(l.id, "X/K1").unwrap().unwrap().reps, 4);
        let attempts = store.attempts(l.id).unwrap();
        assert_eq!(attempts.len(), 2);
        assert_eq!(attempts[0], attempt);
        assert_eq!(
            (attempts[1].delivery.as_str(), attempts[1].correct),
            (first.id.as_str(), true)
        );
        assert_eq!(store.attempt_count(), 2);
    }
}

//! Storage: the one module that knows sled, its trees, keys and encodings.
//!
//! Everything else calls the small API below, which is what a second backend (PostgreSQL for
//! several instances) would implement. Records are JSON (readable with any sled tool, and
//! tolerant of added fields), except attempts and scheduling states, which every answer writes
//! and planning and exports read in bulk: those are compact (see `codec`), and the JSON ones
//! older builds wrote still read. Keys are built so that one learner's records sit under one prefix
//! (`learner id` as 8 big-endian bytes), which makes "see my data" and "forget me" prefix scans.
//!
//! Trees: `meta` (schema version; fitted FSRS weights under `weights:<scope>`), `learners`, `accounts` (platform account -> learner),
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
//!
//! Files, one job each (each adds its own `impl Store` block):
//! - this one: [`Store`] itself, opening it, [`Store::durable`], errors and the JSON encoding;
//! - `keys`: kind bytes, key builders, delivery ids and their sequence numbers;
//! - `schema`: [`SCHEMA_VERSION`], checking it on open and migrating older stores;
//! - `cache`: what is kept in memory (`Stripe`, `Hot`, `Known`) and the per-learner locks;
//! - `learners`: learners and the platform accounts linked to them;
//! - `cohorts`: cohorts and their members;
//! - `answers`: scheduling states, sessions, deliveries, recording answers, attempts;
//! - `bookkeeping`: forget requests, link codes, live quizzes, polls and daily prompts;
//! - `forget`: deleting every record of a learner;
//! - `backup`: a consistent, checksummed backup file of every tree, and restoring one;
//! - `weights`: FSRS weights fitted for the install and for cohorts;
//! - `measure`: helpers for the benchmarks ([`answer_bytes`], [`raw_durable_inserts`]);
//! - `codec`: the compact encoding of attempts and scheduling states;
//! - `commit`: the group-commit thread behind [`Store::durable`];
//! - `tests`: tests of the above that need the store's insides.

mod answers;
mod backup;
mod bookkeeping;
mod cache;
mod codec;
mod cohorts;
mod commit;
mod forget;
mod keys;
mod learners;
mod measure;
mod schema;
#[cfg(test)]
mod tests;
mod weights;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::Tree;
use thiserror::Error;

use cache::{Known, Stripe};

pub use crate::domain::{
    Answered, Attempt, Cohort, Delivery, Learner, LearnerId, Mode, Pick, Plan, Prompted, Session,
    Settings, SrsState, Weights,
};
pub use answers::{AnswerPlan, Graded, Load, Recorded, Schedule, SrsSnapshot};
pub use backup::{BACKUP_FORMAT, BackupInfo};
pub use bookkeeping::LinkCode;
pub use measure::{answer_bytes, raw_durable_inserts};
pub use schema::SCHEMA_VERSION;

/// sled's page cache per store. Answers touch a small working set (one learner's open quiz)
/// and the daily planner reads each learner once, so a larger cache buys nothing measurable
/// (answer rates are the same at 4, 16 and 1,024 MB) while costing memory. sled counts the
/// bytes of the records it caches, not its own overhead on each, which since records are
/// compact is most of it: planning 100,000 learners peaks at 177 MB with 4 MB, 203 MB with 16
/// and 325 MB with 64, of which about 150 MB is sled's page table for a database that size
/// (a few disk pointers a page), whatever the cache.
pub const CACHE_BYTES: u64 = 4 * 1024 * 1024;

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
    #[error("backup: {0}")]
    Backup(String),
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
        let db = open_db(path, LOCK_WAIT).map_err(|e| open_err(describe_sled(&e)))?;
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

    /// Waits until every write made before this call is on disk (group commit).
    pub fn durable(&self) -> Result<()> {
        self.inner.committer.wait()
    }

    /// Writes a heartbeat record and waits for it to be durable (the health check).
    pub fn check_writable(&self) -> Result<()> {
        self.inner.meta.insert("health", enc(&Utc::now()))?;
        self.durable()
    }
}

/// How long opening waits for the database's file lock. sled releases the lock from its
/// background threads a moment after the last handle is dropped, so a process that restarts
/// (or a store reopened in the same process) can find it still held for a few milliseconds;
/// a second ksbquiz really running on the same database still gets a clear error after this.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens sled at `path`, retrying while another handle holds the file lock, up to `wait`.
fn open_db(path: &Path, wait: std::time::Duration) -> sled::Result<sled::Db> {
    let start = std::time::Instant::now();
    loop {
        let opened = sled::Config::new()
            .path(path)
            .mode(sled::Mode::HighThroughput)
            // sled caches up to 1 GB by default; see CACHE_BYTES.
            .cache_capacity(CACHE_BYTES)
            .open();
        match opened {
            Err(e) if lock_held(&e) && start.elapsed() < wait => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Whether sled refused to open because another handle holds the database's file lock (sled
/// 0.34 reports it as an `Other` I/O error naming the lock, wrapping the OS's `WouldBlock`).
fn lock_held(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io)
        if io.kind() == std::io::ErrorKind::WouldBlock
            || io.to_string().starts_with("could not acquire lock"))
}

/// A sled error in words a person setting ksbquiz up can act on.
fn describe_sled(e: &sled::Error) -> String {
    if lock_held(e) {
        return format!("another ksbquiz process has it open ({e})");
    }
    match e {
        sled::Error::Io(io) => match io.raw_os_error() {
            Some(28) => format!("the disk is full ({io})"),
            Some(13) | Some(30) => format!("no permission to write there ({io})"),
            _ => match io.kind() {
                std::io::ErrorKind::PermissionDenied => {
                    format!("no permission to write there ({io})")
                }
                _ => io.to_string(),
            },
        },
        other => other.to_string(),
    }
}

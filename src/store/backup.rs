//! Backups: one portable, versioned, checksummed file holding every tree of a store, taken
//! while the store serves, and restored into a new, empty store.
//!
//! The snapshot is consistent for answers: it is copied while holding every learner lock, so
//! no answer (its scheduling state and its attempt) is half-written in it; answers wait for
//! the copy, nothing else stops. The file:
//!
//! ```text
//! KSBQUIZ-BACKUP <format>\n
//! <header JSON: format, schema, created, trees, records>\n
//! per tree:   u32 name length, name, u64 record count,
//!             per record: u32 key length, key, u32 value length, value   (little-endian)
//! SHA-256 of everything above (32 bytes)
//! ```
//!
//! A restore checks the magic line, the format and the schema (a newer store's backup is
//! refused), reads every record, and accepts the file only if its SHA-256 matches the trailer:
//! a truncated or altered file is refused before anything is written.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Result, SCHEMA_VERSION, Store, StoreError};

/// The backup file format this build writes and reads.
pub const BACKUP_FORMAT: u32 = 1;
const MAGIC: &str = "KSBQUIZ-BACKUP";

/// What a backup holds, as its header says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupInfo {
    pub format: u32,
    pub schema: u32,
    pub created: chrono::DateTime<Utc>,
    pub trees: usize,
    pub records: u64,
}

/// Writes and hashes at once.
struct Hashing<W: Write> {
    out: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn io(context: &str) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Backup(format!("{context}: {e}"))
}

impl Store {
    /// Writes a backup of the whole store to `out`, holding every learner lock while it copies
    /// (answers wait; nothing else stops). `at_snapshot` runs while the locks are held (tests
    /// compare the store as it was then with the restored copy).
    pub fn backup(&self, out: impl Write, at_snapshot: impl FnOnce()) -> Result<BackupInfo> {
        let guards: Vec<_> = self
            .inner
            .locks
            .iter()
            .map(|m| m.lock().unwrap_or_else(|e| e.into_inner()))
            .collect();
        at_snapshot();
        let db = &self.inner.db;
        let mut names: Vec<Vec<u8>> = db.tree_names().into_iter().map(|n| n.to_vec()).collect();
        names.sort();
        // Collected first: the header carries the counts.
        let mut trees = Vec::with_capacity(names.len());
        let mut records = 0u64;
        for name in names {
            let tree = db.open_tree(&name)?;
            let mut kv = Vec::with_capacity(tree.len());
            for r in tree.iter() {
                let (k, v) = r?;
                kv.push((k, v));
            }
            records += kv.len() as u64;
            trees.push((name, kv));
        }
        drop(guards);
        let info = BackupInfo {
            format: BACKUP_FORMAT,
            schema: self.schema_version()?,
            created: Utc::now(),
            trees: trees.len(),
            records,
        };
        let mut w = Hashing {
            out,
            hash: Sha256::new(),
        };
        let write = io("writing the backup");
        let header = serde_json::to_string(&info).map_err(|e| StoreError::Backup(e.to_string()))?;
        writeln!(w, "{MAGIC} {BACKUP_FORMAT}").map_err(&write)?;
        writeln!(w, "{header}").map_err(&write)?;
        for (name, kv) in &trees {
            w.write_all(&(name.len() as u32).to_le_bytes())
                .map_err(&write)?;
            w.write_all(name).map_err(&write)?;
            w.write_all(&(kv.len() as u64).to_le_bytes())
                .map_err(&write)?;
            for (k, v) in kv {
                w.write_all(&(k.len() as u32).to_le_bytes())
                    .map_err(&write)?;
                w.write_all(k).map_err(&write)?;
                w.write_all(&(v.len() as u32).to_le_bytes())
                    .map_err(&write)?;
                w.write_all(v).map_err(&write)?;
            }
        }
        let digest = w.hash.finalize();
        w.out.write_all(&digest).map_err(&write)?;
        w.out.flush().map_err(&write)?;
        Ok(info)
    }

    /// Restores the backup in `file` into a new store at `db`, which must not exist or be an
    /// empty folder. Nothing is written unless the whole file checks out.
    pub fn restore(file: &Path, db: &Path) -> Result<BackupInfo> {
        if db.exists()
            && std::fs::read_dir(db)
                .map_err(io("reading the target"))?
                .next()
                .is_some()
        {
            return Err(StoreError::Backup(format!(
                "{} is not empty: restore into a new folder (ksbquiz never overwrites a store)",
                db.display()
            )));
        }
        let bytes = std::fs::read(file)
            .map_err(|e| StoreError::Backup(format!("{}: {e}", file.display())))?;
        let bad = |why: &str| {
            StoreError::Backup(format!(
                "{} is not a usable ksbquiz backup: {why}",
                file.display()
            ))
        };
        if bytes.len() < 32 {
            return Err(bad("too short (truncated?)"));
        }
        let (body, trailer) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(body).as_slice() != trailer {
            return Err(bad(
                "its checksum does not match (the file is truncated or altered)",
            ));
        }
        let mut r = body;
        let line = |r: &mut &[u8]| -> std::result::Result<String, StoreError> {
            let end = r
                .iter()
                .position(|b| *b == b'\n')
                .ok_or_else(|| bad("no header"))?;
            let s = String::from_utf8(r[..end].to_vec()).map_err(|_| bad("header not text"))?;
            *r = &r[end + 1..];
            Ok(s)
        };
        let magic = line(&mut r)?;
        if magic != format!("{MAGIC} {BACKUP_FORMAT}") {
            return Err(bad(&format!(
                "it starts {magic:?}, not \"{MAGIC} {BACKUP_FORMAT}\" (another program's file, or a newer format)"
            )));
        }
        let info: BackupInfo =
            serde_json::from_str(&line(&mut r)?).map_err(|e| bad(&format!("header: {e}")))?;
        if info.schema > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: file.to_path_buf(),
                found: info.schema,
                supported: SCHEMA_VERSION,
            });
        }
        let mut trees = Vec::with_capacity(info.trees);
        let take = |r: &mut &[u8], n: usize| -> std::result::Result<Vec<u8>, StoreError> {
            if r.len() < n {
                return Err(bad("a record runs past the end"));
            }
            let (a, b) = r.split_at(n);
            *r = b;
            Ok(a.to_vec())
        };
        let u32_of = |r: &mut &[u8]| -> std::result::Result<usize, StoreError> {
            let b = take(r, 4)?;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        for _ in 0..info.trees {
            let n = u32_of(&mut r)?;
            let name = take(&mut r, n)?;
            let c = take(&mut r, 8)?;
            let count = u64::from_le_bytes(c.try_into().map_err(|_| bad("count"))?);
            let mut kv = Vec::new();
            for _ in 0..count {
                let kn = u32_of(&mut r)?;
                let k = take(&mut r, kn)?;
                let vn = u32_of(&mut r)?;
                let v = take(&mut r, vn)?;
                kv.push((k, v));
            }
            trees.push((name, kv));
        }
        if !r.is_empty() {
            return Err(bad("bytes left over after the last tree"));
        }
        let sled = sled::Config::new()
            .path(db)
            .open()
            .map_err(|e| StoreError::Backup(format!("{}: {e}", db.display())))?;
        for (name, kv) in trees {
            let tree = sled.open_tree(&name)?;
            for (k, v) in kv {
                tree.insert(k, v)?;
            }
        }
        sled.flush()?;
        drop(sled);
        // Opening it checks the schema as any start does.
        Store::open(db)?;
        Ok(info)
    }
}

//! The schema version a store is written in: checked on open, and older stores migrated to
//! this build's.

use super::keys::{
    K_ATTEMPT, K_PICK, K_SESSION, K_SRS, delivery_key, learner_of, lkind, member_key,
};
use super::{Result, Store, StoreError, dec, enc};

/// Schema version this build writes. Older stores are migrated on open; newer are refused.
/// Schema 3 keeps a session's open question inside the session record; it reads schema 2's
/// separate records as they are, so the step from 2 needs no rewrite, but a schema-2 build
/// would not find those questions, so it must refuse a schema-3 store. Schema 4 numbers a
/// session's questions in advance and reads its position from its attempts, so an answer no
/// longer rewrites the session; older sessions are moved on as before, but a schema-3 build
/// would never see a schema-4 session move, so it must refuse a schema-4 store.
pub const SCHEMA_VERSION: u32 = 4;

impl Store {
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

    pub(super) fn check_schema(&self) -> Result<()> {
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
        if found < SCHEMA_VERSION && !i.learners.is_empty() {
            // An upgrade changes the store in place: keep the store as it was first.
            let name = i
                .path
                .file_name()
                .map_or("db".into(), |n| n.to_string_lossy().into_owned());
            let backup = i.path.with_file_name(format!(
                "{name}.schema{found}-{}.ksbquiz-backup",
                chrono::Utc::now().format("%Y%m%dT%H%M%S")
            ));
            let file = std::fs::File::create(&backup)
                .map_err(|e| StoreError::Backup(format!("{}: {e}", backup.display())))?;
            self.backup(std::io::BufWriter::new(file), || {})?;
            tracing::warn!(backup = %backup.display(), from = found, to = SCHEMA_VERSION,
                "upgrading the store; the store as it was is backed up first");
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
}

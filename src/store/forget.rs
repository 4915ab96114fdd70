//! Forgetting a learner: every record of theirs deleted.

use super::keys::{delivery_prefix, lkey, member_key};
use super::{Cohort, LearnerId, Result, Store};

impl Store {
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

//! Cohorts (a tutor's group of learners) and their members.

use super::keys::member_key;
use super::{Cohort, Learner, LearnerId, Result, Store, StoreError, dec, enc};

impl Store {
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

    /// Sets (or with `None` clears) a cohort's end-point assessment date.
    pub fn set_cohort_epa(&self, code: &str, epa: Option<chrono::NaiveDate>) -> Result<Cohort> {
        loop {
            let old = self
                .inner
                .cohorts
                .get(code)?
                .ok_or_else(|| StoreError::NotFound(format!("cohort {code}")))?;
            let mut c: Cohort = dec(&old)?;
            c.epa = epa;
            if self
                .inner
                .cohorts
                .compare_and_swap(code, Some(old), Some(enc(&c)))?
                .is_ok()
            {
                return Ok(c);
            }
        }
    }
}

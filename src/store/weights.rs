//! FSRS weights fitted to this install's answers, one record per scope (`install`, or
//! `cohort:<CODE>`), in the `meta` tree.

use super::keys::weights_key;
use super::{Result, Store, StoreError, Weights, dec, enc};

impl Store {
    /// Saves fitted weights for their scope, replacing what was there.
    pub fn put_weights(&self, w: &Weights) -> Result<()> {
        self.inner.meta.insert(weights_key(&w.scope), enc(w))?;
        Ok(())
    }

    /// Every saved set of weights.
    pub fn all_weights(&self) -> Result<Vec<Weights>> {
        self.inner
            .meta
            .scan_prefix(weights_key(""))
            .map(|r| r.map_err(StoreError::from).and_then(|(_, v)| dec(&v)))
            .collect()
    }
}

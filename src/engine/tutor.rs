//! What a tutor can do at engine level: create a cohort (with a join code) and see its members'
//! progress. A tutor sees only cohorts they created.

use rand::Rng;
use serde_json::json;

use super::{Engine, Out, Result};
use crate::store::{Cohort, Learner};

/// Join codes avoid letters and digits that are easily confused (0/O, 1/I/L).
const CODE_CHARS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

impl Engine {
    pub(super) fn cohort_create(
        &self,
        tutor: &Learner,
        name: &str,
        standards: &[String],
    ) -> Result<Vec<Out>> {
        let all: Vec<String> = self.bank.standards().map(|s| s.code.clone()).collect();
        let mut chosen = Vec::new();
        for code in standards {
            match all.iter().find(|c| c.eq_ignore_ascii_case(code)) {
                Some(c) => chosen.push(c.clone()),
                None => return self.text("bad-standard", &json!({"code": code, "codes": all})),
            }
        }
        if name.trim().is_empty() || chosen.is_empty() {
            return self.text("cohort-usage", &json!({"codes": all}));
        }
        let mut rng = rand::rng();
        for _ in 0..20 {
            let code: String = (0..6)
                .map(|_| char::from(CODE_CHARS[rng.random_range(0..CODE_CHARS.len())]))
                .collect();
            let cohort = Cohort {
                code: code.clone(),
                name: name.trim().to_string(),
                tutor: tutor.id,
                standards: chosen.clone(),
                created: self.now(),
            };
            match self.store.create_cohort(&cohort) {
                Ok(()) => {
                    self.store.durable()?;
                    return self.text(
                        "cohort-created",
                        &json!({"name": cohort.name, "code": code, "standards": chosen}),
                    );
                }
                Err(crate::store::StoreError::Exists(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        self.text("try-again", &json!({}))
    }

    pub(super) fn cohort_members(&self, tutor: &Learner, code: &str) -> Result<Vec<Out>> {
        let code = code.trim().to_uppercase();
        let cohort = match self.store.cohort(&code)? {
            Some(c) if c.tutor == tutor.id => c,
            // Someone else's cohort and no cohort look the same: nothing is revealed.
            _ => return self.text("cohort-not-yours", &json!({"code": code})),
        };
        let now = self.now();
        let mut members = Vec::new();
        for id in self.store.cohort_members(&code)? {
            let Some(l) = self.store.learner(id)? else {
                continue;
            };
            let states = self.store.srs_all(id)?;
            let items: usize = cohort
                .standards
                .iter()
                .map(|s| self.bank.items_of(s).len())
                .sum();
            let in_cohort = |item: &str| {
                cohort
                    .standards
                    .iter()
                    .any(|s| item.starts_with(&format!("{s}/")))
            };
            let studied = states.iter().filter(|(i, _)| in_cohort(i)).count();
            let mastered = states
                .iter()
                .filter(|(i, s)| in_cohort(i) && self.sched.mastered(s, now))
                .count();
            let leeches = states
                .iter()
                .filter(|(i, s)| in_cohort(i) && s.leech)
                .count();
            let last = self
                .store
                .attempts(id)?
                .last()
                .map(|a| a.at.format("%Y-%m-%d").to_string());
            members.push(json!({
                "name": l.name, "studied": studied, "mastered": mastered, "items": items,
                "mastery": (100 * mastered).checked_div(items).unwrap_or(0),
                "leeches": leeches, "last": last,
            }));
        }
        self.text(
            "cohort-members",
            &json!({"name": cohort.name, "code": code, "members": members, "count": members.len()}),
        )
    }

    /// The per-item results of one of the tutor's cohorts, as a CSV file.
    pub(super) fn export(&self, tutor: &Learner, code: &str) -> Result<Vec<Out>> {
        use crate::export::{self, ExportError};
        let scope = match export::cohort_scope(self, code, Some(tutor.id), None, None) {
            Ok(s) => s,
            Err(ExportError::NoCohort(_) | ExportError::NotYours(_)) => {
                return self.text(
                    "cohort-not-yours",
                    &json!({"code": code.trim().to_uppercase()}),
                );
            }
            Err(ExportError::Store(e)) => return Err(e.into()),
            Err(ExportError::Write { .. }) => return self.text("try-again", &json!({})),
        };
        let report = match export::report(self, &scope, false) {
            Ok(r) => r,
            Err(ExportError::Store(e)) => return Err(e.into()),
            Err(_) => return self.text("try-again", &json!({})),
        };
        let views = export::write::views(&report);
        let Ok(csv) = export::write::csv(&views[0]) else {
            return self.text("try-again", &json!({}));
        };
        let mut out = self.text(
            "export-ready",
            &json!({"scope": report.scope, "learners": report.learners, "items": report.items.len()}),
        )?;
        out.push(Out::Document {
            name: format!("{}-items.csv", code.trim().to_uppercase()),
            content: csv,
        });
        Ok(out)
    }
}

//! What a tutor can do at engine level: create a cohort (with a join code) and see its members'
//! progress. A tutor sees only cohorts they created.

use chrono::NaiveDate;
use rand::Rng;
use serde_json::json;

use super::{Engine, ExportRequest, Out, Result};
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
                None => return self.text("bad-standard", json!({"code": code, "codes": all})),
            }
        }
        if name.trim().is_empty() || chosen.is_empty() {
            return self.text("cohort-usage", json!({"codes": all}));
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
                epa: None,
            };
            match self.store.create_cohort(&cohort) {
                Ok(()) => {
                    self.store.durable()?;
                    return self.text(
                        "cohort-created",
                        json!({"name": cohort.name, "code": code, "standards": chosen}),
                    );
                }
                Err(crate::store::StoreError::Exists(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        self.text("try-again", json!({}))
    }

    pub(super) fn cohort_members(&self, tutor: &Learner, code: &str) -> Result<Vec<Out>> {
        let code = code.trim().to_uppercase();
        let cohort = match self.store.cohort(&code)? {
            Some(c) if c.tutor == tutor.id => c,
            // Someone else's cohort and no cohort look the same: nothing is revealed.
            _ => return self.text("cohort-not-yours", json!({"code": code})),
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
            let (sched, _) = self.scheduler_for(&l);
            let aim = self.aim_of(&l, &sched);
            let (epa, _) = self.epa_of(&l)?;
            let mastered = states
                .iter()
                .filter(|(i, s)| in_cohort(i) && sched.secure(s, now, epa, &aim))
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
            json!({"name": cohort.name, "code": code, "members": members, "count": members.len()}),
        )
    }

    /// One of the tutor's cohorts' results, for an optional range of days, as files: the
    /// per-item view, the learner-by-item mastery matrix and the per-question view, in CSV
    /// (three files), XLSX (one workbook, the default), JSON or the HTML report.
    pub(super) fn export(&self, tutor: &Learner, req: &ExportRequest) -> Result<Vec<Out>> {
        use crate::export::{self, ExportError, Format};
        let code = req.code.trim().to_uppercase();
        if code.is_empty() || !req.extra.is_empty() {
            return self.text("export-usage", json!({"extra": req.extra.join(" ")}));
        }
        let mut days = [None, None];
        for (day, typed) in days.iter_mut().zip([&req.from, &req.to]) {
            let Some(typed) = typed.as_deref().map(str::trim) else {
                continue;
            };
            if typed.is_empty() || typed == "-" {
                continue;
            }
            match NaiveDate::parse_from_str(typed, "%Y-%m-%d") {
                Ok(d) => *day = Some(d),
                Err(_) => return self.text("export-bad-date", json!({"date": typed})),
            }
        }
        let [from, to] = days;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return self.text(
                "export-bad-range",
                json!({"from": f.to_string(), "to": t.to_string()}),
            );
        }
        let format = match req.format.as_deref().map(str::trim) {
            None | Some("") => Format::Xlsx,
            Some(name) => match Format::from_name(name) {
                Some(f) => f,
                None => return self.text("export-bad-format", json!({"format": name})),
            },
        };
        let failed = |e: ExportError| -> Result<Vec<Out>> {
            match e {
                ExportError::NoCohort(_) | ExportError::NotYours(_) => {
                    self.text("cohort-not-yours", json!({"code": code}))
                }
                ExportError::Store(e) => Err(e.into()),
                ExportError::Prompt(e) => Err(e.into()),
                ExportError::Write { path, message } => {
                    tracing::error!(%path, %message, "export failed");
                    self.text("try-again", json!({}))
                }
            }
        };
        let src = self.export_sources();
        let scope = match export::cohort_scope(&src, &code, Some(tutor.id), from, to) {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        let report = match export::report(&src, &scope, &()) {
            Ok(r) => r,
            Err(e) => return failed(e),
        };
        let files = match export::files(&report, format, &self.prompts) {
            Ok(f) => f,
            Err(e) => return failed(e),
        };
        // ABC234-items.csv, ABC234-2026-11-01-to-2026-11-30-results.xlsx...
        let stem = match (from, to) {
            (None, None) => code.clone(),
            (Some(f), None) => format!("{code}-from-{f}"),
            (None, Some(t)) => format!("{code}-to-{t}"),
            (Some(f), Some(t)) => format!("{code}-{f}-to-{t}"),
        };
        let mut out = self.text(
            "export-ready",
            json!({
                "scope": report.scope, "learners": report.learners, "items": report.items.len(),
                "from": from.map(|d| d.to_string()), "to": to.map(|d| d.to_string()),
                "csv": format == Format::Csv, "xlsx": format == Format::Xlsx,
                "json": format == Format::Json, "html": format == Format::Html,
            }),
        )?;
        out.extend(files.into_iter().map(|(name, content)| Out::Document {
            name: format!("{stem}-{name}"),
            content,
        }));
        Ok(out)
    }
}

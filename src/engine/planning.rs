//! The end-point date and the plan to it: whose FSRS weights schedule a learner, which date
//! they work towards (their own, else their cohorts' soonest, else [`DEFAULT_HORIZON_DAYS`]
//! ahead), the weekly choice of desired retention and new items a day (see
//! [`srs::forecast::choose`]), fitting weights from the store's answers, and the `/epa` and
//! `/cohort epa` commands.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use serde_json::json;

use super::{Engine, Out, Result};
use crate::domain::{Learner, Mode, Plan, Weights};
use crate::srs::fit::{self, FitError, MIN_REVIEWS};
use crate::srs::forecast::{self, Learning, Projection};
use crate::srs::{Aim, DEFAULT_HORIZON_DAYS, Scheduler};

/// Days a plan stays in force before it is re-decided.
pub const REPLAN_DAYS: u64 = 7;

/// Where a learner's end-point date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpaFrom {
    Own,
    Cohort,
    /// No date set: [`DEFAULT_HORIZON_DAYS`] ahead.
    Horizon,
}

impl EpaFrom {
    pub fn name(self) -> &'static str {
        match self {
            EpaFrom::Own => "own",
            EpaFrom::Cohort => "cohort",
            EpaFrom::Horizon => "horizon",
        }
    }
}

/// What one fit did, for the command line and the logs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FitReport {
    pub scope: String,
    /// Reviews fitted on and held back; log losses on the held-back ones (fitted, default).
    pub reviews: usize,
    pub held_back: usize,
    pub log_loss: Option<f32>,
    pub default_log_loss: Option<f32>,
    /// Whether the fit is now in use (it beat the defaults on the held-back reviews).
    pub kept: bool,
    /// Why nothing was fitted, if so.
    pub refused: Option<String>,
}

/// Fitted schedulers by scope (`install`, `cohort:<CODE>`).
pub(super) type Fitted = std::sync::RwLock<HashMap<String, Arc<Scheduler>>>;

/// Schedulers for every saved set of weights.
pub(super) fn load_fitted(store: &crate::store::Store, config: crate::srs::Config) -> Fitted {
    let mut map = HashMap::new();
    match store.all_weights() {
        Ok(all) => {
            for w in all {
                match Scheduler::with_weights(config, &w.weights) {
                    Ok(s) => {
                        map.insert(w.scope.clone(), Arc::new(s));
                    }
                    Err(e) => {
                        tracing::warn!(scope = %w.scope, error = %e, "saved weights not used")
                    }
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "fitted weights could not be read; using the defaults")
        }
    }
    std::sync::RwLock::new(map)
}

impl Engine {
    /// The scheduler for a learner and whose weights it has: their first cohort with fitted
    /// weights, else the install's, else the defaults.
    pub fn scheduler_for(&self, l: &Learner) -> (Arc<Scheduler>, String) {
        let fitted = self.fitted.read().unwrap_or_else(|p| p.into_inner());
        if fitted.is_empty() {
            return (self.default_sched.clone(), "default".into());
        }
        for code in &l.cohorts {
            let scope = format!("cohort:{code}");
            if let Some(s) = fitted.get(&scope) {
                return (s.clone(), scope);
            }
        }
        match fitted.get("install") {
            Some(s) => (s.clone(), "install".into()),
            None => (self.default_sched.clone(), "default".into()),
        }
    }

    /// The learner's end-point date and where it comes from.
    pub fn epa_of(&self, l: &Learner) -> Result<(NaiveDate, EpaFrom)> {
        let today = self.today(l);
        if let Some(d) = l.settings.epa.filter(|d| *d > today) {
            return Ok((d, EpaFrom::Own));
        }
        let mut soonest: Option<NaiveDate> = None;
        for code in &l.cohorts {
            if let Some(d) = self
                .store
                .cohort(code)?
                .and_then(|c| c.epa)
                .filter(|d| *d > today)
            {
                soonest = Some(soonest.map_or(d, |s| s.min(d)));
            }
        }
        Ok(match soonest {
            Some(d) => (d, EpaFrom::Cohort),
            None => (today + Days::new(DEFAULT_HORIZON_DAYS), EpaFrom::Horizon),
        })
    }

    /// What the learner's reviews aim at: their plan's retention, and its date when one is set.
    pub(super) fn aim_of(&self, l: &Learner, sched: &Scheduler) -> Aim {
        match &l.plan {
            Some(p) if p.epa > self.today(l) => Aim {
                retention: p.retention,
                epa: p.dated.then_some(p.epa),
            },
            _ => sched.default_aim(),
        }
    }

    /// What the projection needs to know about a learner: their items, states and pace.
    fn learning<'a>(
        &'a self,
        l: &'a Learner,
        states: &'a HashMap<String, crate::domain::SrsState>,
        attempts: &[crate::domain::Attempt],
        epa: NaiveDate,
    ) -> Result<Learning<'a>> {
        let today = self.today(l);
        let tz = l.settings.tz();
        // Pace: share of the last four weeks' working days (since the first answer) with a
        // daily quiz answered; unknown in the first week.
        let first = attempts
            .first()
            .map(|a| a.at.with_timezone(&tz).date_naive());
        let from = first.map_or(today, |f| f.max(today - Days::new(28)));
        let days: BTreeSet<NaiveDate> = attempts
            .iter()
            .filter(|a| a.mode == Mode::Daily)
            .map(|a| a.at.with_timezone(&tz).date_naive())
            .filter(|d| *d >= from && *d < today)
            .collect();
        let working = from
            .iter_days()
            .take_while(|d| *d < today)
            .filter(|d| !crate::srs::is_rest(*d, &l.settings.rest_days))
            .count();
        let pace = if working >= 7 {
            (days.len() as f32 / working as f32).clamp(0.1, 1.0)
        } else {
            1.0
        };
        let mut seen = std::collections::HashSet::new();
        let (mut firsts, mut first_right) = (0usize, 0usize);
        for a in attempts {
            if seen.insert(a.item.as_str()) {
                firsts += 1;
                first_right += usize::from(a.correct);
            }
        }
        let first_right = if firsts >= 10 {
            first_right as f32 / firsts as f32
        } else {
            0.5
        };
        Ok(Learning {
            standards: l
                .standards
                .iter()
                .map(|code| {
                    let items = self
                        .bank
                        .items_of(code)
                        .iter()
                        .map(String::as_str)
                        .filter(|i| !self.bank.questions_of(i).is_empty())
                        .collect();
                    (code.as_str(), items)
                })
                .collect(),
            states,
            today,
            now: self.now(),
            epa,
            per_day: l.settings.per_day,
            new_per_day: l.settings.new_per_day,
            rest_days: &l.settings.rest_days,
            pace,
            first_right,
            guess: forecast::GUESS,
        })
    }

    /// Re-decides the learner's plan when it is missing, a week old, or made for another date
    /// or other weights, and saves it. Returns the learner as saved.
    pub fn replan(&self, l: &Learner) -> Result<Learner> {
        let today = self.today(l);
        let (epa, from) = self.epa_of(l)?;
        let (sched, scope) = self.scheduler_for(l);
        let fresh = l.plan.as_ref().is_some_and(|p| {
            p.epa == epa
                && p.weights == scope
                && p.dated == (from != EpaFrom::Horizon)
                && p.decided + Days::new(REPLAN_DAYS) > today
        });
        if fresh || l.standards.is_empty() {
            return Ok(l.clone());
        }
        let states: HashMap<_, _> = self.store.srs_all(l.id)?.into_iter().collect();
        let attempts = self.store.attempts(l.id)?;
        let learning = self.learning(l, &states, &attempts, epa)?;
        let choice = forecast::choose(
            &sched,
            &learning,
            crate::domain::fnv1a(&format!("{}|{today}", l.id)),
        );
        let mut updated = l.clone();
        updated.plan = Some(Plan {
            retention: choice.retention,
            new_per_day: choice.new_per_day,
            decided: today,
            epa,
            dated: from != EpaFrom::Horizon,
            expected: choice.expected,
            default_expected: choice.default_expected,
            weights: scope,
            first_right: learning.first_right,
        });
        self.store.put_learner(&updated)?;
        self.store.durable()?;
        Ok(updated)
    }

    /// Re-decides every stale plan (the server does this daily). Returns how many changed.
    pub fn replan_all(&self) -> Result<usize> {
        let mut changed = 0;
        for l in self.store.learners() {
            let l = l?;
            let after = self.replan(&l)?;
            changed += usize::from(after.plan != l.plan);
        }
        Ok(changed)
    }

    /// The learner's projection to their end-point date under their current plan.
    pub(super) fn projection(
        &self,
        l: &Learner,
        states: &HashMap<String, crate::domain::SrsState>,
        attempts: &[crate::domain::Attempt],
    ) -> Result<(Projection, NaiveDate, EpaFrom)> {
        let (epa, from) = self.epa_of(l)?;
        let (sched, _) = self.scheduler_for(l);
        let aim = match &l.plan {
            Some(p) => Aim {
                retention: p.retention,
                epa: (from != EpaFrom::Horizon).then_some(epa),
            },
            None => sched.default_aim(),
        };
        let new = l
            .plan
            .as_ref()
            .map_or(l.settings.new_per_day, |p| p.new_per_day);
        let learning = self.learning(l, states, attempts, epa)?;
        let p = forecast::project(
            &sched,
            &learning,
            &aim,
            new,
            crate::domain::fnv1a(&format!("{}|stats", l.id)),
        );
        Ok((p, epa, from))
    }

    /// Fits FSRS weights from the store's answers: for the whole install and for each cohort
    /// with enough reviews of its own. A fit is kept (saved, and used from now on) only when it
    /// predicts held-back reviews better than the defaults.
    pub fn refit(&self) -> Result<Vec<FitReport>> {
        let attempts: Vec<crate::domain::Attempt> = self
            .store
            .all_attempts()
            .collect::<std::result::Result<_, _>>()?;
        let mut scopes: Vec<(String, Option<BTreeSet<u64>>)> = vec![("install".into(), None)];
        for c in self.store.cohorts() {
            let c = c?;
            let members: BTreeSet<u64> = self.store.cohort_members(&c.code)?.into_iter().collect();
            scopes.push((format!("cohort:{}", c.code), Some(members)));
        }
        let mut reports = Vec::new();
        for (scope, members) in scopes {
            let hist = fit::histories(
                attempts
                    .iter()
                    .filter(|a| members.as_ref().is_none_or(|m| m.contains(&a.learner))),
            );
            let report = match fit::fit(&hist, MIN_REVIEWS) {
                Ok(f) => {
                    let kept = f.better();
                    if kept {
                        let w = Weights {
                            scope: scope.clone(),
                            weights: f.weights.clone(),
                            reviews: f.reviews,
                            held_back: f.held_back,
                            log_loss: f.log_loss,
                            default_log_loss: f.default_log_loss,
                            fitted: self.now(),
                        };
                        if let Ok(s) = Scheduler::with_weights(self.config.srs, &w.weights) {
                            self.store.put_weights(&w)?;
                            self.fitted
                                .write()
                                .unwrap_or_else(|p| p.into_inner())
                                .insert(scope.clone(), Arc::new(s));
                        }
                    }
                    FitReport {
                        scope,
                        reviews: f.reviews,
                        held_back: f.held_back,
                        log_loss: Some(f.log_loss),
                        default_log_loss: Some(f.default_log_loss),
                        kept,
                        refused: None,
                    }
                }
                Err(e) => FitReport {
                    scope,
                    reviews: match e {
                        FitError::TooFew { have, .. } => have,
                        _ => 0,
                    },
                    held_back: 0,
                    log_loss: None,
                    default_log_loss: None,
                    kept: false,
                    refused: Some(e.to_string()),
                },
            };
            reports.push(report);
        }
        self.store.durable()?;
        Ok(reports)
    }

    /// `/epa YYYY-MM-DD` (or `/epa off`): the learner's own end-point date.
    pub(super) fn set_epa(&self, mut learner: Learner, arg: &str) -> Result<Vec<Out>> {
        let arg = arg.trim();
        let today = self.today(&learner);
        if arg.eq_ignore_ascii_case("off") || arg.eq_ignore_ascii_case("none") {
            learner.settings.epa = None;
        } else {
            match NaiveDate::parse_from_str(arg, "%Y-%m-%d") {
                Ok(d) if d > today => learner.settings.epa = Some(d),
                _ => {
                    return self.text("bad-epa", json!({"given": arg, "today": today.to_string()}));
                }
            }
        }
        self.store.put_learner(&learner)?;
        let learner = self.replan(&learner)?;
        let mut out = self.text("settings-updated", json!({}))?;
        out.extend(self.settings(&learner)?);
        Ok(out)
    }

    /// `/cohort epa CODE YYYY-MM-DD` (or `off`): a tutor sets their cohort's end-point date;
    /// each member's plan is re-decided.
    pub(super) fn cohort_epa(&self, tutor: &Learner, code: &str, arg: &str) -> Result<Vec<Out>> {
        let code = code.trim().to_uppercase();
        match self.store.cohort(&code)? {
            Some(c) if c.tutor == tutor.id => {}
            _ => return self.text("cohort-not-yours", json!({"code": code})),
        }
        let arg = arg.trim();
        let today = self.today(tutor);
        let epa = if arg.eq_ignore_ascii_case("off") || arg.eq_ignore_ascii_case("none") {
            None
        } else {
            match NaiveDate::parse_from_str(arg, "%Y-%m-%d") {
                Ok(d) if d > today => Some(d),
                _ => {
                    return self.text(
                        "bad-epa",
                        json!({"given": arg, "today": today.to_string(), "cohort": code}),
                    );
                }
            }
        };
        let cohort = self.store.set_cohort_epa(&code, epa)?;
        let mut members = 0;
        for id in self.store.cohort_members(&code)? {
            if let Some(l) = self.store.learner(id)? {
                self.replan(&l)?;
                members += 1;
            }
        }
        self.store.durable()?;
        self.text(
            "cohort-epa",
            json!({"name": cohort.name, "code": code, "epa": epa.map(|d| d.to_string()), "members": members}),
        )
    }
}

impl crate::export::Horizons for Engine {
    fn horizon(&self, l: &Learner) -> crate::export::Horizon {
        let (sched, _) = self.scheduler_for(l);
        let aim = self.aim_of(l, &sched);
        let epa = self
            .epa_of(l)
            .map(|e| e.0)
            .unwrap_or_else(|_| self.today(l) + Days::new(DEFAULT_HORIZON_DAYS));
        crate::export::Horizon { sched, aim, epa }
    }
}

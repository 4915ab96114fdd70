//! Tutor exports: per-item analysis of a cohort's answers ([`analysis`]) written as CSV, XLSX,
//! JSON or a self-contained HTML report ([`write`], [`html`]), and the question bank as Moodle
//! GIFT or Moodle XML ([`moodle`]).
//!
//! A report covers a cohort (checked against the tutor asking, when one is named) or every
//! learner (administrators at the command line). Learners outside the scope never appear.
//!
//! Exports read what they are given ([`Sources`]: the store, the bank, the scheduler and the
//! time) and tell a [`Progress`] how far they are; they know nothing of the engine or of who
//! draws the progress.

pub mod analysis;
pub mod html;
pub mod moodle;
pub mod write;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

use crate::bank::Bank;
use crate::domain::{LearnerId, SrsState};
use crate::prompts::{PromptError, Prompts};
use crate::srs::Scheduler;
use crate::store::{Store, StoreError};

pub use analysis::{Horizon, Report, Scope};

#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no cohort with the code {0}")]
    NoCohort(String),
    #[error("cohort {0} is not one of this tutor's cohorts")]
    NotYours(String),
    #[error("writing {path}: {message}")]
    Write { path: String, message: String },
    #[error(transparent)]
    Prompt(#[from] PromptError),
}

/// What an export reads.
#[derive(Clone, Copy)]
pub struct Sources<'a> {
    pub store: &'a Store,
    pub bank: &'a Bank,
    pub sched: &'a Scheduler,
    /// Mastery is as of this time.
    pub now: DateTime<Utc>,
    /// Each learner's scheduler, aim and end-point date (without: the default scheduler and
    /// a date [`crate::srs::DEFAULT_HORIZON_DAYS`] ahead).
    pub horizons: Option<&'a dyn Horizons>,
}

/// Where each learner is heading: what mastery and predicted recall are judged against.
pub trait Horizons {
    fn horizon(&self, learner: &crate::domain::Learner) -> Horizon;
}

/// What a long export tells whoever runs it (the command line draws a bar; chat says
/// nothing, which `()` does).
pub trait Progress {
    fn start(&self, _learners: usize) {}
    fn learner_done(&self) {}
    fn finish(&self) {}
}

impl Progress for () {}

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Three files: per item, learners by item, per question.
    Csv,
    /// One workbook, a sheet per view.
    Xlsx,
    Json,
    /// The self-contained report with charts.
    Html,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Csv, Format::Xlsx, Format::Json, Format::Html];

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
            Format::Html => "html",
        }
    }

    /// A format by its name, in any case (`CSV`, `xlsx`).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// The report as files, each a name (`items.csv`, `results.xlsx`...) and its bytes: CSV is
/// three files (`items`, `learners`, `questions`), every other format one.
pub fn files(
    report: &Report,
    format: Format,
    prompts: &Prompts,
) -> Result<Vec<(String, Vec<u8>)>, ExportError> {
    Ok(match format {
        Format::Csv => write::views(report)
            .iter()
            .map(|v| Ok((format!("{}.csv", v.name), write::csv(v)?)))
            .collect::<Result<_, ExportError>>()?,
        Format::Xlsx => vec![("results.xlsx".into(), write::xlsx(report)?)],
        Format::Json => vec![("results.json".into(), write::json(report).into_bytes())],
        Format::Html => vec![(
            "report.html".into(),
            html::render(report, prompts)?.into_bytes(),
        )],
    })
}

/// The scope for a cohort. With `tutor`, the cohort must be theirs.
pub fn cohort_scope(
    src: &Sources,
    code: &str,
    tutor: Option<LearnerId>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Scope, ExportError> {
    let code = code.trim().to_uppercase();
    let cohort = src
        .store
        .cohort(&code)?
        .ok_or_else(|| ExportError::NoCohort(code.clone()))?;
    if tutor.is_some_and(|t| t != cohort.tutor) {
        return Err(ExportError::NotYours(code));
    }
    let mut learners = Vec::new();
    for id in src.store.cohort_members(&code)? {
        if let Some(l) = src.store.learner(id)? {
            learners.push(l);
        }
    }
    Ok(Scope {
        name: format!("{} ({code})", cohort.name),
        learners,
        standards: cohort.standards,
        from,
        to,
    })
}

/// The scope for a tutor's cohorts together, or (without a tutor) every learner.
pub fn all_scope(
    src: &Sources,
    tutor: Option<LearnerId>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Scope, ExportError> {
    let mut learners = Vec::new();
    let mut standards: Vec<String> = Vec::new();
    let add_std = |s: &String, standards: &mut Vec<String>| {
        if !standards.contains(s) {
            standards.push(s.clone());
        }
    };
    match tutor {
        Some(t) => {
            let mut seen = std::collections::BTreeSet::new();
            for c in src.store.cohorts() {
                let c = c?;
                if c.tutor != t {
                    continue;
                }
                for s in &c.standards {
                    add_std(s, &mut standards);
                }
                for id in src.store.cohort_members(&c.code)? {
                    if seen.insert(id)
                        && let Some(l) = src.store.learner(id)?
                    {
                        learners.push(l);
                    }
                }
            }
        }
        None => {
            for l in src.store.learners() {
                let l = l?;
                for s in &l.standards {
                    add_std(s, &mut standards);
                }
                learners.push(l);
            }
        }
    }
    Ok(Scope {
        name: if tutor.is_some() {
            "all my cohorts".into()
        } else {
            "all learners".into()
        },
        learners,
        standards,
        from,
        to,
    })
}

/// Reads the scope's answers and scheduling and analyses them, one learner at a time (a large
/// scope's answers never sit in memory all at once), telling `progress` as it goes.
pub fn report(
    src: &Sources,
    scope: &Scope,
    progress: &dyn Progress,
) -> Result<Report, ExportError> {
    progress.start(scope.learners.len());
    let mut analysis =
        analysis::Analysis::new(scope, src.bank, src.sched, src.now).with_horizons(src.horizons);
    for l in &scope.learners {
        let attempts = src.store.attempts(l.id)?;
        let states: HashMap<String, SrsState> = src.store.srs_all(l.id)?.into_iter().collect();
        analysis.add(l, &attempts, &states);
        progress.learner_done();
    }
    progress.finish();
    Ok(analysis.finish())
}

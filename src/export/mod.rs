//! Tutor exports: per-item analysis of a cohort's answers ([`analysis`]) written as CSV, XLSX,
//! JSON or a self-contained HTML report ([`write`], [`html`]), and the question bank as Moodle
//! GIFT or Moodle XML ([`moodle`]).
//!
//! A report covers a cohort (checked against the tutor asking, when one is named) or every
//! learner (administrators at the command line). Learners outside the scope never appear.

pub mod analysis;
pub mod html;
pub mod moodle;
pub mod write;

use std::collections::HashMap;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use thiserror::Error;

use crate::engine::Engine;
use crate::prompts::{PromptError, Prompts};
use crate::store::{LearnerId, StoreError};

pub use analysis::{Report, Scope};

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
    engine: &Engine,
    code: &str,
    tutor: Option<LearnerId>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Scope, ExportError> {
    let code = code.trim().to_uppercase();
    let cohort = engine
        .store
        .cohort(&code)?
        .ok_or_else(|| ExportError::NoCohort(code.clone()))?;
    if tutor.is_some_and(|t| t != cohort.tutor) {
        return Err(ExportError::NotYours(code));
    }
    let mut learners = Vec::new();
    for id in engine.store.cohort_members(&code)? {
        if let Some(l) = engine.store.learner(id)? {
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
    engine: &Engine,
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
            for c in engine.store.cohorts() {
                let c = c?;
                if c.tutor != t {
                    continue;
                }
                for s in &c.standards {
                    add_std(s, &mut standards);
                }
                for id in engine.store.cohort_members(&c.code)? {
                    if seen.insert(id)
                        && let Some(l) = engine.store.learner(id)?
                    {
                        learners.push(l);
                    }
                }
            }
        }
        None => {
            for l in engine.store.learners() {
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

/// Reads the scope's answers and scheduling and analyses them. `progress` shows a bar on a
/// terminal for large cohorts.
pub fn report(engine: &Engine, scope: &Scope, progress: bool) -> Result<Report, ExportError> {
    let bar = if progress && scope.learners.len() >= 200 {
        let b = ProgressBar::new(scope.learners.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} learners ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b.set_message("reading answers");
        b
    } else {
        ProgressBar::hidden()
    };
    // One learner at a time: a large scope's answers never sit in memory all at once.
    let mut analysis = analysis::Analysis::new(scope, &engine.bank, &engine.sched, engine.now());
    for l in &scope.learners {
        let attempts = engine.store.attempts(l.id)?;
        let states: HashMap<String, crate::store::SrsState> =
            engine.store.srs_all(l.id)?.into_iter().collect();
        analysis.add(l, &attempts, &states);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(analysis.finish())
}

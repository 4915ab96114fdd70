//! `ksbquiz export`: a cohort's (or everyone's) results per knowledge item, to a file.

use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::json;

use super::args::{ExportArgs, ReportFormat};
use super::engine;
use ksbquiz::project::Project;

pub(crate) fn run(project: &Project, db: &std::path::Path, a: ExportArgs) -> Result<ExitCode> {
    use ksbquiz::export;
    let engine = engine(project, db)?;
    let tutor = match &a.tutor {
        Some(acc) => Some(
            engine
                .learner_id(acc)?
                .with_context(|| format!("no learner or tutor with the account {acc}"))?,
        ),
        None => None,
    };
    let src = engine.export_sources();
    let scope = match &a.cohort {
        Some(code) => export::cohort_scope(&src, code, tutor, a.from, a.to)?,
        None => export::all_scope(&src, tutor, a.from, a.to)?,
    };
    let report = export::report(&src, &scope, &Bar::default())?;
    let write = |bytes: &[u8]| {
        std::fs::write(&a.out, bytes).with_context(|| format!("writing {}", a.out.display()))
    };
    match a.format {
        ReportFormat::Csv => {
            export::write::csv_files(&report, &a.out)?;
        }
        ReportFormat::Xlsx => write(&export::write::xlsx(&report)?)?,
        ReportFormat::Json => write(export::write::json(&report).as_bytes())?,
        ReportFormat::Html => write(export::html::render(&report, &engine.prompts)?.as_bytes())?,
    }
    println!(
        "{}",
        engine.prompts.render(
            "cli/export",
            &json!({"scope": report.scope, "learners": report.learners, "items": report.items.len(),
                    "out": a.out.display().to_string()})
        )?
    );
    Ok(ExitCode::SUCCESS)
}

/// The export's progress as a bar on the terminal, for scopes large enough to wait for.
#[derive(Default)]
struct Bar(std::cell::RefCell<Option<indicatif::ProgressBar>>);

impl ksbquiz::export::Progress for Bar {
    fn start(&self, learners: usize) {
        if learners >= 200 {
            let b = indicatif::ProgressBar::new(learners as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} {bar:40} {pos}/{len} learners ({eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b.set_message("reading answers");
            *self.0.borrow_mut() = Some(b);
        }
    }
    fn learner_done(&self) {
        if let Some(b) = &*self.0.borrow() {
            b.inc(1);
        }
    }
    fn finish(&self) {
        if let Some(b) = self.0.borrow_mut().take() {
            b.finish_and_clear();
        }
    }
}

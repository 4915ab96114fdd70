//! `ksbquiz bank`: build, check, review and export the question bank.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::args::{BankCmd, BankFormat};
use super::{library, print_json_or, prompts};
use ksbquiz::bank::{self, Bank, BankError, BankFile, Material, check::Limits};
use ksbquiz::project::Project;
use ksbquiz::prompts::Prompts;

pub(crate) fn run(project: &Project, cmd: BankCmd) -> Result<ExitCode> {
    let p = prompts(project)?;
    match cmd {
        BankCmd::Build => {
            let lib = library(project)?;
            let mat = Material::load(&project.data())?;
            let built = bank::build_into(&lib, &mat, &p, &project.bank_out())?;
            let written: Vec<_> = built
                .iter()
                .map(|b| {
                    json!({"code": b.code, "path": project.shown(&b.path),
                           "questions": b.questions, "changed": b.changed})
                })
                .collect();
            println!(
                "{}",
                p.render("cli/bank-build", &json!({"banks": written}))?
            );
            Ok(ExitCode::SUCCESS)
        }
        BankCmd::Export {
            format,
            standard,
            out,
        } => {
            let banks = banks_of(project, standard.as_deref())?;
            let text = match format {
                BankFormat::Gift => ksbquiz::export::moodle::gift(&banks),
                BankFormat::MoodleXml => ksbquiz::export::moodle::moodle_xml(&banks)?,
            };
            std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
            let questions: usize = banks.iter().map(|b| b.questions.len()).sum();
            println!(
                "{}",
                p.render(
                    "cli/bank-export",
                    &json!({"questions": questions, "out": out.display().to_string()})
                )?
            );
            Ok(ExitCode::SUCCESS)
        }
        BankCmd::Review { code, items } => {
            let today = chrono::Local::now().format("%Y-%m-%d").to_string();
            // Read the material afresh after the change: over the defaults, the view is
            // assembled again from the root's files.
            let root = project.root.clone();
            let material = || {
                let view = Project::open(&root).map_err(|e| BankError::Invalid(e.to_string()))?;
                Material::load(&view.data())
            };
            let marked = bank::draft::review(&project.data_out(), &code, &items, &today, material)?;
            println!(
                "{}",
                p.render(
                    "cli/bank-review",
                    &json!({"code": code, "marked": marked, "count": marked.len()})
                )?
            );
            Ok(ExitCode::SUCCESS)
        }
        BankCmd::Sample {
            count,
            seed,
            standard,
            all,
        } => {
            let bank = Bank::from_files(banks_of(project, standard.as_deref())?);
            let cards = if all {
                bank::sample::every(&bank)
            } else {
                bank::sample::sample(&bank, count, seed)
            };
            println!(
                "{}",
                p.render(
                    "cli/bank-sample",
                    &json!({"cards": cards, "count": cards.len(), "seed": seed, "all": all})
                )?
            );
            Ok(ExitCode::SUCCESS)
        }
        BankCmd::Check { json } => {
            let path = project.bank_limits();
            let limits = if path.exists() {
                Limits::load(&path)?
            } else {
                Limits::default()
            };
            let banks = banks_of(project, None)?;
            let mut report = bank::check::check(&banks, &limits);
            stale(project, &p, &banks, &mut report.errors)?;
            print_json_or(json, &report, &p, "cli/bank-check", || {
                json!({"report": report, "limits": limits, "ok": report.ok(),
                       "pct": pct(&report, &limits), "problems": report.problems().collect::<Vec<_>>()})
            })?;
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// The bank's files, or only `standard`'s: refused when there are none (the bank not built
/// yet) or the bank has no such standard.
fn banks_of(project: &Project, standard: Option<&str>) -> Result<Vec<BankFile>> {
    let mut banks = bank::read_dir(&project.bank())?;
    if banks.is_empty() {
        bail!(
            "no bank files in {}: run `ksbquiz bank build` first",
            project.bank().display()
        );
    }
    if let Some(code) = standard {
        banks.retain(|b| b.standard.code.eq_ignore_ascii_case(code));
        if banks.is_empty() {
            bail!("no standard {code:?} in the question bank");
        }
    }
    Ok(banks)
}

/// Percentages for the check template.
fn pct(r: &bank::check::Report, limits: &Limits) -> serde_json::Value {
    let f = |x: f64| format!("{:.1}%", 100.0 * x);
    json!({
        "test_wise": r.test_wise.iter().map(|(k, &v)| (k.clone(), f(v))).collect::<std::collections::BTreeMap<_, _>>(),
        // One row per strategy: its share over the bank, then per question type.
        "test_wise_rows": r.test_wise.iter().map(|(name, &all)| json!({
            "strategy": name,
            "all": f(all),
            "by_type": r.test_wise_by_type.iter().map(|(t, m)| json!({
                "type": t,
                "share": f(m.get(name).copied().unwrap_or(0.0)),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "max_test_wise": f(limits.max_test_wise),
        "max_test_wise_per_type": f(limits.max_test_wise_per_type),
        "max_test_wise_middle": f(limits.max_test_wise_middle),
        "max_test_wise_flag": f(limits.max_test_wise_flag),
        "chance": f(r.chance),
        "positions": r.positions.iter().map(|&x| f(x)).collect::<Vec<_>>(),
        "answer_only": r.answer_only.by_type.iter().map(|(t, s)| json!({
            "type": t, "accuracy": f(s.accuracy), "chance": f(s.chance),
            "ceiling": f(s.chance + limits.max_answer_only_margin), "questions": s.questions,
        })).collect::<Vec<_>>(),
        "answer_only_by_standard": r.answer_only.by_standard.iter().map(|(code, types)| json!({
            "standard": code,
            "by_type": types.iter().map(|(t, s)| json!({"type": t, "accuracy": f(s.accuracy)})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "answer_only_within": r.answer_only.within.iter().map(|(t, s)| json!({
            "type": t, "accuracy": f(s.accuracy),
        })).collect::<Vec<_>>(),
        "cues": r.answer_only.cues.iter().map(|c| json!({
            "feature": c.feature, "weight": format!("{:+.2}", c.weight),
            "keys": c.keys, "distractors": c.distractors,
        })).collect::<Vec<_>>(),
        "flagged": r.answer_only.flagged.iter().take(bank::probe::SHOWN).map(|q| json!({
            "question": q.question, "probability": f(q.probability), "feature": q.feature,
        })).collect::<Vec<_>>(),
        "poll_fit": f(r.poll_fit as f64 / r.questions.max(1) as f64),
    })
}

/// Adds an error for every bank file that differs from a fresh build, or is missing.
fn stale(
    project: &Project,
    p: &Prompts,
    banks: &[BankFile],
    errors: &mut Vec<String>,
) -> Result<()> {
    let mat = Material::load(&project.data())?;
    errors.extend(bank::stale(&library(project)?, &mat, p, banks)?);
    Ok(())
}

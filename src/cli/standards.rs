//! `ksbquiz standards`: list, show and import standards.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use super::args::StandardsCmd;
use super::{library, print_json_or, prompts};
use ksbquiz::bank;
use ksbquiz::project::Project;
use ksbquiz::standards::{ItemKind, Standard, library};

/// The summary fields templates show for a standard.
fn summary(s: &Standard) -> serde_json::Value {
    json!({
        "code": s.code(),
        "title": s.standard.title,
        "kind": s.standard.kind,
        "source": s.standard.source,
        "provisional": s.standard.provisional,
        "performance": s.count(ItemKind::Performance),
        "knowledge": s.count(ItemKind::Knowledge),
        "skills": s.count(ItemKind::Skill),
        "behaviours": s.count(ItemKind::Behaviour),
        "items": s.items.len(),
    })
}

/// Items with `heading` set where a new section starts, for listing.
fn with_headings(s: &Standard) -> Vec<serde_json::Value> {
    let mut last: Option<&str> = None;
    s.items
        .iter()
        .map(|it| {
            let heading = it.section.as_deref().filter(|&h| Some(h) != last);
            last = it.section.as_deref();
            json!({"id": it.id, "text": it.text, "heading": heading})
        })
        .collect()
}

pub(crate) fn run(project: &Project, cmd: StandardsCmd) -> Result<ExitCode> {
    let p = prompts(project)?;
    match cmd {
        StandardsCmd::List => {
            let lib = library(project)?;
            let list: Vec<_> = lib.standards().map(summary).collect();
            let total: usize = lib.standards().map(|s| s.items.len()).sum();
            println!(
                "{}",
                p.render(
                    "cli/standards-list",
                    &json!({"count": list.len(), "standards": list, "total": total})
                )?
            );
        }
        StandardsCmd::Show { standard, json } => {
            let path = PathBuf::from(&standard);
            let std = if path.is_file() {
                library::load_file(&path, &standard)?
            } else {
                library(project)?.get(&standard)?.standard.clone()
            };
            print_json_or(json, &std, &p, "cli/standards-show", || {
                json!({"summary": summary(&std), "standard": std.standard,
                       "items": with_headings(&std)})
            })?;
        }
        StandardsCmd::Import { file } => {
            let mut lib = library(project)?;
            let dest = lib.import_into(&file, &project.standards_out())?;
            let std = &lib.get_path(&dest)?.standard;
            let known = lib
                .standards()
                .flat_map(|s| s.items.iter().map(|i| (i.id.as_str(), i.text.as_str())));
            let carried = bank::draft::carry(&project.data(), std, known)?;
            let draft = bank::draft::write_draft(&project.data_out(), std, &carried)?;
            println!(
                "{}",
                p.render(
                    "cli/standards-import",
                    &json!({"summary": summary(std), "dest": project.shown(&dest),
                            "draft": draft.map(|d| project.shown(&d)),
                            "carried": carried.len(),
                            "reworded": carried.values().filter(|c| c.differs.is_some()).count()})
                )?
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

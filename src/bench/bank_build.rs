//! Building the bank: every seed standard, and a synthetic corpus of 50 standards.

use std::time::Instant;

use anyhow::Result;
use serde_json::{Value, json};

use super::fixture::Fixture;
use super::measure::{peak_mb, reset_peak};
use crate::bank::{BankFile, Material, generate};
use crate::project::Project;
use crate::standards::{Library, Standard};

/// A synthetic corpus: 50 standards made of the seeds' items under new codes, each item with
/// its seed's material (so it gets questions: only reviewed material makes them).
fn synthetic(lib: &[Standard], mat: &mut Material) -> Vec<Standard> {
    (0..50)
        .map(|n| {
            let base = &lib[n % lib.len()];
            let code = format!("SYN{n:03}");
            let mut s = base.clone();
            s.standard.code = code.clone();
            s.standard.provisional = true;
            for it in &mut s.items {
                let id = format!("{code}/{}{}", it.kind.letter(), it.number);
                if let Some(mut sc) = mat.scenarios.get(&it.id).cloned() {
                    sc.id = id.clone();
                    mat.scenarios.insert(id.clone(), sc);
                }
                it.id = id;
            }
            s
        })
        .collect()
}

pub(super) fn bank_build(project: &Project, f: &Fixture) -> Result<Value> {
    let lib = Library::load(&project.standards(), &project.root)?;
    let seeds: Vec<Standard> = lib.standards().cloned().collect();
    let mut mat = Material::load(&project.data())?;
    let synthetic = synthetic(&seeds, &mut mat);
    let time = |stds: &[Standard]| -> Result<(f64, usize, Option<f64>)> {
        reset_peak();
        let t = Instant::now();
        let files: Vec<BankFile> = stds
            .iter()
            .map(|s| generate::build(s, &mat, &f.prompts))
            .collect::<std::result::Result<_, _>>()?;
        let n = files.iter().map(|b| b.questions.len()).sum();
        Ok((t.elapsed().as_secs_f64(), n, peak_mb()))
    };
    let (s1, q1, m1) = time(&seeds)?;
    let (s2, q2, m2) = time(&synthetic)?;
    Ok(json!({
        "seeds": {"standards": seeds.len(), "questions": q1, "seconds": s1, "peak_mb": m1},
        "synthetic_50": {"standards": 50, "questions": q2, "seconds": s2, "peak_mb": m2},
    }))
}

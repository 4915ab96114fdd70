//! The fault tests' answer storm: learners answering as fast as they can, each answer sent
//! twice, until the process is killed.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;

use super::fixture::{Fixture, engine, start};
use crate::engine::{Input, ManualClock, Who};
use crate::project::Project;

/// The answer storm for fault tests: `learners` threads answer as fast as they can over the
/// database at `db`, each answer sent twice (a double click), and print `ack <delivery>` once
/// the engine has acknowledged an answer (it is durable by then). Runs until killed.
pub fn storm(project: &Project, db: &Path, learners: usize) -> Result<()> {
    use std::io::Write;
    let f = Fixture::load(project)?;
    let e = Arc::new(engine(&f, db, Arc::new(ManualClock::new(start())), 20)?);
    let out = Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let handles: Vec<_> = (0..learners)
        .map(|i| {
            let (e, out) = (e.clone(), out.clone());
            std::thread::spawn(move || -> Result<()> {
                let acc = format!("storm:{i}");
                let w = Who {
                    account: &acc,
                    name: "S",
                    platform: "storm",
                };
                if e.store().learner_by_account(&acc)?.is_none() {
                    e.handle(w, Input::Start { code: None })?;
                    // A long daily quiz, so kills land in the middle of it (set before the
                    // first standard, which starts the first quiz).
                    e.handle(w, Input::PerDay("50".into()))?;
                    e.handle(w, Input::NewPerDay("50".into()))?;
                    e.handle(w, Input::Enrol(vec!["PROV-LMCCP".into()]))?;
                }
                loop {
                    // Today's quiz first (after a restart, resumed where its attempts say it
                    // got to, and its answers scheduled), then practice rounds.
                    let mut reply = e.handle(w, Input::Quiz)?;
                    if crate::engine::question_in(&reply).is_none() {
                        reply = e.handle(w, Input::Practice)?;
                    }
                    while let Some(q) = crate::engine::question_in(&reply).cloned() {
                        let a = Input::Answer {
                            delivery: q.delivery.clone(),
                            option: i % 4,
                        };
                        reply = e.handle(w, a.clone())?;
                        let mut o = out.lock().map_err(|_| anyhow::anyhow!("stdout lock"))?;
                        writeln!(o, "ack {}", q.delivery)?;
                        o.flush()?;
                        drop(o);
                        e.handle(w, a)?;
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("storm thread panicked"))??;
    }
    Ok(())
}

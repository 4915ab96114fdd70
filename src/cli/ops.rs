//! `ksbquiz backup` and `ksbquiz restore`: the operator's copy of the store.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::prompts;
use ksbquiz::project::Project;
use ksbquiz::store::Store;

/// Writes a backup of the store at `db` (or, with `server`, of the running server's store,
/// fetched from its `/backup`) to `out`, through a temporary file renamed when complete.
pub(crate) fn backup(
    project: &Project,
    db: &Path,
    out: &Path,
    server: Option<&str>,
) -> Result<ExitCode> {
    let tmp = out.with_extension("partial");
    let info = match server {
        Some(addr) => {
            let url = if addr.starts_with("http") {
                format!("{}/backup", addr.trim_end_matches('/'))
            } else {
                format!("http://{addr}/backup")
            };
            let rt = tokio::runtime::Runtime::new()?;
            let bytes = rt.block_on(async {
                let resp = reqwest::get(&url)
                    .await
                    .with_context(|| format!("asking {url}"))?;
                if !resp.status().is_success() {
                    bail!("{url} answered {}", resp.status());
                }
                anyhow::Ok(resp.bytes().await?)
            })?;
            std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
            json!({"bytes": bytes.len(), "from": url})
        }
        None => {
            let store = Store::open(db).context(
                "opening the store (if a server is running on it, use --server ADDR with its --http address)",
            )?;
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("writing {}", tmp.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let info = store.backup(&mut w, || {})?;
            w.flush()?;
            json!({"records": info.records, "trees": info.trees, "schema": info.schema, "from": db.display().to_string()})
        }
    };
    std::fs::rename(&tmp, out)
        .with_context(|| format!("moving the backup to {}", out.display()))?;
    println!(
        "{}",
        prompts(project)?.render(
            "cli/backup",
            &json!({"out": out.display().to_string(), "info": info})
        )?
    );
    Ok(ExitCode::SUCCESS)
}

/// Restores `file` into a new store at `db`.
pub(crate) fn restore(project: &Project, file: &Path, db: &Path) -> Result<ExitCode> {
    let info = Store::restore(file, db)?;
    println!(
        "{}",
        prompts(project)?.render(
            "cli/restore",
            &json!({"file": file.display().to_string(), "db": db.display().to_string(),
                    "records": info.records, "schema": info.schema, "created": info.created.to_rfc3339()})
        )?
    );
    Ok(ExitCode::SUCCESS)
}

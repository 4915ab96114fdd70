//! Draft material for an imported standard, and a tutor's review of it.
//!
//! `ksbquiz standards import` writes `data/scenarios/<CODE>.toml` with one stanza per item,
//! each marked `status = "draft"` and empty, the item's text above it as a comment: a tutor
//! writes prose into it, not JSON. Draft stanzas make no questions (the item is not asked
//! meanwhile). `ksbquiz bank review CODE [ITEM...]` marks stanzas reviewed
//! in the file, once the material with them reviewed passes every check `bank build` makes;
//! from then on they are held to the same gates as the seed material.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{BankError, Material};
use crate::standards::Standard;

/// The draft material file for `std`.
pub fn draft_file(std: &Standard) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Draft question material for {}: {}.\n\
         # For each item write a workplace situation, three things the standard asks of the\n\
         # worker in it and three things a new worker might really do instead, each with one\n\
         # sentence on why it meets the item or falls short (data/scenarios/README.md). Then run\n\
         # `ksbquiz bank review {} ITEM` (or without ITEM for every written stanza) and\n\
         # `ksbquiz bank build`. Until an item is reviewed it has no questions and is not asked.\n\n\
         standard = {:?}",
        std.code(),
        std.standard.title,
        std.code(),
        std.code()
    );
    for item in &std.items {
        let _ = write!(
            s,
            "\n[[item]]\nid = {:?}\nstatus = \"draft\"\n# {}{}: {}\nwho = \"adult\"\nsituation = \"\"\n",
            item.id,
            item.kind.letter(),
            item.number,
            item.text.replace('\n', " ")
        );
        for side in ["good", "poor"] {
            let _ = writeln!(s, "{side} = [");
            for _ in 0..3 {
                let _ = writeln!(s, "  {{ text = \"\", why = \"\" }},");
            }
            let _ = writeln!(s, "]");
        }
    }
    s
}

/// Writes the draft material file for an imported standard, unless one exists. Returns its
/// path if it wrote one.
pub fn write_draft(data: &Path, std: &Standard) -> Result<Option<PathBuf>, BankError> {
    let dir = data.join("scenarios");
    let path = dir.join(format!("{}.toml", std.code()));
    if path.exists() {
        return Ok(None);
    }
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&path, draft_file(std)))
        .map_err(|source| BankError::Io {
            path: path.clone(),
            err: source,
        })?;
    Ok(Some(path))
}

/// Marks draft stanzas of standard `code` reviewed (`items` by id or reference such as `K3`;
/// all drafts when empty), in every material file of `data/scenarios/` that holds them. The
/// files are changed only if the material then loads and passes its checks; otherwise they
/// are left as they were and the error says what to fix. Returns the ids marked.
pub fn review(
    data: &Path,
    code: &str,
    items: &[String],
    today: &str,
) -> Result<Vec<String>, BankError> {
    let files = super::material::scenario_files(&data.join("scenarios"))?;
    let wanted = |id: &str| {
        items.is_empty()
            || items.iter().any(|w| {
                w.eq_ignore_ascii_case(id)
                    || id.rsplit_once('/').is_some_and(|(c, r)| {
                        c.eq_ignore_ascii_case(code) && r.eq_ignore_ascii_case(w)
                    })
            })
    };
    let mut marked = Vec::new();
    let mut changed: Vec<(PathBuf, String)> = Vec::new();
    for path in files {
        let old = std::fs::read_to_string(&path).map_err(|source| BankError::Io {
            path: path.clone(),
            err: source,
        })?;
        let mut id = String::new();
        let mut new = String::with_capacity(old.len());
        for line in old.split_inclusive('\n') {
            let t = line.trim();
            if t == "[[item]]" {
                id.clear();
            } else if let Some(v) = t.strip_prefix("id = ") {
                id = v.trim_matches('"').to_string();
            } else if t.starts_with("status = \"draft\"")
                && id.starts_with(&format!("{code}/"))
                && wanted(&id)
            {
                let _ = writeln!(
                    new,
                    "status = \"reviewed\"   # `ksbquiz bank review`, {today}"
                );
                marked.push(id.clone());
                continue;
            }
            new.push_str(line);
        }
        if new != old {
            changed.push((path, old));
            let (path, _) = changed.last().expect("just pushed");
            std::fs::write(path, &new).map_err(|source| BankError::Io {
                path: path.clone(),
                err: source,
            })?;
        }
    }
    if let Err(e) = Material::load(data) {
        for (path, old) in &changed {
            let _ = std::fs::write(path, old);
        }
        return Err(e);
    }
    Ok(marked)
}

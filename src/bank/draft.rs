//! Draft material for an imported standard, and a tutor's review of it.
//!
//! `ksbquiz standards import` writes `data/scenarios/<CODE>.toml` with one stanza per item,
//! each marked `status = "draft"` and empty, the item's text above it as a comment: a tutor
//! writes prose into it, not JSON. Draft stanzas make no questions (the item is not asked
//! meanwhile). `ksbquiz bank review CODE [ITEM...]` marks stanzas reviewed
//! in the file, once the material with them reviewed passes every check `bank build` makes;
//! from then on they are held to the same gates as the seed material.
//!
//! An imported item whose text another standard already has (a re-issued or re-coded
//! standard, a unit shared between qualifications) starts from that item's written material
//! instead of an empty stanza ([`carry`]): still a draft, with a comment naming where it came
//! from (and that item's text, where the wording differs), so the tutor checks it fits before
//! marking it reviewed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{BankError, Material};
use crate::standards::Standard;

/// Written material an imported item starts from (see [`carry`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    /// The item whose material it is.
    pub from: String,
    /// That item's text, where it differs from the imported item's.
    pub differs: Option<String>,
    /// The stanza's lines other than its id, status and comments (who, names, situation,
    /// good and poor practice...), as written.
    pub body: String,
}

/// Items whose text is the same as an imported item's after case, punctuation and spacing;
/// an item whose words mostly match (at least [`NEAR`] of their distinct words in common) is
/// carried too, flagged as worded differently.
pub const NEAR: f64 = 0.8;

/// The written, non-draft material of `data/scenarios/` that each item of `std` can start
/// from, by the imported item's id. `known` gives the other standards' items, by id and text.
pub fn carry<'a>(
    data: &Path,
    std: &Standard,
    known: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<BTreeMap<String, Carried>, BankError> {
    let stanzas = written_stanzas(data)?;
    let own = format!("{}/", std.code());
    let known: Vec<(&str, &str, String, BTreeSet<String>)> = known
        .into_iter()
        .filter(|(id, _)| stanzas.contains_key(*id) && !id.starts_with(&own))
        .map(|(id, text)| (id, text, normal(text), words(text)))
        .collect();
    let mut out = BTreeMap::new();
    for item in &std.items {
        let (norm, mine) = (normal(&item.text), words(&item.text));
        let same = known.iter().find(|k| k.2 == norm);
        let near = || {
            known
                .iter()
                .map(|k| (k, jaccard(&mine, &k.3)))
                .filter(|&(_, j)| j >= NEAR)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(k, _)| k)
        };
        if let Some(&(from, text, _, _)) = same.or_else(near) {
            out.insert(
                item.id.clone(),
                Carried {
                    from: from.to_string(),
                    differs: same.is_none().then(|| text.replace('\n', " ")),
                    body: stanzas.get(from).cloned().unwrap_or_default(),
                },
            );
        }
    }
    Ok(out)
}

/// Lower-case words of a text joined by single spaces.
fn normal(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn words(text: &str) -> BTreeSet<String> {
    normal(text).split(' ').map(String::from).collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// The body lines of every written, non-draft stanza of the material files, by item id.
fn written_stanzas(data: &Path) -> Result<BTreeMap<String, String>, BankError> {
    let mut out = BTreeMap::new();
    let dir = data.join("scenarios");
    if !dir.is_dir() {
        return Ok(out);
    }
    for path in super::material::scenario_files(&dir)? {
        let text = std::fs::read_to_string(&path).map_err(|err| BankError::Io {
            path: path.clone(),
            err,
        })?;
        let mut blocks = text.split("[[item]]");
        // A role the file sets for all its items goes with each stanza carried elsewhere.
        let file_role = blocks
            .next()
            .and_then(|head| head.lines().map(str::trim).find(|l| is_role(l)));
        for block in blocks {
            let (mut id, mut draft, mut body) = (None, false, String::new());
            let mut own_role = false;
            for line in block.lines() {
                let t = line.trim();
                own_role |= is_role(t);
                if let Some(v) = t.strip_prefix("id = ") {
                    id = Some(v.trim_matches('"').to_string());
                } else if t.starts_with("status = ") {
                    draft |= t.starts_with("status = \"draft\"");
                } else if !t.starts_with('#') && !t.is_empty() {
                    body.push_str(line);
                    body.push('\n');
                }
            }
            if let Some(role) = file_role.filter(|_| !own_role) {
                body = format!("{role}\n{body}");
            }
            let empty = body.contains("situation = \"\"");
            if let (Some(id), false, false) = (id, draft, empty) {
                out.insert(id, body);
            }
        }
    }
    Ok(out)
}

/// Whether a trimmed line of a material file sets a `role` (a file's, or an item's own).
fn is_role(line: &str) -> bool {
    line.starts_with("role = ")
}

/// The draft material file for `std`, stanzas in `carried` starting from their material.
pub fn draft_file(std: &Standard, carried: &BTreeMap<String, Carried>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Draft question material for {}: {}.\n\
         # For each item write a workplace situation, three things the standard asks of the\n\
         # worker in it and three things a new worker might really do instead, each with one\n\
         # sentence on why it meets the item or falls short (data/scenarios/README.md). Then run\n\
         # `ksbquiz bank review {} ITEM` (or without ITEM for every written stanza) and\n\
         # `ksbquiz bank build`. Until an item is reviewed it has no questions and is not asked.\n\
         # Each item makes three scenario questions; its \"which falls short\" question is\n\
         # retired, as in the seed material (delete the `retired` line to ask it).\n\n\
         standard = {:?}\n\
         retired = [\"shortfall-1\"]",
        std.code(),
        std.standard.title,
        std.code(),
        std.code()
    );
    for item in &std.items {
        let _ = write!(
            s,
            "\n[[item]]\nid = {:?}\nstatus = \"draft\"\n# {}{}: {}\n",
            item.id,
            item.kind.letter(),
            item.number,
            item.text.replace('\n', " ")
        );
        if let Some(c) = carried.get(&item.id) {
            let _ = writeln!(
                s,
                "# Carried from {}, whose material this is: check it fits this item, then review.",
                c.from
            );
            if let Some(t) = &c.differs {
                let _ = writeln!(s, "# Worded differently there: {t}");
            }
            s.push_str(&c.body);
            continue;
        }
        s.push_str("who = \"adult\"\nsituation = \"\"\n");
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
pub fn write_draft(
    data: &Path,
    std: &Standard,
    carried: &BTreeMap<String, Carried>,
) -> Result<Option<PathBuf>, BankError> {
    let dir = data.join("scenarios");
    let path = dir.join(format!("{}.toml", std.code()));
    if path.exists() {
        return Ok(None);
    }
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&path, draft_file(std, carried)))
        .map_err(|source| BankError::Io {
            path: path.clone(),
            err: source,
        })?;
    Ok(Some(path))
}

/// Marks draft stanzas of standard `code` reviewed (`items` by id or reference such as `K3`;
/// all drafts when empty), in every material file of `data/scenarios/` that holds them. The
/// files are changed only if `material` (the whole material as read after the change: the
/// root's own files over the defaults, where the root has not all of them) then loads and
/// passes its checks; otherwise they are left as they were and the error says what to fix.
/// Returns the ids marked.
pub fn review(
    data: &Path,
    code: &str,
    items: &[String],
    today: &str,
    material: impl FnOnce() -> Result<Material, BankError>,
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
    if let Err(e) = material() {
        for (path, old) in &changed {
            let _ = std::fs::write(path, old);
        }
        return Err(e);
    }
    Ok(marked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_carried_stanza_keeps_the_role_its_file_gave_it() {
        let dir = tempfile::tempdir().unwrap();
        let scenarios = dir.path().join("scenarios");
        std::fs::create_dir_all(&scenarios).unwrap();
        std::fs::write(
            scenarios.join("LEAD.toml"),
            "standard = \"LEAD\"\nrole = \"the manager\"\n\n[[item]]\nid = \"LEAD/K1\"\n\
             situation = \"a\"\n\n[[item]]\nid = \"LEAD/K2\"\nrole = \"the shift leader\"\n\
             situation = \"b\"\n",
        )
        .unwrap();
        std::fs::write(
            scenarios.join("CARE.toml"),
            "standard = \"CARE\"\n\n[[item]]\nid = \"CARE/K1\"\nsituation = \"c\"\n",
        )
        .unwrap();
        let stanzas = written_stanzas(dir.path()).unwrap();
        assert_eq!(
            stanzas["LEAD/K1"],
            "role = \"the manager\"\nsituation = \"a\"\n"
        );
        assert_eq!(
            stanzas["LEAD/K2"],
            "role = \"the shift leader\"\nsituation = \"b\"\n"
        );
        assert_eq!(stanzas["CARE/K1"], "situation = \"c\"\n");
    }
}

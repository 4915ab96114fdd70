//! Occupational standards: their messy real text parsed into numbered items.
//!
//! Two families are understood. National Occupational Standards (NOS) have *performance
//! criteria* and *knowledge and understanding*, numbered `1.` or `P1`/`K1`, sometimes under
//! themed headings. Apprenticeship standards list Knowledge, Skills and Behaviours as
//! `K1: ...`, `S1: ...`, `B1: ...`, usually inside web-page noise.
//!
//! The work is split so that each part has one job: [`text`] cleans lines whatever tool
//! extracted them, `layout` walks a numbered list (continuations, page furniture, headings),
//! [`nos`] and [`apprenticeship`] find the lists and the metadata of each family, [`meta`] reads
//! the sidecar that fills what a text lacks, and [`library`] is the folder of standards on disk.
//! Nothing here writes files except [`library::Library::import`].

pub mod apprenticeship;
mod layout;
pub mod library;
pub mod meta;
pub mod nos;
pub mod text;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use library::Library;
pub use meta::Sidecar;

/// Which family a standard belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StandardKind {
    Nos,
    Apprenticeship,
}

/// What an item asks of the learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// NOS performance criterion: something you must be able to do.
    Performance,
    /// NOS knowledge and understanding, or apprenticeship knowledge.
    Knowledge,
    /// Apprenticeship skill.
    Skill,
    /// Apprenticeship behaviour.
    Behaviour,
}

impl ItemKind {
    /// The letter used in item ids: `P`, `K`, `S` or `B`.
    pub fn letter(self) -> char {
        match self {
            ItemKind::Performance => 'P',
            ItemKind::Knowledge => 'K',
            ItemKind::Skill => 'S',
            ItemKind::Behaviour => 'B',
        }
    }

    pub fn from_letter(c: char) -> Option<Self> {
        Some(match c.to_ascii_uppercase() {
            'P' => ItemKind::Performance,
            'K' => ItemKind::Knowledge,
            'S' => ItemKind::Skill,
            'B' => ItemKind::Behaviour,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Performance => "performance",
            ItemKind::Knowledge => "knowledge",
            ItemKind::Skill => "skill",
            ItemKind::Behaviour => "behaviour",
        }
    }
}

/// One numbered item of a standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id `<CODE>/<P|K|S|B><N>`.
    pub id: String,
    pub kind: ItemKind,
    pub number: u32,
    /// Themed heading the item sits under, where the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    pub text: String,
}

/// What is known about a standard besides its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StandardInfo {
    /// Code used in item ids: the URN or reference, or a provisional code from the sidecar.
    pub code: String,
    pub title: String,
    pub kind: Option<StandardKind>,
    /// Path of the source text, relative to the project root where possible.
    pub source: String,
    /// True when the code is not an official URN but one ksbquiz assigned.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suite: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A parsed standard: its metadata and items in source order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    pub standard: StandardInfo,
    pub items: Vec<Item>,
}

impl Standard {
    pub fn code(&self) -> &str {
        &self.standard.code
    }

    /// Items of one kind.
    pub fn count(&self, kind: ItemKind) -> usize {
        self.items.iter().filter(|i| i.kind == kind).count()
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// A text the parser cannot understand, with the file and line where it gave up.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{file}:{line}: {message}")]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Parses a standard of either family. `source` names the file in errors and in the result;
/// `sidecar` supplies or overrides metadata the text lacks.
pub fn parse(raw: &str, source: &str, sidecar: Option<&Sidecar>) -> Result<Standard, ParseError> {
    let lines = text::lines(raw);
    let mut std = if nos::looks_like(&lines) {
        nos::parse(&lines, source, sidecar)?
    } else if apprenticeship::looks_like(&lines) {
        apprenticeship::parse(&lines, source, sidecar)?
    } else {
        return Err(ParseError {
            file: source.to_string(),
            line: lines
                .iter()
                .find(|l| !l.text.is_empty())
                .map_or(1, |l| l.no),
            message: "not a standard ksbquiz understands: found no 'Performance criteria' or \
                      'Knowledge and understanding' section (NOS) and no 'K1: ...' items \
                      (apprenticeship standard)"
                .to_string(),
        });
    };
    std.standard.source = source.to_string();
    Ok(std)
}

/// Shared finishing step (the sidecar is already applied): checks the code and title are
/// usable and sets the item ids.
fn finish(info: StandardInfo, items: Vec<Item>, source: &str) -> Result<Standard, ParseError> {
    let fail = |message: String| ParseError {
        file: source.to_string(),
        line: 1,
        message,
    };
    if info.code.is_empty() {
        return Err(fail(format!(
            "the text gives no code (no 'Original URN' or 'Reference:'); add a sidecar {} with \
             code = \"...\" (mark it provisional = true if it is not an official URN)",
            meta::sidecar_name(source)
        )));
    }
    if !info
        .code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(fail(format!(
            "code {:?} may hold only letters, digits, '-' and '_'",
            info.code
        )));
    }
    if info.title.is_empty() {
        return Err(fail(format!(
            "the text gives no title; add a sidecar {} with title = \"...\"",
            meta::sidecar_name(source)
        )));
    }
    let code = info.code.clone();
    let items = items
        .into_iter()
        .map(|mut it| {
            it.id = format!("{code}/{}{}", it.kind.letter(), it.number);
            it
        })
        .collect();
    Ok(Standard {
        standard: info,
        items,
    })
}

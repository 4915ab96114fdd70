//! The question bank: every item of every standard turned into multiple-choice questions that
//! test understanding, kept as one reviewable JSON file per standard (`question-bank/<CODE>.json`).
//!
//! Building is pure (standard + `data/` material + `prompts/` templates -> questions) and
//! deterministic: randomness is seeded from ids, so the same inputs give byte-identical files
//! and question ids (`<ITEM>/<type>-<n>`) are stable across rebuilds. [`generate`] makes the
//! questions, [`check`] validates a bank and measures how well it resists test-wise guessing.

pub mod check;
pub mod generate;
mod index;
pub mod material;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::prompts::PromptError;
use crate::standards::{Item, StandardInfo};

pub use index::Bank;
pub use material::Material;

#[derive(Debug, Error)]
pub enum BankError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("{path}: not a valid bank file: {message}")]
    Json { path: PathBuf, message: String },
    #[error(transparent)]
    Prompt(#[from] PromptError),
    #[error("{0}")]
    Invalid(String),
}

/// The kinds of question the bank holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionType {
    /// Authored situation: what does the standard expect you to do? (key: good practice)
    Scenario,
    /// Authored situation: which of these falls short? (key: the poor practice)
    Shortfall,
    /// Generic situation of the item's theme with the item quoted: what should you do?
    Theme,
    /// Generic: which of these does the standard ask of you here? (key: the item itself)
    Asks,
    /// The item with a key term blanked; near-miss terms as distractors.
    Cloze,
}

impl QuestionType {
    pub fn name(self) -> &'static str {
        match self {
            QuestionType::Scenario => "scenario",
            QuestionType::Shortfall => "shortfall",
            QuestionType::Theme => "theme",
            QuestionType::Asks => "asks",
            QuestionType::Cloze => "cloze",
        }
    }
}

impl fmt::Display for QuestionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One multiple-choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable id: `<ITEM>/<type>-<n>`, e.g. `HSCCLD352/P4/scenario-1`.
    pub id: String,
    /// The knowledge item it tests.
    pub item: String,
    #[serde(rename = "type")]
    pub qtype: QuestionType,
    pub stem: String,
    pub options: Vec<String>,
    /// Index of the right option.
    pub answer: usize,
    /// Shown after answering; cites the item.
    pub explanation: String,
    /// `authored` (from data/scenarios) or `generic` (works for any standard).
    pub source: String,
}

/// The contents of `question-bank/<CODE>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankFile {
    pub standard: StandardInfo,
    pub items: Vec<Item>,
    pub questions: Vec<Question>,
}

impl BankFile {
    /// Serialised exactly as written to disk (pretty JSON, trailing newline).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn read(path: &Path) -> Result<Self, BankError> {
        let raw = std::fs::read_to_string(path).map_err(|source| BankError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&raw).map_err(|e| BankError::Json {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// The file name of a standard's bank.
pub fn file_name(code: &str) -> String {
    format!("{code}.json")
}

/// Reads every bank file in `dir`, sorted by code.
pub fn read_dir(dir: &Path) -> Result<Vec<BankFile>, BankError> {
    let rd = std::fs::read_dir(dir).map_err(|source| BankError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|p| BankFile::read(p)).collect()
}

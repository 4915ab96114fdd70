//! The question bank: every item of every standard turned into multiple-choice questions that
//! test understanding, kept as one reviewable JSON file per standard (`question-bank/<CODE>.json`).
//!
//! Building is pure (standard + `data/` material + `prompts/` templates -> questions) and
//! deterministic: randomness is seeded from ids, so the same inputs give byte-identical files
//! and question ids (`<ITEM>/<type>-<n>`) are stable across rebuilds. [`generate`] makes the
//! questions, [`check`] validates a bank and measures how well it resists test-wise guessing
//! (among others by the forms of each option, [`forms`], and with a model that sees only the
//! options, [`probe`]), [`review`] marks a
//! tutor's draft material reviewed, [`sample`] draws a review sheet.

pub mod check;
pub mod draft;
pub mod forms;
pub mod generate;
mod index;
pub mod material;
pub mod probe;
pub mod sample;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::prompts::{PromptError, Prompts};
use crate::standards::{Item, Library, StandardInfo};

pub use index::Bank;
pub use material::Material;

#[derive(Debug, Error)]
pub enum BankError {
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
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
}

impl QuestionType {
    pub fn name(self) -> &'static str {
        match self {
            QuestionType::Scenario => "scenario",
            QuestionType::Shortfall => "shortfall",
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
    /// Why each option is right or falls short, by option: shown after answering, for the
    /// option chosen and for the key. Empty where the material gives no reasons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feedback: Vec<String>,
    /// Where it came from: `authored` (data/scenarios), the only source since generic
    /// questions were retired.
    pub source: String,
    /// The person the scenario is about, with a stand-in for a learner of the same name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Stand>,
    /// A second person the story names, with their stand-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<Stand>,
}

/// The person in a scenario and who stands in when the learner has the same name (a learner
/// should never meet themselves as the child in a story).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stand {
    pub name: String,
    pub stand_in: String,
}

impl Question {
    /// Why option `i` is right or falls short, if the material says.
    pub fn why(&self, i: usize) -> Option<&str> {
        self.feedback
            .get(i)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The question as a learner called `learner` should read it: if a person in the scenario
    /// has the learner's first name, their stand-in takes their place.
    pub fn for_learner(&self, learner: &str) -> std::borrow::Cow<'_, Question> {
        let first = learner.split_whitespace().next().unwrap_or("");
        let shared = [&self.person, &self.other]
            .into_iter()
            .flatten()
            .find(|p| !first.is_empty() && p.name.eq_ignore_ascii_case(first));
        match shared {
            Some(p) => {
                let swap = |t: &String| replace_word(t, &p.name, &p.stand_in);
                std::borrow::Cow::Owned(Question {
                    stem: swap(&self.stem),
                    options: self.options.iter().map(swap).collect(),
                    feedback: self.feedback.iter().map(swap).collect(),
                    ..self.clone()
                })
            }
            _ => std::borrow::Cow::Borrowed(self),
        }
    }
}

/// `text` with every whole-word `word` replaced by `by`.
fn replace_word(text: &str, word: &str, by: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back().or(out.chars().next_back());
        let after = rest[i + word.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..i]);
        out.push_str(if edge(before) && edge(after) {
            by
        } else {
            word
        });
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
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
            err: source,
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

/// What building one standard's bank file did.
#[derive(Debug, Clone, Serialize)]
pub struct Built {
    pub code: String,
    pub path: PathBuf,
    pub questions: usize,
    /// Whether the file on disk changed (it is written only when it did).
    pub changed: bool,
}

/// Builds every standard of `library` into `dir` (one `<CODE>.json` each), writing only the
/// files whose contents change.
pub fn build_into(
    library: &Library,
    mat: &Material,
    prompts: &Prompts,
    dir: &Path,
) -> Result<Vec<Built>, BankError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BankError::Io { path, err: source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut built = Vec::new();
    for s in library.standards() {
        let file = generate::build(s, mat, prompts)?;
        let path = dir.join(file_name(s.code()));
        let json = file.to_json();
        let changed = std::fs::read_to_string(&path).map_or(true, |old| old != json);
        if changed {
            std::fs::write(&path, &json).map_err(io(&path))?;
        }
        built.push(Built {
            code: s.code().to_string(),
            path,
            questions: file.questions.len(),
            changed,
        });
    }
    Ok(built)
}

/// The bank files in `banks` that differ from what `library`, `mat` and `prompts` build now,
/// or are missing: what `bank check` reports as stale.
pub fn stale(
    library: &Library,
    mat: &Material,
    prompts: &Prompts,
    banks: &[BankFile],
) -> Result<Vec<String>, BankError> {
    let mut problems = Vec::new();
    for s in library.standards() {
        let fresh = generate::build(s, mat, prompts)?;
        let name = file_name(s.code());
        match banks.iter().find(|b| b.standard.code == s.code()) {
            None => problems.push(format!(
                "question-bank/{name} is missing: run `ksbquiz bank build`"
            )),
            Some(b) if *b != fresh => problems.push(format!(
                "question-bank/{name} is out of date with data/ and prompts/: run `ksbquiz bank build`"
            )),
            Some(_) => {}
        }
    }
    Ok(problems)
}

/// The file name of a standard's bank.
pub fn file_name(code: &str) -> String {
    format!("{code}.json")
}

/// Reads every bank file in `dir`, sorted by code.
pub fn read_dir(dir: &Path) -> Result<Vec<BankFile>, BankError> {
    let rd = std::fs::read_dir(dir).map_err(|source| BankError::Io {
        path: dir.to_path_buf(),
        err: source,
    })?;
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|p| BankFile::read(p)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_replaced_as_whole_words() {
        assert_eq!(
            super::replace_word("Kai asks Kaitlyn; Kai's mum", "Kai", "Leo"),
            "Leo asks Kaitlyn; Leo's mum"
        );
    }
}

//! Where a ksbquiz project keeps things: `data/standards/`, `data/`, `prompts/`,
//! `question-bank/`, all below one root folder (the current directory unless `--root` or
//! `KSBQUIZ_ROOT` says otherwise).

use std::path::{Path, PathBuf};

/// The folders of one project.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
}

impl Project {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Project { root: root.into() }
    }
    pub fn data(&self) -> PathBuf {
        self.root.join("data")
    }
    pub fn standards(&self) -> PathBuf {
        self.root.join("data").join("standards")
    }
    pub fn prompts(&self) -> PathBuf {
        self.root.join("prompts")
    }
    pub fn bank(&self) -> PathBuf {
        self.root.join("question-bank")
    }
    pub fn bank_limits(&self) -> PathBuf {
        self.root.join("data").join("bank-check.toml")
    }
    /// Where the learners' database lives unless `--db` or `KSBQUIZ_DB` says otherwise.
    pub fn default_db(&self) -> PathBuf {
        self.root.join("ksbquiz-data").join("db")
    }
    /// A path shown relative to the root where it lies below it.
    pub fn shown(&self, p: &Path) -> String {
        p.strip_prefix(&self.root)
            .unwrap_or(p)
            .display()
            .to_string()
    }
}

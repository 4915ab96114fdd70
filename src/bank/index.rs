//! The bank at run time: every standard's items and questions, indexed by id.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::{BankError, BankFile, Question};
use crate::standards::{Item, StandardInfo};

/// All question-bank files, loaded and indexed.
#[derive(Debug, Clone, Default)]
pub struct Bank {
    files: Vec<BankFile>,
    items: HashMap<String, (usize, usize)>,
    questions: HashMap<String, (usize, usize)>,
    by_standard: BTreeMap<String, Vec<String>>,
    by_item: HashMap<String, Vec<String>>,
}

const NONE: &[String] = &[];

impl Bank {
    /// Loads every `<CODE>.json` in `dir`.
    pub fn load(dir: &Path) -> Result<Self, BankError> {
        Ok(Self::from_files(super::read_dir(dir)?))
    }

    pub fn from_files(files: Vec<BankFile>) -> Self {
        let mut b = Bank::default();
        for (fi, f) in files.iter().enumerate() {
            let ids = b.by_standard.entry(f.standard.code.clone()).or_default();
            for (ii, it) in f.items.iter().enumerate() {
                b.items.insert(it.id.clone(), (fi, ii));
                ids.push(it.id.clone());
            }
            for (qi, q) in f.questions.iter().enumerate() {
                b.questions.insert(q.id.clone(), (fi, qi));
                b.by_item
                    .entry(q.item.clone())
                    .or_default()
                    .push(q.id.clone());
            }
        }
        b.files = files;
        b
    }

    /// The standards, by code.
    pub fn standards(&self) -> impl Iterator<Item = &StandardInfo> {
        let mut v: Vec<&StandardInfo> = self.files.iter().map(|f| &f.standard).collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v.into_iter()
    }

    pub fn standard(&self, code: &str) -> Option<&BankFile> {
        self.files
            .iter()
            .find(|f| f.standard.code.eq_ignore_ascii_case(code))
    }

    /// Item ids of a standard, in source order.
    pub fn items_of(&self, code: &str) -> &[String] {
        self.by_standard.get(code).map_or(NONE, Vec::as_slice)
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.get(id).map(|&(f, i)| &self.files[f].items[i])
    }

    /// Question ids of an item.
    pub fn questions_of(&self, item: &str) -> &[String] {
        self.by_item.get(item).map_or(NONE, Vec::as_slice)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions
            .get(id)
            .map(|&(f, q)| &self.files[f].questions[q])
    }

    pub fn files(&self) -> &[BankFile] {
        &self.files
    }
}

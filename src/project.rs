//! Where a ksbquiz project keeps things: `data/standards/`, `data/`, `prompts/`,
//! `question-bank/`, below one root folder (the current directory unless `--root` or
//! `KSBQUIZ_ROOT` says otherwise), over defaults built into the binary.
//!
//! The seed standards, data, prompts and question bank are embedded at build time, so an
//! installed binary works from any folder. A root that holds all of `prompts/`, `data/` and
//! `question-bank/` (a checkout, or a tutor's full copy) is read as it is. Otherwise ksbquiz
//! reads a *view*: the embedded defaults with the root's own files of those folders laid over
//! them (a file of the same path replaces the default; a new file is added), assembled once
//! per content in a cache folder (`$XDG_CACHE_HOME/ksbquiz`, else `~/.cache/ksbquiz`, else the
//! system's temporary folder). What ksbquiz writes (a built bank, an imported standard, draft
//! material) always goes to the root.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::domain::fnv1a;

/// The defaults built into the binary, one per folder a project has.
static PROMPTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/prompts");
static DATA: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/data");
static BANK: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/question-bank");

/// The folders, relative to a root, that have embedded defaults.
const FOLDERS: [(&str, &Dir<'static>); 3] = [
    ("prompts", &PROMPTS),
    ("data", &DATA),
    ("question-bank", &BANK),
];

/// Why the view of defaults and the root's files could not be assembled.
#[derive(Debug, thiserror::Error)]
#[error(
    "assembling the built-in defaults at {path} failed ({err}); run from a folder with prompts/, data/ and question-bank/, or set --root / KSBQUIZ_ROOT to one"
)]
pub struct ViewError {
    pub path: PathBuf,
    pub err: std::io::Error,
}

/// The folders of one project.
#[derive(Debug, Clone)]
pub struct Project {
    /// Where ksbquiz writes, and where the root's own files are.
    pub root: PathBuf,
    /// What ksbquiz reads: the root itself, or the defaults with the root's files over them.
    view: PathBuf,
    /// The configuration file named by `--config` / `KSBQUIZ_CONFIG`, if any (else
    /// `ksbquiz.toml` in the root, when there is one).
    pub config: Option<PathBuf>,
}

impl Project {
    /// A project read exactly as it is in `root` (tests, and roots known to be complete).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Project {
            view: root.clone(),
            root,
            config: None,
        }
    }

    /// A project over the built-in defaults: `root` as it is when it has every folder, else
    /// the defaults with the root's files over them (see the module notes).
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, ViewError> {
        let root = root.into();
        if FOLDERS.iter().all(|(name, _)| root.join(name).is_dir()) {
            return Ok(Project::new(root));
        }
        let view = assemble(&root, &cache_dir())?;
        Ok(Project {
            root,
            view,
            config: None,
        })
    }

    /// The deployment settings: the configuration file and the environment.
    pub fn settings(&self) -> Result<crate::config::Config, crate::config::ConfigError> {
        crate::config::Config::load_from(self.config.as_deref(), &self.root).map(|c| c.0)
    }

    /// The folder ksbquiz reads from (the root, or the assembled view).
    pub fn read_root(&self) -> &Path {
        &self.view
    }

    /// Whether this project reads the built-in defaults (not a complete root).
    pub fn uses_defaults(&self) -> bool {
        self.view != self.root
    }

    pub fn data(&self) -> PathBuf {
        self.view.join("data")
    }
    pub fn standards(&self) -> PathBuf {
        self.view.join("data").join("standards")
    }
    pub fn prompts(&self) -> PathBuf {
        self.view.join("prompts")
    }
    pub fn bank(&self) -> PathBuf {
        self.view.join("question-bank")
    }
    pub fn bank_limits(&self) -> PathBuf {
        self.view.join("data").join("bank-check.toml")
    }
    /// Where a built bank is written.
    pub fn bank_out(&self) -> PathBuf {
        self.root.join("question-bank")
    }
    /// Where draft material and its review are written.
    pub fn data_out(&self) -> PathBuf {
        self.root.join("data")
    }
    /// Where an imported standard is copied.
    pub fn standards_out(&self) -> PathBuf {
        self.root.join("data").join("standards")
    }
    /// Where the learners' database lives unless `--db` or `KSBQUIZ_DB` says otherwise.
    pub fn default_db(&self) -> PathBuf {
        self.root.join("ksbquiz-data").join("db")
    }
    /// A path shown relative to the root (or the view) where it lies below it.
    pub fn shown(&self, p: &Path) -> String {
        p.strip_prefix(&self.root)
            .or_else(|_| p.strip_prefix(&self.view))
            .unwrap_or(p)
            .display()
            .to_string()
    }
}

fn cache_dir() -> PathBuf {
    let home = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    home.filter(|h| std::fs::create_dir_all(h.join("ksbquiz")).is_ok())
        .unwrap_or_else(std::env::temp_dir)
        .join("ksbquiz")
}

/// Every embedded file: (path relative to a root, contents).
fn embedded() -> Vec<(PathBuf, &'static [u8])> {
    fn walk(dir: &'static Dir<'static>, top: &str, out: &mut Vec<(PathBuf, &'static [u8])>) {
        for f in dir.files() {
            out.push((Path::new(top).join(f.path()), f.contents()));
        }
        for d in dir.dirs() {
            walk(d, top, out);
        }
    }
    let mut out = Vec::new();
    for (name, dir) in FOLDERS {
        walk(dir, name, &mut out);
    }
    out
}

/// The root's own files below the defaulted folders: (relative path, absolute path).
fn overlay(root: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = FOLDERS
        .iter()
        .map(|(name, _)| root.join(name))
        .filter(|p| p.is_dir())
        .collect();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.push((rel.to_path_buf(), p.clone()));
            }
        }
    }
    out.sort();
    out
}

/// Writes the view for `root` below `cache` (once per content) and returns it.
fn assemble(root: &Path, cache: &Path) -> Result<PathBuf, ViewError> {
    let defaults = embedded();
    let own = overlay(root);
    let mut key = String::from(env!("CARGO_PKG_VERSION"));
    for (rel, bytes) in &defaults {
        key.push_str(&format!("|{}:{:x}", rel.display(), fnv1a_bytes(bytes)));
    }
    for (rel, abs) in &own {
        let contents = std::fs::read(abs).map_err(|err| ViewError {
            path: abs.clone(),
            err,
        })?;
        key.push_str(&format!(
            "|own {}:{:x}",
            rel.display(),
            fnv1a_bytes(&contents)
        ));
    }
    let view = cache.join(format!("view-{:016x}", fnv1a(&key)));
    if view.is_dir() {
        return Ok(view);
    }
    let tmp = cache.join(format!("view-tmp-{}", std::process::id()));
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |err| ViewError { path, err }
    };
    let _ = std::fs::remove_dir_all(&tmp);
    for (rel, bytes) in &defaults {
        let dest = tmp.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(err(parent))?;
        }
        std::fs::write(&dest, bytes).map_err(err(&dest))?;
    }
    for (rel, abs) in &own {
        let dest = tmp.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(err(parent))?;
        }
        std::fs::copy(abs, &dest).map_err(err(&dest))?;
    }
    // Another process may have assembled the same view meanwhile: either copy will do.
    if std::fs::rename(&tmp, &view).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        if !view.is_dir() {
            return Err(ViewError {
                path: view,
                err: std::io::Error::other("could not move the assembled view into place"),
            });
        }
    }
    Ok(view)
}

fn fnv1a_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_root_reads_the_defaults_and_a_root_file_overrides_one() {
        let root =
            std::env::temp_dir().join(format!("ksbquiz-project-test-{}", std::process::id()));
        let cache = root.join("cache");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&cache).unwrap();
        let view = assemble(&root, &cache).unwrap();
        assert!(view.join("prompts/chat/help.hbs").is_file());
        assert!(view.join("question-bank/HSCCLD352.json").is_file());
        assert!(view.join("data/standards").is_dir());
        // The same content gives the same view; a file of the root's own gives another.
        assert_eq!(assemble(&root, &cache).unwrap(), view);
        std::fs::create_dir_all(root.join("prompts/chat")).unwrap();
        std::fs::write(root.join("prompts/chat/help.hbs"), "Our own help").unwrap();
        let mine = assemble(&root, &cache).unwrap();
        assert_ne!(mine, view);
        assert_eq!(
            std::fs::read_to_string(mine.join("prompts/chat/help.hbs")).unwrap(),
            "Our own help"
        );
        assert!(
            mine.join("prompts/chat/stats.hbs").is_file(),
            "the other defaults stay"
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}

//! The library of standards on disk: `data/standards/*.txt` with optional `.meta.toml`
//! sidecars. Loading parses every text; importing parses a new file first and copies it in
//! byte for byte only when it parses.

use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::meta::{Sidecar, sidecar_path};
use super::{ParseError, Standard};

#[derive(Debug, Error)]
pub enum LibraryError {
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{path}: not valid UTF-8 text (save it as UTF-8 and try again)")]
    NotUtf8 { path: PathBuf },
    #[error("{path}: bad sidecar: {message}")]
    Sidecar { path: PathBuf, message: String },
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("{code} is already in the library as {existing}")]
    Exists { code: String, existing: PathBuf },
    #[error("no standard {0:?} in the library (try `ksbquiz standards list`)")]
    NotFound(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LibraryError + '_ {
    move |source| LibraryError::Io {
        path: path.to_path_buf(),
        err: source,
    }
}

/// A parsed standard and the file it came from.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    pub standard: Standard,
}

/// The standards folder.
#[derive(Debug, Clone)]
pub struct Library {
    pub root: PathBuf,
    pub dir: PathBuf,
    pub entries: Vec<Entry>,
}

/// Reads and parses one standard file with its sidecar. `shown` is the name used in errors
/// and as the standard's `source`.
pub fn load_file(path: &Path, shown: &str) -> Result<Standard, LibraryError> {
    let bytes = fs::read(path).map_err(io(path))?;
    let text = String::from_utf8(bytes).map_err(|_| LibraryError::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    let side = sidecar_path(path);
    let sidecar = if side.exists() {
        let raw = fs::read_to_string(&side).map_err(io(&side))?;
        Some(
            toml::from_str::<Sidecar>(&raw).map_err(|e| LibraryError::Sidecar {
                path: side.clone(),
                message: e.to_string(),
            })?,
        )
    } else {
        None
    };
    Ok(super::parse(&text, shown, sidecar.as_ref())?)
}

/// Files in `dir` that hold standards' texts, sorted by name.
fn texts(dir: &Path) -> Result<Vec<PathBuf>, LibraryError> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).map_err(io(dir))? {
        let p = e.map_err(io(dir))?.path();
        if p.extension().is_some_and(|x| x == "txt") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

impl Library {
    /// Loads every standard in `dir`; the first that fails to parse is the error. Sources
    /// are named relative to `root` (the project folder).
    pub fn load(dir: &Path, root: &Path) -> Result<Self, LibraryError> {
        let mut entries = Vec::new();
        for path in texts(dir)? {
            let shown = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            let standard = load_file(&path, &shown)?;
            if let Some(other) = entries
                .iter()
                .find(|e: &&Entry| e.standard.code() == standard.code())
            {
                return Err(LibraryError::Exists {
                    code: standard.code().to_string(),
                    existing: other.path.clone(),
                });
            }
            entries.push(Entry { path, standard });
        }
        entries.sort_by(|a, b| a.standard.code().cmp(b.standard.code()));
        Ok(Library {
            root: root.to_path_buf(),
            dir: dir.to_path_buf(),
            entries,
        })
    }

    pub fn standards(&self) -> impl Iterator<Item = &Standard> {
        self.entries.iter().map(|e| &e.standard)
    }

    /// Finds a standard by code (case-insensitive).
    pub fn get(&self, code: &str) -> Result<&Entry, LibraryError> {
        self.entries
            .iter()
            .find(|e| e.standard.code().eq_ignore_ascii_case(code))
            .ok_or_else(|| LibraryError::NotFound(code.to_string()))
    }

    /// The entry loaded from `path`.
    pub fn get_path(&self, path: &Path) -> Result<&Entry, LibraryError> {
        self.entries
            .iter()
            .find(|e| e.path == path)
            .ok_or_else(|| LibraryError::NotFound(path.display().to_string()))
    }

    /// Parses `file` (refusing on any error), then copies it byte for byte, with its sidecar,
    /// into the library as `<CODE>-<title-slug>.txt`. Returns the new path.
    pub fn import(&mut self, file: &Path) -> Result<PathBuf, LibraryError> {
        let dir = self.dir.clone();
        self.import_into(file, &dir)
    }

    /// [`Library::import`] into `dir` (created if missing) rather than the folder read.
    pub fn import_into(&mut self, file: &Path, dir: &Path) -> Result<PathBuf, LibraryError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let standard = load_file(file, &file.display().to_string())?;
        if let Ok(e) = self.get(standard.code()) {
            return Err(LibraryError::Exists {
                code: standard.code().to_string(),
                existing: e.path.clone(),
            });
        }
        let name = format!("{}-{}", standard.code(), slug(&standard.standard.title));
        let dest = dir.join(format!("{name}.txt"));
        fs::copy(file, &dest).map_err(io(&dest))?;
        let side = sidecar_path(file);
        if side.exists() {
            let side_dest = sidecar_path(&dest);
            fs::copy(&side, &side_dest).map_err(io(&side_dest))?;
        }
        let mut standard = standard;
        standard.standard.source = dest
            .strip_prefix(&self.root)
            .unwrap_or(&dest)
            .display()
            .to_string();
        self.entries.push(Entry {
            path: dest.clone(),
            standard,
        });
        Ok(dest)
    }
}

/// A short lower-case file-name slug of a title.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for w in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.len() + w.len() > 60 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w.to_ascii_lowercase());
    }
    out
}

//! Metadata sidecars: a small TOML file beside a standard's text that supplies what the text
//! lacks (a code, a title) or corrects it. `foo.txt` has the sidecar `foo.meta.toml`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::StandardInfo;

/// Fields a sidecar may set; every one is optional and overrides the parsed value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    pub code: Option<String>,
    pub title: Option<String>,
    /// True when `code` is assigned by ksbquiz, not an official URN or reference.
    #[serde(default)]
    pub provisional: bool,
    pub note: Option<String>,
    pub version: Option<String>,
    pub approved: Option<String>,
    pub suite: Option<String>,
    pub level: Option<String>,
}

impl Sidecar {
    /// Overrides `info` with every field this sidecar sets.
    pub fn apply(&self, info: &mut StandardInfo) {
        let set = |dst: &mut String, src: &Option<String>| {
            if let Some(v) = src {
                *dst = v.clone();
            }
        };
        set(&mut info.code, &self.code);
        set(&mut info.title, &self.title);
        let opt = |dst: &mut Option<String>, src: &Option<String>| {
            if src.is_some() {
                dst.clone_from(src);
            }
        };
        opt(&mut info.note, &self.note);
        opt(&mut info.version, &self.version);
        opt(&mut info.approved, &self.approved);
        opt(&mut info.suite, &self.suite);
        opt(&mut info.level, &self.level);
        info.provisional |= self.provisional;
    }
}

/// The sidecar path for a standard's text file.
pub fn sidecar_path(text: &Path) -> PathBuf {
    let stem = text
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    text.with_file_name(format!("{stem}.meta.toml"))
}

/// The sidecar file name for a source name, for error messages.
pub fn sidecar_name(source: &str) -> String {
    sidecar_path(Path::new(source)).display().to_string()
}

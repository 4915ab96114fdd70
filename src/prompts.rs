//! Every sentence a user reads: handlebars templates loaded from `prompts/`.
//!
//! A template `prompts/bank/scenario.hbs` is registered as `bank/scenario`. Tutors can reword
//! any of them without recompiling. Rendering is strict (a misspelt variable is an error, not an
//! empty string) and does no HTML escaping: adapters escape for their own platform.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use handlebars::Handlebars;
use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PromptError {
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("no template {0:?} in prompts/ (is the prompts folder complete?)")]
    Missing(String),
}

/// The loaded templates.
pub struct Prompts {
    hb: Handlebars<'static>,
    dir: PathBuf,
    /// Chat messages already rendered, by template and data (see [`Prompts::render_json`]) or
    /// by template and a key that determines the data (see [`Prompts::render_keyed`]).
    rendered: RwLock<HashMap<String, String>>,
}

/// Rendered messages remembered at most (a few hundred bytes each, so about 5 MB when full);
/// when full, it starts over. Feedback is keyed by question and option chosen, so the seed
/// bank alone has about 11,000 feedback messages; fewer slots than that made the cache start
/// over every few thousand answers.
const RENDERED: usize = 16_384;

impl std::fmt::Debug for Prompts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prompts").field("dir", &self.dir).finish()
    }
}

fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb
}

impl Prompts {
    /// Loads every `*.hbs` below `dir`.
    pub fn load(dir: &Path) -> Result<Self, PromptError> {
        let mut hb = registry();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let rd = std::fs::read_dir(&d).map_err(|source| PromptError::Io {
                path: d.clone(),
                err: source,
            })?;
            for e in rd {
                let p = e
                    .map_err(|source| PromptError::Io {
                        path: d.clone(),
                        err: source,
                    })?
                    .path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "hbs") {
                    let rel = p.strip_prefix(dir).unwrap_or(&p).with_extension("");
                    let name = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/");
                    let text = std::fs::read_to_string(&p).map_err(|source| PromptError::Io {
                        path: p.clone(),
                        err: source,
                    })?;
                    // A trailing newline is the editor's, not the message's.
                    let text = text.strip_suffix('\n').unwrap_or(&text);
                    hb.register_template_string(&name, text).map_err(|e| {
                        PromptError::Template {
                            name: name.clone(),
                            message: e.to_string(),
                        }
                    })?;
                }
            }
        }
        Ok(Prompts {
            hb,
            dir: dir.to_path_buf(),
            rendered: RwLock::default(),
        })
    }

    /// Renders the template `name` with `data`.
    pub fn render<T: Serialize>(&self, name: &str, data: &T) -> Result<String, PromptError> {
        if !self.hb.has_template(name) {
            return Err(PromptError::Missing(name.to_string()));
        }
        self.hb
            .render(name, data)
            .map_err(|e| PromptError::Template {
                name: name.to_string(),
                message: e.to_string(),
            })
    }

    /// [`Prompts::render`] for data already in JSON, which handlebars then takes as it is
    /// instead of converting it again.
    ///
    /// The engine renders a few messages per answer, and most are the same for many learners
    /// (the feedback on one question, "Question 3 of 10"): a template is a pure function of
    /// its data (no helpers read anything else), so a message rendered once is remembered by
    /// template and data and not rendered again. Templates load once per process, so a
    /// reworded one takes effect at the next start, as before.
    pub fn render_json(&self, name: &str, data: serde_json::Value) -> Result<String, PromptError> {
        // Serialised JSON never holds a raw control character, so it cannot meet a key of
        // `render_keyed` (which starts with one).
        let mut key = format!("{name}\u{1}");
        key.push_str(&serde_json::to_string(&data).unwrap_or_default());
        self.remembered(key, name, || data)
    }

    /// [`Prompts::render_json`] for data that `key` (with the template) fully determines, such
    /// as the feedback on one question: the data is built only when the message is rendered,
    /// the first time, and the key is all that is looked up the other times.
    pub fn render_keyed(
        &self,
        name: &str,
        key: &str,
        data: impl FnOnce() -> serde_json::Value,
    ) -> Result<String, PromptError> {
        self.remembered(format!("{name}\u{1}\u{2}{key}"), name, data)
    }

    /// The message remembered under `key`, else `name` rendered with `data` and remembered.
    fn remembered(
        &self,
        key: String,
        name: &str,
        data: impl FnOnce() -> serde_json::Value,
    ) -> Result<String, PromptError> {
        if let Some(text) = self
            .rendered
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(text.clone());
        }
        if !self.hb.has_template(name) {
            return Err(PromptError::Missing(name.to_string()));
        }
        let text = self
            .hb
            .render_with_context(name, &handlebars::Context::from(data()))
            .map_err(|e| PromptError::Template {
                name: name.to_string(),
                message: e.to_string(),
            })?;
        let mut rendered = self.rendered.write().unwrap_or_else(|e| e.into_inner());
        if rendered.len() >= RENDERED {
            rendered.clear();
        }
        rendered.insert(key, text.clone());
        Ok(text)
    }

    /// Renders a template held in data (an authored scenario), naming `context` in errors.
    pub fn render_str<T: Serialize>(
        &self,
        context: &str,
        template: &str,
        data: &T,
    ) -> Result<String, PromptError> {
        self.hb
            .render_template(template, data)
            .map_err(|e| PromptError::Template {
                name: context.to_string(),
                message: e.to_string(),
            })
    }

    pub fn has(&self, name: &str) -> bool {
        self.hb.has_template(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A remembered message is the one its data renders: other data renders anew.
    #[test]
    fn a_message_is_rendered_from_its_own_data() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("chat")).unwrap();
        std::fs::write(
            dir.path().join("chat/n.hbs"),
            "{{#if practice}}Practice{{else}}Question{{/if}} {{n}}\n",
        )
        .unwrap();
        let p = Prompts::load(dir.path()).unwrap();
        let say = |data| p.render_json("chat/n", data).unwrap();
        let q1 = serde_json::json!({"n": 1, "practice": false});
        assert_eq!(say(q1.clone()), "Question 1");
        assert_eq!(
            say(serde_json::json!({"n": 2, "practice": false})),
            "Question 2"
        );
        assert_eq!(
            say(serde_json::json!({"n": 1, "practice": true})),
            "Practice 1"
        );
        assert_eq!(say(q1), "Question 1");
        assert!(matches!(
            p.render_json("chat/none", serde_json::json!({})),
            Err(PromptError::Missing(_))
        ));
        // Strict mode still refuses missing data, remembered or not.
        assert!(
            p.render_json("chat/n", serde_json::json!({"practice": false}))
                .is_err()
        );
        // By key: the data is built once per template and key.
        let built = std::cell::Cell::new(0);
        let keyed = |key, n| {
            p.render_keyed("chat/n", key, || {
                built.set(built.get() + 1);
                serde_json::json!({"n": n, "practice": true})
            })
            .unwrap()
        };
        assert_eq!(keyed("one", 1), "Practice 1");
        assert_eq!(keyed("one", 1), "Practice 1");
        assert_eq!(keyed("two", 2), "Practice 2");
        assert_eq!(built.get(), 2);
        let data_like_key = serde_json::json!({"n": 1, "practice": false}).to_string();
        assert_eq!(
            keyed(&data_like_key, 3),
            "Practice 3",
            "keys are apart from data"
        );
        assert!(
            p.render_keyed("chat/none", "one", || serde_json::json!({}))
                .is_err()
        );
    }
}

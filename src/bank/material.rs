//! The authored material questions are made from, read from `data/`:
//! `people.toml` (who appears in scenarios), `scenarios/*.toml` (per-item situations with good
//! and poor practice, for the seed standards), `themes.toml` (situations by theme, for any
//! standard), `misconceptions.toml` (wrong statements in the form of items) and `lexicon.toml`
//! (key terms with near-miss alternatives for cloze questions).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::BankError;

/// Pronoun forms used for `{{them}}` and `{{their}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pronouns {
    He,
    She,
    They,
}

impl Pronouns {
    pub fn them(self) -> &'static str {
        match self {
            Pronouns::He => "him",
            Pronouns::She => "her",
            Pronouns::They => "them",
        }
    }
    pub fn their(self) -> &'static str {
        match self {
            Pronouns::He => "his",
            Pronouns::She => "her",
            Pronouns::They => "their",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Person {
    pub name: String,
    pub pronouns: Pronouns,
    pub groups: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PeopleFile {
    ages: BTreeMap<String, [u32; 2]>,
    person: Vec<Person>,
}

/// Authored material for one item of a seed standard.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub who: String,
    #[serde(default)]
    pub settings: Vec<String>,
    pub situation: String,
    pub good: Vec<String>,
    pub poor: Vec<String>,
    /// The file it was read from (for errors).
    #[serde(skip)]
    pub file: PathBuf,
}

/// Longest option, after filling in (`data/scenarios/README.md`, `data/themes.toml`).
pub const OPTION_MAX: usize = 95;
/// Longest authored situation, after filling in (`data/scenarios/README.md`).
pub const SITUATION_MAX: usize = 220;
/// Longest theme situation, after filling in (`data/themes.toml`).
pub const THEME_SITUATION_MAX: usize = 200;
/// Most times longer than the shortest of an authored item's six options any other may be.
pub const OPTION_LENGTH_RATIO: f64 = 1.5;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    standard: String,
    item: Vec<Scenario>,
}

/// A situation in which any item of a theme applies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeSituation {
    pub who: String,
    pub text: String,
    pub good: Vec<String>,
    pub poor: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub id: String,
    pub name: String,
    pub keywords: Vec<String>,
    pub situation: Vec<ThemeSituation>,
}

#[derive(Debug, Deserialize)]
struct ThemesFile {
    theme: Vec<Theme>,
}

/// Wrong statements written in the form of each kind of item.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Misconceptions {
    pub performance: Vec<String>,
    pub knowledge: Vec<String>,
    pub skill: Vec<String>,
    pub behaviour: Vec<String>,
    pub apprenticeship_knowledge: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LexGroup {
    /// The first term is the one found in items; the others are near misses.
    pub terms: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct LexiconFile {
    group: Vec<LexGroup>,
}

/// Everything in `data/` that feeds question generation.
#[derive(Debug, Clone)]
pub struct Material {
    pub people: Vec<Person>,
    pub ages: BTreeMap<String, [u32; 2]>,
    pub scenarios: BTreeMap<String, Scenario>,
    pub themes: Vec<Theme>,
    pub misconceptions: Misconceptions,
    pub lexicon: Vec<LexGroup>,
}

/// Reads a TOML file of the bank's data, naming the file in errors.
pub(super) fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T, BankError> {
    let raw = fs::read_to_string(path).map_err(|source| BankError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&raw).map_err(|e| BankError::Toml {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

impl Material {
    /// Loads the material from a `data/` folder.
    pub fn load(data: &Path) -> Result<Self, BankError> {
        let people: PeopleFile = read_toml(&data.join("people.toml"))?;
        let themes: ThemesFile = read_toml(&data.join("themes.toml"))?;
        let misconceptions: Misconceptions = read_toml(&data.join("misconceptions.toml"))?;
        let lexicon: LexiconFile = read_toml(&data.join("lexicon.toml"))?;
        let mut scenarios = BTreeMap::new();
        let dir = data.join("scenarios");
        if dir.is_dir() {
            let mut files: Vec<_> = fs::read_dir(&dir)
                .map_err(|source| BankError::Io {
                    path: dir.clone(),
                    source,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            for path in files {
                let f: ScenarioFile = read_toml(&path)?;
                for mut s in f.item {
                    s.file = path.clone();
                    if !s.id.starts_with(&format!("{}/", f.standard)) {
                        return Err(BankError::Invalid(format!(
                            "{}: item {} is not of standard {}",
                            path.display(),
                            s.id,
                            f.standard
                        )));
                    }
                    if let Some(old) = scenarios.insert(s.id.clone(), s) {
                        return Err(BankError::Invalid(format!(
                            "{}: item {} has scenario material twice",
                            path.display(),
                            old.id
                        )));
                    }
                }
            }
        }
        let m = Material {
            people: people.person,
            ages: people.ages,
            scenarios,
            themes: themes.theme,
            misconceptions,
            lexicon: lexicon.group,
        };
        m.validate(&data.join("themes.toml"))?;
        Ok(m)
    }

    /// Shape and length checks that would otherwise surface as odd questions.
    fn validate(&self, themes_file: &Path) -> Result<(), BankError> {
        let bad = |m: String| Err(BankError::Invalid(m));
        for s in self.scenarios.values() {
            let at = format!("{}: item {}", s.file.display(), s.id);
            if s.good.len() != 3 || s.poor.len() != 3 {
                return bad(format!("{at}: needs exactly 3 good and 3 poor options"));
            }
            if !self.ages.contains_key(&s.who) {
                return bad(format!("{at}: unknown who = {:?}", s.who));
            }
            let len = |t: &str| self.filled_len(t, &s.who, &s.settings);
            let n = len(&s.situation);
            if n > SITUATION_MAX {
                return bad(format!(
                    "{at}: the situation is {n} characters after filling in (at most {SITUATION_MAX})"
                ));
            }
            let options = s.good.iter().map(|o| ("good", o));
            let options: Vec<_> = options.chain(s.poor.iter().map(|o| ("poor", o))).collect();
            for (which, o) in &options {
                let n = len(o);
                if n > OPTION_MAX {
                    return bad(format!(
                        "{at}: {which} option {o:?} is {n} characters after filling in (at most {OPTION_MAX})"
                    ));
                }
            }
            let shortest = options.iter().min_by_key(|(_, o)| len(o));
            let longest = options.iter().max_by_key(|(_, o)| len(o));
            if let (Some((_, short)), Some((_, long))) = (shortest, longest) {
                let (lo, hi) = (len(short), len(long));
                if hi as f64 > OPTION_LENGTH_RATIO * lo as f64 {
                    return bad(format!(
                        "{at}: options differ too much in length: {long:?} ({hi} characters) is \
                         more than {OPTION_LENGTH_RATIO} times {short:?} ({lo}); the longest or \
                         shortest option gives the answer away"
                    ));
                }
            }
        }
        let themes_at = themes_file.display();
        for t in &self.themes {
            if t.situation.is_empty() {
                return bad(format!("{themes_at}: theme {}: has no situations", t.id));
            }
            for (i, s) in t.situation.iter().enumerate() {
                let at = format!("{themes_at}: theme {}, situation {}", t.id, i + 1);
                if s.good.is_empty() || s.poor.len() < 3 {
                    return bad(format!("{at}: needs good options and 3 poor"));
                }
                if !self.ages.contains_key(&s.who) {
                    return bad(format!("{at}: unknown who = {:?}", s.who));
                }
                let len = |t: &str| self.filled_len(t, &s.who, &[]);
                let n = len(&s.text);
                if n > THEME_SITUATION_MAX {
                    return bad(format!(
                        "{at}: the situation is {n} characters after filling in (at most {THEME_SITUATION_MAX})"
                    ));
                }
                for o in s.good.iter().chain(&s.poor) {
                    let n = len(o);
                    if n > OPTION_MAX {
                        return bad(format!(
                            "{at}: option {o:?} is {n} characters after filling in (at most {OPTION_MAX})"
                        ));
                    }
                }
            }
        }
        if !self.themes.iter().any(|t| t.id == "general") {
            return bad(
                "themes.toml needs a 'general' theme for items no other theme matches".into(),
            );
        }
        for g in &self.lexicon {
            if g.terms.len() < 4 {
                return bad(format!("lexicon group {:?}: needs 4 terms", g.terms));
            }
        }
        for group in self.ages.keys() {
            if !self.people.iter().any(|p| p.groups.contains(group)) {
                return bad(format!("people.toml: nobody in group {group}"));
            }
        }
        Ok(())
    }

    /// The length in characters of `text` filled in with the longest values the build can give
    /// its placeholders: the longest name in group `who`, the oldest age, the longest setting.
    fn filled_len(&self, text: &str, who: &str, settings: &[String]) -> usize {
        let longest = |it: &mut dyn Iterator<Item = usize>| it.max().unwrap_or(0);
        let name = longest(&mut self.people_in(who).iter().map(|p| p.name.chars().count()));
        let age = match self.ages.get(who) {
            Some(&[_, hi]) if hi > 0 => hi.to_string().len(),
            _ => 0,
        };
        let setting = longest(&mut settings.iter().map(|s| s.chars().count()));
        let mut n = text.chars().count();
        for (placeholder, value) in [
            ("{{name}}", name),
            ("{{age}}", age),
            ("{{them}}", "them".len()),
            ("{{their}}", "their".len()),
            ("{{setting}}", setting),
        ] {
            let k = text.matches(placeholder).count();
            n = n + k * value - k * placeholder.len();
        }
        n
    }

    /// People who can play `who`.
    pub fn people_in(&self, who: &str) -> Vec<&Person> {
        self.people
            .iter()
            .filter(|p| p.groups.iter().any(|g| g == who))
            .collect()
    }
}

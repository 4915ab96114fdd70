//! The authored material questions are made from, read from `data/`: `people.toml` (who
//! appears in scenarios, with their pronouns) and `scenarios/*.toml` (per item: a situation,
//! three good and three poor practices, each with the reason it meets the item or falls short;
//! reviewed, or a draft that makes no questions yet).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::BankError;

/// Pronoun forms used for `{{they}}`, `{{them}}`, `{{their}}` and the verb endings that agree
/// with them (`{{s}}`, `{{es}}`, `{{is}}`, `{{has}}`, `{{was}}`).
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
    pub fn they(self) -> &'static str {
        match self {
            Pronouns::He => "he",
            Pronouns::She => "she",
            Pronouns::They => "they",
        }
    }
    /// Whether verbs after [`Pronouns::they`] take the plural form (`they say`, `they are`).
    pub fn plural(self) -> bool {
        self == Pronouns::They
    }
}

/// One option of authored material: what is done, and one sentence on why it meets the item or
/// falls short of it (shown after answering, never with the options). A bare string is an
/// option without its reason, which `bank check` reports.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Opt {
    Full { text: String, why: String },
    Bare(String),
}

impl Opt {
    pub fn text(&self) -> &str {
        match self {
            Opt::Full { text, .. } | Opt::Bare(text) => text,
        }
    }
    pub fn why(&self) -> &str {
        match self {
            Opt::Full { why, .. } => why,
            Opt::Bare(_) => "",
        }
    }
}

/// Whether a tutor has reviewed an item's material. Draft material (as `standards import`
/// writes it) makes no questions; the item is not asked until a tutor runs
/// `ksbquiz bank review`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    #[default]
    Reviewed,
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
    /// Names the person may have (each in `people.toml` with group `who`), for a story whose
    /// faith, language or heritage the name should fit; empty: anyone of the group.
    #[serde(default)]
    pub names: Vec<String>,
    /// A second person the story names, written `{{other}}`.
    #[serde(default)]
    pub other: Option<Other>,
    /// Who "you" are in the story, for the question line ("the home's manager": "As the home's
    /// manager, what does ..."). Unset: the file's `role`; empty: none.
    #[serde(default)]
    pub role: Option<String>,
    pub situation: String,
    pub good: Vec<Opt>,
    pub poor: Vec<Opt>,
    #[serde(default)]
    pub status: Status,
    /// Questions a tutor took out (`scenario-2`, `shortfall-1`): the rest keep their ids.
    #[serde(default)]
    pub retired: Vec<String>,
    /// The file it was read from (for errors).
    #[serde(skip)]
    pub file: PathBuf,
}

impl Scenario {
    /// Every text a learner may read: the situation, then each option and its reason.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.situation.as_str()).chain(
            self.good
                .iter()
                .chain(&self.poor)
                .flat_map(|o| [o.text(), o.why()]),
        )
    }
}

/// A second person in a story (`{{other}}`: a relative, a friend): someone of `group` with
/// `pronouns`, never the story's main person. Their pronouns are written out in the text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Other {
    pub group: String,
    pub pronouns: Pronouns,
    /// Names they may have; empty: anyone of the group with those pronouns.
    #[serde(default)]
    pub names: Vec<String>,
}

/// Fewest people a stanza's `names` (or its `other`) may leave to cast from: one to play, one
/// to stand in for a learner of the same name, and for `other` one more besides the main person.
pub const NAMES_MIN: usize = 2;

/// Longest option, after filling in (`data/scenarios/README.md`).
pub const OPTION_MAX: usize = 95;
/// Longest authored situation, after filling in (`data/scenarios/README.md`).
pub const SITUATION_MAX: usize = 220;
/// Most times longer than the shortest of an authored item's six options any other may be.
pub const OPTION_LENGTH_RATIO: f64 = 1.3;
/// Longest role ("the home's manager"), which the question line names.
pub const ROLE_MAX: usize = 40;
/// Longest reason given with an option, after filling in.
pub const WHY_MAX: usize = 160;

/// Each placeholder with the longest value the build can give it, for one stanza.
type Fill = [(&'static str, usize); 14];

/// The length in characters of `text` filled in with `fill`'s values.
fn filled_len(text: &str, fill: &Fill) -> usize {
    let mut n = text.chars().count();
    for &(placeholder, value) in fill {
        let k = text.matches(placeholder).count();
        n = n + k * value - k * placeholder.len();
    }
    n
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    standard: String,
    /// The role of every item in the file that sets none of its own.
    #[serde(default)]
    role: Option<String>,
    /// Questions taken out of every item in the file (`retired = ["shortfall-1"]`: the
    /// "which falls short" question, which the seed material no longer asks), on top of each
    /// item's own.
    #[serde(default)]
    retired: Vec<String>,
    item: Vec<Scenario>,
}

/// Everything in `data/` that feeds question generation.
#[derive(Debug, Clone)]
pub struct Material {
    pub people: Vec<Person>,
    pub ages: BTreeMap<String, [u32; 2]>,
    pub scenarios: BTreeMap<String, Scenario>,
}

/// The material files in `dir` (`*.toml`), sorted by name.
pub(super) fn scenario_files(dir: &Path) -> Result<Vec<PathBuf>, BankError> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|source| BankError::Io {
            path: dir.to_path_buf(),
            err: source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Reads a TOML file of the bank's data, naming the file in errors.
pub(super) fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T, BankError> {
    let raw = fs::read_to_string(path).map_err(|source| BankError::Io {
        path: path.to_path_buf(),
        err: source,
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
        let mut scenarios = BTreeMap::new();
        let dir = data.join("scenarios");
        if dir.is_dir() {
            for path in scenario_files(&dir)? {
                let f: ScenarioFile = read_toml(&path)?;
                for mut s in f.item {
                    s.file = path.clone();
                    if s.role.is_none() {
                        s.role.clone_from(&f.role);
                    }
                    for r in &f.retired {
                        if !s.retired.contains(r) {
                            s.retired.push(r.clone());
                        }
                    }
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
        };
        m.validate()?;
        Ok(m)
    }

    /// Shape and length checks that would otherwise surface as odd questions.
    fn validate(&self) -> Result<(), BankError> {
        let bad = |m: String| Err(BankError::Invalid(m));
        for s in self.scenarios.values() {
            let at = format!("{}: item {}", s.file.display(), s.id);
            if s.good.len() != 3 || s.poor.len() != 3 {
                return bad(format!("{at}: needs exactly 3 good and 3 poor options"));
            }
            if !self.ages.contains_key(&s.who) {
                return bad(format!("{at}: unknown who = {:?}", s.who));
            }
            self.validate_people(s)
                .or_else(|e| bad(format!("{at}: {e}")))?;
            if s.status == Status::Draft {
                continue;
            }
            let fill = self.longest_fill(s);
            let len = |t: &str| filled_len(t, &fill);
            let blank = s.texts().any(|t| t.trim().is_empty());
            if blank {
                return bad(format!(
                    "{at}: the situation, an option or a reason is empty (write it, or keep the \
                     item status = \"draft\")"
                ));
            }
            let n = len(&s.situation);
            if n > SITUATION_MAX {
                return bad(format!(
                    "{at}: the situation is {n} characters after filling in (at most {SITUATION_MAX})"
                ));
            }
            let role = s.role.as_deref().unwrap_or("");
            if role.chars().count() > ROLE_MAX || role.contains("{{") {
                return bad(format!(
                    "{at}: role = {role:?} must be plain words of at most {ROLE_MAX} characters \
                     (\"the home's manager\")"
                ));
            }
            let options = s.good.iter().map(|o| ("good", o.text()));
            let options: Vec<_> = options
                .chain(s.poor.iter().map(|o| ("poor", o.text())))
                .collect();
            for (which, o) in &options {
                let n = len(o);
                if n > OPTION_MAX {
                    return bad(format!(
                        "{at}: {which} option {o:?} is {n} characters after filling in (at most {OPTION_MAX})"
                    ));
                }
            }
            for o in s.good.iter().chain(&s.poor) {
                let n = len(o.why());
                if n > WHY_MAX {
                    return bad(format!(
                        "{at}: the reason {:?} is {n} characters after filling in (at most {WHY_MAX})",
                        o.why()
                    ));
                }
            }
            for r in &s.retired {
                if !super::generate::AUTHORED_NAMES.contains(&r.as_str()) {
                    return bad(format!(
                        "{at}: retired = {r:?} is not one of its questions ({})",
                        super::generate::AUTHORED_NAMES.join(", ")
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
        for group in self.ages.keys() {
            if !self.people.iter().any(|p| p.groups.contains(group)) {
                return bad(format!("people.toml: nobody in group {group}"));
            }
        }
        Ok(())
    }

    /// Whether a stanza's `names` and `other` leave people to cast (the reason if not).
    fn validate_people(&self, s: &Scenario) -> Result<(), String> {
        let group = self.people_in(&s.who);
        if let Some(n) = s
            .names
            .iter()
            .find(|n| !group.iter().any(|p| &p.name == *n))
        {
            return Err(format!(
                "names: {n:?} is not a person of group {:?} in data/people.toml",
                s.who
            ));
        }
        if !s.names.is_empty() && s.names.len() < NAMES_MIN {
            return Err(format!(
                "names: give at least {NAMES_MIN} (another stands in for a learner of the same name)"
            ));
        }
        let uses_other = s.texts().any(|t| t.contains("{{other}}"));
        match &s.other {
            None if uses_other => {
                Err("{{other}} is used but no other = { group, pronouns } says who".into())
            }
            None => Ok(()),
            Some(o) => {
                if !self.ages.contains_key(&o.group) {
                    return Err(format!("other: unknown group {:?}", o.group));
                }
                if let Some(n) = o
                    .names
                    .iter()
                    .find(|n| !self.people.iter().any(|p| &p.name == *n))
                {
                    return Err(format!("other: {n:?} is not in data/people.toml"));
                }
                let n = self.others_for(o).len();
                if n < NAMES_MIN + 1 {
                    return Err(format!(
                        "other: {n} people of group {:?} with pronouns {:?} to cast from (at least {})",
                        o.group,
                        o.pronouns.they(),
                        NAMES_MIN + 1
                    ));
                }
                Ok(())
            }
        }
    }

    /// The longest value the build can give each placeholder of stanza `s`: the longest name
    /// it may cast, the oldest age, the longest setting.
    fn longest_fill(&self, s: &Scenario) -> Fill {
        let longest = |it: &mut dyn Iterator<Item = usize>| it.max().unwrap_or(0);
        let name = longest(&mut self.cast_from(s).iter().map(|p| p.name.chars().count()));
        let other = s.other.as_ref().map_or(0, |o| {
            longest(&mut self.others_for(o).iter().map(|p| p.name.chars().count()))
        });
        let age = match self.ages.get(&s.who) {
            Some(&[_, hi]) if hi > 0 => hi.to_string().len(),
            _ => 0,
        };
        let setting = longest(&mut s.settings.iter().map(|s| s.chars().count()));
        [
            ("{{name}}", name),
            ("{{age}}", age),
            ("{{them}}", "them".len()),
            ("{{their}}", "their".len()),
            ("{{Their}}", "Their".len()),
            ("{{they}}", "they".len()),
            ("{{They}}", "They".len()),
            ("{{s}}", 1),
            ("{{es}}", 2),
            ("{{is}}", "are".len()),
            ("{{has}}", "have".len()),
            ("{{was}}", "were".len()),
            ("{{setting}}", setting),
            ("{{other}}", other),
        ]
    }

    /// People who can play stanza `s`'s person: its `names`, else anyone of its group.
    pub fn cast_from(&self, s: &Scenario) -> Vec<&Person> {
        let mut people = self.people_in(&s.who);
        if !s.names.is_empty() {
            people.retain(|p| s.names.contains(&p.name));
        }
        people
    }

    /// People who can play a stanza's second person.
    pub fn others_for(&self, o: &Other) -> Vec<&Person> {
        let mut people = self.people_in(&o.group);
        people.retain(|p| {
            p.pronouns == o.pronouns && (o.names.is_empty() || o.names.contains(&p.name))
        });
        people
    }

    /// People who can play `who`.
    pub fn people_in(&self, who: &str) -> Vec<&Person> {
        self.people
            .iter()
            .filter(|p| p.groups.iter().any(|g| g == who))
            .collect()
    }
}

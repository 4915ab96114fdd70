//! Shared helpers for integration tests: the seed standards, and re-layouts of their text as
//! other extraction tools produce it (CRLF, hard wrapping, page furniture, tabs, typographic
//! quotes, non-breaking spaces).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ksbquiz::standards::{Library, Standard};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn library() -> Library {
    Library::load(&root().join("data/standards"), &root()).expect("seed standards parse")
}

pub fn seed(code: &str) -> Standard {
    library().get(code).expect("seed present").standard.clone()
}

/// The path of a seed's text and its raw contents.
pub fn seed_text(code: &str) -> (PathBuf, String) {
    let lib = library();
    let e = lib.get(code).expect("seed present");
    let raw = std::fs::read_to_string(&e.path).expect("readable");
    (e.path.clone(), raw)
}

pub fn sidecar_for(path: &Path) -> Option<ksbquiz::standards::Sidecar> {
    let side = ksbquiz::standards::meta::sidecar_path(path);
    std::fs::read_to_string(side)
        .ok()
        .map(|s| toml::from_str(&s).expect("sidecar"))
}

pub fn crlf(s: &str) -> String {
    s.replace('\n', "\r\n")
}

/// Hard-wraps every line at `width` on spaces (never after a word ending in '-', which a reader
/// cannot tell from a hyphenated word broken across lines).
pub fn hard_wrap(s: &str, width: usize) -> String {
    let mut out = String::new();
    for line in s.split('\n') {
        let mut cur = String::new();
        for word in line.split(' ') {
            let fits = cur.chars().count() + 1 + word.chars().count() <= width;
            if cur.is_empty() || fits || cur.ends_with('-') || word.is_empty() {
                if !cur.is_empty() || line.starts_with(' ') {
                    cur.push(' ');
                }
                cur.push_str(word);
            } else {
                out.push_str(cur.trim_end());
                out.push('\n');
                cur = word.to_string();
            }
        }
        out.push_str(&cur);
        out.push('\n');
    }
    out
}

/// Inserts a page break (form feed, running header, blank, footer with page number) every
/// `every` lines, wherever that falls (inside lists and between an item's lines too).
pub fn paginate(s: &str, every: usize, header: &str) -> String {
    let lines: Vec<&str> = s.split('\n').collect();
    let pages = lines.len() / every + 1;
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 && i % every == 0 {
            let page = i / every;
            out.push_str(&format!(
                "\nSkills for Care & Development    Page {page} of {pages}\n\u{c}{header}\n\n"
            ));
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// A tab after every item number (`1.\t`, `K1\t`, `K1:\t`).
pub fn tabs_after_numbers(s: &str) -> String {
    let re = regex::Regex::new(r"(?m)^(\s*(?:[PKSB]?\d+[.:]?))[ ]+").unwrap();
    re.replace_all(s, "$1\t").into_owned()
}

/// Typographic quotes and non-breaking spaces, as word processors and PDF tools produce them.
pub fn typographic(s: &str) -> String {
    let mut out = String::new();
    let mut open = true;
    for (n, c) in s.chars().enumerate() {
        match c {
            '\'' => out.push('\u{2019}'),
            '"' => {
                out.push(if open { '\u{201c}' } else { '\u{201d}' });
                open = !open;
            }
            ' ' if n % 7 == 0 => out.push('\u{a0}'),
            c => out.push(c),
        }
    }
    out
}

/// An engine over the committed bank and prompts, a fresh database in `dir`, and a clock
/// the test moves.
pub fn engine_at(
    dir: &Path,
    start: &str,
) -> (
    ksbquiz::engine::Engine,
    std::sync::Arc<ksbquiz::engine::ManualClock>,
) {
    use std::sync::Arc;
    let clock = Arc::new(ksbquiz::engine::ManualClock::new(
        start.parse().expect("RFC 3339 time"),
    ));
    let bank = ksbquiz::bank::Bank::load(&root().join("question-bank")).expect("bank loads");
    let prompts = ksbquiz::prompts::Prompts::load(&root().join("prompts")).expect("prompts load");
    let store = ksbquiz::store::Store::open(&dir.join("db")).expect("store opens");
    let engine = ksbquiz::engine::Engine::new(
        store,
        Arc::new(bank),
        Arc::new(prompts),
        clock.clone(),
        ksbquiz::engine::Config::default(),
    );
    (engine, clock)
}

/// The texts of a reply, joined.
pub fn texts(outs: &[ksbquiz::engine::Out]) -> String {
    outs.iter()
        .map(|o| match o {
            ksbquiz::engine::Out::Text(t) => t.clone(),
            ksbquiz::engine::Out::Question(q) => format!("[{}] {}", q.header, q.stem),
            ksbquiz::engine::Out::Document { name, .. } => format!("[file {name}]"),
            ksbquiz::engine::Out::Choices { text, choices } => {
                let labels: Vec<&str> = choices.iter().map(|c| c.label.as_str()).collect();
                format!("{text}\n{}", labels.join("\n"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The question in a reply, if any.
pub fn question(outs: &[ksbquiz::engine::Out]) -> Option<ksbquiz::engine::QuestionOut> {
    ksbquiz::engine::question_in(outs).cloned()
}

/// A test user.
pub fn who(account: &str) -> ksbquiz::engine::Who<'_> {
    ksbquiz::engine::Who {
        account,
        name: "Test",
        platform: "test",
    }
}

/// Starts `account` and enrols them in `standard`.
pub fn enrolled(e: &ksbquiz::engine::Engine, account: &str, standard: &str) {
    use ksbquiz::engine::Input;
    e.handle(who(account), Input::Start { code: None })
        .expect("start");
    e.handle(who(account), Input::Enrol(vec![standard.to_string()]))
        .expect("enrol");
}

/// Answers a question with `option`; returns the reply.
pub fn answer(
    e: &ksbquiz::engine::Engine,
    w: ksbquiz::engine::Who,
    q: ksbquiz::engine::QuestionOut,
    option: usize,
) -> Vec<ksbquiz::engine::Out> {
    e.handle(
        w,
        ksbquiz::engine::Input::Answer {
            delivery: q.delivery,
            option,
        },
    )
    .expect("the answer is handled")
}

/// The bank question a learner was shown (found by its stem and options), with its options,
/// their feedback and its key put in the order the learner saw them (each delivery shows
/// its options in an order of its own).
pub fn bank_question(
    e: &ksbquiz::engine::Engine,
    q: &ksbquiz::engine::QuestionOut,
) -> ksbquiz::bank::Question {
    let mut b = bank_order(e, q);
    let order: Vec<usize> = q
        .options
        .iter()
        .map(|o| b.options.iter().position(|x| x == o).unwrap())
        .collect();
    assert_eq!(
        q.answer,
        order.iter().position(|&i| i == b.answer).unwrap(),
        "the key is marked where it is shown"
    );
    if b.feedback.len() == b.options.len() {
        b.feedback = order.iter().map(|&i| b.feedback[i].clone()).collect();
    }
    b.options = q.options.clone();
    b.answer = q.answer;
    b
}

/// The bank question a learner was shown, as the bank has it (options in the bank's order).
pub fn bank_order(
    e: &ksbquiz::engine::Engine,
    q: &ksbquiz::engine::QuestionOut,
) -> ksbquiz::bank::Question {
    e.bank
        .standards()
        .filter_map(|s| e.bank.standard(&s.code))
        .flat_map(|b| &b.questions)
        .find(|b| {
            let (mut shown, mut bank) = (q.options.clone(), b.options.clone());
            shown.sort();
            bank.sort();
            b.stem == q.stem && shown == bank
        })
        .cloned()
        .expect("the question shown is in the bank")
}

/// Where the bank's option `bank_option` of the question shown as `q` was shown.
pub fn place_of(
    e: &ksbquiz::engine::Engine,
    q: &ksbquiz::engine::QuestionOut,
    bank_option: usize,
) -> usize {
    let b = bank_order(e, q);
    q.options
        .iter()
        .position(|o| *o == b.options[bank_option])
        .unwrap()
}

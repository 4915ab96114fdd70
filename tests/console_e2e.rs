//! The real binary, end to end: a scripted terminal session (enrol, a day's questions, stats),
//! a restart that finds the state still there, and `kill -9` straight after an answer was
//! acknowledged, which must never lose it.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use assert_cmd::cargo::cargo_bin;

fn play(db: &std::path::Path, cwd: &std::path::Path) -> Command {
    let mut c = Command::new(cargo_bin("ksbquiz"));
    c.arg("--root")
        .arg(common::root())
        .arg("--db")
        .arg(db)
        .args(["play", "--name", "Kim"]);
    c.current_dir(cwd)
        .env_remove("KSBQUIZ_ROOT")
        .env_remove("KSBQUIZ_DB");
    c
}

fn run_script(db: &std::path::Path, cwd: &std::path::Path, script: &str) -> String {
    let out = play(db, cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(script.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "exit {:?}", out.status);
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn scripted_session_then_restart_keeps_state() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    // Enrol, take the day's five questions (answer A each time), look at stats, end input.
    let out = run_script(
        &db,
        dir.path(),
        "/enrol HSCCLD352\n/quiz\na\n2\nC\nb)\n4\n/stats\n/mydata\n",
    );
    assert!(out.contains("Welcome, Kim!"), "{out}");
    assert!(out.contains("Today's quiz: 5 questions."), "{out}");
    for n in 1..=5 {
        assert!(out.contains(&format!("Question {n} of 5")), "{out}");
    }
    assert!(out.contains("  A) ") && out.contains("  D) "));
    assert!(out.contains("That's today's quiz done:"), "{out}");
    assert!(out.contains("Answered: 5"), "{out}");
    // Each answer is followed by why the key is right (and, when wrong, why the choice is not),
    // from the material.
    let bank = ksbquiz::bank::BankFile::read(&common::root().join("question-bank/HSCCLD352.json"))
        .unwrap();
    let reasons = bank
        .questions
        .iter()
        .flat_map(|q| &q.feedback)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|w| out.contains(w.as_str()))
        .count();
    assert!(reasons >= 5, "{reasons} reasons shown: {out}");
    assert!(
        out.contains("Bye for now"),
        "end of input ends cleanly: {out}"
    );
    let doc = std::fs::read_to_string(dir.path().join("ksbquiz-my-data.json")).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&doc).unwrap()["attempts"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    // A new process on the same database: no welcome again, the answers and today's result kept.
    let out = run_script(&db, dir.path(), "/stats\n/quiz\n");
    assert!(!out.contains("Welcome, Kim!"), "{out}");
    assert!(out.contains("Answered: 5"), "{out}");
    assert!(out.contains("You've finished today's quiz"), "{out}");
}

struct Live {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Live {
    fn start(db: &std::path::Path, cwd: &std::path::Path) -> Live {
        let mut child = play(db, cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.unwrap_or_default()).is_err() {
                    break;
                }
            }
        });
        Live {
            child,
            stdin,
            lines: rx,
        }
    }

    fn send(&mut self, s: &str) {
        writeln!(self.stdin, "{s}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Reads lines until one contains any of `needles`; returns that line.
    fn wait_for(&self, needles: &[&str]) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .expect("output in time");
            if needles.iter().any(|n| line.contains(n)) {
                return line;
            }
        }
    }
}

#[test]
fn kill_9_right_after_an_acknowledged_answer_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut acknowledged = 0;
    for round in 0..3 {
        let mut live = Live::start(&db, dir.path());
        if round == 0 {
            live.send("/perday 20");
            live.send("/enrol all");
        }
        live.send("/practice");
        live.wait_for(&["Practice 1 of"]);
        for _ in 0..3 {
            live.send("a");
            live.wait_for(&["Right!", "Not quite"]);
            acknowledged += 1;
        }
        // The learner has been told: kill -9 now.
        live.child.kill().unwrap();
        live.child.wait().unwrap();
        let store = ksbquiz::store::Store::open(&db).unwrap();
        assert_eq!(store.attempt_count(), acknowledged, "round {round}");
    }
}

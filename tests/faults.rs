//! Load and fault tests (reduced size for CI): `kill -9` in the middle of a 64-learner answer
//! storm (daily quizzes, then practice), repeated, with no acknowledged answer lost and none
//! recorded twice, and quizzes caught in the middle resumed; a full disk reported clearly at
//! start-up.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

#[test]
fn kill_9_during_an_answer_storm_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut acked: BTreeSet<String> = BTreeSet::new();
    let mut open_at_kill = Vec::new();
    for round in 0..3 {
        let mut child = Command::new(cargo_bin("ksbquiz"))
            .arg("--root")
            .arg(common::root())
            .arg("--db")
            .arg(&db)
            .args(["storm", "--learners", "64"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Let the storm run for a while (at least 200 acknowledgements, and after the first
        // round, whose kill lands in the middle of everyone's fifty-question daily quiz, at
        // least 800 ms), then kill -9.
        let started = Instant::now();
        let mut this_round = 0;
        while this_round < 200 || (round > 0 && started.elapsed() < Duration::from_millis(800)) {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    if let Some(d) = line.strip_prefix("ack ") {
                        acked.insert(d.to_string());
                        this_round += 1;
                    }
                }
                Err(e) => panic!("round {round}: storm stopped acknowledging: {e}"),
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        // Lines already written before the kill still count as acknowledged.
        while let Ok(line) = rx.try_recv() {
            if let Some(d) = line.strip_prefix("ack ") {
                acked.insert(d.to_string());
            }
        }
        let store = ksbquiz::store::Store::open(&db).unwrap();
        // Today's quiz is where its attempts say, after any number of kills: one quiz a day,
        // resumed, not started again (a quiz is not rewritten as it moves on).
        for i in 0..64 {
            let Some(l) = store.learner_by_account(&format!("storm:{i}")).unwrap() else {
                continue;
            };
            let Some(s) = store.session(l.id).unwrap() else {
                continue;
            };
            if s.mode != ksbquiz::store::Mode::Daily {
                continue;
            }
            let daily = store.attempts(l.id).unwrap();
            let daily = daily.iter().filter(|a| a.mode == s.mode).count();
            assert_eq!(
                (s.answered as usize, s.pos),
                (daily, daily),
                "round {round}"
            );
            if s.current.is_some() {
                let open = store.open_question(&s).unwrap().unwrap();
                assert!(open.answered.is_none(), "the open question is unanswered");
                open_at_kill.push((l.id, open.id));
            }
        }
        let mut per_delivery: HashMap<String, usize> = HashMap::new();
        for a in store.all_attempts() {
            *per_delivery.entry(a.unwrap().delivery).or_default() += 1;
        }
        let doubled: Vec<_> = per_delivery.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            doubled.is_empty(),
            "round {round}: answers recorded twice: {doubled:?}"
        );
        let lost: Vec<_> = acked
            .iter()
            .filter(|d| !per_delivery.contains_key(*d))
            .collect();
        assert!(
            lost.is_empty(),
            "round {round}: acknowledged answers lost: {lost:?}"
        );
        // At most one answer per learner was in flight (recorded, not yet acknowledged) at
        // each kill.
        assert!(
            per_delivery.len() <= acked.len() + 64 * (round + 1),
            "round {round}"
        );
    }
    assert!(acked.len() >= 600);
    // The questions open when a kill caught a quiz were asked again and answered after the
    // restart (or are open still): the quiz was resumed, not replaced by a new one.
    assert!(!open_at_kill.is_empty(), "no kill landed in a daily quiz");
    let store = ksbquiz::store::Store::open(&db).unwrap();
    for (learner, delivery) in open_at_kill {
        let open_now = store
            .session(learner)
            .unwrap()
            .and_then(|s| s.current)
            .is_some_and(|d| d == delivery);
        let answered = store
            .delivery(&delivery)
            .unwrap()
            .is_some_and(|d| d.answered.is_some());
        assert!(answered || open_now, "{delivery} was dropped");
    }
}

#[test]
fn a_full_disk_is_reported_clearly_at_start_up() {
    // A 1 MB tmpfs: sled cannot even lay out its files there.
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir_all(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("cannot mount a small tmpfs here: skipping the full-disk check");
        return;
    }
    // Fill it up.
    let _ = std::fs::write(mnt.join("filler"), vec![0u8; 256 * 1024]);
    let out = Command::new(cargo_bin("ksbquiz"))
        .arg("--root")
        .arg(common::root())
        .arg("--db")
        .arg(mnt.join("db"))
        .args(["play", "--name", "x"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let _ = Command::new("umount").arg(&mnt).status();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open the database at"), "{err}");
    assert!(
        err.contains("disk is full") || err.contains("No space left"),
        "{err}"
    );
}

//! The sled store: schema checks and migration, atomic and idempotent answers under
//! concurrency, history kept across a rebuilt bank, and durability across `kill -9`.

mod common;

use std::sync::Arc;
use std::thread;

use common::who;
use ksbquiz::engine::Input;
use ksbquiz::store::{SCHEMA_VERSION, Store, StoreError};

#[test]
fn a_newer_schema_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = sled::open(&path).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("schema", b"99")
            .unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer ksbquiz"));
}

#[test]
fn schema_0_migrates_and_builds_the_members_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        // A schema-0 store: a learner listing a cohort, no schema key, no members index.
        let db = sled::open(&path).unwrap();
        let learner = serde_json::json!({
            "id": 7, "name": "Old", "accounts": ["console:old"], "standards": ["HSCCLD352"],
            "cohorts": ["ABC234"], "created": "2025-01-01T00:00:00Z"
        });
        db.open_tree("learners")
            .unwrap()
            .insert(7u64.to_be_bytes(), serde_json::to_vec(&learner).unwrap())
            .unwrap();
        db.open_tree("accounts")
            .unwrap()
            .insert("console:old", &7u64.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.cohort_members("ABC234").unwrap(), vec![7]);
    // The upgrade backed the old store up first, beside it; the backup restores as schema 0
    // (and is migrated again on open).
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.to_string_lossy().contains(".schema0-")
                && p.to_string_lossy().ends_with(".ksbquiz-backup")
        })
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let info = Store::restore(&backups[0], &dir.path().join("before-upgrade")).unwrap();
    assert_eq!(info.schema, 0);
    let l = store.learner_by_account("console:old").unwrap().unwrap();
    assert_eq!(
        l.settings.daily_time, "18:00",
        "missing fields take defaults"
    );
}

#[test]
fn an_unwritable_database_is_reported_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let err = Store::open(&file.join("db")).unwrap_err();
    assert!(
        err.to_string().starts_with("cannot open the database at"),
        "{err}"
    );
}

/// Sets up `n` learners enrolled in HSCCLD222 with a quiz open.
fn learners(e: &ksbquiz::engine::Engine, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let a = format!("test:{i}");
            e.handle(who(&a), Input::Start { code: None }).unwrap();
            e.handle(who(&a), Input::Enrol(vec!["HSCCLD222".into()]))
                .unwrap();
            a
        })
        .collect()
}

#[test]
fn many_learners_answering_at_once_lose_and_double_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let e = Arc::new(e);
    let accounts = learners(&e, 24);
    let handles: Vec<_> = accounts
        .into_iter()
        .map(|a| {
            let e = e.clone();
            thread::spawn(move || {
                let mut q = common::question(&e.handle(who(&a), Input::Quiz).unwrap()).unwrap();
                let mut answered = 0;
                loop {
                    // Every answer is sent twice, as a double click would.
                    let first = e
                        .handle(
                            who(&a),
                            Input::Answer {
                                delivery: q.delivery.clone(),
                                option: 0,
                            },
                        )
                        .unwrap();
                    e.handle(
                        who(&a),
                        Input::Answer {
                            delivery: q.delivery.clone(),
                            option: 1,
                        },
                    )
                    .unwrap();
                    answered += 1;
                    match common::question(&first) {
                        Some(next) => q = next,
                        None => return answered,
                    }
                }
            })
        })
        .collect();
    let told: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(told, 24 * 5);
    assert_eq!(e.store().attempt_count(), told);
    let mut deliveries: Vec<String> = e
        .store()
        .all_attempts()
        .map(|a| a.unwrap().delivery)
        .collect();
    deliveries.sort();
    deliveries.dedup();
    assert_eq!(deliveries.len(), told, "no delivery recorded twice");
    for a in e.store().all_attempts() {
        // Option A as shown: the bank's option the delivery showed first.
        let a = a.unwrap();
        let d = e.store().delivery(&a.delivery).unwrap().unwrap();
        assert_eq!(
            a.option,
            d.order_for(4)[0],
            "the first answer is the one kept"
        );
    }
}

#[test]
fn racing_answers_to_one_delivery_record_exactly_one() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let e = Arc::new(e);
    learners(&e, 1);
    let q = common::question(&e.handle(who("test:0"), Input::Quiz).unwrap()).unwrap();
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let (e, d) = (e.clone(), q.delivery.clone());
            thread::spawn(move || {
                e.handle(
                    who("test:0"),
                    Input::Answer {
                        delivery: d,
                        option: i % 4,
                    },
                )
                .unwrap()
            })
        })
        .collect();
    let replies: Vec<String> = handles
        .into_iter()
        .map(|h| common::texts(&h.join().unwrap()))
        .collect();
    assert_eq!(e.store().attempt_count(), 1);
    let fresh = replies
        .iter()
        .filter(|r| !r.contains("already answered"))
        .count();
    assert_eq!(
        fresh, 1,
        "exactly one click was told it counted: {replies:?}"
    );
}

#[test]
fn history_survives_a_rebuilt_bank_with_a_question_removed() {
    let dir = tempfile::tempdir().unwrap();
    let (e, clock) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    learners(&e, 1);
    let q = common::question(&e.handle(who("test:0"), Input::Quiz).unwrap()).unwrap();
    let out = e
        .handle(
            who("test:0"),
            Input::Answer {
                delivery: q.delivery,
                option: q.answer,
            },
        )
        .unwrap();
    let open = common::question(&out).unwrap();
    let id = e.store().learner_by_account("test:0").unwrap().unwrap().id;
    let before = e.store().srs_all(id).unwrap();
    drop(e);
    // Rebuild the bank without the open question and reopen the same database.
    let snapshot = ksbquiz::bank::Bank::load(&common::root().join("question-bank")).unwrap();
    let removed = question_id(&open, &snapshot);
    let mut files = snapshot.files().to_vec();
    for f in &mut files {
        f.questions.retain(|x| x.id != removed);
    }
    let bank = Arc::new(ksbquiz::bank::Bank::from_files(files));
    let store = Store::open(&dir.path().join("db")).unwrap();
    let prompts =
        Arc::new(ksbquiz::prompts::Prompts::load(&common::root().join("prompts")).unwrap());
    let e = ksbquiz::engine::Engine::new(store, bank, prompts, clock, Default::default());
    assert_eq!(e.store().srs_all(id).unwrap(), before, "scheduling kept");
    assert_eq!(e.store().attempts(id).unwrap().len(), 1, "answers kept");
    let out = e
        .handle(
            who("test:0"),
            Input::Answer {
                delivery: open.delivery.clone(),
                option: 0,
            },
        )
        .unwrap();
    assert!(
        common::texts(&out).contains("retired"),
        "{}",
        common::texts(&out)
    );
    // And the learner carries on.
    let out = e.handle(who("test:0"), Input::Quiz).unwrap();
    assert!(common::question(&out).is_some());
}

/// The bank question id behind a delivered question (matched by stem and options).
fn question_id(q: &ksbquiz::engine::QuestionOut, bank: &ksbquiz::bank::Bank) -> String {
    bank.files()
        .iter()
        .flat_map(|f| &f.questions)
        .find(|x| {
            let (mut shown, mut bank) = (q.options.clone(), x.options.clone());
            shown.sort();
            bank.sort();
            x.stem == q.stem && shown == bank
        })
        .map(|x| x.id.clone())
        .unwrap()
}

#[test]
fn schema_1_migrates_its_four_trees_into_the_learner_tree() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let now = "2026-11-23T10:00:00Z";
    {
        // A schema-1 store: attempts, srs, deliveries and sessions in their own trees.
        let db = sled::open(&path).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("schema", b"1")
            .unwrap();
        let learner = serde_json::json!({"id": 5, "name": "One", "accounts": ["console:one"], "created": now});
        db.open_tree("learners")
            .unwrap()
            .insert(5u64.to_be_bytes(), serde_json::to_vec(&learner).unwrap())
            .unwrap();
        db.open_tree("accounts")
            .unwrap()
            .insert("console:one", &5u64.to_be_bytes())
            .unwrap();
        let mut k = 5u64.to_be_bytes().to_vec();
        k.extend_from_slice(&9u64.to_be_bytes());
        let attempt = serde_json::json!({"learner": 5, "item": "HSCCLD222/K1", "question": "HSCCLD222/K1/scenario-1",
            "option": 2, "correct": true, "response_ms": 900, "platform": "console", "at": now,
            "delivery": "0000000000000005-0000000000000003", "mode": "daily"});
        db.open_tree("attempts")
            .unwrap()
            .insert(k, serde_json::to_vec(&attempt).unwrap())
            .unwrap();
        let mut k = 5u64.to_be_bytes().to_vec();
        k.extend_from_slice(b"HSCCLD222/K1");
        let srs = serde_json::json!({"stability": 2.3, "difficulty": 2.1, "due": "2026-11-25", "last_review": now, "reps": 1, "lapses": 0});
        db.open_tree("srs")
            .unwrap()
            .insert(k, serde_json::to_vec(&srs).unwrap())
            .unwrap();
        let delivery = serde_json::json!({"id": "0000000000000005-0000000000000003", "learner": 5, "question": "HSCCLD222/K1/scenario-1",
            "item": "HSCCLD222/K1", "sent": now, "mode": "daily", "answered": {"option": 2, "correct": true, "at": now}});
        db.open_tree("deliveries")
            .unwrap()
            .insert(
                "0000000000000005-0000000000000003",
                serde_json::to_vec(&delivery).unwrap(),
            )
            .unwrap();
        let session = serde_json::json!({"learner": 5, "mode": "daily", "day": "2026-11-23", "pos": 1, "current": null,
            "correct": 1, "answered": 1, "queue": [{"item": "HSCCLD222/K1", "question": "HSCCLD222/K1/scenario-1"},
                                                    {"item": "HSCCLD222/K2", "question": "HSCCLD222/K2/scenario-2"}]});
        db.open_tree("sessions")
            .unwrap()
            .insert(5u64.to_be_bytes(), serde_json::to_vec(&session).unwrap())
            .unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        ksbquiz::store::SCHEMA_VERSION
    );
    let a = store.attempts(5).unwrap();
    assert_eq!((a.len(), a[0].option), (1, 2));
    assert_eq!(store.srs(5, "HSCCLD222/K1").unwrap().unwrap().reps, 1);
    assert!(
        store
            .delivery("0000000000000005-0000000000000003")
            .unwrap()
            .unwrap()
            .answered
            .is_some()
    );
    assert!(
        store.srs(5, "HSCCLD222/K1").unwrap().unwrap().last_correct,
        "new field defaults"
    );
    let session = store.session(5).unwrap().unwrap();
    assert_eq!((session.total, session.pos), (2, 1));
    assert_eq!(
        store.pick(5, 1).unwrap().unwrap().question,
        "HSCCLD222/K2/scenario-2"
    );
    drop(store);
    // Opening again is a no-op.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.attempts(5).unwrap().len(), 1);
}

/// A backup taken while learners answer as fast as they can restores to a store whose export
/// is the source's export at the moment of the snapshot, and a truncated or altered backup is
/// refused with a clear error (writing nothing).
#[test]
fn a_backup_under_a_storm_of_answers_restores_to_the_same_export() {
    use ksbquiz::export::{self, Sources};
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let e = Arc::new(e);
    let accounts = learners(&e, 12);
    let stop = Arc::new(AtomicBool::new(false));
    let storm: Vec<_> = accounts
        .into_iter()
        .map(|a| {
            let (e, stop) = (e.clone(), stop.clone());
            thread::spawn(move || {
                let mut answered = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let mut out = e.handle(who(&a), Input::Quiz).unwrap();
                    if common::question(&out).is_none() {
                        out = e.handle(who(&a), Input::Practice).unwrap();
                    }
                    while let Some(q) = common::question(&out) {
                        out = common::answer(&e, who(&a), q, answered % 4);
                        answered += 1;
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                    }
                }
                answered
            })
        })
        .collect();
    thread::sleep(std::time::Duration::from_millis(300));
    let now = e.now();
    let report = |store: &Store| {
        let src = Sources {
            store,
            bank: &e.bank,
            sched: &e.sched,
            now,
            horizons: None,
        };
        let scope = export::all_scope(&src, None, None, None).unwrap();
        serde_json::to_value(export::report(&src, &scope, &()).unwrap()).unwrap()
    };
    let mut at_snapshot = None;
    let mut bytes = Vec::new();
    let info = e
        .store()
        .backup(&mut bytes, || {
            at_snapshot = Some((report(e.store()), e.store().attempt_count()))
        })
        .unwrap();
    thread::sleep(std::time::Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    let answered: usize = storm.into_iter().map(|h| h.join().unwrap()).sum();
    let (reference, in_backup) = at_snapshot.unwrap();
    assert!(
        in_backup > 0 && e.store().attempt_count() > in_backup,
        "answers went on during the backup ({answered} in all)"
    );
    assert!(info.records > 0);

    let file = dir.path().join("store.ksbquiz-backup");
    std::fs::write(&file, &bytes).unwrap();
    let copy_path = dir.path().join("copy");
    Store::restore(&file, &copy_path).unwrap();
    let copy = Store::open(&copy_path).unwrap();
    assert_eq!(copy.attempt_count(), in_backup);
    assert_eq!(
        report(&copy),
        reference,
        "the restored store is the store as it was at the snapshot"
    );
    drop(copy);

    // A restore never overwrites a store.
    let err = Store::restore(&file, &copy_path).unwrap_err().to_string();
    assert!(err.contains("not empty"), "{err}");
    // Truncated and altered files are refused before anything is written.
    let cut = dir.path().join("cut.ksbquiz-backup");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = Store::restore(&cut, &dir.path().join("c1"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("truncated or altered") && err.contains("cut.ksbquiz-backup"),
        "{err}"
    );
    assert!(!dir.path().join("c1").exists());
    let mut altered = bytes.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 0x20;
    let bad = dir.path().join("altered.ksbquiz-backup");
    std::fs::write(&bad, &altered).unwrap();
    let err = Store::restore(&bad, &dir.path().join("c2"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("truncated or altered"), "{err}");
}

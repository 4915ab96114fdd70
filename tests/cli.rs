//! The `ksbquiz` binary: standards and bank commands, their output and their errors.

mod common;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn ksbquiz(root: &Path) -> Command {
    let mut c = Command::cargo_bin("ksbquiz").unwrap();
    c.arg("--root").arg(root).env_remove("KSBQUIZ_ROOT");
    c
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// A throwaway copy of the project's data and prompts.
pub fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for d in ["data", "prompts", "question-bank"] {
        copy_dir(&common::root().join(d), &dir.path().join(d));
    }
    dir
}

#[test]
fn help_reads_well() {
    Command::cargo_bin("ksbquiz")
        .unwrap()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("standards").and(predicate::str::contains("bank")));
}

#[test]
fn standards_list_shows_all_seeds() {
    ksbquiz(&common::root())
        .args(["standards", "list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("HSCCLD352")
                .and(predicate::str::contains("OCC0088B"))
                .and(predicate::str::contains("PROV-LMCCP (provisional code)"))
                .and(predicate::str::contains("5 standards, 340 items.")),
        );
}

#[test]
fn standards_show_json_follows_the_contract() {
    let out = ksbquiz(&common::root())
        .args(["standards", "show", "hsccld222", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["standard"]["code"], "HSCCLD222");
    assert_eq!(v["standard"]["kind"], "nos");
    assert!(
        v["standard"]["source"]
            .as_str()
            .unwrap()
            .starts_with("data/standards/")
    );
    assert_eq!(v["items"].as_array().unwrap().len(), 31);
    assert_eq!(v["items"][10]["id"], "HSCCLD222/K1");
    assert_eq!(v["items"][10]["kind"], "knowledge");
    assert_eq!(v["items"][10]["number"], 1);
}

#[test]
fn standards_show_text_and_file() {
    ksbquiz(&common::root())
        .args(["standards", "show", "PROV-LMCCP"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("[Rights]").and(predicate::str::contains("PROV-LMCCP/K111")),
        );
    let fixture = common::root().join("tests/fixtures/nos-pdf-layout.txt");
    ksbquiz(&common::root())
        .args(["standards", "show"])
        .arg(&fixture)
        .assert()
        .success()
        .stdout(predicate::str::contains("XYZ0001/K5"));
}

#[test]
fn unknown_standard_is_a_clear_error() {
    ksbquiz(&common::root())
        .args(["standards", "show", "NOPE1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no standard \"NOPE1\""));
}

/// `ksbquiz standards import` of the apprenticeship fixture in `dir`.
fn import_fixture(dir: &Path) -> assert_cmd::assert::Assert {
    let fixture = common::root().join("tests/fixtures/apprenticeship-ifate.txt");
    ksbquiz(dir)
        .args(["standards", "import"])
        .arg(&fixture)
        .assert()
}

#[test]
fn import_copies_a_parsed_standard_byte_for_byte() {
    let dir = scratch();
    let fixture = common::root().join("tests/fixtures/apprenticeship-ifate.txt");
    import_fixture(dir.path())
        .success()
        .stdout(predicate::str::contains("Imported ST9999"));
    let dest = dir
        .path()
        .join("data/standards/ST9999-care-worker-example.txt");
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        std::fs::read(&fixture).unwrap()
    );
    // Importing it again is refused: the code is taken.
    import_fixture(dir.path())
        .failure()
        .stderr(predicate::str::contains("ST9999 is already in the library"));
}

#[test]
fn import_writes_draft_material_that_is_asked_only_once_reviewed() {
    let dir = scratch();
    import_fixture(dir.path())
        .success()
        .stdout(predicate::str::contains("data/scenarios/ST9999.toml"));
    let draft_path = dir.path().join("data/scenarios/ST9999.toml");
    let draft = std::fs::read_to_string(&draft_path).unwrap();
    let items = draft.matches("[[item]]").count();
    assert!(items > 5, "{draft}");
    assert_eq!(draft.matches("status = \"draft\"").count(), items);
    assert!(
        draft.contains("id = \"ST9999/K1\"\nstatus = \"draft\"\n# K1: "),
        "{draft}"
    );
    // Reviewing an empty stanza is refused, naming it; the file is left as it was.
    ksbquiz(dir.path())
        .args(["bank", "review", "ST9999", "K1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("item ST9999/K1").and(predicate::str::contains("empty")));
    assert_eq!(std::fs::read_to_string(&draft_path).unwrap(), draft);
    // The tutor writes K1's stanza and reviews it.
    let (head, rest) = draft.split_once("id = \"ST9999/K1\"").unwrap();
    let (stanza, tail) = rest.split_once("[[item]]").unwrap();
    let mut stanza = stanza.replacen(
        "situation = \"\"",
        "situation = \"{{name}} has started a new job in a care home and asks you what {{their}} duty of care means.\"",
        1,
    );
    for (text, why) in [
        (
            "Explain that it means acting in the best interests of each resident.",
            "This is what a duty of care asks.",
        ),
        (
            "Explain that it means raising any concern about a resident's safety.",
            "Raising concerns is part of it.",
        ),
        (
            "Explain that it means balancing a resident's choices against risks.",
            "Choice and risk are weighed.",
        ),
        (
            "Explain that it means doing whatever the resident's family asks.",
            "The family's wishes do not decide it.",
        ),
        (
            "Explain that it means keeping residents from every possible risk.",
            "Removing all risk overrides choice.",
        ),
        (
            "Explain that it means following the rota and the manager's rules.",
            "Rules alone are not the duty.",
        ),
    ] {
        stanza = stanza.replacen(
            "{ text = \"\", why = \"\" }",
            &format!("{{ text = {text:?}, why = {why:?} }}"),
            1,
        );
    }
    std::fs::write(
        &draft_path,
        format!("{head}id = \"ST9999/K1\"{stanza}[[item]]{tail}"),
    )
    .unwrap();
    ksbquiz(dir.path())
        .args(["bank", "review", "ST9999", "K1"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Marked 1 item of ST9999 reviewed: ST9999/K1.",
        ));
    let reviewed = std::fs::read_to_string(&draft_path).unwrap();
    assert_eq!(reviewed.matches("status = \"reviewed\"").count(), 1);
    assert_eq!(reviewed.matches("status = \"draft\"").count(), items - 1);
    ksbquiz(dir.path())
        .args(["bank", "build"])
        .assert()
        .success();
    let bank = std::fs::read_to_string(dir.path().join("question-bank/ST9999.json")).unwrap();
    // K1 is asked from its material; the items still in draft are not asked at all.
    assert!(bank.contains("\"ST9999/K1/scenario-3\""));
    // The draft retires the "which falls short" question, as the seed material does.
    assert!(
        reviewed.contains("\nretired = [\"shortfall-1\"]\n"),
        "{reviewed}"
    );
    assert!(!bank.contains("\"ST9999/K1/shortfall-1\""));
    assert!(!bank.contains("\"ST9999/K2/"));
    ksbquiz(dir.path())
        .args(["bank", "check"])
        .assert()
        .stdout(predicate::str::contains(format!(
            "{} items of ST9999 have no questions yet",
            items - 1
        )));
}

#[test]
fn import_of_a_recoded_standard_starts_from_the_material_it_shares() {
    // A root over the built-in defaults (no folders of its own), as a tutor's would be.
    let dir = tempfile::tempdir().unwrap();
    let source = common::root().join(
        "data/standards/HSCCLD310-promote-the-social-and-emotional-wellbeing-of-individuals.txt",
    );
    // The same standard re-issued under a new code, one item reworded a little.
    let text = std::fs::read_to_string(&source)
        .unwrap()
        .replace("HSCCLD310", "SCDTEST31")
        .replacen("welcoming environments", "welcoming settings", 1);
    let file = dir.path().join("SCDTEST31.txt");
    std::fs::write(&file, text).unwrap();
    ksbquiz(dir.path())
        .args(["standards", "import"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "46 of its items have the same text as items of other standards (1 of them worded a little differently)",
        ));
    let draft_path = dir.path().join("data/scenarios/SCDTEST31.toml");
    let draft = std::fs::read_to_string(&draft_path).unwrap();
    assert_eq!(draft.matches("status = \"draft\"").count(), 46);
    assert_eq!(draft.matches("# Carried from HSCCLD310/").count(), 46);
    let p1 = draft.split("[[item]]").nth(1).unwrap();
    assert!(p1.contains("id = \"SCDTEST31/P1\""), "{p1}");
    assert!(
        p1.contains(
            "# Worded differently there: create inclusive, safe and welcoming environments"
        ),
        "{p1}"
    );
    let own =
        std::fs::read_to_string(common::root().join("data/scenarios/HSCCLD310.toml")).unwrap();
    let situation = p1.lines().find(|l| l.starts_with("situation = ")).unwrap();
    assert!(own.contains(situation), "{situation}");
    // Drafts are not asked, carried or not.
    ksbquiz(dir.path())
        .args(["bank", "build"])
        .assert()
        .success();
    let bank = std::fs::read_to_string(dir.path().join("question-bank/SCDTEST31.json")).unwrap();
    assert!(!bank.contains("\"SCDTEST31/P1/"), "{bank}");
    // Reviewed (in a root over the defaults), they are asked, citing the new code.
    ksbquiz(dir.path())
        .args(["bank", "review", "SCDTEST31"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Marked 46 items of SCDTEST31 reviewed",
        ));
    ksbquiz(dir.path())
        .args(["bank", "build"])
        .assert()
        .success();
    let bank: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("question-bank/SCDTEST31.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(bank["questions"].as_array().unwrap().len(), 46 * 3);
    // The answer-only model is never scored on a copy of what it learnt from: the copy is
    // held out with its source, so the model scoring the source learns from the same other
    // standards as in the bank alone, and scores it the same; and the copy's scenario
    // questions (each keyed on one good option, as the source's; only the names cast and the
    // order differ) score as the source's. Trained on each other, the model found 48% of the
    // copy's keys, 14 points above the bank's.
    let check = |root: &std::path::Path| -> serde_json::Value {
        let out = ksbquiz(root)
            .args(["bank", "check", "--json"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let accuracy = |figures: &serde_json::Value, code: &str, t: &str| {
        figures[code][t]["accuracy"]
            .as_f64()
            .unwrap_or_else(|| panic!("no {t} figure for {code}: {figures}"))
    };
    let (alone_report, copy_report) = (
        check(tempfile::tempdir().unwrap().path()),
        check(dir.path()),
    );
    // The tutor's bank, the copy beside the built-in standards, passes every gate of the
    // check, not only the answer-only model's (its word strategies count the copy's options
    // too, so an edit to HSCCLD310's material could tip an import into a failing check).
    for problems in ["errors", "regressions"] {
        assert_eq!(
            copy_report[problems].as_array().map(Vec::len),
            Some(0),
            "{problems} in the bank with the copy: {}",
            copy_report[problems]
        );
    }
    let (bank_alone, with_copy) = (&alone_report["answer_only"], &copy_report["answer_only"]);
    let (bank, imported) = (&bank_alone["by_standard"], &with_copy["by_standard"]);
    let (alone, beside) = (
        accuracy(bank, "HSCCLD310", "scenario"),
        accuracy(imported, "HSCCLD310", "scenario"),
    );
    assert!(
        (alone - beside).abs() < 1e-9,
        "HSCCLD310's keys found in {alone} alone, {beside} beside its copy"
    );
    let (copy, source) = (
        accuracy(imported, "SCDTEST31", "scenario"),
        accuracy(imported, "HSCCLD310", "scenario"),
    );
    assert!(
        (copy - source).abs() <= 0.04,
        "the copy's keys found in {copy}, its source's in {source}"
    );
    // Scored in folds of items across the bank, a copy's item shares its source's fold (their
    // options differ in the names cast), so the copy adds no lift: trained on each other, the
    // model found 46% of scenario keys here.
    let within = |r: &serde_json::Value| r["within"]["scenario"]["accuracy"].as_f64().unwrap();
    let (alone, beside) = (within(bank_alone), within(with_copy));
    assert!(
        (alone - beside).abs() <= 0.04,
        "scenario keys found in {alone} of the bank's items alone, {beside} beside the copy"
    );
}

#[test]
fn import_refuses_a_text_it_cannot_parse_and_copies_nothing() {
    let dir = scratch();
    let bad = dir.path().join("minutes.txt");
    std::fs::write(
        &bad,
        "Team meeting\n\nPerformance criteria\n1. do one\n3. do three\n",
    )
    .unwrap();
    let before = std::fs::read_dir(dir.path().join("data/standards"))
        .unwrap()
        .count();
    ksbquiz(dir.path())
        .args(["standards", "import"])
        .arg(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "minutes.txt:5: expected P2 next but found P3",
        ));
    let after = std::fs::read_dir(dir.path().join("data/standards"))
        .unwrap()
        .count();
    assert_eq!(before, after);
}

#[test]
fn a_broken_standard_in_the_library_names_file_and_line() {
    let dir = scratch();
    std::fs::write(
        dir.path().join("data/standards/BROKEN1-x.txt"),
        "Knowledge and understanding\nK1 how to\nK1 how to again\nOriginal URN\tBROKEN1\n",
    )
    .unwrap();
    ksbquiz(dir.path())
        .args(["standards", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("data/standards/BROKEN1-x.txt:3:"));
}

/// Edits the first `from` in a scratch project's bank file into `to`; returns the original.
fn tamper(dir: &Path, file: &str, from: &str, to: &str) -> String {
    let path = dir.join("question-bank").join(file);
    let original = std::fs::read_to_string(&path).unwrap();
    assert!(original.contains(from), "{from:?} not in {file}");
    std::fs::write(&path, original.replacen(from, to, 1)).unwrap();
    original
}

const ASK: &str = "What does the standard expect you to do?";

#[test]
fn bank_build_rewrites_a_tampered_bank_file_and_leaves_the_rest() {
    let dir = scratch();
    let original = tamper(dir.path(), "HSCCLD222.json", ASK, "What would you do?");
    ksbquiz(dir.path())
        .args(["bank", "build"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("question-bank/HSCCLD222.json: 93 questions\n")
                .and(predicate::str::contains(
                    "question-bank/HSCCLD352.json: 159 questions (unchanged)",
                ))
                .and(predicate::str::contains("(unchanged)").count(4)),
        );
    let rebuilt = std::fs::read_to_string(dir.path().join("question-bank/HSCCLD222.json")).unwrap();
    assert!(
        rebuilt == original,
        "bank build did not restore HSCCLD222.json"
    );
    // The rebuilt bank passes its check.
    ksbquiz(dir.path())
        .args(["bank", "check"])
        .assert()
        .success();
}

#[test]
fn bank_check_fails_on_a_stale_or_missing_bank_file_and_names_it() {
    let dir = scratch();
    tamper(dir.path(), "HSCCLD310.json", ASK, "What would you do?");
    ksbquiz(dir.path())
        .args(["bank", "check"])
        .assert()
        .failure()
        .stdout(
            predicate::str::contains(
                "question-bank/HSCCLD310.json is out of date with data/ and prompts/: run `ksbquiz bank build`",
            )
            .and(predicate::str::contains("HSCCLD352.json").not())
            .and(predicate::str::contains("Bank OK.").not()),
        );
    std::fs::remove_file(dir.path().join("question-bank/OCC0088B.json")).unwrap();
    ksbquiz(dir.path())
        .args(["bank", "check"])
        .assert()
        .failure()
        .stdout(predicate::str::contains(
            "question-bank/OCC0088B.json is missing: run `ksbquiz bank build`",
        ));
}

#[test]
fn bank_check_passes_on_the_committed_bank_and_reports_each_type() {
    ksbquiz(&common::root())
        .args(["bank", "check"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("5 standards, 340 items")
                .and(predicate::str::contains("ceilings 24.0% overall, 27.0% for a middle option, 26.0% picking by a flag (guessing where it singles nothing out), 29.0% per type"))
                .and(predicate::str::is_match(
                    r"(?m)^  shortest option: \d+\.\d% \(scenario \d+\.\d%\)$",
                )
                .unwrap())
                .and(predicate::str::is_match(
                    r"(?m)^  scenario: \d+\.\d% of 1020 \(chance 25\.0%, ceiling 35\.0%\)$",
                )
                .unwrap())
                .and(predicate::str::contains("Bank OK.")),
        );
}

#[test]
fn bank_check_fails_when_a_type_gives_its_key_away() {
    // Make every scenario key the longest option.
    let dir = scratch();
    for e in std::fs::read_dir(dir.path().join("question-bank")).unwrap() {
        let path = e.unwrap().path();
        let mut bank: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for q in bank["questions"].as_array_mut().unwrap() {
            if q["type"] == "scenario" {
                let a = q["answer"].as_u64().unwrap() as usize;
                let key = q["options"][a].as_str().unwrap().to_string();
                q["options"][a] =
                    format!("{key} Do it anyway, whatever the team thinks of it.").into();
            }
        }
        std::fs::write(&path, serde_json::to_string_pretty(&bank).unwrap()).unwrap();
    }
    ksbquiz(dir.path())
        .args(["bank", "check"])
        .assert()
        .failure()
        .stdout(
            predicate::str::is_match(
                r"scenario questions \(1020\): always picking the longest option scores \d+\.\d% \(ceiling 29\.0% per type\)",
            )
            .unwrap()
            .and(predicate::str::contains("question-bank/HSCCLD352.json is out of date")),
        );
}

/// A database with a tutor's cohort of three on HSCCLD222, each having taken one daily quiz on
/// 2026-11-23 (the first learner answering everything right, the others wrong). Returns the
/// cohort's code; the store is closed when this returns, so the binary can open it.
fn cohort_db(db_dir: &Path) -> String {
    use ksbquiz::engine::{Input, Who, command};
    let (e, _clock) = common::engine_at(db_dir, "2026-11-23T10:00:00Z");
    let tutor = Who {
        account: "test:tutor",
        name: "Tutor",
        platform: "test",
    };
    e.handle(tutor, Input::Start { code: None }).unwrap();
    e.handle(tutor, command::parse("/cohort create Group A : HSCCLD222"))
        .unwrap();
    let code = e.store().cohorts().next().unwrap().unwrap().code;
    for (i, name) in ["Zoë", "Sam", "Sam"].into_iter().enumerate() {
        let account = format!("test:{i}");
        let w = Who {
            account: &account,
            name,
            platform: "test",
        };
        e.handle(w, Input::Start { code: None }).unwrap();
        e.handle(w, Input::Join(code.clone())).unwrap();
        let mut out = e.handle(w, Input::Quiz).unwrap();
        while let Some(q) = common::question(&out) {
            let option = if i == 0 { q.answer } else { (q.answer + 1) % 4 };
            out = e
                .handle(
                    w,
                    Input::Answer {
                        delivery: q.delivery,
                        option,
                    },
                )
                .unwrap();
        }
    }
    e.store().durable().unwrap();
    code
}

/// `ksbquiz export` over the scratch database at `db`.
fn export_cmd(db: &Path) -> Command {
    let mut c = ksbquiz(&common::root());
    c.arg("--db").arg(db).arg("export");
    c
}

#[test]
fn export_writes_the_three_csv_views_for_a_cohort_and_a_range() {
    let dir = tempfile::tempdir().unwrap();
    let code = cohort_db(dir.path());
    let out = dir.path().join("csv");
    export_cmd(&dir.path().join("db"))
        .args(["--cohort", &code.to_lowercase(), "--format", "csv"])
        .args(["--from", "2026-11-23", "--to", "2026-11-23", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("Group A").and(predicate::str::contains("3 learners")));
    let items = std::fs::read(out.join("items.csv")).unwrap();
    assert!(
        items.starts_with(b"\xEF\xBB\xBFstandard,code,item"),
        "BOM, then the header"
    );
    let mut rd = csv::Reader::from_reader(&items[..]);
    let attempts: f64 = rd
        .records()
        .map(|r| r.unwrap()[6].parse::<f64>().unwrap())
        .sum();
    assert!(attempts >= 3.0, "the day's answers are in: {attempts}");
    let learners = std::fs::read_to_string(out.join("learners.csv")).unwrap();
    assert!(learners.contains("Zoë"), "{learners}");
    assert!(std::fs::metadata(out.join("questions.csv")).unwrap().len() > 0);
    // A range after the answers: the same views, with no answers in them.
    let later = dir.path().join("later");
    export_cmd(&dir.path().join("db"))
        .args([
            "--cohort",
            &code,
            "--format",
            "csv",
            "--from",
            "2026-11-24",
            "--out",
        ])
        .arg(&later)
        .assert()
        .success();
    let mut rd = csv::Reader::from_path(later.join("items.csv")).unwrap();
    assert!(rd.records().all(|r| &r.unwrap()[6] == "0"));
}

#[test]
fn export_writes_an_xlsx_workbook() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let code = cohort_db(dir.path());
    let out = dir.path().join("results.xlsx");
    export_cmd(&dir.path().join("db"))
        .args([
            "--cohort",
            &code,
            "--format",
            "xlsx",
            "--to",
            "2026-11-30",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("results.xlsx"));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut workbook)
        .unwrap();
    for sheet in ["items", "learners", "questions"] {
        assert!(
            workbook.contains(&format!("name=\"{sheet}\"")),
            "{workbook}"
        );
    }
}

#[test]
fn export_of_an_unknown_cohort_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    cohort_db(dir.path());
    let out = dir.path().join("nothing.html");
    export_cmd(&dir.path().join("db"))
        .args(["--cohort", "NOPE22", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("no cohort with the code NOPE22"));
    assert!(!out.exists(), "nothing written");
    // A date that is not YYYY-MM-DD is refused by the argument parser.
    export_cmd(&dir.path().join("db"))
        .args(["--cohort", "NOPE22", "--from", "23/11/2026", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--from"));
}

#[test]
fn bank_export_writes_gift_and_moodle_xml() {
    let dir = tempfile::tempdir().unwrap();
    let banks = ksbquiz::bank::read_dir(&common::root().join("question-bank")).unwrap();
    let hsccld222 = banks
        .iter()
        .find(|b| b.standard.code == "HSCCLD222")
        .unwrap()
        .questions
        .len();
    let gift = dir.path().join("bank.gift");
    ksbquiz(&common::root())
        .args([
            "bank",
            "export",
            "--format",
            "gift",
            "--standard",
            "hsccld222",
            "--out",
        ])
        .arg(&gift)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Wrote {hsccld222} questions"
        )));
    let text = std::fs::read_to_string(&gift).unwrap();
    assert!(text.contains("::HSCCLD222/K1/"), "titled by question id");
    assert!(!text.contains("HSCCLD352"), "only the standard asked for");
    let xml = dir.path().join("bank.xml");
    ksbquiz(&common::root())
        .args(["bank", "export", "--format", "moodle-xml", "--out"])
        .arg(&xml)
        .assert()
        .success();
    let text = std::fs::read_to_string(&xml).unwrap();
    let total: usize = banks.iter().map(|b| b.questions.len()).sum();
    assert!(text.trim_start().starts_with("<?xml"));
    assert_eq!(
        text.matches("<question type=\"multichoice\">").count(),
        total
    );
    ksbquiz(&common::root())
        .args([
            "bank",
            "export",
            "--format",
            "gift",
            "--standard",
            "NOPE1",
            "--out",
        ])
        .arg(dir.path().join("none.gift"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("no standard \"NOPE1\""));
}

/// `ksbquiz` installed elsewhere: from an empty folder the built-in standards, prompts and
/// bank serve every command, a learner gets a question after one choice, and a file of the
/// folder's own replaces the built-in one.
#[test]
fn an_installed_binary_works_from_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut c = Command::cargo_bin("ksbquiz").unwrap();
        c.current_dir(dir.path())
            .env_remove("KSBQUIZ_ROOT")
            .env_remove("KSBQUIZ_CONFIG")
            .env("XDG_CACHE_HOME", cache.path())
            .args(args);
        c
    };
    run(&["--help"]).assert().success();
    run(&["standards", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("5 standards, 340 items."));
    run(&["bank", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Bank OK."));
    run(&["play", "--name", "Kim"])
        .write_stdin("2\n")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Which standard are you working towards?")
                .and(predicate::str::contains("2) HSCCLD310"))
                .and(predicate::str::contains("Question 1 of")),
        );
    std::fs::create_dir_all(dir.path().join("prompts/console")).unwrap();
    std::fs::write(
        dir.path().join("prompts/console/banner.hbs"),
        "Our own banner for {{name}}",
    )
    .unwrap();
    run(&["play", "--name", "Kim"])
        .write_stdin("")
        .assert()
        .success()
        .stdout(predicate::str::contains("Our own banner for Kim"));
    // Only the learners' database was written into the folder, besides the override.
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["ksbquiz-data", "prompts"]);
}

#[test]
fn config_check_masks_tokens_and_names_a_bad_key() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let file = dir.path().join("deploy.toml");
    std::fs::write(&file, "[discord]\ntutor_role = \"Tutors\"\n").unwrap();
    let run = || {
        let mut c = Command::cargo_bin("ksbquiz").unwrap();
        c.current_dir(dir.path())
            .env("XDG_CACHE_HOME", cache.path())
            .env_remove("TELEGRAM_BOT_TOKEN")
            .env_remove("DISCORD_TOKEN")
            .arg("--config")
            .arg(&file)
            .args(["config", "check"]);
        c
    };
    run()
        .env("KSBQUIZ_TELEGRAM_TOKEN", "123:SECRET")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("telegram.token = ***")
                .and(predicate::str::contains(
                    "discord.tutor_role = Tutors   [file",
                ))
                .and(predicate::str::contains("123:SECRET").not()),
        );
    run()
        .env("KSBQUIZ_SCHEDULING_DESIRED_RETENTION", "ninety")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("KSBQUIZ_SCHEDULING_DESIRED_RETENTION")
                .and(predicate::str::contains("scheduling.desired_retention")),
        );
    std::fs::write(&file, "[discord]\ntutor_rol = \"Tutors\"\n").unwrap();
    run()
        .assert()
        .code(1)
        .stderr(predicate::str::contains("deploy.toml").and(predicate::str::contains("tutor_rol")));
}

#[test]
fn scheduling_fit_refuses_too_few_reviews_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("ksbquiz")
        .unwrap()
        .arg("--root")
        .arg(common::root())
        .arg("--db")
        .arg(dir.path().join("db"))
        .args(["scheduling", "fit"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains(
                "install: not fitted (0 reviews to learn from; a fit needs at least 1000)",
            )
            .and(predicate::str::contains("the server refits daily")),
        );
}

#[test]
fn bank_sample_prints_a_seeded_review_sheet_with_keys_and_reasons() {
    // `ksbquiz bank sample` with `args`: the sheet it prints, the command having succeeded.
    let run = |args: &[&str]| {
        let out = ksbquiz(&common::root())
            .args(["bank", "sample"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    // The question ids a sheet lists, in its order.
    let ids_of = |sheet: &str| -> Vec<String> {
        sheet
            .lines()
            .filter_map(|l| l.strip_prefix("## ")?.split(' ').nth(1))
            .map(str::to_owned)
            .collect()
    };
    let sheet = |seed: &str| run(&["--count", "3", "--standard", "hsccld310", "--seed", seed]);
    let text = sheet("11");
    assert_eq!(text, sheet("11"), "the same seed must draw the same sheet");
    assert_ne!(text, sheet("12"));
    let bank: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("question-bank/HSCCLD310.json")).unwrap(),
    )
    .unwrap();
    let ids = ids_of(&text);
    assert_eq!(ids.len(), 3, "{text}");
    for id in &ids {
        let q = bank["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == *id)
            .unwrap_or_else(|| panic!("{id} is not a question of HSCCLD310"));
        let answer = q["answer"].as_u64().unwrap() as usize;
        let letter = ["A", "B", "C", "D"][answer];
        let key = q["options"][answer].as_str().unwrap();
        // The card is the question's: its key is lettered where the bank keys it, and every
        // option's reason is printed against it.
        let card = text.split("## ").find(|c| c.contains(id)).unwrap();
        assert!(card.contains(&format!("\n{letter}. {key}\n")), "{card}");
        assert!(card.contains(&format!("\nKey: {letter}\n")), "{card}");
        for (i, why) in q["feedback"].as_array().unwrap().iter().enumerate() {
            let mark = if i == answer { " (key)" } else { "" };
            let line = format!(
                "- {}{mark}: {}",
                ["A", "B", "C", "D"][i],
                why.as_str().unwrap()
            );
            assert!(card.contains(&line), "{line} missing from {card}");
        }
    }
    // --all: every question of the standard once, in the bank's order (an item's together).
    let whole = run(&["--all", "--standard", "HSCCLD310"]);
    let listed = ids_of(&whole);
    let in_bank: Vec<&str> = bank["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["id"].as_str())
        .collect();
    assert_eq!(listed, in_bank);
    assert!(whole.contains("every question, item by item"), "{whole}");
    ksbquiz(&common::root())
        .args(["bank", "sample", "--all", "--count", "3"])
        .assert()
        .failure();
    ksbquiz(&common::root())
        .args(["bank", "sample", "--standard", "NOPE"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no standard \"NOPE\" in the question bank",
        ));
}

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

#[test]
fn import_copies_a_parsed_standard_byte_for_byte() {
    let dir = scratch();
    let fixture = common::root().join("tests/fixtures/apprenticeship-ifate.txt");
    ksbquiz(dir.path())
        .args(["standards", "import"])
        .arg(&fixture)
        .assert()
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
    ksbquiz(dir.path())
        .args(["standards", "import"])
        .arg(&fixture)
        .assert()
        .failure()
        .stderr(predicate::str::contains("ST9999 is already in the library"));
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

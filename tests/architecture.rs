//! The layers stay sealed: a tidy test in the manner of ripgrep's, reading the source. Each
//! top-level module of `src/` may use only what ARCHITECTURE.md allows; a forbidden
//! `crate::...` path anywhere in a module's code (comments aside) fails here, naming the file,
//! the line and the rule. Also: no source file over 900 lines.

use std::path::{Path, PathBuf};

/// Modules that `module` must never name, with the reason ARCHITECTURE.md gives.
fn forbidden(module: &str) -> &'static [&'static str] {
    match module {
        // Adapters reach data only through the engine.
        "adapters" => &["store"],
        // Pure domain logic: scheduling, the bank, parsing and the live quiz keep no records.
        "srs" | "bank" | "standards" | "live" => &["store", "engine", "adapters", "export"],
        // The engine knows no platform.
        "engine" => &["adapters"],
        // Exports read what they are handed.
        "export" => &["engine", "adapters"],
        // Storage knows records and keys, nothing of what uses them.
        "store" => &["engine", "adapters", "bank", "srs", "export", "live"],
        // The domain model imports none of the layers.
        "domain" => &[
            "store",
            "srs",
            "engine",
            "export",
            "adapters",
            "bank",
            "live",
            "standards",
            "prompts",
        ],
        _ => &[],
    }
}

/// The top-level module a source file belongs to (`src/engine/learner.rs` -> `engine`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// Every `crate::NAME` a file's code names, with its line number (comments skipped).
fn uses(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((n + 1, name));
            }
            rest = after;
        }
    }
    out
}

/// The broken rules in one file: `(line, used module)`.
fn violations(module: &str, text: &str) -> Vec<(usize, String)> {
    uses(text)
        .into_iter()
        .filter(|(_, used)| forbidden(module).contains(&used.as_str()))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_layer_names_a_module_it_may_not_use() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut broken = Vec::new();
    for f in &files {
        let Some(module) = module_of(&src, f) else {
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for (line, used) in violations(&module, &text) {
            broken.push(format!(
                "{}:{line}: {module} must not use {used} (see ARCHITECTURE.md)",
                f.display()
            ));
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    assert!(files.len() > 50, "read the source tree");
}

#[test]
fn the_boundary_check_catches_a_planted_import() {
    let planted = "//! Telegram.\nuse crate::engine::Engine;\n// crate::store in a comment is fine\nfn f() { crate::store::Store::open(p); }\n";
    assert_eq!(violations("adapters", planted), [(4, "store".to_string())]);
    assert!(violations("engine", planted).is_empty());
    assert_eq!(
        violations("domain", "use crate::bank::Bank;\n"),
        [(1, "bank".to_string())]
    );
}

#[test]
fn no_source_file_is_over_900_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .map(|f| (f, std::fs::read_to_string(f).unwrap().lines().count()))
        .filter(|(_, n)| *n > 900)
        .map(|(f, n)| format!("{}: {n} lines", f.display()))
        .collect();
    assert!(long.is_empty(), "{long:?}");
}

//! The terminal front end: a chat with the engine on standard input and output, so a new user
//! sees ksbquiz working with one command. Commands as in the bots (`/quiz`, `/stats`...);
//! an option is chosen by its letter or number, a numbered choice (the standards offered to a
//! new learner) by its number; end of input ends the session cleanly.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::engine::{Choice, Engine, Input, Out, Who, command, lettered};

/// Runs a console session for `name` until end of input. Documents (the learner's data) are
/// written into `files_dir`.
pub fn run(
    engine: &Engine,
    name: &str,
    input: impl BufRead,
    mut output: impl Write,
    files_dir: &Path,
) -> Result<()> {
    let account = crate::domain::Account::console(name).to_string();
    let who = Who {
        account: &account,
        name,
        platform: "console",
    };
    let say = |out: &mut dyn Write, template: &str, data: serde_json::Value| -> Result<()> {
        writeln!(
            out,
            "{}",
            engine
                .prompts
                .render(&format!("console/{template}"), &data)?
        )?;
        Ok(())
    };
    say(&mut output, "banner", json!({"name": name}))?;
    // The choices last offered (a numbered list): a number typed next picks one.
    let mut offered: Vec<Choice> = Vec::new();
    if !engine.knows(&account)? {
        let outs = engine.handle(who, Input::Start { code: None })?;
        offered = show(engine, &mut output, outs, files_dir)?;
    }
    write!(output, "> ")?;
    output.flush()?;
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            write!(output, "> ")?;
            output.flush()?;
            continue;
        }
        let picked = line
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| offered.get(i));
        let input = match picked {
            Some(c) => command::parse(&c.command),
            None => command::parse(&line),
        };
        let outs = engine.handle(who, input)?;
        offered = show(engine, &mut output, outs, files_dir)?;
        write!(output, "> ")?;
        output.flush()?;
    }
    writeln!(output)?;
    say(&mut output, "bye", json!({}))?;
    Ok(())
}

/// Prints engine output; returns the choices it offered (numbered), if any.
fn show(
    engine: &Engine,
    out: &mut dyn Write,
    outs: Vec<Out>,
    files_dir: &Path,
) -> Result<Vec<Choice>> {
    let mut offered = Vec::new();
    for o in outs {
        match o {
            Out::Choices { text, choices } => {
                let list: Vec<_> = choices
                    .iter()
                    .enumerate()
                    .map(|(i, c)| json!({"n": i + 1, "label": c.label}))
                    .collect();
                writeln!(
                    out,
                    "{}",
                    engine
                        .prompts
                        .render("console/choices", &json!({"text": text, "choices": list}))?
                )?;
                offered = choices;
            }
            Out::Text(t) => writeln!(out, "{t}")?,
            Out::Question(q) => {
                let options = lettered(&q.options);
                writeln!(
                    out,
                    "{}",
                    engine.prompts.render(
                        "console/question",
                        &json!({"header": q.header, "stem": q.stem, "options": options})
                    )?
                )?;
            }
            Out::Document { name, content } => {
                let path = files_dir.join(&name);
                std::fs::write(&path, content)?;
                writeln!(
                    out,
                    "{}",
                    engine.prompts.render(
                        "console/document",
                        &json!({"path": path.display().to_string()})
                    )?
                )?;
            }
        }
    }
    Ok(offered)
}

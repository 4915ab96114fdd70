//! The terminal front end: a chat with the engine on standard input and output, so a new user
//! sees ksbquiz working with one command. Commands as in the bots (`/quiz`, `/stats`...);
//! an option is chosen by its letter or number; end of input ends the session cleanly.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::engine::{Engine, Input, Out, Who, command, lettered};

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
    if !engine.knows(&account)? {
        show(
            engine,
            &mut output,
            engine.handle(who, Input::Start { code: None })?,
            files_dir,
        )?;
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
        let outs = engine.handle(who, command::parse(&line))?;
        show(engine, &mut output, outs, files_dir)?;
        write!(output, "> ")?;
        output.flush()?;
    }
    writeln!(output)?;
    say(&mut output, "bye", json!({}))?;
    Ok(())
}

fn show(engine: &Engine, out: &mut dyn Write, outs: Vec<Out>, files_dir: &Path) -> Result<()> {
    for o in outs {
        match o {
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
    Ok(())
}

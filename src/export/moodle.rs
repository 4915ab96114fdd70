//! The question bank in Moodle's import formats, so tutors can reuse it in their LMS:
//! GIFT (plain text; special characters `~ = # { } :` and backslash escaped as the format
//! requires) and Moodle XML (written with quick-xml, one `multichoice` question per bank
//! question, single answer, the key at 100%, general feedback citing the item, and each
//! answer's own feedback: why that option is right or falls short).

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::bank::BankFile;

/// Escapes GIFT's special characters.
pub fn gift_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '~' | '=' | '#' | '{' | '}' | ':' | '\\') {
            out.push('\\');
        }
        // A blank line would end the question: keep line breaks as GIFT's \n escape.
        if c == '\n' {
            out.push_str("\\n");
            continue;
        }
        out.push(c);
    }
    out
}

/// The bank as GIFT, one category per standard.
pub fn gift(banks: &[BankFile]) -> String {
    let mut out = String::new();
    for b in banks {
        out.push_str(&format!(
            "// {}: {}\n$CATEGORY: $course$/ksbquiz/{}\n\n",
            b.standard.code,
            b.standard.title.replace('\n', " "),
            b.standard.code
        ));
        for q in &b.questions {
            out.push_str(&format!(
                "::{}::[plain]{} {{\n",
                gift_escape(&q.id),
                gift_escape(&q.stem)
            ));
            for (i, o) in q.options.iter().enumerate() {
                let mark = if i == q.answer { '=' } else { '~' };
                // GIFT's per-answer feedback: `=answer#why`.
                let why = q
                    .why(i)
                    .map(|w| format!("#{}", gift_escape(w)))
                    .unwrap_or_default();
                out.push_str(&format!("\t{mark}{}{why}\n", gift_escape(o)));
            }
            out.push_str(&format!("\t####{}\n}}\n\n", gift_escape(&q.explanation)));
        }
    }
    out
}

fn text_el(
    w: &mut Writer<Vec<u8>>,
    name: &str,
    format: Option<&str>,
    text: &str,
) -> std::io::Result<()> {
    let mut start = BytesStart::new(name);
    if let Some(f) = format {
        start.push_attribute(("format", f));
    }
    w.write_event(Event::Start(start))?;
    w.write_event(Event::Start(BytesStart::new("text")))?;
    w.write_event(Event::Text(BytesText::new(text)))?;
    w.write_event(Event::End(BytesEnd::new("text")))?;
    w.write_event(Event::End(BytesEnd::new(name)))?;
    Ok(())
}

fn simple(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(value)))?;
    w.write_event(Event::End(BytesEnd::new(name)))?;
    Ok(())
}

/// The bank as Moodle XML.
pub fn moodle_xml(banks: &[BankFile]) -> std::io::Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(BytesStart::new("quiz")))?;
    for b in banks {
        let mut cat = BytesStart::new("question");
        cat.push_attribute(("type", "category"));
        w.write_event(Event::Start(cat))?;
        text_el(
            &mut w,
            "category",
            None,
            &format!("$course$/ksbquiz/{}", b.standard.code),
        )?;
        w.write_event(Event::End(BytesEnd::new("question")))?;
        for q in &b.questions {
            let mut start = BytesStart::new("question");
            start.push_attribute(("type", "multichoice"));
            w.write_event(Event::Start(start))?;
            text_el(&mut w, "name", None, &q.id)?;
            text_el(&mut w, "questiontext", Some("plain_text"), &q.stem)?;
            text_el(
                &mut w,
                "generalfeedback",
                Some("plain_text"),
                &q.explanation,
            )?;
            simple(&mut w, "defaultgrade", "1")?;
            simple(&mut w, "penalty", "0.3333333")?;
            simple(&mut w, "hidden", "0")?;
            simple(&mut w, "idnumber", &q.id)?;
            simple(&mut w, "single", "true")?;
            simple(&mut w, "shuffleanswers", "true")?;
            simple(&mut w, "answernumbering", "ABCD")?;
            for (i, o) in q.options.iter().enumerate() {
                let mut a = BytesStart::new("answer");
                a.push_attribute(("fraction", if i == q.answer { "100" } else { "0" }));
                a.push_attribute(("format", "plain_text"));
                w.write_event(Event::Start(a))?;
                simple(&mut w, "text", o)?;
                text_el(
                    &mut w,
                    "feedback",
                    Some("plain_text"),
                    q.why(i).unwrap_or_default(),
                )?;
                w.write_event(Event::End(BytesEnd::new("answer")))?;
            }
            w.write_event(Event::End(BytesEnd::new("question")))?;
        }
    }
    w.write_event(Event::End(BytesEnd::new("quiz")))?;
    String::from_utf8(w.into_inner()).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gift_escapes_special_characters() {
        assert_eq!(
            gift_escape("a=b {c} ~d #e: f\\"),
            "a\\=b \\{c\\} \\~d \\#e\\: f\\\\"
        );
        assert_eq!(gift_escape("one\ntwo"), "one\\ntwo");
    }
}

//! Chat commands as a learner types them (`/quiz`, `/time 07:30`, `/start ABC123`), parsed into
//! engine inputs. Shared by every adapter that takes text.

use super::{ExportRequest, Input};

/// Parses one message. Text that is not a command is [`Input::Text`] (maybe an answer).
pub fn parse(text: &str) -> Input {
    let text = text.trim();
    let Some(rest) = text.strip_prefix('/') else {
        return Input::Text(text.to_string());
    };
    let (cmd, arg) = match rest.split_once(char::is_whitespace) {
        Some((c, a)) => (c, a.trim()),
        None => (rest, ""),
    };
    // Telegram appends the bot's name in groups: /quiz@ksbquiz_bot
    let cmd = cmd.split('@').next().unwrap_or(cmd).to_lowercase();
    let arg_opt = (!arg.is_empty()).then(|| arg.to_string());
    match cmd.as_str() {
        "start" => Input::Start { code: arg_opt },
        "help" => Input::Help,
        "standards" => Input::Standards,
        "enrol" | "enroll" => Input::Enrol(
            arg.split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        "join" => Input::Join(arg.to_string()),
        "quiz" => Input::Quiz,
        "practice" => Input::Practice,
        "stats" => Input::Stats,
        "settings" => Input::Settings,
        "time" => Input::Time(arg.to_string()),
        "timezone" => Input::Timezone(arg.to_string()),
        "perday" => Input::PerDay(arg.to_string()),
        "newperday" => Input::NewPerDay(arg.to_string()),
        "rest" => Input::RestDays(arg.to_string()),
        "epa" => Input::Epa(arg.to_string()),
        "pause" => Input::Pause,
        "resume" => Input::Resume,
        "mydata" => Input::MyData,
        "export" => Input::Export(ExportRequest::parse(arg)),
        "link" => Input::Link(arg_opt),
        "forget" if arg.eq_ignore_ascii_case("confirm") => Input::ForgetConfirm,
        "forget" => Input::Forget,
        "cohort" => {
            let (sub, rest) = arg.split_once(char::is_whitespace).unwrap_or((arg, ""));
            match sub.to_lowercase().as_str() {
                "create" => {
                    // /cohort create <name> : <CODE> <CODE>...
                    let (name, stds) = rest.split_once(':').unwrap_or((rest, ""));
                    Input::CohortCreate {
                        name: name.trim().to_string(),
                        standards: stds.split_whitespace().map(str::to_string).collect(),
                    }
                }
                "members" | "progress" => Input::CohortMembers(rest.trim().to_string()),
                "epa" => {
                    // /cohort epa <CODE> <YYYY-MM-DD | off>
                    let (code, date) = rest
                        .trim()
                        .split_once(char::is_whitespace)
                        .unwrap_or((rest.trim(), ""));
                    Input::CohortEpa {
                        code: code.to_string(),
                        date: date.trim().to_string(),
                    }
                }
                _ => Input::Unknown(text.to_string()),
            }
        }
        _ => Input::Unknown(text.to_string()),
    }
}

/// An answer typed as a letter (`b`, `B)`) or a number (`2`): the option index.
pub fn option_index(text: &str, options: usize) -> Option<usize> {
    let t = text.trim().trim_end_matches([')', '.']).trim();
    let idx = if let Ok(n) = t.parse::<usize>() {
        n.checked_sub(1)?
    } else {
        let mut chars = t.chars();
        let c = chars.next()?;
        if chars.next().is_some() || !c.is_ascii_alphabetic() {
            return None;
        }
        (c.to_ascii_uppercase() as u8 - b'A') as usize
    };
    (idx < options).then_some(idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        assert_eq!(parse("/quiz@ksbquiz_bot"), Input::Quiz);
        assert_eq!(
            parse("/start ABC123"),
            Input::Start {
                code: Some("ABC123".into())
            }
        );
        assert_eq!(parse("/time 07:30"), Input::Time("07:30".into()));
        assert_eq!(parse("/forget confirm"), Input::ForgetConfirm);
        assert_eq!(
            parse("/enrol HSCCLD352, OCC0088B"),
            Input::Enrol(vec!["HSCCLD352".into(), "OCC0088B".into()])
        );
        assert_eq!(
            parse("/cohort create Tuesday group : HSCCLD352"),
            Input::CohortCreate {
                name: "Tuesday group".into(),
                standards: vec!["HSCCLD352".into()]
            }
        );
        assert_eq!(
            parse("/export abc234"),
            Input::Export(ExportRequest::cohort("abc234"))
        );
        assert_eq!(
            parse("/export ABC234 2026-11-01 2026-11-30 CSV"),
            Input::Export(ExportRequest {
                code: "ABC234".into(),
                from: Some("2026-11-01".into()),
                to: Some("2026-11-30".into()),
                format: Some("CSV".into()),
                extra: vec![],
            })
        );
        assert_eq!(
            parse("/export ABC234 html - 2026-11-30 7 pdf"),
            Input::Export(ExportRequest {
                code: "ABC234".into(),
                from: Some("-".into()),
                to: Some("2026-11-30".into()),
                format: Some("html".into()),
                extra: vec!["7".into(), "pdf".into()],
            })
        );
        assert_eq!(parse("/epa 2027-06-30"), Input::Epa("2027-06-30".into()));
        assert_eq!(
            parse("/cohort epa abc234 2027-06-30"),
            Input::CohortEpa {
                code: "abc234".into(),
                date: "2027-06-30".into()
            }
        );
        assert!(matches!(parse("/dance"), Input::Unknown(_)));
        assert_eq!(parse(" b "), Input::Text("b".into()));
    }

    #[test]
    fn options_by_letter_or_number() {
        assert_eq!(option_index("b", 4), Some(1));
        assert_eq!(option_index("D)", 4), Some(3));
        assert_eq!(option_index("1", 4), Some(0));
        assert_eq!(option_index("5", 4), None);
        assert_eq!(option_index("e", 4), None);
        assert_eq!(option_index("0", 4), None);
        assert_eq!(option_index("yes", 4), None);
    }
}

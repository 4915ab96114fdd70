//! The data Telegram carries back when a learner presses one of the bot's inline buttons,
//! typed: what each button means, written and read in one place.

use std::fmt;

/// What a pressed button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// An answer: option `option` of the question delivered as `delivery` (`a:<delivery>:<i>`).
    Answer { delivery: String, option: usize },
    /// Start today's quiz (the daily prompt's button, `quiz`).
    Quiz,
    /// Confirm `/forget` (`forget`).
    ForgetConfirm,
    /// A choice the engine offered: the command it stands for (`c:/enrol HSCCLD352`).
    Command(String),
}

impl Callback {
    /// Reads a button's data; `None` for data this bot never wrote (an old or forged button).
    pub fn parse(data: &str) -> Option<Callback> {
        match data {
            "quiz" => return Some(Callback::Quiz),
            "forget" => return Some(Callback::ForgetConfirm),
            _ => {}
        }
        if let Some(cmd) = data.strip_prefix("c:") {
            return cmd
                .starts_with('/')
                .then(|| Callback::Command(cmd.to_string()));
        }
        let rest = data.strip_prefix("a:")?;
        let (delivery, option) = rest.rsplit_once(':')?;
        Some(Callback::Answer {
            delivery: delivery.to_string(),
            option: option.parse().ok()?,
        })
    }
}

impl fmt::Display for Callback {
    /// The button's data, as [`Callback::parse`] reads it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Callback::Answer { delivery, option } => write!(f, "a:{delivery}:{option}"),
            Callback::Quiz => f.write_str("quiz"),
            Callback::ForgetConfirm => f.write_str("forget"),
            Callback::Command(cmd) => write!(f, "c:{cmd}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Callback;

    #[test]
    fn button_data_reads_back_as_written() {
        for c in [
            Callback::Answer {
                delivery: "00000000000000a1-0000000000010002".into(),
                option: 3,
            },
            Callback::Quiz,
            Callback::ForgetConfirm,
            Callback::Command("/enrol HSCCLD352".into()),
        ] {
            assert_eq!(Callback::parse(&c.to_string()), Some(c));
        }
        for stale in ["", "a:", "a:x", "a:x:y", "b:x:1", "quiz:now", "c:enrol"] {
            assert_eq!(Callback::parse(stale), None, "{stale}");
        }
    }
}

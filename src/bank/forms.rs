//! The forms of an option a test-wise reader goes by, each a yes or no: whether it gives a
//! reason, acts with the person, puts the action off. `bank check` turns each into strategies
//! (the only option with the form, or the only one without; any option with it, or any
//! without: see [`super::check::STRATEGIES`]), and the generator chooses falls-short keys that
//! leave every such strategy at chance. Each form is a small word test, not a parser: it is
//! meant to find what a skimming learner sees, and its tests pin what it counts.

/// Whether an option justifies itself with a reason or purpose clause.
pub fn gives_reason(option: &str) -> bool {
    let l = format!(" {} ", option.to_lowercase());
    [
        ", so ",
        " so that ",
        " since ",
        " because ",
        " in order to ",
        ", as ",
        ", to ",
        " to make sure ",
        " to ensure ",
    ]
    .iter()
    .any(|m| l.contains(m))
}

/// Words that, after a person's name or pronoun, make their views or say the object.
const THEIR_SAY: [&str; 11] = [
    "views",
    "view",
    "wishes",
    "words",
    "choice",
    "say",
    "ideas",
    "idea",
    "agreement",
    "consent",
    "feelings",
];

/// Whether an option has the worker act with the person rather than for or about them: ask,
/// agree, plan or talk with them, let them choose, take their views, do it together. Reviewers
/// found keys to be the only such option often enough to name it; `bank check` measures it.
/// The person is a pronoun or a capitalised name after the verb (not an acronym: CAMHS, GP).
pub fn involves_person(option: &str) -> bool {
    let t: Vec<&str> = option
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<String> = t.iter().map(|w| w.to_lowercase()).collect();
    let named = |w: &str| {
        let mut c = w.chars();
        c.next().is_some_and(char::is_uppercase) && c.any(char::is_lowercase)
    };
    (0..t.len()).any(|i| {
        let next = lower.get(i + 1).map(String::as_str);
        let after_own = match next {
            Some("own") => lower.get(i + 2).map(String::as_str),
            other => other,
        };
        match lower[i].as_str() {
            "together" => true,
            "with" | "ask" | "invite" | "involve" | "let" | "help" => {
                matches!(next, Some("him" | "her" | "them"))
                    || t.get(i + 1).is_some_and(|w| named(w) && !w.ends_with("'s"))
                    || (next == Some("the")
                        && matches!(
                            lower.get(i + 2).map(String::as_str),
                            Some("young" | "child" | "children")
                        ))
            }
            "his" | "her" | "their" => after_own.is_some_and(|w| THEIR_SAY.contains(&w)),
            "what" => {
                matches!(next, Some("he" | "she" | "they"))
                    && lower.get(i + 2).is_some_and(|w| {
                        ["want", "think", "feel", "would", "need"]
                            .iter()
                            .any(|v| w.starts_with(v))
                    })
            }
            w => {
                w.ends_with("'s")
                    && named(t[i])
                    && after_own.is_some_and(|w| THEIR_SAY.contains(&w))
            }
        }
    })
}

/// Words after "next" or "the next" that make a time to come ("at the next review").
const NEXT_TIMES: [&str; 14] = [
    "week",
    "month",
    "term",
    "year",
    "review",
    "meeting",
    "visit",
    "shift",
    "supervision",
    "one-to-one",
    "handover",
    "team",
    "staff",
    "session",
];

/// What, after "after", makes a time to come ("after half term").
const AFTER_TIMES: [&[&str]; 4] = [&["half"], &["christmas"], &["the", "summer"], &["exams"]];

/// Whether an option puts the action off: until something happens, later, tomorrow, at the
/// next review, in a month, after half term. Reviewers found poor options doing so far more
/// often than good ones; `bank check` measures it.
pub fn puts_off(option: &str) -> bool {
    let w: Vec<String> = option
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let at = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    (0..w.len()).any(|i| match at(i) {
        "until" | "later" | "tomorrow" | "wait" | "waits" | "waiting" | "monday" | "annual" => true,
        "next" => NEXT_TIMES.contains(&at(i + 1)),
        "in" => {
            ["a", "two", "three", "four", "six"].contains(&at(i + 1))
                && ["week", "weeks", "month", "months", "fortnight", "year"].contains(&at(i + 2))
        }
        "after" => AFTER_TIMES
            .iter()
            .any(|t| t.iter().enumerate().all(|(k, p)| at(i + 1 + k) == *p)),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `flag` holds for every option in `yes` and for none in `no`.
    fn flags(flag: fn(&str) -> bool, yes: &[&str], no: &[&str]) {
        for o in yes {
            assert!(flag(o), "{o}");
        }
        for o in no {
            assert!(!flag(o), "{o}");
        }
    }

    #[test]
    fn acting_with_the_person_is_found() {
        flags(
            involves_person,
            &[
                "Ask Nora what she wants from the review.",
                "Agree the plan with him before the meeting.",
                "Plan the outing together on Saturday.",
                "Put Nora's own views in the report.",
                "Write down their wishes for the move.",
                "Find out what they would like to eat.",
                "Talk with the young people about the rota.",
            ],
            &[
                "Ask CAMHS for an assessment this week.",
                "Ask Nora's social worker to call the school.",
                "Tell the team the new rota at handover.",
                "Record the incident in the daily log.",
                "Share the plan with the GP and the school.",
            ],
        );
    }

    #[test]
    fn putting_the_action_off_is_found() {
        flags(
            puts_off,
            &[
                "Raise it at the next review of the plan.",
                "Wait until Nora has settled in before asking.",
                "Book the visit for next week and tell the team.",
                "Review the plan in three months with the team.",
                "Restart the meetings after half term.",
                "Call the school on Monday about the trip.",
            ],
            &[
                "Ask Nora what she wants from the review.",
                "Record the incident in the daily log.",
                "Talk with the team in the next room.",
                "Plan the week with Nora.",
            ],
        );
    }
}

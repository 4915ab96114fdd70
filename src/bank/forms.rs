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

/// The lower-case words of an option: letters, digits, apostrophes and hyphens kept.
fn tokens(option: &str) -> Vec<String> {
    option
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether any word of an option ([`tokens`]) is one of `words`.
fn has_any(option: &str, words: &[&str]) -> bool {
    tokens(option).iter().any(|w| words.contains(&w.as_str()))
}

/// Words naming someone besides the worker and the person: a colleague or manager, another
/// service or professional, family, the school. Reviewers marked keys for being the only option
/// that brings someone in ("the classic test-wise pick in safeguarding questions") and for
/// being the only one that brings no one in.
const OTHERS: [&str; 46] = [
    "manager",
    "managers",
    "colleague",
    "colleagues",
    "supervisor",
    "team",
    "staff",
    "nurse",
    "doctor",
    "gp",
    "therapist",
    "psychologist",
    "counsellor",
    "social",
    "iro",
    "camhs",
    "advocate",
    "police",
    "council",
    "school",
    "teacher",
    "teachers",
    "senco",
    "college",
    "trainer",
    "family",
    "families",
    "parent",
    "parents",
    "mum",
    "dad",
    "mother",
    "father",
    "grandparent",
    "grandparents",
    "nan",
    "sister",
    "brother",
    "siblings",
    "partner",
    "friend",
    "friends",
    "neighbour",
    "ofsted",
    "individual",
    "others",
];

/// Whether an option brings in someone besides the worker and the person (`OTHERS`).
pub fn involves_others(option: &str) -> bool {
    has_any(option, &OTHERS)
}

/// Words placing an action in time: a day, a part of it, a week or term, before, after,
/// until, now. Reviewers marked keys for being the only option with one ("today", "before
/// Saturday", "once she is calmer").
const TIMES: [&str; 34] = [
    "today",
    "tonight",
    "now",
    "tomorrow",
    "yesterday",
    "morning",
    "afternoon",
    "evening",
    "night",
    "week",
    "weekend",
    "weekly",
    "fortnight",
    "month",
    "monthly",
    "term",
    "daily",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "first",
    "before",
    "after",
    "until",
    "once",
    "later",
    "soon",
    "next",
    "immediately",
    "straight",
];

/// Whether an option places its action in time (`TIMES`).
pub fn names_a_time(option: &str) -> bool {
    has_any(option, &TIMES)
}

/// Words that hedge: the option leaves room ("if", "could", "try").
const HEDGES: [&str; 9] = [
    "may", "might", "could", "perhaps", "maybe", "possibly", "try", "if", "whether",
];

/// Whether an option hedges (`HEDGES`).
pub fn hedges(option: &str) -> bool {
    has_any(option, &HEDGES)
}

/// Words that admit no exception ("always", "never", "every", "must").
const ABSOLUTES: [&str; 12] = [
    "always",
    "never",
    "all",
    "every",
    "everyone",
    "everything",
    "only",
    "any",
    "must",
    "nothing",
    "nobody",
    "whatever",
];

/// Whether an option speaks in absolutes (`ABSOLUTES`).
pub fn absolute(option: &str) -> bool {
    has_any(option, &ABSOLUTES)
}

/// Verbs that, straight after "and", start a second action ("ask him ... and write it up").
/// Words that are as often nouns after "and" ("advice and support", "the plan and review")
/// are left out.
const SECOND_ACTIONS: [&str; 62] = [
    "ask",
    "tell",
    "agree",
    "explain",
    "give",
    "set",
    "offer",
    "talk",
    "keep",
    "check",
    "write",
    "book",
    "show",
    "take",
    "put",
    "arrange",
    "remind",
    "use",
    "say",
    "advise",
    "reassure",
    "hold",
    "suggest",
    "send",
    "share",
    "stop",
    "meet",
    "raise",
    "read",
    "sit",
    "leave",
    "log",
    "speak",
    "thank",
    "listen",
    "look",
    "get",
    "add",
    "encourage",
    "find",
    "challenge",
    "move",
    "invite",
    "bring",
    "praise",
    "let",
    "make",
    "email",
    "ring",
    "warn",
    "apologise",
    "discuss",
    "promise",
    "refer",
    "phone",
    "pass",
    "hear",
    "go",
    "update",
    "record",
    "note",
    "report",
];

/// Whether an option holds two actions: "..., then ...", or "and" followed by a second
/// verb (`SECOND_ACTIONS`). Reviewers marked keys for being the only option with one action
/// where the other three paired two, and the reverse.
pub fn two_actions(option: &str) -> bool {
    let w = tokens(option);
    w.iter().any(|t| t == "then")
        || w.windows(2)
            .any(|p| p[0] == "and" && SECOND_ACTIONS.contains(&p[1].as_str()))
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

    #[test]
    fn someone_else_brought_in_is_found() {
        flags(
            involves_others,
            &[
                "Tell Nora's social worker what she said.",
                "Agree the plan with the team at handover.",
                "Ask her mum to come to the review.",
                "Raise it with the school's SENCo.",
            ],
            &[
                "Ask Nora what she wants from the review.",
                "Record the incident in the daily log.",
                "Sit with him and talk it through.",
            ],
        );
    }

    #[test]
    fn a_time_word_is_found() {
        flags(
            names_a_time,
            &[
                "Call the school today about the trip.",
                "Apologise once she is calmer.",
                "Go over the route with Rosie before Saturday.",
                "Ask Nora at tea tomorrow.",
            ],
            &[
                "Ask Nora what she wants from the review.",
                "Record the incident in the log.",
            ],
        );
    }

    #[test]
    fn hedges_and_absolutes_are_found() {
        flags(
            hedges,
            &[
                "Ask Nora if she would like a lift.",
                "Try a quieter table at meals.",
                "Ask whether a routine could help.",
            ],
            &["Tell Nora the plan.", "Offer a quieter table at meals."],
        );
        flags(
            absolute,
            &[
                "Tell Femi he must stay in.",
                "Check every room at night.",
                "Give him any help he asks for.",
                "Never leave her alone.",
            ],
            &["Tell Femi the plan.", "Check the rooms at night."],
        );
    }

    #[test]
    fn two_actions_are_found() {
        flags(
            two_actions,
            &[
                "Ask Theo how he feels, and write that up.",
                "Tell Rachel to change the name, then send the report.",
                "Ask Nora and agree a time with her.",
            ],
            &[
                "Offer Nora advice and support at home.",
                "Ask Nora and her mum what they want.",
                "Record the plan and review in the log.",
            ],
        );
    }
}

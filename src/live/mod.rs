//! Live cohort quizzes: the timed quiz a tutor runs for a cohort in a channel (Discord), as a
//! platform-free state machine over times the caller passes in.
//!
//! A quiz is a list of questions chosen from one standard ([`Spec`], [`choose`]). Each question
//! is opened ([`LiveQuiz::open_next`]), takes clicks until its deadline ([`LiveQuiz::click`]:
//! the first click of each player counts, later ones are refused and say so), and is closed
//! ([`LiveQuiz::close`]) with the tally, the points and the leaderboard. [`LiveQuiz::summary`]
//! gives the podium and the cohort's weakest items. Recording answers in the learners' history
//! is the caller's job (the engine's [`crate::engine::Engine::live_answer`]); this module only
//! keeps score.
//!
//! ## Points
//! In the spirit of Kahoot's: a right answer earns `round(1000 × (1 − t / 2T))`, where `t` is
//! the time taken (clamped to `0..=T`) and `T` the seconds allowed, so an instant answer earns
//! 1,000 and one at the buzzer 500. With the streak bonus on (the tutor can switch it off),
//! the n-th right answer in a row adds `min(100 × (n − 1), 500)`. A wrong or missing answer
//! earns nothing and ends the streak.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::bank::Bank;
use crate::standards::ItemKind;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LiveError {
    #[error("no standard {0} in the question bank")]
    UnknownStandard(String),
    #[error(
        "cannot read the items {0:?}: use all, a kind (K, S, B or P) or a range such as K1-K10"
    )]
    BadItems(String),
    #[error("no questions match {0}")]
    NoQuestions(String),
}

/// Which of a standard's items a quiz asks about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemFilter {
    All,
    Kind(ItemKind),
    /// Items of one kind numbered `from..=to` (`K1-K10`; `K3` alone is `K3-K3`).
    Range {
        kind: ItemKind,
        from: u32,
        to: u32,
    },
}

fn kind_of(s: &str) -> Option<ItemKind> {
    match s.to_ascii_lowercase().as_str() {
        "k" | "knowledge" => Some(ItemKind::Knowledge),
        "s" | "skill" | "skills" => Some(ItemKind::Skill),
        "b" | "behaviour" | "behaviours" | "behavior" => Some(ItemKind::Behaviour),
        "p" | "performance" => Some(ItemKind::Performance),
        _ => None,
    }
}

/// `K12` as kind and number.
fn coded(s: &str) -> Option<(ItemKind, u32)> {
    let s = s.trim();
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let kind = kind_of(&s[..split])?;
    Some((kind, s[split..].parse().ok()?))
}

impl FromStr for ItemFilter {
    type Err = LiveError;

    fn from_str(s: &str) -> Result<Self, LiveError> {
        let t = s.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("all") {
            return Ok(ItemFilter::All);
        }
        if let Some(kind) = kind_of(t) {
            return Ok(ItemFilter::Kind(kind));
        }
        let bad = || LiveError::BadItems(s.to_string());
        let (a, b) = t.split_once(['-', '–']).unwrap_or((t, t));
        let (kind, from) = coded(a).ok_or_else(bad)?;
        // `K1-10` is read as `K1-K10`.
        let to = match coded(b) {
            Some((k, n)) if k == kind => n,
            Some(_) => return Err(bad()),
            None => b.trim().parse().map_err(|_| bad())?,
        };
        if to < from {
            return Err(bad());
        }
        Ok(ItemFilter::Range { kind, from, to })
    }
}

impl ItemFilter {
    fn admits(&self, kind: ItemKind, number: u32) -> bool {
        match *self {
            ItemFilter::All => true,
            ItemFilter::Kind(k) => k == kind,
            ItemFilter::Range { kind: k, from, to } => k == kind && (from..=to).contains(&number),
        }
    }
}

/// What the tutor asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    /// The cohort whose quiz it is (its join code).
    pub cohort: String,
    pub standard: String,
    pub items: ItemFilter,
    /// Questions wanted (fewer if the items allow fewer).
    pub count: usize,
    /// Seconds allowed per question.
    pub seconds: u32,
    pub streak_bonus: bool,
}

/// One question of a live quiz.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveQuestion {
    pub question: String,
    pub item: String,
    pub options: usize,
    pub answer: usize,
}

/// Chooses the questions: one per item while items last (items in a shuffled order, the
/// variant chosen at random), then further variants. `seed` makes the choice repeatable.
pub fn choose(bank: &Bank, spec: &Spec, seed: u64) -> Result<Vec<LiveQuestion>, LiveError> {
    let file = bank
        .standard(&spec.standard)
        .ok_or_else(|| LiveError::UnknownStandard(spec.standard.clone()))?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut items: Vec<&str> = file
        .items
        .iter()
        .filter(|i| spec.items.admits(i.kind, i.number))
        .map(|i| i.id.as_str())
        .collect();
    items.shuffle(&mut rng);
    let mut pools: Vec<Vec<&str>> = items
        .iter()
        .map(|i| {
            let mut qs: Vec<&str> = bank.questions_of(i).iter().map(String::as_str).collect();
            qs.shuffle(&mut rng);
            qs
        })
        .collect();
    let mut out = Vec::new();
    while out.len() < spec.count && pools.iter().any(|p| !p.is_empty()) {
        for pool in pools.iter_mut() {
            if out.len() >= spec.count {
                break;
            }
            if let Some(q) = pool.pop().and_then(|id| bank.question(id)) {
                out.push(LiveQuestion {
                    question: q.id.clone(),
                    item: q.item.clone(),
                    options: q.options.len(),
                    answer: q.answer,
                });
            }
        }
    }
    if out.is_empty() {
        return Err(LiveError::NoQuestions(format!(
            "{} ({:?})",
            spec.standard, spec.items
        )));
    }
    Ok(out)
}

/// Points for one answer (see the module documentation).
pub fn points(correct: bool, taken: Duration, seconds: u32, streak: u32, bonus: bool) -> u32 {
    if !correct {
        return 0;
    }
    let limit = f64::from(seconds.max(1)) * 1000.0;
    let t = (taken.num_milliseconds() as f64).clamp(0.0, limit);
    let base = (1000.0 * (1.0 - t / (2.0 * limit))).round() as u32;
    let extra = if bonus && streak > 1 {
        (100 * (streak - 1)).min(500)
    } else {
        0
    };
    base + extra
}

/// A player's click on a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Click {
    pub option: usize,
    pub at: DateTime<Utc>,
    pub correct: bool,
    /// Set when the question closes.
    pub points: u32,
}

/// Someone taking part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Player {
    pub name: String,
    pub score: u32,
    pub streak: u32,
    pub correct: u32,
    pub answered: u32,
}

/// What became of a click.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClickOutcome {
    /// Counted. `joined` is true for a player's first click in this quiz.
    Accepted { joined: bool },
    /// The player had already answered this question (the first click counts).
    AlreadyAnswered { option: usize },
    /// The question's time was up.
    TooLate,
    /// A button of a question that is not the open one (an old message).
    NotOpen,
    /// No such option (a forged or garbled button).
    NotAnOption,
}

/// Where the quiz is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Not started, or between questions (the last one closed).
    Between,
    Open {
        index: usize,
        opened: DateTime<Utc>,
        deadline: DateTime<Utc>,
    },
    Finished,
}

/// A player's place on the leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub rank: usize,
    pub player: String,
    pub name: String,
    pub score: u32,
    pub correct: u32,
    pub streak: u32,
}

/// A closed question: how the cohort answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionResult {
    pub index: usize,
    pub question: String,
    pub item: String,
    pub answer: usize,
    /// Clicks per option.
    pub counts: Vec<usize>,
    pub answered: usize,
    pub correct: usize,
    /// Points each player won on this question.
    pub awarded: Vec<(String, u32)>,
    pub leaderboard: Vec<Standing>,
}

/// How the cohort did on one item over the quiz.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemScore {
    pub item: String,
    pub answered: usize,
    pub correct: usize,
    /// Answers there could have been: players × times the item was asked.
    pub expected: usize,
    /// Right answers among those expected (0 to 1): a missed question counts as not known.
    pub rate: f64,
}

/// The end of a quiz.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub questions_asked: usize,
    pub players: usize,
    pub answers: usize,
    /// First three places.
    pub podium: Vec<Standing>,
    pub leaderboard: Vec<Standing>,
    /// Items answered worst first (at most three, only those with a wrong or missing answer).
    pub weakest: Vec<ItemScore>,
}

/// One live quiz.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LiveQuiz {
    pub id: String,
    pub spec: Spec,
    pub questions: Vec<LiveQuestion>,
    pub phase: Phase,
    /// Questions opened so far.
    pub asked: usize,
    /// Players by their account (`discord:<id>`).
    pub players: BTreeMap<String, Player>,
    /// Clicks per question, by player.
    pub clicks: Vec<BTreeMap<String, Click>>,
}

impl LiveQuiz {
    pub fn new(id: String, spec: Spec, questions: Vec<LiveQuestion>) -> Self {
        let n = questions.len();
        LiveQuiz {
            id,
            spec,
            questions,
            phase: Phase::Between,
            asked: 0,
            players: BTreeMap::new(),
            clicks: vec![BTreeMap::new(); n],
        }
    }

    /// The open question, if any.
    pub fn open(&self) -> Option<(usize, DateTime<Utc>, DateTime<Utc>)> {
        match self.phase {
            Phase::Open {
                index,
                opened,
                deadline,
            } => Some((index, opened, deadline)),
            _ => None,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    /// Opens the next question; None when every question has been asked (the quiz finishes).
    pub fn open_next(&mut self, now: DateTime<Utc>) -> Option<usize> {
        if self.open().is_some() || self.is_finished() {
            return None;
        }
        if self.asked >= self.questions.len() {
            self.phase = Phase::Finished;
            return None;
        }
        let index = self.asked;
        self.asked += 1;
        self.phase = Phase::Open {
            index,
            opened: now,
            deadline: now + Duration::seconds(i64::from(self.spec.seconds)),
        };
        Some(index)
    }

    /// Whether the open question's time is up.
    pub fn time_up(&self, now: DateTime<Utc>) -> bool {
        self.open().is_some_and(|(_, _, deadline)| now >= deadline)
    }

    /// A player clicked `option` on the message of question `index`.
    pub fn click(
        &mut self,
        player: &str,
        name: &str,
        index: usize,
        option: usize,
        now: DateTime<Utc>,
    ) -> ClickOutcome {
        let Some((open, _, deadline)) = self.open() else {
            return ClickOutcome::NotOpen;
        };
        if index != open {
            return ClickOutcome::NotOpen;
        }
        let q = &self.questions[index];
        if option >= q.options {
            return ClickOutcome::NotAnOption;
        }
        if let Some(c) = self.clicks[index].get(player) {
            return ClickOutcome::AlreadyAnswered { option: c.option };
        }
        if now >= deadline {
            return ClickOutcome::TooLate;
        }
        let joined = !self.players.contains_key(player);
        self.players
            .entry(player.to_string())
            .or_insert_with(|| Player {
                name: name.to_string(),
                score: 0,
                streak: 0,
                correct: 0,
                answered: 0,
            });
        self.clicks[index].insert(
            player.to_string(),
            Click {
                option,
                at: now,
                correct: option == q.answer,
                points: 0,
            },
        );
        ClickOutcome::Accepted { joined }
    }

    /// Takes back an accepted click whose recording failed, so the player may click again.
    pub fn unclick(&mut self, player: &str, index: usize) {
        if let Some(c) = self.clicks.get_mut(index) {
            c.remove(player);
        }
    }

    /// Closes the open question (time up, or the tutor moved on): scores it and ranks players.
    pub fn close(&mut self) -> Option<QuestionResult> {
        let (index, opened, _) = self.open()?;
        self.phase = if self.asked >= self.questions.len() {
            Phase::Finished
        } else {
            Phase::Between
        };
        let q = self.questions[index].clone();
        let mut counts = vec![0; q.options];
        let mut awarded = Vec::new();
        for (id, p) in self.players.iter_mut() {
            match self.clicks[index].get_mut(id) {
                Some(c) => {
                    counts[c.option] += 1;
                    p.answered += 1;
                    if c.correct {
                        p.streak += 1;
                        p.correct += 1;
                    } else {
                        p.streak = 0;
                    }
                    c.points = points(
                        c.correct,
                        c.at - opened,
                        self.spec.seconds,
                        p.streak,
                        self.spec.streak_bonus,
                    );
                    p.score += c.points;
                    awarded.push((id.clone(), c.points));
                }
                None => p.streak = 0,
            }
        }
        let answered = self.clicks[index].len();
        let correct = self.clicks[index].values().filter(|c| c.correct).count();
        Some(QuestionResult {
            index,
            question: q.question,
            item: q.item,
            answer: q.answer,
            counts,
            answered,
            correct,
            awarded,
            leaderboard: self.leaderboard(),
        })
    }

    /// Ends the quiz now (the tutor stopped it): the open question is closed and scored.
    pub fn stop(&mut self) -> Option<QuestionResult> {
        let last = self.close();
        self.phase = Phase::Finished;
        last
    }

    /// Players by score (ties: more right answers, then name), ranked from 1; equal scores and
    /// right answers share a rank.
    pub fn leaderboard(&self) -> Vec<Standing> {
        let mut v: Vec<(&String, &Player)> = self.players.iter().collect();
        v.sort_by(|a, b| {
            b.1.score
                .cmp(&a.1.score)
                .then(b.1.correct.cmp(&a.1.correct))
                .then(a.1.name.cmp(&b.1.name))
        });
        let mut out: Vec<Standing> = Vec::with_capacity(v.len());
        for (i, (id, p)) in v.into_iter().enumerate() {
            let rank = match out.last() {
                Some(prev) if prev.score == p.score && prev.correct == p.correct => prev.rank,
                _ => i + 1,
            };
            out.push(Standing {
                rank,
                player: id.clone(),
                name: p.name.clone(),
                score: p.score,
                correct: p.correct,
                streak: p.streak,
            });
        }
        out
    }

    /// The podium, the leaderboard and the weakest items of the questions asked so far.
    pub fn summary(&self) -> Summary {
        let closed = match self.open() {
            Some((index, ..)) => index,
            None => self.asked,
        };
        let mut by_item: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
        for (q, clicks) in self.questions.iter().zip(&self.clicks).take(closed) {
            let e = by_item.entry(q.item.as_str()).or_default();
            e.0 += clicks.len();
            e.1 += clicks.values().filter(|c| c.correct).count();
            // Players who let it pass count against the item too.
            e.2 += self.players.len();
        }
        let mut weakest: Vec<ItemScore> = by_item
            .into_iter()
            .filter(|(_, (_, correct, expected))| correct < expected)
            .map(|(item, (answered, correct, expected))| ItemScore {
                item: item.to_string(),
                answered,
                correct,
                expected,
                rate: correct as f64 / expected.max(1) as f64,
            })
            .collect();
        weakest.sort_by(|a, b| a.rate.total_cmp(&b.rate).then(a.item.cmp(&b.item)));
        weakest.truncate(3);
        let leaderboard = self.leaderboard();
        Summary {
            questions_asked: closed,
            players: self.players.len(),
            answers: self.clicks.iter().map(BTreeMap::len).sum(),
            podium: leaderboard.iter().take(3).cloned().collect(),
            leaderboard,
            weakest,
        }
    }
}

//! The domain model: the records ksbquiz keeps about learners, cohorts, answers, scheduling
//! states and quizzes under way, the accounts people use, and the stable hash. Plain data with
//! serde; storage, scheduling, the engine and exports all use it, and it imports none of them.
//! New fields must carry `#[serde(default)]` so older records still read. How records are
//! keyed and encoded is the store's business alone.

mod account;
mod attempt;
mod cohort;
mod hash;
mod learner;
mod schedule;
mod session;
pub(crate) mod time;

pub use account::{Account, NotAnAccount};
pub use attempt::{Attempt, Mode};
pub use cohort::Cohort;
pub use hash::fnv1a;
pub use learner::{Learner, LearnerId, Settings};
pub use schedule::{Plan, SrsState, Weights};
pub use session::{Answered, Delivery, Pick, Prompted, Session};

/// Letters for options: A, B, C...
pub fn letter(i: usize) -> String {
    char::from(b'A' + (i % 26) as u8).to_string()
}

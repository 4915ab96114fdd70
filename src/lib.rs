//! ksbquiz: occupational standards in, scenario questions out, spaced-repetition quizzes for
//! care apprentices and cohort results for their tutors.
//!
//! The modules follow the flow of the product: [`standards`] parses the source texts,
//! [`bank`] turns their items into reviewable questions.

pub mod bank;
pub mod standards;

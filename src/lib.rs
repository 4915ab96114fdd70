//! ksbquiz: occupational standards in, scenario questions out, spaced-repetition quizzes for
//! care apprentices and cohort results for their tutors.
//!
//! The modules follow the flow of the product: [`standards`] parses the source texts,
//! [`bank`] turns their items into reviewable questions, [`prompts`] holds every sentence a
//! user reads, and [`project`] knows where a ksbquiz project keeps its folders.

pub mod adapters;
pub mod bank;
pub mod bench;
pub mod config;
pub mod domain;
pub mod engine;
pub mod export;
pub mod live;
pub mod project;
pub mod prompts;
pub mod srs;
pub mod standards;
pub mod store;
pub mod testkit;

//! ksbquiz: occupational standards in, scenario questions out, spaced-repetition quizzes for
//! care apprentices and cohort results for their tutors.
//!
//! The modules follow the flow of the product: [`standards`] parses the source texts,
//! [`bank`] turns their items into reviewable questions, [`prompts`] holds every sentence a
//! user reads, and [`project`] knows where a ksbquiz project keeps its folders. [`domain`]
//! holds the records, [`store`] keeps them, [`srs`] schedules, [`live`] runs a cohort quiz,
//! [`engine`] decides every conversation, [`adapters`] speak each chat platform and
//! [`export`] writes tutors' reports. `ARCHITECTURE.md` maps them and what each may import.
//! With the `testkit` feature, `bench` measures and `testkit` fakes the chat platforms.

pub mod adapters;
pub mod bank;
#[cfg(feature = "testkit")]
pub mod bench;
pub mod config;
pub mod domain;
pub mod engine;
pub mod export;
pub mod live;
pub mod metrics;
pub mod project;
pub mod prompts;
pub mod srs;
pub mod standards;
pub mod store;
#[cfg(feature = "testkit")]
pub mod testkit;

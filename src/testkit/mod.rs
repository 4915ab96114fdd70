//! Local fakes of the platforms' HTTP APIs, for end-to-end tests and benchmarks: they let
//! the real teloxide (and serenity) code paths run against 127.0.0.1.

pub mod discord;
pub mod telegram;

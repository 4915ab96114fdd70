//! Adapters: each turns one platform's events into engine inputs and the engine's outputs into
//! that platform's messages. A new platform is one new module here.

pub mod console;
pub mod discord;
pub mod ops;
pub mod telegram;

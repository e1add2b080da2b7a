//! sciatica-bot answers sciatica self-care questions from a curated, admin-owned knowledge
//! folder, on Discord and in a terminal.
//!
//! # Layout
//! - [`knowledge`]: the `knowledge/` folder: TOML schema, loading, the model's validation
//!   (`file:line:col`). A leaf: it imports nothing of safety, matcher, reply or engine.
//! - [`text`]: text folding and stemming shared by the safety screen and the matcher.
//! - [`safety`]: the red-flag and crisis screen; it runs before any matching.
//! - [`matcher`]: fuzzy retrieval over FAQ, muscle and technique entries.
//! - [`reply`]: the one place that composes replies and appends the disclaimer.
//! - [`review`]: the knowledge checks that need the compiled screen, composer and matcher;
//!   every load that serves or checks knowledge goes through it.
//! - [`engine`]: `Engine::answer(question) -> Reply`, the path every front end uses, and
//!   `Engine::answer_in` for a message that follows a crisis reply.
//! - [`conversation`]: what a member says after a crisis reply ("no", "idk") read as part of
//!   that conversation; a pure, time-injected map of open conversations.
//! - [`store`]: the live knowledge in service: atomic swap on reload, file watching.
//! - [`routine`]: a guided routine session as a pure state machine (time passed in).
//! - [`gaps`]: the opt-in log of unanswered questions and its report.
//! - [`feedback`]: "Was this helpful?" counts per entry (never who rated).
//! - [`cli`]: the terminal front end (`ask`, `chat`, `routine`, `check`, `export`, `gaps`).
//! - [`render`]: how the CLI prints a reply: markdown rendered on a terminal, plain otherwise.
//! - [`discord`]: the Discord front end (`serve`), serenity + poise.
//!
//! The answering core (everything but `cli` and `discord`) has no Discord types in it.

pub mod cli;
pub mod conversation;
pub mod discord;
pub mod engine;
pub mod feedback;
pub mod gaps;
pub mod knowledge;
pub mod matcher;
mod parallel;
pub mod render;
pub mod reply;
pub mod review;
pub mod routine;
pub mod safety;
pub mod store;
pub mod text;

pub use engine::Engine;
pub use reply::{Reply, ReplyKind};

/// Every binary built on this library (the bot, its examples and benches) allocates through
/// mimalloc: loading the knowledge makes hundreds of thousands of small strings (words,
/// stems, typo variants), and the system allocator spent about a quarter of a load on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

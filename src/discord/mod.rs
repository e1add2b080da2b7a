//! The Discord front end: `sciatica-bot serve`.
//!
//! STUB: replaced by the serenity + poise implementation.

use std::sync::Arc;

use crate::store::KnowledgeStore;

/// Everything `serve` reads from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub token: String,
}

impl Config {
    /// Read the configuration; a missing token is a clear error naming `DISCORD_TOKEN`.
    pub fn from_env() -> anyhow::Result<Self> {
        match std::env::var("DISCORD_TOKEN") {
            Ok(t) if !t.trim().is_empty() => Ok(Self { token: t }),
            _ => anyhow::bail!(
                "DISCORD_TOKEN is not set. Put your bot token in the environment or in a .env \
                 file (see .env.example)."
            ),
        }
    }
}

/// Connect to Discord and answer until SIGINT/SIGTERM.
pub async fn serve(_config: Config, _store: Arc<KnowledgeStore>) -> anyhow::Result<()> {
    anyhow::bail!("serve is not implemented yet")
}

//! `ADMIN_LOG_CHANNEL_ID`: a short note in an admins' channel after every knowledge reload,
//! good or bad, whether the watcher or `/knowledge reload` started it, and after every gap
//! fix, with the admin's name.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::respond;
use super::rest::Rest;
use crate::reply::{Composer, Reply};
use crate::store::{KnowledgeStore, ReloadOutcome};

pub struct AdminLog {
    http: Arc<serenity::Http>,
    rest: Arc<Rest>,
    channel: serenity::ChannelId,
    runtime: tokio::runtime::Handle,
}

impl AdminLog {
    pub fn new(
        http: Arc<serenity::Http>,
        rest: Arc<Rest>,
        channel: serenity::ChannelId,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        Self {
            http,
            rest,
            channel,
            runtime,
        }
    }

    /// Post the outcome without waiting; callable from the watcher's thread.
    pub fn post(&self, store: &KnowledgeStore, outcome: &ReloadOutcome) {
        self.send(outcome_reply(store.engine().composer(), outcome));
    }

    /// Post `reply` without waiting.
    pub fn send(&self, reply: Reply) {
        let http = Arc::clone(&self.http);
        let rest = Arc::clone(&self.rest);
        let channel = self.channel;
        self.runtime.spawn(async move {
            if let Err(e) = respond::post(&http, &rest, channel, &reply).await {
                tracing::warn!("could not post to ADMIN_LOG_CHANNEL_ID: {e}");
            }
        });
    }
}

/// The reply that reports a reload: info when it worked, an error when the previous
/// knowledge stayed in service.
pub fn outcome_reply(composer: &Composer, outcome: &ReloadOutcome) -> Reply {
    composer.reload_outcome(outcome)
}

//! What every event passes through on its way to poise: autocomplete requests are answered
//! here (through [`super::rest`], like every other reply), and each event is handled under
//! `catch_unwind`, so a panic anywhere still gets the member an error reply that carries the
//! disclaimer. The safety screen runs before anything that could panic in matching, so a
//! red-flag message has had its answer by then; the panic is logged without any message text.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use futures_util::FutureExt;
use poise::serenity_prelude as serenity;

use super::respond::{self, Press};
use super::rest::SendError;
use super::{commands, events, Bot};

/// A serenity framework around poise's: see the module docs.
pub struct Guarded<F> {
    pub inner: F,
    pub bot: Arc<Bot>,
}

#[serenity::async_trait]
impl<F: serenity::Framework> serenity::Framework for Guarded<F> {
    async fn init(&mut self, client: &serenity::Client) {
        self.inner.init(client).await;
    }

    async fn dispatch(&self, ctx: serenity::Context, event: serenity::FullEvent) {
        respond::RECEIVED
            .scope(Instant::now(), self.handle(ctx, event))
            .await;
    }
}

/// Where to say "that didn't work" if handling an event panics.
enum Target {
    Message(Box<serenity::Message>),
    Interaction {
        id: serenity::InteractionId,
        token: String,
        application: serenity::ApplicationId,
    },
}

impl<F: serenity::Framework> Guarded<F> {
    async fn handle(&self, ctx: serenity::Context, event: serenity::FullEvent) {
        if let serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Autocomplete(request),
        } = &event
        {
            self.autocomplete(&ctx, request).await;
            return;
        }
        let target = self.target(&ctx, &event);
        let kind = event.snake_case_name();
        let handled = AssertUnwindSafe(self.inner.dispatch(ctx.clone(), event))
            .catch_unwind()
            .await;
        if handled.is_err() {
            tracing::error!(
                event = kind,
                "internal error while handling an event (a panic)"
            );
            if let Some(target) = target {
                self.tell_failed(&ctx, target).await;
            }
        }
    }

    async fn autocomplete(&self, ctx: &serenity::Context, request: &serenity::CommandInteraction) {
        let choices = std::panic::catch_unwind(AssertUnwindSafe(|| {
            commands::autocomplete_choices(&self.bot, request)
        }))
        .unwrap_or_else(|_| {
            tracing::error!("internal error while suggesting choices (a panic)");
            Vec::new()
        });
        if let Err(e) = respond::autocomplete(&ctx.http, &self.bot.rest, request, choices).await {
            tracing::warn!("could not send autocomplete choices: {e}");
        }
    }

    /// Who would be answered for this event, if anyone.
    fn target(&self, ctx: &serenity::Context, event: &serenity::FullEvent) -> Option<Target> {
        match event {
            serenity::FullEvent::Message { new_message } => {
                let me = ctx.cache.current_user().id;
                events::is_question(new_message, me, &self.bot)
                    .then(|| Target::Message(Box::new(new_message.clone())))
            }
            serenity::FullEvent::InteractionCreate { interaction } => {
                let (id, token, application) = match interaction {
                    serenity::Interaction::Command(c) => (c.id, &c.token, c.application_id),
                    serenity::Interaction::Component(c) => (c.id, &c.token, c.application_id),
                    serenity::Interaction::Modal(m) => (m.id, &m.token, m.application_id),
                    _ => return None,
                };
                Some(Target::Interaction {
                    id,
                    token: token.clone(),
                    application,
                })
            }
            _ => None,
        }
    }

    async fn tell_failed(&self, ctx: &serenity::Context, target: Target) {
        let reply = self.bot.store.engine().composer().failed();
        let rest = &self.bot.rest;
        let sent = match &target {
            Target::Message(msg) => respond::channel(&ctx.http, rest, msg, &reply, &[]).await,
            Target::Interaction {
                id,
                token,
                application,
            } => {
                // The first response if none went out yet, else a follow-up.
                let how = Press::NewMessage { ephemeral: true };
                for responded in [false, true] {
                    let responded = AtomicBool::new(responded);
                    let it = respond::of_press(*id, token, *application, &responded);
                    match it.reply(&ctx.http, rest, &reply, &[], how).await {
                        Err(SendError::Status { status: 400, .. }) => continue,
                        other => return log_failure(other),
                    }
                }
                Ok(())
            }
        };
        log_failure(sent);
    }
}

fn log_failure(sent: Result<(), SendError>) {
    if let Err(e) = sent {
        tracing::warn!("could not tell the member about the internal error: {e}");
    }
}

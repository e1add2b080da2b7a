//! Sending a [`Reply`] to Discord: as a slash-command response, as a button-press response, or
//! as a channel message. Every message goes out with no mentions allowed, so a question that
//! contains `@everyone`, a role or a user never pings anyone, and every request goes through
//! [`super::rest::Rest`], so a rate limit delays a reply instead of losing it.
//!
//! An interaction's first response must reach Discord within 3 seconds of the interaction.
//! When a rate limit would hold it past that, it is deferred first ("thinking..." for a new
//! message, a silent acknowledgement for a button that updates its message) and the reply goes
//! as a follow-up, or as an edit of the button's message, once the limit lifts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use poise::serenity_prelude as serenity;
use serenity::{LightMethod, Route};

use super::embeds::{layout, rows, Button, Menu};
use super::rest::{Rest, SendError};
use super::{Bot, Context, Error};
use crate::reply::Reply;

tokio::task_local! {
    /// When the event being handled arrived; set by [`super::dispatch`] for each event.
    pub static RECEIVED: Instant;
}

/// When the event being handled arrived (now, outside an event).
pub fn received() -> Instant {
    RECEIVED.try_with(|t| *t).unwrap_or_else(|_| Instant::now())
}

/// Until when the event being handled may still get its first response (see
/// [`super::rest::RetryPolicy::interaction_window`]).
fn first_response_deadline(rest: &Rest) -> Instant {
    received() + rest.policy().interaction_window
}

/// Allowed mentions for every message: nobody, not even the member being replied to.
pub fn no_pings() -> serenity::CreateAllowedMentions {
    serenity::CreateAllowedMentions::new().replied_user(false)
}

/// How an interaction's reply is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// Replace the message the button is on (a routine moving to its next step).
    Update,
    /// A new message, visible to everyone or only to the presser.
    NewMessage { ephemeral: bool },
}

/// An interaction to answer, and whether its first response has gone out.
pub struct Interaction<'a> {
    pub id: serenity::InteractionId,
    pub token: &'a str,
    pub application: serenity::ApplicationId,
    pub responded: &'a AtomicBool,
}

impl Interaction<'_> {
    fn route(&self) -> Route<'_> {
        Route::InteractionResponse {
            interaction_id: self.id,
            token: self.token,
        }
    }

    /// Acknowledge now, answer later: "thinking..." for a new message, a silent
    /// acknowledgement for a press that will update its message. A no-op once responded.
    pub async fn defer(
        &self,
        http: &serenity::Http,
        rest: &Rest,
        how: Press,
    ) -> Result<(), SendError> {
        if self.responded.load(Ordering::Acquire) {
            return Ok(());
        }
        let defer = match how {
            Press::Update => serenity::CreateInteractionResponse::Acknowledge,
            Press::NewMessage { ephemeral } => serenity::CreateInteractionResponse::Defer(
                serenity::CreateInteractionResponseMessage::new().ephemeral(ephemeral),
            ),
        };
        rest.send(http, self.route(), LightMethod::Post, &defer, None)
            .await?;
        self.responded.store(true, Ordering::Release);
        Ok(())
    }

    /// Send `reply` (every page of it; buttons on the last).
    pub async fn reply(
        &self,
        http: &serenity::Http,
        rest: &Rest,
        reply: &Reply,
        buttons: &[Button],
        how: Press,
    ) -> Result<(), SendError> {
        self.reply_with(http, rest, reply, &[], buttons, how).await
    }

    /// Send `reply` with menus and buttons on its last page.
    pub async fn reply_with(
        &self,
        http: &serenity::Http,
        rest: &Rest,
        reply: &Reply,
        menus: &[Menu],
        buttons: &[Button],
        how: Press,
    ) -> Result<(), SendError> {
        let pages = layout(reply);
        let last = pages.len() - 1;
        let ephemeral = matches!(how, Press::NewMessage { ephemeral: true });
        for (i, page) in pages.iter().enumerate() {
            let rows = if i == last {
                rows(menus, buttons)
            } else {
                Vec::new()
            };
            if !self.responded.load(Ordering::Acquire) {
                let msg = serenity::CreateInteractionResponseMessage::new()
                    .embeds(page.embeds())
                    .components(rows.clone())
                    .allowed_mentions(no_pings());
                let response = match how {
                    Press::Update => serenity::CreateInteractionResponse::UpdateMessage(msg),
                    Press::NewMessage { ephemeral } => {
                        serenity::CreateInteractionResponse::Message(msg.ephemeral(ephemeral))
                    }
                };
                let deadline = first_response_deadline(rest);
                match rest
                    .send(
                        http,
                        self.route(),
                        LightMethod::Post,
                        &response,
                        Some(deadline),
                    )
                    .await
                {
                    Ok(()) => {
                        self.responded.store(true, Ordering::Release);
                        continue;
                    }
                    Err(SendError::Late(limit)) => {
                        tracing::warn!(
                            retry_after = limit.retry_after.as_secs_f64(),
                            "rate limited past the interaction's window; deferring first"
                        );
                        self.defer(http, rest, how).await?;
                        if how == Press::Update && i == 0 {
                            let edit = serenity::EditInteractionResponse::new()
                                .embeds(page.embeds())
                                .components(rows)
                                .allowed_mentions(no_pings());
                            let route = Route::WebhookOriginalInteractionResponse {
                                application_id: self.application,
                                token: self.token,
                            };
                            rest.send(http, route, LightMethod::Patch, &edit, None)
                                .await?;
                            continue;
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            let follow = serenity::CreateInteractionResponseFollowup::new()
                .embeds(page.embeds())
                .components(rows)
                .ephemeral(ephemeral)
                .allowed_mentions(no_pings());
            let route = Route::WebhookFollowupMessages {
                application_id: self.application,
                token: self.token,
            };
            rest.send(http, route, LightMethod::Post, &follow, None)
                .await?;
        }
        Ok(())
    }
}

/// The interaction behind a slash-command context.
fn of_command<'a>(ctx: &'a poise::ApplicationContext<'_, super::Data, Error>) -> Interaction<'a> {
    Interaction {
        id: ctx.interaction.id,
        token: &ctx.interaction.token,
        application: ctx.interaction.application_id,
        responded: ctx.has_sent_initial_response,
    }
}

/// Answer a slash command: the first message as the interaction response (or the follow-up
/// after a deferral), further messages of a long safety reply as follow-ups. Buttons go on the
/// last message.
pub async fn command(
    ctx: Context<'_>,
    reply: &Reply,
    buttons: &[Button],
    ephemeral: bool,
) -> Result<(), Error> {
    command_with(ctx, reply, &[], buttons, ephemeral).await
}

/// Answer a slash command with menus and buttons under the reply (see [`command`]).
pub async fn command_with(
    ctx: Context<'_>,
    reply: &Reply,
    menus: &[Menu],
    buttons: &[Button],
    ephemeral: bool,
) -> Result<(), Error> {
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    let bot = ctx.data();
    of_command(&app)
        .reply_with(
            ctx.http(),
            &bot.rest,
            reply,
            menus,
            buttons,
            Press::NewMessage { ephemeral },
        )
        .await?;
    Ok(())
}

/// Show "thinking..." for a slash command whose answer will take a while.
pub async fn defer(ctx: Context<'_>, ephemeral: bool) -> Result<(), Error> {
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    of_command(&app)
        .defer(
            ctx.http(),
            &ctx.data().rest,
            Press::NewMessage { ephemeral },
        )
        .await?;
    Ok(())
}

/// Answer a button press.
pub async fn component(
    ctx: &serenity::Context,
    bot: &Bot,
    press: &serenity::ComponentInteraction,
    reply: &Reply,
    buttons: &[Button],
    how: Press,
) -> Result<(), SendError> {
    let responded = AtomicBool::new(false);
    let it = of_press(press.id, &press.token, press.application_id, &responded);
    it.reply(&ctx.http, &bot.rest, reply, buttons, how).await
}

/// An interaction by its id and token (a button press, a form, a command poise did not
/// handle), to answer it in one step or several (defer, then the reply as a follow-up).
pub fn of_press<'a>(
    id: serenity::InteractionId,
    token: &'a str,
    application: serenity::ApplicationId,
    responded: &'a AtomicBool,
) -> Interaction<'a> {
    Interaction {
        id,
        token,
        application,
        responded,
    }
}

/// Open a form (modal) in answer to a button press.
pub async fn modal(
    ctx: &serenity::Context,
    bot: &Bot,
    press: &serenity::ComponentInteraction,
    modal: serenity::CreateModal,
) -> Result<(), SendError> {
    let route = Route::InteractionResponse {
        interaction_id: press.id,
        token: &press.token,
    };
    let response = serenity::CreateInteractionResponse::Modal(modal);
    let deadline = first_response_deadline(&bot.rest);
    bot.rest
        .send(
            &ctx.http,
            route,
            LightMethod::Post,
            &response,
            Some(deadline),
        )
        .await
}

/// Acknowledge a button press that needs no reply (not ours, or from an older version).
pub async fn acknowledge(
    ctx: &serenity::Context,
    bot: &Bot,
    press: &serenity::ComponentInteraction,
) -> Result<(), SendError> {
    let responded = AtomicBool::new(false);
    let it = of_press(press.id, &press.token, press.application_id, &responded);
    it.defer(&ctx.http, &bot.rest, Press::Update).await
}

/// Answer an autocomplete request. It cannot be deferred: a reply that would be late is
/// dropped (the member is still typing, and the next keystroke asks again).
pub async fn autocomplete(
    http: &serenity::Http,
    rest: &Rest,
    interaction: &serenity::CommandInteraction,
    choices: Vec<serenity::AutocompleteChoice>,
) -> Result<(), SendError> {
    let response = serenity::CreateInteractionResponse::Autocomplete(
        serenity::CreateAutocompleteResponse::new().set_choices(choices),
    );
    let route = Route::InteractionResponse {
        interaction_id: interaction.id,
        token: &interaction.token,
    };
    let deadline = first_response_deadline(rest);
    rest.send(http, route, LightMethod::Post, &response, Some(deadline))
        .await
}

/// Answer a message in its channel, as a reply to it (without pinging its author).
pub async fn channel(
    http: &serenity::Http,
    rest: &Rest,
    to: &serenity::Message,
    reply: &Reply,
    buttons: &[Button],
) -> Result<(), SendError> {
    let pages = layout(reply);
    let last = pages.len() - 1;
    for (i, page) in pages.iter().enumerate() {
        let mut m = serenity::CreateMessage::new()
            .embeds(page.embeds())
            .allowed_mentions(no_pings());
        if i == 0 {
            m = m.reference_message(to);
        }
        if i == last && !buttons.is_empty() {
            m = m.components(rows(&[], buttons));
        }
        let route = Route::ChannelMessages {
            channel_id: to.channel_id,
        };
        rest.send(http, route, LightMethod::Post, &m, None).await?;
    }
    Ok(())
}

/// Post a reply in a channel (the admin log), not as a reply to anything.
pub async fn post(
    http: &serenity::Http,
    rest: &Rest,
    channel: serenity::ChannelId,
    reply: &Reply,
) -> Result<(), SendError> {
    for page in layout(reply) {
        let m = serenity::CreateMessage::new()
            .embeds(page.embeds())
            .allowed_mentions(no_pings());
        let route = Route::ChannelMessages {
            channel_id: channel,
        };
        rest.send(http, route, LightMethod::Post, &m, None).await?;
    }
    Ok(())
}
